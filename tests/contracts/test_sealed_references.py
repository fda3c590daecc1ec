"""Sealed references before the opening (issue 16, finding 3): the audit trail (its rows, the admin's
list and the PDF extract) named the bidding organisation, its account, its consortium changes and its
file hashes in `tender.started/saved/submitted/withdrawn`. Until two officers open the responses those
events name a sealed reference ("Sealed response S-7F3KQ2"); after the opening they show who it was."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.audit import verify_chain
from commissioning.demo import minimal_pdf
from commissioning.models import AuditEvent, Notification
from commissioning.reports import audit_extract_context
from contracts.award import services
from contracts.award.sealing import record_tender_event, sealed_reference
from tests.factories.awards import (
    close_now,
    complete_tender,
    make_award_setup,
    make_published_mini,
    open_competition,
)

pytestmark = pytest.mark.django_db

MEMBER = "Sealed Reference Partner CIC"
TENDER_ACTIONS = ["tender.started", "tender.saved", "tender.submitted", "tender.withdrawn"]


@pytest.fixture
def world():
    setup = make_award_setup()
    competition = make_published_mini(setup)
    bidder = setup.providers[0]
    tender = complete_tender(competition, bidder)
    services.withdraw_tender(tender=tender, by=bidder)
    services.save_tender(
        tender=tender,
        by=bidder,
        is_consortium=True,
        members=[{"name": MEMBER, "registration_number": "1", "role": "Outreach"}],
        uploads={"supporting": SimpleUploadedFile("plan.pdf", minimal_pdf("plan"), content_type="application/pdf")},
    )
    services.submit_tender(tender=tender, by=bidder)
    tender.refresh_from_db()
    return {"setup": setup, "competition": competition, "tender": tender, "bidder": bidder}


def _giveaways(world) -> list[str]:
    tender = world["tender"]
    return [
        tender.supplier.legal_name,
        world["bidder"].email,
        world["bidder"].full_name,
        MEMBER,
        "members",
        tender.documents.get(kind="supporting").sha256,
    ]


def _extract_document() -> SimpleNamespace:
    today = timezone.localdate()
    return SimpleNamespace(
        params={
            "date_from": (today - timedelta(days=1)).isoformat(),
            "date_to": (today + timedelta(days=1)).isoformat(),
        }
    )


def _extract_html(officer) -> str:
    document = _extract_document()
    context = audit_extract_context(document)
    return render_to_string("commissioning/pdf/audit_trail_extract.html", {**context, "document": document})


def test_tender_events_before_the_opening_name_no_bidder(world):
    events = AuditEvent.objects.filter(action__in=TENDER_ACTIONS)
    assert set(events.values_list("action", flat=True)) == set(TENDER_ACTIONS)
    reference = sealed_reference(world["tender"])
    for event in events:
        assert event.actor_id is None
        assert event.object_repr == f"Sealed response {reference}"
        assert event.data["sealed_response"] == reference
    dump = json.dumps(list(events.values()), default=str)
    for giveaway in _giveaways(world):
        assert giveaway not in dump


def test_the_admin_list_of_events_names_no_bidder_before_the_opening_and_names_it_after(client, world):
    setup = world["setup"]
    client.force_login(setup.officer)
    response = client.get("/admin/commissioning/auditevent/?action__exact=tender.submitted")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Sealed response {sealed_reference(world['tender'])}" in html
    for giveaway in _giveaways(world):
        assert giveaway not in html

    open_competition(world["competition"], setup.officer, setup.officer2)
    html = client.get("/admin/commissioning/auditevent/?action__exact=tender.submitted").content.decode()
    assert world["tender"].supplier.legal_name in html
    assert world["bidder"].email in html


def test_the_audit_extract_names_no_bidder_before_the_opening_and_names_it_after(world):
    setup = world["setup"]
    before = _extract_html(setup.officer)
    assert f"Sealed response {sealed_reference(world['tender'])}" in before
    assert "A bidder (sealed until the opening)" in before
    for giveaway in _giveaways(world):
        assert giveaway not in before

    open_competition(world["competition"], setup.officer, setup.officer2)
    after = _extract_html(setup.officer)
    assert f"{world['tender'].reference} from {world['tender'].supplier.legal_name}" in after
    assert world["bidder"].email in after


def test_each_response_has_its_own_stable_sealed_reference(world):
    other = complete_tender(world["competition"], world["setup"].providers[1])
    assert sealed_reference(world["tender"]) == sealed_reference(world["tender"])
    assert sealed_reference(world["tender"]) != sealed_reference(other)
    assert sealed_reference(other).startswith("S-") and len(sealed_reference(other)) == 8


def test_an_event_about_an_opened_response_names_its_actor_as_any_event_does(world):
    setup = world["setup"]
    open_competition(world["competition"], setup.officer, setup.officer2)
    event = record_tender_event("tender.checked", tender=world["tender"], by=setup.officer, sealed={"n": 1})
    assert event.actor == setup.officer
    assert event.object_repr == str(world["tender"])
    assert event.data == {"n": 1}


def test_the_e_mail_log_lists_no_bidder_receipt_or_reminder_until_the_opening(client, world):
    """Receipts, closing reminders and clarification notices name their recipients, so a list of them
    named who was bidding: they are kept out of the e-mail log until the opening, not just the closing."""
    setup = world["setup"]
    receipts = Notification.objects.filter(recipient=world["bidder"], subject__startswith="Response received")
    assert receipts.exists()
    assert all(row.sealed_for == f"competition:{world['competition'].pk}" for row in receipts)
    client.force_login(setup.officer)
    close_now(world["competition"])
    html = client.get("/admin/commissioning/notification/?q=Response+received").content.decode()
    assert "0 results" in html and f"Response received: {world['competition'].title}" not in html  # not opened

    open_competition(world["competition"], setup.officer, setup.officer2)
    html = client.get("/admin/commissioning/notification/?q=Response+received").content.decode()
    assert f"Response received: {world['competition'].title}" in html and world["bidder"].email in html


def test_a_tender_event_before_the_opening_keeps_the_bidders_address_sealed(world):
    """The client address would point at the bidder as surely as a name: sealed with the rest."""
    from commissioning.request_context import _client_address

    token = _client_address.set("203.0.113.7")
    try:
        event = record_tender_event("tender.saved", tender=world["tender"], by=world["bidder"])
    finally:
        _client_address.reset(token)
    assert event.ip_address is None
    assert "203.0.113.7" not in json.dumps(event.data)


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries.captured_queries)


def _save_again(world, times: int) -> None:
    """Withdraw, change and submit the response again `times` times: more events about it."""
    tender, bidder = world["tender"], world["bidder"]
    for _ in range(times):
        services.withdraw_tender(tender=tender, by=bidder)
        services.save_tender(tender=tender, by=bidder, is_consortium=False, members=[])
        services.submit_tender(tender=tender, by=bidder)


def test_a_page_of_sealed_events_costs_the_same_queries_however_many_are_on_it(client, world):
    """Whether each event's competition is opened was asked once an event: a page of a hundred events about
    sealed responses ran a hundred queries more than a page of one."""
    setup = world["setup"]
    client.force_login(setup.officer)
    url = "/admin/commissioning/auditevent/?action__exact=tender.saved"

    def page() -> None:
        assert client.get(url).status_code == 200

    few = _queries(page)
    _save_again(world, 5)
    assert AuditEvent.objects.filter(action="tender.saved").count() >= 6
    assert _queries(page) == few
    open_competition(world["competition"], setup.officer, setup.officer2)
    assert _queries(page) == few
    assert world["bidder"].email in client.get(url).content.decode()  # revealed after the opening


def test_an_extract_reads_whether_the_competitions_are_opened_once_for_all_its_events(world):
    document = _extract_document()
    audit_extract_context(document)  # the events sealed and verified, as before each count below
    few = _queries(lambda: audit_extract_context(document))
    _save_again(world, 5)
    verify_chain(incremental=True)
    assert _queries(lambda: audit_extract_context(document)) == few
