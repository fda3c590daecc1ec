"""Forms of the award stage (GOV.UK markup via crispy-forms-gds). Each keeps what the user typed when
it is shown again with errors; the rules themselves are checked by the services, whose messages the
views put next to the field they concern and in the error summary."""

from __future__ import annotations

from datetime import time

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.db.models import Q

from commissioning.dates import deadline_on
from commissioning.forms import GDSFormMixin, whole_numbers
from commissioning.models import Area, User
from commissioning.uploads import ACCEPT_ATTRIBUTE, validate_upload
from frameworks.forms import ConflictForm as SelectionConflictForm
from frameworks.forms import yes_no_field
from frameworks.models import Lot
from suppliers.models import Supplier

from .award_models import AwardCriterion, Competition, Justification
from .forms import MoneyField, gds_date
from .models import Contract, SocialValueCommitment

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


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


def _upload_field(label: str, help_text: str = "PDF, DOCX, XLSX, ODT or CSV, up to 25MB.") -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


def _check_upload(form: forms.Form, name: str) -> None:
    upload = form.cleaned_data.get(name)
    if upload:
        try:
            validate_upload(upload)
        except forms.ValidationError as error:
            form.add_error(name, error)


# --- Officer: competitions ----------------------------------------------------------------------------


def _extension_months(text: str) -> str:
    """'12, 12' stays as typed once every option is a whole number of months, 1 to 120."""
    if whole_numbers(text, most=120) is None:
        raise forms.ValidationError("Enter extension options as months separated by commas, for example 12,12")
    return text


