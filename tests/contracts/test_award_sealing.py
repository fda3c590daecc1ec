"""Sealed until opened: before two officers open the responses (which cannot happen before the closing
time) nobody but the bidder sees anything a response contains: not officers, not superusers, not
evaluators, partners or other bidders, on any award page, in the admin (list, change page, search),
the audit trail, or a PDF. Only the number received is known. After opening, officers read it."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from commissioning.demo import minimal_pdf
from commissioning.documents import request_document
from commissioning.models import AuditEvent, User
from contracts.award import services
from contracts.award.models import Competition, Tender
from contracts.award.reports import ASSESSMENT_SUMMARY
from tests.factories import make_user
from tests.factories.awards import close_now, make_award_setup, make_published_mini, open_competition

pytestmark = pytest.mark.django_db

SECRETS = [
    "SEALED-ANSWER-7Q",
    "SEALED-SOCIAL-VALUE-3K",
    "SEALED-COMMITMENT-9Z",
    "Sealed Partner Trust",
    "sealed-plan.pdf",
    "987,654",
    "987654",
]
FILE_BYTES = minimal_pdf("SEALED-FILE-BYTES")


@pytest.fixture
def sealed():
    setup = make_award_setup()
    competition = make_published_mini(setup)
    bidder = setup.providers[0]
    lot = competition.lots.get()
    tender = services.start_tender(competition=competition, lot=lot, by=bidder)
    services.save_tender(
        tender=tender,
        by=bidder,
        annual_price=Decimal("98765.43"),
        answers={c.pk: f"{SECRETS[0]} for {c.title}" for c in competition.criteria.filter(kind="quality")},
        is_consortium=True,
        members=[{"name": SECRETS[3], "registration_number": "1", "role": "Outreach"}],
        social_value_summary=SECRETS[1],
        commitments=[
            {"theme": "jobs", "measure": SECRETS[2], "unit": "people", "target": 3, "due_on": date(2027, 3, 31)}
        ],
        uploads={"supporting": SimpleUploadedFile(SECRETS[4], FILE_BYTES, content_type="application/pdf")},
    )
    services.submit_tender(tender=tender, by=bidder)
    tender.refresh_from_db()
    superuser = User.objects.create_superuser("root@example.org", "a-long-test-password-42", full_name="Root")
    return {
        "setup": setup,
        "competition": competition,
        "tender": tender,
        "document": tender.documents.get(),
        "criterion": competition.criteria.filter(kind="quality").first(),
        "users": {
            "owner": setup.officer,
            "second officer": setup.officer2,
            "superuser": superuser,
            "evaluator": setup.evaluators[0],
            "partner": make_user(User.Role.PARTNER),
            "other bidder": setup.providers[1],
            "uninvited provider": setup.partial_provider,
            "officer elsewhere": make_user(User.Role.OFFICER),
        },
    }


def award_urls(world) -> list[str]:
    """Every award route, with the sealed response's ids wherever a route takes one."""
    competition, tender = world["competition"], world["tender"]
    ids = {
        "competition": competition.pk,
        "tender": tender.pk,
        "document_pk": world["document"].pk,
        "criterion_pk": world["criterion"].pk,
        "lot_pk": competition.lots.get().pk,
        "question_pk": 1,
    }
    urls = []
    for pattern in get_resolver().namespace_dict["awards"][1].url_patterns:
        route = str(pattern.pattern)
        kwargs = {}
        for name in pattern.pattern.regex.groupindex:
            if name == "pk":
                kwargs["pk"] = ids["competition"] if "competitions/" in route else tender.pk
            else:
                kwargs[name] = ids[name]
        urls.append(reverse(f"awards:{pattern.name}", kwargs=kwargs))
    return urls


ADMIN_URLS = [
    "/admin/contracts/tender/",
    "/admin/contracts/tender/?q=Sealed",
    "/admin/contracts/tender/{tender}/change/",
    "/admin/contracts/competition/",
    "/admin/contracts/competition/{competition}/change/",
    "/admin/commissioning/auditevent/",
    "/admin/commissioning/auditevent/?q=SEALED",
    "/admin/",
]


