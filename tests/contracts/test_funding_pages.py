"""Issue 20, part B.3: officers manage their authority's funding streams and allocations on portal pages;
the envelope works for any authority and year with data, lists the years there are, never shows "−£0",
and flags spend on a ring-fenced stream beyond its allocation."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.models import AuditEvent, Authority, FundingAllocation, FundingStream, User
from commissioning.numbers import format_money
from contracts import selectors, services
from contracts.funding import services as funding
from contracts.funding.services import FundingRuleError
from contracts.templatetags.contracts_tags import deduction
from tests.factories import make_authority, make_user
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def west_midlands():
    return make_authority(name="West Midlands OPCC", kind=Authority.Kind.OPCC)


@pytest.fixture
def wm_officer(west_midlands):
    return make_user(User.Role.OFFICER, authority=west_midlands)


def _stream(by, name="MoJ core victims grant", **values):
    spec = {"kind": FundingStream.Kind.MOJ_CORE, "funder": "Ministry of Justice"}
    spec.update(values)
    return funding.create_stream(by=by, name=name, **spec)


def test_an_officer_adds_a_stream_to_their_authoritys_budget_and_its_allocations(wm_officer, west_midlands):
    stream = _stream(wm_officer)
    assert stream.authority == west_midlands
    funding.set_allocation(by=wm_officer, stream=stream, financial_year=2025, amount="1250000")
    funding.set_allocation(by=wm_officer, stream=stream, financial_year=2025, amount="1300000")
    assert FundingAllocation.objects.get(stream=stream, financial_year=2025).amount == Decimal("1300000.00")
    changes = [e.data for e in AuditEvent.objects.filter(action="funding.allocation_set").order_by("id")]
    assert [(c["before"], c["after"]) for c in changes] == [(None, "1250000.00"), ("1250000.00", "1300000.00")]
    assert AuditEvent.objects.filter(action="funding.stream_created", object_id=str(stream.pk)).exists()


def test_stream_rules(wm_officer):
    _stream(wm_officer)
    with pytest.raises(FundingRuleError) as duplicate:
        _stream(wm_officer, name="moj core victims grant")
    assert "name" in duplicate.value.message_dict
    with pytest.raises(FundingRuleError) as purpose:
        _stream(wm_officer, name="ISVA money", kind=FundingStream.Kind.ISVA_IDVA, is_ring_fenced=True)
    assert purpose.value.message_dict == {"ring_fence_purpose": ["Enter what the ring-fenced money may be spent on"]}
    with pytest.raises(FundingRuleError):
        funding.create_stream(by=make_user(User.Role.PROVIDER), name="x", kind="other")


def test_an_officer_of_another_authority_cannot_change_the_stream(wm_officer):
    stream = _stream(wm_officer)
    other = make_user(User.Role.OFFICER)
    with pytest.raises(FundingRuleError):
        funding.set_allocation(by=other, stream=stream, financial_year=2025, amount="1")
    with pytest.raises(FundingRuleError):
        funding.update_stream(by=other, stream=stream, name="Taken", kind="other")
    assert not FundingAllocation.objects.exists()


def test_the_funding_pages_list_add_and_edit_for_the_officers_authority_only(client, wm_officer):
    mine = _stream(wm_officer)
    theirs = _stream(make_user(User.Role.OFFICER), name="Someone else's grant")
    client.force_login(wm_officer)
    page = client.get(reverse("contracts:funding_streams")).content.decode()
    assert mine.name in page and theirs.name not in page and page.count("<h1") == 1
    assert client.get(reverse("contracts:edit_funding_stream", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("contracts:set_allocation", args=[theirs.pk])).status_code == 404

    bad = client.post(
        reverse("contracts:add_funding_stream"),
        {"name": "", "kind": "isva_idva", "funder": "Home Office", "is_ring_fenced": "on"},
    ).content.decode()
    assert "govuk-error-summary" in bad and "Enter the name of the funding stream" in bad
    assert "Enter what the ring-fenced money may be spent on" in bad and 'value="Home Office"' in bad
    added = client.post(
        reverse("contracts:add_funding_stream"),
        {
            "name": "Ring-fenced IDVA funding",
            "kind": "isva_idva",
            "funder": "Ministry of Justice",
            "is_ring_fenced": "on",
            "ring_fence_purpose": "IDVA posts",
        },
    )
    assert added.status_code == 302
    idva = FundingStream.objects.get(name="Ring-fenced IDVA funding")
    assert idva.is_ring_fenced and idva.authority == wm_officer.authority

    bad_amount = client.post(
        reverse("contracts:set_allocation", args=[idva.pk]), {"financial_year": "2025", "amount": "lots"}
    ).content.decode()
    assert "Enter an amount in pounds and pence" in bad_amount and 'value="lots"' in bad_amount
    assert (
        client.post(
            reverse("contracts:set_allocation", args=[idva.pk]), {"financial_year": "2025", "amount": "£100,000"}
        ).status_code
        == 302
    )
    assert idva.allocations.get(financial_year=2025).amount == Decimal("100000.00")
    edited = client.post(
        reverse("contracts:edit_funding_stream", args=[idva.pk]),
        {"name": "Ring-fenced IDVA grant", "kind": "isva_idva", "is_ring_fenced": "on", "ring_fence_purpose": "IDVA"},
    )
    assert edited.status_code == 302
    idva.refresh_from_db()
    assert idva.name == "Ring-fenced IDVA grant"


def test_providers_and_partners_are_refused_the_funding_pages(client, wm_officer):
    stream = _stream(wm_officer)
    for role in (User.Role.PROVIDER, User.Role.PARTNER, User.Role.EVALUATOR):
        client.force_login(make_user(role))
        for url in (
            reverse("contracts:funding_streams"),
            reverse("contracts:add_funding_stream"),
            reverse("contracts:edit_funding_stream", args=[stream.pk]),
        ):
            assert client.get(url).status_code in (302, 403), (role, url)


def test_the_envelope_works_for_the_officers_own_authority_and_years(client, wm_officer, west_midlands):
    stream = _stream(wm_officer)
    funding.set_allocation(by=wm_officer, stream=stream, financial_year=2025, amount="500000")
    funding.set_allocation(by=wm_officer, stream=stream, financial_year=2026, amount="510000")
    ring = _stream(
        wm_officer,
        name="Ring-fenced IDVA",
        kind=FundingStream.Kind.ISVA_IDVA,
        is_ring_fenced=True,
        ring_fence_purpose="IDVA posts",
    )
    funding.set_allocation(by=wm_officer, stream=ring, financial_year=2025, amount="100000")
    contract = make_live_contract(
        by=wm_officer, buying_authority=west_midlands, start_on=date(2025, 4, 1), annual_value="135000"
    )
    services.set_funding(by=wm_officer, contract=contract, stream=ring, financial_year=2025, amount="120000")
    services.set_funding(by=wm_officer, contract=contract, stream=stream, financial_year=2025, amount="15000")
    assert selectors.envelope_years(west_midlands) == [2025, 2026]

    result = selectors.envelope(2025, authority=west_midlands)
    assert [s.stream.name for s in result.overspent_streams] == ["Ring-fenced IDVA"]
    assert result.overspent_streams[0].overspend == Decimal("20000")

    client.force_login(wm_officer)
    page = client.get(reverse("contracts:envelope") + "?year=2025").content.decode()
    assert "West Midlands OPCC" in page
    assert "2025/26" in page and "2026/27" in page
    assert "No funding is allocated" not in page and "−£0" not in page
    assert 'id="ring-fence-warning"' in page and "Ring-fenced IDVA by £20,000" in page
    assert "Over its ring-fenced allocation" in page


def test_an_authority_without_data_is_told_so_without_minus_nothing(client):
    client.force_login(make_user(User.Role.OFFICER))
    page = client.get(reverse("contracts:envelope")).content.decode()
    assert 'id="no-funding"' in page and "−£0" not in page


def test_money_is_written_one_way():
    assert format_money(Decimal("-0.00")) == "£0"
    assert format_money(Decimal("-0.004")) == "£0"
    assert format_money(Decimal("-1489613")) == "−£1,489,613"
    assert format_money(Decimal("296973.5")) == "£296,973.50"
    assert deduction(Decimal("0")) == "£0"
    assert deduction(Decimal("1489613")) == "−£1,489,613"
