"""The contract register tells other apps what happened (`contracts.events`), once the move commits:
went live, extension exercised, variation recorded, terminated, social value changed, and, from the
daily sweep, ended; a refused move tells nobody. The award stage tells them of award decisions and
approved direct awards (`contracts.award.events`)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest

from commissioning import events
from commissioning.models import AuditEvent
from contracts import services
from contracts.award.events import AWARD_DECIDED, DIRECT_AWARD_APPROVED
from contracts.events import (
    CONTRACT_ENDED,
    CONTRACT_TERMINATED,
    CONTRACT_WENT_LIVE,
    EXTENSION_EXERCISED,
    SOCIAL_VALUE_CHANGED,
    VARIATION_RECORDED,
)
from contracts.models import Variation
from contracts.tasks import record_contract_ends
from tests.factories.contracts import accept_social_value, go_live, make_contract, make_live_contract

pytestmark = pytest.mark.django_db

CONTRACT_EVENTS = (
    CONTRACT_WENT_LIVE,
    CONTRACT_ENDED,
    CONTRACT_TERMINATED,
    EXTENSION_EXERCISED,
    VARIATION_RECORDED,
    SOCIAL_VALUE_CHANGED,
)


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """`with told() as heard:` collects the contract events that the block's moves send, their commits
    simulated as the block ends."""

    @contextmanager
    def block():
        with events.recorded(*CONTRACT_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
            yield seen

    return block


def test_going_live_is_told(officer, told):
    contract = make_contract(by=officer)
    with told() as heard:
        live = go_live(contract, by=officer)
    # told on behalf of the second officer, who confirmed what `officer` proposed
    assert live.live_proposed_by == officer and live.activated_by != officer
    assert heard == [("contracts.contract_went_live", {"contract_id": contract.pk, "by_id": live.activated_by_id})]


def test_a_refused_go_live_tells_nobody(officer, told):
    contract = make_contract(by=officer, annual_value="150000")  # needs an accepted Social Value Proposal
    with told() as heard, pytest.raises(services.ContractRuleError):
        go_live(contract, by=officer)
    assert heard == []


def test_extension_variation_and_termination_are_told_with_their_values(officer, told):
    contract = make_live_contract(
        by=officer, start_on=date(2019, 4, 1), initial_end_on=date(2021, 3, 31), extension_months=[12]
    )
    with told() as heard:
        services.exercise_extension(
            by=officer, contract=contract, reason="Good.", decided_on=date(2020, 9, 1), today=date(2020, 9, 1)
        )
        variation = services.record_variation(
            by=officer,
            contract=contract,
            kind=Variation.Kind.SCOPE,
            new_scope="Also a helpline.",
            reason="More demand.",
            approver="Chief Executive",
            approved_on=date(2021, 5, 1),
            today=date(2021, 5, 1),
        )
        services.terminate_contract(
            by=officer, contract=contract, terminated_on=date(2021, 9, 30), reason="Closed.", today=date(2021, 6, 1)
        )
        with pytest.raises(services.ContractRuleError):  # refused: told nothing
            services.terminate_contract(by=officer, contract=contract, terminated_on=date(2021, 9, 30), reason="x")
    assert heard == [
        (
            "contracts.extension_exercised",
            {
                "contract_id": contract.pk,
                "by_id": officer.pk,
                "option": 1,
                "end_before": date(2021, 3, 31),
                "end_after": date(2022, 3, 31),
            },
        ),
        (
            "contracts.variation_recorded",
            {"contract_id": contract.pk, "by_id": officer.pk, "variation_id": variation.pk, "kind": "scope"},
        ),
        (
            "contracts.contract_terminated",
            {"contract_id": contract.pk, "by_id": officer.pk, "terminated_on": date(2021, 9, 30)},
        ),
    ]


def test_recording_and_accepting_social_value_is_told(officer, told):
    contract = make_contract(by=officer)
    with told() as heard:
        accept_social_value(contract, by=officer)
    assert [name for name, _payload in heard] == ["contracts.social_value_changed"] * 2
    assert {payload["contract_id"] for _name, payload in heard} == {contract.pk}


def test_contracts_whose_term_ran_out_are_told_once_each(officer, told):
    ended = make_live_contract(by=officer, start_on=date(2020, 4, 1), initial_end_on=date(2023, 3, 31))
    running = make_live_contract(by=officer, start_on=date(2020, 4, 1), initial_end_on=date(2030, 3, 31))
    terminated = make_live_contract(by=officer, start_on=date(2020, 4, 1), initial_end_on=date(2023, 3, 31))
    services.terminate_contract(
        by=officer, contract=terminated, terminated_on=date(2022, 3, 31), reason="Closed.", today=date(2022, 1, 1)
    )
    make_contract(by=officer, start_on=date(2020, 4, 1), initial_end_on=date(2023, 3, 31))  # a draft never ends

    with told() as heard:
        assert services.record_contract_ends(today=date(2026, 1, 1)) == [ended]
        assert services.record_contract_ends(today=date(2026, 1, 2)) == []  # the daily task may run twice
        assert record_contract_ends() == 0
    assert heard == [("contracts.contract_ended", {"contract_id": ended.pk, "ended_on": date(2023, 3, 31)})]
    event = AuditEvent.objects.get(action="contracts.contract_ended")
    assert (event.object_id, event.data) == (str(ended.pk), {"ended_on": "2023-03-31"})
    assert running.pk not in {c.pk for c in services.record_contract_ends(today=date(2026, 1, 3))}


def test_the_sweep_is_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["record-contract-ends"]["task"] == "contracts.record_contract_ends"


# The award stage -------------------------------------------------------------------------------------


def test_award_decisions_and_direct_award_approval_are_told(django_capture_on_commit_callbacks):
    from decimal import Decimal

    from contracts.award import services as award_services
    from tests.factories.awards import (
        complete_tender,
        evaluate_all,
        make_award_setup,
        make_direct_award,
        make_published_mini,
        open_competition,
    )

    setup = make_award_setup()
    awarded, not_awarded = make_published_mini(setup), make_published_mini(setup)
    for competition in (awarded, not_awarded):
        complete_tender(competition, setup.providers[0], price="40000")
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators)
    direct_award = make_direct_award(setup, annual_value=Decimal("40000"), social_value_summary="", commitments=[])
    winner = awarded.tenders.get()

    with (
        events.recorded(AWARD_DECIDED, DIRECT_AWARD_APPROVED) as heard,
        django_capture_on_commit_callbacks(execute=True),
    ):
        award = award_services.decide_award(lot=awarded.lots.get(), tender=winner, reasons="Best", by=setup.officer)
        award_services.decide_no_award(lot=not_awarded.lots.get(), reasons="Too dear", by=setup.officer)
        with pytest.raises(award_services.AwardRuleError):  # refused: told nothing
            award_services.decide_no_award(lot=not_awarded.lots.get(), reasons="Again", by=setup.officer)
        award_services.approve_direct_award(direct_award=direct_award, by=setup.officer2)
    direct_award.refresh_from_db()
    assert heard == [
        (
            "contracts.award_decided",
            {
                "competition_id": awarded.pk,
                "lot_id": awarded.lots.get().pk,
                "award_id": award.pk,
                "supplier_id": winner.supplier_id,
                "awarded": True,
                "by_id": setup.officer.pk,
            },
        ),
        (
            "contracts.award_decided",
            {
                "competition_id": not_awarded.pk,
                "lot_id": not_awarded.lots.get().pk,
                "award_id": None,
                "supplier_id": None,
                "awarded": False,
                "by_id": setup.officer.pk,
            },
        ),
        (
            "contracts.direct_award_approved",
            {
                "direct_award_id": direct_award.pk,
                "supplier_id": direct_award.supplier_id,
                "contract_id": direct_award.contract_id,
                "by_id": setup.officer2.pk,
            },
        ),
    ]
