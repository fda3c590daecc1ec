"""Forms and form helpers of the shared core: sign-in and two-factor codes, GOV.UK date inputs, radios
and text areas, select filters, numbers read from query strings, and a service's refusal put on the form
(or the page) that asked for it."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
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
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .email import record_email


def add_service_errors(form: forms.Form, error: ValidationError, *, field: str | None = None) -> None:
    """Show a service's refusal on the form that asked for the move: each message next to the field it
    names (or next to `field`, for a form whose one question the whole refusal is about), otherwise at the
    top; the page's error summary lists them all, and the form keeps what was typed.

    Every app's rule error is a `ValidationError`, keyed by field name where one applies; a key the form
    does not have (such as `__all__`) goes to the top."""
    whole = field is not None or not hasattr(error, "error_dict")
    keyed = {field: error.messages} if whole else error.message_dict
    for name, messages in keyed.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


@contextmanager
def service_refusals_on(
    form: forms.Form,
    *,
    field: str | None = None,
    refused: type[Exception] | tuple[type[Exception], ...] = ValidationError,
) -> Iterator[None]:
    """The block in which a view, for a valid form, calls its service, says what was done and redirects.
    A refusal (`refused`: a `ValidationError` unless the view names its app's rule errors) goes on the
    form by `add_service_errors` (next to `field` if given), and the view carries on past the block to
    show the form again. Every form page's try/except/else, written once."""
    try:
        yield
    except refused as error:
        add_service_errors(form, error, field=field)


def refusals_of(step: Callable[[], object]) -> list[str]:
    """Take a service step for a POST: no messages when it succeeded, else what it refused with (for the
    page's error summary)."""
    try:
        step()
    except ValidationError as error:
        return error.messages
    return []


def refusals_of_post(request: HttpRequest, step: Callable[[], object]) -> list[str]:
    """For a page whose one button asks a service to act (publish, submit, withdraw): on a POST, what the
    service refused with (none when it acted); on a GET, nothing was asked yet."""
    return refusals_of(step) if request.method == "POST" else []


class GDSFormMixin:
    """Render fields with the GOV.UK pack; the page supplies the <form>, CSRF and buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


# The years a date typed into the portal may fall in: wide enough for any contract, accreditation or
# report, and far enough from Python's year 9999 that date arithmetic on them (a term, an extension,
# "the day after") cannot leave the calendar.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def within_calendar(day: date | None) -> bool:
    return day is None or EARLIEST_YEAR <= day.year <= LATEST_YEAR


class RealDateField(DateInputField):
    """A GOV.UK date input (day, month, year) whose impossible dates, 31 2 2027, a year of twenty digits
    or the year 9999, get a plain-English message instead of Python's (or a server error later)."""

    def compress(self, data_list):
        if any(not re.fullmatch(r"[0-9]*", str(part or "").strip()) for part in data_list or ()):
            raise forms.ValidationError(f"{self.label} must be a real date", code="invalid")
        try:
            day = super().compress(data_list)
        except (forms.ValidationError, OverflowError) as exc:
            raise forms.ValidationError(f"{self.label} must be a real date", code="invalid") from exc
        if not within_calendar(day):
            raise forms.ValidationError(
                f"{self.label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}", code="invalid"
            )
        return day


def number_from_query(value: str | None, *, digits: int = 9) -> int | None:
    """A whole number from a URL's query string, such as an id or a year: None unless it is written in at
    most `digits` ASCII digits ("²" passes `str.isdigit` but not `int`), so that it fits the database.
    A year still needs its range checked by the caller."""
    return int(value) if value and re.fullmatch(rf"[0-9]{{1,{digits}}}", value) else None


def whole_numbers(text: str | None, *, most: int) -> list[int] | None:
    """'12, 12' -> [12, 12]: numbers from 1 to `most` separated by commas; [] for no text; None when any
    part is not such a number."""
    parts = [part for part in (text or "").replace(" ", "").split(",") if part]
    if not all(re.fullmatch(r"[0-9]{1,6}", part) and 1 <= int(part) <= most for part in parts):
        return None
    return [int(part) for part in parts]


def select_prompt(label: str) -> str:
    """GOV.UK's wording for choosing one of a list: 'Select an area'."""
    noun = label.lower()
    article = "an" if noun[:1] in "aeiou" else "a"
    return f"Select {article} {noun}"


def not_in_list_message(label: str) -> str:
    """The error for a filter value that is not one of its options: 'Select an area from the list'."""
    return f"{select_prompt(label)} from the list"  # noqa: S608 - a message for the user, not SQL


def offer_choices(field: forms.ChoiceField, label: str, choices) -> None:
    """A select whose options are known only when the form is made (the user's contracts, lots, ...):
    `choices` after a 'Select a <label>' placeholder, and `not_in_list_message` for a value not among
    them, so that every such select words its prompt and its error alike."""
    field.choices = [("", select_prompt(label)), *choices]
    field.error_messages["invalid_choice"] = not_in_list_message(label)


def choice_filter(label: str, choices=()) -> forms.ChoiceField:
    """An optional select of a GET filter, whose value not in the list gets `not_in_list_message`."""
    return forms.ChoiceField(
        label=label, choices=choices, required=False, error_messages={"invalid_choice": not_in_list_message(label)}
    )


def radio_question(label: str, choices, *, required: str) -> forms.ChoiceField:
    """A question answered by choosing one of GOV.UK radios; `required` says what to do when none is chosen
    (GOV.UK's "Select ..." wording)."""
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages={"required": required}
    )


def text_area(label: str, *, rows: int, required: str = "", help_text: str = "") -> forms.CharField:
    """A written answer in a text area of `rows` lines. `required` is the message when it is left empty
    (GOV.UK's "Enter ..." wording); without one the answer is optional."""
    return forms.CharField(
        label=label,
        required=bool(required),
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required} if required else None,
    )


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
        if not re.fullmatch(r"[0-9]{6}", token):
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

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        """Through the portal's one e-mail path, so a refusing mail server delays the link rather than
        losing it. Confidential: the body holds the link, so it is erased once sent and never shown."""
        record_email(
            address=to_email,
            recipient=context["user"],
            kind="password-reset",
            subject="".join(render_to_string(subject_template_name, context).splitlines()),
            body_text=render_to_string(email_template_name, context),
            body_html=render_to_string(html_email_template_name, context) if html_email_template_name else "",
            confidential=True,
        )


class PortalSetPasswordForm(GDSFormMixin, SetPasswordForm):
    pass


class PortalPasswordChangeForm(GDSFormMixin, PasswordChangeForm):
    pass
