"""Officers' forms for a competition: its details, criteria, lots, clarification answers, closing time,
evaluators, award decisions and contracts from awards. Each keeps what the user typed when shown again
with errors; the rules are checked by the services."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms

from commissioning import numbers
from commissioning.dates import deadline_on
from commissioning.forms import GDSFormMixin, radio_question, text_area, whole_numbers
from commissioning.models import Area, User
from contracts.award import selectors
from contracts.award.models import AwardCriterion, Competition
from contracts.forms import MoneyField, gds_date
from frameworks.models import Lot

from .common import TimeOfDayField, check_upload, layout_helper, upload_field

# --- Officer: competitions ----------------------------------------------------------------------------


def extension_months(text: str) -> str:
    """'12, 12' stays as typed once every option is a whole number of months, 1 to 120."""
    if whole_numbers(text, most=120) is None:
        raise forms.ValidationError("Enter extension options as months separated by commas, for example 12,12")
    return text


def term_months_field(**error_messages: str) -> forms.IntegerField:
    """The initial term of the contract a competition or a direct award leads to: 1 to 240 whole months."""
    return numbers.IntegerField(
        label="Initial term, in months",
        min_value=1,
        max_value=240,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
        error_messages={"required": "Enter the initial term in months", **error_messages},
    )


class CompetitionForm(GDSFormMixin, forms.Form):
    kind = radio_question(
        "What kind of competition is it?", Competition.Kind.choices, required="Select the kind of competition"
    )
    framework_lot = forms.ModelChoiceField(
        label="Framework lot (for a mini-competition)",
        queryset=Lot.objects.none(),
        required=False,
        empty_label="Select a lot",
        help_text="Only suppliers with an active appointment on this lot, covering every area below, may bid.",
    )
    reference = forms.CharField(
        label="Reference", max_length=50, error_messages={"required": "Enter a reference, for example MC-2025-01"}
    )
    title = forms.CharField(label="Title", max_length=250, error_messages={"required": "Enter the title"})
    description = text_area("What is being bought", rows=4)
    areas = forms.ModelMultipleChoiceField(
        label="Areas the service covers",
        queryset=Area.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    estimated_value = MoneyField(
        label="Estimated total value over the initial term, in pounds (excluding VAT)",
        help_text="Over £100,000 a Social Value Proposal is required and social value must carry at least 10%.",
        error_messages={"required": "Enter the estimated value"},
    )
    contract_start_on = gds_date("Expected contract start")
    term_months = term_months_field(invalid="Enter the term in whole months")
    extension_months = forms.CharField(
        label="Extension options, in months (optional)",
        required=False,
        help_text="Separated by commas: 12,12 for two one-year options.",
    )
    interviews = text_area(
        "Interviews and visits (optional)",
        rows=3,
        help_text="Say whether shortlisted bidders will be interviewed or visited, and when.",
    )
    is_light_touch = forms.BooleanField(
        label="This is a light-touch award: the standstill period may be skipped with a recorded reason",
        required=False,
        initial=True,
    )
    requires_budget_template = forms.BooleanField(
        label="Bidders must upload a completed budget template",
        required=False,
        help_text="An expression of interest always asks for one.",
    )
    clarification_date = gds_date("Deadline for clarification questions")
    clarification_time = TimeOfDayField("Time of the clarification deadline")
    closes_date = gds_date("Closing date")
    closes_time = TimeOfDayField("Closing time")
    specification = upload_field("Specification document (optional)")

    def __init__(self, *args, officer: User, competition: Competition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = competition is None
        self.fields["framework_lot"].queryset = selectors.lots_to_call_off(officer)
        self.fields["framework_lot"].label_from_instance = lambda lot: f"{lot.framework.reference} – {lot}"
        if not self.creating:
            for name in ("kind", "framework_lot", "reference"):
                del self.fields[name]
        layout = []
        if self.creating:
            layout += [Field.radios("kind", legend_size=Size.MEDIUM), Field.select("framework_lot"), "reference"]
        layout += [
            "title",
            Field.textarea("description", rows=4),
            Field.checkboxes("areas", legend_size=Size.SMALL, small=True),
            Field.text("estimated_value", field_width=10),
            "contract_start_on",
            "term_months",
            Field.text("extension_months", field_width=10),
            Field.textarea("interviews", rows=3),
            "is_light_touch",
            "requires_budget_template",
            Fieldset(
                "clarification_date", "clarification_time", legend="Clarification questions", legend_size=Size.SMALL
            ),
            Fieldset("closes_date", "closes_time", legend="Closing time for responses", legend_size=Size.SMALL),
            "specification",
        ]
        self.helper = layout_helper(*layout)

    def clean_extension_months(self):
        return extension_months(self.cleaned_data.get("extension_months"))

    def clean(self):
        data = super().clean()
        if self.creating and data.get("kind") == Competition.Kind.MINI_COMPETITION and not data.get("framework_lot"):
            self.add_error("framework_lot", "Select the framework lot whose appointed providers may bid")
        if data.get("clarification_date") and data.get("clarification_time"):
            data["clarification_deadline"] = deadline_on(data["clarification_date"], data["clarification_time"])
        if data.get("closes_date") and data.get("closes_time"):
            data["closes_at"] = deadline_on(data["closes_date"], data["closes_time"])
        if (
            data.get("clarification_deadline")
            and data.get("closes_at")
            and data["clarification_deadline"] > data["closes_at"]
        ):
            self.add_error(
                "clarification_date", "The deadline for clarification questions must be on or before the closing time"
            )
        check_upload(self, "specification")
        return data

    @staticmethod
    def initial_for(competition: Competition) -> dict:
        from django.utils import timezone

        clarification = timezone.localtime(competition.clarification_deadline)
        closes = timezone.localtime(competition.closes_at)
        return {
            "title": competition.title,
            "description": competition.description,
            "areas": list(competition.areas.all()),
            "estimated_value": competition.estimated_value,
            "contract_start_on": competition.contract_start_on,
            "term_months": competition.term_months,
            "extension_months": competition.extension_months,
            "interviews": competition.interviews,
            "is_light_touch": competition.is_light_touch,
            "requires_budget_template": competition.requires_budget_template,
            "clarification_date": clarification.date(),
            "clarification_time": clarification.time(),
            "closes_date": closes.date(),
            "closes_time": closes.time(),
        }


class CriteriaForm(GDSFormMixin, forms.Form):
    """Rows of award criteria: kind, title, question, weight and the top mark. Empty rows are ignored."""

    def __init__(self, *args, criteria: list[AwardCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.row_count = min(max(len(criteria) + 2, 5), 10)
        layout = []
        for i in range(self.row_count):
            existing = criteria[i] if i < len(criteria) else None
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label="Kind",
                required=False,
                choices=[("", "Not used")] + list(AwardCriterion.Kind.choices),
                initial=existing.kind if existing else "",
            )
            self.fields[f"title_{i}"] = forms.CharField(
                label="Title", required=False, max_length=200, initial=existing.title if existing else ""
            )
            self.fields[f"question_{i}"] = forms.CharField(
                label="Question bidders answer (quality criteria)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=existing.question if existing else "",
            )
            self.fields[f"weight_{i}"] = numbers.IntegerField(
                label="Weight (%)",
                required=False,
                min_value=0,
                max_value=100,
                initial=existing.weight if existing else None,
                widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
                error_messages={
                    "invalid": "Enter the weight as a whole number",
                    "max_value": "A weight is 100% at most",
                },
            )
            self.fields[f"max_score_{i}"] = numbers.IntegerField(
                label="Top mark (marks run from 0)",
                required=False,
                min_value=1,
                max_value=10,
                initial=existing.max_score if existing else 4,
                widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-2"}),
            )
            layout.append(
                Fieldset(
                    Field.select(f"kind_{i}"),
                    f"title_{i}",
                    Field.textarea(f"question_{i}", rows=3),
                    f"weight_{i}",
                    f"max_score_{i}",
                    legend=f"Criterion {i + 1}",
                    legend_size=Size.SMALL,
                )
            )
        self.helper = layout_helper(*layout)

    def clean(self):
        data = super().clean()
        for i in range(self.row_count):
            kind, title = data.get(f"kind_{i}"), (data.get(f"title_{i}") or "").strip()
            if not kind and not title:
                continue
            if not kind:
                self.add_error(f"kind_{i}", f"Select the kind of criterion {i + 1}")
            if not title:
                self.add_error(f"title_{i}", f"Enter the title of criterion {i + 1}")
            if data.get(f"weight_{i}") is None and f"weight_{i}" not in self.errors:
                self.add_error(f"weight_{i}", f"Enter the weight of criterion {i + 1}")
            if kind == AwardCriterion.Kind.QUALITY and not (data.get(f"question_{i}") or "").strip():
                self.add_error(f"question_{i}", f"Write the question bidders answer for criterion {i + 1}")
        return data

    def criteria(self) -> list[dict]:
        rows = []
        for i in range(self.row_count):
            if not self.cleaned_data.get(f"kind_{i}"):
                continue
            rows.append(
                {
                    "kind": self.cleaned_data[f"kind_{i}"],
                    "title": self.cleaned_data[f"title_{i}"],
                    "question": self.cleaned_data.get(f"question_{i}") or "",
                    "weight": self.cleaned_data.get(f"weight_{i}") or 0,
                    "max_score": self.cleaned_data.get(f"max_score_{i}") or 4,
                }
            )
        return rows

    def first_weight_field(self) -> str:
        return "weight_0"


class LotsForm(GDSFormMixin, forms.Form):
    """An expression of interest's lots with their annual bid bounds, and combined limits."""

    LIMIT_ROWS = 2

    def __init__(self, *args, competition: Competition, **kwargs):
        super().__init__(*args, **kwargs)
        lots = list(competition.lots.order_by("number"))
        limits = list(competition.combined_limits.prefetch_related("lots"))
        self.lot_rows = max(len(lots) + 1, 3)
        layout = []
        for i in range(self.lot_rows):
            lot = lots[i] if i < len(lots) else None
            self.fields[f"number_{i}"] = numbers.IntegerField(
                label="Lot number",
                required=False,
                min_value=1,
                initial=lot.number if lot else None,
                widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-2"}),
            )
            self.fields[f"title_{i}"] = forms.CharField(
                label="Title", required=False, max_length=250, initial=lot.title if lot else ""
            )
            self.fields[f"description_{i}"] = forms.CharField(
                label="Description",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=lot.description if lot else "",
            )
            self.fields[f"min_{i}"] = MoneyField(
                label="Minimum annual bid (optional)", required=False, initial=lot.min_annual_bid if lot else None
            )
            self.fields[f"max_{i}"] = MoneyField(
                label="Maximum annual bid (optional)", required=False, initial=lot.max_annual_bid if lot else None
            )
            layout.append(
                Fieldset(
                    f"number_{i}",
                    f"title_{i}",
                    Field.textarea(f"description_{i}", rows=2),
                    Field.text(f"min_{i}", field_width=10),
                    Field.text(f"max_{i}", field_width=10),
                    legend=f"Lot {i + 1}",
                    legend_size=Size.SMALL,
                )
            )
        for j in range(self.LIMIT_ROWS):
            limit = limits[j] if j < len(limits) else None
            self.fields[f"limit_lots_{j}"] = forms.CharField(
                label="Lot numbers taken together",
                required=False,
                help_text="For example 1,2",
                initial=",".join(str(lot.number) for lot in limit.lots.all()) if limit else "",
            )
            self.fields[f"limit_min_{j}"] = MoneyField(
                label="Combined minimum a year (optional)", required=False, initial=limit.min_total if limit else None
            )
            self.fields[f"limit_max_{j}"] = MoneyField(
                label="Combined maximum a year (optional)", required=False, initial=limit.max_total if limit else None
            )
            layout.append(
                Fieldset(
                    Field.text(f"limit_lots_{j}", field_width=5),
                    Field.text(f"limit_min_{j}", field_width=10),
                    Field.text(f"limit_max_{j}", field_width=10),
                    legend=f"Combined limit {j + 1} (optional)",
                    legend_size=Size.SMALL,
                )
            )
        self.helper = layout_helper(*layout)

    def clean(self):
        data = super().clean()
        for i in range(self.lot_rows):
            if data.get(f"number_{i}") is not None and not (data.get(f"title_{i}") or "").strip():
                self.add_error(f"title_{i}", f"Enter the title of lot {data[f'number_{i}']}")
            if (
                (data.get(f"title_{i}") or "").strip()
                and data.get(f"number_{i}") is None
                and f"number_{i}" not in self.errors
            ):
                self.add_error(f"number_{i}", "Enter the lot's number")
        for j in range(self.LIMIT_ROWS):
            if whole_numbers(data.get(f"limit_lots_{j}"), most=99) is None:
                self.add_error(f"limit_lots_{j}", "Enter lot numbers separated by commas, for example 1,2")
        return data

    def lots(self) -> list[dict]:
        return [
            {
                "number": self.cleaned_data[f"number_{i}"],
                "title": self.cleaned_data[f"title_{i}"],
                "description": self.cleaned_data.get(f"description_{i}") or "",
                "min_annual_bid": self.cleaned_data.get(f"min_{i}"),
                "max_annual_bid": self.cleaned_data.get(f"max_{i}"),
            }
            for i in range(self.lot_rows)
            if self.cleaned_data.get(f"number_{i}") is not None
        ]

    def combined(self) -> list[dict]:
        rows = []
        for j in range(self.LIMIT_ROWS):
            text = (self.cleaned_data.get(f"limit_lots_{j}") or "").replace(" ", "")
            if not text:
                continue
            rows.append(
                {
                    "lots": whole_numbers(text, most=99) or [],
                    "min_total": self.cleaned_data.get(f"limit_min_{j}"),
                    "max_total": self.cleaned_data.get(f"limit_max_{j}"),
                }
            )
        return rows


