"""Filter choices are kept a minute per account (`commissioning.choices`): a second view of a list does not
ask for them again, another account gets its own, and saving a contract, lot, framework, supplier or
authority drops them, so the register offers a provider the moment its first contract is made."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
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


def test_a_contribution_made_or_removed_changes_what_the_contributor_is_offered(client):
    """Seed 001: a council contributing to the OPCC's service reads it, so its officer's register offers the
    service's provider as soon as the contribution is recorded, and no longer once it is removed."""
    from contracts.funding import services as funding
    from tests.factories import make_authority

    avon = make_authority(name="Avon and Somerset OPCC")
    lead = make_user("officer", authority=avon)
    bristol = make_user("officer", authority=make_authority(name="Bristol City Council"))
    contract = make_live_contract(
        by=lead,
        buying_authority=avon,
        supplier=make_supplier(legal_name="Barnardo's Bristol"),
        start_on=date(2025, 4, 1),
    )
    client.force_login(bristol)
    _, before = register_queries(client)
    assert "Barnardo&#x27;s Bristol</option>" not in before
    funding.set_contribution(
        by=lead, contract=contract, authority=bristol.authority, financial_year=2025, amount="10000"
    )
    _, during = register_queries(client)
    assert "Barnardo&#x27;s Bristol</option>" in during
    funding.set_contribution(by=lead, contract=contract, authority=bristol.authority, financial_year=2025, amount="0")
    _, after = register_queries(client)
    assert "Barnardo&#x27;s Bristol</option>" not in after


def test_the_choices_are_dropped_again_when_the_change_commits(officer, django_capture_on_commit_callbacks):
    """A request on another worker may build the choices from the rows as they were before the commit: they
    are dropped once more when it commits."""
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_live_contract(by=officer)
    before = cache.get(choices.GENERATION_KEY)
    assert callbacks
    for callback in callbacks:
        callback()
    assert cache.get(choices.GENERATION_KEY) > before


def test_an_import_drops_the_choices(client, officer):
    """The contract import writes in bulk, which sends no signal: it drops the choices itself."""
    from decimal import Decimal

    from contracts.models import Contract
    from contracts.services import ImportedContract, import_contracts

    make_live_contract(by=officer)
    supplier = make_supplier(legal_name="Victim Support West Midlands")
    client.force_login(officer)
    register_queries(client)
    row = ImportedContract(
        number=1,
        reference="IMP-VS-1",
        supplier=supplier,
        buying_authority=officer.authority,
        title="Enhanced victim support",
        kind=Contract.Kind.CONTRACT,
        start_on=date(2025, 4, 1),
        initial_end_on=date(2028, 3, 31),
        extension_months=(),
        annual_value=Decimal("125000.00"),
    )
    import_contracts(by=officer, rows=[row])
    _, html = register_queries(client)
    assert "Victim Support West Midlands</option>" in html


def test_a_generation_lost_from_the_cache_never_comes_back_as_an_old_one(officer):
    from django.core.cache import cache

    kept = choices.kept_choices("test", officer, lambda: ["first"])
    assert kept == ["first"]
    cache.delete(choices.GENERATION_KEY)  # evicted
    choices.forget_choices()
    assert cache.get(choices.GENERATION_KEY) > 1
    assert choices.kept_choices("test", officer, lambda: ["second"]) == ["second"]


@pytest.mark.parametrize(
    ("asked", "key"), [("12", "12"), (" 12 ", "12"), ("012", "12"), ("", None), (None, None), ("x", None), ("١٢", None)]
)
def test_a_chosen_provider_is_kept_by_its_number(asked, key):
    assert choices.provider_key(asked) == key


def test_the_dashboard_counts_with_its_own_lots_through_the_lot_index(client, officer):
    """The dashboard's tallies read the user's lots on every view, not from the filter's choices kept a minute:
    a contract on a lot made after the choices were kept is counted. The contracts not tallied are asked for by
    their lots (IN), not as those on no tallied lot (NOT IN, which no index answers)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.frameworks import make_framework, make_lot

    led = make_framework(lead_authority=officer.authority)
    make_live_contract(by=officer, lot=make_lot(led), start_on=date(2025, 4, 1))
    make_live_contract(by=officer, start_on=date(2025, 4, 1))
    client.force_login(officer)
    assert client.get(reverse("monitoring:dashboard")).status_code == 200  # the choices are kept now
    cache_generation = cache.get(choices.GENERATION_KEY)
    lot = make_lot(led, number=2, title="Sexual violence support")
    make_live_contract(by=officer, lot=lot, start_on=date(2025, 4, 1))
    cache.set(choices.GENERATION_KEY, cache_generation)  # as if the change had been made through another worker
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("monitoring:dashboard")).content.decode()
    assert f"lot {lot.number}: {lot.title}" in html
    assert "3 returns due" in html
    counted = [q["sql"] for q in queries.captured_queries if 'COUNT("contracts_contract"."id") AS "n"' in q["sql"]]
    assert counted and all('NOT ("contracts_contract"."lot_id" IN' not in sql for sql in counted)
