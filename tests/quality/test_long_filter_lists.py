"""Issue 21: a filter over a list that grows with the data (the providers of the contract register and of
the returns dashboard) lists at most `LISTED_UP_TO` options; beyond, only the one chosen, with a hint to
search by name, and filtering by a provider from a link still works."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from commissioning.models import User
from commissioning.search import LISTED_UP_TO, TOO_MANY_TO_LIST, listed_up_to
from contracts.models import Contract
from suppliers.models import Supplier
from tests.factories import make_supplier, make_user
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db


def contracts_with_providers(officer: User, providers: int) -> list[Contract]:
    """`providers` live contracts of the officer's authority, each with a provider of its own."""
    first = make_live_contract(
        by=officer, buying_authority=officer.authority, start_on=date(2025, 4, 1), initial_end_on=date(2028, 3, 31)
    )
    copies = []
    for n in range(providers - 1):
        copy = Contract.objects.get(pk=first.pk)
        copy.pk, copy.reference, copy.supplier = None, f"MANY-{n}", make_supplier()
        copies.append(copy)
    Contract.objects.bulk_create(copies)
    return [first, *copies]


def provider_options(html: str) -> int:
    select = html.split('name="supplier"', 1)[1].split("</select>", 1)[0]
    return select.count("<option") - 1  # less "Any provider"


def test_listed_up_to_lists_all_or_only_the_one_chosen():
    for _ in range(LISTED_UP_TO):
        make_supplier()
    rows = Supplier.objects.order_by("legal_name").values_list("pk", "legal_name")
    listed, cut = listed_up_to(rows, None)
    assert len(listed) == LISTED_UP_TO and not cut

    chosen = make_supplier(legal_name="Zephyr Refuge")
    listed, cut = listed_up_to(rows, str(chosen.pk))
    assert cut and listed == [(chosen.pk, "Zephyr Refuge")]
    assert listed_up_to(rows, "not a number") == ([], True)


@pytest.mark.parametrize("page", ["contracts:officer_register", "monitoring:dashboard"])
def test_a_page_with_more_providers_than_it_lists_says_so_and_still_filters(client, page):
    officer = make_user(User.Role.OFFICER)
    contracts = contracts_with_providers(officer, LISTED_UP_TO + 1)
    client.force_login(officer)

    html = client.get(reverse(page)).content.decode()
    assert TOO_MANY_TO_LIST in html
    assert provider_options(html) == 0

    wanted = contracts[-1]
    response = client.get(reverse(page), {"supplier": wanted.supplier_id})
    html = response.content.decode()
    assert response.status_code == 200
    assert provider_options(html) == 1 and f'value="{wanted.supplier_id}" selected' in html
    assert wanted.reference in html and contracts[0].reference not in html


def test_a_page_with_few_providers_lists_them_all(client):
    officer = make_user(User.Role.OFFICER)
    contracts_with_providers(officer, 3)
    client.force_login(officer)

    html = client.get(reverse("contracts:officer_register")).content.decode()

    assert TOO_MANY_TO_LIST not in html
    assert provider_options(html) == 3
