"""Officers' pages for setting up and running a competition: the list, details, criteria, lots, publishing,
cancelling, the closing time, clarification answers, the two-officer opening and evaluators. Thin: check
access, validate the form, call one service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning.access import permission_required
from commissioning.forms import service_refusals_on
from commissioning.pagination import keyset_paginate, with_area_names
from contracts.award import selectors, services
from contracts.award.forms import (
    AnswerForm,
    CompetitionForm,
    CriteriaForm,
    LotsForm,
    MoveClosingForm,
    ReasonForm,
)
from contracts.award.lifecycles import COMPETITION
from contracts.award.models import (
    Competition,
)
from contracts.award.services.competitions import EDITABLE_FIELDS
from contracts.notices import selectors as notice_selectors
from contracts.notices.procedures import ocid_of
from frameworks.evaluation.views import assign_evaluators_page

from .common import (
    RUN,
    T,
    competition_crumbs,
    competition_form,
    competition_form_page,
    competition_step_page,
    officer_competition_or_404,
    officer_crumbs,
)

# --- Officers: competitions -----------------------------------------------------------------------------


@permission_required(RUN)
def officer_competitions(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    competitions = keyset_paginate(request, selectors.competition_list(request.user), selectors.COMPETITION_ORDER)
    for competition in with_area_names(competitions.object_list):
        competition.state = competition.state_label(now)
    direct_awards = keyset_paginate(
        request, selectors.direct_award_list(request.user), selectors.DIRECT_AWARD_ORDER, param="awards_page"
    )
    shown = selectors.PARTNER_CALL_OFFS_SHOWN
    partner_competitions = list(selectors.partner_competitions_for_lead(request.user)[:shown])
    for competition in partner_competitions:
        competition.state = competition.state_label(now)
    return render(
        request,
        T + "officer/competitions.html",
        {
            "competitions": competitions,
            "direct_awards": direct_awards,
            "partner_competitions": partner_competitions,
            "partner_direct_awards": list(selectors.partner_direct_awards_for_lead(request.user)[:shown]),
        },
    )


@permission_required(RUN)
def create_competition(request: HttpRequest) -> HttpResponse:
    form = CompetitionForm(request.POST or None, request.FILES or None, officer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {name: data[name] for name in EDITABLE_FIELDS}
        # An unticked box asks for the default of the kind (an expression of interest always has one).
        details["requires_budget_template"] = data["requires_budget_template"] or None
        with service_refusals_on(form):
            competition = services.create_competition(
                by=request.user,
                kind=data["kind"],
                reference=data["reference"],
                framework_lot=data.get("framework_lot"),
                areas=data["areas"],
                specification=data.get("specification"),
                **details,
            )
            messages.success(request, f"Draft competition {competition.reference} created. Check its award criteria.")
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/competition_form.html",
        {"form": form, "title": "Set up a competition", "crumbs": officer_crumbs(("New competition", None))},
    )


def _unless_draft(
    request: HttpRequest, competition: Competition, refusal: str, *, refuse: bool = False
) -> HttpResponse | None:
    """The set-up pages (details, criteria, lots) change a competition only while the lifecycle lets it be
    edited (a draft), and not where `refuse` says so: otherwise back to the competition's page with
    `refusal`. None when the page may go on."""
    if not COMPETITION.allows("edit", competition.status) or refuse:
        messages.error(request, refusal)
        return redirect("awards:officer_competition", competition.pk)
    return None


@permission_required(RUN)
def edit_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    if refused := _unless_draft(request, competition, "Only a draft competition can be edited."):
        return refused
    form = CompetitionForm(
        request.POST or None,
        request.FILES or None,
        officer=request.user,
        competition=competition,
        initial=CompetitionForm.initial_for(competition),
    )

    def update(data: dict) -> str:
        services.update_competition(
            competition=competition,
            by=request.user,
            areas=data["areas"],
            specification=data.get("specification"),
            **{name: data[name] for name in EDITABLE_FIELDS},
        )
        return "The competition's details have been saved."

    return competition_form(
        request,
        competition,
        form,
        update,
        "officer/competition_form.html",
        "Edit",
        title=f"Edit {competition.reference}",
    )


@permission_required(RUN)
def edit_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    refusal = "The award criteria of a published competition cannot be changed."
    if refused := _unless_draft(request, competition, refusal):
        return refused
    form = CriteriaForm(request.POST or None, criteria=list(competition.criteria.all()))

    def save(data: dict) -> str:
        services.save_criteria(competition=competition, criteria=form.criteria(), by=request.user)
        return "The award criteria have been saved."

    return competition_form(
        request,
        competition,
        form,
        save,
        "officer/criteria_form.html",
        "Award criteria",
        min_weight=settings.SOCIAL_VALUE_MIN_WEIGHT,
    )


@permission_required(RUN)
def edit_lots(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    refusal = "Only a draft expression of interest's lots can be changed."
    if refused := _unless_draft(request, competition, refusal, refuse=competition.is_mini_competition):
        return refused
    form = LotsForm(request.POST or None, competition=competition)

    def save(data: dict) -> str:
        services.save_lots(competition=competition, lots=form.lots(), combined=form.combined(), by=request.user)
        return "The lots and limits have been saved."

    return competition_form(request, competition, form, save, "officer/lots_form.html", "Lots")


@permission_required(RUN)
def officer_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    now = timezone.now()
    opened = not competition.is_sealed
    lots = list(competition.lots.all())
    results = {lot.pk: selectors.lot_results(lot) for lot in lots} if opened else {}
    awards, no_awards = selectors.awards_for(competition), selectors.no_awards_for(competition)
    assignments = selectors.tender_assignments_of(competition) if opened else []
    return render(
        request,
        T + "officer/competition.html",
        {
            "competition": competition,
            "now": now,
            "state": competition.state_label(now),
            "lots": lots,
            "criteria": list(competition.criteria.all()),
            "combined": selectors.combined_award_checks(competition),
            "eligible": selectors.eligible_appointments(competition) if competition.is_mini_competition else [],
            "invitations": selectors.invitations(competition),
            "received": selectors.received_by_lot(competition),
            "received_total": selectors.received_count(competition),
            "questions": competition.questions.select_related("supplier", "answered_by").order_by("asked_at"),
            "problems": services.publication_problems(competition, now) if competition.status == "draft" else [],
            "opened": opened,
            "lot_results": [(lot, results.get(lot.pk, []), awards.get(lot.pk), no_awards.get(lot.pk)) for lot in lots],
            "assignments": assignments,
            "awards": awards,
            "is_owner": competition.owner_id == request.user.pk,
            "notices": notice_selectors.procedure_notices(ocid_of(competition)),
            "today": timezone.localdate(),
            "crumbs": officer_crumbs((competition.reference, None)),
        },
    )


@permission_required(RUN)
def publish_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)

    def publish() -> None:
        services.publish_competition(competition=competition, by=request.user)
        invited = competition.invitations.count()
        messages.success(
            request,
            f"{competition.reference} is published."
            + (f" {invited} supplier{'s' if invited != 1 else ''} will be invited by email." if invited else ""),
        )

    return competition_step_page(
        request,
        competition,
        publish,
        "officer/publish.html",
        "Publish",
        lambda: {
            "eligible": selectors.eligible_appointments(competition) if competition.is_mini_competition else [],
            "problems": services.publication_problems(competition) if competition.status == "draft" else [],
        },
    )


@permission_required(RUN)
def cancel_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why is the competition being cancelled?"

    def cancel(data: dict) -> str:
        services.cancel_competition(competition=competition, reason=data["reason"], by=request.user)
        return f"{competition.reference} has been cancelled."

    return competition_form_page(
        request,
        competition,
        form,
        cancel,
        crumb="Cancel",
        title=f"Cancel {competition.reference}",
        button="Cancel the competition",
        warning=True,
        intro="Bidders are told by email. A cancelled competition cannot be reopened.",
    )


@permission_required(RUN)
def move_closing_time(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    local = timezone.localtime(competition.closes_at)
    form = MoveClosingForm(request.POST or None, initial={"closes_date": local.date(), "closes_time": local.time()})

    def move(data: dict) -> str:
        moved = services.move_closing_time(
            competition=competition, closes_at=data["closes_at"], reason=data["reason"], by=request.user
        )
        if moved.proposed_closes_at is not None:
            return "Earlier closing time proposed. A second officer must now confirm it."
        return "The closing time has moved and every bidder has been told."

    return competition_form_page(
        request,
        competition,
        form,
        move,
        crumb="Closing time",
        title="Move the closing time",
        caption=competition.reference,
        button="Move the closing time",
        intro=(
            "Only the competition's owner can move the closing time, before it has passed. A later time takes effect "
            "at once. An earlier one needs a second officer's confirmation and at least "
            f"{settings.CLOSING_TIME_SHORTENING_NOTICE_WORKING_DAYS} working days' notice; bidders are told by e-mail."
        ),
    )


@permission_required(RUN)
def confirm_closing_time(request: HttpRequest, pk: int) -> HttpResponse:
    """The second officer confirms (or any officer withdraws) a proposed earlier closing time."""
    competition = officer_competition_or_404(request, pk)

    def step() -> None:
        if request.POST.get("action") == "withdraw":
            services.withdraw_closing_time_proposal(competition=competition, by=request.user)
            messages.success(request, "The proposed earlier closing time has been withdrawn.")
        else:
            services.confirm_closing_time(competition=competition, by=request.user)
            messages.success(request, "The closing time has been brought forward and every bidder has been told.")

    return competition_step_page(
        request, competition, step, "officer/confirm_closing_time.html", "Earlier closing time"
    )


@permission_required(RUN)
def answer_question(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    question = get_object_or_404(selectors.questions_for_officer(request.user), pk=question_pk, competition=competition)
    form = AnswerForm(
        request.POST or None, initial={"published_question": question.published_question or question.question}
    )

    def answer(data: dict) -> str:
        services.answer_question(question=question, by=request.user, **data)
        return "The answer has been published to every bidder."

    return competition_form(
        request, competition, form, answer, "officer/answer.html", "Answer a question", question=question
    )


@permission_required(RUN)
def open_responses(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)

    def step() -> None:
        if competition.opening_requested_at is None:
            services.request_opening(competition=competition, by=request.user)
            messages.success(request, "Opening requested. A second officer must now confirm it.")
        else:
            services.confirm_opening(competition=competition, by=request.user)
            messages.success(request, "The responses are open.")

    return competition_step_page(
        request,
        competition,
        step,
        "officer/open.html",
        "Open responses",
        lambda: {
            "received": selectors.received_by_lot(competition),
            "received_total": selectors.received_count(competition),
            "now": timezone.now(),
        },
    )


@permission_required(RUN)
def assign_evaluators(request: HttpRequest, pk: int) -> HttpResponse:
    competition = officer_competition_or_404(request, pk)
    back = reverse("awards:officer_competition", args=[pk])
    return assign_evaluators_page(
        request,
        target=competition,
        title="Assign evaluators",
        caption=competition.reference,
        crumbs=competition_crumbs(competition, "Evaluators"),
        back_url=back,
    )
