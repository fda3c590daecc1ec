"""Each live contract keeps its next decision point (`contracts.decision_points`): every contracts service that
changes it (going live, an extension, a variation of the end date, a change of notice period, a termination)
stores it again, equal after each move to what the database works out from the terms; the officers' queue of
contracts reaching a decision point reads them in that order; `rebuild_decision_points --check` finds points
written behind the services and the command puts them right."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from commissioning.models import User
from contracts import decision_points, services
from contracts.models import Contract, Variation
from contracts.work_queues import contracts_deciding
from tests.factories import make_user
from tests.factories.contracts import go_live, make_contract

pytestmark = pytest.mark.django_db


def stored(contract: Contract) -> date | None:
    return Contract.objects.values_list("decision_point_on", flat=True).get(pk=contract.pk)


def queue_on(user: User, day: date) -> list[tuple[str, date]]:
    now = timezone.make_aware(datetime(day.year, day.month, day.day, 9))
    return [(item.title.split(":")[0], item.when) for item in contracts_deciding(user, now).items]


def test_every_move_of_a_contract_stores_its_decision_point_again():
    officer = make_user(User.Role.OFFICER)
    contract = make_contract(
        by=officer,
        start_on=date(2025, 4, 1),
        initial_end_on=date(2027, 3, 31),
        extension_months=[12, 12],
        extension_notice_months=6,
    )
    assert stored(contract) is None  # a draft has none

    contract = go_live(contract, by=officer)
    assert stored(contract) == date(2026, 9, 30)  # six months before the end, two options left
    assert decision_points.differing() == []

    services.exercise_extension(
        by=officer, contract=contract, reason="Good.", decided_on=date(2026, 9, 1), today=date(2026, 9, 1)
    )
    assert stored(contract) == date(2027, 9, 30)  # the end moved a year; one option left

    services.update_contract(by=officer, contract=Contract.objects.get(pk=contract.pk), extension_notice_months=9)
    assert stored(contract) == date(2027, 6, 30)

    services.record_variation(
        by=officer,
        contract=Contract.objects.get(pk=contract.pk),
        kind=Variation.Kind.END_DATE,
        new_end=date(2028, 6, 30),
        reason="Until the new service starts.",
        approver="Chief Executive",
        approved_on=date(2027, 1, 10),
        today=date(2027, 1, 10),
    )
    assert stored(contract) == date(2027, 9, 30)
    assert decision_points.differing() == []

    services.terminate_contract(
        by=officer,
        contract=Contract.objects.get(pk=contract.pk),
        terminated_on=date(2027, 12, 31),
        reason="Closed.",
        today=date(2027, 2, 1),
    )
    assert stored(contract) == date(2027, 12, 31)  # terminated: no decision left, only its end
    assert decision_points.differing() == []


def test_a_notice_period_longer_than_two_years_is_refused():
    officer = make_user(User.Role.OFFICER)
    with pytest.raises(services.ContractRuleError) as refused:
        make_contract(by=officer, extension_notice_months=25)
    assert refused.value.field == "extension_notice_months"
    contract = make_contract(by=officer)
    with pytest.raises(services.ContractRuleError):
        services.update_contract(by=officer, contract=contract, extension_notice_months=30)
    with pytest.raises(IntegrityError), transaction.atomic():  # nor can a row written behind the services
        Contract.objects.filter(pk=contract.pk).update(extension_notice_months=25)


def test_the_queue_lists_contracts_in_the_order_of_their_decision_points():
    officer = make_user(User.Role.OFFICER)

    def live(end: date, *, start: date = date(2024, 4, 1), **terms) -> Contract:
        return go_live(make_contract(by=officer, start_on=start, initial_end_on=end, **terms))

    with_an_option = {"extension_months": [12], "extension_notice_months": 9}
    ending = live(date(2027, 2, 28))
    deciding = live(date(2027, 9, 30), **with_an_option)
    # Its decision point passed in March but it is still in force: still listed, first.
    overdue = live(date(2027, 3, 31), **with_an_option)
    live(date(2029, 3, 31))  # too far
    ended = live(date(2026, 3, 31), start=date(2022, 4, 1))
    assert stored(ended) == date(2026, 3, 31)

    assert queue_on(officer, date(2026, 12, 6)) == [
        (overdue.reference, date(2026, 6, 30)),
        (deciding.reference, date(2026, 12, 30)),
        (ending.reference, date(2027, 2, 28)),
    ]


def test_points_written_behind_the_services_are_found_and_put_right(capsys):
    officer = make_user(User.Role.OFFICER)
    contract = go_live(make_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2027, 3, 31)))
    Contract.objects.filter(pk=contract.pk).update(current_end_on=date(2027, 9, 30))
    with pytest.raises(SystemExit):
        call_command("rebuild_decision_points", "--check")
    assert "1 contracts' stored decision points differ" in capsys.readouterr().out

    call_command("rebuild_decision_points")
    assert stored(contract) == date(2027, 9, 30)
    call_command("rebuild_decision_points", "--check")
    assert "follows from its terms" in capsys.readouterr().out