class CompetitionForm(GDSFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What kind of competition is it?",
        choices=Competition.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of competition"},
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
    description = forms.CharField(
        label="What is being bought", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
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
    term_months = forms.IntegerField(
        label="Initial term, in months",
        min_value=1,
        max_value=240,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
        error_messages={"required": "Enter the initial term in months", "invalid": "Enter the term in whole months"},
    )
    extension_months = forms.CharField(
        label="Extension options, in months (optional)",
        required=False,
        help_text="Separated by commas: 12,12 for two one-year options.",
    )
    interviews = forms.CharField(
        label="Interviews and visits (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say whether shortlisted bidders will be interviewed or visited, and when.",
    )
    is_light_touch = forms.BooleanField(
        label="This is a light-touch award: the standstill period may be skipped with a recorded reason",
        required=False,
        initial=True,
    )
    requires_budget_template = forms.BooleanField(
        label="Bidders must upload a completed budget template", required=False
    )
    clarification_date = gds_date("Deadline for clarification questions")
    clarification_time = TimeOfDayField("Time of the clarification deadline")
    closes_date = gds_date("Closing date")
    closes_time = TimeOfDayField("Closing time")
    specification = _upload_field("Specification document (optional)")

    def __init__(self, *args, officer: User, competition: Competition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = competition is None
        lots = Lot.objects.select_related("framework").order_by("framework__title", "number")
        if not officer.is_superuser:
            lots = lots.filter(
                Q(framework__lead_authority=officer.authority_id)
                | Q(framework__partner_authorities=officer.authority_id)
            ).distinct()
        self.fields["framework_lot"].queryset = lots
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
        self.helper = _helper(*layout)

    def clean_extension_months(self):
        return _extension_months(self.cleaned_data.get("extension_months"))

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
        _check_upload(self, "specification")
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
            self.fields[f"weight_{i}"] = forms.IntegerField(
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
            self.fields[f"max_score_{i}"] = forms.IntegerField(
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
        self.helper = _helper(*layout)

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
            self.fields[f"number_{i}"] = forms.IntegerField(
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
        self.helper = _helper(*layout)

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
    question = forms.CharField(
        label="Your question",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The answer is published to every bidder. Your organisation is not named.",
        error_messages={"required": "Enter your question"},
    )


class AnswerForm(GDSFormMixin, forms.Form):
    published_question = forms.CharField(
        label="The question as it will be published",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Reword it if it could identify the bidder who asked.",
        error_messages={"required": "Enter the question as it will be published"},
    )
    answer = forms.CharField(
        label="Your answer", widget=forms.Textarea(attrs={"rows": 6}), error_messages={"required": "Enter the answer"}
    )


class MoveClosingForm(GDSFormMixin, forms.Form):
    closes_date = gds_date("New closing date")
    closes_time = TimeOfDayField("New closing time")
    reason = forms.CharField(
        label="Message to bidders (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Every bidder is told of the new closing time by email.",
    )

    def clean(self):
        data = super().clean()
        if data.get("closes_date") and data.get("closes_time"):
            data["closes_at"] = deadline_on(data["closes_date"], data["closes_time"])
        return data


class ReasonForm(GDSFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "Give the reason"}
    )


class NoAwardForm(GDSFormMixin, forms.Form):
    reasons = forms.CharField(
        label="Why will this lot not be awarded?",
        help_text="Each bidder on the lot is sent these reasons. The other lots are not affected.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reasons for not awarding the lot"},
    )


class AssignEvaluatorsForm(GDSFormMixin, forms.Form):
    evaluators = forms.ModelMultipleChoiceField(
        label="Evaluators",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Assign at least two. Each declares any conflict of interest with the bidder before seeing anything.",
        error_messages={"required": "Select at least one evaluator"},
    )

    def __init__(self, *args, authority_id: int | None, exclude: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(role__in=[User.Role.EVALUATOR, User.Role.OFFICER], is_active=True)
        if authority_id:
            qs = qs.filter(authority=authority_id)
        self.fields["evaluators"].queryset = qs.exclude(pk__in=list(exclude)).order_by("full_name")


class ConflictForm(SelectionConflictForm):
    """The selection stage's declaration, worded for a bidder."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "has_conflict"
        ].label = "Do you have a conflict of interest with this bidder or any member of its consortium?"


class AwardForm(GDSFormMixin, forms.Form):
    tender = forms.TypedChoiceField(
        label="Winning response",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the winning response"},
    )
    reasons = forms.CharField(
        label="Reasons for the award",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="These are shown to every bidder in their assessment summary.",
        error_messages={"required": "Give the reasons for the award"},
    )
    skip_standstill_reason = forms.CharField(
        label="Skip the standstill period (light-touch awards only): reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
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
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve the direct award and create the contract"), ("reject", "Reject it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select approve or reject"},
    )
    note = forms.CharField(
        label="Note or reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you reject it.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Give the reason for rejecting the direct award")
        return data


# --- Social value commitments, shared by responses and direct awards -----------------------------------

COMMITMENT_ROWS = 3


def add_commitment_fields(form: forms.Form, existing: list, layout: list) -> None:
    for i in range(COMMITMENT_ROWS):
        c = existing[i] if i < len(existing) else None
        form.fields[f"commitment_{i}_theme"] = forms.ChoiceField(
            label="Theme",
            required=False,
            choices=[("", "Select a theme")] + list(SocialValueCommitment.Theme.choices),
            initial=c.theme if c else "",
        )
        form.fields[f"commitment_{i}_measure"] = forms.CharField(
            label="Measure",
            required=False,
            max_length=250,
            initial=c.measure if c else "",
            help_text="For example: local people employed, volunteering hours.",
        )
        form.fields[f"commitment_{i}_unit"] = forms.CharField(
            label="Unit",
            required=False,
            max_length=50,
            initial=c.unit if c else "",
            help_text="For example: people, hours, £.",
        )
        form.fields[f"commitment_{i}_target"] = forms.DecimalField(
            label="Target",
            required=False,
            min_value=0,
            max_digits=12,
            decimal_places=2,
            initial=c.target if c else None,
            widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}),
            error_messages={"invalid": "Enter the target as a number"},
        )
        form.fields[f"commitment_{i}_due_on"] = gds_date("Due date", required=False)
        if c:
            form.fields[f"commitment_{i}_due_on"].initial = c.due_on
        layout.append(
            Fieldset(
                Field.select(f"commitment_{i}_theme"),
                f"commitment_{i}_measure",
                Field.text(f"commitment_{i}_unit", field_width=10),
                f"commitment_{i}_target",
                f"commitment_{i}_due_on",
                legend=f"Commitment {i + 1}",
                legend_size=Size.SMALL,
            )
        )


def clean_commitments(form: forms.Form) -> list[dict]:
    data = form.cleaned_data
    rows = []
    for i in range(COMMITMENT_ROWS):
        names = [f"commitment_{i}_{part}" for part in ("theme", "measure", "unit", "target", "due_on")]
        values = [data.get(name) for name in names]
        if not any(v not in (None, "") for v in values) and not any(name in form.errors for name in names):
            continue
        labels = {"theme": "theme", "measure": "measure", "unit": "unit", "target": "target", "due_on": "due date"}
        for name, value in zip(names, values, strict=True):
            part = name.rsplit("_", 1)[-1] if not name.endswith("due_on") else "due_on"
            if value in (None, "") and name not in form.errors:
                form.add_error(name, f"Enter the {labels[part]} of commitment {i + 1}")
        if all(v not in (None, "") for v in values):
            rows.append(dict(zip(("theme", "measure", "unit", "target", "due_on"), values, strict=True)))
    return rows


# --- Providers: a response ---------------------------------------------------------------------------


class TenderForm(GDSFormMixin, forms.Form):
    """One lot's response on one page: price, answers, consortium, Social Value Proposal, documents.
    Saving keeps a draft on the server whatever is missing; submitting checks it is complete."""

    MEMBER_ROWS = 3

    def __init__(self, *args, tender, criteria: list[AwardCriterion], social_value: bool, **kwargs):
        super().__init__(*args, **kwargs)
        competition = tender.competition
        lot = tender.lot
        bounds = []
        if lot.min_annual_bid is not None:
            bounds.append(f"at least £{lot.min_annual_bid:,.2f}")
        if lot.max_annual_bid is not None:
            bounds.append(f"no more than £{lot.max_annual_bid:,.2f}")
        self.fields["annual_price"] = MoneyField(
            label="Your annual price (bid value), in pounds excluding VAT",
            required=False,
            initial=tender.annual_price,
            help_text=(
                f"For {lot}: {' and '.join(bounds)} a year." if bounds else "The price for one year of the service."
            ),
        )
        layout: list = [Fieldset(Field.text("annual_price", field_width=10), legend="Price", legend_size=Size.MEDIUM)]
        answers = {a.criterion_id: a.text for a in tender.answers.all()}
        answer_fields = []
        for criterion in criteria:
            help_parts = [f"Weight {criterion.weight}%."]
            if criterion.word_limit:
                help_parts.append(f"Up to {criterion.word_limit} words.")
            self.fields[f"answer_{criterion.pk}"] = forms.CharField(
                label=criterion.question or criterion.title,
                required=False,
                help_text=" ".join(help_parts),
                widget=forms.Textarea(attrs={"rows": 8}),
                initial=answers.get(criterion.pk, ""),
            )
            answer_fields.append(Field.textarea(f"answer_{criterion.pk}", rows=8))
        if answer_fields:
            layout.append(Fieldset(*answer_fields, legend="Your answers", legend_size=Size.MEDIUM))
        self.fields["is_consortium"] = yes_no_field(
            "Are you bidding as the lead of a consortium?",
            "Select yes if you are bidding as the lead of a consortium",
            help_text="Your organisation signs the contract and is responsible for its members.",
        )
        self.fields["is_consortium"].required = False
        self.fields["is_consortium"].initial = (
            None if tender.is_consortium is None else ("yes" if tender.is_consortium else "no")
        )
        members = list(tender.consortium_members.all())
        member_fields = [Field.radios("is_consortium", legend_size=Size.SMALL, inline=True)]
        for i in range(self.MEMBER_ROWS):
            m = members[i] if i < len(members) else None
            self.fields[f"member_{i}_name"] = forms.CharField(
                label=f"Member {i + 1}: organisation name", required=False, initial=m.name if m else ""
            )
            self.fields[f"member_{i}_number"] = forms.CharField(
                label=f"Member {i + 1}: charity or company number",
                required=False,
                initial=m.registration_number if m else "",
            )
            self.fields[f"member_{i}_role"] = forms.CharField(
                label=f"Member {i + 1}: what they will deliver", required=False, initial=m.role if m else ""
            )
            member_fields += [f"member_{i}_name", Field.text(f"member_{i}_number", field_width=10), f"member_{i}_role"]
        layout.append(Fieldset(*member_fields, legend="Consortium", legend_size=Size.MEDIUM))
        self.social_value = social_value
        if social_value:
            self.fields["social_value_summary"] = forms.CharField(
                label="Your Social Value Proposal",
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=tender.social_value_summary,
                help_text="What you will add for the community, beyond the service itself. It is scored and moderated, "
                "and its commitments become part of the contract.",
            )
            sv_layout: list = [Field.textarea("social_value_summary", rows=6)]
            add_commitment_fields(self, list(tender.commitments.all()), sv_layout)
            layout.append(Fieldset(*sv_layout, legend="Social value", legend_size=Size.MEDIUM))
        documents = {d.kind: d for d in tender.documents.filter(replaced_at__isnull=True)}
        doc_fields = []
        if competition.requires_budget_template:
            current = f" Uploaded: {documents['budget'].name}." if "budget" in documents else ""
            self.fields["budget"] = _upload_field(
                "Completed budget template", f"An XLSX, CSV, ODT, DOCX or PDF, up to 25MB.{current}"
            )
            doc_fields.append("budget")
        current = f" Uploaded: {documents['supporting'].name}." if "supporting" in documents else ""
        self.fields["supporting"] = _upload_field(
            "Supporting document (optional)", f"PDF, DOCX, XLSX, ODT or CSV, up to 25MB.{current}"
        )
        doc_fields.append("supporting")
        layout.append(Fieldset(*doc_fields, legend="Documents", legend_size=Size.MEDIUM))
        self.helper = _helper(*layout)
        self.criteria = criteria

    def clean(self):
        data = super().clean()
        for i in range(self.MEMBER_ROWS):
            if (data.get(f"member_{i}_name") or "").strip() and not (data.get(f"member_{i}_role") or "").strip():
                self.add_error(f"member_{i}_role", f"Enter what member {i + 1} will deliver")
            if (data.get(f"member_{i}_role") or "").strip() and not (data.get(f"member_{i}_name") or "").strip():
                self.add_error(f"member_{i}_name", f"Enter the name of member {i + 1}")
        data["commitments"] = clean_commitments(self) if self.social_value else None
        for name in ("budget", "supporting"):
            if name in self.fields:
                _check_upload(self, name)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        consortium = data.get("is_consortium")
        kwargs = {
            "annual_price": data.get("annual_price"),
            "answers": {c.pk: data.get(f"answer_{c.pk}", "") for c in self.criteria},
            "is_consortium": consortium if isinstance(consortium, bool) else None,
            "members": [
                {
                    "name": data.get(f"member_{i}_name", ""),
                    "registration_number": data.get(f"member_{i}_number", ""),
                    "role": data.get(f"member_{i}_role", ""),
                }
                for i in range(self.MEMBER_ROWS)
            ],
            "uploads": {name: data.get(name) for name in ("budget", "supporting") if data.get(name)},
        }
        if self.social_value:
            kwargs["social_value_summary"] = data.get("social_value_summary", "")
            kwargs["commitments"] = data.get("commitments") or []
        return kwargs


# --- Direct awards -----------------------------------------------------------------------------------


class DirectAwardForm(GDSFormMixin, forms.Form):
    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Also the reference of the contract it creates.",
        error_messages={"required": "Enter a reference"},
    )
    title = forms.CharField(label="Service", max_length=250, error_messages={"required": "Enter the service"})
    scope = forms.CharField(
        label="Scope of the service (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
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
    term_months = forms.IntegerField(
        label="Initial term, in months",
        min_value=1,
        max_value=240,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
        error_messages={"required": "Enter the initial term in months"},
    )
    extension_months = forms.CharField(
        label="Extension options, in months (optional)", required=False, help_text="For example 12,12"
    )
    justification = forms.ChoiceField(
        label="Justification for a direct award",
        choices=Justification.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the justification for a direct award"},
    )
    explanation = forms.CharField(
        label="Why the justification applies",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Explain why the justification applies"},
    )
    social_value_summary = forms.CharField(
        label="The supplier's Social Value Proposal",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when the total value is over £100,000 (excluding VAT); it is scored and moderated "
        "before approval.",
    )

    def __init__(self, *args, officer: User, **kwargs):
        super().__init__(*args, **kwargs)
        lots = Lot.objects.select_related("framework").order_by("framework__title", "number")
        if not officer.is_superuser:
            lots = lots.filter(
                Q(framework__lead_authority=officer.authority_id)
                | Q(framework__partner_authorities=officer.authority_id)
            ).distinct()
        self.fields["framework_lot"].queryset = lots
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
        self.helper = _helper(*layout)

    def clean_extension_months(self):
        return _extension_months(self.cleaned_data.get("extension_months"))

    def clean(self):
        data = super().clean()
        data["commitments"] = clean_commitments(self)
        if data.get("justification") == Justification.FRAMEWORK_NO_COMPETITION and not data.get("framework_lot"):
            self.add_error(
                "framework_lot", "A call-off without competition under section 45(4) names the framework lot"
            )
        return data


__all__ = [
    "AnswerForm",
    "AssignEvaluatorsForm",
    "AwardForm",
    "CompetitionForm",
    "ConflictForm",
    "ContractFromAwardForm",
    "CriteriaForm",
    "DecisionForm",
    "DirectAwardForm",
    "LotsForm",
    "MoveClosingForm",
    "QuestionForm",
    "ReasonForm",
    "TenderForm",
]
