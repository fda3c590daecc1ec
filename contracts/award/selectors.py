"""Reads of the award stage, scoped to what the user may see.

Sealing lives here: the only querysets that return a response's content to anyone but its bidder
(`opened_tenders_for_officer`, `tender_assignments_for_evaluator`) require the competition to have
been opened by two officers, and opening is refused before the closing time. Before that, officers
get counts (`received_count`, `received_by_lot`) and nothing else. Lists have a fixed number of
queries however many competitions and responses there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from commissioning.models import Area, GeneratedDocument, User
from commissioning.pagination import related_count
from commissioning.providers import supplier_of
from commissioning.rules import acting_for_filter, is_officer, is_platform_admin
from frameworks.models import Appointment, Framework, Lot
from frameworks.partner_selectors import current_appointments
from suppliers.models import Supplier

from .models import (
    Award,
    AwardCriterion,
    ClarificationQuestion,
    CombinedLimit,
    Competition,
    CompetitionInvitation,
    CompetitionLot,
    DirectAward,
    DirectAwardAssignment,
    DirectAwardModeratedScore,
    DirectAwardScore,
    NoAward,
    Tender,
    TenderAssignment,
    TenderDocument,
    TenderModeratedScore,
    TenderScore,
)

PENNY = Decimal("0.01")
RECEIVED = [Tender.Status.SUBMITTED, *Tender.IN_EVALUATION]


# Who may bid ---------------------------------------------------------------------------------------


def call_off_appointments(lot: Lot | int, buying_authority_id: int | None) -> QuerySet[Appointment]:
    """The current appointments on a framework lot that an authority may call off from: every one when it
    leads the framework; for a partner authority only those of suppliers who agreed to share their details
    with the named partners (seed 000), on a framework shared with it. Every call-off's eligibility
    (mini-competition invitations, direct award candidates) goes through here."""
    shared = Framework.objects.filter(partner_authorities=buying_authority_id).values("pk")
    return current_appointments().filter(
        Q(lot__framework__lead_authority=buying_authority_id)
        | Q(consent_share_with_partners=True, lot__framework__in=shared),
        lot=lot,
    )


def eligible_appointments(competition: Competition) -> QuerySet[Appointment]:
    """Active, current appointments on the competition's framework lot whose areas cover every area of
    the competition, that its buying authority may call off from (`call_off_appointments`). Nothing for an
    expression of interest, or a mini-competition without areas."""
    area_ids = list(competition.areas.values_list("pk", flat=True))
    if not competition.framework_lot_id or not area_ids:
        return Appointment.objects.none()
    return (
        call_off_appointments(competition.framework_lot_id, competition.buying_authority_id)
        .annotate(covered=Count("areas", filter=Q(areas__in=area_ids), distinct=True))
        .filter(covered=len(area_ids))
        .select_related("supplier")
        .prefetch_related("areas")
        .order_by("supplier__legal_name")
    )


def eligible_suppliers(competition: Competition) -> list[Supplier]:
    return [appointment.supplier for appointment in eligible_appointments(competition)]


def appointment_covers(lot: Lot, supplier: Supplier, areas: list[Area], *, buying_authority_id: int | None) -> bool:
    """For a direct award from a framework lot: an active appointment covering every area, that the buying
    authority may call off from (`call_off_appointments`)."""
    area_ids = [a.pk for a in areas]
    return (
        call_off_appointments(lot, buying_authority_id)
        .filter(supplier=supplier)
        .annotate(covered=Count("areas", filter=Q(areas__in=area_ids), distinct=True))
        .filter(covered=len(area_ids))
        .exists()
    )


def may_bid(competition: Competition, supplier: Supplier | None) -> bool:
    """Any registered supplier may answer an expression of interest; a mini-competition only the
    suppliers invited when it was published."""
    if supplier is None or competition.status == Competition.Status.DRAFT:
        return False
    if competition.is_mini_competition:
        return CompetitionInvitation.objects.filter(competition=competition, supplier=supplier).exists()
    return True


def bidder_supplier_ids(competition: Competition) -> set[int]:
    """Everyone to tell about the competition: invited suppliers, those who started a response, and
    those who asked a question."""
    ids = set(CompetitionInvitation.objects.filter(competition=competition).values_list("supplier_id", flat=True))
    ids |= set(Tender.objects.filter(competition=competition).values_list("supplier_id", flat=True))
    ids |= set(ClarificationQuestion.objects.filter(competition=competition).values_list("supplier_id", flat=True))
    return ids


def bidder_users(competition: Competition) -> QuerySet[User]:
    return User.objects.filter(
        supplier_membership__supplier__in=bidder_supplier_ids(competition), is_active=True, role=User.Role.PROVIDER
    ).order_by("pk")


# Criteria and limits -------------------------------------------------------------------------------


def answerable_criteria(competition: Competition) -> list[AwardCriterion]:
    """The quality questions a bidder answers in writing."""
    return [c for c in competition.criteria.all() if c.kind == AwardCriterion.Kind.QUALITY]


def scored_criteria(competition: Competition) -> list[AwardCriterion]:
    """What evaluators mark: the quality questions and the Social Value Proposal."""
    return [c for c in competition.criteria.all() if c.is_scored]


def social_value_criterion(competition: Competition) -> AwardCriterion | None:
    return next((c for c in competition.criteria.all() if c.is_social_value and c.weight), None)


# Counts before opening ----------------------------------------------------------------------------


@dataclass
class CombinedAwardCheck:
    """Seed 002: "Lot 1 & 2 will be combined by the OPCC": a combined limit bounds what the authority
    awards across its lots together, not each supplier's bids (each bid keeps to its own lot's bounds)."""

    limit: CombinedLimit
    label: str
    awarded: dict[int, Decimal]  # lot number -> annual value awarded
    lot_numbers: list[int]

    @property
    def total(self) -> Decimal:
        return sum(self.awarded.values(), Decimal(0))

    @property
    def complete(self) -> bool:
        return set(self.awarded) == set(self.lot_numbers)

    @property
    def below_minimum(self) -> bool:
        return self.limit.min_total is not None and self.total < self.limit.min_total

    @property
    def above_maximum(self) -> bool:
        return self.limit.max_total is not None and self.total > self.limit.max_total

    @property
    def outside(self) -> bool:
        """Outside the bounds: over the maximum at any point, or under the minimum once something is
        awarded on the limit's lots."""
        return self.above_maximum or (bool(self.awarded) and self.below_minimum)