def _assert_nothing_sealed(response, who: str, url: str) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert FILE_BYTES not in body, f"{who} downloaded the sealed file at {url}"
    text = body.decode("utf-8", "replace")
    for secret in SECRETS:
        assert secret not in text, f"{who} saw {secret!r} at {url} ({response.status_code})"


def _visit_everything(client, world, *, closed: bool) -> None:
    urls = award_urls(world) + [
        u.format(tender=world["tender"].pk, competition=world["competition"].pk) for u in ADMIN_URLS
    ]
    for who, user in world["users"].items():
        client.force_login(user)
        for url in urls:
            _assert_nothing_sealed(client.get(url), who, url)
        client.logout()
    for url in urls:
        _assert_nothing_sealed(client.get(url), "anonymous", url)


def test_nothing_of_a_response_is_reachable_before_the_closing_time(client, sealed):
    _visit_everything(client, sealed, closed=False)


def test_nothing_is_reachable_after_the_closing_time_until_two_officers_open_it(client, sealed):
    competition = close_now(sealed["competition"])
    services.request_opening(competition=competition, by=sealed["users"]["owner"])
    _visit_everything(client, sealed, closed=True)


def test_the_officers_see_only_the_number_received(client, sealed):
    client.force_login(sealed["users"]["owner"])
    html = client.get(reverse("awards:officer_competition", args=[sealed["competition"].pk])).content.decode()
    assert "Responses received" in html
    listing = client.get(reverse("awards:officer_competitions")).content.decode()
    assert sealed["tender"].supplier.legal_name not in listing
    client.force_login(sealed["users"]["superuser"])
    admin = client.get("/admin/contracts/tender/").content.decode()
    assert "1 response received, sealed until the closing time" in admin
    assert "0 responses" not in admin and "sealed-plan" not in admin


def test_the_bidder_sees_its_own_response(client, sealed):
    client.force_login(sealed["setup"].providers[0])
    html = client.get(reverse("awards:provider_tender", args=[sealed["tender"].pk])).content.decode()
    assert SECRETS[0] in html and SECRETS[1] in html and "£98,765.43" in html
    download = client.get(reverse("awards:provider_tender_file", args=[sealed["tender"].pk, sealed["document"].pk]))
    assert b"".join(download.streaming_content) == FILE_BYTES


def test_the_audit_trail_holds_no_content(sealed):
    dump = json.dumps(list(AuditEvent.objects.values("data", "object_repr")))
    for secret in SECRETS:
        assert secret not in dump


def test_no_pdf_can_be_requested_before_the_award(sealed):
    for user in (sealed["users"]["owner"], sealed["users"]["superuser"]):
        with pytest.raises(PermissionDenied):
            request_document(kind=ASSESSMENT_SUMMARY, target=sealed["tender"], by=user)


def test_after_two_officers_open_it_officers_read_it(client, sealed):
    competition = open_competition(sealed["competition"], sealed["users"]["owner"], sealed["users"]["second officer"])
    assert competition.status == Competition.Status.CLOSED
    client.force_login(sealed["users"]["owner"])
    html = client.get(reverse("awards:officer_tender", args=[sealed["tender"].pk])).content.decode()
    assert SECRETS[0] in html and SECRETS[1] in html and SECRETS[3] in html and "£98,765.43" in html
    download = client.get(reverse("awards:officer_tender_file", args=[sealed["tender"].pk, sealed["document"].pk]))
    assert b"".join(download.streaming_content) == FILE_BYTES
    assert client.get(f"/admin/contracts/tender/{sealed['tender'].pk}/change/").status_code == 200
    # Another authority's officer still sees nothing, and the admin never shows content.
    client.force_login(sealed["users"]["officer elsewhere"])
    assert client.get(reverse("awards:officer_tender", args=[sealed["tender"].pk])).status_code == 404
    client.force_login(sealed["users"]["superuser"])
    admin = client.get(f"/admin/contracts/tender/{sealed['tender'].pk}/change/").content.decode()
    assert SECRETS[0] not in admin and "98,765" not in admin and "98765" not in admin
    assert Tender.objects.get(pk=sealed["tender"].pk).status == Tender.Status.OPENED
