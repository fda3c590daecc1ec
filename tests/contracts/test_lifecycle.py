"""Status from dates and decisions, the social value rule, variations, termination, scope, meetings
and actions: every lifecycle move and its refusals."""

from datetime import date
from decimal import Decimal

import pytest

from commissioning.models import AuditEvent, User
from contracts import services
from contracts.models import (
    Contract,
    ContractMeeting,
    ContractYearValue,
    MeetingAction,
    SocialValueCommitment,
    Variation,
)
from contracts.services import ContractRuleError
from tests.factories import make_supplier, make_user
from tests.factories.contracts import (
    accept_social_value,
    go_live,
    make_contract,
    make_live_contract,
    make_meeting_with_action,
)

pytestmark = pytest.mark.django_db


# Status -------------------------------------------------------------------------------------------------


def test_status_follows_the_dates_and_decisions(officer):
    contract = make_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2028, 3, 31))
    assert contract.status_on(date(2026, 1, 1)) == Contract.Status.DRAFT

    contract = go_live(contract, by=officer)
    assert contract.status_on(date(2025, 1, 1)) == Contract.Status.LIVE  # signed, before it starts
    assert contract.status_on(date(2027, 9, 30)) == Contract.Status.LIVE
    assert contract.status_on(date(2027, 10, 1)) == Contract.Status.FINAL_SIX_MONTHS
    assert contract.status_on(date(2028, 3, 31)) == Contract.Status.FINAL_SIX_MONTHS
    assert contract.status_on(date(2028, 4, 1)) == Contract.Status.ENDED

    contract = services.terminate_contract(
        by=officer, contract=contract, terminated_on=date(2026, 6, 30), reason="Closed."
    )
    assert contract.status_on(date(2026, 1, 5)) == Contract.Status.FINAL_SIX_MONTHS
    assert contract.status_on(date(2026, 6, 30)) == Contract.Status.FINAL_SIX_MONTHS
    assert contract.status_on(date(2026, 7, 1)) == Contract.Status.TERMINATED


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2027, 9, 30), "live"),
        (date(2027, 10, 1), "final_six_months"),
        (date(2028, 4, 1), "ended"),
    ],
)
def test_the_database_status_filter_agrees_with_python(officer, today, status):
    draft = make_contract(by=officer)
    live = make_live_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2028, 3, 31))
    terminated = make_live_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2028, 3, 31))
    services.terminate_contract(by=officer, contract=terminated, terminated_on=date(2026, 6, 30), reason="Closed.")
    every = [draft, live, terminated]
    for value in Contract.Status.values:
        in_db = set(Contract.objects.with_status(value, today).values_list("pk", flat=True))
        in_python = {c.pk for c in every if Contract.objects.get(pk=c.pk).status_on(today) == value}
        assert in_db == in_python, value
    assert live.pk in Contract.objects.with_status(status, today).values_list("pk", flat=True)


def test_going_live_twice_is_refused(officer):
    contract = make_live_contract(by=officer)
    with pytest.raises(ContractRuleError, match="already live"):
        go_live(contract, by=officer)
    assert AuditEvent.objects.filter(action="contracts.contract_went_live").count() == 1


# Social value -------------------------------------------------------------------------------------------


def test_a_contract_of_exactly_the_threshold_goes_live_without_social_value(officer, settings):
    assert Decimal("100000.00") == settings.SOCIAL_VALUE_THRESHOLD
    contract = make_contract(by=officer, year_values={2025: Decimal("60000.00"), 2026: Decimal("40000.00")})
    assert contract.total_value_now == Decimal("100000.00")
    go_live(contract, by=officer)
    contract.refresh_from_db()
    assert contract.activated_at is not None


