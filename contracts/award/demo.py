"""Demo data for the award stage, entered through the services (with `now` set to when it happened,
so the audit trail reads like real use):

- WMOPCC-MC-2025-01, an awarded mini-competition on the framework's Lot 1 for Sandwell: Brindley
  Domestic Abuse Support and Tipton Safe Homes bid, two officers opened the responses, two evaluators
  marked them, the officer moderated, Brindley won; the standstill has run and its contract exists.
- WMOPCC-MC-2025-02, a mini-competition on Lot 1 for Birmingham, published and open now: Brindley
  (provider@demo.test) and the West Midlands IDVA Partnership are invited.
- WMOPCC-DAPIF-EOI, seed 002's expression of interest for the Domestic Abuse Perpetrator Interventions
  Fund, open to any provider, with its three lots, Lot 3 between £300,000 and £1,000,000 a year and
  Lots 1 and 2 together between £300,000 and £1,000,000 a year, checked on what the OPCC awards across
  both lots (a warning on the award page), not on each supplier's bids. The seed gives no separate bounds
  for Lots 1 and 2, so each is capped only at the combined maximum. Its dates are moved so that it is open
  now: the original deadline was 5pm on 3 February 2023 for a fund running 1 April 2023 to 31 March 2025.
- WMOPCC-DA-2025-01, a direct award (a call-off without competition under section 45(4)) to Arden
  Sexual Violence Advocacy CIC, over the social value threshold: its Social Value Proposal was scored
  and moderated, and a second officer approved it, which created the contract.

Opening and approval need a second officer: officer2@opcc.demo.test (Priya Shah), with the demo password.
Idempotent: each item is found by its reference and made once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from commissioning.clock import happened_at
from commissioning.dates import LONDON, deadline_on
from commissioning.demo import demo_approval, demo_user, minimal_pdf
from commissioning.models import Area, User
from frameworks import evaluation
from frameworks.models import Framework
from suppliers.models import Supplier

from . import services
from .models import Competition, DirectAward, Justification, Tender

AWARDED = "WMOPCC-MC-2025-01"
OPEN = "WMOPCC-MC-2025-02"
EOI = "WMOPCC-DAPIF-EOI"
DIRECT = "WMOPCC-DA-2025-01"
# The second officer who confirms openings and approves direct awards (not one of the five core demo users).
SECOND_OFFICER = "officer2@opcc.demo.test"
FRAMEWORK = "WMOPCC-DASAA-2025"

TINY_PDF = minimal_pdf()
BUDGET_CSV = (
    b"Budget line,Year 1 (GBP),Year 2 (GBP)\nPerpetrator workers,210000,214200\nVictim support workers,120000,122400\n"
    b"Management and supervision,45000,45900\nOverheads,25000,25500\n"
)

IDVA_CRITERIA = [
    {
        "kind": "quality",
        "title": "Service delivery",
        "question": "How will you deliver independent advocacy to high-risk victims referred through MARAC, including "
        "out of hours, across the area?",
        "weight": 40,
    },
    {
        "kind": "quality",
        "title": "Outcomes and monitoring",
        "question": "How will you record and report outcomes each quarter: feeling safer, coping, being informed and "
        "empowered, and satisfaction?",
        "weight": 20,
    },
    {"kind": "price", "title": "Price", "weight": 30},
    {"kind": "social_value", "title": "Social value", "weight": 10},
]

EOI_CRITERIA = [
    {
        "kind": "quality",
        "title": "Delivery model and partnership",
        "question": "Describe your delivery model for the lot, any partners (and your role as lead provider), and how "
        "victim support is integrated, with the perpetrator worker and victim support worker never the same person.",
        "weight": 30,
    },
    {
        "kind": "quality",
        "title": "Standards and risk management",
        "question": "How does your intervention meet the Home Office Domestic Abuse Perpetrator Standards and the "
        "Respect standard, and how will you manage risk and share information to keep victims and children safe?",
        "weight": 25,
    },
    {
        "kind": "quality",
        "title": "Outcomes, metrics and theory of change",
        "question": "Give your theory of change and the metrics you will report against the expected outcomes.",
        "weight": 15,
    },
    {"kind": "price", "title": "Bid value", "weight": 20},
    {"kind": "social_value", "title": "Social value", "weight": 10},
]

EOI_LOTS = [
    {
        "number": 1,
        "title": "Early Responses – In Custody Intervention",
        "description": "A voluntary intervention for perpetrators in the four custody blocks (Oldbury, Perry Barr, "
        "Bilston Street and Little Park Street), with an embedded victim support service.",
        "min_annual_bid": None,
        "max_annual_bid": Decimal("1000000"),
    },
    {
        "number": 2,
        "title": "Independent Evaluation of the Early Responses Programme - In Custody Intervention",
        "description": "An independent evaluation of the In Custody Intervention over its two years.",
        "min_annual_bid": None,
        "max_annual_bid": Decimal("1000000"),
    },
    {
        "number": 3,
        "title": "Behaviour Change Intervention",
        "description": "An integrated domestic abuse perpetrator programme meeting Home Office or Respect standards, "
        "with integrated victim support, deliverable across all 7 local authority areas.",
        "min_annual_bid": Decimal("300000"),
        "max_annual_bid": Decimal("1000000"),
    },
]


def _friday_after(day: date, weeks: int) -> date:
    target = day + timedelta(weeks=weeks)
    return target + timedelta(days=(4 - target.weekday()) % 7)


def _next_april(today: date) -> date:
    return date(today.year + (1 if today.month >= 4 else 0), 4, 1)


def _second_officer(officer: User) -> User:
    """Approved by a second platform administrator, so established enough to be the second officer."""
    return demo_user(
        SECOND_OFFICER,
        full_name="Priya Shah",
        role=User.Role.OFFICER,
        job_title="Head of Commissioning",
        authority=officer.authority,
        is_staff=True,
        **demo_approval(),
    )


def _provider_for(supplier: Supplier) -> User | None:
    membership = supplier.memberships.select_related("user").order_by("pk").first()
    return membership.user if membership else None


def _respond(competition, provider, *, price, now, texts, social_value=True, budget=False, supporting=None):
    with happened_at(now):
        return _respond_then(
            competition,
            provider,
            price=price,
            now=now,
            texts=texts,
            social_value=social_value,
            budget=budget,
            supporting=supporting,
        )


def _respond_then(competition, provider, *, price, now, texts, social_value, budget, supporting):
    lot = competition.lots.order_by("number").first()
    tender = services.start_tender(competition=competition, lot=lot, by=provider, now=now)
    services.save_tender(
        tender=tender,
        by=provider,
        now=now,
        annual_price=Decimal(price),
        answers={
            c.pk: texts.get(c.title, "See our delivery plan.") for c in competition.criteria.filter(kind="quality")
        },
        is_consortium=False,
        social_value_summary=texts.get("social_value", "") if social_value else None,
        commitments=texts.get("commitments") if social_value else None,
        uploads={
            **({"budget": ContentFile(BUDGET_CSV, name="budget.csv")} if budget else {}),
            **({"supporting": ContentFile(TINY_PDF, name=supporting)} if supporting else {}),
        },
    )
    with happened_at(now + timedelta(hours=2)):
        services.submit_tender(tender=tender, by=provider, now=now + timedelta(hours=2))
    tender.refresh_from_db()
    return tender


def _awarded(framework, officer, officer2, evaluator, areas) -> None:
    brindley = Supplier.objects.filter(legal_name="Brindley Domestic Abuse Support").first()
    tipton = Supplier.objects.filter(legal_name="Tipton Safe Homes").first()
    if not (brindley and tipton):
        return
    today = timezone.localdate()
    created = datetime.combine(today - timedelta(days=70), time(10), tzinfo=LONDON)
    closes = deadline_on(today - timedelta(days=42))
    with happened_at(created):
        competition = services.create_competition(
            by=officer,
            kind=Competition.Kind.MINI_COMPETITION,
            reference=AWARDED,
            title="Independent Domestic Violence Advocate service for Sandwell MARAC",
            description="Two IDVAs embedded with the Sandwell MARAC, supporting high-risk victims from referral to "
            "safety planning and through the criminal justice process.",
            framework_lot=framework.lots.get(number=1),
            areas=[areas["Sandwell"]],
            estimated_value=Decimal("190000"),
            contract_start_on=today - timedelta(days=14),
            term_months=24,
            extension_months="12",
            interviews="Shortlisted bidders may be asked to present their delivery model to the panel.",
            clarification_deadline=deadline_on(today - timedelta(days=49)),
            closes_at=closes,
        )
        services.save_criteria(competition=competition, criteria=IDVA_CRITERIA, by=officer)
        competition = services.publish_competition(competition=competition, by=officer, now=created)
    during = created + timedelta(days=10)
    with happened_at(during):
        question = services.ask_question(
            competition=competition,
            question="Will the IDVAs be co-located with the police Public Protection Unit in Oldbury?",
            by=_provider_for(tipton),
            now=during,
        )
    with happened_at(during + timedelta(days=1)):
        services.answer_question(
            question=question,
            published_question="Will the IDVAs be co-located with the police Public Protection Unit?",
            answer="Yes, for two days a week; desk space and vetting are provided by West Midlands Police.",
            by=officer,
            notify=False,
        )
    sv = {
        "social_value": "We will recruit locally, offer placements to students from Sandwell College and run "
        "awareness sessions for local employers.",
        "commitments": [
            {
                "theme": "jobs",
                "measure": "Sandwell residents employed on the contract",
                "unit": "people",
                "target": Decimal("2"),
                "due_on": date(today.year + 1, 3, 31),
            },
            {
                "theme": "social",
                "measure": "Domestic abuse awareness sessions for local employers",
                "unit": "sessions",
                "target": Decimal("8"),
                "due_on": date(today.year + 1, 3, 31),
            },
        ],
    }
    winner = _respond(
        competition,
        _provider_for(brindley),
        price="92000",
        now=during + timedelta(days=5),
        supporting="sandwell-idva-delivery-plan.pdf",
        texts={
            "Service delivery": "Two Safelives-accredited IDVAs based at the MARAC, with a duty line until 8pm.",
            "Outcomes and monitoring": "Outcomes recorded at intake, 3 months and closure; reported quarterly.",
            **sv,
        },
    )
    _respond(
        competition,
        _provider_for(tipton),
        price="88000",
        now=during + timedelta(days=6),
        texts={
            "Service delivery": "One IDVA and one outreach worker, covering Sandwell and Dudley.",
            "Outcomes and monitoring": "We will use the PCC's quarterly template.",
            **sv,
        },
    )
    opened = closes + timedelta(hours=1)
    with happened_at(opened):
        services.request_opening(competition=competition, by=officer, now=opened)
    with happened_at(opened + timedelta(minutes=20)):
        services.confirm_opening(competition=competition, by=officer2, now=opened + timedelta(minutes=20))
    # The panel evaluated and moderated in the days after the opening.
    with happened_at(opened + timedelta(days=3)):
        _evaluate_awarded(competition, winner, officer, officer2, evaluator)
    decided = closes + timedelta(days=10)
    with happened_at(decided):
        award = services.decide_award(
            lot=competition.lots.get(),
            tender=winner,
            reasons="Brindley's response scored highest: a strong MARAC-based delivery model with out-of-hours "
            "cover and clear outcome reporting, at a price within budget.",
            by=officer,
            now=decided,
        )
    # The contract award notice went on Find a Tender the day after the decision; its standstill followed.
    from contracts.notices.demo import publish_on
    from contracts.notices.models import Notice

    for notice in Notice.objects.filter(key=f"award:{award.pk}:UK6"):
        publish_on(notice, timezone.localdate(decided) + timedelta(days=1), officer)
    contracted = decided + timedelta(days=20)
    with happened_at(contracted):
        services.create_award_contract(
            award=award,
            reference=f"{AWARDED}-C",
            start_on=competition.contract_start_on,
            by=officer,
            today=timezone.localdate(contracted),
        )


def _evaluate_awarded(competition, winner, officer, officer2, evaluator) -> None:
    evaluation.assign_evaluators(target=competition, evaluators=[evaluator, officer2], by=officer)
    marks = {
        winner.pk: {"Service delivery": 4, "Outcomes and monitoring": 3, "Social value": 3},
    }
    criteria = [c for c in competition.criteria.all() if c.is_scored]
    for tender in competition.tenders.filter(status=Tender.Status.OPENED):
        wanted = marks.get(tender.pk, {"Service delivery": 2, "Outcomes and monitoring": 2, "Social value": 2})
        for assignment in tender.assignments.all():
            evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
            evaluation.save_scores(
                assignment=assignment,
                scores={
                    c.pk: {"score": wanted[c.title], "comment": "Marked against the scale; evidence in the answer."}
                    for c in criteria
                },
                submit=True,
                by=assignment.evaluator,
            )
        for criterion in criteria:
            evaluation.moderate(
                subject=tender,
                criterion=criterion,
                score=wanted[criterion.title],
                reason="Both evaluators gave this mark; the panel agreed it.",
                by=officer,
            )


def _open_mini(framework, officer, areas) -> None:
    today = timezone.localdate()
    closes = deadline_on(_friday_after(today, 3))
    competition = services.create_competition(
        by=officer,
        kind=Competition.Kind.MINI_COMPETITION,
        reference=OPEN,
        title="IDVA service for Birmingham Crown Court and Magistrates' Courts",
        description="Court-based IDVAs supporting high-risk victims of domestic abuse through trials, special "
        "measures and protective orders in Birmingham.",
        framework_lot=framework.lots.get(number=1),
        areas=[areas["Birmingham"]],
        estimated_value=Decimal("240000"),
        contract_start_on=_next_april(today),
        term_months=24,
        extension_months="12,12",
        interviews="Interviews in the week after the closing date, at Lloyd House, Birmingham.",
        clarification_deadline=deadline_on(_friday_after(today, 2)),
        closes_at=closes,
        specification=ContentFile(TINY_PDF, name="birmingham-court-idva-specification.pdf"),
    )
    services.save_criteria(competition=competition, criteria=IDVA_CRITERIA, by=officer)
    services.publish_competition(competition=competition, by=officer)


def _eoi(officer) -> None:
    today = timezone.localdate()
    competition = services.create_competition(
        by=officer,
        kind=Competition.Kind.EXPRESSION_OF_INTEREST,
        reference=EOI,
        title="Domestic Abuse Perpetrator Interventions Fund: expression of interest",
        description="The Home Office Domestic Abuse Perpetrator Intervention Fund can only be bid into by Police and "
        "Crime Commissioners, so the OPCC is seeking bidding partners through its own competitive process. Being "
        "selected does not in itself guarantee funding or a contract. Lots 1 and 2 will be combined by the OPCC in "
        "its bid to the Home Office. Apply for one or more lots, as a sole provider or as the lead provider of a "
        "consortium, with one response for each lot and the budget template.",
        areas=list(Area.objects.filter(region="West Midlands")),
        estimated_value=Decimal("4000000"),
        contract_start_on=_next_april(today),
        term_months=24,
        is_light_touch=True,
        requires_budget_template=True,
        clarification_deadline=deadline_on(_friday_after(today, 1)),
        closes_at=deadline_on(_friday_after(today, 3)),
    )
    services.save_criteria(competition=competition, criteria=EOI_CRITERIA, by=officer)
    services.save_lots(
        competition=competition,
        lots=EOI_LOTS,
        combined=[{"lots": [1, 2], "min_total": Decimal("300000"), "max_total": Decimal("1000000")}],
        by=officer,
    )
    services.publish_competition(competition=competition, by=officer)


def _direct(framework, officer, officer2, evaluator, areas) -> None:
    arden = Supplier.objects.filter(legal_name="Arden Sexual Violence Advocacy CIC").first()
    if arden is None:
        return
    today = timezone.localdate()
    direct_award = services.request_direct_award(
        by=officer,
        reference=DIRECT,
        title="Children and young people's ISVA service, Coventry",
        scope="An ISVA for children and young people who have experienced sexual violence, in Coventry.",
        supplier=arden,
        framework_lot=framework.lots.get(number=3) if framework else None,
        areas=[areas["Coventry"]],
        annual_value=Decimal("62000"),
        contract_start_on=_next_april(today),
        term_months=24,
        justification=Justification.FRAMEWORK_NO_COMPETITION,
        explanation="Arden is the only supplier appointed to Lot 3 covering Coventry, and the framework's objective "
        "selection mechanism for a single-area call-off is the appointed provider covering that area, on the "
        "framework's core terms.",
        social_value_summary="Arden will train Coventry school safeguarding leads and recruit local volunteers.",
        commitments=[
            {
                "theme": "social",
                "measure": "Safeguarding leads trained in Coventry schools",
                "unit": "people",
                "target": Decimal("40"),
                "due_on": date(today.year + 2, 3, 31),
            },
            {
                "theme": "jobs",
                "measure": "Local volunteers recruited and trained",
                "unit": "people",
                "target": Decimal("6"),
                "due_on": date(today.year + 1, 9, 30),
            },
        ],
    )
    evaluation.assign_evaluators(target=direct_award, evaluators=[evaluator, officer2], by=officer)
    criterion = direct_award.criteria.get()
    for assignment in direct_award.assignments.all():
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
        evaluation.save_scores(
            assignment=assignment,
            scores={criterion.pk: {"score": 3, "comment": "Relevant and measurable commitments."}},
            submit=True,
            by=assignment.evaluator,
        )
    evaluation.moderate(
        subject=direct_award, criterion=criterion, score=3, reason="Both evaluators marked 3.", by=officer
    )
    services.approve_direct_award(
        direct_award=direct_award, note="Approved: justification and value checked.", by=officer2
    )


def load(ctx: dict) -> None:
    users = ctx.get("users") or {}
    officer = users.get("officer@demo.test")
    evaluator = users.get("evaluator@demo.test")
    if officer is None or evaluator is None:
        return
    officer2 = _second_officer(officer)
    ctx.setdefault("users", {})[SECOND_OFFICER] = officer2
    areas = {area.name: area for area in Area.objects.all()}
    framework = ctx.get("framework") or Framework.objects.filter(reference=FRAMEWORK).first()
    if framework is not None:
        if not Competition.objects.filter(reference=AWARDED).exists():
            _awarded(framework, officer, officer2, evaluator, areas)
        if not Competition.objects.filter(reference=OPEN).exists():
            _open_mini(framework, officer, areas)
        if not DirectAward.objects.filter(reference=DIRECT).exists():
            _direct(framework, officer, officer2, evaluator, areas)
    if not Competition.objects.filter(reference=EOI).exists():
        _eoi(officer)
