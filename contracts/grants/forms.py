"""Forms of the grants pages."""

from __future__ import annotations

from django import forms

from commissioning.errors import RuleError
from commissioning.forms import GDSFormMixin, radio_question, text_area

from ..forms import MoneyField, gds_date
from .models import GrantRound, GrantTerms


class RoundForm(GDSFormMixin, forms.Form):
    reference = forms.CharField(label="Reference", max_length=50, error_messages={"required": "Enter a reference"})
    title = forms.CharField(label="Title", max_length=250, error_messages={"required": "Enter the title of the round"})
    purpose = text_area("What the grants are for", rows=3)
    budget = MoneyField(label="Budget, in pounds", error_messages={"required": "Enter the round's budget"})
    cadence = radio_question(
        "How are grants decided?", GrantRound.Cadence.choices, required="Select how the round's grants are decided"
    )
    opens_on = gds_date("Opening date")
    closes_on = gds_date("Closing date", required=False, help_text="Leave empty for a rolling round.")


class ApplicationForm(GDSFormMixin, forms.Form):
    supplier = forms.TypedChoiceField(
        label="Applicant", coerce=int, error_messages={"required": "Select the applicant"}
    )
    project = forms.CharField(
        label="What the grant is for", max_length=250, error_messages={"required": "Enter what the grant is for"}
    )
    summary = text_area("Summary", rows=3)
    amount_requested = MoneyField(
        label="Amount requested, in pounds", error_messages={"required": "Enter the amount requested"}
    )
    submitted_on = gds_date("Date received")

    def __init__(self, *args, suppliers: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = [("", "Select the applicant"), *suppliers]
        self.fields["supplier"].error_messages["invalid_choice"] = "Select an applicant from the list"


class DecisionForm(GDSFormMixin, forms.Form):
    decision = radio_question(
        "Decision", [("award", "Award a grant"), ("decline", "Decline")], required="Select the decision"
    )
    amount_awarded = MoneyField(label="Amount awarded, in pounds (if awarded)", required=False)
    reason = text_area("Reasons for the decision", rows=4, required="Enter the reasons for the decision")
    decided_on = gds_date("Date of the decision")


class AgreementForm(GDSFormMixin, forms.Form):
    reference = forms.CharField(
        label="Agreement reference", max_length=50, error_messages={"required": "Enter a reference"}
    )
    start_on = gds_date("Start date")
    end_on = gds_date("End date")
    conditions = text_area(
        "Conditions of grant",
        rows=5,
        required="Enter the conditions of grant",
        help_text="For example: quarterly performance reports; spend only on the purpose agreed.",
    )
    frequency = radio_question(
        "How often is it paid?", GrantTerms.Frequency.choices, required="Select how often the grant is paid"
    )
    timing = radio_question(
        "Paid in advance or in arrears?",
        GrantTerms.Timing.choices,
        required="Select whether it is paid in advance or in arrears",
    )


class ProviderApplicationForm(GDSFormMixin, forms.Form):
    """A provider's online application. The amount is checked against the round's budget here, next to
    the field, and again by the service (`services.check_request`), which is the rule."""

    project = forms.CharField(
        label="Project title",
        max_length=250,
        error_messages={
            "required": "Enter the project title",
            "max_length": "The project title must be 250 characters or fewer",
        },
    )
    summary = forms.CharField(
        label="Summary of the project",
        help_text="What the grant would pay for, who it would help and how. Do not name or describe any victim.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": "Enter a summary of the project",
            "max_length": "The summary must be 5,000 characters or fewer",
        },
    )
    amount_requested = MoneyField(
        label="Amount requested, in pounds",
        error_messages={"required": "Enter the amount requested"},
    )

    def __init__(self, *args, grant_round: GrantRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant_round = grant_round
        self.fields["amount_requested"].help_text = f"Up to £{grant_round.budget:,.2f}, the round's budget."

    def clean_amount_requested(self):
        from .services import check_request

        try:
            return check_request(self.grant_round, self.cleaned_data["amount_requested"])
        except RuleError as error:
            raise forms.ValidationError(error.text) from error


class PaymentForm(GDSFormMixin, forms.Form):
    paid_on = gds_date("Date it was paid")
