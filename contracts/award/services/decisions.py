"""Award decisions for each lot with their standstill, lots not awarded with reasons to bidders, and
contracts created from awards once standstill has passed."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.dates import long_date
from commissioning.documents import request_document
from commissioning.models import User
from commissioning.templatetags.portal import money
from contracts import services as contract_services
from contracts import whole_life
from contracts.award import selectors
from contracts.award.events import AWARD_DECIDED
from contracts.award.lifecycles import COMPETITION, TENDER
from contracts.award.models import (
    Award,
    Competition,
    CompetitionLot,
    NoAward,
    Tender,
)
from contracts.models import Contract, NoticeType, term_end
from contracts.notices.services import sync_notices

from .common import (
    AwardRuleError,
    Status,
    emails_of_suppliers,
    field_error,
    lock_for_officer,
    move,
    notify,
    now_or,
    require_notice_published,
    require_officer,
)
from .tenders import json_ready

# --- Award and standstill -----------------------------------------------------------------------------


def _lock_undecided_lot(lot: CompetitionLot, by: User) -> Competition:
    """Lock the competition for a decision on `lot`: by one of its officers, once evaluated, and only
    while the lot is neither awarded nor recorded as not awarded."""
    competition = lock_for_officer(lot.competition, by, "decide_lot")
    if Award.objects.filter(lot=lot).exists():
        raise AwardRuleError(f"{lot} has already been awarded.")
    if NoAward.objects.filter(lot=lot).exists():
        raise AwardRuleError(f"{lot} has already been recorded as not awarded.")
    return competition


@transaction.atomic
def decide_award(
    *,
    lot: CompetitionLot,
    tender: Tender,
    reasons: str,
    by: User,
    skip_standstill_reason: str = "",
    now: datetime | None = None,
) -> Award:
    """Record the winner of a lot and why. Each bidder in the lot gets an assessment summary (PDF) and
    an email; the standstill runs before the contract is created (light-touch awards may skip it with
    a recorded reason)."""
    from contracts.award.reports import ASSESSMENT_SUMMARY

    now = now_or(now)
    competition = _lock_undecided_lot(lot, by)
    if tender.lot_id != lot.pk:
        raise field_error("tender", "That response is not for this lot")
    results = selectors.lot_results(lot)
    if not results:
        raise AwardRuleError(f"{lot} has no scored responses.")
    winner = next((r for r in results if r.tender.pk == tender.pk), None)
    if winner is None:
        raise field_error("tender", "That response has not been scored")
    if winner.rank != 1:
        raise field_error(
            "tender",
            f"The award goes to the highest-ranked response ({results[0].total} points); "
            f"this one is ranked {winner.rank}",
        )
    if not reasons.strip():
        raise field_error("reasons", "Give the reasons for the award")
    life = whole_life.from_annual(
        competition.contract_start_on, competition.term_months, competition.extension_list, winner.tender.annual_price
    )
    if contract_services.social_value_required(Contract.Kind.CONTRACT, life.amount) and not (
        winner.tender.social_value_summary.strip() and selectors.social_value_criterion(competition)
    ):
        raise AwardRuleError(
            f"The contract would be worth {money(life.amount)} over its whole life ({life.basis}), excluding VAT, over "
            f"{money(settings.SOCIAL_VALUE_THRESHOLD)}: "
            "it needs a Social Value Proposal scored and moderated in this competition, which it does not have."
        )
    skip = skip_standstill_reason.strip()
    if skip and not competition.is_light_touch:
        raise field_error("skip_standstill_reason", "Only a light-touch award may skip the standstill period")
    award = Award.objects.create(
        competition=competition,
        lot=lot,
        tender=winner.tender,
        annual_value=winner.tender.annual_price,
        reasons=reasons.strip(),
        results=json_ready([r.as_dict() for r in results]),
        decided_by=by,
        decided_at=now,
        standstill_ends_on=None,  # begins on the contract award notice's publication day (s.51)
        standstill_skipped_reason=skip,
    )
    for result in results:
        outcome = "win" if result.tender.pk == winner.tender.pk else "lose"
        result.tender.status = TENDER.next_status(outcome, result.tender.status)
        result.tender.save(update_fields=["status", "updated_at"])
    record(
        "competition.award_decided",
        by=by,
        obj=competition,
        data={
            "lot": lot.number,
            "winner": winner.tender.supplier.legal_name,
            "annual_value": award.annual_value,
            "reasons": award.reasons,
            "ranking": [(r.tender.supplier.legal_name, r.total) for r in results],
            "standstill_skipped_reason": skip,
        },
    )
    events.send(
        AWARD_DECIDED,
        competition_id=competition.pk,
        lot_id=lot.pk,
        award_id=award.pk,
        supplier_id=winner.tender.supplier_id,
        awarded=True,
        by_id=by.pk,
    )
    for result in results:
        request_document(kind=ASSESSMENT_SUMMARY, target=result.tender, by=by)
        successful = result.tender.pk == winner.tender.pk
        notify(
            to=emails_of_suppliers([result.tender.supplier_id]),
            subject=f"Outcome of your response: {competition.title}",
            message=(
                f"Your response to {lot} of {competition.reference} was "
                f"{'successful' if successful else 'not successful'}. Your assessment summary, with your scores "
                "and the reasons beside the winning response's, is on the portal."
                + (
                    ""
                    if skip
                    else f" A standstill period of {settings.STANDSTILL_WORKING_DAYS} working days begins on the day "
                    "the contract award notice is published; you will be told when it ends."
                )
            ),
            url=reverse("awards:provider_tender", args=[result.tender.pk]),
            action="Read your assessment summary",
        )
    _settle_if_every_lot_decided(competition, by=by, now=now)
    sync_notices(award, by=by)
    return award


def _settle_if_every_lot_decided(competition: Competition, *, by: User, now: datetime) -> None:
    """Once every lot with scored responses is awarded or not awarded, the competition moves on: to
    its standstill when at least one lot was awarded (and straight on to contracted when each award
    already has its contract), otherwise it ends as cancelled."""
    if competition.status != Status.EVALUATED:
        return
    awarded = set(Award.objects.filter(competition=competition).values_list("lot_id", flat=True))
    not_awarded = set(NoAward.objects.filter(competition=competition).values_list("lot_id", flat=True))
    to_decide = set(
        Tender.objects.filter(competition=competition, status__in=Tender.IN_EVALUATION).values_list("lot_id", flat=True)
    )
    if not to_decide <= awarded | not_awarded:
        return
    if awarded:
        move(competition, "award", by=by)
        _contracted_if_every_award_is(competition, by=by)
        return
    competition.cancelled_at = now
    competition.cancelled_by = by
    competition.cancellation_reason = "No lot was awarded."
    move(competition, "cancel", by=by, data={"reason": competition.cancellation_reason})
    sync_notices(competition, by=by)


@transaction.atomic
def decide_no_award(*, lot: CompetitionLot, reasons: str, by: User, now: datetime | None = None) -> NoAward:
    """Record that a lot will not be awarded, and why: for example no response met the quality
    threshold, or every price was beyond the budget. Its bidders are told the reasons by email."""
    now = now_or(now)
    competition = _lock_undecided_lot(lot, by)
    if not reasons.strip():
        raise field_error("reasons", "Give the reasons for not awarding the lot")
    tenders = list(
        Tender.objects.filter(lot=lot, status__in=Tender.IN_EVALUATION).select_related("supplier").order_by("pk")
    )
    if not tenders:
        raise AwardRuleError(f"{lot} has no opened responses to decide on.")
    decision = NoAward.objects.create(
        competition=competition, lot=lot, reasons=reasons.strip(), decided_by=by, decided_at=now
    )
    for tender in tenders:
        tender.status = TENDER.next_status("lose", tender.status)
        tender.save(update_fields=["status", "updated_at"])
    record(
        "competition.lot_not_awarded",
        by=by,
        obj=competition,
        data={"lot": lot.number, "reasons": decision.reasons, "bidders": [t.supplier.legal_name for t in tenders]},
    )
    events.send(
        AWARD_DECIDED,
        competition_id=competition.pk,
        lot_id=lot.pk,
        award_id=None,
        supplier_id=None,
        awarded=False,
        by_id=by.pk,
    )
    for tender in tenders:
        notify(
            to=emails_of_suppliers([tender.supplier_id]),
            subject=f"Outcome of your response: {competition.title}",
            message=(
                f"{lot} of {competition.reference} will not be awarded, so your response was not successful. "
                f"The reasons: {decision.reasons}"
            ),
            url=reverse("awards:provider_tender", args=[tender.pk]),
            action="Read your response",
        )
    _settle_if_every_lot_decided(competition, by=by, now=now)
    sync_notices(decision, by=by)
    return decision


@transaction.atomic
def create_award_contract(
    *, award: Award, reference: str, start_on: date, by: User, today: date | None = None
) -> Contract:
    """After the standstill, create the contract from the award, copying the Social Value Proposal and
    its commitments (accepted, since it was scored and moderated in the award)."""
    today = today or timezone.localdate()
    award = Award.objects.select_for_update().select_related("competition", "tender__supplier", "lot").get(pk=award.pk)
    competition = award.competition
    require_officer(competition, by)
    if award.contract_id is not None:
        raise AwardRuleError("The contract has already been created from this award.")
    COMPETITION.next_status("create_contract", competition.status)
    require_notice_published(
        award,
        NoticeType.UK6,
        "Publish the contract award notice (UK6) on Find a Tender and record it here before the contract is "
        "entered into (s.50 of the Procurement Act 2023).",
        by=by,
    )
    if not award.standstill_over(today):
        if award.standstill_ends_on is None:
            raise AwardRuleError(
                "The standstill period has not begun: it begins on the day the contract award notice (UK6) is "
                "published. Record its publication first."
            )
        raise AwardRuleError(
            f"The standstill period runs to the end of {award.standstill_ends_on:%A} "
            f"{long_date(award.standstill_ends_on)}: the contract can be created after that."
        )
    tender = award.tender
    several_lots = competition.lots.count() > 1
    title = f"{competition.title}: {award.lot.title}" if several_lots else competition.title
    try:
        contract = contract_services.create_contract(
            by=by,
            reference=reference.strip(),
            title=title[:250],
            scope=competition.description,
            supplier=tender.supplier,
            buying_authority=competition.buying_authority,
            start_on=start_on,
            initial_end_on=term_end(start_on, competition.term_months),
            lot=competition.framework_lot,
            areas=list(competition.areas.all()),
            consortium_members=[s for s in (m.linked_supplier for m in tender.consortium_members.all()) if s],
            extension_months=competition.extension_list,
            annual_value=award.annual_value,
            officer_manager=competition.owner,
            origin=Contract.Origin.AWARD,
            source=award,
        )
    except contract_services.ContractRuleError as error:
        raise field_error("reference" if error.field == "reference" else "start_on", error.text) from error
    copy_social_value(
        contract,
        summary=tender.social_value_summary,
        commitments=[c.as_spec() for c in tender.commitments.all()],
        score=selectors.social_value_percentage(tender),
        received_on=timezone.localdate(tender.submitted_at) if tender.submitted_at else None,
        by=by,
    )
    award.contract = contract
    award.save(update_fields=["contract"])
    record(
        "competition.contract_created",
        by=by,
        obj=competition,
        data={"lot": award.lot.number, "contract": contract.reference},
    )
    _contracted_if_every_award_is(competition, by=by)
    sync_notices(contract, by=by)
    return contract


def _contracted_if_every_award_is(competition: Competition, *, by: User) -> None:
    """An awarded competition is contracted once each of its awards has its contract."""
    if competition.status == Status.AWARDED and not competition.awards.filter(contract__isnull=True).exists():
        move(competition, "contract", by=by)


def copy_social_value(
    contract: Contract, *, summary: str, commitments: list[dict], score, received_on, by: User
) -> None:
    if not summary.strip():
        return
    proposal = contract_services.record_social_value_proposal(
        by=by, contract=contract, summary=summary, received_on=received_on, score=score, commitments=commitments
    )
    if score is not None and commitments:
        contract_services.accept_social_value_proposal(by=by, proposal=proposal)
