"""Pages of the award stage for officers, evaluators and providers. Thin: check access, validate the
form, call one service, redirect. Every view declares its access policy; every object is looked up
through a selector scoped to the user, so another supplier's response, or a sealed one, is a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commissioning.access import permission_required, signed_in
from commissioning.files import attachment_response
from commissioning.models import GeneratedDocument, User
from commissioning.pagination import paginate
from commissioning.templatetags.portal import deadline
from frameworks.forms import ModerationForm, ScoringForm

from . import award_selectors as selectors
from . import award_services as services
from .award_forms import (
    AnswerForm,
    AssignEvaluatorsForm,
    AwardForm,
    CompetitionForm,
    ConflictForm,
    ContractFromAwardForm,
    CriteriaForm,
    DecisionForm,
    DirectAwardForm,
    LotsForm,
    MoveClosingForm,
    NoAwardForm,
    QuestionForm,
    ReasonForm,
    TenderForm,
)
from .award_models import (
    Award,
    AwardCriterion,
    ClarificationQuestion,
    Competition,
    CompetitionLot,
    DirectAward,
    DirectAwardModeratedScore,
    DirectAwardScore,
    NoAward,
    Tender,
    TenderAssignment,
    TenderDocument,
    TenderModeratedScore,
    TenderScore,
)
from .award_reports import ASSESSMENT_SUMMARY

RUN = "contracts.run_competitions"
TENDER = "contracts.tender"
EVALUATE = "contracts.evaluate_awards"
T = "contracts/award/"


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's messages next to the field they name (or at the top) and in the error summary."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if form is not None and field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _officer_competition(request, pk) -> Competition:
    try:
        return selectors.competition_detail(request.user, pk)
    except Competition.DoesNotExist as exc:
        raise Http404("No such competition") from exc


def _crumbs(*items):
    return [("Competitions", reverse("awards:officer_competitions")), *items]


# --- Officers: competitions -----------------------------------------------------------------------------


@permission_required(RUN)
def officer_competitions(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    competitions = paginate(request, selectors.competition_list(request.user))
    for competition in competitions.object_list:
        competition.state = competition.state_label(now)
    return render(
        request,
        T + "officer/competitions.html",
        {
            "competitions": competitions,
            "direct_awards": paginate(request, selectors.direct_awards_for_officer(request.user), param="awards_page"),
        },
    )


@permission_required(RUN)
def create_competition(request: HttpRequest) -> HttpResponse:
    form = CompetitionForm(request.POST or None, request.FILES or None, officer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            competition = services.create_competition(
                by=request.user,
                kind=data["kind"],
                reference=data["reference"],
                title=data["title"],
                description=data["description"],
                framework_lot=data.get("framework_lot"),
                areas=data["areas"],
                estimated_value=data["estimated_value"],
                contract_start_on=data["contract_start_on"],
                term_months=data["term_months"],
                extension_months=data["extension_months"],
                interviews=data["interviews"],
                is_light_touch=data["is_light_touch"],
                requires_budget_template=data["requires_budget_template"]
                or data["kind"] == Competition.Kind.EXPRESSION_OF_INTEREST,
                clarification_deadline=data["clarification_deadline"],
                closes_at=data["closes_at"],
                specification=data.get("specification"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Draft competition {competition.reference} created. Check its award criteria.")
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/competition_form.html",
        {"form": form, "title": "Set up a competition", "crumbs": _crumbs(("New competition", None))},
    )


@permission_required(RUN)
def edit_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    if competition.status != Competition.Status.DRAFT:
        messages.error(request, "Only a draft competition can be edited.")
        return redirect("awards:officer_competition", competition.pk)
    form = CompetitionForm(
        request.POST or None,
        request.FILES or None,
        officer=request.user,
        competition=competition,
        initial=CompetitionForm.initial_for(competition),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_competition(
                competition=competition,
                by=request.user,
                areas=data["areas"],
                specification=data.get("specification"),
                **{
                    name: data[name]
                    for name in (
                        "title",
                        "description",
                        "estimated_value",
                        "contract_start_on",
                        "term_months",
                        "extension_months",
                        "interviews",
                        "is_light_touch",
                        "requires_budget_template",
                        "clarification_deadline",
                        "closes_at",
                    )
                },
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The competition's details have been saved.")
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/competition_form.html",
        {
            "form": form,
            "competition": competition,
            "title": f"Edit {competition.reference}",
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[pk])), ("Edit", None)
            ),
        },
    )


@permission_required(RUN)
def edit_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    if competition.status != Competition.Status.DRAFT:
        messages.error(request, "The award criteria of a published competition cannot be changed.")
        return redirect("awards:officer_competition", competition.pk)
    form = CriteriaForm(request.POST or None, criteria=list(competition.criteria.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criteria(competition=competition, criteria=form.criteria(), by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The award criteria have been saved.")
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/criteria_form.html",
        {
            "form": form,
            "competition": competition,
            "min_weight": settings.SOCIAL_VALUE_MIN_WEIGHT,
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[pk])), ("Award criteria", None)
            ),
        },
    )


@permission_required(RUN)
def edit_lots(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    if competition.status != Competition.Status.DRAFT or competition.is_mini_competition:
        messages.error(request, "Only a draft expression of interest's lots can be changed.")
        return redirect("awards:officer_competition", competition.pk)
    form = LotsForm(request.POST or None, competition=competition)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_lots(competition=competition, lots=form.lots(), combined=form.combined(), by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The lots and limits have been saved.")
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/lots_form.html",
        {
            "form": form,
            "competition": competition,
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[pk])), ("Lots", None)
            ),
        },
    )


@permission_required(RUN)
def officer_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    now = timezone.now()
    opened = not competition.is_sealed
    lots = list(competition.lots.all())
    results = {lot.pk: selectors.lot_results(lot) for lot in lots} if opened else {}
    awards, no_awards = selectors.awards_for(competition), selectors.no_awards_for(competition)
    assignments = (
        TenderAssignment.objects.filter(tender__competition=competition).select_related("evaluator", "tender__supplier")
        if opened
        else []
    )
    return render(
        request,
        T + "officer/competition.html",
        {
            "competition": competition,
            "now": now,
            "state": competition.state_label(now),
            "lots": lots,
            "criteria": list(competition.criteria.all()),
            "limits": list(competition.combined_limits.all()),
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
            "crumbs": _crumbs((competition.reference, None)),
        },
    )


@permission_required(RUN)
def publish_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    errors = []
    if request.method == "POST":
        try:
            services.publish_competition(competition=competition, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            invited = competition.invitations.count()
            messages.success(
                request,
                f"{competition.reference} is published."
                + (f" {invited} supplier{'s' if invited != 1 else ''} will be invited by email." if invited else ""),
            )
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/publish.html",
        {
            "competition": competition,
            "eligible": selectors.eligible_appointments(competition) if competition.is_mini_competition else [],
            "problems": services.publication_problems(competition) if competition.status == "draft" else [],
            "errors": errors,
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[pk])), ("Publish", None)
            ),
        },
        status=422 if errors else 200,
    )


def _simple_form(request, form, *, title, button, crumbs, intro="", warning=False, cancel_url=None, caption=""):
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": title,
            "button": button,
            "crumbs": crumbs,
            "intro": intro,
            "warning_button": warning,
            "cancel_url": cancel_url,
            "caption": caption,
        },
    )


@permission_required(RUN)
def cancel_competition(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why is the competition being cancelled?"
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_competition(competition=competition, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{competition.reference} has been cancelled.")
            return redirect("awards:officer_competition", competition.pk)
    back = reverse("awards:officer_competition", args=[pk])
    return _simple_form(
        request,
        form,
        title=f"Cancel {competition.reference}",
        button="Cancel the competition",
        warning=True,
        intro="Bidders are told by email. A cancelled competition cannot be reopened.",
        crumbs=_crumbs((competition.reference, back), ("Cancel", None)),
        cancel_url=back,
    )


@permission_required(RUN)
def move_closing_time(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    local = timezone.localtime(competition.closes_at)
    form = MoveClosingForm(request.POST or None, initial={"closes_date": local.date(), "closes_time": local.time()})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_closing_time(
                competition=competition,
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The closing time has moved and every bidder has been told.")
            return redirect("awards:officer_competition", competition.pk)
    back = reverse("awards:officer_competition", args=[pk])
    return _simple_form(
        request,
        form,
        title="Move the closing time",
        caption=competition.reference,
        button="Move the closing time",
        intro="Only the competition's owner can move the closing time, to a time in the future, before it has passed.",
        crumbs=_crumbs((competition.reference, back), ("Closing time", None)),
        cancel_url=back,
    )


@permission_required(RUN)
def answer_question(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    question = get_object_or_404(ClarificationQuestion, pk=question_pk, competition=competition)
    form = AnswerForm(
        request.POST or None, initial={"published_question": question.published_question or question.question}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_question(question=question, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The answer has been published to every bidder.")
            return redirect("awards:officer_competition", competition.pk)
    back = reverse("awards:officer_competition", args=[pk])
    return render(
        request,
        T + "officer/answer.html",
        {
            "form": form,
            "question": question,
            "competition": competition,
            "crumbs": _crumbs((competition.reference, back), ("Answer a question", None)),
        },
    )


@permission_required(RUN)
def open_responses(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    errors = []
    if request.method == "POST":
        try:
            if competition.opening_requested_at is None:
                services.request_opening(competition=competition, by=request.user)
                messages.success(request, "Opening requested. A second officer must now confirm it.")
            else:
                services.confirm_opening(competition=competition, by=request.user)
                messages.success(request, "The responses are open.")
        except ValidationError as error:
            errors = error.messages
        else:
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/open.html",
        {
            "competition": competition,
            "received": selectors.received_by_lot(competition),
            "received_total": selectors.received_count(competition),
            "errors": errors,
            "now": timezone.now(),
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[pk])), ("Open responses", None)
            ),
        },
        status=422 if errors else 200,
    )


@permission_required(RUN)
def assign_evaluators(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    assigned = set(
        TenderAssignment.objects.filter(tender__competition=competition).values_list("evaluator_id", flat=True)
    )
    form = AssignEvaluatorsForm(request.POST or None, authority_id=competition.buying_authority_id, exclude=assigned)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_tender_evaluators(
                competition=competition, evaluators=list(form.cleaned_data["evaluators"]), by=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The evaluators have been assigned and told by email.")
            return redirect("awards:officer_competition", competition.pk)
    back = reverse("awards:officer_competition", args=[pk])
    return _simple_form(
        request,
        form,
        title="Assign evaluators",
        caption=competition.reference,
        button="Assign evaluators",
        intro="Each evaluator marks every opened response independently, after declaring any conflict of interest "
        "with each bidder.",
        crumbs=_crumbs((competition.reference, back), ("Evaluators", None)),
        cancel_url=back,
    )


def _opened_tender(request, pk) -> Tender:
    return get_object_or_404(selectors.opened_tenders_for_officer(request.user), pk=pk)


def _tender_content(tender: Tender) -> dict:
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
    for score in TenderScore.objects.filter(
        assignment__tender=tender, assignment__submitted_at__isnull=False
    ).select_related("assignment__evaluator"):
        scores.setdefault(score.criterion_id, []).append(score)
    scored = selectors.scored_criteria(competition)
    return render(
        request,
        T + "officer/tender.html",
        {
            "tender": tender,
            "competition": competition,
            **_tender_content(tender),
            "assignments": tender.assignments.select_related("evaluator"),
            "marking": [(c, scores.get(c.pk, []), moderated.get(c.pk)) for c in scored],
            "can_moderate": tender.status in {Tender.Status.OPENED, Tender.Status.SCORED}
            and not Award.objects.filter(lot=tender.lot_id).exists(),
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[competition.pk])),
                (tender.supplier.legal_name, None),
            ),
        },
    )


@permission_required(RUN)
def officer_tender_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    tender = _opened_tender(request, pk)
    document = get_object_or_404(TenderDocument, pk=document_pk, tender=tender)
    return attachment_response(document.file, document.name)


@permission_required(RUN)
def moderate_tender(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    tender = _opened_tender(request, pk)
    competition = tender.competition
    criterion = get_object_or_404(AwardCriterion, pk=criterion_pk, competition=competition)
    if not criterion.is_scored:
        raise Http404("Price is scored by the formula")
    current = TenderModeratedScore.objects.filter(tender=tender, criterion=criterion).first()
    form = ModerationForm(request.POST or None, question=criterion, initial_mark=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderate_tender(
                tender=tender,
                criterion=criterion,
                score=form.cleaned_data.get("score"),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The agreed mark has been recorded.")
            return redirect("awards:officer_tender", tender.pk)
    individual = TenderScore.objects.filter(
        assignment__tender=tender, criterion=criterion, assignment__submitted_at__isnull=False
    ).select_related("assignment__evaluator")
    answer = tender.answers.filter(criterion=criterion).first()
    return render(
        request,
        T + "officer/moderate.html",
        {
            "form": form,
            "tender": tender,
            "criterion": criterion,
            "individual": individual,
            "answer": answer,
            "commitments": list(tender.commitments.all()) if criterion.is_social_value else [],
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[competition.pk])),
                (tender.supplier.legal_name, reverse("awards:officer_tender", args=[tender.pk])),
                ("Moderate", None),
            ),
        },
    )


@permission_required(RUN)
def award_lot(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    lot = get_object_or_404(CompetitionLot, pk=lot_pk, competition=competition)
    results = selectors.lot_results(lot)
    form = AwardForm(request.POST or None, results=results, light_touch=competition.is_light_touch)
    if request.method == "POST" and form.is_valid():
        tender = next((r.tender for r in results if r.tender.pk == form.cleaned_data["tender"]), None)
        try:
            if tender is None:
                raise services.AwardRuleError({"tender": ["Select the winning response"]})
            services.decide_award(
                lot=lot,
                tender=tender,
                reasons=form.cleaned_data["reasons"],
                skip_standstill_reason=form.cleaned_data.get("skip_standstill_reason", ""),
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{lot} has been awarded. Each bidder's assessment summary is being produced.")
            return redirect("awards:officer_competition", competition.pk)
    return render(
        request,
        T + "officer/award.html",
        {
            "form": form,
            "competition": competition,
            "lot": lot,
            "results": results,
            "standstill_days": settings.STANDSTILL_WORKING_DAYS,
            "crumbs": _crumbs(
                (competition.reference, reverse("awards:officer_competition", args=[pk])), (f"Award {lot}", None)
            ),
        },
    )


@permission_required(RUN)
def no_award_lot(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    competition = _officer_competition(request, pk)
    lot = get_object_or_404(CompetitionLot, pk=lot_pk, competition=competition)
    form = NoAwardForm(request.POST or None)
    form.fields["reasons"].label = f"Why will {lot} not be awarded?"
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_no_award(lot=lot, reasons=form.cleaned_data["reasons"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{lot} will not be awarded. Its bidders have been told why.")
            return redirect("awards:officer_competition", competition.pk)
    back = reverse("awards:officer_competition", args=[pk])
    return _simple_form(
        request,
        form,
        title=f"Do not award {lot}",
        caption=competition.reference,
        button="Record that the lot is not awarded",
        warning=True,
        intro="Every response to this lot becomes unsuccessful. This cannot be undone.",
        crumbs=_crumbs((competition.reference, back), (f"Do not award {lot}", None)),
        cancel_url=back,
    )


@permission_required(RUN)
def create_contract(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(
        Award.objects.select_related("competition", "lot", "tender__supplier"),
        pk=pk,
        competition__in=selectors.competitions_for_officer(request.user),
    )
    competition = award.competition
    suggested = competition.reference + (f"-L{award.lot.number}" if competition.lots.count() > 1 else "")
    form = ContractFromAwardForm(
        request.POST or None, initial={"reference": suggested, "start_on": competition.contract_start_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.create_award_contract(award=award, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Contract {contract.reference} has been created as a draft.")
            return redirect("contracts:officer_contract", contract.pk)
    back = reverse("awards:officer_competition", args=[competition.pk])
    intro = f"{award.lot} awarded to {award.tender.supplier.legal_name} at £{award.annual_value:,.2f} a year. " + (
        f"The standstill period runs to the end of {award.standstill_ends_on:%A %d %B %Y}."
        if award.standstill_ends_on
        else f"No standstill period: {award.standstill_skipped_reason}"
    )
    return _simple_form(
        request,
        form,
        title="Create the contract",
        caption=competition.reference,
        button="Create the contract",
        intro=intro,
        crumbs=_crumbs((competition.reference, back), ("Create the contract", None)),
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
        try:
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
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, f"Direct award {direct_award.reference} recorded. A second officer must approve it."
            )
            return redirect("awards:officer_direct_award", direct_award.pk)
    return render(
        request,
        T + "officer/direct_award_form.html",
        {"form": form, "crumbs": _crumbs(("New direct award", None))},
    )


@permission_required(RUN)
def officer_direct_award(request: HttpRequest, pk: int) -> HttpResponse:
    direct_award = _officer_direct_award(request, pk)
    criterion = direct_award.criteria.first()
    scores = DirectAwardScore.objects.filter(
        assignment__direct_award=direct_award, assignment__submitted_at__isnull=False
    ).select_related("assignment__evaluator")
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
            "moderated": DirectAwardModeratedScore.objects.filter(direct_award=direct_award)
            .select_related("moderated_by")
            .first(),
            "is_requester": direct_award.requested_by_id == request.user.pk,
            "crumbs": _crumbs((direct_award.reference, None)),
        },
    )


@permission_required(RUN)
def direct_award_evaluators(request: HttpRequest, pk: int) -> HttpResponse:
    direct_award = _officer_direct_award(request, pk)
    assigned = set(direct_award.assignments.values_list("evaluator_id", flat=True))
    form = AssignEvaluatorsForm(request.POST or None, authority_id=direct_award.buying_authority_id, exclude=assigned)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_direct_award_evaluators(
                direct_award=direct_award, evaluators=list(form.cleaned_data["evaluators"]), by=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The evaluators have been assigned and told by email.")
            return redirect("awards:officer_direct_award", direct_award.pk)
    back = reverse("awards:officer_direct_award", args=[pk])
    return _simple_form(
        request,
        form,
        title="Assign evaluators to the Social Value Proposal",
        caption=direct_award.reference,
        button="Assign evaluators",
        crumbs=_crumbs((direct_award.reference, back), ("Evaluators", None)),
        cancel_url=back,
    )


@permission_required(RUN)
def moderate_direct_award(request: HttpRequest, pk: int) -> HttpResponse:
    direct_award = _officer_direct_award(request, pk)
    criterion = direct_award.criteria.first()
    if criterion is None:
        raise Http404("Nothing to moderate")
    current = DirectAwardModeratedScore.objects.filter(direct_award=direct_award, criterion=criterion).first()
    form = ModerationForm(request.POST or None, question=criterion, initial_mark=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderate_direct_award(
                direct_award=direct_award,
                criterion=criterion,
                score=form.cleaned_data.get("score"),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The agreed mark has been recorded.")
            return redirect("awards:officer_direct_award", direct_award.pk)
    back = reverse("awards:officer_direct_award", args=[pk])
    return render(
        request,
        T + "officer/moderate.html",
        {
            "form": form,
            "direct_award": direct_award,
            "criterion": criterion,
            "individual": DirectAwardScore.objects.filter(
                assignment__direct_award=direct_award, assignment__submitted_at__isnull=False
            ).select_related("assignment__evaluator"),
            "summary": direct_award.social_value_summary,
            "commitments": list(direct_award.commitments.all()),
            "crumbs": _crumbs((direct_award.reference, back), ("Moderate", None)),
        },
    )


@permission_required(RUN)
def decide_direct_award(request: HttpRequest, pk: int) -> HttpResponse:
    direct_award = _officer_direct_award(request, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_direct_award(
                    direct_award=direct_award, note=form.cleaned_data["note"], by=request.user
                )
                messages.success(request, "The direct award is approved and its contract has been created as a draft.")
            else:
                services.reject_direct_award(
                    direct_award=direct_award, reason=form.cleaned_data["note"], by=request.user
                )
                messages.success(request, "The direct award has been rejected.")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("awards:officer_direct_award", direct_award.pk)
    back = reverse("awards:officer_direct_award", args=[pk])
    return _simple_form(
        request,
        form,
        title="Approve or reject the direct award",
        caption=f"{direct_award.reference}: {direct_award.title}",
        button="Record the decision",
        intro=f"Requested by {direct_award.requested_by.full_name}. A second, different officer decides. "
        f"Justification: {direct_award.get_justification_display()}.",
        crumbs=_crumbs((direct_award.reference, back), ("Decide", None)),
        cancel_url=back,
    )


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
                _apply_errors(form, error)
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
            _apply_errors(form, error)
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
    own = {t.lot_id: t for t in Tender.objects.filter(competition=competition, supplier=supplier)}
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
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_question(competition=competition, question=form.cleaned_data["question"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, "Your question has been sent. The answer will be published to every bidder, without your name."
            )
            return redirect("awards:provider_competition", competition.pk)
    back = reverse("awards:provider_competition", args=[pk])
    return _simple_form(
        request,
        form,
        title="Ask a clarification question",
        caption=competition.title,
        button="Send your question",
        intro=f"Questions are accepted until {deadline(competition.clarification_deadline)}.",
        crumbs=_provider_crumbs(competition, ("Ask a question", None)),
        cancel_url=back,
    )


@permission_required(TENDER)
@require_POST
def start_tender(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    competition = _provider_competition(request, pk)
    lot = get_object_or_404(CompetitionLot, pk=lot_pk, competition=competition)
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
        try:
            services.save_tender(tender=tender, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
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
    return JsonResponse({"saved": True, "at": timezone.localtime().strftime("%-I:%M:%S%p").lower()})


@permission_required(TENDER)
def check_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    competition = tender.competition
    if not tender.is_editable and tender.status != Tender.Status.SUBMITTED:
        return redirect("awards:provider_tender", tender.pk)
    errors = []
    if request.method == "POST":
        try:
            services.submit_tender(tender=tender, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
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
            **_tender_content(tender),
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


def _summaries_for(tender: Tender):
    return GeneratedDocument.objects.filter(
        kind=ASSESSMENT_SUMMARY,
        target_type=ContentType.objects.get_for_model(Tender),
        target_id=str(tender.pk),
    ).order_by("-requested_at")


@permission_required(TENDER)
def provider_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    competition = tender.competition
    # Only a response that was opened and evaluated has an outcome; a draft or withdrawn one has none.
    award = no_award = None
    if tender.status in Tender.IN_EVALUATION:
        award = Award.objects.filter(lot=tender.lot_id).first()
        no_award = NoAward.objects.filter(lot=tender.lot_id).first() if award is None else None
    return render(
        request,
        T + "provider/tender.html",
        {
            "tender": tender,
            "competition": competition,
            **_tender_content(tender),
            "open": competition.is_open(),
            "award": award,
            "no_award": no_award,
            "summary": _summaries_for(tender).first() if award else None,
            "crumbs": _provider_crumbs(competition, (f"Your response: {tender.lot}", None)),
        },
    )


@permission_required(TENDER)
def withdraw_tender(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _own_tender(request, pk)
    errors = []
    if request.method == "POST":
        try:
            services.withdraw_tender(tender=tender, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
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
    document = get_object_or_404(TenderDocument, pk=document_pk, tender=tender)
    return attachment_response(document.file, document.name)
