"""Demo grants from the seeds, entered through the grants services (as the system).

- Seed 001 (Avon and Somerset): the Police and Crime Grant to the five local authorities, and the
  Commissioner's Community Action Fund, whose small grants are awarded quarterly. Amounts are assumed:
  the seed does not state them.
- Seed 004 (West Yorkshire): the Victims Champion Project, "an initial one year grant agreement, value
  £20k", awarded to Saima Afzal Solutions after an open competitive process.
- West Midlands: a small grants round awarded quarterly, so the demo officer has a round of their own
  (assumed for the demo): one grant awarded and agreed, paid quarterly in arrears with a payment overdue;
  one application waiting for a decision; open to the demo providers' online applications.
Idempotent: rounds are found by reference.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from commissioning.clock import happened_at, happened_on
from commissioning.models import Authority
from suppliers.models import Supplier

from . import services
from .models import GrantApplication, GrantRound

COUNCILS = [
    "Bath and North East Somerset Council",
    "Bristol City Council",
    "North Somerset Council",
    "Somerset County Council",
    "South Gloucestershire Council",
]


def _round(authority: Authority, **spec) -> tuple[GrantRound, bool]:
    existing = GrantRound.objects.filter(reference=spec["reference"]).first()
    if existing is not None:
        return existing, False
    with happened_at(happened_on(spec["opens_on"])):  # set up as it opened
        return services.create_round(by=None, authority=authority, **spec), True


def _award(grant_round, supplier, project, amount, received, decided, reason, agreement=None) -> GrantApplication:
    # Each step recorded on the day it happened (the agreement made with the decision).
    with happened_at(happened_on(received)):
        application = services.record_application(
            by=None,
            grant_round=grant_round,
            supplier=supplier,
            project=project,
            amount_requested=amount,
            submitted_on=received,
        )
    with happened_at(happened_on(decided)):
        services.decide_application(
            by=None, application=application, award=True, amount_awarded=amount, reason=reason, decided_on=decided
        )
        if agreement is not None:
            contract = services.make_agreement(by=None, application=application, **agreement)
    if agreement is not None:
        # Long past: every payment was made on its due date (so none shows as overdue).
        for payment in contract.grant_payments.all():
            with happened_at(happened_on(payment.due_on)):
                services.record_payment(by=None, payment=payment, paid_on=payment.due_on)
    return application


def load(ctx: dict) -> None:
    def authority(name: str) -> Authority | None:
        return Authority.objects.filter(name=name).first()

    avon = authority("Avon and Somerset Office of the Police and Crime Commissioner")
    west_yorkshire = authority("West Yorkshire Office of the Police and Crime Commissioner")
    west_midlands = authority("West Midlands Office of the Police and Crime Commissioner")
    if avon is not None:
        pcg, created = _round(
            avon,
            reference="ASOPCC-PCG-2018",
            title="Police and Crime Grant 2018/19",
            purpose="Grants to the five local authorities to support the delivery of the Police and Crime Plan "
            "(seed 001). Amounts assumed for the demo.",
            budget=Decimal("1000000"),
            opens_on=date(2018, 2, 1),
            closes_on=date(2018, 3, 16),
        )
        if created:
            for name in COUNCILS:
                council = Supplier.objects.get_or_create(legal_name=name, defaults={"kind": Supplier.Kind.PUBLIC_BODY})[
                    0
                ]
                _award(
                    pcg,
                    council,
                    f"Police and Crime Plan delivery in {name.replace(' Council', '').replace(' County', '')}",
                    Decimal("200000"),
                    date(2018, 3, 1),
                    date(2018, 3, 20),
                    "Local commissioners use the grant as most needed locally, aligned with the victim services.",
                    agreement={
                        "reference": f"ASOPCC-PCG-2018-{COUNCILS.index(name) + 1}",
                        "start_on": date(2018, 4, 1),
                        "end_on": date(2019, 3, 31),
                        "conditions": "Spend supports the Police and Crime Plan; victim services funded from the "
                        "grant align with the OPCC's commissioned services; quarterly returns.",
                        "frequency": "quarterly",
                        "timing": "advance",
                    },
                )
        _round(
            avon,
            reference="ASOPCC-CCAF-2018",
            title="Commissioner's Community Action Fund 2018/19",
            purpose="Small grants for local and specialist providers' pilots and projects; awarded quarterly "
            "(seed 001).",
            budget=Decimal("100000"),
            cadence=GrantRound.Cadence.QUARTERLY,
            opens_on=date(2018, 4, 1),
        )
    if west_yorkshire is not None:
        vcp, created = _round(
            west_yorkshire,
            reference="WYOPCC-VCP-ROUND-2015",
            title="Victims Champion Project",
            purpose="Engagement with victims' issues, in particular those affecting Black and Minority Ethnic "
            "communities (seed 004).",
            budget=Decimal("20000"),
            opens_on=date(2015, 1, 5),
            closes_on=date(2015, 2, 27),
        )
        sas = Supplier.objects.filter(legal_name="Saima Afzal Solutions").first()
        if created and sas is not None:
            _award(
                vcp,
                sas,
                "Victims Champion Project",
                Decimal("20000"),
                date(2015, 2, 20),
                date(2015, 3, 10),
                "Awarded after an open competitive procurement process (seed 004).",
            )  # its agreement is WYOPCC-VCP-2015 on the register
    if west_midlands is not None:
        small, created = _round(
            west_midlands,
            reference="WMOPCC-SG-2025",
            title="Victims' small grants 2025/26",
            purpose="Small grants for pilots by local specialist services, awarded quarterly (assumed for the demo).",
            budget=Decimal("60000"),
            cadence=GrantRound.Cadence.QUARTERLY,
            opens_on=date(2025, 4, 1),
        )
        haven = Supplier.objects.filter(legal_name="Sandwell Haven Advocacy").first()
        if created and haven is not None:
            # Awarded in 2025/26 Q3 and paid quarterly in arrears: two payments made, the next overdue (so
            # the demo officer has a payment to record, and it is in their work queue).
            application = _award(
                small,
                haven,
                "Peer support groups for survivors in Sandwell",
                Decimal("12000"),
                date(2025, 10, 6),
                date(2025, 11, 3),
                "Meets the round's purpose: a gap in group support in Sandwell, at a modest cost per person.",
            )
            with happened_at(happened_on(date(2025, 11, 3))):
                contract = services.make_agreement(
                    by=None,
                    application=application,
                    reference="WMOPCC-SG-2025-01",
                    start_on=date(2026, 1, 1),
                    end_on=date(2026, 12, 31),
                    conditions=(
                        "Spend only on the agreed project; quarterly returns; no victim's identity in any report."
                    ),
                    frequency="quarterly",
                    timing="arrears",
                )
            for payment in contract.grant_payments.filter(due_on__lt=date(2026, 9, 1)):
                with happened_at(happened_on(payment.due_on)):
                    services.record_payment(by=None, payment=payment, paid_on=payment.due_on)
        brindley = Supplier.objects.filter(legal_name="Brindley Domestic Abuse Support").first()
        if created and brindley is not None:
            with happened_at(happened_on(date(2025, 9, 15))):
                services.record_application(
                    by=None,
                    grant_round=small,
                    supplier=brindley,
                    project="Outreach pilot in north Birmingham",
                    amount_requested=Decimal("8000"),
                    submitted_on=date(2025, 9, 15),
                )