def test_a_contract_a_penny_over_the_threshold_needs_an_accepted_proposal(officer):
    contract = make_contract(by=officer, year_values={2025: Decimal("60000.00"), 2026: Decimal("40000.01")})
    with pytest.raises(ContractRuleError, match=r"£100,000\.01 \(excluding VAT\) is over £100,000\.00"):
        go_live(contract, by=officer)
    contract.refresh_from_db()
    assert contract.activated_at is None

    proposal = services.record_social_value_proposal(
        by=officer,
        contract=contract,
        summary="Apprenticeships.",
        commitments=[
            {
                "theme": SocialValueCommitment.Theme.JOBS,
                "measure": "Apprentices",
                "unit": "people",
                "target": Decimal("2"),
                "due_on": date(2027, 3, 31),
            }
        ],
    )
    with pytest.raises(ContractRuleError, match="accept a Social Value Proposal"):
        go_live(contract, by=officer)  # recorded but not accepted

    services.accept_social_value_proposal(by=officer, proposal=proposal)
    go_live(contract, by=officer)
    contract.refresh_from_db()
    assert contract.activated_at is not None


def test_the_threshold_compares_the_total_not_one_year(officer):
    """£60,000 a year for three years is £180,000: over the threshold although no year is."""
    contract = make_contract(by=officer, start_on=date(2025, 4, 1), annual_value="60000")
    assert [v.amount for v in contract.year_values.all()] == [Decimal("60000.00")] * 3
    with pytest.raises(ContractRuleError, match="£180,000.00"):
        go_live(contract, by=officer)


def test_the_threshold_is_a_setting(officer, settings):
    settings.SOCIAL_VALUE_THRESHOLD = Decimal("250000.00")
    contract = make_contract(by=officer, year_values={2025: Decimal("200000.00")})
    go_live(contract, by=officer)
    assert Contract.objects.get(pk=contract.pk).activated_at is not None


def test_grant_agreements_are_not_held_to_the_social_value_rule(officer):
    grant = make_contract(by=officer, kind=Contract.Kind.GRANT, annual_value="329467")
    go_live(grant, by=officer)
    assert Contract.objects.get(pk=grant.pk).activated_at is not None


def test_a_proposal_needs_commitments_and_cannot_be_replaced_once_accepted(officer):
    contract = make_contract(by=officer, annual_value="150000")
    proposal = services.record_social_value_proposal(by=officer, contract=contract, summary="Empty.")
    with pytest.raises(ContractRuleError, match="at least one commitment"):
        services.accept_social_value_proposal(by=officer, proposal=proposal)
    accept_social_value(contract, by=officer)
    with pytest.raises(ContractRuleError, match="accepted and cannot be replaced"):
        services.record_social_value_proposal(by=officer, contract=contract, summary="New.")


def test_a_value_variation_cannot_take_a_live_contract_over_the_threshold_without_social_value(officer):
    contract = make_live_contract(by=officer, year_values={2025: Decimal("50000"), 2026: Decimal("50000")})
    with pytest.raises(ContractRuleError, match="over £100,000.00") as error:
        services.record_variation(
            by=officer,
            contract=contract,
            kind=Variation.Kind.VALUE,
            financial_year=2026,
            new_value=Decimal("50000.01"),
            reason="More referrals.",
            approver="PCC",
            approved_on=date(2026, 1, 5),
            today=date(2026, 1, 5),
        )
    assert error.value.field == "new_value"
    assert ContractYearValue.objects.get(contract=contract, financial_year=2026).amount == Decimal("50000.00")


# Variations ---------------------------------------------------------------------------------------------


