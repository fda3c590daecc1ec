"""Demo data for performance monitoring. Runs after `contracts.demo`.

- KPI templates for the four lots of the West Midlands framework (seed 000), built from the measures in
  the seeds: seed 000's outcomes (health and wellbeing, coping, feeling safer, informed and empowered,
  satisfaction) and outputs (referrals and sources, crime types, demographics, cases reported to the
  CJS and receiving a CJS outcome, complaints); seed 001's MoJ satisfaction measures; seed 003's Results
  Based Accountability questions, referral sources and waiting times; seed 004's referrals per quarter,
  contact within 48 hours (enhanced) and 72 hours (standard), and ISVA support at trials.
- A default template for contracts without a lot (the Avon and Somerset and West Yorkshire services).
- Two more West Midlands call-offs, so each lot summary has more than one provider and provider2@demo.test
  has returns: an ISVA service for Coventry and Solihull (lot 3, about 224 referrals a quarter, as the West
  Yorkshire ISVA service averaged in 2017/18, seed 004) and an IDVA service for Wolverhampton and Walsall.
- Returns for every demo contract, entered, submitted, accepted or returned through the services with the
  dates they happened on: every ended quarter of the West Midlands call-offs (four or more), and the last
  four quarters of the older services without a lot (earlier quarters of those show as not started). The most recent
  return that is past due is overdue (Arden's ISVA service: not started) or returned for amendment
  (provider@demo.test's IDVA service), and a late one awaits review.

Figures are generated from a seeded random number generator, so a second run makes the same ones; the
loader is idempotent (templates by name, contracts by reference, returns by contract and quarter).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commissioning.clock import happened_at
from commissioning.dates import LONDON, Quarter
from commissioning.models import Area, Authority, User
from contracts import services as contract_services
from contracts.award.demo import SECOND_OFFICER
from contracts.models import Contract, SocialValueCommitment, term_end
from frameworks.models import Framework
from suppliers.models import Supplier, SupplierMembership

from . import figures as checks
from . import services
from .models import ContractIndicator, Indicator, KPITemplate, QuarterlyReturn, Unit

FRAMEWORK = "WMOPCC-DASAA-2025"
DEFAULT_TEMPLATE = "Standard victim services template (contracts without a lot)"

# Indicator specs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    question: str
    kind: str
    unit: str
    direction: str = "higher"
    target: str | None = None
    margin: str = "0"
    counted: str = ""
    fraction: tuple[str, str] | None = None
    breakdowns: tuple[str, ...] = ()
    guidance: str = ""
    source: str = ""
    # How the demo makes a figure: ("scale", factor), ("of", code, factor), ("rate", den_code, den_factor,
    # low, high), ("days", low, high), ("small", low, high), ("spend",)
    demo: tuple = ("scale", 1)


HOW_MUCH, HOW_WELL, BETTER_OFF = "how_much", "how_well", "better_off"

REFERRALS = Spec(
    "REF",
    "Referrals received",
    HOW_MUCH,
    "output",
    "count",
    target="100",
    margin="10",
    counted="referrals",
    breakdowns=("referral_source", "area"),
    guidance="Every referral received in the quarter, whoever made it, including self-referrals.",
    source="Seed 000 outputs: referrals and sources; seed 004: referrals per quarter",
)
SUPPORTED = Spec(
    "SUP",
    "People supported",
    HOW_MUCH,
    "output",
    "count",
    target="150",
    margin="15",
    counted="people supported",
    breakdowns=("crime_type", "age_band", "gender", "ethnicity", "sexual_orientation", "disability"),
    guidance="People given support at any point in the quarter (open cases), counted once each.",
    source="Seed 000 outputs: crime types, demographics including age, gender, sexual orientation",
    demo=("scale", Decimal("1.6")),
)
CJS_REPORTED = Spec(
    "CJS-REP",
    "Cases reported to the police or leading to police action",
    HOW_MUCH,
    "output",
    "count",
    counted="cases",
    source="Seed 000 outputs: number of cases reporting to the CJS or leading to police action",
    demo=("of", "REF", Decimal("0.45")),
)
CJS_OUTCOME = Spec(
    "CJS-OUT",
    "Cases receiving a criminal justice outcome",
    HOW_MUCH,
    "output",
    "count",
    counted="cases",
    source="Seed 000 outputs: number of cases receiving a CJS outcome",
    demo=("of", "REF", Decimal("0.12")),
)
SPEND = Spec(
    "SPEND",
    "Spending on the service this quarter",
    HOW_MUCH,
    "input",
    "money",
    guidance="Money spent delivering the contract in the quarter, excluding VAT.",
    source="Seed 000: the template includes inputs",
    demo=("spend",),
)
CONTACT48 = Spec(
    "CONTACT48",
    "Enhanced (high-risk) referrals contacted within 48 hours",
    HOW_WELL,
    "output",
    "percentage",
    target="95",
    margin="5",
    fraction=("Enhanced referrals contacted within 48 hours", "Enhanced referrals received"),
    source="Seed 004: enhanced victims contacted within 48 hours of referral",
    demo=("rate", "REF", Decimal("0.35"), Decimal("0.88"), Decimal("0.99")),
)
CONTACT72 = Spec(
    "CONTACT72",
    "Standard referrals contacted within 72 hours",
    HOW_WELL,
    "output",
    "percentage",
    target="90",
    margin="5",
    fraction=("Standard referrals contacted within 72 hours", "Standard referrals received"),
    source="Seed 004: standard cases contacted within 72 hours",
    demo=("rate", "REF", Decimal("0.65"), Decimal("0.84"), Decimal("0.97")),
)
WAIT = Spec(
    "WAIT",
    "Average days from referral to first support session",
    HOW_WELL,
    "output",
    "days",
    direction="lower",
    target="10",
    margin="3",
    guidance="The mean, over people whose support started in the quarter. Up to two decimal places.",
    source="Seed 003: management of waiting lists and times",
    demo=("days", 4, 14),
)
RESPECT = Spec(
    "RESPECT",
    "Service users who felt treated sensitively and respectfully",
    HOW_WELL,
    "outcome",
    "percentage",
    target="90",
    margin="5",
    fraction=("Feedback responses saying so", "Feedback responses received"),
    source="Seed 001: MoJ user-satisfaction measures",
    demo=("rate", "REF", Decimal("0.3"), Decimal("0.88"), Decimal("0.99")),
)
SATISFIED = Spec(
    "SATISFIED",
    "Service users satisfied with the service overall",
    HOW_WELL,
    "outcome",
    "percentage",
    target="85",
    margin="5",
    fraction=("Feedback responses satisfied overall", "Feedback responses about overall satisfaction"),
    source="Seed 000: quality and satisfaction with support; seed 001: overall satisfaction",
    demo=("rate", "REF", Decimal("0.3"), Decimal("0.8"), Decimal("0.96")),
)
COMPLAINTS = Spec(
    "COMPLAINTS",
    "Complaints received",
    HOW_WELL,
    "output",
    "count",
    direction="lower",
    target="0",
    margin="2",
    counted="complaints",
    source="Seed 000 outputs: complaints",
    demo=("small", 0, 3),
)


def outcome(code: str, name: str, source: str, low: str, high: str, target: str = "75") -> Spec:
    """An 'is anyone better off?' percentage of closed cases, from counts."""
    return Spec(
        code,
        name,
        BETTER_OFF,
        "outcome",
        "percentage",
        target=target,
        margin="10",
        fraction=(f"Closed cases reporting it ({name[0].lower() + name[1:]})", "Closed cases with an outcome measure"),
        guidance="Of the cases closed in the quarter with an outcome measure at the start and the end.",
        source=source,
        demo=("rate", "REF", Decimal("0.7"), Decimal(low), Decimal(high)),
    )


SAFER = outcome("SAFER", "Increased feelings of safety", "Seed 000 outcomes; seed 001 MoJ", "0.72", "0.9", "80")
HEALTH = outcome("HEALTH", "Improved health and wellbeing", "Seed 000 outcomes; seed 001 MoJ", "0.65", "0.85")
COPE = outcome("COPE", "Better able to cope with everyday life", "Seed 000 outcomes; seed 001 MoJ", "0.68", "0.88")
INFORMED = outcome(
    "INFORMED",
    "Better informed and empowered to act",
    "Seed 000 outcomes: including reporting to the police and supporting CJS processes",
    "0.75",
    "0.92",
    "80",
)

TEMPLATES: dict[int, tuple[str, str, list[Spec]]] = {
    1: (
        "Lot 1: Independent Domestic Violence Advocate (IDVA) KPIs",
        "Outputs, quality and outcomes for IDVA services for high-risk victims of domestic abuse.",
        [
            REFERRALS,
            Spec(
                "MARAC",
                "High-risk cases supported through MARAC",
                HOW_MUCH,
                "output",
                "count",
                target="50",
                margin="5",
                counted="cases",
                source="Seed 000 Lot 1; seed 003 referral sources (MARAC)",
                demo=("of", "REF", Decimal("0.55")),
            ),
            SUPPORTED,
            CJS_REPORTED,
            CJS_OUTCOME,
            SPEND,
            CONTACT48,
            CONTACT72,
            WAIT,
            RESPECT,
            SATISFIED,
            COMPLAINTS,
            SAFER,
            Spec(
                "RISK",
                "Closed cases with reduced risk",
                BETTER_OFF,
                "outcome",
                "percentage",
                target="70",
                margin="10",
                fraction=("Closed cases whose risk assessment score fell", "Closed cases risk-assessed at the end"),
                guidance="By the DASH risk assessment at the start and the end of support.",
                source="Seed 001: reduced risk assessment scores as an indicator of increased safety",
                demo=("rate", "REF", Decimal("0.6"), Decimal("0.62"), Decimal("0.82")),
            ),
            HEALTH,
            INFORMED,
        ],
    ),
    2: (
        "Lot 2: DA cope and recover services KPIs",
        "Advocacy and outreach, counselling and therapy, peer support, helpline and creative services.",
        [
            REFERRALS,
            SUPPORTED,
            Spec(
                "SESSIONS",
                "Counselling and therapeutic sessions delivered",
                HOW_MUCH,
                "output",
                "count",
                target="600",
                margin="60",
                counted="sessions",
                source="Seed 000 Lot 2",
                demo=("scale", Decimal("6")),
            ),
            Spec(
                "HELPLINE",
                "Helpline calls answered",
                HOW_MUCH,
                "output",
                "count",
                target="400",
                margin="40",
                counted="calls",
                source="Seed 000 Lot 2; seed 003: telephone help-line",
                demo=("scale", Decimal("4")),
            ),
            SPEND,
            CONTACT72,
            WAIT,
            SATISFIED,
            COMPLAINTS,
            HEALTH,
            COPE,
            SAFER,
        ],
    ),
    3: (
        "Lot 3: Independent Sexual Violence Advocate (ISVA) KPIs",
        "Outputs, quality and outcomes for ISVA services, including support through the criminal justice system.",
        [
            REFERRALS,
            SUPPORTED,
            Spec(
                "TRIALS",
                "Trials at which an ISVA supported the victim",
                HOW_MUCH,
                "output",
                "count",
                target="22",
                margin="4",
                counted="trials",
                source="Seed 004: ISVAs supported victims at 89 trials in 2017/18",
                demo=("of", "REF", Decimal("0.1")),
            ),
            Spec(
                "S28",
                "Pre-recorded evidence (section 28) hearings supported",
                HOW_MUCH,
                "output",
                "count",
                counted="hearings",
                source="Seed 004: support at section 28 hearings",
                demo=("small", 1, 6),
            ),
            CJS_REPORTED,
            CJS_OUTCOME,
            SPEND,
            CONTACT48,
            CONTACT72,
            WAIT,
            RESPECT,
            SATISFIED,
            COMPLAINTS,
            INFORMED,
            HEALTH,
            SAFER,
        ],
    ),
    4: (
        "Lot 4: SAA cope and recover services KPIs",
        "Counselling and therapy, peer support, helpline and creative services after sexual assault and abuse.",
        [
            REFERRALS,
            SUPPORTED,
            Spec(
                "SESSIONS",
                "Counselling and therapeutic sessions delivered",
                HOW_MUCH,
                "output",
                "count",
                target="500",
                margin="50",
                counted="sessions",
                source="Seed 000 Lot 4",
                demo=("scale", Decimal("6")),
            ),
            SPEND,
            WAIT,
            SATISFIED,
            COMPLAINTS,
            HEALTH,
            COPE,
        ],
    ),
}
DEFAULT_SPECS = [
    REFERRALS,
    SUPPORTED,
    CJS_REPORTED,
    SPEND,
    CONTACT48,
    CONTACT72,
    RESPECT,
    Spec(
        "AGREED",
        "Support consistent with what was agreed at the needs assessment",
        HOW_WELL,
        "outcome",
        "percentage",
        target="85",
        margin="5",
        fraction=("Feedback responses saying so", "Feedback responses received"),
        source="Seed 001: MoJ user-satisfaction measures",
        demo=("rate", "REF", Decimal("0.3"), Decimal("0.8"), Decimal("0.95")),
    ),
    Spec(
        "COORDINATED",
        "Support that was coordinated and effective",
        HOW_WELL,
        "outcome",
        "percentage",
        target="85",
        margin="5",
        fraction=("Feedback responses saying so", "Feedback responses received"),
        source="Seed 001: MoJ user-satisfaction measures",
        demo=("rate", "REF", Decimal("0.3"), Decimal("0.8"), Decimal("0.95")),
    ),
    SATISFIED,
    COMPLAINTS,
    HEALTH,
    SAFER,
    COPE,
    INFORMED,
]

# Referral sources and demographics in proportions typical of each kind of service (for the demo only).
WEIGHTS = {
    "referral_source": {
        "idva": {"police": 38, "marac": 27, "self": 9, "statutory": 10, "health": 7, "local_authority": 5, "other": 4},
        "isva": {"police": 44, "sarc": 26, "self": 17, "health": 6, "specialist": 4, "other": 2, "not_known": 1},
        "other": {"police": 52, "self": 21, "health": 8, "local_authority": 7, "specialist": 6, "other": 5},
    },
    "crime_type": {
        "idva": {"domestic_abuse": 88, "stalking": 7, "honour": 3, "not_known": 2},
        "isva": {"rape": 58, "sexual_assault": 24, "non_recent_csa": 15, "not_known": 3},
        "other": {"domestic_abuse": 34, "sexual_assault": 12, "stalking": 10, "other": 40, "not_known": 4},
    },
    "age_band": {
        "under_16": 3,
        "16_17": 4,
        "18_24": 19,
        "25_34": 27,
        "35_44": 22,
        "45_54": 13,
        "55_64": 7,
        "65_plus": 3,
        "not_known": 2,
    },
    "gender": {"woman": 86, "man": 11, "non_binary": 1, "not_said": 1, "not_known": 1},
    "ethnicity": {"asian": 17, "black": 9, "mixed": 5, "white": 62, "other": 3, "not_said": 2, "not_known": 2},
    "sexual_orientation": {
        "heterosexual": 78,
        "gay_lesbian": 5,
        "bisexual": 5,
        "other": 1,
        "not_said": 6,
        "not_known": 5,
    },
    "disability": {"disabled": 24, "not_disabled": 66, "not_said": 5, "not_known": 5},
}

# Referrals a quarter, by contract (seed 004: the West Yorkshire ISVA service averaged 224 a quarter).
SCALE = {
    "WMOPCC-IDVA-BHM-2025": 96,
    "WMOPCC-IDVA-WLV-2025": 84,
    "WMOPCC-ISVA-COV-2025": 224,
    "WYOPCC-ISVA-2015": 224,
    "WYOPCC-CRS-2018": 4100,
    "WYOPCC-RJ-2018": 140,
    "WYOPCC-DAPP-2015": 640,
    "WYOPCC-VCP-2015": 30,
    "ASOPCC-ESS-2015": 1900,
    "ASOPCC-AVOICE-2015": 310,
    "ASOPCC-CYP-2015": 160,
    "ASOPCC-ISVA-2015": 150,
    "ASOPCC-MSS-2018": 18,
    "ASOPCC-RJ-2017": 90,
    "ASOPCC-LIGHTHOUSE": 9800,
    "ASOPCC-SEPARATE-2018": 420,
}

NARRATIVE = {
    "achievements": (
        "Referrals held steady and every high-risk referral was contacted the same or the next working day. "
        "Two new volunteers completed their training and now support the outreach sessions."
    ),
    "challenges": (
        "Court delays mean cases stay open longer, so caseloads per advocate rose. Recruitment to a vacant part-time "
        "post took eight weeks."
    ),
    "risks": "Caseloads will exceed the agreed maximum if the vacancy is not filled next quarter.",
    "emerging_themes": (
        "More referrals involving economic abuse and technology-facilitated abuse, and more older victims referred "
        "by health services."
    ),
    "case_study": (
        "A woman in her thirties was referred by the police after a high-risk incident. Her advocate arranged a "
        "safety plan and target hardening within two days and supported her through the civil order process. At "
        "closure she said she felt safe at home for the first time in years. (Details changed to protect her.)"
    ),
}


# Templates ------------------------------------------------------------------------------------------------


def _template(name: str, description: str, specs: list[Spec], **where) -> KPITemplate:
    template, created = KPITemplate.objects.get_or_create(name=name, defaults={"description": description, **where})
    if created or not template.indicators.exists():
        Indicator.objects.bulk_create(
            [
                Indicator(
                    template=template,
                    order=order,
                    code=spec.code,
                    name=spec.name,
                    counted=spec.counted,
                    guidance=spec.guidance,
                    question=spec.question,
                    kind=spec.kind,
                    unit=spec.unit,
                    direction=spec.direction,
                    default_target=Decimal(spec.target) if spec.target is not None else None,
                    amber_margin=Decimal(spec.margin),
                    fraction_entry=spec.fraction is not None,
                    numerator_label=spec.fraction[0] if spec.fraction else "",
                    denominator_label=spec.fraction[1] if spec.fraction else "",
                    breakdowns=list(spec.breakdowns),
                    source=spec.source,
                )
                for order, spec in enumerate(specs, start=1)
            ]
        )
    return template


def load_templates(framework: Framework | None) -> dict[str, KPITemplate]:
    templates = {}
    if framework is not None:
        for lot in framework.lots.all():
            if lot.number in TEMPLATES:
                name, description, specs = TEMPLATES[lot.number]
                templates[f"lot{lot.number}"] = _template(name, description, specs, lot=lot)
    if not KPITemplate.objects.filter(is_default=True).exists():
        templates["default"] = _template(
            DEFAULT_TEMPLATE,
            "Seed 001's MoJ outcomes and satisfaction measures and seed 004's contact times, for services "
            "commissioned outside a framework lot.",
            DEFAULT_SPECS,
            is_default=True,
        )
    return templates


# More West Midlands call-offs ----------------------------------------------------------------------------------


def _west_midlands_contracts(ctx: dict, framework: Framework | None) -> None:
    users = ctx.get("users", {})
    officer, provider2 = users.get("officer@demo.test"), users.get("provider2@demo.test")
    authority = Authority.objects.filter(name="West Midlands Office of the Police and Crime Commissioner").first()
    if framework is None or authority is None or officer is None:
        return
    areas = {a.name: a for a in Area.objects.all()}
    specs = [
        (
            "WMOPCC-ISVA-COV-2025",
            "Independent Sexual Violence Advocate service, Coventry and Solihull",
            "Arden Sexual Violence Advocacy CIC",
            3,
            ["Coventry", "Solihull"],
            Decimal("182000"),
            provider2,
            "ISVA support for victims and survivors of rape and sexual assault in Coventry and Solihull, whether or "
            "not they report to the police, including support at trials and section 28 hearings.",
        ),
        (
            "WMOPCC-IDVA-WLV-2025",
            "Independent Domestic Violence Advocate service, Wolverhampton and Walsall",
            "West Midlands IDVA Partnership",
            1,
            ["Wolverhampton", "Walsall"],
            Decimal("148000"),
            None,
            "IDVA support for high-risk victims of domestic abuse in Wolverhampton and Walsall, including MARAC.",
        ),
    ]
    for reference, title, supplier_name, lot_number, area_names, annual, manager, scope in specs:
        supplier = Supplier.objects.filter(legal_name=supplier_name).first()
        lot = framework.lots.filter(number=lot_number).first()
        if supplier is None or lot is None or Contract.objects.filter(reference=reference).exists():
            continue
        with happened_at(_at(date(2025, 7, 1), 10)):  # called off as the framework's first award began
            contract = contract_services.create_contract(
                by=officer,
                reference=reference,
                title=title,
                supplier=supplier,
                buying_authority=authority,
                lot=lot,
                areas=[areas[name] for name in area_names if name in areas],
                start_on=date(2025, 7, 1),
                initial_end_on=term_end(date(2025, 7, 1), 36),
                extension_months=[12, 12],
                annual_value=annual,
                officer_manager=officer,
                supplier_manager_name=manager.full_name if manager else "",
                supplier_manager_email=manager.email if manager else "",
                supplier_manager_user=manager,
                origin=Contract.Origin.DIRECT_AWARD if lot_number == 3 else Contract.Origin.ENTERED,
                scope=scope + " (Demo call-off added by the monitoring demo.)",
            )
            proposal = contract_services.record_social_value_proposal(
                by=officer,
                contract=contract,
                summary="Local employment and volunteering, and training for local professionals.",
                commitments=[
                    {
                        "theme": SocialValueCommitment.Theme.JOBS,
                        "measure": "Local people employed in the service",
                        "unit": "people",
                        "target": Decimal("3"),
                        "due_on": date(2026, 6, 30),
                    },
                    {
                        "theme": SocialValueCommitment.Theme.SOCIAL,
                        "measure": "Awareness training for local professionals",
                        "unit": "hours",
                        "target": Decimal("240"),
                        "due_on": date(2028, 6, 30),
                    },
                ],
            )
            contract_services.accept_social_value_proposal(by=officer, proposal=proposal)
            second = User.objects.get(email=SECOND_OFFICER)  # an entered contract goes live on two officers' word
            contract_services.make_live_by_two(first=officer, second=second, contract=contract)


# Returns --------------------------------------------------------------------------------------------------------


def _reporter(contract: Contract) -> User:
    """Who sends the contract's returns: its named provider contact, or a user of the supplier (a demo account
    with no password is made for suppliers without one)."""
    if contract.supplier_manager_user_id:
        return contract.supplier_manager_user
    membership = SupplierMembership.objects.filter(supplier=contract.supplier).select_related("user").first()
    if membership is not None:
        return membership.user
    slug = "".join(ch for ch in contract.supplier.legal_name.lower() if ch.isalnum())[:24]
    user, _ = User.objects.get_or_create(
        email=f"returns@{slug}.example",
        defaults={"full_name": f"{contract.supplier.legal_name} returns", "role": User.Role.PROVIDER},
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    SupplierMembership.objects.get_or_create(user=user, defaults={"supplier": contract.supplier, "is_admin": True})
    return user


def _kind_of(contract: Contract) -> str:
    text = f"{contract.title} {contract.lot.title if contract.lot else ''}"
    if "Sexual" in text or "ISVA" in text:
        return "isva"
    if "Domestic" in text or "IDVA" in text:
        return "idva"
    return "other"


def _split(total: int, weights: dict[str, int], codes: list[str], rng: random.Random) -> dict[str, str]:
    """Share `total` across the categories by weight (with some noise); the parts add up to the total."""
    raw = {code: weights.get(code, 0) * rng.uniform(0.85, 1.15) for code in codes}
    if not any(raw.values()):
        raw = dict.fromkeys(codes, 1.0)
    whole = sum(raw.values())
    exact = {code: total * value / whole for code, value in raw.items()}
    parts = {code: int(value) for code, value in exact.items()}
    rest = total - sum(parts.values())
    for code in sorted(codes, key=lambda c: exact[c] - parts[c], reverse=True)[:rest]:
        parts[code] += 1
    return {code: str(count) for code, count in parts.items()}


def _figures(contract, indicators, quarter: Quarter, scale: int, areas) -> dict[str, str]:
    rng = random.Random(f"{contract.reference}-{quarter.financial_year}-{quarter.number}")  # noqa: S311
    kind = _kind_of(contract)
    raw: dict[str, str] = {}
    made: dict[str, int] = {}
    base = max(1, round(scale * rng.uniform(0.92, 1.08)))
    specs = {spec.code: spec for specs in [*(t[2] for t in TEMPLATES.values()), DEFAULT_SPECS] for spec in specs}
    annual = contract.year_values.filter(financial_year=quarter.financial_year).values_list("amount", flat=True)
    for indicator in indicators:
        if indicator.is_social_value:
            per_quarter = (indicator.target or Decimal("4")) / 8
            raw[checks.value_key(indicator)] = str(max(0, round(float(per_quarter) * rng.uniform(0.7, 1.3))))
            continue
        rule = specs[indicator.code].demo if indicator.code in specs else ("scale", 1)
        if rule[0] == "scale":
            made[indicator.code] = max(0, round(base * rule[1]))
        elif rule[0] == "of":
            made[indicator.code] = max(0, round(made.get(rule[1], base) * rule[2] * Decimal(rng.uniform(0.9, 1.1))))
        elif rule[0] == "small":
            made[indicator.code] = rng.randint(rule[1], rule[2])
        elif rule[0] == "days":
            raw[checks.value_key(indicator)] = f"{rng.uniform(rule[1], rule[2]):.1f}"
            continue
        elif rule[0] == "spend":
            yearly = annual[0] if annual else Decimal("120000")
            raw[checks.value_key(indicator)] = f"{yearly / 4 * Decimal(rng.uniform(0.93, 1.0)):.2f}"
            continue
        elif rule[0] == "rate":
            denominator = max(1, round(made.get(rule[1], base) * rule[2]))
            rate = rng.uniform(float(rule[3]), float(rule[4]))
            raw[checks.numerator_key(indicator)] = str(min(denominator, round(denominator * rate)))
            raw[checks.denominator_key(indicator)] = str(denominator)
            continue
        total = made[indicator.code]
        raw[checks.value_key(indicator)] = str(total)
        for breakdown in indicator.breakdown_list:
            codes = [code for code, _label in checks.categories(breakdown.key, areas)]
            weights = WEIGHTS.get(breakdown.key, {})
            weights = weights.get(kind, weights) if breakdown.key in {"referral_source", "crime_type"} else weights
            if breakdown.key == "area":
                weights = {code: 10 for code in codes if code != "not_known"} | {"not_known": 1}
            for code, count in _split(total, weights, codes, rng).items():
                raw[checks.category_key(indicator, breakdown.key, code)] = count
    return raw


def _at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def _set_contract_targets(contract: Contract, indicators: list[ContractIndicator], scale: int, officer: User) -> None:
    specs = {spec.code: spec for specs in [*(t[2] for t in TEMPLATES.values()), DEFAULT_SPECS] for spec in specs}
    targets = {}
    for indicator in indicators:
        spec = specs.get(indicator.code)
        if indicator.is_social_value or spec is None or indicator.unit != Unit.COUNT or spec.target is None:
            continue
        if spec.demo[0] == "scale":
            target = Decimal(round(scale * spec.demo[1]))
        elif spec.demo[0] == "of":
            target = Decimal(round(scale * spec.demo[2]))
        else:
            continue
        targets[indicator.pk] = (target, max(Decimal("1"), (target * Decimal("0.1")).quantize(Decimal("1"))))
    if targets:
        services.set_targets(contract=contract, targets=targets, by=officer)


def _returns_for(contract: Contract, officer: User, today: date, plan: str) -> None:
    ended = [q for q in _quarters(contract) if q.end < today]
    if not contract.lot_id:
        ended = ended[-4:]  # the older services: their last four quarters (before the portal, nothing was kept)
    if not ended:
        return
    reporter = _reporter(contract)
    scale = SCALE.get(contract.reference, 120)
    # The indicators and their targets were agreed as reporting on the portal began.
    with happened_at(_at(max(contract.start_on, ended[0].start), 10)):
        indicators = services.set_up_indicators(contract=contract, by=officer)
        if not QuarterlyReturn.objects.filter(contract=contract).exists():
            _set_contract_targets(contract, indicators, scale, officer)
    indicators = list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))
    areas = services.contract_areas(contract)
    past_due = [q for q in ended if q.return_due < today]
    latest_due = past_due[-1] if past_due else None
    for quarter in ended:
        if QuarterlyReturn.objects.filter(
            contract=contract, period__financial_year=quarter.financial_year, period__quarter=quarter.number
        ).exists():
            continue
        is_latest = quarter == latest_due
        not_yet_due = quarter.return_due >= today
        if plan == "overdue" and is_latest:
            continue  # not started, past its due date: overdue
        raw = _figures(contract, indicators, quarter, scale, areas)
        started = _at(quarter.end + timedelta(days=6))
        with happened_at(started):
            quarterly_return = services.save_return(
                contract=contract, quarter=quarter, raw=raw, narrative=NARRATIVE, by=reporter, now=started
            )
        if not_yet_due:
            continue  # still a draft: not due yet
        late = plan == "late" and is_latest
        submitted = _at(quarter.return_due + timedelta(days=4 if late else -6), 15)
        with happened_at(submitted):
            services.submit_return(quarterly_return=quarterly_return, by=reporter, now=submitted)
        if plan == "late" and is_latest:
            continue  # submitted late, awaiting review
        if plan == "returned" and is_latest:
            with happened_at(submitted + timedelta(days=5)):
                services.return_for_amendment(
                    quarterly_return=quarterly_return,
                    by=officer,
                    comments="The referral figures are well below the last two quarters: please check the MARAC "
                    "referrals and say in the narrative what is behind the fall. The case study should not give "
                    "the month of the incident.",
                    now=submitted + timedelta(days=5),
                )
            continue
        with happened_at(submitted + timedelta(days=7)):
            services.accept_return(
                quarterly_return=quarterly_return,
                by=officer,
                comments="Thank you: figures and narrative agreed at the contract meeting.",
                now=submitted + timedelta(days=7),
            )


def _quarters(contract: Contract) -> list[Quarter]:
    quarters = []
    quarter = Quarter.containing(contract.start_on)
    last = Quarter.containing(contract.effective_end_on)
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


PLANS = {
    "WMOPCC-IDVA-BHM-2025": "returned",
    "WMOPCC-ISVA-COV-2025": "overdue",
    "WMOPCC-IDVA-WLV-2025": "late",
}


def _officer_of(contract: Contract) -> User | None:
    """An officer of the authority that buys the contract: only they review its returns (a contract led by
    an authority with no officers on the portal, such as NHS England's SARC, has no demo returns)."""
    return (
        User.objects.filter(role=User.Role.OFFICER, is_active=True, authority_id=contract.buying_authority_id)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def load_monitoring(ctx: dict, today: date | None = None) -> None:
    today = today or timezone.localdate()
    framework = ctx.get("framework") or Framework.objects.filter(reference=FRAMEWORK).first()
    load_templates(framework)
    _west_midlands_contracts(ctx, framework)
    officer = ctx.get("users", {}).get("officer@demo.test") or User.objects.filter(role=User.Role.OFFICER).first()
    if officer is None:
        return
    for contract in (
        Contract.objects.filter(activated_at__isnull=False)
        .select_related("supplier", "lot", "supplier_manager_user")
        .order_by("reference")
    ):
        reviewer = _officer_of(contract)
        if reviewer is not None:
            _returns_for(contract, reviewer, today, PLANS.get(contract.reference, "accepted"))
        elif contract.start_on < today:  # no demo returns (no officer to review them): set up as it began
            with happened_at(_at(contract.start_on, 10)):
                services.set_up_indicators(contract=contract, by=officer)
    # Live contracts with no quarter ended yet: their sets are made when they go live, but the handlers
    # run when the loader's transaction commits; the pages must find them complete either way.
    services.set_up_missing_indicators(by=officer)


def load(ctx: dict) -> None:
    load_monitoring(ctx)
