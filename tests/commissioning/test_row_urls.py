"""A row's address put together from its URL's shape is the address `reverse` gives."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from commissioning.row_urls import row_url

ROW_PAGES = [
    "awards:officer_competition",
    "awards:officer_direct_award",
    "contracts:officer_contract",
    "frameworks:officer_application",
    "approved_list:appointment_history",
    "monitoring:review",
    "monitoring:targets",
    "notices:notice",
]


@pytest.mark.parametrize("name", ROW_PAGES)
@pytest.mark.parametrize("pk", [1, 7, 42, 8_191_819_180, 10**12])
def test_the_address_is_reverses(name, pk):
    assert row_url(name, pk) == reverse(name, args=[pk])


def test_under_a_script_prefix_the_address_is_reverses():
    try:
        set_script_prefix("/portal/")
        assert row_url("contracts:officer_contract", 5) == reverse("contracts:officer_contract", args=[5])
        assert row_url("contracts:officer_contract", 5).startswith("/portal/")
    finally:
        set_script_prefix("/")
    assert row_url("contracts:officer_contract", 5) == reverse("contracts:officer_contract", args=[5])


def test_a_key_that_is_not_a_whole_number_is_reversed_or_refused_as_reverse_would():
    assert row_url("contracts:officer_contract", "5") == reverse("contracts:officer_contract", args=["5"])
    with pytest.raises(NoReverseMatch):
        row_url("contracts:officer_contract", "not-a-key")
    with pytest.raises(NoReverseMatch):
        row_url("contracts:officer_contract", -3)


def test_a_pattern_without_such_a_key_is_refused_as_reverse_would():
    with pytest.raises(NoReverseMatch):
        row_url("awards:officer_competitions", 5)


def test_the_template_tag_writes_the_address():
    html = Template("{% load portal %}<a href=\"{% row_url 'contracts:officer_contract' pk %}\">").render(
        Context({"pk": 12})
    )
    assert html == f'<a href="{reverse("contracts:officer_contract", args=[12])}">'


@override_settings(ROOT_URLCONF="tests.commissioning.padded_urls")
def test_a_pattern_that_writes_keys_its_own_way_is_left_to_reverse():
    assert reverse("padded_row", args=[7]) == "/rows/000007/"
    assert row_url("padded_row", 7) == "/rows/000007/"
    assert row_url("padded_row", 8_191_819_181) == reverse("padded_row", args=[8_191_819_181])