def combined_award_checks(competition: Competition) -> list[CombinedAwardCheck]:
    """What has been awarded across each combined limit's lots, against its bounds (two queries)."""
    limits = list(CombinedLimit.objects.filter(competition=competition).prefetch_related("lots"))
    if not limits:
        return []
    awarded = {
        number: value
        for number, value in Award.objects.filter(competition=competition).values_list("lot__number", "annual_value")
    }
    checks = []
    for limit in limits:
        numbers = sorted(lot.number for lot in limit.lots.all())
        checks.append(
            CombinedAwardCheck(
                limit=limit,
                label=CombinedLimit.label_for(numbers),
                awarded={n: awarded[n] for n in numbers if n in awarded},
                lot_numbers=numbers,
            )
        )
    return checks


def received_count(competition: Competition) -> int:
    """How many responses are submitted (withdrawn ones are not): all anyone learns before opening."""
    return Tender.objects.filter(competition=competition, status__in=RECEIVED).count()


def received_by_lot(competition: Competition) -> dict[int, int]:
    rows = (
        Tender.objects.filter(competition=competition, status__in=RECEIVED)
        .values("lot__number")
        .annotate(n=Count("pk"))
        .order_by("lot__number")
    )
    counts = {lot.number: 0 for lot in competition.lots.all()}
    counts.update({row["lot__number"]: row["n"] for row in rows})
    return counts


# Officers -----------------------------------------------------------------------------------------


def competitions_for_officer(user: User) -> QuerySet[Competition]:
    return Competition.objects.filter(acting_for_filter(user, "buying_authority"))


