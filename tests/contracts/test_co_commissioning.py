"""Issue 20, part B.4: a contract has a lead commissioner and contributing authorities with their
contribution per financial year; contributors see it, each envelope counts its share, the Panel report
shows the split."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.models import AuditEvent, Authority, FundingStream, User
from contracts import selectors
from contracts.funding import services as funding
from contracts.funding.services import FundingRuleError
from contracts.models import Contract, Contribution
from contracts.reports import panel_report_context
from contracts.services import ContractRuleError
from tests.factories import make_authority, make_user
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db

COUNCILS = [
    "Bath and North East Somerset Council",
    "Bristol City Council",
    "North Somerset Council",
    "Somerset County Council",
    "South Gloucestershire Council",
]


@pytest.fixture
def cse():
    """Seed 001: the OPCC leads the CSE service with five councils as co-commissioners."""
    avon = make_authority(name="Avon and Somerset OPCC", kind=Authority.Kind.OTHER_PCC)
    officer = make_user(User.Role.OFFICER, authority=avon)
    councils = [make_authority(name=name) for name in COUNCILS]
    contract = make_live_contract(
        by=officer,
        title="Child sexual exploitation service",
        buying_authority=avon,
        start_on=date(2017, 10, 1),
        initial_end_on=date(2020, 3, 31),
        year_values={2017: Decimal("50000"), 2018: Decimal("100000"), 2019: Decimal("100000")},
    )
    return avon, officer, councils, contract


def test_the_lead_records_contributions_and_each_is_audited(cse):
    avon, officer, councils, contract = cse
    for council in councils:
        funding.set_contribution(by=officer, contract=contract, authority=council, financial_year=2018, amount="10000")
    assert Contribution.objects.filter(contract=contract, financial_year=2018).count() == 5
    funding.set_contribution(by=officer, contract=contract, authority=councils[0], financial_year=2018, amount="12000")
    last = AuditEvent.objects.filter(action="contracts.contribution_set").order_by("-id").first()
    assert (last.data["before"], last.data["after"]) == ("10000.00", "12000.00")
    assert set(Contract.objects.involving_authority(councils[1])) == {contract}
    assert set(Contract.objects.involving_authority(avon)) == {contract}
    assert not Contract.objects.involving_authority(make_authority()).exists()


def test_contribution_rules(cse):
    avon, officer, councils, contract = cse
    with pytest.raises(FundingRuleError) as lead:
        funding.set_contribution(by=officer, contract=contract, authority=avon, financial_year=2018, amount="1")
    assert "authority" in lead.value.message_dict
    with pytest.raises(ContractRuleError):  # outside the term
        funding.set_contribution(by=officer, contract=contract, authority=councils[0], financial_year=2021, amount="1")
    with pytest.raises(FundingRuleError) as over:
        funding.set_contribution(
            by=officer, contract=contract, authority=councils[0], financial_year=2017, amount="50000.01"
        )
    assert "more than the year's value" in over.value.message_dict["amount"][0]
    with pytest.raises(FundingRuleError):  # only the lead's officers record contributions
        funding.set_contribution(
            by=make_user(User.Role.OFFICER, authority=councils[0]),
            contract=contract,
            authority=councils[0],
            financial_year=2018,
            amount="1",
        )
    assert not Contribution.objects.exists()


def test_each_authoritys_envelope_counts_its_share(cse):
    avon, officer, councils, contract = cse
    bristol = councils[1]
    bristol_officer = make_user(User.Role.OFFICER, authority=bristol)
    partner = funding.create_stream(by=bristol_officer, name="Community safety budget", kind=FundingStream.Kind.PARTNER)
    funding.set_allocation(by=bristol_officer, stream=partner, financial_year=2018, amount="40000")
    funding.set_contribution(
        by=officer, contract=contract, authority=bristol, financial_year=2018, amount="15000", stream=partner
    )
    funding.set_contribution(by=officer, contract=contract, authority=councils[2], financial_year=2018, amount="5000")

    envelope = selectors.envelope(2018, authority=bristol)
    assert [(r.contract.pk, r.funded, r.led_by) for r in envelope.in_scope] == [(contract.pk, Decimal("15000"), avon)]
    assert [(s.stream.name, s.allocation, s.committed) for s in envelope.streams] == [
        ("Community safety budget", Decimal("40000.00"), Decimal("15000.00"))
    ]
    north = selectors.envelope(2018, authority=councils[2])
    assert north.committed == Decimal("5000") and north.streams[0].stream.name.startswith("Contributions")
    assert selectors.envelope(2018, authority=councils[3]).committed == 0


def test_the_panel_report_shows_the_split_and_counts_for_contributors(cse):
    avon, officer, councils, contract = cse
    funding.set_contribution(by=officer, contract=contract, authority=councils[1], financial_year=2018, amount="15000")
    context = panel_report_context(authority=councils[1], as_of=date(2018, 9, 14))
    assert [c.pk for c in context["commissioned"]] == [contract.pk]
    shares = [(s.authority.name, s.amount) for s in context["commissioned"][0].year_contributions]
    assert shares == [("Bristol City Council", Decimal("15000.00"))]


def test_the_contribution_page_for_the_lead_and_refused_to_a_provider(client, cse):
    avon, officer, councils, contract = cse
    client.force_login(officer)
    url = reverse("contracts:set_contribution", args=[contract.pk])
    bad = client.post(url, {"authority": str(councils[0].pk), "financial_year": "2018", "amount": "ten"})
    page = bad.content.decode()
    assert "govuk-error-summary" in page and "Enter an amount in pounds and pence" in page and 'value="ten"' in page
    over = client.post(url, {"authority": str(councils[0].pk), "financial_year": "2017", "amount": "60000"})
    assert "more than the year&#x27;s value" in over.content.decode()
    ok = client.post(url, {"authority": str(councils[0].pk), "financial_year": "2018", "amount": "£20,000"})
    assert ok.status_code == 302
    detail = client.get(reverse("contracts:officer_contract", args=[contract.pk])).content.decode()
    assert "Lead commissioner: Avon and Somerset OPCC" in detail and "£20,000" in detail
    client.force_login(make_user(User.Role.PROVIDER))
    assert client.get(url).status_code == 403
