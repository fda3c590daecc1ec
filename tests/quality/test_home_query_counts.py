"""Issue 18: every role's home page costs the same queries with 5 items of every kind in its work queues
as with 200 (DESIGN.md §8: query counts per page stay constant as data grows, and are asserted).

For each role the whole page is requested, not a builder alone, so what the page itself lists (a
provider's applications and appointments, an evaluator's assignments) is measured too. Each queue kind
starts from one record made through the factories (so it is something the portal could have made) and
is then grown by copies saved with `bulk_create`: only how many there are matters here. The page must
also say how many there are: each queue's count reaches N.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.base import ModelState
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commissioning.dates import Quarter
from commissioning.models import User
from commissioning.work_queues import COUNT_UP_TO
from contracts.award import services as award_services
from contracts.award.models import (
    Award,
    ClarificationQuestion,
    Competition,
    CompetitionInvitation,
    DirectAwardAssignment,
    Tender,
    TenderAssignment,
)
from contracts.grants.models import GrantApplication, GrantPayment, GrantRound
from contracts.models import Contract
from contracts.notices.models import Notice
from frameworks.models import Appointment, EvaluationAssignment
from monitoring.models import QuarterlyReturn
from suppliers.models import Accreditation, Supplier, SupplierDocument
from tests.factories import make_authority, make_supplier, make_user
from tests.factories.awards import make_award_setup, make_direct_award, make_published_mini
from tests.factories.frameworks import make_application, make_framework, make_lot, make_window
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 200
_n = count(1)


def clone(instance, n: int, **vary) -> list:
    """`n` copies of a saved instance in one `bulk_create`; each keyword is a function of the copy's index
    giving that field's value (for unique fields and foreign keys)."""
    rows = []
    for i in range(n):
        row = copy.copy(instance)
        row._state = ModelState()
        row.pk = None
        for name, value in vary.items():
            setattr(row, name, value(i))
        rows.append(row)
    return type(instance).objects.bulk_create(rows)


def suppliers(n: int) -> list[Supplier]:
    template = make_supplier()
    return clone(template, n, legal_name=lambda i: f"Copied Support Services {next(_n)}", charity_number=lambda i: "")


def last_due_quarter() -> Quarter:
    today = timezone.localdate()
    quarter = Quarter.containing(today)
    while quarter.return_due >= today:
        quarter = quarter.previous()
    return quarter


@dataclass
class World:
    """What one role's home page reads, with `grow(n)` adding n more of every queue kind."""

    user: User
    url: str
    queues: list[str]
    grow: object = None
    extra: dict = field(default_factory=dict)


# Officer: returns to review and overdue, applications, questions, competitions closing, standstill,
# contracts at a decision point or end, notices due.


def officer_world() -> World:
    setup = make_award_setup()
    officer, today, now = setup.officer, timezone.localdate(), timezone.now()
    quarter = last_due_quarter()
    # A live contract of the officer's authority ending within six months, with a return waiting for review
    # (and earlier quarters overdue): each copy adds one to review, one (or more) overdue and one ending.
    m = make_monitored_contract(officer=officer, initial_end_on=today + timedelta(days=60))
    waiting = make_return(m, quarter, status=QuarterlyReturn.Status.SUBMITTED, submitted_on=quarter.return_due)
    competition = make_published_mini(setup)
    question = award_services.ask_question(competition=competition, question="Is TUPE expected?", by=setup.providers[0])
    window = make_window(setup.framework)
    application = make_application(
        window, setup.suppliers[0], lots=[setup.lot], status="submitted", submitted_at=now, created_by=officer
    )
    competition_lot = competition.lots.first()
    tender = Tender.objects.create(
        competition=competition, lot=competition_lot, supplier=setup.suppliers[0], created_by=setup.providers[0]
    )
    notice_target = ContentType.objects.get_for_model(Contract)
    grant_round = GrantRound.objects.create(
        authority=officer.authority,
        reference=f"GR-{next(_n)}",
        title="Community safety grants",
        budget=Decimal("100000"),
        cadence=GrantRound.Cadence.QUARTERLY,
        opens_on=today - timedelta(days=30),
    )
    grant_application = GrantApplication.objects.create(
        round=grant_round,
        supplier=setup.suppliers[0],
        project="Peer support groups",
        amount_requested=Decimal("8000"),
        submitted_on=today - timedelta(days=3),
    )
    # An overdue payment of the live contract: only the payment's own columns matter to the queue.
    overdue_payment = GrantPayment.objects.create(
        contract=m.contract,
        period_start=today - timedelta(days=120),
        period_end=today - timedelta(days=30),
        due_on=today - timedelta(days=20),
        amount=Decimal("2000"),
    )

    def grow(n: int) -> None:
        applicants = suppliers(n)
        clone(grant_application, n, supplier_id=lambda i: applicants[i].pk)
        clone(overdue_payment, n)
        contracts = clone(m.contract, n, reference=lambda i: f"COPY-{next(_n)}")
        for contract in contracts:
            contract.areas.set(m.areas)
        clone(waiting, n, contract_id=lambda i: contracts[i].pk)
        clone(competition, n, reference=lambda i: f"MC-COPY-{next(_n)}")
        clone(question, n)
        others = suppliers(n)
        clone(application, n, supplier_id=lambda i: others[i].pk)
        lots = clone(competition_lot, n, number=lambda i: 1000 + next(_n))
        tenders = clone(tender, n, lot_id=lambda i: lots[i].pk)
        Award.objects.bulk_create(
            Award(
                competition=competition,
                lot=lots[i],
                tender=tenders[i],
                annual_value=Decimal("50000"),
                reasons="Highest score.",
                decided_by=officer,
                standstill_ends_on=today + timedelta(days=3),
            )
            for i in range(n)
        )
        Notice.objects.bulk_create(
            Notice(
                key=f"test:{(k := next(_n))}:UK6",
                notice_type="UK6",
                ocid=f"ocds-test-{k}",
                title=f"Contract award notice {k}",
                buying_authority=officer.authority,
                target_type=notice_target,
                target_id=k,
                basis="s.50 of the Procurement Act 2023",
                deadline=today,
                deadline_basis="Before entering into the contract",
            )
            for _ in range(n)
        )

    return World(
        officer,
        reverse("officer_home"),
        [
            "returns-to-review",
            "overdue-returns",
            "applications",
            "questions-to-answer",
            "competitions-closing",
            "standstill-ending",
            "contracts-deciding",
            "notices-due",
            "grant-applications-to-decide",
            "grant-payments-overdue",
        ],
        grow,
    )


