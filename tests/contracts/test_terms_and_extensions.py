"""Contract terms as data: "3 years + 1 + 1", leap days, and the rules for exercising options."""

from datetime import date

import pytest

from commissioning.models import AuditEvent
from contracts import services
from contracts.models import Contract, Extension, add_months, extended_end, term_end
from contracts.services import ContractRuleError
from tests.factories.contracts import make_contract, make_live_contract

pytestmark = pytest.mark.django_db


def test_three_years_plus_one_plus_one_from_april():
    start = date(2018, 4, 1)
    initial_end = term_end(start, 36)
    assert initial_end == date(2021, 3, 31)
    first = extended_end(initial_end, 12)
    assert first == date(2022, 3, 31)
    assert extended_end(first, 12) == date(2023, 3, 31)


def test_a_term_starting_on_a_leap_day_runs_to_the_day_before_the_anniversary():
    start = date(2024, 2, 29)
    assert add_months(start, 12) == date(2025, 3, 1)  # 29 Feb 2025 does not exist: the next day
    initial_end = term_end(start, 36)
    assert initial_end == date(2027, 2, 28)
    first = extended_end(initial_end, 12)
    assert first == date(2028, 2, 29)  # the extension year ends on a leap day
    assert extended_end(first, 12) == date(2029, 2, 28)


def test_month_options_and_month_ends():
    assert extended_end(date(2025, 8, 31), 3) == date(2025, 11, 30)
    assert extended_end(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert term_end(date(2025, 1, 31), 1) == date(2025, 2, 28)  # 31 Feb rolls to 1 Mar; the day before


def test_exercising_options_in_turn_moves_the_end_and_records_who_when_and_why(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2018, 4, 1), initial_end_on=date(2021, 3, 31), extension_months=[12, 12]
    )
    assert contract.term_description == "3 years + 1 year + 1 year"

    first = services.exercise_extension(
        by=officer,
        contract=contract,
        decided_on=date(2020, 9, 1),
        reason="Performance is good and the price is fixed.",
        today=date(2020, 9, 2),
    )
    contract.refresh_from_db()
    assert (first.option.sequence, first.end_before, first.end_after) == (1, date(2021, 3, 31), date(2022, 3, 31))
    assert (first.decided_by, first.decided_on, first.reason) == (
        officer,
        date(2020, 9, 1),
        "Performance is good and the price is fixed.",
    )
    assert contract.current_end_on == date(2022, 3, 31)
    assert contract.initial_end_on == date(2021, 3, 31)

    second = services.exercise_extension(
        by=officer, contract=contract, decided_on=date(2021, 10, 1), reason="Final option.", today=date(2021, 10, 1)
    )
    contract.refresh_from_db()
    assert second.option.sequence == 2
    assert contract.current_end_on == date(2023, 3, 31)

    events = AuditEvent.objects.filter(action="contracts.extension_exercised", object_id=str(contract.pk))
    assert events.count() == 2
    assert events.order_by("id").last().data["end_after"] == "2023-03-31"
    # simple-history kept the end date as it was before each move
    ends = sorted(h.current_end_on for h in contract.history.all())
    assert date(2021, 3, 31) in ends and date(2022, 3, 31) in ends and date(2023, 3, 31) in ends


def test_an_option_cannot_be_exercised_after_the_current_end_date(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2018, 4, 1), initial_end_on=date(2021, 3, 31), extension_months=[12]
    )
    with pytest.raises(ContractRuleError, match="after the current end date, 31 March 2021") as error:
        services.exercise_extension(
            by=officer, contract=contract, decided_on=date(2021, 4, 1), reason="Too late.", today=date(2021, 4, 2)
        )
    assert error.value.field == "decided_on"
    # On the last day it is still allowed.
    services.exercise_extension(
        by=officer, contract=contract, decided_on=date(2021, 3, 31), reason="Just in time.", today=date(2021, 3, 31)
    )
    contract.refresh_from_db()
    assert contract.current_end_on == date(2022, 3, 31)


def test_recording_late_a_decision_dated_before_the_end_is_refused_after_the_end(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2018, 4, 1), initial_end_on=date(2021, 3, 31), extension_months=[12]
    )
    with pytest.raises(ContractRuleError, match="after the current end date"):
        services.exercise_extension(
            by=officer, contract=contract, decided_on=date(2021, 3, 1), reason="Backdated.", today=date(2021, 5, 1)
        )
    assert not Extension.objects.filter(contract=contract).exists()


