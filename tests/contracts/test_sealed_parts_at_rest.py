"""Issue 16, the parts of a response that were still in clear: its social value commitments, the links of
its consortium (which registered supplier bids with it, and whether it bids as a consortium at all) and
the hashes and sizes of its files. A database dump shows none of them; the bidder, and officers after
the opening, read them as before."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from commissioning.demo import minimal_pdf
from contracts.award import services
from contracts.award.models import Tender, TenderCommitment, TenderConsortiumMember, TenderDocument
from tests.factories.awards import make_award_setup, make_published_mini

pytestmark = pytest.mark.django_db

MEASURE = "SEALED-COMMITMENT-MEASURE-5RB local apprentices"
UNIT = "SEALED-UNIT-apprentices"
TARGET = Decimal("4321.50")
DUE = date(2027, 3, 31)
FILE_BYTES = minimal_pdf("SEALED-PARTS-FILE-6YT")
FILE_SHA = hashlib.sha256(FILE_BYTES).hexdigest()


def raw(sql: str, *params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.fixture
def world():
    setup = make_award_setup()
    competition = make_published_mini(setup)
    bidder, partner = setup.providers[0], setup.providers[1]
    tender = services.start_tender(competition=competition, lot=competition.lots.get(), by=bidder)
    services.save_tender(
        tender=tender,
        by=bidder,
        annual_price=Decimal("50000"),
        answers={c.pk: "An answer" for c in competition.criteria.filter(kind="quality")},
        is_consortium=True,
        # A member that is itself a registered supplier: the link to it is what reveals who bids together.
        members=[{"name": partner.organisation_name, "registration_number": "", "role": "Outreach"}],
        social_value_summary="A proposal",
        commitments=[{"theme": "innovation", "measure": MEASURE, "unit": UNIT, "target": TARGET, "due_on": DUE}],
        uploads={"supporting": SimpleUploadedFile("plan.pdf", FILE_BYTES, content_type="application/pdf")},
    )
    return {"setup": setup, "competition": competition, "tender": Tender.objects.get(pk=tender.pk), "partner": partner}


def test_commitments_are_not_in_clear_in_the_database(world):
    dump = raw("SELECT * FROM contracts_tendercommitment WHERE tender_id = %s", world["tender"].pk)
    assert dump
    for secret in ["SEALED-COMMITMENT-MEASURE-5RB", "SEALED-UNIT", "4321.5", "2027-03-31", "innovation"]:
        assert secret not in dump
    commitment = TenderCommitment.objects.get(tender=world["tender"])
    assert (commitment.theme, commitment.measure, commitment.unit) == ("innovation", MEASURE, UNIT)
    assert (commitment.target, commitment.due_on) == (TARGET, DUE)
    assert commitment.get_theme_display()


def test_file_hashes_and_sizes_are_not_in_clear_in_the_database(world):
    dump = raw("SELECT * FROM contracts_tenderdocument WHERE tender_id = %s", world["tender"].pk)
    assert FILE_SHA not in dump
    assert f" {len(FILE_BYTES)} " not in f" {dump} "
    document = TenderDocument.objects.get(tender=world["tender"])
    assert (document.sha256, document.size) == (FILE_SHA, len(FILE_BYTES))


def test_consortium_links_are_not_in_clear_in_the_database(world):
    tender, partner = world["tender"], world["partner"]
    supplier = partner.supplier_membership.supplier
    member_row = raw("SELECT * FROM contracts_tenderconsortiummember WHERE tender_id = %s", tender.pk)
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, "contracts_tenderconsortiummember")
    columns = [c.name for c in table]
    assert "supplier_id" not in columns, "the member's link to a registered supplier is stored in clear"
    assert member_row
    # Whether the bidder leads a consortium is sealed too.
    assert raw("SELECT is_consortium FROM contracts_tender WHERE id = %s", tender.pk).startswith("sealed:v1:")
    member = TenderConsortiumMember.objects.get(tender=tender)
    assert member.linked_supplier is not None
    assert member.linked_supplier.legal_name == partner.organisation_name
    assert member.linked_supplier == supplier
    assert Tender.objects.get(pk=tender.pk).is_consortium is True


def test_the_migration_seals_commitments_flags_and_hashes_written_in_clear(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("contracts.migrations.0010_sealed_commitments_links_and_file_hashes")
    tender = world["tender"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contracts_tendercommitment SET measure = %s, target = %s, due_on = %s WHERE tender_id = %s",
            ["CLEAR-MEASURE", "12.50", "2028-01-31", tender.pk],
        )
        cursor.execute(
            "UPDATE contracts_tenderdocument SET sha256 = %s, size = %s WHERE tender_id = %s",
            ["ab" * 32, "999", tender.pk],
        )
        cursor.execute("UPDATE contracts_tender SET is_consortium = %s WHERE id = %s", ["false", tender.pk])

    migration.seal_existing_parts(apps, None)

    dump = raw("SELECT * FROM contracts_tendercommitment WHERE tender_id = %s", tender.pk) + raw(
        "SELECT * FROM contracts_tenderdocument WHERE tender_id = %s", tender.pk
    )
    for clear in ["CLEAR-MEASURE", "12.5", "2028-01-31", "ab" * 32, " 999 "]:
        assert clear not in f" {dump} "
    assert raw("SELECT is_consortium FROM contracts_tender WHERE id = %s", tender.pk).startswith("sealed:v1:")
    commitment = TenderCommitment.objects.get(tender=tender)
    assert (commitment.measure, commitment.target, commitment.due_on) == (
        "CLEAR-MEASURE",
        Decimal("12.50"),
        date(2028, 1, 31),
    )
    document = TenderDocument.objects.get(tender=tender)
    assert (document.sha256, document.size) == ("ab" * 32, 999)
    assert Tender.objects.get(pk=tender.pk).is_consortium is False


def test_a_stored_file_is_padded_so_its_size_does_not_identify_it(world):
    """The ciphertext of an unpadded file is its size plus a constant: the media directory would say which
    bidders sent the same file. Files are padded inside the encryption to whole blocks of 64 KiB."""
    from pathlib import Path

    from contracts.award import sealing

    competition = world["competition"]
    small, larger = minimal_pdf("A"), minimal_pdf("A much longer text in this one " * 20)
    assert len(small) != len(larger)
    sealed_small = sealing.seal_file(competition.pk, small).read()
    sealed_larger = sealing.seal_file(competition.pk, larger).read()
    assert len(sealed_small) == len(sealed_larger)
    assert sealing.open_file(sealed_small) == small
    assert sealing.open_file(sealed_larger) == larger
    stored = Path(TenderDocument.objects.get(tender=world["tender"]).file.path).read_bytes()
    assert len(stored) > 64 * 1024 and sealing.open_file(stored) == FILE_BYTES


def test_the_migration_pads_files_sealed_before_padding(world):
    from importlib import import_module
    from pathlib import Path

    from django.apps import apps

    from commissioning import sealing as core
    from contracts.award import sealing

    migration = import_module("contracts.migrations.0010_sealed_commitments_links_and_file_hashes")
    competition = world["competition"]
    document = TenderDocument.objects.get(tender=world["tender"])
    key = sealing.data_key(competition.pk)
    unpadded = b"SEALED1\n" + sealing._label(competition.pk, key).encode() + b"\n"
    unpadded += core.encrypt(key, FILE_BYTES, context=sealing.FILE_CONTEXT)
    old_path = Path(document.file.path).with_name("unpadded.sealed")
    old_path.write_bytes(unpadded)
    TenderDocument.objects.filter(pk=document.pk).update(
        file=str(Path(document.file.name).with_name("unpadded.sealed"))
    )
    assert sealing.open_file(unpadded) == FILE_BYTES  # still opens before the migration

    migration.repad_stored_files(apps)

    stored = Path(TenderDocument.objects.get(pk=document.pk).file.path).read_bytes()
    assert stored.startswith(b"SEALED2\n") and len(stored) > 64 * 1024
    assert sealing.open_file(stored) == FILE_BYTES
    assert not old_path.exists()


def test_after_the_award_the_contract_names_the_consortium_member_and_carries_the_commitments(world):
    """The sealed link still reaches the register once the award is made: the contract lists the member."""
    from datetime import timedelta

    from tests.factories.awards import evaluate_all, open_competition, publish_award_notice

    setup, competition, tender = world["setup"], world["competition"], world["tender"]
    services.submit_tender(tender=tender, by=setup.providers[0])
    open_competition(competition, setup.officer, setup.officer2)
    evaluate_all(competition, setup.officer, setup.evaluators)
    award = services.decide_award(lot=competition.lots.get(), tender=tender, reasons="Only bid", by=setup.officer)
    award = publish_award_notice(award, setup.officer)
    contract = services.create_award_contract(
        award=award,
        reference="C-SEALED-PARTS",
        start_on=date(2026, 4, 1),
        by=setup.officer,
        today=award.standstill_ends_on + timedelta(days=1),
    )
    assert list(contract.consortium_members.all()) == [world["partner"].supplier_membership.supplier]
    commitments = list(contract.social_value_proposal.commitments.values_list("measure", "target", "due_on"))
    assert commitments == [(MEASURE, TARGET, DUE)]
