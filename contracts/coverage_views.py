"""Coverage pages for officers and partner commissioners: the lots × areas matrix, each cell's
suppliers and contracts, and the officer's export of the matrix.

A partner reaches only frameworks shared with their authority (404 otherwise) and sees only
suppliers who consented to share their details; nobody sees contract values here.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from commissioning.access import permission_required
from commissioning.documents import request_document
from commissioning.exports import export_response
from commissioning.models import Area
from frameworks.models import Framework, Lot
from frameworks.partner_rules import can_view_coverage
from frameworks.partner_selectors import coverage_frameworks

from .coverage import CoverageResource, coverage_cell, coverage_matrix
from .framework_report import FRAMEWORK_REPORT


def _framework(request: HttpRequest, reference: str) -> Framework:
    framework = get_object_or_404(coverage_frameworks(request.user), reference=reference)
    if not can_view_coverage(request.user, framework):
        raise Http404
    return framework


def _for_authority(request: HttpRequest):
    """Partners see coverage as shared with their authority; officers see every appointee."""
    return request.user.authority_id if request.user.role == "partner" else None


@permission_required("frameworks.view_coverage", read_only=True)
def coverage_index(request: HttpRequest) -> HttpResponse:
    return render(request, "contracts/coverage/index.html", {"frameworks": coverage_frameworks(request.user)})


@permission_required("frameworks.view_coverage", read_only=True)
def matrix(request: HttpRequest, reference: str) -> HttpResponse:
    framework = _framework(request, reference)
    return render(
        request,
        "contracts/coverage/matrix.html",
        {
            "framework": framework,
            "matrix": coverage_matrix(framework, for_authority=_for_authority(request)),
            "is_partner": request.user.role == "partner",
        },
    )


@permission_required("frameworks.view_coverage", read_only=True)
def cell(request: HttpRequest, reference: str, lot_number: int, area_code: str) -> HttpResponse:
    framework = _framework(request, reference)
    lot = get_object_or_404(Lot, framework=framework, number=lot_number)
    area = get_object_or_404(Area, code=area_code)
    return render(
        request,
        "contracts/coverage/cell.html",
        {
            "framework": framework,
            "detail": coverage_cell(framework, lot, area, for_authority=_for_authority(request)),
            "is_partner": request.user.role == "partner",
        },
    )


@permission_required("frameworks.export_coverage", read_only=True)
def export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    framework = _framework(request, reference)
    cells = list(coverage_matrix(framework).cells())
    return export_response(CoverageResource(), cells, fmt, f"coverage-{slugify(framework.reference)}")


@permission_required("frameworks.export_coverage")
@require_POST
def request_framework_report(request: HttpRequest, reference: str) -> HttpResponse:
    """Queue the framework report (approved list and coverage) as a PDF, generated in the background."""
    framework = _framework(request, reference)
    document = request_document(kind=FRAMEWORK_REPORT, target=framework, by=request.user)
    return redirect("document_detail", document.pk)
