"""Tenancy, decided once in commissioning/rules.py (issue 20): an officer reads what their authority buys
and the call-offs from frameworks it leads, manages only what it buys, and nothing of another authority;
platform administrators read everything and decide nothing."""

from datetime import date

import pytest
from django.urls import reverse

from commissioning.dates import Quarter
from commissioning.models import User
from commissioning.rules import reading_for_filter, reads_for_authority
from contracts.models import Contract
from monitoring import services as monitoring_services
from monitoring.models import QuarterlyReturn
from tests.factories import make_authority, make_user
from tests.factories.contracts import make_live_contract
from tests.factories.frameworks import make_framework, make_lot
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_authorities():
    ours, theirs = make_authority(name="Our OPCC"), make_authority(name="Their OPCC")
    us = make_user(User.Role.OFFICER, authority=ours)
    them = make_user(User.Role.OFFICER, authority=theirs)
    contract = make_live_contract(by=them, title="Their advocacy service", start_on=date(2025, 4, 1))
    return us, them, contract


def test_an_officer_gets_404_for_another_authoritys_contract(client, two_authorities):
    us, them, contract = two_authorities
    client.force_login(us)
    for name in ("officer_contract", "record_variation", "exercise_extension", "terminate", "set_scope", "go_live"):
        assert client.get(reverse(f"contracts:{name}", args=[contract.pk])).status_code == 404, name
    assert client.post(reverse("contracts:schedule_meetings", args=[contract.pk])).status_code == 404
    assert "Their advocacy service" not in client.get(reverse("contracts:officer_register")).content.decode()
    client.force_login(them)
    assert client.get(reverse("contracts:officer_contract", args=[contract.pk])).status_code == 200
    assert "Their advocacy service" in client.get(reverse("contracts:officer_register")).content.decode()


def test_the_predicate_and_the_filter_agree(two_authorities):
    us, them, contract = two_authorities
    administrator = make_user(User.Role.ADMINISTRATOR)
    for user, expected in ((us, False), (them, True), (administrator, True)):
        assert reads_for_authority(user, contract) is expected
        assert Contract.objects.filter(reading_for_filter(user, *Contract.READ_BY), pk=contract.pk).exists() is expected
    assert reads_for_authority(make_user(User.Role.PROVIDER), contract) is False
    assert not Contract.objects.filter(reading_for_filter(make_user(User.Role.EVALUATOR), *Contract.READ_BY)).exists()


def test_the_framework_lead_reads_a_partners_call_off_but_does_not_manage_it(client):
    lead, partner = make_authority(name="Lead OPCC"), make_authority(name="Partner council")
    lead_officer = make_user(User.Role.OFFICER, authority=lead)
    partner_officer = make_user(User.Role.OFFICER, authority=partner)
    lot = make_lot(make_framework(lead_authority=lead, partners=[partner]))
    call_off = make_live_contract(by=partner_officer, title="Partner call-off", lot=lot)
    assert Contract.objects.for_authority(lead.pk).filter(pk=call_off.pk).exists()
    client.force_login(lead_officer)
    page = client.get(reverse("contracts:officer_contract", args=[call_off.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Partner council manages this contract" in html and "Record a variation" not in html
    assert client.get(reverse("contracts:record_variation", args=[call_off.pk])).status_code == 404
    assert "Partner call-off" in client.get(reverse("contracts:officer_register")).content.decode()
    client.force_login(partner_officer)
    assert (
        "Record a variation" in client.get(reverse("contracts:officer_contract", args=[call_off.pk])).content.decode()
    )


def test_administrators_read_across_authorities_and_change_nothing(client, two_authorities):
    _us, _them, contract = two_authorities
    client.force_login(make_user(User.Role.ADMINISTRATOR))
    assert client.get(reverse("contracts:officer_contract", args=[contract.pk])).status_code == 200
    assert "Their advocacy service" in client.get(reverse("contracts:officer_register")).content.decode()
    assert client.get(reverse("contracts:record_variation", args=[contract.pk])).status_code == 403


def test_returns_are_read_and_decided_by_their_own_authority_only(client):
    ours, theirs = make_monitored_contract(), make_monitored_contract()
    submitted = make_return(theirs, Quarter(2025, 1), status=QuarterlyReturn.Status.SUBMITTED)
    client.force_login(ours.officer)
    for url in (
        reverse("monitoring:review", args=[submitted.pk]),
        reverse("monitoring:officer_document", args=[submitted.pk]),
        reverse("monitoring:targets", args=[theirs.contract.pk]),
    ):
        assert client.get(url).status_code == 404, url
    board = client.get(reverse("monitoring:dashboard"), {"quarter": "2025-q1"}).content.decode()
    assert theirs.contract.reference not in board
    with pytest.raises(Exception, match="authority that buys this contract"):
        monitoring_services.accept_return(quarterly_return=submitted, by=ours.officer)
    client.force_login(theirs.officer)
    assert client.get(reverse("monitoring:review", args=[submitted.pk])).status_code == 200
    assert (
        theirs.contract.reference
        in client.get(reverse("monitoring:dashboard"), {"quarter": "2025-q1"}).content.decode()
    )


def test_the_admin_obeys_the_same_tenancy(client, two_authorities):
    us, them, contract = two_authorities
    client.force_login(us)
    assert contract.reference not in client.get(reverse("admin:contracts_contract_changelist")).content.decode()
    response = client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    assert response.status_code in (302, 404)  # the admin sends a missing object back to the list
    client.force_login(them)
    assert contract.reference in client.get(reverse("admin:contracts_contract_changelist")).content.decode()
    assert client.get(reverse("admin:contracts_contract_change", args=[contract.pk])).status_code == 200
