"""Sealed tenders are encrypted at rest (issue 16): a database dump or the media directory reveals no
price, answer, Social Value Proposal, consortium member or file of a response. Each competition has its
own data key, wrapped by the key-encryption key from settings; rotation keeps old tenders readable."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from commissioning import sealing as core
from commissioning.demo import minimal_pdf
from contracts.award import sealing, services
from contracts.award.models import Competition, Tender, TenderAnswer, TenderDocument, TenderVersion
from tests.factories.awards import make_award_setup, make_published_mini, open_competition

pytestmark = pytest.mark.django_db

ANSWER = "Brindley's SEALED-ANSWER-4QX plan for Sandwell"
SOCIAL = "SEALED-SOCIAL-VALUE-8WT apprenticeships"
MEMBER = "Sealed Consortium Partner CIC"
FILE_NAME = "brindley-sealed-budget.pdf"
FILE_BYTES = minimal_pdf("SEALED-FILE-CONTENT-2PL")
PRICE = Decimal("87654.32")


def raw(sql: str, *params) -> str:
    """Every value of the rows the query returns, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


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
        members=[{"name": MEMBER, "registration_number": "1188899", "role": "Outreach in Walsall"}],
        social_value_summary=SOCIAL,
        commitments=[
            {"theme": "jobs", "measure": "Local people", "unit": "people", "target": 2, "due_on": "2027-03-31"}
        ],
        uploads={"supporting": SimpleUploadedFile(FILE_NAME, FILE_BYTES, content_type="application/pdf")},
    )
    services.submit_tender(tender=tender, by=bidder)
    return {"setup": setup, "competition": competition, "tender": Tender.objects.get(pk=tender.pk), "bidder": bidder}


def test_the_database_holds_no_price_answer_proposal_member_or_file_name_in_clear(world):
    tender = world["tender"]
    dump = " ".join(
        [
            raw("SELECT * FROM contracts_tender WHERE id = %s", tender.pk),
            raw("SELECT * FROM contracts_tenderanswer WHERE tender_id = %s", tender.pk),
            raw("SELECT * FROM contracts_tenderconsortiummember WHERE tender_id = %s", tender.pk),
            raw("SELECT * FROM contracts_tenderdocument WHERE tender_id = %s", tender.pk),
            raw("SELECT * FROM contracts_tenderversion WHERE tender_id = %s", tender.pk),
        ]
    )
    for secret in ["87654", "SEALED-ANSWER-4QX", "SEALED-SOCIAL-VALUE-8WT", MEMBER, "Outreach in Walsall", "brindley"]:
        assert secret not in dump
    assert raw("SELECT annual_price FROM contracts_tender WHERE id = %s", tender.pk).startswith("sealed:v1:")
    # Through the model, the bidder's service reads it back in clear.
    assert tender.annual_price == PRICE
    assert tender.social_value_summary == SOCIAL
    assert set(TenderAnswer.objects.filter(tender=tender).values_list("text", flat=True)) == {ANSWER}
    assert TenderVersion.objects.get(tender=tender).content["annual_price"] == str(PRICE)


def test_the_stored_file_is_encrypted_and_named_at_random(world):
    document = TenderDocument.objects.get(tender=world["tender"])
    stored = Path(document.file.path).read_bytes()
    assert b"SEALED-FILE-CONTENT-2PL" not in stored
    assert b"%PDF" not in stored
    assert "brindley" not in document.file.name
    assert document.name == FILE_NAME