COMPETITION_ORDER = ("-created_at", "-pk")
# What a row of the officers' list shows (`Competition.state_label` included) and is ordered by.
COMPETITION_ROW_FIELDS = (
    "reference",
    "title",
    "status",
    "closes_at",
    "opening_requested_at",
    "created_at",
    "framework_lot__number",
    "framework_lot__framework__reference",
    "owner__full_name",
)
DIRECT_AWARD_ORDER = ("-requested_at", "-pk")


def competition_list(user: User) -> QuerySet[Competition]:
    """The officers' list, newest first (`COMPETITION_ORDER`, which an index matches): two queries however
    many competitions and responses, the responses and lots counted for the rows shown only, their areas
    added to the rows shown by `commissioning.pagination.with_area_names`. Only the columns a row shows and
    orders by are read: not the specification, the sealing key or the owner's whole account."""
    return (
        competitions_for_officer(user)
        .select_related("framework_lot__framework", "owner")
        .only(*COMPETITION_ROW_FIELDS)
        .annotate(
            received=related_count(Tender.objects.filter(status__in=RECEIVED), "competition"),
            lot_count=related_count(CompetitionLot.objects.all(), "competition"),
        )
        .order_by(*COMPETITION_ORDER)
    )


def direct_awards_for_officer(user: User) -> QuerySet[DirectAward]:
    return (
        DirectAward.objects.filter(acting_for_filter(user, "buying_authority"))
        .select_related("supplier", "framework_lot__framework", "requested_by", "decided_by")
        .order_by(*DIRECT_AWARD_ORDER)
    )


def direct_award_list(user: User) -> QuerySet[DirectAward]:
    """The officers' list of direct awards, newest first (`DIRECT_AWARD_ORDER`): the columns a row shows."""
    return (
        direct_awards_for_officer(user)
        .select_related(None)
        .select_related("supplier", "requested_by")
        .only(
            "reference",
            "title",
            "annual_value",
            "status",
            "requested_at",
            "supplier__legal_name",
            "requested_by__full_name",
        )
    )


def competition_detail(user: User, pk: int) -> Competition:
    return (
        competitions_for_officer(user)
        .select_related(
            "framework_lot__framework",
            "owner",
            "buying_authority",
            "published_by",
            "opening_requested_by",
            "opened_by",
            "cancelled_by",
        )
        .prefetch_related(
            "areas",
            Prefetch("lots", queryset=CompetitionLot.objects.order_by("number")),
            "criteria",
            Prefetch("combined_limits", queryset=CombinedLimit.objects.prefetch_related("lots")),
        )
        .get(pk=pk)
    )


def opened_tenders_for_officer(user: User) -> QuerySet[Tender]:
    """Responses an officer may read: only of competitions their authority runs, and only once opened."""
    return Tender.objects.filter(
        competition__in=competitions_for_officer(user),
        competition__opened_at__isnull=False,
        status__in=Tender.IN_EVALUATION,
    ).select_related("competition", "lot", "supplier")


def invitations(competition: Competition) -> QuerySet[CompetitionInvitation]:
    return CompetitionInvitation.objects.filter(competition=competition).select_related("supplier")


# Providers ----------------------------------------------------------------------------------------


def tenders_for_provider(user: User) -> QuerySet[Tender]:
    supplier = supplier_of(user)
    if supplier is None:
        return Tender.objects.none()
    return Tender.objects.filter(supplier=supplier).select_related("competition", "lot", "supplier")


def competitions_for_provider(user: User) -> QuerySet[Competition]:
    """Published competitions the supplier may see: invitations, expressions of interest, and any it
    has responded to or asked about."""
    supplier = supplier_of(user)
    if supplier is None:
        return Competition.objects.none()
    return (
        Competition.objects.exclude(status=Competition.Status.DRAFT)
        .filter(
            Q(kind=Competition.Kind.EXPRESSION_OF_INTEREST)
            | Q(invitations__supplier=supplier)
            | Q(tenders__supplier=supplier)
        )
        .distinct()
    )


