"""Forms and form helpers of the shared core: sign-in and two-factor codes, GOV.UK date inputs, select
filters and numbers read from query strings."""

from html import escape

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.safestring import mark_safe


class GDSFormMixin:
    """Render fields with the GOV.UK pack; the page supplies the <form>, CSRF and buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class RealDateField(DateInputField):
    """A GOV.UK date input (day, month, year) whose impossible dates, 31 2 2027 or a year of twenty
    digits, get a plain-English message instead of Python's (or a server error, for the year)."""

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except (forms.ValidationError, OverflowError) as exc:
            raise forms.ValidationError(f"{self.label} must be a real date", code="invalid") from exc


def number_from_query(value: str | None, *, digits: int = 9) -> int | None:
    """A whole number from a URL's query string, such as an id or a year: None unless it is made of at
    most `digits` digits, so that nothing typed there can overflow Python's dates or the database."""
    return int(value) if value and value.isdigit() and len(value) <= digits else None


def not_in_list_message(label: str) -> str:
    """The error for a filter value that is not one of its options: 'Select an area from the list'."""
    noun = label.lower()
    article = "an" if noun[:1] in "aeiou" else "a"
    return f"Select {article} {noun} from the list"  # noqa: S608 - a message for the user, not SQL


class SelectFiltersMixin:
    """GET filters shown as select boxes (templates/includes/filter_selects.html)."""

    def selects(self) -> list[tuple[forms.BoundField, str]]:
        """Each field with its options as HTML, built in one pass: a provider filter has hundreds of
        options, and rendering them one by one in the template was most of a list page's cost."""
        rendered = []
        for field in self:
            if not hasattr(field.field, "choices"):
                continue  # a checkbox beside the selects is the page's to render
            current = str(field.value() or "")
            options = "".join(
                f'<option value="{escape(str(value))}"{" selected" if str(value) == current else ""}>'
                f"{escape(str(label))}</option>"
                for value, label in field.field.choices
            )
            rendered.append((field, mark_safe(options)))  # noqa: S308 - every value and label escaped above
        return rendered


class SignInForm(GDSFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account has been closed. Contact the commissioning team.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "class": "govuk-input"}
        )
        # GOV.UK guidance: no autofocus, so keyboard and screen reader users start at the top.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class TokenForm(GDSFormMixin, forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app.",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "Enter the 6-digit security code",
            "min_length": "The security code must be 6 digits",
            "max_length": "The security code must be 6 digits",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input govuk-input--width-10",
                "spellcheck": "false",
            }
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("The security code must be 6 digits")
        return token


class PortalPasswordResetForm(GDSFormMixin, PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.org"
        )


class PortalSetPasswordForm(GDSFormMixin, SetPasswordForm):
    pass


class PortalPasswordChangeForm(GDSFormMixin, PasswordChangeForm):
    pass
