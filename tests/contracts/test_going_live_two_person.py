"""Making live a contract that no award or direct award produced (issue 16, finding 2): one officer could
create a contract in the admin and make it live alone. Now one officer proposes, and a second, different,
established officer confirms, on the contract page as in the admin's action. Both steps are audited. A
contract made from an award or direct award (already decided by two people) goes live as before."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import AuditEvent, User
from contracts import services
from contracts.models import Contract
from contracts.services import ContractRuleError
from tests.factories import make_established, make_user
from tests.factories.contracts import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(officer):
    return make_contract(by=officer, annual_value="10000")


def test_one_officer_alone_cannot_make_an_entered_contract_live(officer, contract):
    with pytest.raises(ContractRuleError, match="one officer proposes that it goes live and a second"):
        services.activate_contract(by=officer, contract=contract)
    services.propose_going_live(by=officer, contract=contract)
    with pytest.raises(ContractRuleError, match="a second, different officer must confirm"):
        services.activate_contract(by=officer, contract=contract)
    assert Contract.objects.get(pk=contract.pk).is_draft


def test_an_officer_made_today_cannot_confirm(officer, contract):
    services.propose_going_live(by=officer, contract=contract)
    made_today = make_user(User.Role.OFFICER, authority=officer.authority)
    with pytest.raises(ContractRuleError, match="less than 7 days old"):
        services.activate_contract(by=made_today, contract=contract)
    made_today.role_since = timezone.now() - timedelta(days=8)
    made_today.save()
    services.activate_contract(by=made_today, contract=contract)
    assert not Contract.objects.get(pk=contract.pk).is_draft


def test_a_second_established_officer_confirms_and_both_are_audited(officer, contract):
    services.propose_going_live(by=officer, contract=contract)
    second = make_established(User.Role.OFFICER, authority=officer.authority)
    services.activate_contract(by=second, contract=contract)
    proposed = AuditEvent.objects.get(action="contracts.going_live_proposed", object_id=str(contract.pk))
    live = AuditEvent.objects.get(action="contracts.contract_went_live", object_id=str(contract.pk))
    assert proposed.actor == officer and live.actor == second
    assert live.data["proposed_by"] == officer.email and live.data["confirmed_by"] == second.email


def test_proposing_twice_is_refused(officer, contract):
    services.propose_going_live(by=officer, contract=contract)
    with pytest.raises(ContractRuleError, match="already been proposed"):
        services.propose_going_live(by=officer, contract=contract)


def test_the_contract_page_proposes_then_a_second_officer_confirms(client, officer, contract):
    url = reverse("contracts:go_live", args=[contract.pk])
    client.force_login(officer)
    assert "Propose that it goes live" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Contract.objects.get(pk=contract.pk).live_proposed_by == officer
    response = client.post(url)
    assert response.status_code == 200 and "a second, different officer must confirm" in response.content.decode()
    client.force_login(make_user(User.Role.PROVIDER))
    assert client.post(url).status_code in (403, 404)
    second = make_established(User.Role.OFFICER, authority=officer.authority)
    client.force_login(second)
    assert "Confirm that it goes live" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Contract.objects.get(pk=contract.pk).activated_by == second
