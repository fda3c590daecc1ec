"""Builds the benchmark's realistic data set with bulk inserts: at BENCH_SCALE=1 (the default) 300
suppliers, 4 frameworks with 16 lots, 2,000 applications, 1,000 contracts, 200 competitions, 100 direct
awards, 40,000 quarterly returns and 200,000 audit events; BENCH_SCALE=10 multiplies every count but the
frameworks and lots (ten years of a portal shared by several commissioners). The two big tables, returns
and audit events, go in with PostgreSQL's COPY when the database is PostgreSQL."""

from __future__ import annotations

import os
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from commissioning.demo import WEST_MIDLANDS_AREAS
from commissioning.models import Area, AuditChainHead, AuditEvent, Authority, User
from contracts.models import (
    Competition,
    CompetitionLot,
    Contract,
    ContractTermTally,
    ContractYearValue,
    DirectAward,
    LiveContractTally,
    Tender,
)
from contracts.notices.models import Notice
from frameworks.models import (
    Application,
    ApplicationLot,
    ApplicationWindow,
    AppointeeTally,
    Appointment,
    Framework,
    Lot,
)
from monitoring.models import QuarterlyReturn, ReturnPeriod
from suppliers.models import Supplier, SupplierMembership

PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway database
SCALE = max(1, int(os.environ.get("BENCH_SCALE", "1")))
FRAMEWORKS, LOTS_PER_FRAMEWORK = 4, 4
SUPPLIERS = 300 * SCALE
APPLICATIONS, CONTRACTS, RETURNS, AUDIT_EVENTS = 2_000 * SCALE, 1_000 * SCALE, 40_000 * SCALE, 200_000 * SCALE
COMPETITIONS, DIRECT_AWARDS = 200 * SCALE, 100 * SCALE
BATCH = 5_000
NOTICE_BASIS = "Procurement Act 2023 (bench data)"


def _is_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _insert(model, objects, *, batch_size: int = BATCH) -> None:
    """Insert unsaved `objects` without reading their ids back: COPY on PostgreSQL (the rows are streamed,
    each value adapted as the ORM would save it), bulk_create in batches elsewhere."""
    from django.db import connection

    if not _is_postgresql():
        batch = []
        for obj in objects:
            batch.append(obj)
            if len(batch) == batch_size:
                model.objects.bulk_create(batch)
                batch = []
        model.objects.bulk_create(batch)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _reset() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


