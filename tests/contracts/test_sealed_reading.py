"""Issue 16, "decrypted only after the two-officer opening": the model opens a sealed value for a request
only when its competition has been opened (staff, anonymous) or, for a bidder's users, when the response is
their own organisation's. Anyone else reading a sealed row in a request gets a placeholder that keeps the
ciphertext, so saving such a row never overwrites the bid. A dump (`dumpdata`) holds ciphertext only."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from commissioning.demo import minimal_pdf
from contracts.award import services
from contracts.award.models import Tender, TenderAnswer, TenderCommitment, TenderConsortiumMember, TenderDocument
from tests.factories.awards import make_award_setup, make_published_mini, open_competition

pytestmark = pytest.mark.django_db

ANSWER = "READ-GATE-ANSWER-8HN"
MEMBER = "Read Gate Partner CIC"
MEASURE = "READ-GATE-MEASURE-2VC"
PRICE = Decimal("76543.21")


@pytest.fixture
def world():
    setup = make_award_setup()
    competition = make_published_mini(setup)
    bidder = setup.providers[0]
    tender = services.start_tender(competition=competition, lot=competition.lots.get(), by=bidder)
    services.save_tender(
        tender=tender,
        by=bidder,
        annual_price=PRICE,
        answers={c.pk: ANSWER for c in competition.criteria.filter(kind="quality")},
        is_consortium=True,
        members=[{"name": MEMBER, "registration_number": "", "role": "Outreach"}],
        social_value_summary="A proposal",
        commitments=[{"theme": "jobs", "measure": MEASURE, "unit": "people", "target": 2, "due_on": date(2027, 3, 31)}],
        uploads={"supporting": SimpleUploadedFile("gate.pdf", minimal_pdf("GATE"), content_type="application/pdf")},
    )
    services.submit_tender(tender=tender, by=bidder)
    return {"setup": setup, "competition": competition, "tender": tender, "bidder": bidder}


def read_in_request(user, tender_pk: int) -> dict:
    """What a view running for `user` reads of the response, through the portal's middleware."""
    from contracts.award.middleware import SealedReadingMiddleware

    seen: dict = {}

    def view(request):
        tender = Tender.objects.get(pk=tender_pk)
        seen["price"] = tender.annual_price
        seen["consortium"] = tender.is_consortium
        seen["answer"] = TenderAnswer.objects.filter(tender_id=tender_pk).first().text
        seen["member"] = TenderConsortiumMember.objects.get(tender_id=tender_pk).name
        seen["measure"] = TenderCommitment.objects.get(tender_id=tender_pk).measure
        seen["sha256"] = TenderDocument.objects.get(tender_id=tender_pk).sha256
        seen["answers"] = list(TenderAnswer.objects.filter(tender_id=tender_pk).values_list("text", flat=True))
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = user
    SealedReadingMiddleware(view)(request)
    return seen


def clear(seen: dict) -> bool:
    return (
        seen["price"] == PRICE and seen["answer"] == ANSWER and seen["member"] == MEMBER and seen["measure"] == MEASURE
    )


def sealed(seen: dict) -> bool:
    text = " ".join(str(v) for v in seen.values())
    return not any(secret in text for secret in [ANSWER, MEMBER, MEASURE, "76543"])


def test_an_officer_reading_a_response_before_the_opening_gets_the_sealed_placeholder(world):
    seen = read_in_request(world["setup"].officer, world["tender"].pk)
    assert sealed(seen), seen
    assert "sealed" in str(seen["price"]).lower()


def test_a_superuser_reading_before_the_opening_gets_the_placeholder_too(world):
    from commissioning.models import User

    root = User.objects.create_superuser("root-gate@example.org", "a-long-test-password-42", full_name="Root")
    assert sealed(read_in_request(root, world["tender"].pk))


def test_another_bidder_never_reads_a_response_not_its_own(world):
    assert sealed(read_in_request(world["setup"].providers[1], world["tender"].pk))
    open_competition(world["competition"], world["setup"].officer, world["setup"].officer2)
    assert sealed(read_in_request(world["setup"].providers[1], world["tender"].pk))


def test_the_bidder_reads_its_own_response_in_clear(world):
    assert clear(read_in_request(world["bidder"], world["tender"].pk))


def test_officers_read_it_in_clear_once_two_officers_have_opened_it(world):
    open_competition(world["competition"], world["setup"].officer, world["setup"].officer2)
    assert clear(read_in_request(world["setup"].officer, world["tender"].pk))


def test_saving_a_row_read_as_sealed_keeps_the_bid(world):
    from contracts.award.middleware import SealedReadingMiddleware

    def view(request):
        tender = Tender.objects.get(pk=world["tender"].pk)
        tender.save()  # a status move, say: the sealed fields go back as they were
        TenderCommitment.objects.get(tender=tender).save()
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = world["setup"].officer
    SealedReadingMiddleware(view)(request)
    tender = Tender.objects.get(pk=world["tender"].pk)
    assert tender.annual_price == PRICE
    assert tender.is_consortium is True
    assert TenderCommitment.objects.get(tender=tender).measure == MEASURE


def test_a_dump_of_the_tables_holds_no_bid_in_clear(world):
    out = io.StringIO()
    call_command(
        "dumpdata",
        "contracts.tender",
        "contracts.tenderanswer",
        "contracts.tendercommitment",
        "contracts.tenderconsortiummember",
        "contracts.tenderdocument",
        "contracts.tenderversion",
        stdout=out,
    )
    dump = out.getvalue()
    assert "sealed:v1:" in dump
    for secret in [ANSWER, MEMBER, MEASURE, "76543", "gate.pdf"]:
        assert secret not in dump
