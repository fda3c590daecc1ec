"""Factories for performance monitoring: KPI templates, monitored contracts and returns in any state.

Returns are made through `monitoring.services`, so they are ones the portal itself could have made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

from commissioning.dates import LONDON, Quarter
from commissioning.models import Area, User
from contracts.models import Contract
from frameworks.models import Lot
from monitoring import figures as checks
from monitoring import services
from monitoring.models import ContractIndicator, Indicator, KPITemplate, QuarterlyReturn
from tests.factories import make_area, make_user
from tests.factories.contracts import make_live_contract
from tests.factories.frameworks import make_framework, make_lot

_seq = count(1)

# A small template with one indicator of each kind the checks treat differently.
STANDARD = [
    {
        "code": "REF",
        "name": "Referrals received",
        "counted": "referrals",
        "question": "how_much",
        "kind": "output",
        "unit": "count",
        "default_target": Decimal("224"),
        "amber_margin": Decimal("20"),
        "breakdowns": ["referral_source"],
    },
    {
        "code": "CONTACT48",
        "name": "Enhanced referrals contacted within 48 hours",
        "question": "how_well",
        "kind": "output",
        "unit": "percentage",
        "default_target": Decimal("95"),
        "amber_margin": Decimal("5"),
        "fraction_entry": True,
        "numerator_label": "Enhanced referrals contacted within 48 hours",
        "denominator_label": "Enhanced referrals received",
    },
    {
        "code": "WAIT",
        "name": "Average days to first support",
        "question": "how_well",
        "kind": "output",
        "unit": "days",
        "direction": "lower",
        "default_target": Decimal("10"),
        "amber_margin": Decimal("3"),
    },
    {
        "code": "SATISFIED",
        "name": "Service users satisfied overall",
        "question": "better_off",
        "kind": "outcome",
        "unit": "percentage",
        "default_target": Decimal("85"),
        "amber_margin": Decimal("5"),
    },
    {
        "code": "SPEND",
        "name": "Spending this quarter",
        "question": "how_much",
        "kind": "input",
        "unit": "money",
    },
]


def make_template(*, lot: Lot | None = None, is_default: bool = False, specs=None, **overrides) -> KPITemplate:
    template = KPITemplate.objects.create(
        name=overrides.pop("name", f"KPI template {next(_seq)}"), lot=lot, is_default=is_default, **overrides
    )
    for order, spec in enumerate(specs if specs is not None else STANDARD, start=1):
        Indicator.objects.create(template=template, order=order, **spec)
    return template


@dataclass
class Monitored:
    contract: Contract
    lot: Lot | None
    template: KPITemplate | None
    provider: User
    officer: User
    areas: list[Area]
    indicators: list[ContractIndicator]

    def indicator(self, code: str) -> ContractIndicator:
        return next(i for i in self.indicators if i.code == code)


NEW = "new"


def make_monitored_contract(
    *,
    lot: Lot | None | str = NEW,
    template: KPITemplate | None = None,
    with_template: bool = True,
    areas: list[Area] | None = None,
    officer: User | None = None,
    provider: User | None = None,
    start_on: date = date(2025, 4, 1),
    **contract_kwargs,
) -> Monitored:
    """A live contract on a lot (a new one unless given; None for no lot) with a KPI template, a provider
    user of its supplier and its indicator set."""
    officer = officer or make_user(User.Role.OFFICER)
    if lot == NEW:
        lot = make_lot(make_framework(lead_authority=officer.authority))
    if lot is not None and template is None:
        template = KPITemplate.objects.filter(lot=lot).first()
        if template is None and with_template:
            template = make_template(lot=lot)
    areas = areas if areas is not None else [make_area()]
    provider = provider or make_user(User.Role.PROVIDER)
    contract = make_live_contract(
        by=officer,
        supplier=provider.supplier_membership.supplier,
        lot=lot,
        areas=areas,
        start_on=start_on,
        buying_authority=officer.authority,
        **contract_kwargs,
    )
    indicators = services.set_up_indicators(contract=contract, by=officer, template=template)
    return Monitored(contract, lot, template, provider, officer, areas, indicators)


def valid_raw(m: Monitored, *, referrals: int = 224, **overrides) -> dict[str, str]:
    """Complete, valid figures for the STANDARD template (breakdown adding up), with overrides by key."""
    raw: dict[str, str] = {}
    for indicator in m.indicators:
        if indicator.code == "REF":
            raw[checks.value_key(indicator)] = str(referrals)
            categories = [code for code, _ in checks.categories("referral_source", m.areas)]
            raw[checks.category_key(indicator, "referral_source", "police")] = str(referrals - 20)
            raw[checks.category_key(indicator, "referral_source", "self")] = "15"
            raw[checks.category_key(indicator, "referral_source", "not_known")] = "5"
            for code in categories:
                raw.setdefault(checks.category_key(indicator, "referral_source", code), "0")
        elif indicator.code == "CONTACT48":
            raw[checks.numerator_key(indicator)] = "76"
            raw[checks.denominator_key(indicator)] = "80"
        elif indicator.code == "WAIT":
            raw[checks.value_key(indicator)] = "8.5"
        elif indicator.code == "SATISFIED":
            raw[checks.value_key(indicator)] = "88"
        elif indicator.code == "SPEND":
            raw[checks.value_key(indicator)] = "33750.00"
        elif indicator.is_social_value:
            raw[checks.value_key(indicator)] = "1"
    raw.update(overrides)
    return raw


FIRST_QUARTER = Quarter(2025, 1)
NARRATIVE = {
    "achievements": "Every high-risk referral was contacted within two days.",
    "challenges": "Court delays keep cases open longer.",
    "risks": "",
    "emerging_themes": "More economic abuse.",
    "case_study": "",
}


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def make_return(
    m: Monitored,
    quarter: Quarter = FIRST_QUARTER,
    *,
    status: str = QuarterlyReturn.Status.DRAFT,
    raw: dict[str, str] | None = None,
    submitted_on: date | None = None,
) -> QuarterlyReturn:
    """A return in `status`, moved there through the services (submitted `submitted_on`, default on time)."""
    submitted_on = submitted_on or quarter.return_due - timedelta(days=3)
    quarterly_return = services.save_return(
        contract=m.contract,
        quarter=quarter,
        raw=raw if raw is not None else valid_raw(m),
        narrative=NARRATIVE,
        by=m.provider,
        now=at(quarter.end + timedelta(days=5)),
    )
    if status == QuarterlyReturn.Status.DRAFT:
        return quarterly_return
    quarterly_return = services.submit_return(quarterly_return=quarterly_return, by=m.provider, now=at(submitted_on))
    if status == QuarterlyReturn.Status.SUBMITTED:
        return quarterly_return
    if status == QuarterlyReturn.Status.ACCEPTED:
        return services.accept_return(quarterly_return=quarterly_return, by=m.officer)
    quarterly_return = services.return_for_amendment(
        quarterly_return=quarterly_return, by=m.officer, comments="Check the referral figures."
    )
    if status == QuarterlyReturn.Status.RETURNED:
        return quarterly_return
    return services.submit_return(quarterly_return=quarterly_return, by=m.provider)
