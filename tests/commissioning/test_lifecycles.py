"""Every lifecycle is a table: each move from each status is either in it (and leads where the table says)
or refused with the same error, IllegalMove, and a plain message. Checked for every move from every status
of applications, competitions, responses, direct awards and quarterly returns."""

from __future__ import annotations

import pytest

from commissioning.lifecycle import IllegalMove, Lifecycle, RuleError
from contracts.award.lifecycles import COMPETITION, DIRECT_AWARD, TENDER
from frameworks.lifecycle import APPLICATION
from monitoring import services as monitoring_services
from monitoring.models import QuarterlyReturn

LIFECYCLES = {"application": APPLICATION, "competition": COMPETITION, "tender": TENDER, "direct_award": DIRECT_AWARD}


def every_move(lifecycle: Lifecycle):
    for move, allowed in lifecycle.transitions.items():
        for status in lifecycle.statuses.values:
            yield move, status, allowed


CASES = [
    pytest.param(lifecycle, move, status, allowed, id=f"{name}-{move}-from-{status}")
    for name, lifecycle in LIFECYCLES.items()
    for move, status, allowed in every_move(lifecycle)
]


@pytest.mark.parametrize(("lifecycle", "move", "status", "allowed"), CASES)
def test_every_move_from_every_status_is_allowed_by_the_table_or_refused(lifecycle, move, status, allowed):
    if status in allowed:
        assert lifecycle.allows(move, status)
        assert lifecycle.next_status(move, status) == (allowed[status] or status)
    else:
        assert not lifecycle.allows(move, status)
        with pytest.raises(IllegalMove) as refused:
            lifecycle.next_status(move, status)
        message = refused.value.messages[0]
        assert message.startswith(f"{lifecycle.thing} that is {lifecycle.name_of(status)} cannot ")
        assert f"cannot {lifecycle.refusals[move]}." in message
        assert "_" not in message  # plain words, not the code's names


RETURN_STATUSES = [None, *QuarterlyReturn.Status.values]


@pytest.mark.parametrize("move", sorted(monitoring_services.TRANSITIONS))
@pytest.mark.parametrize("status", RETURN_STATUSES)
def test_a_quarterly_return_refuses_with_the_same_error(move, status):
    allowed = monitoring_services.TRANSITIONS[move]
    if status in allowed:
        assert monitoring_services.next_status(move, status) == (allowed[status] or status)
    else:
        with pytest.raises(IllegalMove) as refused:
            monitoring_services.next_status(move, status)
        assert isinstance(refused.value, monitoring_services.ReturnRuleError)
        assert refused.value.messages[0].startswith("A return that is ")


def test_illegal_moves_are_rule_errors_so_forms_show_them():
    assert issubclass(IllegalMove, RuleError)
    with pytest.raises(RuleError):
        COMPETITION.next_status("publish", COMPETITION.statuses.CANCELLED)


def test_statuses_read_as_people_say_them():
    assert COMPETITION.name_of(COMPETITION.statuses.CLOSED) == "closed"
    assert DIRECT_AWARD.name_of(DIRECT_AWARD.statuses.REQUESTED) == "awaiting approval"
    assert APPLICATION.name_of(APPLICATION.statuses.CLARIFICATION) == "clarification requested"
    with pytest.raises(IllegalMove, match=r"^\['A response that is submitted cannot be changed. Withdraw it"):
        TENDER.next_status("edit", TENDER.statuses.SUBMITTED)


def test_the_tables_lead_only_forward_and_end_in_final_statuses():
    assert APPLICATION.targets(APPLICATION.statuses.DECIDED) == set()
    assert APPLICATION.targets(APPLICATION.statuses.WITHDRAWN) == set()
    assert TENDER.targets(TENDER.statuses.SUCCESSFUL) == TENDER.targets(TENDER.statuses.UNSUCCESSFUL) == set()
    assert DIRECT_AWARD.targets(DIRECT_AWARD.statuses.APPROVED) == set()
    assert COMPETITION.targets(COMPETITION.statuses.CONTRACTED) == set()
    assert TENDER.targets(TENDER.statuses.SUBMITTED) == {TENDER.statuses.WITHDRAWN, TENDER.statuses.OPENED}


def test_a_lifecycle_says_why_for_every_move():
    with pytest.raises(ValueError, match="no refusal message"):
        Lifecycle(
            thing="A thing",
            statuses=QuarterlyReturn.Status,
            transitions={"go": {"draft": "submitted"}},
            refusals={},
        )
