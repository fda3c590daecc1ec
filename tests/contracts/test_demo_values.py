"""Issue 20, part B.2: every live contract in the demo carries its value (four West Yorkshire contracts
from seed 004 showed £0)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from contracts.models import Contract

pytestmark = pytest.mark.django_db


def test_no_live_contract_in_the_demo_totals_nothing(settings):
    settings.DEBUG = True  # load_demo refuses without it
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    live = Contract.objects.filter(activated_at__isnull=False).with_values(2018)
    assert live.exists()
    assert [c.reference for c in live if c.total_value <= 0] == []
    # Every financial year of a live contract's term has a value.
    for contract in live.prefetch_related("year_values"):
        recorded = {v.financial_year for v in contract.year_values.all()}
        assert set(contract.financial_years) <= recorded, contract.reference
    champion = Contract.objects.get(reference="WYOPCC-VCP-2015")  # seed 004: £20k a year, plus £5k in 2017/18
    assert {v.financial_year: v.amount for v in champion.year_values.all()} == {
        2015: Decimal("20000.00"),
        2016: Decimal("20000.00"),
        2017: Decimal("25000.00"),
    }
    isva = Contract.objects.get(reference="WYOPCC-ISVA-2015")
    assert isva.current_end_on == date(2019, 3, 31)
    assert sorted(isva.year_values.values_list("financial_year", flat=True)) == [2015, 2016, 2017, 2018]

    # Funding (part B.3): West Midlands and Avon and Somerset each have their own streams and envelope.
    from commissioning.models import Authority
    from contracts import selectors

    west_midlands = Authority.objects.get(name="West Midlands Office of the Police and Crime Commissioner")
    avon = Authority.objects.get(name="Avon and Somerset Office of the Police and Crime Commissioner")
    assert selectors.envelope_years(west_midlands) == [2025, 2026, 2027]
    wm = selectors.envelope(2025, authority=west_midlands)
    assert wm.allocations > 0 and wm.committed >= Decimal("135000") and not wm.overspent_streams
    assert selectors.envelope_years(avon) == [2018]
    assert selectors.envelope(2018, authority=avon).recommissioning_budget == Decimal("1351368")
    assert avon.funding_streams.count() == 3 and west_midlands.funding_streams.count() == 4

    # Co-commissioning (part B.4), seed 001: the CSE service led by the OPCC with five councils, the SARC
    # led by NHS England with the OPCC contributing.
    from contracts.models import Contribution

    cse = Contract.objects.get(reference="ASOPCC-CSE-2017")
    assert cse.buying_authority == avon and cse.supplier.legal_name == "Barnardo's"
    assert Contribution.objects.filter(contract=cse, financial_year=2018).count() == 5
    bristol = Authority.objects.get(name="Bristol City Council")
    assert cse in Contract.objects.involving_authority(bristol)
    assert selectors.envelope(2018, authority=bristol).committed == Decimal("15000")
    sarc = Contract.objects.get(reference="NHSE-SW-SARC-2018")
    assert sarc.buying_authority.kind == Authority.Kind.NHS
    assert sarc in Contract.objects.involving_authority(avon)
    assert selectors.envelope(2019, authority=avon).committed >= Decimal("120000")