# Evaluator: applications, competition responses and direct awards to evaluate.


def evaluator_world() -> World:
    setup = make_award_setup()
    evaluator, officer, now = setup.evaluators[0], setup.officer, timezone.now()
    window = make_window(setup.framework)
    application = make_application(
        window, setup.suppliers[0], lots=[setup.lot], status="submitted", submitted_at=now, created_by=officer
    )
    competition = make_published_mini(setup)
    Competition.objects.filter(pk=competition.pk).update(
        status=Competition.Status.CLOSED,
        clarification_deadline=now - timedelta(hours=2),
        closes_at=now - timedelta(hours=1),
        opened_at=now,
    )
    competition_lot = competition.lots.first()
    tender = Tender.objects.create(
        competition=competition,
        lot=competition_lot,
        supplier=setup.suppliers[0],
        created_by=setup.providers[0],
        status=Tender.Status.OPENED,
        submitted_at=now,
    )
    direct_award = make_direct_award(setup)

    def grow(n: int) -> None:
        others = suppliers(n)
        applications = clone(application, n, supplier_id=lambda i: others[i].pk)
        EvaluationAssignment.objects.bulk_create(
            EvaluationAssignment(application=a, evaluator=evaluator, assigned_by=officer) for a in applications
        )
        tenders = clone(tender, n, supplier_id=lambda i: others[i].pk)
        TenderAssignment.objects.bulk_create(
            TenderAssignment(tender=t, evaluator=evaluator, assigned_by=officer) for t in tenders
        )
        direct_awards = clone(direct_award, n, reference=lambda i: f"DA-COPY-{next(_n)}")
        DirectAwardAssignment.objects.bulk_create(
            DirectAwardAssignment(direct_award=d, evaluator=evaluator, assigned_by=officer) for d in direct_awards
        )

    return World(
        evaluator, reverse("evaluator_home"), ["application-tasks", "tender-tasks", "direct-award-tasks"], grow
    )


# Provider: returns due or sent back, invitations, answers to questions, open windows, expiring
# accreditations and documents (and the page's own lists of applications and appointments).


