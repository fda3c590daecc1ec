"""Demo contracts from the source documents, entered through the services.

- Seed 001 (Avon and Somerset, 2018): the services table as real contracts and grants, the funding
  streams of the 2018/19 envelope (MoJ Victims Grant £1,953,439, Additional PCC Contribution
  £807,542, NHS England CYP ISVA £80,000) and the out-of-scope services, so the envelope page
  reproduces the £1,351,368 budget for recommissioning; the procurement timetable as milestones.
- Seed 004 (West Yorkshire Panel report, September 2018): the core referral contract (three years
  with the option of two one-year extensions), restorative justice (three years + one), the ISVA
  contract in its final one-year extension, the perpetrator programme whose end was varied from
  31 August 2017 to 30 November 2017, and the Victims Champion grant.
- A live West Midlands IDVA contract for provider@demo.test's organisation, with an accepted Social
  Value Proposal, quarterly meetings and actions, for the provider journey.

Where the documents are silent the loader says what it assumes (in the contract's scope or notes).
Idempotent: contracts are found by reference, everything else is updated in place.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from commissioning.clock import happened_at, happened_on
from commissioning.dates import LONDON
from commissioning.models import Area, Authority, FundingAllocation, FundingStream, User
from suppliers.models import Supplier

from . import services
from .award.demo import SECOND_OFFICER
from .award.demo import _second_officer as second_officer
from .models import Contract, SocialValueCommitment, term_end

AVON = "Avon and Somerset Office of the Police and Crime Commissioner"
WEST_YORKSHIRE = "West Yorkshire Office of the Police and Crime Commissioner"
WEST_MIDLANDS = "West Midlands Office of the Police and Crime Commissioner"
# The Birmingham IDVA call-off starts a quarter after the framework's first appointments (1 July 2025).
CALL_OFF_START = date(2025, 10, 1)

MOJ = "Ministry of Justice Victims Grant (Avon and Somerset)"
PCC = "Additional PCC Contribution (Avon and Somerset)"
NHSE = "NHS England CYP ISVA Contribution (Avon and Somerset)"
ENVELOPE_YEAR = 2018
STREAMS = [
    (
        MOJ,
        "Ministry of Justice",
        Decimal("1953439"),
        "Victim Grant £1,818,002 and the ring-fenced Child Sexual Abuse allocation £135,437 for 2018/19.",
    ),
    (PCC, "Avon and Somerset PCC", Decimal("807542"), "Supplements the MoJ grant, for example for victims of ASB."),
    (
        NHSE,
        "NHS England",
        Decimal("80000"),
        "£80k a year for three years from 2017/18, for ISVAs for children and young people.",
    ),
]

STREAM_KINDS = {
    MOJ: FundingStream.Kind.MOJ_CORE,
    PCC: FundingStream.Kind.PCC_CORE,
    NHSE: FundingStream.Kind.NHS_ENGLAND,
}
SUPPLIERS = [
    ("Victim Support", Supplier.Kind.CHARITY),
    ("The Care Forum", Supplier.Kind.CHARITY),
    ("SEAP", Supplier.Kind.CHARITY),
    ("SARI (Stand Against Racism and Inequality)", Supplier.Kind.CHARITY),
    ("Young Victims' Service", Supplier.Kind.CHARITY),
    ("Safelink (Missing Link)", Supplier.Kind.CHARITY),
    ("Unseen UK", Supplier.Kind.CHARITY),
    ("Bristol Mediation", Supplier.Kind.CHARITY),
    ("Avon and Somerset Constabulary", Supplier.Kind.PUBLIC_BODY),
    ("Separately commissioned providers (SARC, CSE and CSA fund)", Supplier.Kind.OTHER),
    ("Restorative Solutions", Supplier.Kind.CIC),
    ("CHOICES Domestic Abuse Perpetrator Programme", Supplier.Kind.OTHER),
    ("Saima Afzal Solutions", Supplier.Kind.COMPANY),
    ("Barnardo's", Supplier.Kind.CHARITY),
    ("South West SARC provider (not named in seed 001)", Supplier.Kind.OTHER),
]

# Seed 001's timescales for recommissioning the in-scope services from April 2019.
TIMESCALES = [
    ("Needs assessment finalised", date(2018, 2, 28), True),
    ("Commissioning intentions published: engagement period begins", date(2018, 3, 31), True),
    ("Engagement period ends; commissioning plan published", date(2018, 6, 30), False),
    ("Specifications finalised", date(2018, 7, 31), False),
    ("Tender documents finalised", date(2018, 8, 31), False),
    ("Tender issued", date(2018, 9, 30), False),
    ("Tender responses submitted", date(2018, 10, 31), False),
    ("Evaluation", date(2018, 11, 30), False),
    ("Award and contract finalisation", date(2018, 12, 31), False),
    ("Implementation", date(2019, 3, 31), False),
    ("Services commence", date(2019, 4, 1), False),
]

# Seed 004 names no value for these four West Yorkshire contracts (only the Victims Champion grant's £20k a
# year and the £5k project). The demo assumes annual values of the order the report describes (a
# county-wide referral service with a 24/7 line and five district hubs; 224 ISVA referrals a quarter; 5,023
# perpetrator referrals over two years) and says so in each contract's scope.
WY_ANNUAL = {
    "WYOPCC-CRS-2018": Decimal("1200000"),
    "WYOPCC-RJ-2018": Decimal("250000"),
    "WYOPCC-ISVA-2015": Decimal("420000"),
    "WYOPCC-DAPP-2015": Decimal("300000"),
}
WY_ASSUMED = "The annual value is assumed for the demo: the Panel report does not state it."
WY_SOCIAL_VALUE = "Social value commitments agreed at award (assumed for the demo; seed 004 does not list them)."

APRIL_2015 = date(2015, 4, 1)
END_MARCH_2018 = date(2018, 3, 31)


def _money(value: str | int) -> Decimal:
    return Decimal(str(value))


def _years(first: int, last: int, amount: Decimal) -> dict[int, Decimal]:
    return dict.fromkeys(range(first, last + 1), amount)


@transaction.atomic
def _make_live(officer: User, contract: Contract) -> Contract:
    """An entered contract goes live on two officers' word: the demo's officer proposes and another officer
    of the buying authority (Priya Shah in West Midlands), or of a co-commissioner, confirms."""
    officers = User.objects.filter(role=User.Role.OFFICER, is_active=True).exclude(pk=officer.pk).order_by("email")
    second = (
        officers.filter(authority_id=contract.buying_authority_id).first()
        or officers.filter(authority_id__in=contract.reading_authority_ids()).first()
    )
    return services.make_live_by_two(first=officer, second=second or officer, contract=contract)


def load_contracts(ctx: dict) -> dict[str, Contract]:
    users: dict[str, User] = ctx["users"]
    officer = users.get("officer@demo.test")
    if officer is not None:
        users[SECOND_OFFICER] = second_officer(officer)
    authorities = {
        name: Authority.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in [
            (AVON, Authority.Kind.OTHER_PCC),
            (WEST_YORKSHIRE, Authority.Kind.OTHER_PCC),
            (WEST_MIDLANDS, Authority.Kind.OPCC),
        ]
    }
    suppliers = {
        name: Supplier.objects.update_or_create(
            legal_name=name, defaults={"kind": kind, "is_vcse": kind in {Supplier.Kind.CHARITY, Supplier.Kind.CIC}}
        )[0]
        for name, kind in SUPPLIERS
    }
    suppliers.update(ctx.get("suppliers") or {})
    streams = {}
    for name, funder, amount, notes in STREAMS:
        stream, _ = FundingStream.objects.update_or_create(
            name=name,
            defaults={
                "funder": funder,
                "notes": notes,
                "is_ring_fenced": False,
                "authority": authorities[AVON],
                "kind": STREAM_KINDS[name],
            },
        )
        FundingAllocation.objects.update_or_create(
            stream=stream, financial_year=ENVELOPE_YEAR, defaults={"amount": amount}
        )
        streams[name] = stream

    contracts: dict[str, Contract] = {}
    # Each authority's contracts are recorded by its own officer (only they manage them).
    avon_officer = users.get("officer@asopcc.demo.test") or officer
    west_yorkshire_officer = users.get("officer@wyopcc.demo.test") or officer
    contracts.update(_avon_and_somerset(avon_officer, authorities[AVON], suppliers, streams))
    from .funding.demo import load_co_commissioned, load_west_midlands_funding

    contracts.update(load_co_commissioned(avon_officer, authorities[AVON], suppliers))
    contracts.update(_west_yorkshire(west_yorkshire_officer, authorities[WEST_YORKSHIRE], suppliers))
    brindley = suppliers.get("Brindley Domestic Abuse Support")
    if brindley is not None:
        contracts.update(_west_midlands(users, authorities[WEST_MIDLANDS], brindley, ctx))
    contracts.update(_coventry_call_off(users, ctx))
    load_west_midlands_funding(officer, authorities[WEST_MIDLANDS], contracts.get("WMOPCC-IDVA-BHM-2025"))
    return contracts


def _coventry_call_off(users, ctx) -> dict[str, Contract]:
    """Coventry City Council, a partner authority of the framework (seed 000), calls off Lot 1 for Coventry
    from an appointee who agreed to share its details: a draft its own officer manages, which the West
    Midlands OPCC reads as a call-off on its framework."""
    from frameworks.models import Appointment

    officer = users.get("officer@coventry.demo.test")
    framework = ctx.get("framework")
    lot = framework.lots.filter(number=1).first() if framework is not None else None
    if officer is None or lot is None:
        return {}
    appointment = (
        Appointment.objects.filter(
            lot=lot, status=Appointment.Status.ACTIVE, consent_share_with_partners=True, areas__name="Coventry"
        )
        .select_related("supplier")
        .order_by("starts_on", "pk")
        .first()
    )
    if appointment is None:
        return {}
    contract, _created = _contract(
        officer,
        reference="CCC-IDVA-2026",
        title="Independent Domestic Violence Advocate service, Coventry",
        supplier=appointment.supplier,
        buying_authority=officer.authority,
        lot=lot,
        areas=list(Area.objects.filter(name="Coventry")),
        start_on=max(date(2026, 4, 1), appointment.starts_on),
        initial_end_on=date(2028, 3, 31),
        extension_months=[12],
        annual_value=_money(45000),
        officer_manager=officer,
        scope="IDVA support for high-risk victims of domestic abuse in Coventry, called off from the framework.",
    )
    return {contract.reference: contract}


def _contract(officer: User | None, **spec) -> tuple[Contract, bool]:
    """The contract with this reference, created through the service if it does not exist yet."""
    existing = Contract.objects.filter(reference=spec["reference"]).first()
    if existing is not None:
        return existing, False
    return services.create_contract(by=officer, **spec), True


def _accept_social_value(officer, contract: Contract, summary: str, commitments: list[dict]) -> None:
    proposal = services.record_social_value_proposal(
        by=officer, contract=contract, summary=summary, commitments=commitments
    )
    services.accept_social_value_proposal(by=officer, proposal=proposal)


def _avon_and_somerset(officer, authority, suppliers, streams) -> dict[str, Contract]:
    moj, pcc, nhse = streams[MOJ], streams[PCC], streams[NHSE]
    # (reference, title, supplier, kind, start, initial end, options, year values, 2018/19 funding,
    #  in scope, scope note, consortium members, exercised option decided on)
    specs = [
        (
            "ASOPCC-ESS-2015",
            "Emotional Support Service for Victims of Crime and ASB",
            "Victim Support",
            Contract.Kind.CONTRACT,
            APRIL_2015,
            END_MARCH_2018,
            [12],
            _years(2015, 2018, _money(296973)),
            [(moj, 296973)],
            True,
            "",
            [],
            date(2017, 9, 29),
        ),
        (
            "ASOPCC-AVOICE-2015",
            "Adult Advocacy Service - AVoice with SARI",
            "The Care Forum",
            Contract.Kind.GRANT,
            APRIL_2015,
            END_MARCH_2018,
            [12],
            _years(2015, 2018, _money(329467)),
            [(moj, 329467)],
            True,
            "",
            ["SEAP", "SARI (Stand Against Racism and Inequality)"],
            date(2017, 9, 29),
        ),
        (
            "ASOPCC-CYP-2015",
            "Children and Young People Advocacy Service",
            "Young Victims' Service",
            Contract.Kind.GRANT,
            APRIL_2015,
            END_MARCH_2018,
            [12],
            _years(2015, 2018, _money(165000)),
            [(moj, 165000)],
            True,
            "",
            [],
            date(2017, 9, 29),
        ),
        (
            "ASOPCC-ISVA-2015",
            "Independent Sexual Violence Advisor Service (ISVA) (Missing Link)",
            "Safelink (Missing Link)",
            Contract.Kind.CONTRACT,
            APRIL_2015,
            END_MARCH_2018,
            [12],
            # £194,580 a year, plus the CSA fund's £67,753 since 2016/17 and NHS England's £80,000 since 2018/19.
            {
                2015: _money(194580),
                2016: _money(262333),
                2017: _money(262333),
                2018: _money(342333),
            },
            [(moj, 194580 + 67753), (nhse, 80000)],
            True,
            "",
            [],
            date(2017, 9, 29),
        ),
        (
            "ASOPCC-MSS-2018",
            "Modern Slavery Support Service",
            "Unseen UK",
            Contract.Kind.GRANT,
            date(2018, 4, 1),
            date(2019, 3, 31),
            [],
            {2018: _money(38595)},
            [(moj, 38595)],
            True,
            "",
            [],
            None,
        ),
        (
            "ASOPCC-RJ-2017",
            "Restorative Approaches Avon and Somerset - Restorative Justice Service",
            "Bristol Mediation",
            Contract.Kind.CONTRACT,
            date(2017, 6, 1),
            date(2019, 3, 31),
            [],
            {2017: _money("149079.45"), 2018: _money(179000)},
            [(moj, 179000)],
            True,
            "",
            [],
            None,
        ),
        (
            "ASOPCC-LIGHTHOUSE",
            "Lighthouse Integrated Victim and Witness Care",
            "Avon and Somerset Constabulary",
            Contract.Kind.GRANT,
            date(2018, 4, 1),
            date(2019, 3, 31),
            [],
            {2018: _money(2196000)},
            # The PCC's £906,000 comes from the envelope; the Constabulary's £1,290,000 from its own budget.
            [(moj, 682071), (pcc, 223929)],
            False,
            "Co-funded internal Constabulary department (PCC £906,000, Constabulary £1,290,000)",
            [],
            None,
        ),
        (
            "ASOPCC-SEPARATE-2018",
            "Separately commissioned services: SARC, CSE service and CSA fund grants",
            "Separately commissioned providers (SARC, CSE and CSA fund)",
            Contract.Kind.GRANT,
            date(2018, 4, 1),
            date(2019, 3, 31),
            [],
            {2018: _money(583613)},
            [(pcc, 583613)],
            False,
            "Commissioned separately (SARC with NHS England, CSE with the local authorities, CSA fund)",
            [],
            None,
        ),
    ]
    contracts = {}
    for (
        reference,
        title,
        supplier,
        kind,
        start,
        end,
        options,
        values,
        funding,
        in_scope,
        note,
        members,
        decided_on,
    ) in specs:
        with happened_at(happened_on(start)):  # entered on the register as it began
            contract, created = _contract(
                officer,
                reference=reference,
                title=title,
                kind=kind,
                supplier=suppliers[supplier],
                consortium_members=[suppliers[name] for name in members],
                buying_authority=authority,
                start_on=start,
                initial_end_on=end,
                extension_months=options,
                year_values=values,
                in_recommissioning_scope=in_scope,
                scope_note=note,
                scope=(
                    "The Constabulary's £1,290,000 is funded from its own budget, not from the OPCC's funding streams."
                    if reference == "ASOPCC-LIGHTHOUSE"
                    else (
                        "The £583,613 is the seed's out-of-scope total (£1,489,613) less the PCC's £906,000 "
                        "contribution to Lighthouse; the document does not break it down further."
                        if reference == "ASOPCC-SEPARATE-2018"
                        else ""
                    )
                ),
            )
        contracts[reference] = contract
        if not created:
            continue
        # The envelope of the Panel report's year, set as that year began.
        with happened_at(happened_on(date(ENVELOPE_YEAR, 4, 1))):
            for stream, amount in funding:
                services.set_funding(
                    by=officer, contract=contract, stream=stream, financial_year=ENVELOPE_YEAR, amount=_money(amount)
                )
        with happened_at(happened_on(start)):
            if services.social_value_required(kind, contract.total_value_now):
                _accept_social_value(
                    officer,
                    contract,
                    "Social value commitments agreed when the service was commissioned (demo record).",
                    [
                        {
                            "theme": SocialValueCommitment.Theme.SOCIAL,
                            "measure": "Volunteers from Avon and Somerset recruited and trained to support victims",
                            "unit": "volunteers",
                            "target": Decimal("40"),
                            "due_on": end,
                        }
                    ],
                )
            _make_live(officer, contract)
        if decided_on is not None:
            with happened_at(happened_on(decided_on)):
                services.exercise_extension(
                    by=officer,
                    contract=contract,
                    decided_on=decided_on,
                    today=decided_on,
                    reason="One-year extension to April 2019, while the services are recommissioned.",
                )
        if in_scope:
            # The recommissioning timetable was set as its first step began; each step done on its date.
            with happened_at(happened_on(TIMESCALES[0][1] - timedelta(days=28))):
                milestones = [
                    (services.add_milestone(by=officer, contract=contract, name=name, due_on=due_on), done)
                    for name, due_on, done in TIMESCALES
                ]
            for milestone, done in milestones:
                if done:
                    with happened_at(happened_on(milestone.due_on)):
                        services.complete_milestone(by=officer, milestone=milestone, done_on=milestone.due_on)
    return contracts


def _commitments(contract: Contract, area: str) -> list[dict]:
    return [
        {
            "theme": SocialValueCommitment.Theme.SOCIAL,
            "measure": f"Volunteer hours supporting victims in {area}",
            "unit": "hours",
            "target": Decimal("500"),
            "due_on": contract.initial_end_on,
        }
    ]


def _wy_commitments(contract: Contract) -> list[dict]:
    return _commitments(contract, "West Yorkshire")


def _west_yorkshire(officer, authority, suppliers) -> dict[str, Contract]:
    contracts = {}

    with happened_at(happened_on(date(2018, 4, 1))):  # entered on the register as it began
        core, created = _contract(
            officer,
            reference="WYOPCC-CRS-2018",
            title="Core Referral Service",
            supplier=suppliers["Victim Support"],
            buying_authority=authority,
            start_on=date(2018, 4, 1),
            initial_end_on=term_end(date(2018, 4, 1), 36),
            extension_months=[12, 12],
            annual_value=WY_ANNUAL["WYOPCC-CRS-2018"],
            scope=(
                "Referral and support for victims of crime, including children and young people, with a 24/7 support "
                "line and live chat. Self-referrals and referrals from the police and partners. Enhanced victims "
                "contacted within 48 hours of referral, standard cases within 72 hours. A hub or drop-in sessions in "
                "each of the 5 districts. (The Panel report does not name the provider or the value: "
                f"{WY_ASSUMED})"
            ),
        )
    contracts[core.reference] = core
    if created:
        with happened_at(happened_on(core.start_on)):
            _accept_social_value(officer, core, WY_SOCIAL_VALUE, _wy_commitments(core))
            _make_live(officer, core)
            services.schedule_meetings(by=officer, contract=core)

    with happened_at(happened_on(date(2018, 4, 1))):  # entered on the register as it began
        rj, created = _contract(
            officer,
            reference="WYOPCC-RJ-2018",
            title="Restorative Justice Service",
            supplier=suppliers["Restorative Solutions"],
            buying_authority=authority,
            start_on=date(2018, 4, 1),
            initial_end_on=term_end(date(2018, 4, 1), 36),
            extension_months=[12],
            annual_value=WY_ANNUAL["WYOPCC-RJ-2018"],
            scope=(
                "Restorative justice conferences, community conferencing, mediation and indirect communication for "
                f"adult victims across West Yorkshire, won in a 2017 EU tender. ({WY_ASSUMED})"
            ),
        )
    contracts[rj.reference] = rj
    if created:
        with happened_at(happened_on(rj.start_on)):
            _accept_social_value(officer, rj, WY_SOCIAL_VALUE, _wy_commitments(rj))
            _make_live(officer, rj)

    with happened_at(happened_on(date(2015, 4, 1))):  # entered on the register as it began
        isva, created = _contract(
            officer,
            reference="WYOPCC-ISVA-2015",
            title="Independent Sexual Violence Advisor Service (ISVA)",
            supplier=suppliers["Victim Support"],
            buying_authority=authority,
            start_on=date(2015, 4, 1),
            initial_end_on=date(2017, 3, 31),
            extension_months=[12, 12],
            annual_value=WY_ANNUAL["WYOPCC-ISVA-2015"],
            scope=(
                "Proactive support for women, men, children and young people who are victims of rape and sexual "
                "violence and abuse. (The start date and the first extension are assumed; the Panel report gives the "
                f"final one-year extension to 31 March 2019. {WY_ASSUMED} Each extension year continues at it.)"
            ),
        )
    contracts[isva.reference] = isva
    if created:
        with happened_at(happened_on(isva.start_on)):
            _accept_social_value(officer, isva, WY_SOCIAL_VALUE, _wy_commitments(isva))
            _make_live(officer, isva)
        for decided_on, reason in [
            (date(2016, 10, 3), "First one-year extension."),
            (date(2018, 2, 26), "The PCC and Victim Support agreed the final one-year extension, to 31 March 2019."),
        ]:
            with happened_at(happened_on(decided_on)):
                services.exercise_extension(
                    by=officer, contract=isva, decided_on=decided_on, today=decided_on, reason=reason
                )
        with happened_at(happened_on(date(2018, 2, 26))):  # the recommissioning planned with the last extension
            services.add_milestone(by=officer, contract=isva, name="New specification agreed", due_on=date(2018, 8, 31))
            bidders = services.add_milestone(
                by=officer, contract=isva, name="Bidders' event at the OPCC offices", due_on=date(2018, 9, 7)
            )
            services.add_milestone(
                by=officer, contract=isva, name="New West Yorkshire ISVA service in place", due_on=date(2019, 4, 1)
            )
        with happened_at(happened_on(date(2018, 9, 7))):
            services.complete_milestone(by=officer, milestone=bidders, done_on=date(2018, 9, 7))

    with happened_at(happened_on(date(2015, 9, 1))):  # entered on the register as it began
        perpetrator, created = _contract(
            officer,
            reference="WYOPCC-DAPP-2015",
            title="Domestic abuse perpetrator programme (CHOICES)",
            supplier=suppliers["CHOICES Domestic Abuse Perpetrator Programme"],
            buying_authority=authority,
            start_on=date(2015, 9, 1),
            initial_end_on=date(2017, 8, 31),
            annual_value=WY_ANNUAL["WYOPCC-DAPP-2015"],
            scope=(
                "Interventions for perpetrators referred by the police, including conditional cautions. "
                f"({WY_ASSUMED} The three months the end was varied by are delivered within that value.)"
            ),
        )
    contracts[perpetrator.reference] = perpetrator
    if created:
        with happened_at(happened_on(perpetrator.start_on)):
            _accept_social_value(officer, perpetrator, WY_SOCIAL_VALUE, _wy_commitments(perpetrator))
            _make_live(officer, perpetrator)
        with happened_at(happened_on(date(2017, 8, 1))):
            services.record_variation(
                by=officer,
                contract=perpetrator,
                kind="end_date",
                new_end=date(2017, 11, 30),
                reason="Delays in the programme becoming operational.",
                approver="Police and Crime Commissioner, by agreement with the provider",
                approved_on=date(2017, 8, 1),  # assumed: the report says only that it was varied by agreement
                today=date(2017, 8, 1),
            )
        with happened_at(happened_on(date(2018, 2, 26))):  # planned with the recommissioning (assumed)
            services.add_milestone(
                by=officer,
                contract=perpetrator,
                name="Integrated perpetrator and victim programme in place",
                due_on=date(2019, 4, 1),
            )

    with happened_at(happened_on(date(2015, 4, 1))):  # entered on the register as it began
        champion, created = _contract(
            officer,
            reference="WYOPCC-VCP-2015",
            title="Victims Champion Project",
            kind=Contract.Kind.GRANT,
            supplier=suppliers["Saima Afzal Solutions"],
            buying_authority=authority,
            start_on=date(2015, 4, 1),
            initial_end_on=date(2016, 3, 31),
            extension_months=[24],
            year_values={2015: _money(20000)},
            scope="Advice, training and support on engaging victims from Black and Minority Ethnic communities.",
        )
    contracts[champion.reference] = champion
    if created:
        with happened_at(happened_on(champion.start_on)):
            _make_live(officer, champion)
        with happened_at(happened_on(date(2016, 2, 29))):
            services.exercise_extension(
                by=officer,
                contract=champion,
                decided_on=date(2016, 2, 29),
                today=date(2016, 2, 29),
                reason="Initial one-year grant extended for a further two years, at £20k a year (assumed).",
                year_values={2016: _money(20000), 2017: _money(20000)},
            )
        for year, value, approved_on, reason in [
            (2017, 25000, date(2017, 6, 1), "Additional project (£5k) to advise on honour based abuse."),
        ]:
            with happened_at(happened_on(approved_on)):
                services.record_variation(
                    by=officer,
                    contract=champion,
                    kind="value",
                    financial_year=year,
                    new_value=_money(value),
                    reason=reason,
                    approver="Chief Executive, West Yorkshire OPCC",
                    approved_on=approved_on,
                    today=approved_on,
                )
    return contracts


def _west_midlands(users, authority, supplier, ctx) -> dict[str, Contract]:
    officer = users.get("officer@demo.test")
    provider = users.get("provider@demo.test")
    framework = ctx.get("framework")
    lot = framework.lots.filter(number=1).first() if framework is not None else None
    birmingham = Area.objects.filter(name="Birmingham").first()
    # Set up and made live in September 2025; each meeting recorded on the day it was held.
    with happened_at(datetime(2025, 9, 15, 10, tzinfo=LONDON)):
        contract, created = _contract(
            officer,
            reference="WMOPCC-IDVA-BHM-2025",
            title="Independent Domestic Violence Advocate service, Birmingham",
            supplier=supplier,
            buying_authority=authority,
            lot=lot,
            areas=[birmingham] if birmingham else [],
            # Called off after the framework's first appointments (1 July 2025): it cannot start before them.
            start_on=CALL_OFF_START,
            initial_end_on=date(2028, 9, 30),
            extension_months=[12, 12],
            annual_value=_money(135000),
            officer_manager=officer,
            supplier_manager_name=provider.full_name if provider else "",
            supplier_manager_email=provider.email if provider else "",
            supplier_manager_user=provider,
            scope=(
                "IDVA support for high-risk victims of domestic abuse in Birmingham, including representation at MARAC."
            ),
        )
    if not created:
        return {contract.reference: contract}
    with happened_at(datetime(2025, 9, 15, 10, tzinfo=LONDON)):
        _accept_social_value(
            officer,
            contract,
            "Local employment, volunteering and awareness-raising with Birmingham employers.",
            [
                {
                    "theme": SocialValueCommitment.Theme.JOBS,
                    "measure": "Local people employed in the service",
                    "unit": "people",
                    "target": Decimal("4"),
                    "due_on": date(2026, 3, 31),
                },
                {
                    "theme": SocialValueCommitment.Theme.SOCIAL,
                    "measure": "Volunteer hours supporting survivors",
                    "unit": "hours",
                    "target": Decimal("1200"),
                    "due_on": date(2027, 3, 31),
                },
                {
                    "theme": SocialValueCommitment.Theme.SOCIAL,
                    "measure": "Domestic abuse awareness sessions for Birmingham employers",
                    "unit": "sessions",
                    "target": Decimal("24"),
                    "due_on": date(2028, 3, 31),
                },
            ],
        )
        _make_live(officer, contract)
        meetings = services.schedule_meetings(by=officer, contract=contract)
        first, second = meetings[0], meetings[1]
        attendees = f"{officer.full_name if officer else 'Commissioning officer'} (OPCC); Sophie Bennett (Brindley)"
    with happened_at(datetime.combine(first.held_on, time(15), tzinfo=LONDON)):
        services.record_meeting(
            by=officer,
            meeting=first,
            attendees=attendees,
            notes=(
                "Mobilisation complete. Referrals from MARAC are rising; the first quarterly return is due 31 January."
            ),
        )
        done = services.add_meeting_action(
            by=officer,
            meeting=first,
            description="Share the MARAC referral pathway",
            owner="Sophie Bennett",
            due_on=date(2025, 12, 31),
        )
        services.complete_action(by=provider or officer, action=done)
    with happened_at(datetime.combine(second.held_on, time(15), tzinfo=LONDON)):
        services.record_meeting(
            by=officer,
            meeting=second,
            attendees=attendees,
            notes=(
                "The first return (October to December) accepted. Waiting list for outreach in the north of the "
                "city discussed."
            ),
        )
        services.add_meeting_action(
            by=officer,
            meeting=second,
            description="Send the outreach waiting-list figures by postcode district",
            owner="Sophie Bennett",
            due_on=date(2026, 3, 31),
        )
        services.add_meeting_action(
            by=officer,
            meeting=second,
            description="Confirm the social value reporting template",
            owner=officer.full_name if officer else "Commissioning officer",
            due_on=date(2026, 3, 31),
        )
    return {contract.reference: contract}


def load(ctx: dict) -> None:
    ctx["contracts"] = load_contracts(ctx)
    from .grants.demo import load as load_grants  # grant rounds, decisions and agreements (seeds 001, 004)

    load_grants(ctx)
    from .award.demo import load as load_award_stage  # competitions, awards and direct awards

    load_award_stage(ctx)
    from .notices.demo import load as load_notices  # the Procurement Act notices, some recorded as published

    load_notices(ctx)
