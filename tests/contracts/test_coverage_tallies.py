"""The coverage matrix's live contract tallies are recounted by every contracts service that changes what they
count (going live, an extension, a variation of the end date, a termination, a move to another lot or other
areas) and equal a full recount after each; the matrix counts from them the contracts in force on the day it
is read; `rebuild_coverage_tallies --check` finds rows written behind the services and the command puts them
right."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from commissioning.models import User
from contracts import coverage_tallies, services
from contracts.coverage import coverage_matrix
from contracts.models import Contract, LiveContractTally, Variation
from tests.factories import make_area, make_user
from tests.factories.contracts import go_live, make_contract
from tests.factories.frameworks import make_framework, make_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    officer = make_user(User.Role.OFFICER)
    framework = make_framework(lead_authority=officer.authority, term_end=date(2030, 3, 31))
    return {
        "officer": officer,
        "framework": framework,
        "lot1": make_lot(framework, number=1),
        "lot2": make_lot(framework, number=2),
        "north": make_area(name="Northfield"),
        "south": make_area(name="Southam"),
    }


def assert_tallies_equal_a_recount() -> None:
    assert coverage_tallies.differing() == set()
    assert coverage_tallies.kept() == coverage_tallies.counted()
    assert coverage_tallies.terms_differing() == set()


def live_contracts(world, lot, area, day: date) -> int:
    return coverage_matrix(world["framework"], today=day).cell(lot, area).live_contracts


def test_every_move_of_a_contract_recounts_its_lot(world):
    officer, lot1, lot2, north, south = (world[k] for k in ("officer", "lot1", "lot2", "north", "south"))
    contract = make_contract(
        by=officer, lot=lot1, start_on=date(2025, 4, 1), initial_end_on=date(2026, 3, 31), extension_months=[12]
    )
    services.update_contract(by=officer, contract=contract, areas=[north])
    assert LiveContractTally.objects.count() == 0  # a draft is not counted
    assert live_contracts(world, lot1, north, date(2025, 6, 1)) == 0

    contract = go_live(contract, by=officer)
    assert_tallies_equal_a_recount()
    assert live_contracts(world, lot1, north, date(2025, 6, 1)) == 1
    assert live_contracts(world, lot1, north, date(2026, 6, 1)) == 0  # past its end

    services.exercise_extension(
        by=officer, contract=contract, reason="Good.", decided_on=date(2025, 9, 1), today=date(2025, 9, 1)
    )
    assert_tallies_equal_a_recount()
    assert live_contracts(world, lot1, north, date(2026, 6, 1)) == 1  # in force for the extra year

    services.record_variation(
        by=officer,
        contract=contract,
        kind=Variation.Kind.END_DATE,
        new_end=date(2027, 9, 30),
        reason="Until the new service starts.",
        approver="Chief Executive",
        approved_on=date(2026, 5, 1),
        today=date(2026, 5, 1),
    )
    assert_tallies_equal_a_recount()
    assert live_contracts(world, lot1, north, date(2027, 6, 1)) == 1

    services.update_contract(by=officer, contract=contract, lot=lot2, areas=[south])
    assert_tallies_equal_a_recount()
    assert live_contracts(world, lot1, north, date(2026, 6, 1)) == 0
    assert live_contracts(world, lot2, south, date(2026, 6, 1)) == 1

    services.terminate_contract(
        by=officer, contract=contract, terminated_on=date(2026, 9, 30), reason="Closed.", today=date(2026, 6, 1)
    )
    assert_tallies_equal_a_recount()
    assert live_contracts(world, lot2, south, date(2026, 9, 30)) == 1
    assert live_contracts(world, lot2, south, date(2026, 10, 1)) == 0  # terminated


def test_rows_written_behind_the_services_are_found_and_put_right(world, capsys):
    contract = make_contract(by=world["officer"], lot=world["lot1"], start_on=date(2025, 4, 1))
    contract.areas.set([world["north"]])
    Contract.objects.filter(pk=contract.pk).update(activated_at=contract.created_at)
    assert live_contracts(world, world["lot1"], world["north"], date(2025, 6, 1)) == 0  # read from the tallies
    with pytest.raises(SystemExit):
        call_command("rebuild_coverage_tallies", "--check")
    differing = "0 appointee tallies, 0 shared supplier tallies, 1 live contract tallies and 1 contract term tallies"
    assert differing in capsys.readouterr().out

    call_command("rebuild_coverage_tallies")
    assert live_contracts(world, world["lot1"], world["north"], date(2025, 6, 1)) == 1
    call_command("rebuild_coverage_tallies", "--check")
    assert "The coverage tallies equal a full recount" in capsys.readouterr().out
