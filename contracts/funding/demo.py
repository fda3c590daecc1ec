"""Demo funding and co-commissioning from the seeds, entered through the services: West Midlands' funding
streams and allocations (assumed figures, said so in their notes), and seed 001's co-commissioned services
(the CSE service the OPCC leads with five councils; the SARC NHS England leads)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from commissioning.clock import happened_at, happened_on
from commissioning.models import Authority, FundingAllocation, FundingStream

from .. import services as contract_services
from ..demo import _accept_social_value, _commitments, _contract, _make_live, _money
from ..models import Contract
from . import services

WM_YEARS = (2025, 2026, 2027)
WM_STREAMS = [
    (
        "Ministry of Justice core victims grant (West Midlands)",
        FundingStream.Kind.MOJ_CORE,
        "Ministry of Justice",
        "",
        "2400000",
    ),
    (
        "Ring-fenced ISVA and IDVA funding (West Midlands)",
        FundingStream.Kind.ISVA_IDVA,
        "Ministry of Justice",
        "Independent sexual and domestic violence advisers (ISVA and IDVA posts)",
        "450000",
    ),
    ("PCC core budget for victims (West Midlands)", FundingStream.Kind.PCC_CORE, "West Midlands PCC", "", "600000"),
    (
        # Seed 002: Lots 1 and 2 combined between £300,000 and £1,000,000 a year, in the OPCC's bid to the Home Office.
        "Home Office Domestic Abuse Perpetrator Interventions Fund (West Midlands)",
        FundingStream.Kind.HOME_OFFICE,
        "Home Office",
        "Domestic abuse perpetrator interventions",
        "1000000",
    ),
]


def load_west_midlands_funding(officer, authority: Authority, idva: Contract | None) -> None:
    """West Midlands' funding streams 2025/26 to 2027/28 (figures assumed: the seeds state none), the
    Birmingham IDVA contract paid from the ring-fenced IDVA money and the core victims grant."""
    streams = {}
    for name, kind, funder, purpose, amount in WM_STREAMS:
        stream, _ = FundingStream.objects.update_or_create(
            name=name,
            authority=authority,
            defaults={
                "kind": kind,
                "funder": funder,
                "is_ring_fenced": bool(purpose),
                "ring_fence_purpose": purpose,
                "notes": "Allocations assumed for the demo: the seeds do not state the West Midlands' funding.",
            },
        )
        for year in WM_YEARS:
            FundingAllocation.objects.update_or_create(
                stream=stream, financial_year=year, defaults={"amount": Decimal(amount)}
            )
        streams[kind] = stream
    if idva is None:
        return
    with happened_at(happened_on(date(2025, 9, 15))):  # funded as the contract was set up
        for year in WM_YEARS:
            for kind, amount in [(FundingStream.Kind.ISVA_IDVA, "100000"), (FundingStream.Kind.MOJ_CORE, "35000")]:
                contract_services.set_funding(
                    by=officer, contract=idva, stream=streams[kind], financial_year=year, amount=Decimal(amount)
                )


# Seed 001: the OPCC leads the CSE service (Barnardo's, October 2017 to March 2020) with five councils as
# co-commissioners, and co-commissions the SARC that NHS England leads (new providers from October 2018).
# The seed gives no values or shares: the demo assumes them and says so. Avon and Somerset's own share is
# inside the seed's separately commissioned total for 2018/19 (ASOPCC-SEPARATE-2018), so its contribution
# to the SARC is recorded from 2019/20 and the 2018/19 envelope still reproduces the seed's figures.
CSE_COUNCILS = [
    "Bath and North East Somerset Council",
    "Bristol City Council",
    "North Somerset Council",
    "Somerset County Council",
    "South Gloucestershire Council",
]
NHS_ENGLAND = "NHS England (South West)"
CO_ASSUMED = "Values and contributions are assumed for the demo: seed 001 does not state them."


def load_co_commissioned(officer, avon: Authority, suppliers) -> dict[str, Contract]:
    councils = [
        Authority.objects.get_or_create(name=name, defaults={"kind": Authority.Kind.LOCAL_AUTHORITY})[0]
        for name in CSE_COUNCILS
    ]
    nhs = Authority.objects.get_or_create(name=NHS_ENGLAND, defaults={"kind": Authority.Kind.NHS})[0]
    # Entered, agreed and made live as it began (the contributions with it).
    with happened_at(happened_on(date(2017, 10, 1))):
        cse, created = _contract(
            officer,
            reference="ASOPCC-CSE-2017",
            title="Child sexual exploitation specialist service",
            supplier=suppliers["Barnardo's"],
            buying_authority=avon,
            start_on=date(2017, 10, 1),
            initial_end_on=date(2020, 3, 31),
            year_values={2017: _money(75000), 2018: _money(150000), 2019: _money(150000)},
            in_recommissioning_scope=False,
            scope_note="Commissioned with the five local authorities (seed 001)",
            scope=(
                "Support for children and young people subject to CSE who meet the threshold, and advice and "
                f"guidance to professionals. The OPCC is lead commissioner; five councils co-commission. {CO_ASSUMED}"
            ),
        )
        if created:
            _accept_social_value(
                officer, cse, "Commitments agreed with the co-commissioners (demo record).", _commitments(cse, "Avon")
            )
            _make_live(officer, cse)
            for council in councils:
                for year in (2018, 2019):
                    services.set_contribution(
                        by=None, contract=cse, authority=council, financial_year=year, amount=_money(15000)
                    )
    with happened_at(happened_on(date(2018, 10, 1))):
        sarc, created = _contract(
            officer,
            reference="NHSE-SW-SARC-2018",
            title="Sexual Assault Referral Centre (Avon and Somerset)",
            supplier=suppliers["South West SARC provider (not named in seed 001)"],
            buying_authority=nhs,
            start_on=date(2018, 10, 1),
            initial_end_on=date(2021, 3, 31),
            annual_value=_money(600000),
            in_recommissioning_scope=False,
            scope_note="NHS England is lead commissioner (seed 001)",
            scope=(
                "Crisis support and forensic medical examinations for victims of sexual assault. NHS England is lead "
                f"commissioner; the Avon and Somerset OPCC co-commissions. {CO_ASSUMED}"
            ),
        )
        if created:
            _accept_social_value(
                officer, sarc, "Commitments agreed by NHS England (demo record).", _commitments(sarc, "Avon")
            )
            for year in (2019, 2020):
                services.set_contribution(
                    by=None, contract=sarc, authority=avon, financial_year=year, amount=_money(120000)
                )
            _make_live(officer, sarc)
    return {cse.reference: cse, sarc.reference: sarc}
