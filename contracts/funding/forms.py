"""Forms of the funding pages (GOV.UK markup via crispy-forms-gds)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from commissioning.dates import financial_year_label
from commissioning.forms import GDSFormMixin, offer_choices, radio_question, text_area
from commissioning.models import FundingStream

from ..forms import MoneyField


class StreamForm(GDSFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the funding stream",
        max_length=200,
        help_text="For example, Ministry of Justice core victims grant 2025 to 2028.",
        error_messages={"required": "Enter the name of the funding stream"},
    )
    kind = radio_question("Type of funding", FundingStream.Kind.choices, required="Select the type of funding")
    funder = forms.CharField(label="Who provides it", max_length=200, required=False)
    is_ring_fenced = forms.BooleanField(
        label="The money is ring-fenced: it may only be spent on a named purpose", required=False
    )
    ring_fence_purpose = forms.CharField(
        label="What the ring-fenced money may be spent on", max_length=200, required=False
    )
    notes = text_area("Notes", rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("name"),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("funder"),
            Field.checkbox("is_ring_fenced"),
            Field.text("ring_fence_purpose"),
            Field.textarea("notes", rows=3),
        )

    def clean(self):
        data = super().clean()
        if data.get("is_ring_fenced") and not (data.get("ring_fence_purpose") or "").strip():
            self.add_error("ring_fence_purpose", "Enter what the ring-fenced money may be spent on")
        return data


def year_choices(first: int, last: int) -> list[tuple[str, str]]:
    return [("", "Select a financial year")] + [(str(y), financial_year_label(y)) for y in range(first, last + 1)]


def financial_year_field() -> forms.TypedChoiceField:
    """A financial year chosen from the form's list (the form sets the choices)."""
    return forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Select the financial year",
            "invalid_choice": "Select a financial year from the list",
        },
    )


class AllocationForm(GDSFormMixin, forms.Form):
    financial_year = financial_year_field()
    amount = MoneyField(
        label="Amount allocated for the year, in pounds",
        help_text="For example, £1,953,439.",
        error_messages={"required": "Enter the amount allocated for the year"},
    )

    def __init__(self, *args, years: tuple[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = year_choices(*years)


class ContributionForm(GDSFormMixin, forms.Form):
    authority = forms.TypedChoiceField(
        label="Contributing authority", coerce=int, error_messages={"required": "Select the contributing authority"}
    )
    financial_year = financial_year_field()
    amount = MoneyField(
        label="Contribution for the year, in pounds (excluding VAT)",
        help_text="Enter 0 to take the authority off that year.",
        error_messages={"required": "Enter the contribution for the year"},
    )

    def __init__(self, *args, authorities: list[tuple[int, str]], years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        offer_choices(self.fields["authority"], "authority", authorities)
        self.fields["financial_year"].choices = [("", "Select a financial year")] + [
            (year, financial_year_label(year)) for year in years
        ]
