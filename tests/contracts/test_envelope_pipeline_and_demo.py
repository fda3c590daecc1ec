"""The funding envelope with seed 001's figures, the pipeline, and the demo data built from the seeds."""

from datetime import date
from decimal import Decimal

import pytest

from commissioning.models import Authority, FundingStream
from contracts import selectors, services
from contracts.demo import load_contracts
from contracts.models import Contract, Milestone
from tests.factories import make_authority, make_supplier
from tests.factories.contracts import make_contract, make_live_contract, make_stream

pytestmark = pytest.mark.django_db

# Seed 001, "Funding Envelope" and the services table (2018/19).
IN_SCOPE = [
    ("Emotional Support Service", "296973", [("moj", "296973")]),
    ("AVoice", "329467", [("moj", "329467")]),
    ("Children and Young People Advocacy", "165000", [("moj", "165000")]),
    ("ISVA", "342333", [("moj", "262333"), ("nhse", "80000")]),
    ("Modern Slavery Support", "38595", [("moj", "38595")]),
    ("Restorative Justice", "179000", [("moj", "179000")]),
]
OUT_OF_SCOPE = [
    ("Lighthouse", "2196000", [("moj", "682071"), ("pcc", "223929")]),
    ("SARC, CSE and CSA grants", "583613", [("pcc", "583613")]),
]


@pytest.fixture
def seed_001(officer):
    authority = make_authority(name="Avon and Somerset OPCC", kind=Authority.Kind.OTHER_PCC)
    streams = {
        "moj": make_stream("Ministry of Justice Victims Grant", allocations={2018: "1953439"}),
        "pcc": make_stream("Additional PCC Contribution", allocations={2018: "807542"}),
        "nhse": make_stream("NHS England CYP ISVA Contribution", allocations={2018: "80000"}),
    }
    contracts = []
    for rows, in_scope in [(IN_SCOPE, True), (OUT_OF_SCOPE, False)]:
        for title, value, funding in rows:
            contract = make_live_contract(
                by=officer,
                title=title,
                kind=Contract.Kind.GRANT,
                buying_authority=authority,
                start_on=date(2018, 4, 1),
                initial_end_on=date(2019, 3, 31),
                year_values={2018: Decimal(value)},
            )
            for key, amount in funding:
                services.set_funding(
                    by=officer, contract=contract, stream=streams[key], financial_year=2018, amount=Decimal(amount)
                )
            if not in_scope:
                services.set_recommissioning_scope(by=officer, contract=contract, in_scope=False, note="Separate.")
            contracts.append(contract)
    return authority, streams, contracts


def test_the_envelope_reproduces_the_budget_for_recommissioning(seed_001):
    authority, streams, _ = seed_001
    envelope = selectors.envelope(2018, authority=authority)
    assert {s.stream.name: s.allocation for s in envelope.streams} == {
        "Ministry of Justice Victims Grant": Decimal("1953439.00"),
        "Additional PCC Contribution": Decimal("807542.00"),
        "NHS England CYP ISVA Contribution": Decimal("80000.00"),
    }
    assert envelope.allocations == Decimal("2840981")
    assert envelope.committed_out_of_scope == Decimal("1489613")
    assert envelope.recommissioning_budget == Decimal("1351368")
    assert envelope.committed_in_scope == Decimal("1351368")
    assert envelope.headroom == Decimal("0")
    assert len(envelope.in_scope) == 6 and len(envelope.out_of_scope) == 2
    lighthouse = next(row for row in envelope.out_of_scope if row.contract.title == "Lighthouse")
    assert (lighthouse.funded, lighthouse.year_value) == (Decimal("906000"), Decimal("2196000"))
    by_stream = {s.stream.name: (s.in_scope, s.out_of_scope, s.headroom) for s in envelope.streams}
    assert by_stream["NHS England CYP ISVA Contribution"] == (Decimal("80000"), Decimal("0"), Decimal("0"))


def test_headroom_grows_when_a_service_is_not_in_force_and_moves_with_scope(seed_001, officer):
    authority, _, contracts = seed_001
    unseen = next(c for c in contracts if c.title == "Modern Slavery Support")
    services.set_recommissioning_scope(by=officer, contract=unseen, in_scope=False, note="Moved to the MoJ.")
    envelope = selectors.envelope(2018, authority=authority)
    assert envelope.recommissioning_budget == Decimal("1351368") - Decimal("38595")
    assert envelope.headroom == Decimal("0")

    services.terminate_contract(by=officer, contract=unseen, terminated_on=date(2018, 4, 1), reason="Closed.")
    # Still in force on 1 April 2018, so it still counts in 2018/19; nothing counts in 2019/20.
    assert selectors.envelope(2018, authority=authority).headroom == Decimal("0")
    assert selectors.envelope(2019, authority=authority).committed == Decimal("0")


def test_another_authoritys_contracts_and_streams_are_left_out(seed_001, officer):
    authority, _, _ = seed_001
    other_stream = make_stream("West Midlands core grant", allocations={2018: "500000"})
    other = make_live_contract(by=officer, year_values={2018: Decimal("1000")}, start_on=date(2018, 4, 1))
    services.set_funding(by=officer, contract=other, stream=other_stream, financial_year=2018, amount=Decimal("1000"))
    scoped = selectors.envelope(2018, authority=authority)
    assert scoped.recommissioning_budget == Decimal("1351368")
    assert "West Midlands core grant" not in {s.stream.name for s in scoped.streams}
    everything = selectors.envelope(2018)
    assert everything.allocations == Decimal("3340981")
    assert everything.committed_in_scope == Decimal("1352368")


