"""Forms for the officers' lifecycle pages and the register filters (GOV.UK markup via crispy-forms-gds)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from commissioning import numbers
from commissioning.dates import financial_year_label
from commissioning.forms import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    GDSFormMixin,
    RealDateField,
    SelectFiltersMixin,
    choice_filter,
    not_in_list_message,
    radio_question,
    text_area,
    within_calendar,
)
from commissioning.models import Authority
from commissioning.search import TOO_MANY_TO_LIST

from . import selectors
from .models import Contract, Variation
from .year_values import field_name as year_value_field

PENNY = Decimal("0.01")


class MoneyField(forms.CharField):
    """Pounds and pence, typed as 296973, 296,973.00 or £296,973; returns a Decimal."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "spellcheck": "false", "maxlength": "20"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = numbers.parse_number(value, pounds=True, max_digits=15)
        except numbers.NotANumber:
            amount = None
        if amount is None or amount < 0 or amount != amount.quantize(PENNY):
            raise forms.ValidationError(
                "Enter an amount in pounds and pence, like 296973 or £296,973.00", code="invalid"
            )
        return amount.quantize(PENNY)


def gds_date(label: str, *, required: bool = True, help_text: str = "For example, 27 3 2026") -> RealDateField:
    field = RealDateField(label=label, help_text=help_text, required=required, require_all_fields=False)
    field.error_messages["required"] = f"Enter the {label.lower()}"
    field.error_messages["incomplete"] = f"Enter the {label.lower()}, including a day, month and year"
    for sub, part in zip(field.fields, ("day", "month", "year"), strict=True):
        sub.error_messages["incomplete"] = f"The {label.lower()} must include a {part}"
    return field


class VariationForm(GDSFormMixin, forms.Form):
    kind = radio_question(
        "What does the variation change?", Variation.Kind.choices, required="Select what the variation changes"
    )
    financial_year = forms.TypedChoiceField(label="Financial year", coerce=int, required=False)
    new_value = MoneyField(
        label="New value for that year, in pounds (excluding VAT)",
        required=False,
        help_text="The whole year's value after the variation, for example £180,000.",
    )
    new_end = gds_date("New end date", required=False)
    new_scope = forms.CharField(label="New scope of the service", widget=forms.Textarea, required=False)
    reason = text_area("Reason for the variation", rows=4, required="Enter the reason for the variation")
    approver = forms.CharField(
        label="Who approved it",
        max_length=200,
        help_text="Name and role, for example the Police and Crime Commissioner (decision 2017/031).",
        error_messages={"required": "Enter who approved the variation"},
    )
    approved_on = gds_date("Date approved")

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [("", "Select a financial year")] + [
            (year, financial_year_label(year)) for year in contract.financial_years
        ]
        self.fields["new_scope"].initial = contract.scope
        labels = dict(Variation.Kind.choices)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # Plain radios and one fieldset per kind of change, all visible: GOV.UK Frontend's conditional
        # reveal puts aria-expanded on radio inputs, which WCAG checkers (axe-core) reject.
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Fieldset(
                Field.select("financial_year"),
                Field.text("new_value", field_width=10),
                legend=f"If it is a {labels[Variation.Kind.VALUE].lower()}",
                legend_size=Size.SMALL,
            ),
            Fieldset("new_end", legend="If it is a change to the end date", legend_size=Size.SMALL),
            Fieldset(
                Field.textarea("new_scope", rows=5),
                legend="If it is a change to the scope",
                legend_size=Size.SMALL,
            ),
            Field.textarea("reason", rows=4),
            Field.text("approver"),
            "approved_on",
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Variation.Kind.VALUE:
            if not data.get("financial_year"):
                self.add_error("financial_year", "Select the financial year whose value changes")
            if data.get("new_value") is None and "new_value" not in self.errors:
                self.add_error("new_value", "Enter the new value for the year")
        elif kind == Variation.Kind.END_DATE:
            if data.get("new_end") is None and "new_end" not in self.errors:
                self.add_error("new_end", "Enter the new end date")
        elif kind == Variation.Kind.SCOPE and not (data.get("new_scope") or "").strip():
            self.add_error("new_scope", "Enter the new scope of the service")
        return data