def provider_competition_list(user: User) -> list[Competition]:
    now = timezone.now()
    supplier = supplier_of(user)
    competitions = list(
        competitions_for_provider(user)
        .select_related("buying_authority", "framework_lot__framework")
        .prefetch_related(
            Prefetch("lots", queryset=CompetitionLot.objects.order_by("number")),
            Prefetch("tenders", queryset=Tender.objects.filter(supplier=supplier).select_related("lot"), to_attr="own"),
        )
        .order_by("closes_at")
    )
    for competition in competitions:
        competition.open_now = competition.is_open(now)
    return competitions


def published_questions(competition: Competition) -> QuerySet[ClarificationQuestion]:
    """Answered questions as published: no asker is named."""
    return ClarificationQuestion.objects.filter(competition=competition, answered_at__isnull=False).order_by(
        "answered_at", "pk"
    )


# Public -------------------------------------------------------------------------------------------


def open_expressions_of_interest(now=None) -> QuerySet[Competition]:
    return (
        Competition.objects.filter(
            kind=Competition.Kind.EXPRESSION_OF_INTEREST,
            status=Competition.Status.PUBLISHED,
            closes_at__gt=now or timezone.now(),
        )
        .select_related("buying_authority")
        .prefetch_related(Prefetch("lots", queryset=CompetitionLot.objects.order_by("number")))
        .order_by("closes_at")
    )


# Evaluators ---------------------------------------------------------------------------------------


def tender_assignments_for_evaluator(user: User) -> QuerySet[TenderAssignment]:
    return TenderAssignment.objects.filter(
        evaluator=user, tender__competition__opened_at__isnull=False, tender__status__in=Tender.IN_EVALUATION
    ).select_related("tender__competition", "tender__lot", "tender__supplier")


def direct_award_assignments_for_evaluator(user: User) -> QuerySet[DirectAwardAssignment]:
    return DirectAwardAssignment.objects.filter(evaluator=user).select_related("direct_award__supplier")


# Results ------------------------------------------------------------------------------------------


def price_points(lowest: Decimal, price: Decimal, available: int | Decimal) -> Decimal:
    """The stated price formula: lowest price ÷ this price × the marks available for price."""
    if price is None or price <= 0 or lowest is None:
        return Decimal("0.00")
    return (Decimal(lowest) / Decimal(price) * Decimal(available)).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass
class CriterionResult:
    criterion: AwardCriterion
    moderated: TenderModeratedScore | None
    points: Decimal | None
    detail: str


@dataclass
class TenderResult:
    tender: Tender
    rows: list[CriterionResult] = field(default_factory=list)
    total: Decimal = Decimal("0.00")
    rank: int = 0
    complete: bool = False

    def as_dict(self) -> dict:
        return {
            "tender": self.tender.pk,
            "supplier": self.tender.supplier.legal_name,
            "annual_price": self.tender.annual_price,
            "total": self.total,
            "rank": self.rank,
            "criteria": [
                {
                    "criterion": r.criterion.pk,
                    "title": r.criterion.title,
                    "weight": r.criterion.weight,
                    "score": r.moderated.score if r.moderated else None,
                    "reason": r.moderated.reason if r.moderated else "",
                    "points": r.points,
                    "detail": r.detail,
                }
                for r in self.rows
            ],
        }


def social_value_percentage(tender: Tender) -> Decimal | None:
    """The moderated social value mark as a percentage of the marks available, for the contract."""
    criterion = social_value_criterion(tender.competition)
    if criterion is None:
        return None
    moderated = TenderModeratedScore.objects.filter(tender=tender, criterion=criterion).first()
    if moderated is None or moderated.score is None:
        return None
    return (Decimal(moderated.score) / Decimal(criterion.max_score) * 100).quantize(PENNY)


