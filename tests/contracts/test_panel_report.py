"""The report to the Police and Crime Panel in the shape of seed 004, as a page and as a real PDF."""

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from commissioning.models import Authority, GeneratedDocument, User
from contracts import reports
from contracts.demo import WEST_YORKSHIRE, load_contracts

pytestmark = pytest.mark.django_db

PANEL_DAY = date(2018, 9, 14)


@pytest.fixture
def west_yorkshire(officer):
    from commissioning.demo import load as load_core
    from suppliers.demo import load as load_suppliers

    ctx: dict = {}
    load_core(ctx)
    load_suppliers(ctx)
    load_contracts(ctx)
    return Authority.objects.get(name=WEST_YORKSHIRE)


def test_the_report_lists_services_changes_and_future_intentions(west_yorkshire):
    context = reports.panel_report_context(authority=west_yorkshire, as_of=PANEL_DAY)
    assert [c.title for c in context["commissioned"]] == [
        "Core Referral Service",
        "Independent Sexual Violence Advisor Service (ISVA)",
        "Restorative Justice Service",
    ]
    assert context["granted"] == []  # the Victims Champion grant ended in March 2018
    assert {c.title for c in context["commenced"]} == {"Core Referral Service", "Restorative Justice Service"}
    assert [(e.contract.title, e.end_after) for e in context["extensions"]] == [
        ("Independent Sexual Violence Advisor Service (ISVA)", date(2019, 3, 31))
    ]
    assert {c.title for c in context["ended"]} == {
        "Domestic abuse perpetrator programme (CHOICES)",
        "Victims Champion Project",
    }
    horizons = {
        months: [(e.contract.title, e.kind) for e in events] for months, _, events in context["pipeline"].horizons
    }
    assert ("Independent Sexual Violence Advisor Service (ISVA)", "end") in horizons[12]
    assert ("Core Referral Service", "extension") in horizons[36]
    milestones = dict((c.title, [m.name for m in ms]) for c, ms in context["pipeline"].milestones)
    assert "Bidders' event at the OPCC offices" in milestones["Independent Sexual Violence Advisor Service (ISVA)"]
    assert context["title"].startswith("West Yorkshire Office of the Police and Crime Commissioner: Commissioning")


def _officer_of(authority):
    return User.objects.get(role=User.Role.OFFICER, authority=authority, email__startswith="officer@")


def test_the_report_page_for_officers(client, officer, west_yorkshire):
    client.force_login(_officer_of(west_yorkshire))
    response = client.get(
        reverse("contracts:panel_report"), {"as_of": PANEL_DAY.isoformat(), "authority": west_yorkshire.pk}
    )
    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Commissioned services",
        "Granted services",
        "Future intentions",
        "Core Referral Service",
        "3 years + 1 year + 1 year",
        "option 2 exercised on 26 February 2018, to cover the period up to 31 March 2019",
        "Domestic abuse perpetrator programme (CHOICES) (CHOICES Domestic Abuse Perpetrator Programme) ended on "
        "30 November 2017",
    ]:
        assert text in page, text


def test_the_report_is_produced_as_a_real_pdf(
    client, officer, west_yorkshire, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(_officer_of(west_yorkshire))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("contracts:request_panel_report"),
            {"as_of": PANEL_DAY.isoformat(), "authority": west_yorkshire.pk},
        )
    document = GeneratedDocument.objects.get(kind=reports.PANEL_REPORT)
    assert response.status_code == 302 and response.url == reverse("document_detail", args=[document.pk])
    assert document.status == GeneratedDocument.Status.READY, document.failure_reason
    pdf = document.file.read()
    assert pdf.startswith(b"%PDF")
    assert document.page_count >= 1
    path = tmp_path / "panel.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "Commissioned services" in text and "Core Referral Service" in text
    assert "Future intentions" in text
    # Another authority's officer cannot read it; an administrator can.
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 200
    client.force_login(officer)
    assert client.get(reverse("document_download", args=[document.pk])).status_code in (403, 404)
    client.force_login(User.objects.get(email="admin@demo.test"))
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 200


def test_an_officer_of_another_authority_asking_for_west_yorkshire_gets_their_own(client, officer, west_yorkshire):
    """Tenancy (issue 20): the report names one authority's contracts; asking for another's gives one's own."""
    client.force_login(officer)
    response = client.get(
        reverse("contracts:panel_report"), {"as_of": PANEL_DAY.isoformat(), "authority": west_yorkshire.pk}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Core Referral Service" not in page and officer.authority.name in page
    for name in ("contracts:pipeline", "contracts:envelope"):
        page = client.get(reverse(name), {"as_of": PANEL_DAY.isoformat(), "authority": west_yorkshire.pk})
        assert "Core Referral Service" not in page.content.decode(), name


def test_providers_cannot_request_the_report(client, officer, west_yorkshire):
    from tests.factories import make_user

    client.force_login(make_user("provider"))
    response = client.post(reverse("contracts:request_panel_report"), {"as_of": PANEL_DAY.isoformat()})
    assert response.status_code == 403
    assert not GeneratedDocument.objects.exists()


def test_an_altered_request_for_the_report_is_refused_with_a_message(client, officer, west_yorkshire):
    client.force_login(officer)
    for altered in ({"as_of": "a\x00b"}, {"as_of": PANEL_DAY.isoformat(), "authority": "9" * 5000}):
        response = client.post(reverse("contracts:request_panel_report"), altered, follow=True)
        assert response.status_code == 200
        assert "The report could not be produced: choose the day and the authority again" in response.content.decode()
    assert not GeneratedDocument.objects.exists()
