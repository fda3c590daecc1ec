from django import forms
from django.contrib.auth import password_validation

from commissioning.forms import GDSFormMixin, RealDateField
from commissioning.models import User
from commissioning.uploads import ACCEPT_ATTRIBUTE, GatedFileField

from . import identifiers
from .models import Accreditation, AccreditationScheme, Supplier, SupplierDocument
from .services import SUPPLIER_FIELDS


def new_password_field() -> forms.CharField:
    return forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Not a common password.",
        error_messages={"required": "Create a password"},
    )


def confirm_password_field() -> forms.CharField:
    return forms.CharField(
        label="Confirm your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )


class NewPasswordMixin:
    """A form that sets a new account's password (fields `password1` and `password2`): the two must match,
    and the password must pass the validators for the account it is for (`password_account`)."""

    def password_account(self, data) -> User:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            try:
                password_validation.validate_password(first, self.password_account(data))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


YES_NO = [(True, "Yes"), (False, "No")]


def optional_date(label: str, help_text: str = "For example, 31 3 2027") -> RealDateField:
    return RealDateField(label=label, help_text=help_text, required=False, require_all_fields=False)


class SupplierForm(GDSFormMixin, forms.ModelForm):
    class Meta:
        model = Supplier
        fields = SUPPLIER_FIELDS  # the details the services save, in the order the form asks for them
        labels = {
            "legal_name": "Legal name of the organisation",
            "trading_name": "Trading name (if different)",
            "address_line_1": "Address line 1",
            "address_line_2": "Address line 2 (optional)",
            "town": "Town or city",
            "is_vcse": "We are a voluntary, community or social enterprise (VCSE) organisation",
            "is_sme": "We are a small or medium-sized enterprise (SME)",
        }
        help_texts = {
            "charity_number": "Required for registered charities and CIOs.",
            "company_number": "Required for companies and community interest companies.",
        }
        error_messages = {
            "legal_name": {
                "required": "Enter the legal name of the organisation",
                "unique": "An organisation with this legal name is already registered. Ask its users to invite you",
            },
            "kind": {"required": "Select the type of organisation"},
            "address_line_1": {"required": "Enter the first line of the address"},
            "town": {"required": "Enter the town or city"},
            "postcode": {"required": "Enter the postcode"},
            "contact_name": {"required": "Enter the name of the main contact"},
            "contact_email": {
                "required": "Enter the main contact's email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["address_line_1", "town", "postcode", "contact_name", "contact_email"]:
            self.fields[name].required = True
        self.fields["kind"].choices = [("", "Select a type")] + list(Supplier.Kind.choices)
        self.fields["postcode"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        self.fields["charity_number"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        self.fields["company_number"].widget.attrs["class"] = "govuk-input govuk-input--width-10"

    def _registered_number(self, name: str, read, message: str) -> str:
        """The number in its register's own form, or the register's format in the message."""
        text = self.cleaned_data.get(name, "")
        if not text.strip():
            return ""
        number = read(text)
        if number is None:
            raise forms.ValidationError(message)
        return number

    def clean_charity_number(self):
        return self._registered_number("charity_number", identifiers.charity_number, identifiers.CHARITY_MESSAGE)

    def clean_company_number(self):
        return self._registered_number("company_number", identifiers.company_number, identifiers.COMPANY_MESSAGE)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needs_charity = kind in {Supplier.Kind.CHARITY, Supplier.Kind.CIO}
        if needs_charity and not data.get("charity_number") and "charity_number" not in self.errors:
            self.add_error("charity_number", "Enter the charity number of a registered charity or CIO")
        needs_company = kind in {Supplier.Kind.COMPANY, Supplier.Kind.CIC}
        if needs_company and not data.get("company_number") and "company_number" not in self.errors:
            self.add_error("company_number", "Enter the Companies House number of a company or CIC")
        return data


class RegistrationForm(NewPasswordMixin, SupplierForm):
    full_name = forms.CharField(label="Your full name", error_messages={"required": "Enter your full name"})
    email = forms.EmailField(
        label="Your email address",
        help_text="You will use it to sign in.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password1 = new_password_field()
    password2 = confirm_password_field()

    def clean_email(self):
        # Whether the address has an account is never said here: the email sent to it says so.
        return self.cleaned_data["email"].lower()

    def password_account(self, data) -> User:
        return User(email=data.get("email", ""), full_name=data.get("full_name", ""))


class AccreditationForm(GDSFormMixin, forms.ModelForm):
    issued_on = optional_date("Date issued (optional)")
    expires_on = optional_date("Expiry date (optional)")
    evidence = GatedFileField(
        label="Evidence (optional)",
        required=False,
        help_text="A certificate or letter: PDF, DOCX, XLSX, ODT or CSV, up to 25MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    class Meta:
        model = Accreditation
        fields = [
            "scheme",
            "equivalent_to",
            "equivalent_name",
            "level",
            "reference",
            "issued_on",
            "expires_on",
        ]
        labels = {"scheme": "Accreditation or quality standard", "equivalent_to": "Equivalent to"}
        error_messages = {"scheme": {"required": "Select the accreditation or quality standard"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [("", "Select a standard")] + list(AccreditationScheme.choices)
        self.fields["equivalent_to"].choices = [("", "Not applicable")] + [
            c for c in AccreditationScheme.choices if c[0] != AccreditationScheme.EQUIVALENT
        ]

    def clean(self):
        data = super().clean()
        if data.get("scheme") == AccreditationScheme.EQUIVALENT:
            if not data.get("equivalent_name"):
                self.add_error("equivalent_name", "Enter the name of the equivalent standard")
            if not data.get("equivalent_to"):
                self.add_error("equivalent_to", "Select the standard it is equivalent to")
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", "The expiry date must be after the date issued")
        return data


class DocumentForm(GDSFormMixin, forms.ModelForm):
    expires_on = optional_date("Expiry date (optional)", "Insurance certificates must have one. For example, 31 3 2027")
    file = GatedFileField(
        label="File",
        help_text="PDF, DOCX, XLSX, ODT or CSV, up to 25MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages={"required": "Select a file"},
    )

    class Meta:
        model = SupplierDocument
        fields = ["kind", "title", "file", "expires_on"]
        labels = {"kind": "Type of document", "title": "Title"}
        error_messages = {
            "kind": {"required": "Select the type of document"},
            "title": {"required": "Enter a title for the document"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Select a type")] + list(SupplierDocument.Kind.choices)

    def clean(self):
        data = super().clean()
        if data.get("kind") in SupplierDocument.INSURANCE_KINDS and not data.get("expires_on"):
            self.add_error("expires_on", "Enter the date the insurance expires")
        return data


class InviteForm(GDSFormMixin, forms.Form):
    full_name = forms.CharField(label="Their full name", error_messages={"required": "Enter their full name"})
    email = forms.EmailField(
        label="Their email address",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def clean_email(self):
        # Whether the address already has an account is not said here: the e-mail to it says so.
        return self.cleaned_data["email"].strip().lower()


class TwoFactorRequirementForm(GDSFormMixin, forms.Form):
    required = forms.TypedChoiceField(
        label="Must everyone at your organisation sign in with two-factor authentication?",
        choices=[
            ("True", "Yes, everyone enters a code from an authenticator app as well as their password"),
            ("False", "No, each person decides"),
        ],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether everyone must use two-factor authentication"},
    )


class AcceptInvitationForm(NewPasswordMixin, GDSFormMixin, forms.Form):
    password1 = new_password_field()
    password2 = confirm_password_field()

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def password_account(self, data) -> User:
        return User(email=self.invitation.email, full_name=self.invitation.full_name)
