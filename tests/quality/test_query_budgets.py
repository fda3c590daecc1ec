"""Each key list and dashboard page (the five that used to grow with the data among them: the returns
dashboard, competition list, contract register, application list and coverage matrix) runs no more queries
with 200 rows than with 5, and no more than 12. Rows are inserted in bulk so the test stays fast;
the pages are read as their roles. Rows inserted behind the services leave the returns dashboard's tallies
as they were, so the dashboard's counts are not checked here (tests/monitoring/test_tallies.py does)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.dates import Quarter
from commissioning.models import Authority, User
from contracts.award.models import Competition, CompetitionLot, DirectAward, Tender
from contracts.models import Contract
from frameworks.models import Application, ApplicationLot, ApplicationWindow, Appointment
from monitoring.models import QuarterlyReturn, ReturnPeriod
from suppliers.models import Supplier, SupplierMembership
from tests.factories import make_area, make_user
from tests.factories.frameworks import make_framework, make_lot

pytestmark = pytest.mark.django_db
BUDGET = 12
# A home page is the user's to-do list: every work queue at once (a count and a few rows each), so its
# fixed number is larger than a list page's.
BUDGETS = {"provider home": 24}


class Portal:
    def __init__(self):
        self.officer = make_user(User.Role.OFFICER)
        self.partner_authority = Authority.objects.create(name="Coventry (budget)", kind="local_authority")
        self.partner = make_user(User.Role.PARTNER, authority=self.partner_authority)
        self.framework = make_framework(lead_authority=self.officer.authority, partners=[self.partner_authority])
        self.lots = [make_lot(self.framework, number=n) for n in (1, 2)]
        self.areas = [make_area() for _ in range(3)]
        self.window = ApplicationWindow.objects.create(
            framework=self.framework,
            title="2025",
            opens_at=datetime(2025, 5, 1, tzinfo=UTC),
            closes_at=datetime(2025, 6, 1, tzinfo=UTC),
        )
        self.provider = make_user(User.Role.PROVIDER)
        self.supplier = self.provider.supplier_membership.supplier
        self.period = ReturnPeriod.for_quarter(Quarter.containing(timezone.localdate()).previous())
        self.rows = 0

    def grow_to(self, rows: int) -> None:
        """Add rows of every kind until there are `rows` of each."""
        new = rows - self.rows
        start = self.rows
        self.rows = rows
        suppliers = Supplier.objects.bulk_create(
            Supplier(legal_name=f"Budget supplier {i}", kind="charity", is_vcse=True) for i in range(start, rows)
        )
        users = User.objects.bulk_create(
            User(email=f"budget{i}@example.org", full_name=f"Budget {i}", role="provider") for i in range(start, rows)
        )
        SupplierMembership.objects.bulk_create(
            SupplierMembership(user=u, supplier=s) for u, s in zip(users, suppliers, strict=True)
        )
        now = timezone.now()
        applications = Application.objects.bulk_create(
            Application(
                supplier=s,
                window=self.window,
                status="submitted",
                submitted_at=now,
                created_by=self.officer,
                consent_share_with_partners=True,
                consent_publish=True,
            )
            for s in suppliers
        )
        choices = ApplicationLot.objects.bulk_create(
            ApplicationLot(application=a, lot=self.lots[0]) for a in applications
        )
        ApplicationLot.areas.through.objects.bulk_create(
            ApplicationLot.areas.through(applicationlot_id=c.pk, area_id=a.pk) for c in choices for a in self.areas
        )
        appointments = Appointment.objects.bulk_create(
            Appointment(
                supplier=s,
                lot=self.lots[i % 2],
                starts_on=date(2025, 7, 1),
                status="active",
                consent_share_with_partners=True,
                consent_publish=True,
            )
            for i, s in enumerate(suppliers)
        )
        Appointment.areas.through.objects.bulk_create(
            Appointment.areas.through(appointment_id=ap.pk, area_id=a.pk) for ap in appointments for a in self.areas
        )
        contracts = Contract.objects.bulk_create(
            Contract(
                reference=f"BUDGET-{i}",
                title=f"Service {i}",
                supplier=self.supplier if i % 2 else s,
                lot=self.lots[0],
                buying_authority=self.officer.authority,
                start_on=date(2025, 4, 1),
                initial_end_on=date(2028, 3, 31),
                current_end_on=date(2028, 3, 31),
                activated_at=now,
            )
            for i, s in zip(range(start, rows), suppliers, strict=True)
        )
        Contract.areas.through.objects.bulk_create(
            Contract.areas.through(contract_id=c.pk, area_id=self.areas[0].pk) for c in contracts
        )
        QuarterlyReturn.objects.bulk_create(
            QuarterlyReturn(
                contract=c,
                period=self.period,
                status="submitted",
                due_on=self.period.due_on,
                created_by=self.officer,
                submitted_at=now,
            )
            for c in contracts
        )
        closes_at = now + timedelta(days=30)
        competitions = Competition.objects.bulk_create(
            Competition(
                reference=f"BUDGET-COMP-{i}",
                title=f"Call-off {i}",
                kind="mini_competition",
                status="published",
                buying_authority=self.officer.authority,
                owner=self.officer,
                framework_lot=self.lots[0],
                estimated_value=Decimal("100000"),
                contract_start_on=(closes_at + timedelta(days=60)).date(),
                term_months=36,
                clarification_deadline=closes_at - timedelta(days=7),
                closes_at=closes_at,
            )
            for i in range(start, rows)
        )
        competition_lots = CompetitionLot.objects.bulk_create(
            CompetitionLot(competition=c, number=1, title="Lot") for c in competitions
        )
        Competition.areas.through.objects.bulk_create(
            Competition.areas.through(competition_id=c.pk, area_id=self.areas[0].pk) for c in competitions
        )
        Tender.objects.bulk_create(
            Tender(competition=c, lot=lot, supplier=s, status="submitted", submitted_at=now, created_by=u)
            for c, lot, s, u in zip(competitions, competition_lots, suppliers, users, strict=True)
        )
        DirectAward.objects.bulk_create(
            DirectAward(
                reference=f"BUDGET-DA-{i}",
                title=f"Specialist service {i}",
                supplier=s,
                buying_authority=self.officer.authority,
                annual_value=Decimal("50000"),
                contract_start_on=date(2025, 4, 1),
                term_months=12,
                justification="framework_s45_4",
                explanation="The only appointee for these areas.",
                requested_by=self.officer,
            )
            for i, s in zip(range(start, rows), suppliers, strict=True)
        )
        assert new == len(suppliers)


PAGES = [
    ("application list", "officer", lambda p: reverse("frameworks:officer_applications", args=[p.framework.pk])),
    ("approved list", "officer", lambda p: reverse("approved_list:officer_list", args=[p.framework.reference])),
    ("coverage matrix", "officer", lambda p: reverse("coverage:matrix", args=[p.framework.reference])),
    ("contract register", "officer", lambda p: reverse("contracts:officer_register")),
    ("competition list", "officer", lambda p: reverse("awards:officer_competitions")),
    ("returns dashboard", "officer", lambda p: reverse("monitoring:dashboard")),
    ("provider home", "provider", lambda p: reverse("provider_home")),
    ("partner list", "partner", lambda p: reverse("approved_list:shared_list", args=[p.framework.reference])),
]


@pytest.mark.parametrize(("page", "role", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_does_not_grow_with_the_rows(client, page, role, url):
    portal = Portal()
    client.force_login(getattr(portal, role))
    counts = []
    for rows in (5, 200):
        portal.grow_to(rows)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(portal))
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    # Fewer is allowed: a list read in groups (the register) stops asking once a page is full.
    assert counts[1] <= counts[0], f"{page}: {counts[0]} queries with 5 rows, {counts[1]} with 200"
    budget = BUDGETS.get(page, BUDGET)
    assert counts[1] <= budget, f"{page}: {counts[1]} queries, over the budget of {budget}"
