"""Evaluators' pages of the award stage: their list of responses and direct awards to score, and a
response's documents. Declaring and scoring is the one page of `frameworks.evaluation.views`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from commissioning.access import permission_required
from commissioning.files import attachment_response
from contracts.award import selectors
from contracts.award.models import TenderDocument
from contracts.award.sealing import open_file

from .common import EVALUATE, T


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


@permission_required(EVALUATE)
def evaluator_tender_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    assignment = get_object_or_404(selectors.tender_assignments_for_evaluator(request.user), pk=pk)
    if assignment.has_conflict is not False:
        raise Http404("Declare first")
    document = get_object_or_404(TenderDocument, pk=document_pk, tender=assignment.tender, replaced_at__isnull=True)
    return attachment_response(document.file, document.name, transform=open_file)
