"""Pieces the award stage's forms share: a time-of-day field, the GOV.UK layout helper and upload fields
checked by the one upload gate."""

from __future__ import annotations

from datetime import time

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout
from django import forms

from commissioning.uploads import ACCEPT_ATTRIBUTE, validate_upload

TIME_FORMATS = ["%H:%M", "%H.%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p", "%H"]


class TimeOfDayField(forms.TimeField):
    """A time typed as 17:00 or 5pm; shown back as 17:00."""

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("help_text", "Use the 24-hour clock, for example 17:00 for 5pm (UK time).")
        kwargs.setdefault("initial", time(17, 0))
        super().__init__(
            label=label,
            input_formats=TIME_FORMATS,
            widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input govuk-input--width-5"}),
            error_messages={
                "required": f"Enter the {label.lower()}",
                "invalid": f"Enter the {label.lower()} like 17:00 or 5pm",
            },
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lower().replace(" ", "").replace(".", ":")
            value = value.upper() if value.endswith(("am", "pm")) else value
        return super().to_python(value)


def layout_helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


def upload_field(label: str, help_text: str = "PDF, DOCX, XLSX, ODT or CSV, up to 25MB.") -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


def check_upload(form: forms.Form, name: str) -> None:
    upload = form.cleaned_data.get(name)
    if upload:
        try:
            validate_upload(upload)
        except forms.ValidationError as error:
            form.add_error(name, error)
