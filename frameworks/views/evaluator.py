"""The evaluator's home and the files of an assigned application, and the partner commissioners' home."""

from __future__ import annotations

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from commissioning import work_queues
from commissioning.access import permission_required
from commissioning.files import attachment_response

from .. import selectors
from .. import work_queues as home_queues
from ..models import (
    Answer,
    EvaluationAssignment,
)
from ..partner_selectors import shared_frameworks
from .common import EVALUATE, _accreditation_evidence, _supplier_document

# --- Evaluator -----------------------------------------------------------------------------------


@permission_required("commissioning.partner_home", read_only=True)
def partner_home(request):
    now = timezone.now()
    queues = work_queues.queues_for("partner", request.user, now)
    home_queues.record_visit(request.user, now)
    return render(
        request,
        "frameworks/partner_home.html",
        {"authority": request.user.authority, "frameworks": shared_frameworks(request.user), "queues": queues},
    )


@permission_required("frameworks.evaluator_home")
def evaluator_home(request):
    return render(
        request,
        "frameworks/evaluator/home.html",
        {
            "assignments": selectors.assignments_for_evaluator(request.user).order_by(
                F("submitted_at").asc(nulls_first=True), "assigned_at"
            ),
            "queues": work_queues.queues_for("evaluator", request.user),
        },
    )


def _own_assignment(request, pk) -> EvaluationAssignment:
    """The evaluator's own assignment, once they have declared no conflict (404 otherwise)."""
    assignment = get_object_or_404(selectors.assignments_for_evaluator(request.user), pk=pk)
    if assignment.has_conflict is not False:
        raise Http404("Declare first")
    return assignment


@permission_required(EVALUATE)
def evaluator_answer_file(request, pk, answer_pk):
    assignment = _own_assignment(request, pk)
    answer = get_object_or_404(Answer, pk=answer_pk, application=assignment.application)
    return attachment_response(answer.upload, answer.upload_name)


@permission_required(EVALUATE)
def evaluator_accreditation_file(request, pk, accreditation_pk):
    """The evidence of the applicant's accreditation, beside the question that asks for it."""
    assignment = _own_assignment(request, pk)
    return _accreditation_evidence(assignment.application, accreditation_pk)


@permission_required(EVALUATE)
def evaluator_document_file(request, pk, document_pk):
    """A policy, insurance certificate or accounts the applicant holds on the portal."""
    assignment = _own_assignment(request, pk)
    return _supplier_document(assignment.application, document_pk)