class ExtensionForm(GDSFormMixin, forms.Form):
    option = numbers.IntegerField(widget=forms.HiddenInput)
    decided_on = gds_date("Date of the decision")
    reason = text_area(
        "Why is the option being exercised?",
        rows=4,
        required="Enter why the extension is being exercised",
        help_text="For example, performance against the contract and value for money.",
    )

    def __init__(self, *args, proposed: dict[int, Decimal] | None = None, **kwargs):
        """`proposed`: the value offered for each financial year the option adds (one field per year)."""
        super().__init__(*args, **kwargs)
        self.years = sorted(proposed or {})
        for year in self.years:
            label = financial_year_label(year)
            field = MoneyField(
                label=f"Value for {label}, in pounds (excluding VAT)",
                help_text=f"The whole of {label}'s value once the option is exercised. Filled in from the last "
                "year: change it if the price changes.",
                initial=f"{proposed[year]:.2f}",
                error_messages={"required": f"Enter the value for {label}"},
            )
            self.fields[year_value_field(year)] = field

    def year_values(self) -> dict[int, Decimal]:
        return {year: self.cleaned_data[year_value_field(year)] for year in self.years}


class TerminationForm(GDSFormMixin, forms.Form):
    terminated_on = gds_date("Last day of service")
    reason = text_area(
        "Reason for terminating the contract", rows=4, required="Enter the reason for terminating the contract"
    )


class ScopeForm(GDSFormMixin, forms.Form):
    in_scope = forms.TypedChoiceField(
        label="Is this service in scope for recommissioning?",
        choices=[("yes", "Yes, it is in scope"), ("no", "No, it is commissioned separately")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the service is in scope for recommissioning"},
    )
    scope_note = forms.CharField(
        label="If it is out of scope, why?",
        max_length=250,
        required=False,
        help_text="For example: an internal Constabulary service, or commissioned by NHS England.",
    )

    def clean(self):
        data = super().clean()
        if data.get("in_scope") is False and not (data.get("scope_note") or "").strip():
            self.add_error("scope_note", "Enter why the service is out of scope")
        return data


def _optional_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


class RegisterFilterForm(SelectFiltersMixin, forms.Form):
    """The register's filters, read from the query string. A value not in the list is reported by its
    field and ignored; the other filters still apply."""

    status = choice_filter("Status")
    lot = choice_filter("Lot")
    supplier = choice_filter("Provider")
    authority = choice_filter("Buying authority")

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status")] + list(Contract.Status.choices)
        self.fields["lot"].choices = [("", "Any lot")] + choices["lots"]
        self.fields["supplier"].choices = [("", "Any provider")] + choices["suppliers"]
        if choices.get("suppliers_cut"):
            self.fields["supplier"].help_text = TOO_MANY_TO_LIST
        self.fields["authority"].choices = [("", "Any authority")] + choices["authorities"]

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data  # the valid fields only
        return {
            "status": data.get("status") or "",
            "lot": _optional_int(data.get("lot")),
            "supplier": _optional_int(data.get("supplier")),
            "authority": _optional_int(data.get("authority")),
        }


class AsOfFilterForm(SelectFiltersMixin, forms.Form):
    """The day the pipeline or the Panel report is seen as on, and the buying authority. A date that
    cannot be read, or an authority not in the list, is reported by its field and ignored (today, or
    every authority, is shown instead); what was typed stays in the box."""

    as_of = forms.DateField(
        label="As on",
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"],
        help_text="For example, 14/9/2018",
        error_messages={"invalid": "Enter a real date as day/month/year, for example 14/9/2018"},
    )
    authority = forms.ModelChoiceField(
        label="Buying authority",
        queryset=Authority.objects.none(),
        required=False,
        empty_label="All authorities",
        error_messages={"invalid_choice": not_in_list_message("Buying authority")},
    )

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if not within_calendar(day):
            raise forms.ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return day

    def __init__(self, data, *, today: date, user):
        super().__init__(data)
        self.today = today
        self.fields["authority"].queryset = selectors.buying_authorities(user)
        self.is_valid()

    @property
    def as_of_date(self) -> date:
        return self.cleaned_data.get("as_of") or self.today

    @property
    def selected_authority(self) -> Authority | None:
        return self.cleaned_data.get("authority")