class QuestionForm(GDSFormMixin, forms.Form):
    question = text_area(
        "Your question",
        rows=5,
        required="Enter your question",
        help_text="The answer is published to every bidder. Your organisation is not named.",
    )


class AnswerForm(GDSFormMixin, forms.Form):
    published_question = text_area(
        "The question as it will be published",
        rows=4,
        required="Enter the question as it will be published",
        help_text="Reword it if it could identify the bidder who asked.",
    )
    answer = text_area("Your answer", rows=6, required="Enter the answer")


class MoveClosingForm(GDSFormMixin, forms.Form):
    closes_date = gds_date("New closing date")
    closes_time = TimeOfDayField("New closing time")
    reason = text_area(
        "Message to bidders",
        rows=3,
        help_text="Every bidder is told of the new closing time by email. Optional for a later time; say why when "
        "you bring it forward.",
    )

    def clean(self):
        data = super().clean()
        if data.get("closes_date") and data.get("closes_time"):
            data["closes_at"] = deadline_on(data["closes_date"], data["closes_time"])
        return data


class ReasonForm(GDSFormMixin, forms.Form):
    reason = text_area("Reason", rows=4, required="Give the reason")


class NoAwardForm(GDSFormMixin, forms.Form):
    reasons = text_area(
        "Why will this lot not be awarded?",
        rows=5,
        required="Give the reasons for not awarding the lot",
        help_text="Each bidder on the lot is sent these reasons. The other lots are not affected.",
    )


