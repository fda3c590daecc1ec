"""Forms of performance monitoring. Each keeps what the user typed when it is shown again with errors.

The return form's figures are checked by `figures.check_figures`, the same rules the spreadsheet upload
uses; its fields are rendered by the page's own template, grouped by RBA question.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from commissioning import numbers
from commissioning.forms import (
    GDSFormMixin,
    SelectFiltersMixin,
    choice_filter,
    offer_choices,
    radio_question,
    text_area,
)
from commissioning.uploads import ACCEPT_ATTRIBUTE, RETURN_SPREADSHEET, GatedFileField

from . import figures as checks
from .models import ContractIndicator, Unit

NUMBER_ATTRS = {"class": "govuk-input govuk-input--width-5", "spellcheck": "false", "autocomplete": "off"}


def _number_input(*, whole: bool) -> forms.TextInput:
    return forms.TextInput(attrs={**NUMBER_ATTRS, "inputmode": "numeric" if whole else "decimal"})


def _narrative(label: str, help_text: str, *, rows: int = 4) -> forms.CharField:
    """One of a return's optional written answers: a GOV.UK text area of `rows` lines."""
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "class": "govuk-textarea"}),
    )


class ReturnForm(forms.Form):
    """Figures, breakdowns, narrative and a supporting document for one return.

    `submitting` adds the checks of submission: every figure, every breakdown adding up to its total,
    and the achievements.
    """

    achievements = _narrative("Achievements", "What went well this quarter, and progress against the outcomes.", rows=5)
    challenges = _narrative("Challenges", "What made delivery harder, such as demand, waiting lists or staffing.")
    risks = _narrative("Risks", "Risks to the service in the coming quarters, and what you are doing about them.")
    emerging_themes = _narrative(
        "Emerging themes", "Changes in need or demand you are seeing, for the commissioner to know about."
    )
    case_study = _narrative(
        "Case study",
        "An anonymised account of the difference the service made. Change or leave out any detail "
        "that could identify the person.",
        rows=6,
    )
    document = GatedFileField(
        label="Supporting document (optional)",
        required=False,
        help_text="PDF, DOCX, XLSX, ODT or CSV, up to 25MB. Aggregate information only.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "class": "govuk-file-upload"}),
    )

    NARRATIVE = ("achievements", "challenges", "risks", "emerging_themes", "case_study")

    def __init__(
        self,
        *args,
        indicators: list[ContractIndicator],
        areas: list,
        submitting: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.areas = areas
        self.submitting = submitting
        self.figures: dict[int, checks.Figure] = {}
        self.group_messages: dict[str, list[str]] = {}
        for indicator in indicators:
            if indicator.is_fraction:
                self.fields[checks.numerator_key(indicator)] = forms.CharField(
                    label=indicator.numerator_label, required=False, widget=_number_input(whole=True)
                )
                self.fields[checks.denominator_key(indicator)] = forms.CharField(
                    label=indicator.denominator_label, required=False, widget=_number_input(whole=True)
                )
            else:
                suffix = {Unit.PERCENTAGE: " (%)", Unit.DAYS: " (days)", Unit.MONEY: " (£)"}.get(indicator.unit, "")
                self.fields[checks.value_key(indicator)] = forms.CharField(
                    label=f"{indicator.name}{suffix}",
                    required=False,
                    help_text=indicator.guidance,
                    widget=_number_input(whole=indicator.unit == Unit.COUNT),
                )
            for breakdown in indicator.breakdown_list:
                for code, label in checks.categories(breakdown.key, areas):
                    self.fields[checks.category_key(indicator, breakdown.key, code)] = forms.CharField(
                        label=label, required=False, widget=_number_input(whole=True)
                    )

    # Layout helpers for the template ------------------------------------------------------------------

    def entry(self, name: str, exclude: Iterable[str] = ()) -> dict:
        """One field as the page shows it, worked out once here rather than through the bound field in the
        template (a return has dozens of fields, and that was most of the cost of the page): its id, name,
        label and value as typed or saved, and its errors, each with the id of the element that shows it
        (the first `<id>-error`, then `<id>-error-2` and so on)."""
        bound = self[name]
        errors = [e for e in bound.errors if e not in exclude]
        field_id = bound.id_for_label
        value = bound.value()
        return {
            "id": field_id,
            "name": bound.html_name,
            "label": bound.label,
            "help_text": bound.help_text,
            "value": "" if value is None else value,
            "inputmode": bound.field.widget.attrs.get("inputmode") or "numeric",
            "errors": errors,
            "error_ids": [
                (f"{field_id}-error-{n}" if n > 1 else f"{field_id}-error", e) for n, e in enumerate(errors, 1)
            ],
        }

    def narrative_entries(self) -> dict[str, dict]:
        return {name: self.entry(name) for name in self.NARRATIVE}

    def indicator_parts(self, indicator: ContractIndicator) -> dict:
        """The indicator's fields for the template (see `entry`), each with the errors shown beside it; a
        breakdown's own error (it does not add up) is shown on its fieldset instead."""
        entry = self.entry
        hint = indicator.guidance.strip()
        if indicator.target is not None and not indicator.target_due_on:
            hint = f"{hint} Target: {indicator.format_value(indicator.target)}.".strip()
        parts = {"indicator": indicator, "hint": hint}
        if indicator.is_fraction:
            parts["numerator"] = entry(checks.numerator_key(indicator))
            parts["denominator"] = entry(checks.denominator_key(indicator))
        else:
            parts["value"] = entry(checks.value_key(indicator))
        parts["breakdowns"] = []
        for breakdown in indicator.breakdown_list:
            key = checks.breakdown_key(indicator, breakdown.key)
            group = self.group_messages.get(key, [])
            names = [
                checks.category_key(indicator, breakdown.key, code)
                for code, _label in checks.categories(breakdown.key, self.areas)
            ]
            parts["breakdowns"].append(
                {
                    "label": breakdown.label,
                    "key": key,
                    "errors": group,
                    "fields": [entry(name, group) for name in names],
                }
            )
        return parts

    def raw(self) -> dict[str, str]:
        source = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {name: source.get(name, "") for name in self.fields if name[0] in "vb" and name[1:2].isdigit()}

    def narrative(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.NARRATIVE}

    # Checks ----------------------------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        self.figures, errors = checks.check_figures(
            self.indicators, self.raw(), areas=self.areas, complete=self.submitting
        )
        if self.submitting and not (data.get("achievements") or "").strip():
            errors.append(checks.FigureError("achievements", "Enter your achievements this quarter"))
        for error in errors:
            self.add_figure_error(error)
        return data

    def field_for(self, key: str) -> str | None:
        """The form field an error key belongs to: a breakdown's own error goes on its first category."""
        if key in self.fields:
            return key
        if key == NON_FIELD_ERRORS:
            return None
        for name in self.fields:
            if name.startswith(f"{key}_"):
                return name
        return None

    def add_figure_error(self, error: checks.FigureError) -> None:
        field = self.field_for(error.key)
        if field is not None and field != error.key:
            self.group_messages.setdefault(error.key, []).append(error.message)
        if field is not None and field in self.errors and error.message in self.errors[field]:
            return
        self.add_error(field, error.message)