def lot_results(lot: CompetitionLot) -> list[TenderResult]:
    """Every opened response of a lot with its points per criterion, total out of 100 and rank
    (equal totals share a rank). Price points follow the stated formula; the others are the weight
    times the moderated mark over the marks available."""
    competition = lot.competition
    criteria = list(competition.criteria.all())
    tenders = list(
        Tender.objects.filter(lot=lot, status__in=Tender.IN_EVALUATION)
        .select_related("supplier", "competition", "lot")
        .prefetch_related(
            Prefetch("moderated_scores", queryset=TenderModeratedScore.objects.select_related("criterion"))
        )
        .order_by("pk")
    )
    prices = [t.annual_price for t in tenders if t.annual_price]
    lowest = min(prices) if prices else None
    results = []
    for tender in tenders:
        agreed = {m.criterion_id: m for m in tender.moderated_scores.all()}
        result = TenderResult(tender=tender)
        complete = True
        for criterion in criteria:
            if criterion.is_price:
                points = price_points(lowest, tender.annual_price, criterion.weight)
                detail = f"lowest price £{lowest:,.2f} ÷ this price £{tender.annual_price:,.2f} × {criterion.weight}"
                result.rows.append(CriterionResult(criterion, None, points, detail))
                continue
            moderated = agreed.get(criterion.pk)
            if moderated is None or moderated.score is None:
                complete = False
                result.rows.append(CriterionResult(criterion, None, None, "not yet moderated"))
                continue
            points = (Decimal(criterion.weight) * Decimal(moderated.score) / Decimal(criterion.max_score)).quantize(
                PENNY, rounding=ROUND_HALF_UP
            )
            detail = f"{moderated.score} of {criterion.max_score} × {criterion.weight}"
            result.rows.append(CriterionResult(criterion, moderated, points, detail))
        result.complete = complete
        result.total = sum((r.points or Decimal(0) for r in result.rows), Decimal(0)).quantize(PENNY)
        results.append(result)
    results.sort(key=lambda r: (-r.total, r.tender.pk))
    for result in results:
        result.rank = 1 + sum(1 for other in results if other.total > result.total)
    return results


def no_awards_for(competition: Competition) -> dict[int, NoAward]:
    return {
        decision.lot_id: decision
        for decision in NoAward.objects.filter(competition=competition).select_related("decided_by")
    }


def awards_for(competition: Competition) -> dict[int, Award]:
    return {
        award.lot_id: award
        for award in Award.objects.filter(competition=competition).select_related(
            "tender__supplier", "contract", "decided_by"
        )
    }


# What the officers' pages read about one competition, response or direct award ---------------------------


def competition_lots_for_officer(user: User) -> QuerySet[CompetitionLot]:
    return CompetitionLot.objects.filter(competition__in=competitions_for_officer(user))


def criteria_for_officer(user: User) -> QuerySet[AwardCriterion]:
    return AwardCriterion.objects.filter(competition__in=competitions_for_officer(user))


def questions_for_officer(user: User) -> QuerySet[ClarificationQuestion]:
    return ClarificationQuestion.objects.filter(competition__in=competitions_for_officer(user))


def awards_for_officer(user: User) -> QuerySet[Award]:
    return Award.objects.filter(competition__in=competitions_for_officer(user)).select_related(
        "competition", "lot", "tender__supplier"
    )


def documents_of_opened_tenders(user: User) -> QuerySet[TenderDocument]:
    """The files of responses the officer may read (see `opened_tenders_for_officer`)."""
    return TenderDocument.objects.filter(tender__in=opened_tenders_for_officer(user))


def tender_assignments_of(competition: Competition) -> QuerySet[TenderAssignment]:
    """Who marks the competition's responses; for officers once it is opened."""
    return TenderAssignment.objects.filter(tender__competition=competition).select_related(
        "evaluator", "tender__supplier"
    )


def submitted_tender_scores(tender: Tender, criterion: AwardCriterion | None = None) -> QuerySet[TenderScore]:
    """The evaluators' marks of a response (of one criterion), once each evaluator has submitted them."""
    scores = TenderScore.objects.filter(assignment__tender=tender, assignment__submitted_at__isnull=False)
    if criterion is not None:
        scores = scores.filter(criterion=criterion)
    return scores.select_related("assignment__evaluator")


def lot_is_awarded(lot_id: int) -> bool:
    return Award.objects.filter(lot=lot_id).exists()