def test_variations_keep_the_values_before_and_after(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2015, 9, 1), initial_end_on=date(2017, 8, 31), annual_value="90000"
    )
    end = services.record_variation(
        by=officer,
        contract=contract,
        kind=Variation.Kind.END_DATE,
        new_end=date(2017, 11, 30),
        reason="Delays in the programme becoming operational.",
        approver="Police and Crime Commissioner",
        approved_on=date(2017, 8, 1),
        today=date(2017, 8, 1),
    )
    value = services.record_variation(
        by=officer,
        contract=contract,
        kind=Variation.Kind.VALUE,
        financial_year=2016,
        new_value=Decimal("95000"),
        reason="Additional project on honour based abuse.",
        approver="Chief Executive",
        approved_on=date(2017, 9, 1),
        today=date(2017, 9, 1),
    )
    scope = services.record_variation(
        by=officer,
        contract=contract,
        kind=Variation.Kind.SCOPE,
        new_scope="Conditional caution referrals only.",
        reason="Revised specification.",
        approver="Commissioning board",
        approved_on=date(2017, 10, 1),
        today=date(2017, 10, 1),
    )
    contract.refresh_from_db()
    assert contract.current_end_on == date(2017, 11, 30)
    assert contract.initial_end_on == date(2017, 8, 31)
    assert (end.end_before, end.end_after, end.recorded_by) == (date(2017, 8, 31), date(2017, 11, 30), officer)
    before_value = ContractYearValue.objects.get(contract=contract, financial_year=2016).amount
    assert (value.value_before, value.value_after, before_value) == (
        Decimal("90000.00"),
        Decimal("95000.00"),
        Decimal("95000.00"),
    )
    assert (scope.scope_before, scope.scope_after) == ("", "Conditional caution referrals only.")
    assert contract.scope == "Conditional caution referrals only."
    assert list(contract.variations.values_list("kind", flat=True)) == ["end_date", "value", "scope"]
    events = AuditEvent.objects.filter(action="contracts.variation_recorded", object_id=str(contract.pk)).order_by("id")
    assert [e.data["kind"] for e in events] == ["end_date", "value", "scope"]
    assert events[0].data["end_before"] == "2017-08-31" and events[0].data["end_after"] == "2017-11-30"
    assert events[1].data["value_before"] == "90000.00" and events[1].data["approver"] == "Chief Executive"
    assert contract.history.filter(current_end_on=date(2017, 8, 31)).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "end_date"}, "new_end", "Enter the new end date"),
        ({"kind": "end_date", "new_end": date(2015, 8, 1)}, "new_end", "after the start date"),
        ({"kind": "end_date", "new_end": date(2017, 8, 31)}, "new_end", "same as the current end date"),
        ({"kind": "value"}, "financial_year", "Select the financial year"),
        ({"kind": "value", "financial_year": 2030, "new_value": 1}, "financial_year", "outside the contract's term"),
        ({"kind": "value", "financial_year": 2016, "new_value": -1}, "new_value", "cannot be negative"),
        ({"kind": "value", "financial_year": 2016, "new_value": "lots"}, "new_value", "Enter an amount"),
        ({"kind": "scope"}, "new_scope", "Enter the new scope"),
        ({"kind": "end_date", "new_end": date(2017, 9, 30), "reason": ""}, "reason", "Enter the reason"),
        ({"kind": "end_date", "new_end": date(2017, 9, 30), "approver": ""}, "approver", "Enter who approved"),
        (
            {"kind": "end_date", "new_end": date(2017, 9, 30), "approved_on": date(2017, 9, 1)},
            "approved_on",
            "cannot be varied after its end",
        ),
    ],
)
def test_bad_variations_are_refused_with_the_field_to_blame(officer, changes, field, message):
    contract = make_live_contract(
        by=officer, start_on=date(2015, 9, 1), initial_end_on=date(2017, 8, 31), annual_value="50000"
    )
    values = {
        "reason": "Because.",
        "approver": "PCC",
        "approved_on": date(2017, 8, 1),
        "today": date(2017, 9, 2),
    }
    values.update(changes)
    with pytest.raises(ContractRuleError, match=message) as error:
        services.record_variation(by=officer, contract=contract, **values)
    assert error.value.field == field
    assert not Variation.objects.exists()