def test_the_bidder_downloads_their_own_file_in_clear(client, world):
    document = TenderDocument.objects.get(tender=world["tender"])
    client.force_login(world["bidder"])
    response = client.get(reverse("awards:provider_tender_file", args=[world["tender"].pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FILE_BYTES


def test_the_bidder_edits_their_own_draft_in_clear(client, world):
    services.withdraw_tender(tender=world["tender"], by=world["bidder"])
    client.force_login(world["bidder"])
    response = client.get(reverse("awards:provider_tender", args=[world["tender"].pk]))
    assert response.status_code == 200
    assert "SEALED-SOCIAL-VALUE-8WT" in response.content.decode()
    assert "87654.32" in response.content.decode() or "87,654.32" in response.content.decode()


def test_after_the_opening_officers_download_the_file_in_clear(client, world):
    setup = world["setup"]
    open_competition(world["competition"], setup.officer, setup.officer2)
    document = TenderDocument.objects.get(tender=world["tender"])
    client.force_login(setup.officer)
    response = client.get(reverse("awards:officer_tender_file", args=[world["tender"].pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FILE_BYTES


def test_each_competition_has_its_own_data_key(world):
    setup = world["setup"]
    other = make_published_mini(setup, reference="MC-OTHER-KEY")
    services.start_tender(competition=other, lot=other.lots.get(), by=setup.providers[1])
    keys = set(Competition.objects.exclude(sealing_key="").values_list("sealing_key", flat=True))
    assert len(keys) == 2
    assert sealing.data_key(world["competition"].pk) != sealing.data_key(other.pk)


def test_without_the_key_encryption_key_nothing_opens(world, settings):
    settings.TENDER_SEALING_KEY = "other:" + base64.urlsafe_b64encode(b"x" * 32).decode()
    with pytest.raises(core.SealingError):
        sealing.data_key(world["competition"].pk)


def test_a_rotated_key_keeps_old_tenders_readable_and_the_old_key_can_be_retired(world, settings):
    old = settings.TENDER_SEALING_KEY
    new = "k2027:" + base64.urlsafe_b64encode(b"n" * 32).decode()
    settings.TENDER_SEALING_KEY = f"{new},{old}"
    call_command("rotate_sealing_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Competition.objects.get(pk=world["competition"].pk).sealing_key_id == "k2027"
    settings.TENDER_SEALING_KEY = new  # the old key is gone
    sealing.data_key(world["competition"].pk)
    assert Tender.objects.get(pk=world["tender"].pk).annual_price == PRICE


def test_a_sealed_field_refuses_a_write_that_bypasses_the_model(world):
    with pytest.raises(core.SealingError):
        TenderAnswer.objects.filter(tender=world["tender"]).update(text="typed straight into the table")


def test_a_malformed_key_setting_is_refused(settings):
    settings.TENDER_SEALING_KEY = "no-colon-here"
    with pytest.raises(ImproperlyConfigured):
        core.current_key_id()


def test_the_migration_seals_rows_and_files_written_in_clear(world):
    """Tenders saved before sealing existed: the data migration encrypts their rows and files."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("contracts.migrations.0005_sealed_tenders_at_rest")
    tender = world["tender"]
    document = TenderDocument.objects.get(tender=tender)
    clear_path = Path(document.file.path).with_name("clear-upload.pdf")
    clear_path.write_bytes(FILE_BYTES)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contracts_tender SET annual_price = %s WHERE id = %s", ["12345.67", tender.pk])
        cursor.execute("UPDATE contracts_tenderanswer SET text = %s WHERE tender_id = %s", ["CLEAR-ANSWER", tender.pk])
        cursor.execute(
            "UPDATE contracts_tenderdocument SET file = %s WHERE id = %s",
            [str(Path(document.file.name).with_name("clear-upload.pdf")), document.pk],
        )
    assert Tender.objects.get(pk=tender.pk).annual_price == Decimal("12345.67")  # read as it was

    migration.seal_existing_tenders(apps, None)

    assert "12345" not in raw("SELECT annual_price FROM contracts_tender WHERE id = %s", tender.pk)
    assert "CLEAR-ANSWER" not in raw("SELECT text FROM contracts_tenderanswer WHERE tender_id = %s", tender.pk)
    assert Tender.objects.get(pk=tender.pk).annual_price == Decimal("12345.67")
    assert set(TenderAnswer.objects.filter(tender=tender).values_list("text", flat=True)) == {"CLEAR-ANSWER"}
    resealed = TenderDocument.objects.get(pk=document.pk)
    assert not clear_path.exists()
    stored = Path(resealed.file.path).read_bytes()
    assert b"SEALED-FILE-CONTENT-2PL" not in stored
    assert sealing.open_file(stored) == FILE_BYTES
