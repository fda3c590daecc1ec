"""Monitoring hears from the contract register (`monitoring.handlers`): a contract that goes live gets its
indicator set once its transaction commits, a live contract's new social value commitment becomes an
indicator, and `manage.py set_up_indicators` catches up contracts that went live without them. Return
pages then only read the set: a GET writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from commissioning import events
from commissioning.dates import Quarter
from commissioning.models import AuditEvent, User
from contracts import services as contract_services
from contracts.events import CONTRACT_WENT_LIVE
from contracts.models import SocialValueCommitment
from monitoring import handlers, services
from monitoring.models import ContractIndicator
from tests.factories import make_user
from tests.factories.contracts import accept_social_value, go_live, make_contract
from tests.factories.frameworks import make_framework, make_lot
from tests.factories.monitoring import make_template

pytestmark = pytest.mark.django_db


def _draft_on_a_lot_with_a_template(officer: User, **kwargs):
    lot = make_lot(make_framework(lead_authority=officer.authority))
    make_template(lot=lot)
    provider = make_user(User.Role.PROVIDER)
    contract = make_contract(
        by=officer,
        lot=lot,
        supplier=provider.supplier_membership.supplier,
        buying_authority=officer.authority,
        **kwargs,
    )
    return contract, provider


def _set_up_events(contract) -> int:
    return AuditEvent.objects.filter(action="monitoring.indicators_set_up", object_id=str(contract.pk)).count()


def test_a_contract_that_goes_live_gets_its_indicator_set_once_the_move_commits(django_capture_on_commit_callbacks):
    officer = make_user(User.Role.OFFICER)
    contract, _provider = _draft_on_a_lot_with_a_template(officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        live = go_live(contract, by=officer)
    assert not ContractIndicator.objects.filter(contract=contract).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    codes = list(ContractIndicator.objects.filter(contract=contract).order_by("order").values_list("code", flat=True))
    assert codes == ["REF", "CONTACT48", "WAIT", "SATISFIED", "SPEND"]
    event = AuditEvent.objects.get(action="monitoring.indicators_set_up", object_id=str(contract.pk))
    assert event.actor == live.activated_by  # on behalf of the (second) officer who made it live


def test_hearing_the_same_contract_went_live_twice_sets_it_up_once(django_capture_on_commit_callbacks):
    officer = make_user(User.Role.OFFICER)
    contract, _provider = _draft_on_a_lot_with_a_template(officer)
    with django_capture_on_commit_callbacks(execute=True):
        go_live(contract, by=officer)
    handlers.set_up_indicators_of(contract_id=contract.pk, by_id=officer.pk)
    events.deliver(CONTRACT_WENT_LIVE, {"contract_id": contract.pk, "by_id": None})
    assert ContractIndicator.objects.filter(contract=contract).count() == 5
    assert _set_up_events(contract) == 1


def test_a_refused_go_live_sets_nothing_up(django_capture_on_commit_callbacks):
    officer = make_user(User.Role.OFFICER)
    contract, _provider = _draft_on_a_lot_with_a_template(officer, annual_value="150000")  # needs social value
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(contract_services.ContractRuleError):
        go_live(contract, by=officer)
    assert not ContractIndicator.objects.filter(contract=contract).exists()


def test_social_value_of_a_draft_waits_for_go_live_then_a_live_contracts_new_commitment_is_added(
    django_capture_on_commit_callbacks,
):
    officer = make_user(User.Role.OFFICER)
    contract, _provider = _draft_on_a_lot_with_a_template(officer, annual_value="150000")
    with django_capture_on_commit_callbacks(execute=True):
        accept_social_value(contract, by=officer)
    assert not ContractIndicator.objects.filter(contract=contract).exists()  # a draft has no set yet
    with django_capture_on_commit_callbacks(execute=True):
        go_live(contract, by=officer)
    assert ContractIndicator.objects.filter(contract=contract, commitment__isnull=False).count() == 1

    proposal = contract.social_value_proposal
    proposal.accepted_at = None  # the proposal reopened for a commitment agreed later (as the admin allows)
    proposal.save()
    commitment = SocialValueCommitment(
        proposal=proposal, theme="social", measure="Volunteer hours", unit="hours", target=100, due_on=date(2027, 3, 31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.save_contract_part(by=officer, contract=contract, part=commitment)
    added = ContractIndicator.objects.get(contract=contract, commitment=commitment)
    assert (added.target, added.target_due_on) == (Decimal("100"), date(2027, 3, 31))


def test_the_command_gives_live_contracts_their_missing_indicators_and_is_idempotent():
    officer = make_user(User.Role.OFFICER)
    contract, _provider = _draft_on_a_lot_with_a_template(officer)
    draft, _ = _draft_on_a_lot_with_a_template(officer)
    go_live(contract, by=officer)  # its handler never ran (no commit)
    assert not ContractIndicator.objects.filter(contract=contract).exists()

    out = StringIO()
    call_command("set_up_indicators", stdout=out)
    assert f"{contract.reference}: indicators set up" in out.getvalue()
    assert ContractIndicator.objects.filter(contract=contract).count() == 5
    assert not ContractIndicator.objects.filter(contract=draft).exists()  # drafts get theirs when they go live

    again = StringIO()
    call_command("set_up_indicators", stdout=again)
    assert "0 live contract(s)" in again.getvalue()
    assert ContractIndicator.objects.filter(contract=contract).count() == 5
    assert _set_up_events(contract) == 1


def test_return_pages_read_the_indicator_set_and_write_nothing(client):
    """Before, opening a return (even downloading its spreadsheet) made the set: now it only reads it."""
    officer = make_user(User.Role.OFFICER)
    contract, provider = _draft_on_a_lot_with_a_template(officer, start_on=date(2025, 4, 1))
    go_live(contract, by=officer)  # the handler has not run
    quarter = Quarter(2025, 1)
    args = [contract.pk, quarter.financial_year, quarter.number]
    client.force_login(provider)
    for name in ("monitoring:edit_return", "monitoring:download_spreadsheet"):
        assert client.get(reverse(name, args=args)).status_code == 200
    client.force_login(officer)
    assert client.get(reverse("monitoring:targets", args=[contract.pk])).status_code == 200
    assert not ContractIndicator.objects.filter(contract=contract).exists()
    assert _set_up_events(contract) == 0

    client.force_login(provider)
    assert "Referrals received" not in client.get(reverse("monitoring:edit_return", args=args)).content.decode()
    services.set_up_indicators(contract=contract, by=None)
    assert "Referrals received" in client.get(reverse("monitoring:edit_return", args=args)).content.decode()


# What monitoring itself tells -------------------------------------------------------------------------


def test_returns_submitted_accepted_and_returned_are_told(django_capture_on_commit_callbacks):
    from monitoring.events import RETURN_ACCEPTED, RETURN_RETURNED, RETURN_SUBMITTED
    from monitoring.models import QuarterlyReturn
    from tests.factories.monitoring import make_monitored_contract, make_return

    m = make_monitored_contract()
    with (
        events.recorded(RETURN_SUBMITTED, RETURN_ACCEPTED, RETURN_RETURNED) as heard,
        django_capture_on_commit_callbacks(execute=True),
    ):
        returned = make_return(m, status=QuarterlyReturn.Status.RESUBMITTED)
        with pytest.raises(services.ReturnRuleError):  # refused: told nothing
            services.return_for_amendment(quarterly_return=returned, by=m.officer, comments=" ")
        services.accept_return(quarterly_return=returned, by=m.officer)
    ids = {"return_id": returned.pk, "contract_id": m.contract.pk}
    assert heard == [
        ("monitoring.return_submitted", ids | {"resubmitted": False, "by_id": m.provider.pk}),
        ("monitoring.return_returned", ids | {"by_id": m.officer.pk}),
        ("monitoring.return_submitted", ids | {"resubmitted": True, "by_id": m.provider.pk}),
        ("monitoring.return_accepted", ids | {"by_id": m.officer.pk}),
    ]
