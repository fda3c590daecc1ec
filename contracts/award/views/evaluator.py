"""Evaluators' pages: their award assignments, the declaration of conflicts and scoring of tenders and
direct awards."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commissioning.access import permission_required
from commissioning.files import attachment_response
from commissioning.forms import add_service_errors
from contracts.award import selectors, services
from contracts.award.forms import (
    ConflictForm,
)
from contracts.award.models import (
    TenderDocument,
)
from frameworks.forms import ScoringForm

from .common import EVALUATE, T

# --- Evaluators ----------------------------------------------------------------------------------------


@permission_required(EVALUATE)
def evaluator_assignments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        T + "evaluator/assignments.html",
        {
            "tender_assignments": selectors.tender_assignments_for_evaluator(request.user).order_by(
                "tender__competition__reference", "tender__lot__number", "tender__pk"
            ),
            "direct_assignments": selectors.direct_award_assignments_for_evaluator(request.user),
        },
    )


def _evaluate(
    request,
    *,
    assignment,
    bidder,
    caption,
    criteria,
    rows_for,
    declare,
    save,
    others,
    back_url,
    members=(),
    documents=(),
):
    """Declaration first (a conflict blocks all content), then independent marks: shared by responses
    and direct awards."""
    crumbs = [("Award evaluations", reverse("awards:evaluator_assignments")), (bidder, None)]
    if assignment.has_conflict is None:
        form = ConflictForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                declare(assignment=assignment, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(back_url)
        return render(
            request,
            T + "evaluator/declare.html",
            {
                "form": form,
                "bidder": bidder,
                "caption": caption,
                "members": members,
                "crumbs": crumbs,
                "title": "Declare any conflict of interest",
            },
        )
    if assignment.has_conflict:
        return render(request, T + "evaluator/conflicted.html", {"bidder": bidder, "crumbs": crumbs})
    scores = {s.criterion_id: s for s in assignment.scores.all()}
    form = ScoringForm(request.POST or None, questions=criteria, scores=scores)
    if request.method == "POST" and assignment.submitted_at is None and form.is_valid():
        submit = "submit" in request.POST
        try:
            save(assignment=assignment, marks=form.marks(), submit=submit, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your scores have been submitted." if submit else "Your scores have been saved.")
            return redirect(back_url)
    other_scores = {}
    for score in others(assignment):
        other_scores.setdefault(score.criterion_id, []).append(score)
    rows = [(c, *rows_for(c), *form.fields_for(c), other_scores.get(c.pk, [])) for c in criteria]
    return render(
        request,
        T + "evaluator/score.html",
        {
            "form": form,
            "assignment": assignment,
            "bidder": bidder,
            "caption": caption,
            "rows": rows,
            "crumbs": crumbs,
            "members": members,
            "documents": documents,
        },
    )


@permission_required(EVALUATE)
def evaluate_tender(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(selectors.tender_assignments_for_evaluator(request.user), pk=pk)
    tender = assignment.tender
    competition = tender.competition
    criteria = selectors.scored_criteria(competition)
    answers = {a.criterion_id: a.text for a in tender.answers.all()} if assignment.has_conflict is False else {}
    commitments = list(tender.commitments.all()) if assignment.has_conflict is False else []
    documents = list(tender.documents.filter(replaced_at__isnull=True)) if assignment.has_conflict is False else []

    def rows_for(criterion):
        if criterion.is_social_value:
            return (tender.social_value_summary, commitments)
        return (answers.get(criterion.pk, ""), [])

    return _evaluate(
        request,
        assignment=assignment,
        bidder=tender.supplier.legal_name,
        caption=f"{competition.reference}, {tender.lot}",
        criteria=criteria,
        rows_for=rows_for,
        declare=services.declare_tender_conflict,
        save=services.save_tender_scores,
        others=selectors.visible_tender_scores,
        back_url=reverse("awards:evaluate_tender", args=[assignment.pk]),
        members=list(tender.consortium_members.all()),
        documents=documents,
    )


@permission_required(EVALUATE)
def evaluator_tender_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    assignment = get_object_or_404(selectors.tender_assignments_for_evaluator(request.user), pk=pk)
    if assignment.has_conflict is not False:
        raise Http404("Declare first")
    document = get_object_or_404(TenderDocument, pk=document_pk, tender=assignment.tender, replaced_at__isnull=True)
    return attachment_response(document.file, document.name)


@permission_required(EVALUATE)
def evaluate_direct_award(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(selectors.direct_award_assignments_for_evaluator(request.user), pk=pk)
    direct_award = assignment.direct_award
    criteria = list(direct_award.criteria.all())
    commitments = list(direct_award.commitments.all()) if assignment.has_conflict is False else []
    return _evaluate(
        request,
        assignment=assignment,
        bidder=direct_award.supplier.legal_name,
        caption=f"Direct award {direct_award.reference}: {direct_award.title}",
        criteria=criteria,
        rows_for=lambda criterion: (direct_award.social_value_summary, commitments),
        declare=services.declare_direct_award_conflict,
        save=services.save_direct_award_scores,
        others=selectors.visible_direct_award_scores,
        back_url=reverse("awards:evaluate_direct_award", args=[assignment.pk]),
    )