def test_an_option_cannot_be_exercised_twice(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2018, 4, 1), initial_end_on=date(2021, 3, 31), extension_months=[12, 12]
    )
    option = contract.extension_options.get(sequence=1)
    services.exercise_extension(
        by=officer,
        contract=contract,
        option=option,
        reason="First.",
        decided_on=date(2020, 6, 1),
        today=date(2020, 6, 1),
    )
    with pytest.raises(ContractRuleError, match="Option 1 was already exercised on 1 June 2020"):
        services.exercise_extension(
            by=officer,
            contract=contract,
            option=option,
            reason="Again.",
            decided_on=date(2020, 6, 2),
            today=date(2020, 6, 2),
        )
    contract.refresh_from_db()
    assert contract.current_end_on == date(2022, 3, 31)
    assert Extension.objects.filter(contract=contract).count() == 1


def test_options_are_exercised_in_order(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2018, 4, 1), initial_end_on=date(2021, 3, 31), extension_months=[12, 12]
    )
    second = contract.extension_options.get(sequence=2)
    with pytest.raises(ContractRuleError, match="exercise option 1 before option 2"):
        services.exercise_extension(
            by=officer,
            contract=contract,
            option=second,
            reason="Skip.",
            decided_on=date(2020, 6, 1),
            today=date(2020, 6, 1),
        )
    assert not Extension.objects.exists()


def test_no_option_left_is_refused(officer):
    contract = make_live_contract(by=officer, start_on=date(2018, 4, 1), extension_months=[12])
    services.exercise_extension(
        by=officer, contract=contract, reason="Only one.", decided_on=date(2020, 6, 1), today=date(2020, 6, 1)
    )
    with pytest.raises(ContractRuleError, match="no extension option left"):
        services.exercise_extension(
            by=officer, contract=contract, reason="More.", decided_on=date(2020, 6, 2), today=date(2020, 6, 2)
        )


def test_a_draft_or_terminated_contract_cannot_be_extended(officer):
    draft = make_contract(by=officer, start_on=date(2018, 4, 1), extension_months=[12])
    with pytest.raises(ContractRuleError, match="A draft contract cannot be extended"):
        services.exercise_extension(by=officer, contract=draft, reason="x", today=date(2019, 1, 1))

    live = make_live_contract(by=officer, start_on=date(2018, 4, 1), extension_months=[12])
    services.terminate_contract(by=officer, contract=live, terminated_on=date(2019, 6, 30), reason="Provider closed.")
    with pytest.raises(ContractRuleError, match="terminated on 30 June 2019"):
        services.exercise_extension(by=officer, contract=live, reason="x", today=date(2019, 1, 1))


def test_a_reason_is_required_and_the_decision_cannot_be_in_the_future(officer):
    contract = make_live_contract(by=officer, start_on=date(2018, 4, 1), extension_months=[12])
    with pytest.raises(ContractRuleError, match="Enter why"):
        services.exercise_extension(by=officer, contract=contract, reason="  ", today=date(2019, 1, 1))
    with pytest.raises(ContractRuleError, match="today or in the past"):
        services.exercise_extension(
            by=officer, contract=contract, reason="Early", decided_on=date(2019, 1, 2), today=date(2019, 1, 1)
        )


def test_the_decision_point_is_the_notice_period_before_the_current_end(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2018, 4, 1), extension_months=[12], extension_notice_months=6
    )
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.next_extension_decision_on() == date(2020, 9, 30)
    services.exercise_extension(
        by=officer, contract=contract, reason="Yes.", decided_on=date(2020, 9, 1), today=date(2020, 9, 1)
    )
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.next_option() is None
    assert contract.next_extension_decision_on() is None


def test_create_contract_refuses_an_end_before_the_start_and_a_duplicate_reference(officer):
    with pytest.raises(ContractRuleError, match="must be after the start date") as error:
        make_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2025, 3, 31))
    assert error.value.field == "initial_end_on"
    make_contract(by=officer, reference="DUP-1")
    with pytest.raises(ContractRuleError, match="DUP-1 already exists"):
        make_contract(by=officer, reference="DUP-1")
    assert Contract.objects.count() == 1
