"""The direct award request form: the supplier, value, term and the recorded justification. It keeps what
the user typed when shown again with errors; the rules are checked by the services."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms

from commissioning.forms import GDSFormMixin, radio_question, text_area
from commissioning.models import Area, User
from contracts.award import selectors
from contracts.award.models import Justification
from contracts.forms import MoneyField, gds_date
from contracts.models import Contract
from frameworks.models import Lot
from suppliers.models import Supplier

from .common import layout_helper
from .competitions import extension_months, term_months_field
from .responses import add_commitment_fields, clean_commitments

# --- Direct awards -----------------------------------------------------------------------------------


class DirectAwardForm(GDSFormMixin, forms.Form):
    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Also the reference of the contract it creates.",
        error_messages={"required": "Enter a reference"},
    )
    title = forms.CharField(label="Service", max_length=250, error_messages={"required": "Enter the service"})
    scope = text_area("Scope of the service (optional)", rows=3)
    kind = forms.ChoiceField(
        label="Contract or grant",
        choices=Contract.Kind.choices,
        widget=forms.RadioSelect,
        initial=Contract.Kind.CONTRACT,
    )
    framework_lot = forms.ModelChoiceField(
        label="Framework lot (for a call-off from a framework)",
        queryset=Lot.objects.none(),
        required=False,
        empty_label="Not a call-off from a framework",
    )
    supplier = forms.ModelChoiceField(
        label="Supplier",
        queryset=Supplier.objects.order_by("legal_name"),
        empty_label="Select a supplier",
        help_text="For a framework call-off: a supplier with an active appointment on the lot covering every area.",
        error_messages={"required": "Select the supplier"},
    )
    areas = forms.ModelMultipleChoiceField(
        label="Areas", queryset=Area.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    annual_value = MoneyField(
        label="Annual value, in pounds (excluding VAT)", error_messages={"required": "Enter the annual value"}
    )
    contract_start_on = gds_date("Contract start")
    term_months = term_months_field()
    extension_months = forms.CharField(
        label="Extension options, in months (optional)", required=False, help_text="For example 12,12"
    )
    justification = radio_question(
        "Justification for a direct award",
        Justification.choices,
        required="Select the justification for a direct award",
    )
    explanation = text_area("Why the justification applies", rows=5, required="Explain why the justification applies")
    social_value_summary = text_area(
        "The supplier's Social Value Proposal",
        rows=5,
        help_text="Required when the total value is over £100,000 (excluding VAT); it is scored and moderated "
        "before approval.",
    )

    def __init__(self, *args, officer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework_lot"].queryset = selectors.lots_to_call_off(officer)
        self.fields["framework_lot"].label_from_instance = lambda lot: f"{lot.framework.reference} – {lot}"
        layout = [
            "reference",
            "title",
            Field.textarea("scope", rows=3),
            Field.radios("kind", legend_size=Size.SMALL, inline=True),
            Field.select("framework_lot"),
            Field.select("supplier"),
            Field.checkboxes("areas", legend_size=Size.SMALL, small=True),
            Field.text("annual_value", field_width=10),
            "contract_start_on",
            "term_months",
            Field.text("extension_months", field_width=10),
            Field.radios("justification", legend_size=Size.SMALL, small=True),
            Field.textarea("explanation", rows=5),
        ]
        sv = [Field.textarea("social_value_summary", rows=5)]
        add_commitment_fields(self, [], sv)
        layout.append(Fieldset(*sv, legend="Social value", legend_size=Size.MEDIUM))
        self.helper = layout_helper(*layout)

    def clean_extension_months(self):
        return extension_months(self.cleaned_data.get("extension_months"))

    def clean(self):
        data = super().clean()
        data["commitments"] = clean_commitments(self)
        if data.get("justification") == Justification.FRAMEWORK_NO_COMPETITION and not data.get("framework_lot"):
            self.add_error(
                "framework_lot", "A call-off without competition under section 45(4) names the framework lot"
            )
        return data
