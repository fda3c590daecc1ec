"""Demo data: the West Midlands PCC's Domestic Abuse and Sexual Assault and Abuse Services
Commissioning Framework (seed 000) with its four lots, a closed 2025 window whose applications were
evaluated and decided (the approved list), and an open window in which provider@demo.test has a draft.

Everything goes through the services, with `now` set to when it happened, so the demo's audit trail
reads like real use. Idempotent: a second run finds the framework and stops."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from commissioning.clock import happened_at
from commissioning.dates import LONDON
from commissioning.demo import minimal_pdf
from commissioning.models import Area, Authority, User
from suppliers.models import Accreditation, AccreditationScheme, Supplier, SupplierDocument, SupplierMembership

from . import evaluation, open_frameworks, services
from .models import ApplicationLot, ApplicationWindow, Framework, Lot, SelectionQuestion

REFERENCE = "WMOPCC-DASAA-2025"
FIRST_AWARD = date(2025, 7, 1)
SECOND_AWARD = date(2026, 7, 1)

LOTS = [
    (
        1,
        "Independent Domestic Violence Advocate (IDVA)",
        "Independent advocacy for high-risk victims of domestic abuse, including at MARAC.",
        "safelives",
    ),
    (
        2,
        "DA cope and recover services",
        "Advocacy and outreach, counselling and therapeutic services, peer support, helpline and holistic creative "
        "services for victims and survivors of domestic abuse.",
        "womens_aid",
    ),
    (
        3,
        "Independent Sexual Violence Advocate (ISVA)",
        "Independent advocacy for victims and survivors of rape and sexual assault, whether or not they report to "
        "the police.",
        "limeculture",
    ),
    (
        4,
        "SAA cope and recover services",
        "Advocacy and outreach, counselling and therapeutic services, peer support, helpline and holistic creative "
        "services for victims and survivors of sexual assault and abuse.",
        "rape_crisis",
    ),
]

SCALE = (
    "0 – No response or wholly inadequate\n1 – Poor: significant gaps\n2 – Adequate: meets the "
    "requirement with some gaps\n3 – Good: meets the requirement\n4 – Excellent: exceeds the requirement"
)

GENERAL_QUESTIONS = [
    (
        "Safeguarding and governance",
        "pass_fail",
        0,
        "Upload your safeguarding policy and confirm it has been reviewed by your board in the last 12 months.",
        True,
    ),
    (
        "Service delivery",
        "scored",
        40,
        "Describe how you will deliver person-centred support that helps victims cope with the immediate impact of "
        "crime and recover from its effects, across the areas you have chosen.",
        False,
    ),
    (
        "Outcomes and monitoring",
        "scored",
        30,
        "Describe your theory of change and how you will record and report the outcome measures (health and "
        "wellbeing, coping, feeling safer, being informed and empowered, satisfaction) each quarter.",
        False,
    ),
    (
        "Partnership and social value",
        "scored",
        20,
        "Describe how you will work with the PCC's Victims Commission, statutory partners and other providers, and "
        "the social value you will add.",
        False,
    ),
]

DEMO_SUPPLIERS = [
    # name, kind, number, town, VCSE, SME, {lot: [areas]}, consortium members, scores (service, outcomes, partnership)
    (
        "Brindley Domestic Abuse Support",
        "charity",
        "1187432",
        "Birmingham",
        True,
        True,
        {1: ["Birmingham", "Solihull", "Sandwell"], 2: ["Birmingham", "Solihull"]},
        [],
        (3, 3, 4),
    ),
    (
        "Arden Sexual Violence Advocacy CIC",
        "cic",
        "12894410",
        "Coventry",
        True,
        True,
        {3: ["Coventry", "Solihull"], 4: ["Coventry"]},
        [],
        (4, 3, 3),
    ),
    (
        "Tipton Safe Homes",
        "charity",
        "1174021",
        "Tipton",
        True,
        True,
        {1: ["Sandwell", "Dudley"], 2: ["Sandwell"]},
        [],
        (3, 2, 3),
    ),
    (
        "Walsall Freedom Project CIC",
        "cic",
        "11457823",
        "Walsall",
        True,
        True,
        {1: ["Walsall", "Wolverhampton"], 2: ["Walsall", "Wolverhampton", "Dudley"]},
        [
            ("Dudley Survivors Network", "1160334", "Counselling and peer support in Dudley"),
            ("Wolverhampton Recovery Circle", "1179902", "Creative and holistic recovery groups"),
        ],
        (3, 3, 3),
    ),
    (
        "Coventry Phoenix Counselling",
        "cio",
        "1192217",
        "Coventry",
        True,
        True,
        {2: ["Coventry"], 4: ["Coventry", "Birmingham"]},
        [],
        (3, 4, 2),
    ),
    (
        "Solihull Sunrise Support",
        "charity",
        "1150476",
        "Solihull",
        True,
        True,
        {2: ["Solihull", "Birmingham"]},
        [],
        (2, 2, 3),
    ),
    (
        "Sandwell Haven Advocacy",
        "charity",
        "1168805",
        "West Bromwich",
        True,
        True,
        {3: ["Sandwell", "Birmingham", "Dudley"]},
        [],
        (3, 3, 3),
    ),
    ("Birmingham Amber Helpline", "company", "10933471", "Birmingham", False, True, {2: ["Birmingham"]}, [], (1, 2, 1)),
    (
        "Midland Rape and Sexual Abuse Counselling",
        "charity",
        "1101288",
        "Birmingham",
        True,
        True,
        {4: ["Birmingham", "Sandwell", "Walsall", "Wolverhampton"]},
        [("Black Country Therapy Collective", "13020577", "Therapeutic group work in Walsall and Wolverhampton")],
        (4, 4, 3),
    ),
    (
        "West Midlands IDVA Partnership",
        "charity",
        "1183390",
        "Wolverhampton",
        True,
        False,
        {1: ["Wolverhampton", "Walsall", "Coventry", "Birmingham"]},
        [],
        (4, 3, 3),
    ),
]

# Admitted at the 2026 reopening (the scheme's second award).
REOPENING_SUPPLIERS = [
    (
        "Dudley Oak Tree Advocacy",
        "charity",
        "1195508",
        "Dudley",
        True,
        True,
        {2: ["Dudley", "Walsall"]},
        [],
        (3, 3, 3),
    ),
]

ACCREDITATION_FOR_LOT = {1: "safelives", 2: "womens_aid", 3: "limeculture", 4: "rape_crisis"}
TINY_PDF = minimal_pdf()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def _next_friday(day: date) -> date:
    return day + timedelta(days=(4 - day.weekday()) % 7)


def _framework(ctx) -> Framework:
    authorities = ctx["authorities"]
    framework = Framework.objects.create(
        title="Domestic Abuse and Sexual Assault and Abuse Services Commissioning Framework",
        reference=REFERENCE,
        description="Suppliers apply, pass selection and join an approved list. Contracts are then awarded by "
        "mini-competition between appointed providers, or by direct award where required. An open framework "
        "(s.49 of the Procurement Act 2023): it reopens at least once every 12 months for new suppliers, each "
        "re-award keeping the suppliers already appointed.",
        lead_authority=authorities["West Midlands Office of the Police and Crime Commissioner"],
        term_start=date(2025, 4, 1),
        term_end=date(2029, 3, 31),
        is_light_touch=True,
        is_open_framework=True,
        reaward_months=12,
        estimated_value=Decimal("6000000.00"),
    )
    framework.partner_authorities.set(
        [
            authorities["Coventry City Council"],
            authorities["Birmingham City Council"],
            authorities["NHS Birmingham and Solihull Integrated Care Board"],
        ]
    )
    for number, title, description, scheme in LOTS:
        lot = Lot.objects.create(
            framework=framework, number=number, title=title, description=description, minimum_score="60.00"
        )
        SelectionQuestion.objects.create(
            framework=framework,
            lot=lot,
            section="Quality standards",
            order=1,
            kind="pass_fail",
            text=f"Confirm that you hold a current {AccreditationScheme(scheme).label} accreditation, or an "
            "equivalent standard, and name the services it covers.",
            guidance="Add the accreditation to your organisation's profile before you submit.",
            evaluator_guidance="Pass if the accreditation is current and covers the lot's services.",
            required_accreditation=scheme,
        )
    for order, (section, kind, weight, text, upload) in enumerate(GENERAL_QUESTIONS, start=1):
        SelectionQuestion.objects.create(
            framework=framework,
            section=section,
            order=order,
            kind=kind,
            weight=weight,
            text=text,
            requires_upload=upload,
            word_limit=None if kind == "pass_fail" else 750,
            scale_descriptors=SCALE if kind == "scored" else "",
            guidance="Refer to the service specifications in Appendix A (domestic abuse) and Appendix B "
            "(sexual assault and abuse)."
            if kind == "scored"
            else "",
            evaluator_guidance="Score against the scale; give reasons that refer to the answer.",
        )
    return framework


def _supplier(spec) -> Supplier:
    name, kind, number, town, vcse, sme, lots, _members, _scores = spec
    supplier, _ = Supplier.objects.get_or_create(
        legal_name=name,
        defaults={
            "kind": kind,
            "town": town,
            "is_vcse": vcse,
            "is_sme": sme,
            "address_line_1": "1 High Street",
            "postcode": "B1 1AA",
            "contact_name": "Services Manager",
            "contact_email": f"contact@{name.lower().replace(' ', '')[:20]}.example",
            "charity_number": number if kind in {"charity", "cio"} else "",
            "company_number": number if kind in {"company", "cic"} else "",
        },
    )
    for lot in lots:
        Accreditation.objects.get_or_create(
            supplier=supplier,
            scheme=ACCREDITATION_FOR_LOT[lot],
            defaults={
                "reference": f"{ACCREDITATION_FOR_LOT[lot].upper()}-{number}",
                "issued_on": date(2024, 3, 1),
                "expires_on": date(2027, 2, 28),
                # The certificate evaluators open beside the question that asks for the accreditation.
                "evidence": ContentFile(TINY_PDF, name=f"{ACCREDITATION_FOR_LOT[lot]}-certificate.pdf"),
                "evidence_sha256": "demo",
            },
        )
    if not supplier.documents.exists():
        SupplierDocument.objects.create(
            supplier=supplier,
            kind=SupplierDocument.Kind.PUBLIC_LIABILITY,
            title="Public liability insurance",
            file=ContentFile(TINY_PDF, name="public-liability.pdf"),
            sha256="demo",
            expires_on=date(2027, 1, 8),
        )
    return supplier


def _user_for(supplier: Supplier) -> User:
    membership = supplier.memberships.select_related("user").first()
    if membership:
        return membership.user
    email = f"bids@{supplier.legal_name.lower().replace(' ', '')[:20]}.example"
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": f"{supplier.legal_name} bids team",
            "role": User.Role.PROVIDER,
        },
    )
    user.set_unusable_password()
    user.save()
    SupplierMembership.objects.get_or_create(user=user, defaults={"supplier": supplier, "is_admin": True})
    return user


def _answer_everything(application, by, now, lots_spec, members, scores=None):
    areas = {area.name: area for area in Area.objects.all()}
    lots = {lot.number: lot for lot in application.window.framework.lots.all()}
    services.save_lots(
        application=application,
        by=by,
        now=now,
        choices={lots[n]: [areas[a] for a in names] for n, names in lots_spec.items()},
    )
    services.save_consortium(
        application=application,
        by=by,
        now=now,
        is_consortium=bool(members),
        members=[{"name": name, "registration_number": number, "role": role} for name, number, role in members],
    )
    services.save_consent(application=application, by=by, now=now, share_with_partners=True, publish=True)
    texts, uploads = {}, {}
    from . import selectors

    for question in selectors.questions_for(application):
        texts[question.pk] = (
            f"{application.supplier.legal_name} answers: we have delivered this across the West Midlands since "
            "2015 with trained, supervised staff, and we report outcomes quarterly using the PCC's template."
        )
        if question.requires_upload:
            uploads[question.pk] = ContentFile(TINY_PDF, name="safeguarding-policy.pdf")
    services.save_answers(application=application, texts=texts, uploads=uploads, by=by, now=now)


def _admit(window, specs, officer, evaluator, *, starts_on: date) -> None:
    """Applications to a window, evaluated by two evaluators, moderated and decided."""
    during = window.opens_at + timedelta(days=32)
    for spec in specs:
        supplier = _supplier(spec)
        applicant = _user_for(supplier)
        with happened_at(during):
            application = services.start_application(window=window, by=applicant, now=during)
            _answer_everything(application, applicant, during, spec[6], spec[7])
        with happened_at(during + timedelta(days=3)):
            services.submit_application(application=application, by=applicant, now=during + timedelta(days=3))
        # Evaluated in the fortnight after the window closed, decided the week before the award.
        evaluated = window.closes_at + timedelta(days=3)
        decided = _at(starts_on - timedelta(days=6))
        with happened_at(evaluated):
            _evaluate(application, spec, officer, evaluator)
        with happened_at(decided):
            _decide(application, officer, starts_on)


def _evaluate(application, spec, officer, evaluator) -> None:
    evaluation.assign_evaluators(target=application, evaluators=[evaluator, officer], by=officer)
    questions = list(application.window.framework.questions.filter(lot__isnull=True)) + [
        q for q in application.window.framework.questions.filter(lot__isnull=False) if q.lot.number in spec[6]
    ]
    service, outcomes, partnership = spec[8]
    marks_for = {
        "Service delivery": service,
        "Outcomes and monitoring": outcomes,
        "Partnership and social value": partnership,
    }
    for assignment in application.assignments.all():
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
        marks = {}
        for q in questions:
            if q.is_scored:
                delta = 0 if assignment.evaluator == evaluator else (1 if marks_for[q.section] < 4 else 0)
                marks[q.pk] = {"score": marks_for[q.section] + delta, "comment": "Evidence in the answer."}
            else:
                marks[q.pk] = {"passed": True, "comment": "Policy provided and current."}
        evaluation.save_scores(assignment=assignment, scores=marks, submit=True, by=assignment.evaluator)
    for q in questions:
        if q.is_scored:
            evaluation.moderate(
                subject=application,
                criterion=q,
                score=marks_for[q.section],
                passed=None,
                reason="Panel agreed the lower mark: the evidence supports it.",
                by=officer,
            )
        else:
            evaluation.moderate(
                subject=application,
                criterion=q,
                score=None,
                passed=True,
                reason="Both evaluators passed it.",
                by=officer,
            )


def _decide(application, officer, starts_on: date) -> None:
    from .selectors import lot_results

    results = {r.lot.pk: r for r in lot_results(application)}
    for choice in application.lot_choices.select_related("lot"):
        result = results[choice.lot_id]
        outcome = ApplicationLot.Outcome.APPOINTED if result.passes else ApplicationLot.Outcome.UNSUCCESSFUL
        reason = (
            f"Scored {result.percentage}% against a minimum of {choice.lot.minimum_score}% and passed "
            "every pass/fail question."
            if result.passes
            else f"Scored {result.percentage}%, below the minimum of {choice.lot.minimum_score}%."
        )
        services.decide_lot(choice=choice, outcome=outcome, reason=reason, by=officer, starts_on=starts_on)


def load(ctx: dict) -> None:
    if Framework.objects.filter(reference=REFERENCE).exists():
        ctx["framework"] = Framework.objects.get(reference=REFERENCE)
        return
    users = ctx["users"]
    officer, evaluator = users["officer@demo.test"], users["evaluator@demo.test"]
    framework = _framework(ctx)
    ctx["framework"] = framework

    closed = ApplicationWindow.objects.create(
        framework=framework,
        title="Initial appointment 2025",
        opens_at=_at(date(2025, 5, 1), 9),
        closes_at=_at(date(2025, 6, 13), 17),
    )
    _admit(closed, DEMO_SUPPLIERS, officer, evaluator, starts_on=FIRST_AWARD)
    with happened_at(_at(date(2025, 6, 30))):
        open_frameworks.award_framework(
            framework=framework, starts_on=FIRST_AWARD, window=closed, by=officer, now=_at(date(2025, 6, 30))
        )
    # Seed 000: the framework opens at least once every 12 months, so a year after the first window the
    # scheme reopened, admitted a new supplier and was re-awarded, keeping everyone already appointed.
    if timezone.localdate() > SECOND_AWARD:
        second = ApplicationWindow.objects.create(
            framework=framework,
            title="Annual reopening 2026",
            opens_at=_at(date(2026, 5, 1), 9),
            closes_at=_at(date(2026, 6, 12), 17),
        )
        _admit(second, REOPENING_SUPPLIERS, officer, evaluator, starts_on=SECOND_AWARD)
        with happened_at(_at(date(2026, 6, 30))):
            open_frameworks.award_framework(
                framework=framework, starts_on=SECOND_AWARD, window=second, by=officer, now=_at(date(2026, 6, 30))
            )

    now = timezone.now()
    reopening = ApplicationWindow.objects.create(
        framework=framework,
        title="Annual reopening for new suppliers",
        opens_at=now - timedelta(days=14),
        closes_at=datetime.combine(_next_friday(timezone.localdate() + timedelta(days=24)), time(17, 0), tzinfo=LONDON),
    )
    provider = users["provider@demo.test"]
    draft = services.start_application(window=reopening, by=provider)
    areas = {area.name: area for area in Area.objects.all()}
    services.save_lots(
        application=draft,
        by=provider,
        choices={
            framework.lots.get(number=2): [areas["Dudley"], areas["Walsall"]],
        },
    )
    services.save_consent(application=draft, by=provider, share_with_partners=True, publish=False)
    ctx["open_window"] = reopening
    Authority.objects.filter(pk=framework.lead_authority_id).update(is_lead_commissioner=True)
