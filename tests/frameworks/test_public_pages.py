"""Public pages, no sign-in: open opportunities (served by contracts.public_views since it lists
competitions too), and each framework's lots and published suppliers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.models import User
from frameworks.models import Appointment
from tests.factories import make_area, make_supplier, make_user
from tests.factories.frameworks import make_appointment, make_framework, make_lot, make_window
from tests.frameworks.test_partner_list import populate

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def framework(db):
    framework = make_framework(title="Domestic Abuse Services Framework", reference="DASF-2026")
    make_lot(framework, title="Refuge support")
    make_lot(framework, title="Community outreach")
    return framework


def test_open_windows_are_listed_with_lots_and_a_london_closing_time(client, framework):
    make_window(
        framework,
        title="Reopening 2026",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=datetime(2099, 11, 27, 17, 0, tzinfo=LONDON),
    )
    closed = make_framework(title="Closed Framework")
    make_window(closed, open_now=False)
    scheduled = make_framework(title="Scheduled Framework")
    make_window(
        scheduled,
        opens_at=timezone.now() + timedelta(days=5),
        closes_at=timezone.now() + timedelta(days=30),
    )

    response = client.get("/opportunities/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Domestic Abuse Services Framework" in html
    assert "Lot 1: Refuge support" in html and "Lot 2: Community outreach" in html
    assert "5pm on Friday 27 November 2099" in html
    open_section = html.split("Competitions open to any supplier")[0]
    assert "Closed Framework" not in open_section and "Scheduled Framework" not in open_section
    assert 'href="/sign-in/"' in html


def test_a_closing_time_in_summer_is_shown_in_british_summer_time(client, framework):
    make_window(
        framework,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=datetime(2099, 7, 1, 16, 0, tzinfo=ZoneInfo("UTC")),
    )
    assert "5pm on Wednesday 1 July 2099" in client.get("/opportunities/").content.decode()


def test_no_open_windows_and_no_competitions_have_clear_empty_states(client, framework):
    html = client.get("/opportunities/").content.decode()
    assert "No frameworks are open for applications at the moment" in html
    assert "There are no competitions open to any supplier at the moment" in html
    assert html.count("<h1") == 1 and "<title>Open opportunities" in html
    assert 'class="govuk-breadcrumbs"' in html


def test_framework_page_lists_only_published_active_suppliers_with_their_areas(client, framework):
    lot1, lot2 = framework.lots.order_by("number")
    north, south = make_area(name="Northfield"), make_area(name="Southam")
    make_appointment(
        lot1, make_supplier(legal_name="Published Partners", contact_email="x@pp.example"), areas=[south, north]
    )
    make_appointment(lot1, make_supplier(legal_name="Quiet Charity"), consent_publish=False)
    make_appointment(
        lot2,
        make_supplier(legal_name="Suspended Supplier"),
        status=Appointment.Status.SUSPENDED,
    )
    make_appointment(lot2, make_supplier(legal_name="Removed Supplier"), status=Appointment.Status.REMOVED)
    make_appointment(lot2, make_supplier(legal_name="Second Lot Org"), areas=[north])

    response = client.get(f"/frameworks/{framework.reference}/suppliers/")
    assert response.status_code == 200
    html = response.content.decode()
    lot1_html, lot2_html = html.split('id="lot-2"')
    assert "Published Partners" in lot1_html and "Northfield, Southam" in lot1_html
    assert "Second Lot Org" in lot2_html
    for hidden in ["Quiet Charity", "Suspended Supplier", "Removed Supplier", "x@pp.example"]:
        assert hidden not in html
    assert html.count("<h1") == 1


def test_framework_page_is_linked_from_opportunities_and_unknown_ones_are_404(client, framework):
    assert f"/frameworks/{framework.reference}/suppliers/" in client.get("/opportunities/").content.decode()
    assert client.get("/frameworks/NO-SUCH/suppliers/").status_code == 404


@pytest.mark.parametrize("role", [None, *User.Role.values])
def test_public_pages_are_open_to_everyone(client, framework, role):
    if role is not None:
        client.force_login(make_user(role))
    assert client.get("/opportunities/").status_code == 200
    assert client.get(f"/frameworks/{framework.reference}/suppliers/").status_code == 200


def test_public_pages_refuse_a_partners_post(client, framework):
    client.force_login(make_user(User.Role.PARTNER))
    assert client.post("/opportunities/").status_code == 403
    assert client.post(f"/frameworks/{framework.reference}/suppliers/").status_code == 403


def test_framework_page_query_count_does_not_grow_with_suppliers(client, framework):
    lots = list(framework.lots.order_by("number"))
    areas = [make_area(), make_area()]
    url = f"/frameworks/{framework.reference}/suppliers/"
    populate(framework, lots, areas, 10, prefix="Small")
    with CaptureQueriesContext(connection) as small:
        html = client.get(url).content.decode()
    assert html.count("Small 00") == 10
    populate(framework, lots, areas, 490, prefix="Large")
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert html.count("Large 0") == 490
    assert len(small) == len(large)


def test_the_opportunities_page_lives_in_contracts_under_its_public_name():
    """It lists expressions of interest as well as windows, so contracts serves it (frameworks cannot
    import contracts); the URL and its name are unchanged."""
    from django.urls import resolve, reverse

    from contracts.award.views import public as public_views

    assert reverse("public:opportunities") == "/opportunities/"
    assert resolve("/opportunities/").func is public_views.opportunities
    assert reverse("public:framework_suppliers", args=["DASF-2026"]) == "/frameworks/DASF-2026/suppliers/"
