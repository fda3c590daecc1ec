"""Officers' notice pages: the notices still to publish (overdue first), the overdue list, each notice's
readable preview with its release and schema check, its PDF, and recording its publication. Thin: check
access, validate the form, call one service, redirect; every notice comes through a scoped selector."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commissioning.access import permission_required
from commissioning.dates import long_date
from commissioning.documents import request_document
from commissioning.pagination import paginate
from commissioning.views.service_forms import service_form_page
from contracts.opendata.releases import build_release

from . import selectors, services
from .forms import PublishNoticeForm
from .preview import readable
from .reports import NOTICE_PREVIEW

NOTICES = "contracts.manage_notices"
T = "contracts/notices/"


def _crumbs(*items):
    return [("Notices", reverse("notices:officer_notices")), *items]


def _notice(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.notices_for_officer(request.user), pk=pk)


@permission_required(NOTICES, read_only=True)
def officer_notices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = paginate(request, selectors.outstanding_for_officer(request.user))
    return render(
        request,
        T + "notices.html",
        {"notices": page, "today": today, "overdue": selectors.overdue_for_officer(request.user, today).count()},
    )


@permission_required(NOTICES, read_only=True)
def overdue_notices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = paginate(request, selectors.overdue_for_officer(request.user, today))
    return render(request, T + "overdue.html", {"notices": page, "today": today})


@permission_required(NOTICES)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    release = notice.content if notice.is_published else build_release(notice)
    return render(
        request,
        T + "notice.html",
        {
            "notice": notice,
            "sections": readable(release),
            "release_json": json.dumps(release, indent=2, ensure_ascii=False),
            "overdue": notice.is_overdue(timezone.localdate()),
            "crumbs": _crumbs((notice.get_notice_type_display(), None)),
        },
    )


@permission_required(NOTICES)
@require_POST
def validate_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    try:
        notice = services.validate_notice(notice=notice, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if notice.errors:
            messages.error(request, "The notice does not validate against the OCDS schema yet: see the problems below.")
        else:
            messages.success(request, "The notice validates against the OCDS schema.")
    return redirect("notices:notice", notice.pk)


@permission_required(NOTICES)
@require_POST
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    document = request_document(kind=NOTICE_PREVIEW, target=notice, by=request.user)
    return redirect("document_detail", document.pk)


@permission_required(NOTICES)
def publish_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    form = PublishNoticeForm(request.POST or None)

    def publish(data: dict) -> str:
        services.publish_notice(notice=notice, by=request.user, **data)
        notice.refresh_from_db()
        text = f"{notice.get_notice_type_display()} recorded as published on Find a Tender."
        target = notice.target
        if getattr(target, "standstill_ends_on", None):
            ends = target.standstill_ends_on
            text += f" The standstill period runs to the end of {ends:%A} {long_date(ends)}."
        return text

    back = reverse("notices:notice", args=[notice.pk])
    return service_form_page(
        request,
        form,
        publish,
        back=back,
        title="Record the notice as published",
        caption=notice.title,
        button="Record as published",
        intro="Publish the notice on Find a Tender first, then record its notice number and publication date here. "
        "The notice is checked against the OCDS schema before it is recorded."
        + (
            " The standstill period begins on the publication day."
            if notice.notice_type == "UK6" and hasattr(notice.target, "standstill_ends_on")
            else ""
        ),
        crumbs=_crumbs((notice.get_notice_type_display(), back), ("Record as published", None)),
    )