def submitted_direct_award_scores(
    direct_award: DirectAward, criterion: AwardCriterion | None = None
) -> QuerySet[DirectAwardScore]:
    scores = DirectAwardScore.objects.filter(
        assignment__direct_award=direct_award, assignment__submitted_at__isnull=False
    )
    if criterion is not None:
        scores = scores.filter(criterion=criterion)
    return scores.select_related("assignment__evaluator")


def moderated_direct_award_scores(direct_award: DirectAward) -> QuerySet[DirectAwardModeratedScore]:
    return DirectAwardModeratedScore.objects.filter(direct_award=direct_award).select_related("moderated_by")


# What the providers' pages read --------------------------------------------------------------------------


def own_tenders_by_lot(user: User, competition: Competition) -> dict[int, Tender]:
    """The supplier's own responses to a competition, by competition lot."""
    return {tender.lot_id: tender for tender in tenders_for_provider(user).filter(competition=competition)}


def competition_lots_for_provider(user: User) -> QuerySet[CompetitionLot]:
    return CompetitionLot.objects.filter(competition__in=competitions_for_provider(user))


def documents_of_own_tenders(user: User) -> QuerySet[TenderDocument]:
    return TenderDocument.objects.filter(tender__in=tenders_for_provider(user))


def outcome_of(tender: Tender) -> tuple[Award | None, NoAward | None]:
    """The decision on the lot of a response that was opened and evaluated (a draft or withdrawn
    response has none): its award, or its record of not being awarded."""
    if tender.status not in Tender.IN_EVALUATION:
        return None, None
    award = Award.objects.filter(lot=tender.lot_id).first()
    return award, (NoAward.objects.filter(lot=tender.lot_id).first() if award is None else None)


def latest_assessment_summary(tender: Tender) -> GeneratedDocument | None:
    """The newest assessment summary (PDF) of a response; the report decides who may read it."""
    from .reports import ASSESSMENT_SUMMARY

    return (
        GeneratedDocument.objects.filter(
            kind=ASSESSMENT_SUMMARY, target_type=ContentType.objects.get_for_model(Tender), target_id=str(tender.pk)
        )
        .order_by("-requested_at")
        .first()
    )


def lots_to_call_off(officer: User) -> QuerySet[Lot]:
    """Framework lots the officer's authority may call off from: those of frameworks it runs and of
    frameworks that name it as an entitled partner authority."""
    lots = Lot.objects.select_related("framework").order_by("framework__title", "number")
    if is_platform_admin(officer):
        return lots
    return lots.filter(
        acting_for_filter(officer, "framework__lead_authority") | Q(framework__partner_authorities=officer.authority_id)
    ).distinct()


# The framework lead reads its partners' call-offs -----------------------------------------------------

PARTNER_CALL_OFFS_SHOWN = 50


def _partner_call_off_filter(user: User) -> Q:
    """Call-offs from a framework the user's authority leads, run by another (partner) authority."""
    if not (is_officer(user) and user.authority_id):
        return Q(pk__in=[])
    return Q(framework_lot__framework__lead_authority=user.authority_id) & ~Q(buying_authority=user.authority_id)


def partner_competitions_for_lead(user: User) -> QuerySet[Competition]:
    """Read-only: partners' mini-competitions on the lead's frameworks, once published (a draft is the
    partner's own work). Nothing about responses: who responded stays with the buying authority."""
    return (
        Competition.objects.filter(_partner_call_off_filter(user))
        .exclude(status=Competition.Status.DRAFT)
        .select_related("buying_authority", "framework_lot__framework")
        .prefetch_related("areas")
        .order_by(*COMPETITION_ORDER)
    )


def partner_direct_awards_for_lead(user: User) -> QuerySet[DirectAward]:
    """Read-only: partners' direct awards from the lead's frameworks."""
    return (
        DirectAward.objects.filter(_partner_call_off_filter(user))
        .select_related("buying_authority", "supplier", "framework_lot__framework")
        .order_by(*DIRECT_AWARD_ORDER)
    )