class AwardForm(GDSFormMixin, forms.Form):
    tender = forms.TypedChoiceField(
        label="Winning response",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the winning response"},
    )
    reasons = text_area(
        "Reasons for the award",
        rows=5,
        required="Give the reasons for the award",
        help_text="These are shown to every bidder in their assessment summary.",
    )
    skip_standstill_reason = text_area(
        "Skip the standstill period (light-touch awards only): reason",
        rows=3,
        help_text="Leave empty to run the standstill period before the contract is created.",
    )

    def __init__(self, *args, results: list, light_touch: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tender"].choices = [
            (r.tender.pk, f"{r.tender.supplier.legal_name}: {r.total} points (ranked {r.rank})") for r in results
        ]
        first = [r.tender.pk for r in results if r.rank == 1]
        if len(first) == 1:
            self.fields["tender"].initial = first[0]
        if not light_touch:
            del self.fields["skip_standstill_reason"]


class ContractFromAwardForm(GDSFormMixin, forms.Form):
    reference = forms.CharField(
        label="Contract reference", max_length=50, error_messages={"required": "Enter the contract reference"}
    )
    start_on = gds_date("Contract start date")


class DecisionForm(GDSFormMixin, forms.Form):
    decision = radio_question(
        "Your decision",
        [("approve", "Approve the direct award and create the contract"), ("reject", "Reject it")],
        required="Select approve or reject",
    )
    note = text_area("Note or reason", rows=3, help_text="Required when you reject it.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Give the reason for rejecting the direct award")
        return data
