"""A contract read once answers "was it in force during these dates?" as the database would: the return
form's pages ask it of the contract they have just read rather than query again."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from commissioning.dates import Quarter
from contracts.models import Contract
from tests.factories.contracts import make_contract

pytestmark = pytest.mark.django_db

QUARTERS = [Quarter(2024, 4), Quarter(2025, 1), Quarter(2025, 2), Quarter(2025, 3), Quarter(2027, 4), Quarter(2028, 1)]


def test_in_force_during_agrees_with_the_database_for_drafts_live_ended_and_terminated_contracts():
    draft = make_contract(start_on=date(2025, 6, 15))
    live = make_contract(start_on=date(2025, 6, 15))
    ended_early = make_contract(start_on=date(2025, 4, 1))
    terminated = make_contract(start_on=date(2025, 4, 1))
    Contract.objects.filter(pk__in=[live.pk, ended_early.pk, terminated.pk]).update(activated_at=timezone.now())
    Contract.objects.filter(pk=ended_early.pk).update(current_end_on=date(2025, 9, 30))
    Contract.objects.filter(pk=terminated.pk).update(terminated_on=date(2025, 8, 1))
    answers = {}
    for contract in Contract.objects.filter(pk__in=[draft.pk, live.pk, ended_early.pk, terminated.pk]):
        for quarter in QUARTERS:
            in_database = Contract.objects.in_force_during(quarter.start, quarter.end).filter(pk=contract.pk).exists()
            assert contract.is_in_force_during(quarter.start, quarter.end) == in_database, (contract.pk, quarter)
            answers[contract.pk, quarter.label] = in_database
    # The cases differ: a draft is never in force, a contract from mid-June owes nothing for the quarter
    # before, a termination on 1 August ends it within Q2, and an early end on 30 September is still in Q2.
    assert not any(answers[draft.pk, q.label] for q in QUARTERS)
    assert [answers[live.pk, q.label] for q in QUARTERS] == [False, True, True, True, True, True]
    assert [answers[terminated.pk, q.label] for q in QUARTERS] == [False, True, True, False, False, False]
    assert [answers[ended_early.pk, q.label] for q in QUARTERS] == [False, True, True, False, False, False]