def test_draft_contracts_commit_nothing(officer):
    stream = make_stream(allocations={2025: "100000"})
    draft = make_contract(by=officer, year_values={2025: Decimal("40000")})
    services.set_funding(by=officer, contract=draft, stream=stream, financial_year=2025, amount=Decimal("40000"))
    envelope = selectors.envelope(2025)
    assert envelope.committed == Decimal("0") and envelope.headroom == Decimal("100000")


def test_the_pipeline_puts_each_decision_and_end_in_its_horizon(officer):
    today = date(2026, 1, 15)
    soon = make_live_contract(
        by=officer, title="Ends soon", start_on=date(2023, 4, 1), initial_end_on=date(2026, 3, 31)
    )
    make_live_contract(
        by=officer,
        title="Decision this year",
        start_on=date(2024, 4, 1),
        initial_end_on=date(2027, 3, 31),
        extension_months=[12, 12],
    )
    make_live_contract(
        by=officer, title="Ends in two years", start_on=date(2025, 4, 1), initial_end_on=date(2028, 1, 31)
    )
    make_live_contract(by=officer, title="Far away", start_on=date(2025, 4, 1), initial_end_on=date(2030, 3, 31))
    make_live_contract(
        by=officer,
        title="Decision overdue",
        start_on=date(2023, 6, 1),
        initial_end_on=date(2026, 5, 31),
        extension_months=[12],
    )
    services.add_milestone(by=officer, contract=soon, name="Tender issued", due_on=date(2025, 10, 31))

    result = selectors.pipeline(today=today)
    buckets = {months: [(e.contract.title, e.kind, e.due_on) for e in events] for months, _, events in result.horizons}
    assert buckets[6] == [
        ("Decision overdue", "extension", date(2025, 11, 30)),
        ("Ends soon", "end", date(2026, 3, 31)),
        ("Decision overdue", "end", date(2026, 5, 31)),
    ]
    assert buckets[12] == [("Decision this year", "extension", date(2026, 9, 30))]
    assert buckets[36] == [
        ("Decision this year", "end", date(2027, 3, 31)),
        ("Ends in two years", "end", date(2028, 1, 31)),
    ]
    assert [(c.pk, [m.name for m in ms]) for c, ms in result.milestones] == [(soon.pk, ["Tender issued"])]


def test_the_demo_loads_seed_001_and_004_idempotently(officer):
    from commissioning.demo import load as load_core
    from suppliers.demo import load as load_suppliers

    ctx: dict = {}
    load_core(ctx)
    load_suppliers(ctx)
    load_contracts(ctx)
    counts = (Contract.objects.count(), Milestone.objects.count(), FundingStream.objects.count())
    load_contracts(ctx)
    assert (Contract.objects.count(), Milestone.objects.count(), FundingStream.objects.count()) == counts

    avon = Authority.objects.get(name="Avon and Somerset Office of the Police and Crime Commissioner")
    envelope = selectors.envelope(2018, authority=avon)
    assert envelope.recommissioning_budget == Decimal("1351368")
    assert envelope.allocations == Decimal("1953439") + Decimal("807542") + Decimal("80000")
    assert envelope.committed_out_of_scope == Decimal("1489613")

    # Seed 001's services table: what Avon and Somerset buys, less the services it co-commissions (issue 20).
    services_table = Contract.objects.filter(buying_authority=avon, contributions__isnull=True)
    year_2018 = sum(c.year_values.get(financial_year=2018).amount for c in services_table)
    assert year_2018 - Decimal("583613") == Decimal("3547368")  # the seed's total annual spend

    ess = Contract.objects.get(reference="ASOPCC-ESS-2015")
    assert (ess.kind, ess.term_description, ess.current_end_on) == ("contract", "3 years + 1 year", date(2019, 3, 31))
    avoice = Contract.objects.get(reference="ASOPCC-AVOICE-2015")
    assert avoice.kind == "grant"
    assert {s.legal_name for s in avoice.consortium_members.all()} == {
        "SEAP",
        "SARI (Stand Against Racism and Inequality)",
    }

    core = Contract.objects.get(reference="WYOPCC-CRS-2018")
    assert core.term_description == "3 years + 1 year + 1 year"
    perpetrator = Contract.objects.get(reference="WYOPCC-DAPP-2015")
    variation = perpetrator.variations.get()
    assert (variation.end_before, variation.end_after) == (date(2017, 8, 31), date(2017, 11, 30))
    isva = Contract.objects.get(reference="WYOPCC-ISVA-2015")
    assert isva.current_end_on == date(2019, 3, 31) and isva.extensions.count() == 2

    brindley = Contract.objects.get(reference="WMOPCC-IDVA-BHM-2025")
    assert brindley.supplier.legal_name == "Brindley Domestic Abuse Support"
    # Three years from 1 October 2025, after the framework's first appointments (1 July 2025)
    assert (brindley.start_on, brindley.initial_end_on) == (date(2025, 10, 1), date(2028, 9, 30))
    assert brindley.total_value_now == Decimal("405000.00")
    assert brindley.social_value_proposal.is_accepted
    assert brindley.social_value_proposal.commitments.count() == 3
    assert brindley.status_on(date(2026, 11, 22)) == Contract.Status.LIVE
    assert brindley.meetings.filter(actions__done_at__isnull=True).exists()


def test_a_supplier_with_contracts_elsewhere_is_untouched_by_the_pipeline_of_another_authority(officer):
    mine = make_authority(kind=Authority.Kind.OPCC)
    make_live_contract(
        by=officer, supplier=make_supplier(), start_on=date(2024, 4, 1), initial_end_on=date(2026, 3, 31)
    )
    result = selectors.pipeline(today=date(2026, 1, 1), authority=mine)
    assert all(events == [] for _, _, events in result.horizons)