@transaction.atomic
def build(seed: int = 2026) -> dict:
    rng = random.Random(seed)
    _reset()
    areas = [Area.objects.create(name=n, code=n.lower(), region="West Midlands") for n in WEST_MIDLANDS_AREAS]
    lead = Authority.objects.create(name="West Midlands OPCC (bench)", kind="opcc", is_lead_commissioner=True)
    partner = Authority.objects.create(name="Coventry City Council (bench)", kind="local_authority")
    password = make_password(PASSWORD)
    officer = User.objects.create(
        email="officer@bench.test",
        full_name="Bench Officer",
        role="officer",
        authority=lead,
        is_staff=True,
        password=password,
    )
    partner_user = User.objects.create(
        email="partner@bench.test", full_name="Bench Partner", role="partner", authority=partner, password=password
    )

    suppliers = Supplier.objects.bulk_create(
        Supplier(
            legal_name=f"Bench Support Services {i:03d}",
            kind="charity",
            charity_number=f"11{i:05d}",
            town=rng.choice(WEST_MIDLANDS_AREAS),
            is_vcse=i % 3 != 0,
            is_sme=True,
            contact_name="Manager",
            contact_email=f"contact{i}@bench.test",
        )
        for i in range(SUPPLIERS)
    )
    providers = User.objects.bulk_create(
        User(email=f"provider{i:03d}@bench.test", full_name=f"Provider {i}", role="provider", password=password)
        for i in range(SUPPLIERS)
    )
    SupplierMembership.objects.bulk_create(
        SupplierMembership(user=u, supplier=s, is_admin=True) for u, s in zip(providers, suppliers, strict=True)
    )

    frameworks, lots, windows = [], [], []
    for f in range(FRAMEWORKS):
        framework = Framework.objects.create(
            title=f"Victim Services Framework {f + 1}",
            reference=f"BENCH-FW-{f + 1}",
            lead_authority=lead,
            term_start=date(2024, 4, 1),
            term_end=date(2030, 3, 31),
        )
        framework.partner_authorities.add(partner)
        frameworks.append(framework)
        for n in range(1, LOTS_PER_FRAMEWORK + 1):
            lots.append(Lot.objects.create(framework=framework, number=n, title=f"Lot {n} services"))
        for year in (2024, 2025):
            windows.append(
                ApplicationWindow.objects.create(
                    framework=framework,
                    title=f"Window {year}",
                    opens_at=datetime(year, 5, 1, 9, tzinfo=UTC),
                    closes_at=datetime(year, 6, 13, 16, tzinfo=UTC),
                )
            )

    pairs = rng.sample([(s, w) for s in suppliers for w in windows], APPLICATIONS)
    now = timezone.now()
    latest_windows = {w.pk for w in windows if w.opens_at.year == 2025}
    # The windows closed long ago: their applications were decided (the appointments below come from
    # them), but for a few of the latest window's still with the evaluators.
    applications = Application.objects.bulk_create(
        Application(
            supplier=s,
            window=w,
            status="submitted" if w.pk in latest_windows and rng.random() < 0.02 else "decided",
            created_by=officer,
            submitted_at=now,
            consent_share_with_partners=True,
            consent_publish=True,
            is_consortium=False,
            receipt={"reference": "bench"},
        )
        for s, w in pairs
    )
    windows_lots = {w.pk: [lot for lot in lots if lot.framework_id == w.framework_id] for w in windows}
    choices = ApplicationLot.objects.bulk_create(
        ApplicationLot(application=a, lot=lot) for a in applications for lot in rng.sample(windows_lots[a.window_id], 2)
    )
    through = ApplicationLot.areas.through
    through.objects.bulk_create(
        through(applicationlot_id=c.pk, area_id=area.pk) for c in choices for area in rng.sample(areas, 3)
    )

    appointment_pairs = {(c.application.supplier_id, c.lot_id) for c in choices}
    appointments = Appointment.objects.bulk_create(
        Appointment(
            supplier_id=s,
            lot_id=lot,
            starts_on=date(2024, 7, 1),
            status="active",
            consent_share_with_partners=rng.random() < 0.8,
            consent_publish=True,
        )
        for s, lot in sorted(appointment_pairs)
    )
    a_through = Appointment.areas.through
    a_through.objects.bulk_create(
        a_through(appointment_id=a.pk, area_id=area.pk) for a in appointments for area in rng.sample(areas, 3)
    )

    contracts = Contract.objects.bulk_create(
        Contract(
            reference=f"BENCH-C-{i:04d}",
            title=f"Support service {i}",
            supplier=rng.choice(suppliers),
            lot=rng.choice(lots),
            buying_authority=lead,
            start_on=date(2023, 4, 1),
            initial_end_on=date(2027, 3, 31),
            current_end_on=date(2027, 3, 31),
            activated_at=now,
            activated_by=officer,
        )
        for i in range(CONTRACTS)
    )
    c_through = Contract.areas.through
    c_through.objects.bulk_create(
        c_through(contract_id=c.pk, area_id=area.pk) for c in contracts for area in rng.sample(areas, 2)
    )
    ContractYearValue.objects.bulk_create(
        ContractYearValue(contract=c, financial_year=year, amount=Decimal(rng.randrange(40_000, 400_000)))
        for c in contracts
        for year in (2023, 2024, 2025, 2026)
    )

    periods = []
    from commissioning.dates import Quarter

    quarter = Quarter(2016, 4)
    for _ in range(RETURNS // CONTRACTS):
        quarter = quarter.next()
        periods.append(ReturnPeriod.for_quarter(quarter))
    # The last two quarters' returns are in every state; older ones were accepted long ago.
    statuses = ["accepted"] * 8 + ["submitted", "draft"]
    recent = {p.pk for p in periods[-2:]}
    _insert(
        QuarterlyReturn,
        (
            QuarterlyReturn(
                contract=c,
                period=p,
                status=(status := rng.choice(statuses) if p.pk in recent else "accepted"),
                due_on=p.due_on,
                created_by=officer,
                submitted_at=None if status == "draft" else now,
                accepted_at=now if status == "accepted" else None,
            )
            for c in contracts
            for p in periods
        ),
    )
    _rebuild_tallies()

    _competitions(lead, officer, lots, areas, suppliers, providers, rng)
    _notices(lead, officer)
    _audit_events(officer, rng)
    awarded_tender = _awarded_competition()
    return {
        "suppliers": len(suppliers),
        "frameworks": len(frameworks),
        "lots": len(lots),
        "applications": len(applications),
        "appointments": len(appointments),
        "contracts": len(contracts),
        "competitions": Competition.objects.filter(buying_authority=lead).count(),
        "direct_awards": DirectAward.objects.filter(buying_authority=lead).count(),
        "returns": QuarterlyReturn.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "notices": Notice.objects.count(),
        **_readers_and_procedure(),
        "officer": officer.email,
        "partner": partner_user.email,
        "provider": providers[0].email,
        "framework": frameworks[0],
        "lot": lots[0],
        "contract": contracts[0],
        "application": applications[0],
        "supplier": suppliers[0],
        "awarded_tender": awarded_tender,
    }


def _competitions(lead, officer, lots, areas, suppliers, providers, rng: random.Random) -> None:
    """Five years of call-offs: mini-competitions on the framework lots with a few responses each, and
    direct awards, in every state the officers' list shows."""
    now = timezone.now()
    # A competition's state follows its dates: open ones are drafts or published, closed ones went on.
    closed_statuses = ["contracted"] * 6 + ["awarded", "evaluated", "closed", "cancelled"]
    competitions = []
    for i in range(COMPETITIONS):
        # Five years at every scale: several commissioners call off more often, not over longer.
        closes_at = now - timedelta(days=9 * (COMPETITIONS - i) / SCALE) + timedelta(days=30)
        still_open = closes_at > now
        competitions.append(
            Competition(
                reference=f"BENCH-COMP-{i:04d}",
                title=f"Victim support call-off {i}",
                kind="mini_competition",
                status=rng.choice(["draft", "published", "published"] if still_open else closed_statuses),
                buying_authority=lead,
                owner=officer,
                framework_lot=rng.choice(lots),
                estimated_value=Decimal(rng.randrange(50_000, 900_000)),
                contract_start_on=(closes_at + timedelta(days=60)).date(),
                term_months=36,
                clarification_deadline=closes_at - timedelta(days=7),
                closes_at=closes_at,
            )
        )
    competitions = Competition.objects.bulk_create(competitions)
    competition_lots = CompetitionLot.objects.bulk_create(
        CompetitionLot(competition=c, number=1, title=c.framework_lot.title) for c in competitions
    )
    through = Competition.areas.through
    through.objects.bulk_create(
        through(competition_id=c.pk, area_id=area.pk) for c in competitions for area in rng.sample(areas, 2)
    )
    bidders = list(zip(suppliers, providers, strict=True))
    # Responses as far as each competition has gone: sealed while it is open, opened once it closed,
    # scored from its evaluation on (awarded and contracted ones included: no award is recorded here).
    # A draft competition has none.
    tender_status = {"published": "submitted", "closed": "opened", "cancelled": "submitted"}
    Tender.objects.bulk_create(
        Tender(
            competition=c,
            lot=lot,
            supplier=supplier,
            status=tender_status.get(c.status, "scored"),
            submitted_at=min(now, c.closes_at - timedelta(days=1)),
            created_by=user,
        )
        for c, lot in zip(competitions, competition_lots, strict=True)
        if c.status != "draft"
        for supplier, user in rng.sample(bidders, rng.randrange(0, 5))
    )
    DirectAward.objects.bulk_create(
        DirectAward(
            reference=f"BENCH-DA-{i:04d}",
            title=f"Specialist service {i}",
            supplier=rng.choice(suppliers),
            buying_authority=lead,
            annual_value=Decimal(rng.randrange(20_000, 200_000)),
            contract_start_on=date(2022, 4, 1) + timedelta(days=18 * i // SCALE),
            term_months=24,
            justification="framework_s45_4",
            explanation="The only appointee covering these areas.",
            status=rng.choice(["requested", "approved", "approved", "rejected"]),
            requested_by=officer,
        )
        for i in range(DIRECT_AWARDS)
    )


def _notices(lead: Authority, officer: User) -> None:
    """The notices ten years of procedures leave: a tender notice for every competition that was
    published, an award notice for every one awarded (still due for those evaluated but not yet
    awarded), a contract details notice for every contract; published ones carry their OCDS release."""
    from django.contrib.contenttypes.models import ContentType

    from contracts.notices.procedures import ocid_for

    competition_type, contract_type = (ContentType.objects.get_for_model(m) for m in (Competition, Contract))
    number = iter(range(1, 10**7))

    def notice(kind, reference, title, target_type, target_id, moment, *, due=False):
        ocid = ocid_for(reference)
        release_id = f"{ocid}-{kind}-{target_id}"
        published = {
            "status": "published",
            "fts_number": f"{next(number):06d}-2026",
            "published_on": moment.date(),
            "published_at": moment,
            "published_by": officer,
            "content": {
                "ocid": ocid,
                "id": release_id,
                "date": moment.isoformat(),
                "tag": ["tender" if kind == "UK4" else "award" if kind == "UK6" else "contract"],
                "initiationType": "tender",
                "buyer": {"id": f"GB-OPCC-{lead.pk}", "name": lead.name},
                "tender": {"id": reference, "title": title, "status": "complete"},
            },
        }
        return Notice(
            key=f"{kind.lower()}:{target_type.model}:{target_id}",
            notice_type=kind,
            ocid=ocid,
            title=title,
            buying_authority=lead,
            target_type=target_type,
            target_id=target_id,
            basis=NOTICE_BASIS,
            deadline=(moment + timedelta(days=30)).date(),
            **({} if due else published),
        )

    # Read before the rows are written: nothing else may use the connection while COPY streams.
    competitions = list(
        Competition.objects.filter(buying_authority=lead).values_list("pk", "reference", "title", "status", "closes_at")
    )
    contracts = list(
        Contract.objects.filter(reference__startswith="BENCH-C-").values_list("pk", "reference", "title", "start_on")
    )

    def notices():
        for pk, reference, title, status, closes_at in competitions:
            if status == "draft":
                continue
            yield notice("UK4", reference, title, competition_type, pk, closes_at - timedelta(days=30))
            if status in ("awarded", "contracted"):
                yield notice("UK6", reference, title, competition_type, pk, closes_at + timedelta(days=20))
            elif status == "evaluated":
                yield notice("UK6", reference, title, competition_type, pk, closes_at + timedelta(days=20), due=True)
        for pk, reference, title, start_on in contracts:
            moment = datetime.combine(start_on, datetime.min.time(), tzinfo=UTC) - timedelta(days=10)
            yield notice("UK7", reference, title, contract_type, pk, moment)

    _insert(Notice, notices())


def _readers_and_procedure() -> dict:
    """An evaluator (of the competition taken through the award services) and a procedure with
    published notices, for the pages measured as them."""
    evaluator = User.objects.filter(role=User.Role.EVALUATOR).order_by("pk").values_list("email", flat=True).first()
    ocid = Notice.objects.filter(notice_type="UK6", status="published").order_by("pk").values_list("ocid", flat=True)
    return {"evaluator": evaluator, "notice_ocid": ocid.first()}


def _awarded_competition():
    """One mini-competition taken through the award services (two bids, scored, moderated, awarded), so
    the assessment summary has a tender to report on. Returns the losing bid, whose summary is the
    longer one (its scores beside the winner's)."""
    from contracts.award import services as award_services
    from contracts.award.selectors import lot_results
    from tests.factories.awards import (
        complete_tender,
        evaluate_all,
        make_award_setup,
        make_published_mini,
        open_competition,
    )

    setup = make_award_setup()
    competition = make_published_mini(setup, reference="BENCH-MC-0001")
    for provider, price in zip(setup.providers, ("45000", "52000"), strict=True):
        complete_tender(competition, provider, price=price)
    open_competition(competition, setup.officer, setup.officer2)
    evaluate_all(competition, setup.officer, setup.evaluators)
    lot = competition.lots.get()
    results = lot_results(lot)
    award_services.decide_award(lot=lot, tender=results[0].tender, reasons="Highest total score", by=setup.officer)
    return results[-1].tender


def _audit_events(actor: User, rng: random.Random) -> None:
    """A valid hash chain, built in Python and inserted in batches: one event every five minutes, so ten
    times the events are ten times the history (about 700 days at ×1), each week as busy as ever."""
    start = timezone.now() - timedelta(seconds=300 * AUDIT_EVENTS)
    actions = ["application.submitted", "evaluation.moderated", "contracts.variation_recorded", "auth.signed_in"]
    _insert(AuditEvent, _chain(actor, rng, start, actions))
    last = AuditEvent.objects.order_by("-pk").first()
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_hash": last.hash, "last_event_id": last.pk, "last_seq": last.seq}
    )


def _chain(actor: User, rng: random.Random, start: datetime, actions: list[str]):
    previous = "0" * 64
    for i in range(AUDIT_EVENTS):
        event = AuditEvent(
            occurred_at=start + timedelta(seconds=i * 300),
            actor=actor,
            actor_email=actor.email,
            organisation="West Midlands OPCC (bench)",
            action=rng.choice(actions),
            object_id=str(i),
            object_repr=f"Bench object {i}",
            data={"i": i},
            prev_hash=previous,
            seq=i + 1,
        )
        event.hash = event.compute_hash()
        previous = event.hash
        yield event


def _rebuild_tallies() -> None:
    """The dashboard's maintained tallies, each contract's returns-sent mark and decision point, counted once
    from the rows just inserted (the services keep them up to date from here on)."""
    try:
        from contracts import coverage_tallies as contract_coverage_tallies
        from contracts import decision_points
        from frameworks import coverage_tallies
        from monitoring import returns_sent
        from monitoring.tallies import rebuild_tallies
    except ImportError:  # before the tallies exist
        return
    rebuild_tallies()
    returns_sent.rebuild()
    coverage_tallies.rebuild()
    contract_coverage_tallies.rebuild()
    decision_points.rebuild()


def existing() -> dict | None:
    """The world of an already-built data set, so page or PDF work can be re-measured without
    rebuilding (BENCH_REUSE=1); None when the database does not hold a complete one."""
    officer = User.objects.filter(email="officer@bench.test").first()
    complete = (
        officer is not None
        and AuditEvent.objects.count() >= AUDIT_EVENTS
        and Competition.objects.filter(reference__startswith="BENCH-COMP-").count() == COMPETITIONS
        and Tender.objects.filter(competition__reference="BENCH-MC-0001", award__isnull=False).exists()
    )
    if not complete:
        return None
    from monitoring.models import ReturnTally

    marked = Contract.objects.filter(returns_sent_until__isnull=False).exists()
    counted = all(model.objects.exists() for model in (AppointeeTally, LiveContractTally, ContractTermTally))
    if not ReturnTally.objects.exists() or not marked or not counted:  # built before some of the tallies existed
        _rebuild_tallies()
    if not Notice.objects.filter(basis=NOTICE_BASIS).exists():  # built before the notices were part of it
        with transaction.atomic():
            _notices(Authority.objects.get(name="West Midlands OPCC (bench)"), officer)
    frameworks = list(Framework.objects.filter(reference__startswith="BENCH-FW-").order_by("reference"))
    return {
        "suppliers": Supplier.objects.filter(legal_name__startswith="Bench Support Services").count(),
        "frameworks": len(frameworks),
        "lots": Lot.objects.filter(framework__in=frameworks).count(),
        "applications": Application.objects.count(),
        "appointments": Appointment.objects.count(),
        "contracts": Contract.objects.filter(reference__startswith="BENCH-C-").count(),
        "competitions": Competition.objects.filter(reference__startswith="BENCH-COMP-").count(),
        "direct_awards": DirectAward.objects.filter(reference__startswith="BENCH-DA-").count(),
        "returns": QuarterlyReturn.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "notices": Notice.objects.count(),
        **_readers_and_procedure(),
        "officer": officer.email,
        "partner": "partner@bench.test",
        "provider": "provider000@bench.test",
        "framework": frameworks[0],
        "lot": Lot.objects.filter(framework=frameworks[0]).order_by("number").first(),
        "contract": Contract.objects.get(reference="BENCH-C-0000"),
        "application": Application.objects.order_by("pk").first(),
        "supplier": Supplier.objects.get(legal_name="Bench Support Services 000"),
        "awarded_tender": Tender.objects.filter(
            competition__reference="BENCH-MC-0001", status=Tender.Status.UNSUCCESSFUL
        ).first(),
    }
