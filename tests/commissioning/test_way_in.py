"""Issue 18: a signed-out visitor is led from the home page to the open opportunities, each framework's
published suppliers and registration; the sign-in page links to registration."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frameworks.models import Framework
from tests.factories import make_authority, make_user
from tests.factories.awards import make_seed_002_eoi
from tests.factories.frameworks import make_appointment, make_framework, make_lot, make_window

pytestmark = pytest.mark.django_db


def _opcc():
    return make_authority(name="West Midlands Office of the Police and Crime Commissioner", kind="opcc")


def test_the_start_page_leads_to_the_open_window_the_published_list_and_registration(client):
    framework = make_framework(
        title="Domestic Abuse and Sexual Assault and Abuse Services Commissioning Framework",
        reference="WMOPCC-DASAA-2025",
        lead_authority=_opcc(),
    )
    make_lot(framework, title="Independent Domestic Violence Advisors (IDVA)")
    make_window(framework, title="Annual reopening 2026")

    page = client.get("/").content.decode()

    assert "Frameworks open for applications" in page
    assert "Domestic Abuse and Sexual Assault and Abuse Services Commissioning Framework" in page
    assert "WMOPCC-DASAA-2025, Annual reopening 2026" in page
    assert 'href="/opportunities/"' in page
    assert 'href="/frameworks/WMOPCC-DASAA-2025/suppliers/"' in page
    assert 'href="/register/"' in page


def test_the_start_page_lists_an_expression_of_interest_open_to_anyone(client):
    officer = make_user("officer")
    make_seed_002_eoi(by=officer)

    page = client.get("/").content.decode()

    assert "Competitions open to any supplier" in page
    assert "Domestic Abuse Perpetrator Interventions Fund" in page


def test_the_start_page_says_plainly_when_nothing_is_open(client):
    page = client.get("/").content.decode()

    assert "No frameworks are open for applications at the moment" in page
    assert 'href="/register/"' in page


def test_the_sign_in_page_links_to_registration_and_opportunities(client):
    page = client.get("/sign-in/").content.decode()

    assert 'href="/register/"' in page
    assert 'href="/opportunities/"' in page


def _frameworks(n, lead):
    for _ in range(n):
        framework = make_framework(lead_authority=lead)
        lot = make_lot(framework)
        make_window(framework)
        make_appointment(lot)


def test_the_start_page_costs_the_same_queries_with_5_or_40_frameworks(client):
    lead = _opcc()
    _frameworks(5, lead)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    _frameworks(35, lead)
    assert Framework.objects.count() == 40
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(few.captured_queries) == len(many.captured_queries)
