"""Filter choices are kept a minute per account (`commissioning.choices`): a second view of a list does not
ask for them again, another account gets its own, and saving a contract, lot, framework, supplier or
authority drops them, so the register offers a provider the moment its first contract is made."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning import choices
from tests.factories import make_supplier, make_user
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db


def register_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("contracts:officer_register"))
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_a_second_view_reads_the_choices_kept(client, officer):
    make_live_contract(by=officer)
    client.force_login(officer)
    first, _ = register_queries(client)
    second, _ = register_queries(client)
    assert second == first - 3  # lots, providers and buying authorities


def test_a_new_contract_is_offered_at_once(client, officer):
    make_live_contract(by=officer)
    client.force_login(officer)
    register_queries(client)
    make_live_contract(by=officer, supplier=make_supplier(legal_name="Coventry Haven Women's Aid"))
    _, html = register_queries(client)
    assert "Coventry Haven Women&#x27;s Aid</option>" in html


@pytest.mark.parametrize("change", ["rename supplier", "rename authority", "delete contract"])
def test_a_change_to_what_the_choices_are_made_of_drops_them(client, officer, change):
    contract = make_live_contract(by=officer, supplier=make_supplier(legal_name="Birmingham Crisis Centre"))
    client.force_login(officer)
    register_queries(client)
    if change == "rename supplier":
        contract.supplier.legal_name = "Birmingham and Solihull Rape Crisis"
        contract.supplier.save()
        expected, gone = "Birmingham and Solihull Rape Crisis</option>", "Birmingham Crisis Centre</option>"
    elif change == "rename authority":
        authority = officer.authority
        authority.name = "Office of the West Midlands PCC"
        authority.save()
        expected, gone = "Office of the West Midlands PCC</option>", None
    else:
        contract.delete()
        expected, gone = None, "Birmingham Crisis Centre</option>"
    _, html = register_queries(client)
    if expected:
        assert expected in html
    if gone:
        assert gone not in html


def test_each_account_has_its_own_choices(client, officer):
    make_live_contract(by=officer)
    other = make_user("officer")  # another authority's officer, who reads none of these contracts
    client.force_login(officer)
    _, mine = register_queries(client)
    client.force_login(other)
    _, theirs = register_queries(client)
    supplier_options = '<option value="'
    assert mine.count(supplier_options) > theirs.count(supplier_options)
    assert choices.account_key(officer) != choices.account_key(other)


def test_choices_are_kept_until_forgotten_or_expired(officer, monkeypatch):
    built = []

    def build():
        built.append(1)
        return {"lots": [(1, "WM-DA-2026 Lot 1: Community outreach")]}

    assert choices.kept_choices("test", officer, build) == build()
    built.clear()
    assert choices.kept_choices("test", officer, build)["lots"][0][0] == 1
    assert choices.kept_choices("test", officer, build, "another day") is not None
    assert len(built) == 1  # kept for the first call's key; built for another key
    choices.forget_choices()
    choices.kept_choices("test", officer, build)
    assert len(built) == 2
    monkeypatch.setattr(choices, "CHOICES_SECONDS", 0)  # kept for no time at all: built on every call
    choices.forget_choices()
    choices.kept_choices("test", officer, build)
    choices.kept_choices("test", officer, build)
    assert len(built) == 4