def test_a_draft_contract_is_not_varied(officer):
    draft = make_contract(by=officer)
    with pytest.raises(ContractRuleError, match="A draft contract cannot be varied"):
        services.record_variation(
            by=officer,
            contract=draft,
            kind="scope",
            new_scope="x",
            reason="r",
            approver="a",
            approved_on=date(2025, 5, 1),
        )


# Terms of a live contract ---------------------------------------------------------------------------------


def test_a_live_contracts_terms_change_only_by_variation(officer):
    contract = make_live_contract(by=officer)
    with pytest.raises(ContractRuleError, match="recording a variation") as error:
        services.update_contract(by=officer, contract=contract, initial_end_on=date(2030, 3, 31))
    assert error.value.field == "initial_end_on"
    services.update_contract(by=officer, contract=contract, title="Renamed service")
    assert Contract.objects.get(pk=contract.pk).title == "Renamed service"
    event = AuditEvent.objects.get(action="contracts.contract_updated")
    assert event.data["after"] == {"title": "Renamed service"}


def test_a_drafts_end_date_moves_its_current_end_too(officer):
    contract = make_contract(by=officer, start_on=date(2025, 4, 1))
    services.update_contract(by=officer, contract=contract, initial_end_on=date(2027, 3, 31))
    contract.refresh_from_db()
    assert contract.current_end_on == date(2027, 3, 31)


def test_year_values_of_a_live_contract_are_not_set_directly(officer):
    contract = make_live_contract(by=officer, annual_value="50000")
    with pytest.raises(ContractRuleError, match="recording a variation"):
        services.set_year_value(by=officer, contract=contract, financial_year=2025, amount=Decimal("1"))
    with pytest.raises(ContractRuleError, match="extension options change only"):
        services.save_contract_part(by=officer, contract=contract, part=contract.year_values.first(), delete=True)


# Termination ----------------------------------------------------------------------------------------------


def test_termination_records_the_reason_and_refuses_dates_outside_the_term(officer):
    contract = make_live_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2028, 3, 31))
    with pytest.raises(ContractRuleError, match="between the start date") as error:
        services.terminate_contract(by=officer, contract=contract, terminated_on=date(2028, 4, 1), reason="Late.")
    assert error.value.field == "terminated_on"
    with pytest.raises(ContractRuleError, match="Enter the reason"):
        services.terminate_contract(by=officer, contract=contract, terminated_on=date(2026, 1, 1), reason=" ")
    services.terminate_contract(
        by=officer, contract=contract, terminated_on=date(2026, 1, 31), reason="The provider has closed."
    )
    contract.refresh_from_db()
    assert (contract.terminated_on, contract.termination_reason, contract.terminated_by) == (
        date(2026, 1, 31),
        "The provider has closed.",
        officer,
    )
    with pytest.raises(ContractRuleError, match="terminated on 31 January 2026"):
        services.terminate_contract(by=officer, contract=contract, terminated_on=date(2026, 1, 1), reason="Again.")


# Scope ----------------------------------------------------------------------------------------------------


def test_marking_a_service_out_of_scope_needs_a_reason(officer):
    contract = make_live_contract(by=officer)
    with pytest.raises(ContractRuleError, match="why the service is out of scope") as error:
        services.set_recommissioning_scope(by=officer, contract=contract, in_scope=False)
    assert error.value.field == "scope_note"
    services.set_recommissioning_scope(by=officer, contract=contract, in_scope=False, note="Internal service.")
    contract.refresh_from_db()
    assert (contract.in_recommissioning_scope, contract.scope_note) == (False, "Internal service.")
    services.set_recommissioning_scope(by=officer, contract=contract, in_scope=True, note="ignored")
    contract.refresh_from_db()
    assert (contract.in_recommissioning_scope, contract.scope_note) == (True, "")


# Meetings and actions -------------------------------------------------------------------------------------


