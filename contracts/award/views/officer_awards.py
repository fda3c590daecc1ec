"""Officers' pages for opened responses, moderation, award decisions, contracts from awards and direct
awards. Thin: check access, validate the form, call one service, redirect; every object is looked up
through a selector scoped to the user."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning.access import permission_required
from commissioning.files import attachment_response
from commissioning.forms import service_refusals_on
from commissioning.views.form_pages import simple_form_page
from commissioning.views.service_forms import service_form_page
from contracts import whole_life
from contracts.award import selectors, services
from contracts.award.forms import (
    AwardForm,
    ContractFromAwardForm,
    DecisionForm,
    DirectAwardForm,
    NoAwardForm,
)
from contracts.award.models import (
    AwardCriterion,
    DirectAward,
    Tender,
)
from contracts.award.sealing import open_file
from contracts.notices import selectors as notice_selectors
from contracts.notices.procedures import test_value, transparency_exemption
from frameworks.evaluation.views import assign_evaluators_page

from .common import (
    RUN,
    T,
    competition_crumbs,
    competition_form,
    competition_form_page,
    officer_competition_or_404,
    officer_crumbs,
)


def _opened_tender(request, pk) -> Tender:
    return get_object_or_404(selectors.opened_tenders_for_officer(request.user), pk=pk)


def tender_content(tender: Tender) -> dict:
    answers = {a.criterion_id: a for a in tender.answers.all()}
    criteria = list(tender.competition.criteria.all())
    return {
        "answers": answers,
        "answer_rows": [(c, answers.get(c.pk)) for c in criteria if c.kind == AwardCriterion.Kind.QUALITY],
        "members": list(tender.consortium_members.all()),
        "commitments": list(tender.commitments.all()),
        "documents": list(tender.documents.filter(replaced_at__isnull=True)),
        "versions": list(tender.versions.select_related("submitted_by")),
    }


@permission_required(RUN)
def officer_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _opened_tender(request, pk)
    competition = tender.competition
    moderated = {m.criterion_id: m for m in tender.moderated_scores.select_related("moderated_by")}
    scores = {}
    for score in selectors.submitted_tender_scores(tender):
        scores.setdefault(score.criterion_id, []).append(score)
    scored = selectors.scored_criteria(competition)
    return render(
        request,
        T + "officer/tender.html",
        {
            "tender": tender,
            "competition": competition,
            **tender_content(tender),
            "assignments": tender.assignments.select_related("evaluator"),
            "scoring": [(c, scores.get(c.pk, []), moderated.get(c.pk)) for c in scored],
            "can_moderate": tender.status in {Tender.Status.OPENED, Tender.Status.SCORED}
            and not selectors.lot_is_awarded(tender.lot_id),
            "crumbs": competition_crumbs(competition, tender.supplier.legal_name),
        },
    )


@permission_required(RUN)
def officer_tender_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    tender = _opened_tender(request, pk)
    document = get_object_or_404(selectors.documents_of_opened_tenders(request.user), pk=document_pk, tender=tender)
    return attachment_response(document.file, document.name, transform=open_file)


@permission_required(RUN)
def award_lot(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    lot = get_object_or_404(selectors.competition_lots_for_officer(request.user), pk=lot_pk, competition=competition)
    results = selectors.lot_results(lot)
    form = AwardForm(request.POST or None, results=results, light_touch=competition.is_light_touch)

    def award(data: dict) -> str:
        tender = next((r.tender for r in results if r.tender.pk == data["tender"]), None)
        if tender is None:
            raise services.AwardRuleError({"tender": ["Select the winning response"]})
        services.decide_award(
            lot=lot,
            tender=tender,
            reasons=data["reasons"],
            skip_standstill_reason=data.get("skip_standstill_reason", ""),
            by=request.user,
        )
        return f"{lot} has been awarded. Each bidder's assessment summary is being produced."

    return competition_form(
        request,
        competition,
        form,
        award,
        "officer/award.html",
        f"Award {lot}",
        lot=lot,
        results=results,
        combined=[c for c in selectors.combined_award_checks(competition) if lot.number in c.lot_numbers],
        standstill_days=settings.STANDSTILL_WORKING_DAYS,
    )


@permission_required(RUN)
def no_award_lot(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    lot = get_object_or_404(selectors.competition_lots_for_officer(request.user), pk=lot_pk, competition=competition)
    form = NoAwardForm(request.POST or None)
    form.fields["reasons"].label = f"Why will {lot} not be awarded?"

    def no_award(data: dict) -> str:
        services.decide_no_award(lot=lot, reasons=data["reasons"], by=request.user)
        return f"{lot} will not be awarded. Its bidders have been told why."

    return competition_form_page(
        request,
        competition,
        form,
        no_award,
        crumb=f"Do not award {lot}",
        title=f"Do not award {lot}",
        caption=competition.reference,
        button="Record that the lot is not awarded",
        warning=True,
        intro="Every response to this lot becomes unsuccessful. This cannot be undone.",
    )


@permission_required(RUN)
def create_contract(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(selectors.awards_for_officer(request.user), pk=pk)
    competition = award.competition
    suggested = competition.reference + (f"-L{award.lot.number}" if competition.lots.count() > 1 else "")
    form = ContractFromAwardForm(
        request.POST or None, initial={"reference": suggested, "start_on": competition.contract_start_on}
    )
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form):
            contract = services.create_award_contract(award=award, by=request.user, **form.cleaned_data)
            messages.success(request, f"Contract {contract.reference} has been created as a draft.")
            return redirect("contracts:officer_contract", contract.pk)
    back = reverse("awards:officer_competition", args=[competition.pk])
    intro = f"{award.lot} awarded to {award.tender.supplier.legal_name} at £{award.annual_value:,.2f} a year. " + (
        f"The standstill period runs to the end of {award.standstill_ends_on:%A %d %B %Y}."
        if award.standstill_ends_on
        else (
            f"No standstill period: {award.standstill_skipped_reason}"
            if award.standstill_skipped_reason
            else "The standstill has not begun: it begins on the day the contract award notice (UK6) is published."
        )
    )
    return simple_form_page(
        request,
        form,
        title="Create the contract",
        caption=competition.reference,
        button="Create the contract",
        intro=intro,
        crumbs=competition_crumbs(competition, "Create the contract"),
        cancel_url=back,
    )


# --- Officers: direct awards -----------------------------------------------------------------------------


def _officer_direct_award(request, pk) -> DirectAward:
    return get_object_or_404(selectors.direct_awards_for_officer(request.user), pk=pk)


@permission_required(RUN)
def request_direct_award(request: HttpRequest) -> HttpResponse:
    form = DirectAwardForm(request.POST or None, officer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_refusals_on(form):
            direct_award = services.request_direct_award(
                by=request.user,
                reference=data["reference"],
                title=data["title"],
                scope=data["scope"],
                kind=data["kind"],
                supplier=data["supplier"],
                framework_lot=data.get("framework_lot"),
                areas=data["areas"],
                annual_value=data["annual_value"],
                contract_start_on=data["contract_start_on"],
                term_months=data["term_months"],
                extension_months=data["extension_months"],
                justification=data["justification"],
                explanation=data["explanation"],
                social_value_summary=data["social_value_summary"],
                commitments=data["commitments"],
            )
            messages.success(
                request, f"Direct award {direct_award.reference} recorded. A second officer must approve it."
            )
            return redirect("awards:officer_direct_award", direct_award.pk)
    return render(
        request,
        T + "officer/direct_award_form.html",
        {"form": form, "crumbs": officer_crumbs(("New direct award", None))},
    )


@permission_required(RUN)
def officer_direct_award(request: HttpRequest, pk: int) -> HttpResponse:
    direct_award = _officer_direct_award(request, pk)
    criterion = direct_award.criteria.first()
    scores = selectors.submitted_direct_award_scores(direct_award)
    return render(
        request,
        T + "officer/direct_award.html",
        {
            "direct_award": direct_award,
            "criterion": criterion,
            "areas": list(direct_award.areas.all()),
            "commitments": list(direct_award.commitments.all()),
            "assignments": direct_award.assignments.select_related("evaluator"),
            "scores": scores,
            "moderated": selectors.moderated_direct_award_scores(direct_award).first(),
            "is_requester": direct_award.requested_by_id == request.user.pk,
            "notices": notice_selectors.notices_of(direct_award),
            "transparency_exemption": transparency_exemption(direct_award, test_value(direct_award)),
            "whole_life": whole_life.from_annual(
                direct_award.contract_start_on,
                direct_award.term_months,
                direct_award.extension_list,
                direct_award.annual_value,
            ),
            "today": timezone.localdate(),
            "crumbs": officer_crumbs((direct_award.reference, None)),
        },
    )


@permission_required(RUN)
def direct_award_evaluators(request: HttpRequest, pk: int) -> HttpResponse:
    direct_award = _officer_direct_award(request, pk)
    back = reverse("awards:officer_direct_award", args=[pk])
    return assign_evaluators_page(
        request,
        target=direct_award,
        title="Assign evaluators to the Social Value Proposal",
        caption=direct_award.reference,
        crumbs=officer_crumbs((direct_award.reference, back), ("Evaluators", None)),
        back_url=back,
    )


@permission_required(RUN)
def decide_direct_award(request: HttpRequest, pk: int) -> HttpResponse:
    direct_award = _officer_direct_award(request, pk)
    form = DecisionForm(request.POST or None)

    def decide(data: dict) -> str:
        if data["decision"] == "approve":
            services.approve_direct_award(direct_award=direct_award, note=data["note"], by=request.user)
            return "The direct award is approved and its contract has been created as a draft."
        services.reject_direct_award(direct_award=direct_award, reason=data["note"], by=request.user)
        return "The direct award has been rejected."

    back = reverse("awards:officer_direct_award", args=[pk])
    return service_form_page(
        request,
        form,
        decide,
        back=back,
        title="Approve or reject the direct award",
        caption=f"{direct_award.reference}: {direct_award.title}",
        button="Record the decision",
        intro=f"Requested by {direct_award.requested_by.full_name}. A second, different officer decides. "
        f"Justification: {direct_award.get_justification_display()}.",
        crumbs=officer_crumbs((direct_award.reference, back), ("Decide", None)),
    )