def provider_world() -> World:
    setup = make_award_setup()
    provider, supplier, officer = setup.providers[0], setup.suppliers[0], setup.officer
    today, now = timezone.localdate(), timezone.now()
    quarter = last_due_quarter()
    m = make_monitored_contract(officer=officer, provider=provider)
    sent_back = make_return(m, quarter, status=QuarterlyReturn.Status.RETURNED, submitted_on=quarter.return_due)
    competition = make_published_mini(setup)
    invitation = CompetitionInvitation.objects.get(competition=competition, supplier=supplier)
    answer = ClarificationQuestion.objects.create(
        competition=competition,
        supplier=setup.suppliers[1],
        asked_by=setup.providers[1],
        question="Is TUPE expected?",
        published_question="Is TUPE expected?",
        answer="No.",
        answered_by=officer,
        answered_at=now,
    )
    window = make_window(setup.framework)
    application = make_application(window, supplier, lots=[setup.lot], created_by=provider)
    appointment = Appointment.objects.get(supplier=supplier, lot=setup.lot)
    accreditation = Accreditation.objects.create(
        supplier=supplier, scheme="safelives", reference="SL-1", expires_on=today + timedelta(days=30)
    )
    grant_round = GrantRound.objects.create(
        authority=officer.authority,
        reference=f"GR-{next(_n)}",
        title="Community safety grants",
        budget=Decimal("100000"),
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
    )
    document = SupplierDocument.objects.create(
        supplier=supplier,
        kind=SupplierDocument.Kind.choices[0][0],
        title="Insurance certificate",
        file="suppliers/insurance.pdf",
        sha256="0" * 64,
        expires_on=today + timedelta(days=30),
    )

    def grow(n: int) -> None:
        contracts = clone(m.contract, n, reference=lambda i: f"COPY-{next(_n)}")
        for contract in contracts:
            contract.areas.set(m.areas)
        clone(sent_back, n, contract_id=lambda i: contracts[i].pk)
        competitions = clone(competition, n, reference=lambda i: f"MC-COPY-{next(_n)}")
        clone(invitation, n, competition_id=lambda i: competitions[i].pk)
        clone(answer, n)
        windows = clone(window, n, title=lambda i: f"Window copy {next(_n)}")
        clone(application, n, window_id=lambda i: windows[i].pk)
        lots = clone(setup.lot, n, number=lambda i: 1000 + next(_n))
        appointments = clone(appointment, n, lot_id=lambda i: lots[i].pk)
        for copied in appointments:
            copied.areas.set(setup.areas)
        clone(accreditation, n)
        clone(document, n)
        clone(grant_round, n, reference=lambda i: f"GR-{next(_n)}")

    return World(
        provider,
        reverse("provider_home"),
        ["returns", "invitations", "clarification-answers", "open-windows", "expiring", "grant-rounds-open"],
        grow,
    )


# Partner: suppliers added or changed on the lists shared with their authority since their last visit.


def partner_world() -> World:
    authority = make_authority(kind="local_authority", name="Coventry City Council")
    partner = make_user(User.Role.PARTNER, authority=authority)
    framework = make_framework(partners=[authority], term_end=date(2035, 3, 31))
    lot = make_lot(framework)

    def appointments(n: int) -> list[Appointment]:
        return [
            Appointment(
                supplier=supplier,
                lot=lot,
                starts_on=date(2025, 7, 1),
                consent_share_with_partners=True,
                consent_publish=True,
                status=Appointment.Status.ACTIVE,
            )
            for supplier in suppliers(n)
        ]

    def grow(n: int) -> None:
        # Added now, and appointed long ago but suspended now (listed as no longer on the list).
        bulk_create_with_history(appointments(n), Appointment)
        earlier = bulk_create_with_history(
            appointments(n), Appointment, default_date=timezone.now() - timedelta(days=90)
        )
        for appointment in earlier:
            appointment.status = Appointment.Status.SUSPENDED
        bulk_update_with_history(earlier, Appointment, ["status"])

    return World(partner, reverse("partner_home"), ["supplier-changes"], grow)


WORLDS = {"officer": officer_world, "evaluator": evaluator_world, "provider": provider_world, "partner": partner_world}


def counts_on(html: str) -> dict[str, str]:
    """Each queue's count as the page shows it ("99+" beyond what a queue counts)."""
    return dict(
        re.findall(
            r'id="queue-([\w-]+)" aria-labelledby.*?<span class="govuk-visually-hidden">Count: </span>(\d+\+?)',
            html,
            re.S,
        )
    )


def measure(client, world: World) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(world.url)
    assert response.status_code == 200
    return len(captured.captured_queries), counts_on(response.content.decode())


@pytest.mark.parametrize("role", list(WORLDS))
def test_a_home_page_costs_the_same_queries_with_5_or_200_of_everything(client, role):
    """Each world starts with one of each kind. Measured with 1 and 2 more, fewer than a queue shows, then
    with 5 and 200 more. A queue read whole (fewer rows than it shows) costs one query, a full one two (its
    rows and its bounded count), so the page costs the same with 1 more as with 2, and from 5 on: the first
    step catches a query per row shown, the step to 200 one per item."""
    world = WORLDS[role]()
    client.force_login(world.user)
    world.grow(1)
    client.get(world.url)  # a first request warms per-process caches (content types, sessions)
    one, _ = measure(client, world)
    world.grow(1)
    two, _ = measure(client, world)
    world.grow(FEW - 2)
    few, shown = measure(client, world)
    for key in world.queues:
        assert int(shown.get(key, "0")) >= FEW, f"{role}: queue {key} shows {shown.get(key)} with {FEW} of each"

    world.grow(MANY - FEW)
    many, shown = measure(client, world)

    for key in world.queues:
        # Counted up to COUNT_UP_TO, and said to be more beyond it, without reading the rest.
        assert shown.get(key) == f"{COUNT_UP_TO}+", f"{role}: queue {key} shows {shown.get(key)} with {MANY} of each"
    counts = f"{one} queries with 1 more of each kind, {two} with 2, {few} with {FEW}, {many} with {MANY}"
    print(f"{role}'s home: {counts}")  # noqa: T201
    assert one == two, f"{role}'s home: {counts}"
    assert few == many, f"{role}'s home: {counts}"
    assert one <= few, f"{role}'s home: {counts}"
