"""The contract's page names its people (its two managers, who accepted its social value proposal), read
together by key: the page runs as many queries whether it names one of them or all of them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import User
from suppliers.models import SupplierMembership
from tests.factories import make_established, make_supplier, make_user
from tests.factories.contracts import accept_social_value, go_live, make_contract

pytestmark = pytest.mark.django_db


def _page(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_the_page_names_its_people_with_one_query_for_them_all(client):
    officer = make_established(User.Role.OFFICER, full_name="Amira Hussain")
    supplier = make_supplier(legal_name="Birmingham & Solihull Women's Aid")
    manager = make_user(User.Role.PROVIDER, supplier=supplier, full_name="Jo Bennett")
    assert SupplierMembership.objects.filter(user=manager, supplier=supplier).exists()
    named = make_contract(
        by=officer, supplier=supplier, start_on=date(2025, 4, 1), officer_manager=officer, supplier_manager_user=manager
    )
    colleague = make_established(User.Role.OFFICER, authority=officer.authority, full_name="Sam Okafor")
    accept_social_value(named, by=colleague)
    named = go_live(named, by=officer)
    unnamed = make_contract(by=officer, supplier=supplier, start_on=date(2025, 4, 1))
    accept_social_value(unnamed, by=colleague)
    unnamed = go_live(unnamed, by=officer)
    client.force_login(officer)

    html, with_people = _page(client, reverse("contracts:officer_contract", args=[named.pk]))
    assert "Amira Hussain" in html
    assert "Jo Bennett" in html
    assert "by Sam Okafor" in html
    html, with_one = _page(client, reverse("contracts:officer_contract", args=[unnamed.pk]))
    assert "Jo Bennett" not in html
    assert with_people == with_one