class DecisionForm(GDSFormMixin, forms.Form):
    decision = radio_question(
        "Your decision",
        [("accept", "Accept the return"), ("return", "Return it for amendment")],
        required="Select whether to accept the return or return it for amendment",
    )
    comments = text_area(
        "Comments for the provider",
        rows=5,
        help_text="Required when you return it: say what needs to change. Do not include anything that could "
        "identify a victim.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comments") or "").strip():
            self.add_error("comments", "Enter what the provider needs to amend")
        return data


class SpreadsheetForm(GDSFormMixin, forms.Form):
    spreadsheet = GatedFileField(
        kind=RETURN_SPREADSHEET,
        label="Upload your completed spreadsheet",
        help_text="The Excel file (.xlsx) you downloaded for this return, filled in.",
        error_messages={"required": "Select the spreadsheet to upload"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _decimal_or_none(data: dict, name: str, message: str) -> Decimal | None:
    """The figure typed in field `name`, None when blank; not a number: an error on that field."""
    try:
        return numbers.parse_number(data.get(name, ""), pounds=True, percent=True)
    except numbers.NotANumber:
        raise forms.ValidationError({name: message}) from None


class TargetsForm(forms.Form):
    """A target and an amber margin for each of the contract's indicators."""

    def __init__(self, *args, indicators: list[ContractIndicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"target_{indicator.pk}"] = forms.CharField(
                label=f"Target for {indicator.name}",
                required=False,
                initial="" if indicator.target is None else f"{indicator.target.normalize():f}",
                widget=_number_input(whole=False),
            )
            self.fields[f"margin_{indicator.pk}"] = forms.CharField(
                label=f"Amber margin for {indicator.name}",
                required=False,
                initial=f"{indicator.amber_margin.normalize():f}",
                widget=_number_input(whole=False),
            )

    def clean(self):
        data = super().clean()
        self.targets: dict[int, tuple[Decimal | None, Decimal]] = {}
        for indicator in self.indicators:
            target_name, margin_name = f"target_{indicator.pk}", f"margin_{indicator.pk}"
            try:
                target = _decimal_or_none(data, target_name, f"The target for {indicator.name} must be a number")
                margin = _decimal_or_none(data, margin_name, f"The amber margin for {indicator.name} must be a number")
            except forms.ValidationError as error:
                self.add_error(None, error)  # on the field it names
                continue
            if target is not None and target < 0:
                self.add_error(target_name, f"The target for {indicator.name} cannot be negative")
                continue
            if indicator.unit == Unit.PERCENTAGE and target is not None and target > 100:
                self.add_error(target_name, f"The target for {indicator.name} must be between 0 and 100")
                continue
            if margin is not None and margin < 0:
                self.add_error(margin_name, f"The amber margin for {indicator.name} must be 0 or more")
                continue
            self.targets[indicator.pk] = (target, margin if margin is not None else Decimal("0"))
        return data

    def rows(self):
        return [(i, self[f"target_{i.pk}"], self[f"margin_{i.pk}"]) for i in self.indicators]


class ChoiceFilterForm(SelectFiltersMixin, forms.Form):
    """Select boxes built from (value, label) choices, for GET filters."""

    def __init__(self, *args, choices: dict[str, list[tuple[str, str]]], labels: dict[str, str], hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in choices.items():
            self.fields[name] = choice_filter(labels.get(name, name), options)
            self.fields[name].help_text = (hints or {}).get(name, "")

    def value(self, name: str) -> str:
        """The field's value if it is one of its choices: a value not in the list is reported by its field
        and ignored, and the other fields still apply."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return self.cleaned_data.get(name) or ""


class ContractReportForm(GDSFormMixin, forms.Form):
    contract = forms.ChoiceField(label="Contract", error_messages={"required": "Select a contract"})
    period = forms.ChoiceField(
        label="Quarter or financial year", error_messages={"required": "Select a quarter or a financial year"}
    )

    def __init__(self, *args, contracts: list[tuple[str, str]], periods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        offer_choices(self.fields["contract"], "contract", contracts)
        offer_choices(self.fields["period"], "period", periods)


class LotSummaryForm(GDSFormMixin, forms.Form):
    lot = forms.ChoiceField(label="Lot", error_messages={"required": "Select a lot"})
    quarter = forms.ChoiceField(label="Quarter", error_messages={"required": "Select a quarter"})

    def __init__(self, *args, lots: list[tuple[str, str]], quarters: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        offer_choices(self.fields["lot"], "lot", lots)
        offer_choices(self.fields["quarter"], "quarter", quarters)
