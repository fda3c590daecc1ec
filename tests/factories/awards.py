"""Factories for the award stage: competitions (mini-competitions on a framework lot and seed 002's
expression of interest), complete responses, opening, evaluation and moderation. They go through
`contracts.award.services`, so everything they make is something the portal itself could have made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissioning.demo import minimal_pdf
from commissioning.models import Area, Authority, User
from contracts.award import services
from contracts.award.models import AwardCriterion, Competition, DirectAward, Justification, Tender
from frameworks import evaluation
from frameworks.models import Framework, Lot
from suppliers.models import Supplier
from tests.factories import make_area, make_authority, make_established, make_user
from tests.factories.frameworks import make_appointment, make_framework, make_lot

PDF_BYTES = minimal_pdf("award")
CSV_BYTES = b"Item,Year 1,Year 2\nStaff,250000,250000\nOverheads,30000,30000\n"

# Seed 002: the West Midlands OPCC's Domestic Abuse Perpetrator Interventions Fund.
SEED_002_LOTS = [
    {
        "number": 1,
        "title": "Early Responses – In Custody Intervention",
        "min_annual_bid": None,
        "max_annual_bid": Decimal("1000000"),
    },
    {
        "number": 2,
        "title": "Independent Evaluation of the Early Responses Programme - In Custody Intervention",
        "min_annual_bid": None,
        "max_annual_bid": Decimal("1000000"),
    },
    {
        "number": 3,
        "title": "Behaviour Change Intervention",
        "min_annual_bid": Decimal("300000"),
        "max_annual_bid": Decimal("1000000"),
    },
]
SEED_002_COMBINED = [{"lots": [1, 2], "min_total": Decimal("300000"), "max_total": Decimal("1000000")}]

STANDARD_CRITERIA = [
    {"kind": "quality", "title": "Service delivery", "question": "How will you deliver the service?", "weight": 40},
    {"kind": "quality", "title": "Outcomes", "question": "How will you measure outcomes?", "weight": 20},
    {"kind": "price", "title": "Price", "weight": 30},
    {"kind": "social_value", "title": "Social value", "weight": 10},
]


def pdf(name: str = "supporting.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def budget(name: str = "budget.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, CSV_BYTES, content_type="text/csv")


@dataclass
class AwardSetup:
    authority: Authority
    officer: User
    officer2: User
    evaluators: list[User]
    framework: Framework
    lot: Lot
    areas: list[Area]
    suppliers: list[Supplier]  # appointed on `lot` covering every area of `areas`
    providers: list[User]  # one provider user per supplier above
    partial_supplier: Supplier  # appointed on `lot` covering only areas[0]
    partial_provider: User
    extra: dict = field(default_factory=dict)


def make_award_setup(*, bidders: int = 2) -> AwardSetup:
    """A lead authority with two officers (the second approved by a second administrator, so that they may
    confirm an opening or approve a direct award) and two evaluators, a framework lot, three areas, `bidders`
    suppliers appointed on the lot for every area, and one appointed for one area only."""
    authority = make_authority(kind=Authority.Kind.OPCC, is_lead_commissioner=True)
    officer = make_user(User.Role.OFFICER, authority=authority, full_name="Olivia Owner")
    officer2 = make_established(User.Role.OFFICER, authority=authority, full_name="Sam Second")
    evaluators = [
        make_user(User.Role.EVALUATOR, authority=authority, full_name=name) for name in ("Eve Evans", "Ed Edwards")
    ]
    framework = make_framework(lead_authority=authority)
    lot = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)")
    areas = [make_area(name=name) for name in ("Northfield", "Southam", "Westbury")]
    suppliers, providers = [], []
    for _ in range(bidders):
        provider = make_user(User.Role.PROVIDER)
        supplier = provider.supplier_membership.supplier
        make_appointment(lot, supplier, areas=areas)
        suppliers.append(supplier)
        providers.append(provider)
    partial_provider = make_user(User.Role.PROVIDER)
    partial = partial_provider.supplier_membership.supplier
    make_appointment(lot, partial, areas=areas[:1])
    return AwardSetup(
        authority, officer, officer2, evaluators, framework, lot, areas, suppliers, providers, partial, partial_provider
    )


_seq = iter(range(1, 100000))


def make_competition(
    *,
    by: User,
    kind: str = Competition.Kind.MINI_COMPETITION,
    framework_lot: Lot | None = None,
    areas=(),
    estimated_value: Decimal | str = "90000",
    closes_at: datetime | None = None,
    clarification_deadline: datetime | None = None,
    criteria: list[dict] | None = None,
    contract_start_on: date = date(2026, 4, 1),
    term_months: int = 24,
    **overrides,
) -> Competition:
    """A draft with good criteria (weights 40/20/30/10 with questions), closing in two weeks."""
    now = timezone.now()
    closes_at = closes_at or now + timedelta(days=14)
    competition = services.create_competition(
        by=by,
        kind=kind,
        reference=overrides.pop("reference", f"MC-TEST-{next(_seq):04d}"),
        title=overrides.pop("title", "Independent domestic violence advocacy for the courts"),
        framework_lot=framework_lot,
        areas=areas,
        estimated_value=Decimal(str(estimated_value)),
        contract_start_on=contract_start_on,
        term_months=term_months,
        clarification_deadline=clarification_deadline or min(closes_at, now + timedelta(days=7)),
        closes_at=closes_at,
        **overrides,
    )
    services.save_criteria(competition=competition, criteria=criteria or STANDARD_CRITERIA, by=by)
    return competition


def make_published_mini(setup: AwardSetup, **kwargs) -> Competition:
    competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas, **kwargs)
    return services.publish_competition(competition=competition, by=setup.officer)


def make_seed_002_eoi(*, by: User, publish: bool = True, **kwargs) -> Competition:
    """Seed 002: three lots, Lot 3 between £300,000 and £1,000,000 a year, Lots 1 and 2 together between
    £300,000 and £1,000,000 a year; a budget template with every response."""
    kwargs.setdefault("estimated_value", "2000000")
    competition = make_competition(
        by=by,
        kind=Competition.Kind.EXPRESSION_OF_INTEREST,
        title="Domestic Abuse Perpetrator Interventions Fund",
        reference=kwargs.pop("reference", f"EOI-TEST-{next(_seq):04d}"),
        **kwargs,
    )
    services.save_lots(competition=competition, lots=SEED_002_LOTS, combined=SEED_002_COMBINED, by=by)
    if publish:
        services.publish_competition(competition=competition, by=by)
    competition.refresh_from_db()
    return competition


def complete_tender(
    competition: Competition,
    provider: User,
    *,
    lot_number: int | None = None,
    price: Decimal | str = "45000",
    submit: bool = True,
    now: datetime | None = None,
    answers: str = "Our answer",
) -> Tender:
    """Start and fill in a response through the services (and submit it unless told not to)."""
    lot = competition.lots.get(number=lot_number) if lot_number else competition.lots.first()
    tender = services.start_tender(competition=competition, lot=lot, by=provider, now=now)
    sv = services.social_value_needed(tender)
    services.save_tender(
        tender=tender,
        by=provider,
        now=now,
        annual_price=Decimal(str(price)),
        answers={
            c.pk: f"{answers} to {c.title}" for c in competition.criteria.filter(kind=AwardCriterion.Kind.QUALITY)
        },
        is_consortium=False,
        social_value_summary="Local apprenticeships and volunteering." if sv else None,
        commitments=[
            {
                "theme": "jobs",
                "measure": "Local people employed",
                "unit": "people",
                "target": Decimal("2"),
                "due_on": date(2027, 3, 31),
            }
        ]
        if sv
        else None,
        uploads={"budget": budget()} if competition.requires_budget_template else None,
    )
    if submit:
        services.submit_tender(tender=tender, by=provider, now=now)
    tender.refresh_from_db()
    return tender


def close_now(competition: Competition) -> Competition:
    """Move the closing time (and the question deadline) into the past, as time passing would."""
    past = timezone.now() - timedelta(seconds=5)
    Competition.objects.filter(pk=competition.pk).update(
        closes_at=past, clarification_deadline=min(competition.clarification_deadline, past)
    )
    competition.refresh_from_db()
    return competition


def open_competition(competition: Competition, first: User, second: User) -> Competition:
    close_now(competition)
    services.request_opening(competition=competition, by=first)
    services.confirm_opening(competition=competition, by=second)
    competition.refresh_from_db()
    return competition


def evaluate_all(
    competition: Competition, officer: User, evaluators: list[User], marks: dict[int, dict[str, int]] | None = None
) -> Competition:
    """Assign the evaluators, declare no conflict, mark every criterion, submit, and moderate each mark.
    `marks` maps a tender pk to {criterion title: mark}; 3 otherwise."""
    evaluation.assign_evaluators(target=competition, evaluators=evaluators, by=officer)
    marks = marks or {}
    criteria = [c for c in competition.criteria.all() if c.is_scored]
    for tender in competition.tenders.filter(status=Tender.Status.OPENED):
        wanted = marks.get(tender.pk, {})
        for assignment in tender.assignments.all():
            evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
            evaluation.save_scores(
                assignment=assignment,
                scores={
                    c.pk: {"score": wanted.get(c.title, 3), "comment": "Evidence in the answer."} for c in criteria
                },
                submit=True,
                by=assignment.evaluator,
            )
        for criterion in criteria:
            evaluation.moderate(
                subject=tender,
                criterion=criterion,
                score=wanted.get(criterion.title, 3),
                reason="Agreed by the panel.",
                by=officer,
            )
    competition.refresh_from_db()
    return competition


_FTS_SEQUENCE = iter(range(100000, 999999))


def next_fts_number(year: int | None = None) -> str:
    return f"{next(_FTS_SEQUENCE):06d}-{year or timezone.localdate().year}"


def publish_award_notice(award, by: User, *, published_on: date | None = None):
    """Record the award's contract award notice (UK6) as published on Find a Tender, which starts its
    standstill (s.51), and return the award as it now stands."""
    from contracts.notices.models import Notice, NoticeType
    from contracts.notices.services import publish_notice

    notice = Notice.objects.get(key=f"award:{award.pk}:{NoticeType.UK6}")
    publish_notice(
        notice=notice,
        fts_number=next_fts_number(),
        published_on=published_on or timezone.localdate(award.decided_at),
        by=by,
    )
    award.refresh_from_db()
    return award


def make_direct_award(setup: AwardSetup, **overrides) -> DirectAward:
    """A framework call-off without competition, requested by the setup's first officer: £50,000 a year for
    two years (at the social value threshold; above it, its Social Value Proposal has a criterion to score)."""
    values = {
        "by": setup.officer,
        "reference": "DA-TEST-1",
        "title": "Children's ISVA service",
        "supplier": setup.suppliers[0],
        "framework_lot": setup.lot,
        "areas": setup.areas,
        "annual_value": Decimal("50000"),
        "contract_start_on": date(2026, 4, 1),
        "term_months": 24,
        "justification": Justification.FRAMEWORK_NO_COMPETITION,
        "explanation": "The only appointee for these areas.",
        "social_value_summary": "Local volunteers.",
        "commitments": [
            {
                "theme": "jobs",
                "measure": "Volunteers",
                "unit": "people",
                "target": Decimal("5"),
                "due_on": date(2027, 3, 31),
            }
        ],
    }
    values.update(overrides)
    return services.request_direct_award(**values)
