"""The one declare-and-score page for every kind of evaluation, and the one moderation page. Each kind's
URLs point here with the kind's name (see `frameworks/urls.py` and `contracts/award/urls.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commissioning.access import permission_required
from commissioning.forms import service_refusals_on
from commissioning.views.form_pages import simple_form_page

from . import services
from .checks import ScoresMissing
from .forms import AssignEvaluatorsForm, ConflictForm, ModerationForm, ScoringForm, scale_hints
from .kinds import EvaluationKind, Item, kind_for, kind_named

EVALUATE = "frameworks.evaluate"
MODERATE = "frameworks.moderate"


@dataclass
class Row:
    """One question on the page: its number (and anchor), what is shown beside it, and its fields."""

    number: int
    item: Item
    score_field: object
    comment_field: object
    others: list

    @property
    def anchor(self) -> str:
        return f"question-{self.number}"

    @property
    def choices(self) -> list[dict]:
        """The score's radios, numbered from 1 as the error summary links to them, each with its line of the
        scoring scale as a hint where the scale gives one."""
        hints = scale_hints(self.item.scale) if self.item.criterion.is_scored else {}
        return [
            {
                "id": f"{self.score_field.auto_id}_{number}",
                "value": option.data["value"],
                "label": option.choice_label,
                "hint": hints.get(option.data["value"], ""),
                "checked": option.data["selected"],
            }
            for number, option in enumerate(self.score_field.subwidgets, start=1)
        ]

    @property
    def has_hints(self) -> bool:
        return any(choice["hint"] for choice in self.choices)

    @property
    def done(self) -> bool:
        return self.score_field.value() not in (None, "") and bool(str(self.comment_field.value() or "").strip())

    @property
    def score_text(self) -> str:
        value = self.score_field.value()
        if value in (None, ""):
            return "none"
        return str(value).capitalize()


def _kind(name: str) -> EvaluationKind:
    try:
        return kind_named(name)
    except KeyError as exc:
        raise Http404("No such evaluation") from exc


@permission_required(EVALUATE)
def evaluate(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Declaration first (a conflict shows nothing more), then a score and a comment per question, with
    the answer and its evidence beside each."""
    kind = _kind(kind)
    assignment = get_object_or_404(kind.assignments_for(request.user), pk=pk)
    here = reverse(kind.evaluate_url, args=[assignment.pk])
    about = kind.heading(assignment)
    context = {
        "kind": kind,
        "assignment": assignment,
        "about": about,
        "caption": about.caption,
        "crumbs": [(kind.assignments_label, reverse(kind.assignments_url)), (about.bidder, None)],
        "back_url": reverse(kind.assignments_url),
    }
    if assignment.has_conflict is None:
        form = ConflictForm(request.POST or None, bidder_noun=kind.bidder_noun)
        if request.method == "POST" and form.is_valid():
            with service_refusals_on(form):
                services.declare_conflict(assignment=assignment, by=request.user, **form.cleaned_data)
                return redirect(here)
        return render(
            request, "evaluation/declare.html", context | {"form": form, "title": "Declare any conflict of interest"}
        )
    if assignment.has_conflict:
        return render(request, "evaluation/conflicted.html", context)

    subject = kind.subject_of(assignment)
    items = kind.items(subject, assignment=assignment)
    criteria = [item.criterion for item in items]
    saved = {getattr(s, f"{kind.criterion_field}_id"): s for s in assignment.scores.all()}
    form = ScoringForm(request.POST or None, criteria=criteria, scores=saved)
    if request.method == "POST" and assignment.submitted_at is None and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.save_scores(assignment=assignment, scores=form.scores(), submit=submit, by=request.user)
        except ScoresMissing as missing:
            form.add_error(None, missing)
            form.show_missing(missing.missing)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your scores have been submitted." if submit else "Your scores have been saved.")
            return redirect(here)
    others: dict[int, list] = {}
    for score in services.visible_scores(assignment):
        others.setdefault(getattr(score, f"{kind.criterion_field}_id"), []).append(score)
    rows = [
        Row(number, item, *form.fields_for(item.criterion), others.get(item.criterion.pk, []))
        for number, item in enumerate(items, start=1)
    ]
    return render(
        request,
        "evaluation/score.html",
        context
        | {
            "form": form,
            "rows": rows,
            "documents": kind.documents(subject, assignment=assignment),
            "error_links": form.error_links() if form.errors else [],
        },
    )


@permission_required(MODERATE)
def moderate(request: HttpRequest, kind: str, pk: int, criterion_pk: int | None = None) -> HttpResponse:
    """The agreed score for one criterion, beside the answer, its evidence and every evaluator's score.
    Without a criterion in the URL, the subject's only criterion (a direct award's Social Value Proposal)."""
    kind = _kind(kind)
    subject = get_object_or_404(kind.subjects_for_officer(request.user), pk=pk)
    items = kind.items(subject)
    item = next((i for i in items if criterion_pk is None or i.criterion.pk == criterion_pk), None)
    if item is None:
        raise Http404("That question is not scored by evaluators")
    criterion = item.criterion
    agreed = kind.moderated_model.objects.filter(**{kind.subject_field: subject, kind.criterion_field: criterion})
    form = ModerationForm(request.POST or None, criterion=criterion, agreed=agreed.first())
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form):
            services.moderate(
                subject=subject,
                criterion=criterion,
                score=form.cleaned_data.get("score"),
                passed=form.cleaned_data.get("passed"),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, "The agreed score has been recorded.")
            return redirect(kind.officer_url(subject))
    return render(
        request,
        "evaluation/moderate.html",
        {
            "form": form,
            "item": item,
            "caption": kind.moderation_caption(subject),
            "individual": services.submitted_scores(subject, criterion),
            "crumbs": [*kind.officer_crumbs(subject), ("Moderate", None)],
            "cancel_url": kind.officer_url(subject),
        },
    )


def assign_evaluators_page(request: HttpRequest, *, target, title: str, caption: str, crumbs, back_url: str):
    """A page that assigns evaluators to a target (a competition's responses, a direct award): the eligible
    evaluators not yet assigned, the one assignment rule, and back to the target. Called by views that
    have checked the officer's access to the target."""
    kind = kind_for(target)
    form = AssignEvaluatorsForm(
        request.POST or None, eligible=services.assignable_evaluators(target), bidder_noun=kind.bidder_noun
    )
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form):
            services.assign_evaluators(target=target, evaluators=list(form.cleaned_data["evaluators"]), by=request.user)
            messages.success(request, "The evaluators have been assigned and told by email.")
            return redirect(back_url)
    return simple_form_page(
        request,
        form,
        title=title,
        caption=caption,
        button="Assign evaluators",
        intro="Each evaluator scores independently, after declaring any conflict of interest with the "
        f"{kind.bidder_noun}.",
        crumbs=crumbs,
        cancel_url=back_url,
    )
