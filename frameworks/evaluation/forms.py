"""The forms of every evaluation: assigning evaluators, declaring a conflict, scoring and agreeing a score.
Scores are radios whatever the criterion (0 to its top score, or pass and fail)."""

from __future__ import annotations

import re

from django import forms
from django.db.models import QuerySet

from commissioning.forms import GDSFormMixin, text_area

from ..forms import yes_no_field
from .checks import MissingScore

PASS_FAIL = [("pass", "Pass"), ("fail", "Fail")]
SCALE_LINE = re.compile(r"^\s*(\d+)\s*[–—:=-]\s*(.+?)\s*$")


def as_pass_fail(value: bool | None) -> str | None:
    return None if value is None else ("pass" if value else "fail")


def scale_hints(scale: str) -> dict[int, str]:
    """'3 – Good: …' lines of a scoring scale, by score, to show beside each radio."""
    hints = {}
    for line in (scale or "").splitlines():
        match = SCALE_LINE.match(line)
        if match:
            hints[int(match.group(1))] = match.group(2)
    return hints


class AssignEvaluatorsForm(GDSFormMixin, forms.Form):
    evaluators = forms.ModelMultipleChoiceField(
        label="Evaluators",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one evaluator"},
    )

    def __init__(self, *args, eligible: QuerySet, bidder_noun: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].queryset = eligible
        self.fields["evaluators"].help_text = (
            "Assign at least two who have no conflict of interest. Each declares any conflict of interest with "
            f"the {bidder_noun} before seeing anything."
        )


class ConflictForm(GDSFormMixin, forms.Form):
    has_conflict = yes_no_field(
        "Do you have a conflict of interest?",
        "Select yes if you have a conflict of interest",
        help_text="For example: you work or have worked for them, sit on their board, or a close relative does.",
    )
    details = text_area("If yes, describe the conflict", rows=3)

    def __init__(self, *args, bidder_noun: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "has_conflict"
        ].label = f"Do you have a conflict of interest with this {bidder_noun} or any member of its consortium?"

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not data.get("details", "").strip():
            self.add_error("details", "Describe the conflict of interest")
        return data


def score_field(criterion, label: str, *, saved=None, required: bool, **kwargs) -> forms.TypedChoiceField:
    """Radios for a score: 0 to the criterion's top score, or pass and fail; `saved` is a score already
    given (an evaluator's or the agreed one), shown as chosen."""
    if criterion.is_scored:
        return forms.TypedChoiceField(
            label=f"{label}, from 0 to {criterion.max_score}",
            choices=[(i, str(i)) for i in range(criterion.max_score + 1)],
            coerce=int,
            initial=saved.score if saved else None,
            required=required,
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )
    return forms.TypedChoiceField(
        label=f"{label}: pass or fail",
        choices=PASS_FAIL,
        coerce=lambda value: value == "pass",
        initial=as_pass_fail(saved.passed) if saved else None,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        **kwargs,
    )


class ScoringForm(GDSFormMixin, forms.Form):
    """A score and a comment per criterion. Nothing here is required: a draft may be partial, and the
    service says what is missing when the evaluator submits."""

    def __init__(self, *args, criteria: list, scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            saved = scores.get(criterion.pk)
            self.fields[self.score_name(criterion)] = score_field(criterion, "Score", saved=saved, required=False)
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label="Comment on your score",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=saved.comment if saved else "",
            )

    @staticmethod
    def score_name(criterion) -> str:
        return f"score_{criterion.pk}" if criterion.is_scored else f"passed_{criterion.pk}"

    def scores(self) -> dict[int, dict]:
        result = {}
        for criterion in self.criteria:
            given = {"comment": self.cleaned_data.get(f"comment_{criterion.pk}", "")}
            if criterion.is_scored:
                given["score"] = self.cleaned_data.get(f"score_{criterion.pk}")
            else:
                given["passed"] = self.cleaned_data.get(f"passed_{criterion.pk}")
            result[criterion.pk] = given
        return result

    def fields_for(self, criterion) -> tuple[forms.BoundField, forms.BoundField]:
        return self[self.score_name(criterion)], self[f"comment_{criterion.pk}"]

    def show_missing(self, missing: list[MissingScore]) -> None:
        """Mark each unfinished criterion's fields in error, naming the question, for the error summary."""
        for item in missing:
            named = f"question {item.number}, ‘{item.title}’"
            if item.needs_score:
                self.add_error(self.score_name(item.criterion), f"Give a score for {named}")
            if item.needs_comment:
                self.add_error(f"comment_{item.criterion.pk}", f"Comment on your score for {named}")

    def anchor(self, name: str) -> str:
        """The id the error summary links to: the first radio of a radio group, else the field."""
        bound = self[name]
        suffix = "_1" if isinstance(bound.field.widget, forms.RadioSelect) else ""
        return f"#{bound.auto_id}{suffix}"

    def error_links(self) -> list[tuple[str, str]]:
        """(message, link) for the GOV.UK error summary: general messages link to the first field in error,
        then each field's own messages, in the order of the page."""
        in_error = [name for name in self.fields if name in self.errors]
        first = self.anchor(in_error[0]) if in_error else "#main-content"
        links = [(message, first) for message in self.non_field_errors()]
        for name in in_error:
            links += [(message, self.anchor(name)) for message in self.errors[name]]
        return links


class ModerationForm(GDSFormMixin, forms.Form):
    def __init__(self, *args, criterion, agreed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score" if criterion.is_scored else "passed"] = score_field(
            criterion,
            "Agreed score",
            saved=agreed,
            required=True,
            error_messages={"required": "Select the agreed score" if criterion.is_scored else "Select pass or fail"},
        )
        self.fields["reason"] = forms.CharField(
            label="Reason for the agreed score",
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"required": "Give the reason for the agreed score"},
            initial=agreed.reason if agreed else "",
        )
