"""Providers' pages: invitations and open opportunities, clarification questions, and their own responses
from draft to receipt. Another supplier's response, or a sealed one, is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commissioning.access import permission_required, signed_in
from commissioning.files import attachment_response
from commissioning.forms import refusals_of_post, service_refusals_on
from commissioning.models import User
from commissioning.templatetags.portal import deadline
from commissioning.views.service_forms import service_form_page
from commissioning.wording import time_of_day
from contracts.award import selectors, services
from contracts.award.forms import (
    QuestionForm,
    TenderForm,
)
from contracts.award.models import (
    Competition,
    Tender,
)
from contracts.award.sealing import open_file

from .common import TENDER, T
from .officer_awards import tender_content

# --- Providers -----------------------------------------------------------------------------------------


def _provider_competition(request, pk) -> Competition:
    return get_object_or_404(
        selectors.competitions_for_provider(request.user).select_related(
            "buying_authority", "framework_lot__framework"
        ),
        pk=pk,
    )


def _own_tender(request, pk) -> Tender:
    return get_object_or_404(selectors.tenders_for_provider(request.user), pk=pk)


def _provider_crumbs(competition=None, *items):
    crumbs = [("Competitions", reverse("awards:provider_competitions"))]
    if competition is not None:
        crumbs.append((competition.reference, reverse("awards:provider_competition", args=[competition.pk])))
    return crumbs + list(items)


@permission_required(TENDER)
def provider_competitions(request: HttpRequest) -> HttpResponse:
    competitions = selectors.provider_competition_list(request.user)
    return render(
        request,
        T + "provider/competitions.html",
        {
            "open_competitions": [c for c in competitions if c.open_now],
            "other_competitions": [c for c in competitions if not c.open_now and c.own],
        },
    )


@permission_required(TENDER)
def provider_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _provider_competition(request, pk)
    supplier = selectors.supplier_of(request.user)
    own = selectors.own_tenders_by_lot(request.user, competition)
    lots = list(competition.lots.order_by("number"))
    return render(
        request,
        T + "provider/competition.html",
        {
            "competition": competition,
            "lots": [(lot, own.get(lot.pk)) for lot in lots],
            "limits": list(competition.combined_limits.prefetch_related("lots")),
            "criteria": list(competition.criteria.all()),
            "questions": selectors.published_questions(competition),
            "may_bid": selectors.may_bid(competition, supplier),
            "open": competition.is_open(),
            "questions_open": competition.questions_open(),
            "crumbs": _provider_crumbs(None, (competition.reference, None)),
        },
    )


@signed_in
def competition_specification(request: HttpRequest, pk: int) -> HttpResponse:
    """The specification, for the officers who run the competition and the suppliers who may see it."""
    user = request.user
    if user.role == User.Role.OFFICER:
        competition = get_object_or_404(selectors.competitions_for_officer(user), pk=pk)
    elif selectors.supplier_of(user) is not None:
        competition = get_object_or_404(selectors.competitions_for_provider(user), pk=pk)
    else:
        raise Http404("No such competition")
    return attachment_response(competition.specification, competition.specification_name or None)


@permission_required(TENDER)
def ask_question(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _provider_competition(request, pk)
    form = QuestionForm(request.POST or None)

    def ask(data: dict) -> str:
        services.ask_question(competition=competition, question=data["question"], by=request.user)
        return "Your question has been sent. The answer will be published to every bidder, without your name."

    return service_form_page(
        request,
        form,
        ask,
        back=reverse("awards:provider_competition", args=[pk]),
        title="Ask a clarification question",
        caption=competition.title,
        button="Send your question",
        intro=f"Questions are accepted until {deadline(competition.clarification_deadline)}.",
        crumbs=_provider_crumbs(competition, ("Ask a question", None)),
    )


@permission_required(TENDER)
@require_POST
def start_tender(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    competition = _provider_competition(request, pk)
    lot = get_object_or_404(selectors.competition_lots_for_provider(request.user), pk=lot_pk, competition=competition)
    try:
        tender = services.start_tender(competition=competition, lot=lot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("awards:provider_competition", competition.pk)
    return redirect("awards:edit_tender", tender.pk)


@permission_required(TENDER)
def edit_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    competition = tender.competition
    if not tender.is_editable or not competition.is_open():
        return redirect("awards:provider_tender", tender.pk)
    criteria = selectors.answerable_criteria(competition)
    form = TenderForm(
        request.POST or None,
        request.FILES or None,
        tender=tender,
        criteria=criteria,
        social_value=services.social_value_needed(tender),
    )
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form):
            services.save_tender(tender=tender, by=request.user, **form.service_kwargs())
            if "check" in request.POST:
                return redirect("awards:check_tender", tender.pk)
            messages.success(request, "Your draft has been saved.")
            return redirect("awards:edit_tender", tender.pk)
    return render(
        request,
        T + "provider/tender_form.html",
        {
            "form": form,
            "tender": tender,
            "competition": competition,
            "autosave_url": reverse("awards:autosave_tender", args=[tender.pk]),
            "crumbs": _provider_crumbs(competition, (f"Your response: {tender.lot}", None)),
        },
    )


@permission_required(TENDER)
@require_POST
def autosave_tender(request: HttpRequest, pk: int) -> JsonResponse:
    """Saves typed answers every few seconds so a timed-out session loses little typing."""
    tender = _own_tender(request, pk)
    answers = {
        c.pk: request.POST[f"answer_{c.pk}"]
        for c in selectors.answerable_criteria(tender.competition)
        if f"answer_{c.pk}" in request.POST
    }
    summary = request.POST.get("social_value_summary")
    try:
        services.save_tender(
            tender=tender, by=request.user, answers=answers, social_value_summary=summary, autosave=True
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=409)
    return JsonResponse({"saved": True, "at": time_of_day(timezone.now(), seconds=True)})


@permission_required(TENDER)
def check_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    competition = tender.competition
    if not tender.is_editable and tender.status != Tender.Status.SUBMITTED:
        return redirect("awards:provider_tender", tender.pk)
    errors = refusals_of_post(request, lambda: services.submit_tender(tender=tender, by=request.user))
    if request.method == "POST" and not errors:
        return redirect("awards:tender_receipt", tender.pk)
    if tender.status == Tender.Status.SUBMITTED:
        return redirect("awards:tender_receipt", tender.pk)
    problems = [message for _, message in services.submission_problems(tender)]
    return render(
        request,
        T + "provider/check.html",
        {
            "tender": tender,
            "competition": competition,
            **tender_content(tender),
            "problems": problems,
            "errors": errors,
            "open": competition.is_open(),
            "social_value": services.social_value_needed(tender),
            "crumbs": _provider_crumbs(competition, ("Check and submit", None)),
        },
        status=422 if errors else 200,
    )


@permission_required(TENDER)
def tender_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    version = tender.versions.order_by("-number").first()
    if version is None:
        raise Http404("Not submitted")
    return render(
        request,
        T + "provider/receipt.html",
        {
            "tender": tender,
            "version": version,
            "received_at": version.submitted_at,
            "crumbs": _provider_crumbs(tender.competition, ("Receipt", None)),
        },
    )


@permission_required(TENDER)
def provider_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    competition = tender.competition
    award, no_award = selectors.outcome_of(tender)
    return render(
        request,
        T + "provider/tender.html",
        {
            "tender": tender,
            "competition": competition,
            **tender_content(tender),
            "open": competition.is_open(),
            "award": award,
            "no_award": no_award,
            "summary": selectors.latest_assessment_summary(tender) if award else None,
            "crumbs": _provider_crumbs(competition, (f"Your response: {tender.lot}", None)),
        },
    )


@permission_required(TENDER)
def withdraw_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    errors = refusals_of_post(request, lambda: services.withdraw_tender(tender=tender, by=request.user))
    if request.method == "POST" and not errors:
        messages.success(
            request,
            "Your response has been withdrawn. You can change it and submit it again before the closing time.",
        )
        return redirect("awards:edit_tender", tender.pk)
    return render(
        request,
        T + "provider/withdraw.html",
        {
            "tender": tender,
            "competition": tender.competition,
            "errors": errors,
            "crumbs": _provider_crumbs(tender.competition, ("Withdraw", None)),
        },
        status=422 if errors else 200,
    )


@permission_required(TENDER)
def provider_tender_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    document = get_object_or_404(selectors.documents_of_own_tenders(request.user), pk=document_pk, tender=tender)
    return attachment_response(document.file, document.name, transform=open_file)
