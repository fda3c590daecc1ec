"""Open contracting data: every notice type the demo produces is a release that validates against the
vendored OCDS 1.1.5 schema with the UK and lots extensions; a call-off's releases point to its framework's
procedure; a sealed competition's releases hold no bid before the opening; the public endpoints serve
release packages (per procedure and, a page at a time, since a date) and compiled records."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import User
from contracts import services as contract_services
from contracts.award import services
from contracts.award.models import Competition, DirectAward, Justification
from contracts.models import Variation
from contracts.notices import procedures
from contracts.notices.models import Notice, NoticeType
from contracts.notices.services import publish_notice, sync_all_notices
from contracts.opendata.releases import build_release
from contracts.opendata.validation import release_errors, release_schema
from frameworks.models import FrameworkAward
from suppliers.models import Supplier
from tests.factories.awards import (
    complete_tender,
    make_award_setup,
    make_seed_002_eoi,
    next_fts_number,
)
from tests.factories.contracts import go_live

pytestmark = pytest.mark.django_db


def load_demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    return User.objects.get(email="officer@demo.test")


def _more_notice_types_from_the_demo(officer: User, settings) -> None:
    """The demo's own records, taken further: the expression of interest cancelled after its tender
    notice (UK12), a direct award of a service that is not light-touch (UK5), and a contract of the demo
    supplier varied by more than 10% and terminated (UK10, UK11)."""
    eoi = Competition.objects.get(reference="WMOPCC-DAPIF-EOI")
    services.cancel_competition(competition=eoi, reason="The fund was withdrawn by the Home Office.", by=officer)
    settings.NOTICES_DEFAULT_LIGHT_TOUCH = False
    supplier = Supplier.objects.get(legal_name="Brindley Domestic Abuse Support")
    services.request_direct_award(
        by=officer,
        reference="WMOPCC-DA-2026-09",
        title="Secure case management for the IDVA service",
        supplier=supplier,
        annual_value=Decimal("120000"),
        contract_start_on=timezone.localdate() + timedelta(days=120),
        term_months=24,
        justification=Justification.TECHNICAL,
        explanation="Only the incumbent's case system holds the MARAC records.",
        social_value_summary="Two apprenticeships a year.",
        commitments=[
            {"theme": "jobs", "measure": "Apprentices", "unit": "people", "target": 2, "due_on": date(2027, 3, 31)}
        ],
    )
    contract = contract_services.create_contract(
        by=officer,
        reference="WMOPCC-CMS-2026",
        title="Case management system support",
        supplier=supplier,
        buying_authority=officer.authority,
        start_on=date(2026, 4, 1),
        initial_end_on=date(2028, 3, 31),
        annual_value=Decimal("150000"),
    )
    contract_services.record_social_value_proposal(
        by=officer,
        contract=contract,
        summary="Apprenticeships",
        commitments=[
            {"theme": "jobs", "measure": "Apprentices", "unit": "people", "target": 2, "due_on": date(2027, 3, 31)}
        ],
    )
    contract_services.accept_social_value_proposal(by=officer, proposal=contract.social_value_proposal)
    go_live(contract, by=officer)
    contract_services.record_variation(
        by=officer,
        contract=contract,
        kind=Variation.Kind.VALUE,
        reason="Two more courts",
        approver="Police and Crime Commissioner",
        approved_on=timezone.localdate(),
        financial_year=2026,
        new_value=Decimal("260000"),
    )
    contract_services.terminate_contract(
        by=officer, contract=contract, terminated_on=timezone.localdate(), reason="Replaced by a national system"
    )


def test_every_notice_type_produced_from_the_demo_validates_and_call_offs_point_to_their_framework(settings):
    officer = load_demo(settings)
    _more_notice_types_from_the_demo(officer, settings)
    sync_all_notices()
    notices = list(Notice.objects.exclude(status=Notice.Status.WITHDRAWN).order_by("pk"))
    assert {n.notice_type for n in notices} == set(NoticeType.values)
    for notice in notices:
        release = (
            notice.content if notice.is_published else build_release(notice, release_id=f"{900000 + notice.pk}-2026")
        )
        assert release_errors(release) == [], (notice.key, release_errors(release))
        document = next(
            d
            for part in (release.get("tender", {}), *release.get("awards", []), *release.get("contracts", []))
            for d in part.get("documents", [])
            if d.get("noticeType")
        )
        assert document["noticeType"] == notice.notice_type
        assert release["ocid"].startswith(settings.OCDS_OCID_PREFIX + "-")
    # The framework's two awards (the 2026 reopening followed the first by twelve months) and their notices.
    awards = list(FrameworkAward.objects.order_by("sequence"))
    assert [a.starts_on for a in awards][:2] == [date(2025, 7, 1), date(2026, 7, 1)]
    assert awards[0].ends_on == date(2026, 6, 30)
    # The awarded mini-competition is a call-off: its contract award notice points at its framework's award.
    call_off = Notice.objects.get(key__startswith="award:", notice_type=NoticeType.UK6, status=Notice.Status.PUBLISHED)
    related = call_off.content["relatedProcesses"]
    in_force = procedures.framework_award_on(awards[0].framework_id, timezone.localdate())
    assert related == [
        {
            "id": "1",
            "relationship": ["framework"],
            "title": awards[0].framework.title,
            "scheme": "ocid",
            "identifier": procedures.ocid_of(in_force),
        }
    ]
    assert Notice.objects.filter(ocid=procedures.ocid_of(in_force), status=Notice.Status.PUBLISHED).exists()
    award_release = call_off.content["awards"][0]
    assert award_release["standstillPeriod"] and award_release["assessmentSummariesDateSent"]
    assert call_off.content["tender"]["specialRegime"] == ["lightTouch"]
    assert {c["numbers"][0]["number"] for c in call_off.content["tender"]["lots"][0]["awardCriteria"]["criteria"]} == {
        40,
        20,
        30,
        10,
    }
    supplier_party = next(p for p in call_off.content["parties"] if "supplier" in p["roles"])
    assert supplier_party["identifier"]["scheme"] == "GB-CHC"
    assert call_off.content["tender"]["value"]["amountGross"] > call_off.content["tender"]["value"]["amount"]
    direct = DirectAward.objects.get(reference="WMOPCC-DA-2025-01")
    direct_release = build_release(Notice.objects.filter(ocid=procedures.ocid_of(direct)).first())
    assert direct_release["relatedProcesses"][0]["relationship"] == ["framework"]


def test_a_sealed_competitions_releases_hold_no_bid_before_the_opening():
    setup = make_award_setup()
    eoi = make_seed_002_eoi(by=setup.officer)
    bidder = setup.suppliers[0]
    complete_tender(eoi, setup.providers[0], lot_number=3, price="456789")
    tender_notice = Notice.objects.get(key=f"competition:{eoi.pk}:UK4")
    published = publish_notice(
        notice=tender_notice, fts_number=next_fts_number(), published_on=timezone.localdate(), by=setup.officer
    )
    assert eoi.tenders.filter(status="submitted").exists() and eoi.opened_at is None
    for text in (json.dumps(published.content), json.dumps(build_release(tender_notice))):
        assert bidder.legal_name not in text and "456789" not in text
        assert "tenderers" not in text and '"bids"' not in text
    body = Client().get(reverse("opendata:procedure_releases", args=[published.ocid])).content.decode()
    assert bidder.legal_name not in body and "456789" not in body


def _publish_many(count: int, officer: User, setup) -> list[Notice]:
    made = []
    for _ in range(count):
        eoi = make_seed_002_eoi(by=officer)
        notice = Notice.objects.get(key=f"competition:{eoi.pk}:UK4")
        made.append(
            publish_notice(notice=notice, fts_number=next_fts_number(), published_on=timezone.localdate(), by=officer)
        )
    return made


def test_the_release_package_of_a_procedure_and_its_compiled_record():
    setup = make_award_setup()
    eoi = make_seed_002_eoi(by=setup.officer)
    tender_notice = Notice.objects.get(key=f"competition:{eoi.pk}:UK4")
    publish_notice(
        notice=tender_notice, fts_number=next_fts_number(), published_on=timezone.localdate(), by=setup.officer
    )
    services.cancel_competition(competition=eoi, reason="Withdrawn", by=setup.officer)
    cancelled = Notice.objects.get(key=f"competition:{eoi.pk}:UK12")
    publish_notice(notice=cancelled, fts_number=next_fts_number(), published_on=timezone.localdate(), by=setup.officer)
    client = Client()
    package = client.get(reverse("opendata:procedure_releases", args=[tender_notice.ocid])).json()
    assert package["version"] == "1.1" and package["license"].startswith("https://www.nationalarchives.gov.uk")
    assert any("ocds_uk_extension" in url for url in package["extensions"])
    assert [r["tag"] for r in package["releases"]] == [["tender"], ["tenderCancellation"]]
    for release in package["releases"]:
        assert release_errors(release) == []
    record = client.get(reverse("opendata:procedure_record", args=[tender_notice.ocid])).json()["records"][0]
    assert record["ocid"] == tender_notice.ocid and len(record["releases"]) == 2
    assert record["compiledRelease"]["tag"] == ["compiled"]
    assert record["compiledRelease"]["tender"]["status"] == "cancelled"
    assert {d["noticeType"] for d in record["compiledRelease"]["tender"]["documents"]} == {"UK4", "UK12"}
    assert client.get(reverse("opendata:procedure_record", args=["ocds-xxxxxx-NONE"])).status_code == 404
    assert "Tender" in release_schema()["definitions"]


def test_releases_since_a_date_come_a_page_at_a_time_by_keyset(settings):
    settings.OCDS_PAGE_SIZE = 2
    setup = make_award_setup()
    made = _publish_many(5, setup.officer, setup)
    client = Client()
    url = reverse("opendata:releases") + f"?since={timezone.localdate():%Y-%m-%d}"
    seen = []
    while url:
        package = client.get(url).json()
        seen += [r["id"] for r in package["releases"]]
        url = package.get("links", {}).get("next")
    assert seen == [n.fts_number for n in made]
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert client.get(reverse("opendata:releases") + f"?since={tomorrow:%Y-%m-%d}").json()["releases"] == []
    assert client.get(reverse("opendata:releases") + "?since=31-12-2026").status_code == 400
    assert client.get(reverse("opendata:releases") + "?cursor=nonsense").status_code == 400


def test_the_releases_endpoint_makes_the_same_queries_with_few_and_many_releases(settings):
    settings.OCDS_PAGE_SIZE = 100
    setup = make_award_setup()
    client = Client()
    _publish_many(2, setup.officer, setup)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("opendata:releases")).status_code == 200
    _publish_many(8, setup.officer, setup)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(reverse("opendata:releases")).json()["releases"]) == 10
    assert len(small.captured_queries) == len(large.captured_queries)