def test_a_quarterly_meeting_schedule_is_generated_over_the_term_once(officer):
    contract = make_live_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2028, 3, 31))
    meetings = services.schedule_meetings(by=officer, contract=contract)
    assert len(meetings) == 12
    assert [m.held_on for m in meetings[:4]] == [
        date(2025, 5, 15),
        date(2025, 8, 15),
        date(2025, 11, 17),  # the 15th is a Saturday: the Monday after
        date(2026, 2, 16),  # the 15th is a Sunday
    ]
    assert {(m.financial_year, m.quarter) for m in meetings} == {
        (y, q) for y in (2025, 2026, 2027) for q in (1, 2, 3, 4)
    }
    assert services.schedule_meetings(by=officer, contract=contract) == []
    assert ContractMeeting.objects.filter(contract=contract).count() == 12


def test_exercising_an_extension_extends_the_schedule_and_shortening_trims_empty_meetings(officer):
    contract = make_live_contract(
        by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2026, 3, 31), extension_months=[12]
    )
    services.schedule_meetings(by=officer, contract=contract)
    assert contract.meetings.count() == 4
    services.exercise_extension(
        by=officer, contract=contract, reason="Good.", decided_on=date(2025, 12, 1), today=date(2025, 12, 1)
    )
    assert contract.meetings.count() == 8
    kept = contract.meetings.get(financial_year=2026, quarter=3)
    services.record_meeting(by=officer, meeting=kept, attendees="Both managers", notes="Discussed waiting times.")
    services.record_variation(
        by=officer,
        contract=contract,
        kind="end_date",
        new_end=date(2026, 6, 30),
        reason="Service moving to a new provider.",
        approver="PCC",
        approved_on=date(2026, 1, 10),
        today=date(2026, 1, 10),
    )
    held = sorted((m.financial_year, m.quarter) for m in contract.meetings.all())
    assert held == [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 3)]


def test_the_provider_marks_their_action_done_once(officer):
    provider = make_user(User.Role.PROVIDER)
    contract = make_live_contract(by=officer, supplier=provider.supplier_membership.supplier)
    action = make_meeting_with_action(contract, by=officer)
    services.complete_action(by=provider, action=action)
    action.refresh_from_db()
    assert action.is_done and action.done_by == provider
    assert AuditEvent.objects.filter(action="contracts.meeting_action_done", actor=provider).count() == 1
    with pytest.raises(ContractRuleError, match="already marked done"):
        services.complete_action(by=provider, action=action)


def test_another_suppliers_user_cannot_complete_an_action(officer):
    contract = make_live_contract(by=officer, supplier=make_supplier())
    action = make_meeting_with_action(contract, by=officer)
    stranger = make_user(User.Role.PROVIDER)
    with pytest.raises(ContractRuleError, match="Only the commissioner or the contract's provider"):
        services.complete_action(by=stranger, action=action)
    assert MeetingAction.objects.get(pk=action.pk).done_at is None


def test_milestones_are_added_and_done(officer):
    contract = make_live_contract(by=officer)
    milestone = services.add_milestone(by=officer, contract=contract, name="Tender issued", due_on=date(2027, 9, 30))
    services.complete_milestone(by=officer, milestone=milestone, today=date(2027, 9, 28))
    milestone.refresh_from_db()
    assert milestone.done_on == date(2027, 9, 28)
    with pytest.raises(ContractRuleError, match="already done"):
        services.complete_milestone(by=officer, milestone=milestone)


def test_a_contract_from_an_award_is_linked_to_its_source_once(officer):
    """The award stage will call create_contract with origin and source; one contract per source."""
    source = make_supplier()  # any saved model stands in for an award here
    contract = make_contract(by=officer, origin=Contract.Origin.AWARD, source=source)
    assert contract.source == source and contract.origin == "award"
    with pytest.raises(ContractRuleError, match="already been created from this award"):
        make_contract(by=officer, origin=Contract.Origin.AWARD, source=source)
