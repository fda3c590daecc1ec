"""Numbers people type or send in files: written with the digits 0 to 9, nothing else.

Python reads `int("٣")` and `Decimal("٣")` as 3, `int("3_000")` as 3000 and `Decimal("1e3")` as 1000; so
did every number field of the portal, and a return could carry Arabic-Indic digits. Here a number is an
optional minus sign, ASCII digits grouped in threes by commas or by spaces if the writer likes (never
a mixture, so "12,34" is not quietly read as 1234), and an optional decimal point with ASCII digits.
Money may start with a pound sign and percentages end with a percent sign where the field says so.

`parse_number` is the one reader; the form fields below and the spreadsheet and import readers use it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms

NUMBER = re.compile(
    r"(?P<sign>-)?(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]+))?",
    re.ASCII,
)
SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " "}  # no-break and thin spaces, as spreadsheets copy them
MAX_DIGITS = 30


class NotANumber(ValueError):
    """The text is not a number written with the digits 0 to 9."""


def parse_number(
    text, *, thousands: bool = True, pounds: bool = False, percent: bool = False, max_digits: int = MAX_DIGITS
) -> Decimal | None:
    """The number in `text`, or None when it is blank; NotANumber when it is anything else. A number a
    spreadsheet already holds as a number (int, float, Decimal) is taken as it is, if finite."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise NotANumber(text)
    if isinstance(text, int | float | Decimal):
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise NotANumber(text) from None
        if not number.is_finite():
            raise NotANumber(text)
        return number
    cleaned = str(text)
    for space, plain in SPACES.items():
        cleaned = cleaned.replace(space, plain)
    cleaned = cleaned.strip()
    if pounds and cleaned.startswith("£"):
        cleaned = cleaned[1:].strip()
    if pounds and cleaned.startswith("-£"):
        cleaned = "-" + cleaned[2:].strip()
    if percent and cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    if cleaned == "":
        return None
    match = NUMBER.fullmatch(cleaned)
    if match is None:
        raise NotANumber(text)
    whole = match["whole"].replace(",", "").replace(" ", "")
    if not thousands and whole != match["whole"]:
        raise NotANumber(text)
    if len(whole) + len(match["fraction"] or "") > max_digits:
        raise NotANumber(text)
    fraction = f".{match['fraction']}" if match["fraction"] else ""
    return Decimal(f"{match['sign'] or ''}{whole}{fraction}")


def whole_number(text, **kwargs) -> int | None:
    """A whole number (no decimal part), or None when blank; NotANumber otherwise."""
    number = parse_number(text, **kwargs)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise NotANumber(text)
    return int(number)


class AsciiDigitsMixin:
    """A Django number field that reads what was typed with `parse_number` first. Commas or spaces between
    thousands are allowed (the field's `thousands`)."""

    thousands = True

    def to_python(self, value):
        if isinstance(value, str) and value.strip() not in self.empty_values:
            try:
                value = parse_number(value, thousands=self.thousands)
            except NotANumber:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
            if value is not None:
                value = format(value, "f")
        return super().to_python(value)


class IntegerField(AsciiDigitsMixin, forms.IntegerField):
    pass


class DecimalField(AsciiDigitsMixin, forms.DecimalField):
    pass


def _form_classes() -> dict:
    from django.db import models

    return {models.DecimalField: DecimalField, models.IntegerField: IntegerField}


def ascii_number_formfield(db_field, **kwargs):
    """A ModelForm's `formfield_callback`: its number columns get the fields above."""
    for model_field, form_class in _form_classes().items():
        if isinstance(db_field, model_field):
            return db_field.formfield(form_class=form_class, **kwargs)
    return db_field.formfield(**kwargs)


def use_in_the_admin() -> None:
    """Every admin form's number columns get the fields above: the defaults every ModelAdmin and inline
    starts from, and the ModelAdmins already registered (run once, when the app is ready)."""
    from django.contrib import admin
    from django.contrib.admin import options

    for model_field, form_class in _form_classes().items():
        options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(model_field, {})["form_class"] = form_class
        for model_admin in admin.site._registry.values():
            model_admin.formfield_overrides.setdefault(model_field, {})["form_class"] = form_class


def format_money(value, *, empty: str = "") -> str:
    """The one way the portal writes money: £1,351,368 for whole pounds, £296,973.50 otherwise, a minus
    sign (U+2212) before a negative amount and never before nothing ("−£0" cannot appear: an amount that
    rounds to zero pence is £0). `empty` is written for no value."""
    if value is None or value == "":
        return empty
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"
