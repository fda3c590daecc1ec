"""Walks every URL pattern of the project (from Django's resolver) against the demo data.

For every pattern that takes an object, a user of another organisation in the same role gets 404 for
GET and POST (or 405 for a GET on a POST-only view; partners get 403 on any POST, and read-only views
refuse every POST with 403 before looking anything up), a user in a role the
view is not for is refused, and an anonymous visitor is sent to sign in. A pattern with an object that
is not in the registry below fails the test, so a new view cannot be added without deciding this.

Officers all work for the OPCC that runs the portal; selection pages are scoped to the authority that
leads the framework, so "another organisation" for an officer is an officer of another authority there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commissioning.models import Authority, GeneratedDocument, Notification, User
from tests.factories import make_authority, make_user

pytestmark = pytest.mark.django_db


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            ns = entry.namespace if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry


@dataclass
class World:
    provider: User
    officer: User
    evaluator: User
    partner: User
    others: dict[str, User]

    @property
    def supplier(self):
        return self.provider.supplier_membership.supplier


def _first(qs, what):
    obj = qs.first()
    assert obj is not None, f"the demo data has no {what}"
    return obj


def registry(w: World) -> dict[str, tuple[str, Callable[[], dict]]]:
    """URL name -> (the role it is for, the kwargs of an object belonging to the demo organisation)."""
    from commissioning.models import FundingStream
    from contracts.grants.models import GrantApplication, GrantPayment, GrantRound
    from contracts.models import Contract
    from contracts.notices.models import Notice
    from frameworks.models import (
        Answer,
        Application,
        ApplicationWindow,
        Appointment,
        Clarification,
        EvaluationAssignment,
        Framework,
    )
    from monitoring.models import QuarterlyReturn
    from suppliers.models import Accreditation, SupplierDocument

    framework = Framework.objects.get(reference="WMOPCC-DASAA-2025")
    stream = _first(FundingStream.objects.filter(authority_id=w.officer.authority_id), "funding stream")
    grant_round = _first(GrantRound.objects.filter(authority_id=w.officer.authority_id), "grant round")
    grant_application = _first(GrantApplication.objects.filter(round=grant_round), "grant application")
    grant_payment = _first(
        GrantPayment.objects.filter(contract__buying_authority_id=w.officer.authority_id), "grant payment"
    )
    provider_grant = _first(GrantApplication.objects.filter(supplier=w.supplier), "provider's grant application")
    notice = _first(Notice.objects.outstanding().filter(buying_authority=w.officer.authority_id), "notice due")
    published_notice = _first(Notice.objects.filter(status="published"), "published notice")
    draft = Application.objects.get(supplier=w.supplier, status="draft")
    decided = _first(Application.objects.filter(supplier=w.supplier, status="decided"), "decided application")
    answer = _first(
        Answer.objects.filter(application=draft).exclude(upload="")
        or Answer.objects.filter(application=decided).exclude(upload=""),
        "uploaded answer",
    )
    clarification = Clarification.objects.get_or_create(
        application=decided, question="Which areas does your helpline cover?", asked_by=w.officer
    )[0]
    assignment = _first(EvaluationAssignment.objects.filter(evaluator=w.evaluator), "evaluator assignment")
    question = _first(framework.questions.all(), "question")
    choice = decided.lot_choices.first()
    appointment = _first(Appointment.objects.filter(supplier=w.supplier), "appointment")
    accreditation = _first(Accreditation.objects.filter(supplier=w.supplier), "accreditation")
    document = _first(SupplierDocument.objects.filter(supplier=w.supplier), "supplier document")
    contract = _first(Contract.objects.filter(supplier=w.supplier), "contract")
    a_return = _first(
        QuarterlyReturn.objects.filter(contract=contract).order_by("-period__financial_year", "-period__quarter"),
        "return",
    )
    period = a_return.period
    letter = _first(GeneratedDocument.objects.filter(kind="outcome-letter", target_id=str(decided.pk)), "letter")
    action = _first(contract.meetings.filter(actions__isnull=False).first().actions.all(), "meeting action")
    area = appointment.areas.first()
    slot = {"contract_pk": contract.pk, "year": period.financial_year, "quarter": period.quarter}
    window = ApplicationWindow.objects.filter(framework=framework).order_by("-opens_at").first()
    ref = {"reference": framework.reference}
    award_stage = _award_stage(w)
    notification = _first(Notification.objects.filter(recipient=w.provider), "notification to the provider")
    return {
        **award_stage,
        # provider
        "suppliers:accreditation_remove": ("provider", lambda: {"pk": accreditation.pk}),
        "suppliers:accreditation_evidence": ("provider", lambda: {"pk": accreditation.pk}),
        "suppliers:document_remove": ("provider", lambda: {"pk": document.pk}),
        "suppliers:document_download": ("provider", lambda: {"pk": document.pk}),
        "frameworks:start_application": ("provider-any", lambda: {"window_pk": window.pk}),
        "frameworks:task_list": ("provider", lambda: {"pk": draft.pk}),
        "frameworks:edit_lots": ("provider", lambda: {"pk": draft.pk}),
        "frameworks:edit_consortium": ("provider", lambda: {"pk": draft.pk}),
        "frameworks:edit_consent": ("provider", lambda: {"pk": draft.pk}),
        "frameworks:edit_section": ("provider", lambda: {"pk": draft.pk, "slug": "service-delivery"}),
        "frameworks:autosave": ("provider", lambda: {"pk": draft.pk, "slug": "service-delivery"}),
        "frameworks:check_answers": ("provider", lambda: {"pk": draft.pk}),
        "frameworks:application_receipt": ("provider", lambda: {"pk": decided.pk}),
        "frameworks:provider_application": ("provider", lambda: {"pk": decided.pk}),
        "frameworks:withdraw": ("provider", lambda: {"pk": draft.pk}),
        "frameworks:clarification_respond": (
            "provider",
            lambda: {"pk": decided.pk, "clarification_pk": clarification.pk},
        ),
        "frameworks:provider_answer_file": ("provider", lambda: {"pk": answer.application_id, "answer_pk": answer.pk}),
        "contracts:provider_contract": ("provider", lambda: {"pk": contract.pk}),
        "contracts:complete_action": ("provider", lambda: {"pk": action.pk}),
        "monitoring:edit_return": ("provider", lambda: slot),
        "monitoring:provider_return": ("provider", lambda: slot),
        "monitoring:download_spreadsheet": ("provider", lambda: slot),
        "monitoring:upload_spreadsheet": ("provider", lambda: slot),
        "monitoring:provider_document": ("provider", lambda: slot),
        # evaluator
        "frameworks:evaluate": ("evaluator", lambda: {"pk": assignment.pk}),
        "frameworks:evaluator_answer_file": ("evaluator", lambda: {"pk": assignment.pk, "answer_pk": answer.pk}),
        "frameworks:evaluator_accreditation_file": (
            "evaluator",
            lambda: {"pk": assignment.pk, "accreditation_pk": accreditation.pk},
        ),
        "frameworks:evaluator_document_file": ("evaluator", lambda: {"pk": assignment.pk, "document_pk": document.pk}),
        # officer: selection is scoped to the authority leading the framework
        "frameworks:officer_applications": ("officer", lambda: {"pk": framework.pk}),
        "frameworks:approved_list": ("officer", lambda: {"pk": framework.pk}),
        "frameworks:award_framework": ("officer", lambda: {"pk": framework.pk}),
        "frameworks:officer_application": ("officer", lambda: {"pk": decided.pk}),
        "frameworks:moderate": ("officer", lambda: {"pk": decided.pk, "criterion_pk": question.pk}),
        "frameworks:decide": ("officer", lambda: {"pk": decided.pk, "choice_pk": choice.pk}),
        "frameworks:officer_answer_file": ("officer", lambda: {"pk": answer.application_id, "answer_pk": answer.pk}),
        "frameworks:officer_accreditation_file": (
            "officer",
            lambda: {"pk": decided.pk, "accreditation_pk": accreditation.pk},
        ),
        "frameworks:officer_document_file": ("officer", lambda: {"pk": decided.pk, "document_pk": document.pk}),
        "frameworks:appointment_status": ("officer", lambda: {"pk": appointment.pk}),
        "approved_list:officer_list": ("officer", lambda: ref),
        "approved_list:officer_list_export": ("officer", lambda: ref | {"fmt": "csv"}),
        "approved_list:appointment_history": ("officer", lambda: {"pk": appointment.pk}),
        "coverage:export": ("officer", lambda: ref | {"fmt": "csv"}),
        "coverage:report": ("officer", lambda: ref),
        # officers of the operating OPCC: every contract and return on the portal
        "contracts:officer_contract": ("officer-any", lambda: {"pk": contract.pk}),
        "contracts:go_live": ("officer-any", lambda: {"pk": contract.pk}),
        "contracts:record_variation": ("officer-any", lambda: {"pk": contract.pk}),
        "contracts:exercise_extension": ("officer-any", lambda: {"pk": contract.pk}),
        "contracts:terminate": ("officer-any", lambda: {"pk": contract.pk}),
        "contracts:set_scope": ("officer-any", lambda: {"pk": contract.pk}),
        "contracts:schedule_meetings": ("officer-any", lambda: {"pk": contract.pk}),
        "monitoring:review": ("officer-any", lambda: {"pk": a_return.pk}),
        "monitoring:officer_document": ("officer-any", lambda: {"pk": a_return.pk}),
        "monitoring:targets": ("officer-any", lambda: {"contract_pk": contract.pk}),
        # funding streams and grant rounds of the officer's own authority (issue 20)
        "contracts:edit_funding_stream": ("officer", lambda: {"pk": stream.pk}),
        "contracts:set_allocation": ("officer", lambda: {"pk": stream.pk}),
        "contracts:set_contribution": ("officer-any", lambda: {"pk": contract.pk}),
        "contracts:grant_round": ("officer", lambda: {"pk": grant_round.pk}),
        "contracts:decide_grant": ("officer", lambda: {"pk": grant_application.pk}),
        "contracts:grant_agreement": ("officer", lambda: {"pk": grant_application.pk}),
        "contracts:record_grant_payment": ("officer", lambda: {"pk": grant_payment.pk}),
        # grants: any provider may apply to any round; an application is its organisation's own
        "contracts:provider_grant_apply": ("provider-any", lambda: {"pk": grant_round.pk}),
        "contracts:provider_grant_check": ("provider-any", lambda: {"pk": grant_round.pk}),
        "contracts:provider_grant_application": ("provider", lambda: {"pk": provider_grant.pk}),
        "contracts:provider_grant_submitted": ("provider", lambda: {"pk": provider_grant.pk}),
        "contracts:provider_grant_withdraw": ("provider", lambda: {"pk": provider_grant.pk}),
        # Chasing an overdue return: only an officer of the contract's buying authority.
        "monitoring:send_reminder": ("officer", lambda: {"contract_pk": contract.pk, "year": 2025, "quarter": 1}),
        # partner: frameworks shared with their authority
        "approved_list:shared_list": ("partner", lambda: ref),
        "approved_list:shared_list_export": ("partner", lambda: ref | {"fmt": "csv"}),
        "coverage:matrix": ("partner", lambda: ref),
        "coverage:cell": ("partner", lambda: ref | {"lot_number": appointment.lot.number, "area_code": area.code}),
        # documents: the report decides who may read it
        "document_detail": ("document", lambda: {"pk": letter.pk}),
        "document_status": ("document", lambda: {"pk": letter.pk}),
        "document_download": ("document", lambda: {"pk": letter.pk}),
        "document_retry": ("document", lambda: {"pk": letter.pk}),
        # notifications: each its recipient's own (the demo's e-mails to its provider)
        "notification_detail": ("provider", lambda: {"pk": notification.pk}),
        "notification_read": ("provider", lambda: {"pk": notification.pk}),
        # public, with an object
        "public:framework_suppliers": ("public", lambda: ref),
        "suppliers:accept_invitation": ("public", lambda: {"token": "no-such-token"}),
        "opendata:procedure_releases": ("public", lambda: {"ocid": published_notice.ocid}),
        "opendata:procedure_record": ("public", lambda: {"ocid": published_notice.ocid}),
        # notices of the demo OPCC: officers of another authority get 404
        "notices:notice": ("officer", lambda: {"pk": notice.pk}),
        "notices:validate_notice": ("officer", lambda: {"pk": notice.pk}),
        "notices:notice_pdf": ("officer", lambda: {"pk": notice.pk}),
        "notices:publish_notice": ("officer", lambda: {"pk": notice.pk}),
        "suppliers:confirm_registration": ("public", lambda: {"token": "no-such-token"}),
        "password_reset_confirm": ("public", lambda: {"uidb64": "MQ", "token": "set-password"}),
        # a one-time link e-mailed to one person: signed in as anyone else, it is refused (410) on GET and POST
        "two_factor_enrol": ("link", lambda: {"token": "no-such-token"}),
    }


def _award_stage(w: World) -> dict[str, tuple[str, Callable[[], dict]]]:
    """The award stage's object URLs, on the demo's awarded and open mini-competitions and direct award.
    Officers are scoped to the buying authority, providers to their own responses (and to competitions
    they are invited to), evaluators to their own assignments."""
    from contracts.award.models import Competition, DirectAward, DirectAwardAssignment, TenderAssignment

    awarded = Competition.objects.get(reference="WMOPCC-MC-2025-01")
    open_mini = Competition.objects.get(reference="WMOPCC-MC-2025-02")
    won = awarded.tenders.get(supplier=w.supplier)
    won_file = _first(won.documents.all(), "response document")
    criterion = _first(awarded.criteria.filter(kind="quality"), "quality criterion")
    direct = DirectAward.objects.get(reference="WMOPCC-DA-2025-01")
    judged = _first(TenderAssignment.objects.filter(evaluator=w.evaluator, tender=won), "response assignment")
    scored = _first(DirectAwardAssignment.objects.filter(evaluator=w.evaluator), "direct award assignment")
    competition, tender, direct_award = {"pk": awarded.pk}, {"pk": won.pk}, {"pk": direct.pk}
    entries: dict[str, tuple[str, Callable[[], dict]]] = {
        f"awards:{name}": ("officer", lambda: competition)
        for name in (
            "officer_competition",
            "edit_competition",
            "edit_criteria",
            "edit_lots",
            "publish_competition",
            "cancel_competition",
            "move_closing_time",
            "confirm_closing_time",
            "open_responses",
            "assign_evaluators",
        )
    }
    entries |= {
        f"awards:{name}": ("officer", lambda: direct_award)
        for name in ("officer_direct_award", "direct_award_evaluators", "moderate_direct_award", "decide_direct_award")
    }
    entries |= {
        f"awards:{name}": ("provider", lambda: tender)
        for name in (
            "provider_tender",
            "edit_tender",
            "autosave_tender",
            "check_tender",
            "tender_receipt",
            "withdraw_tender",
        )
    }
    return entries | {
        "awards:answer_question": ("officer", lambda: competition | {"question_pk": awarded.questions.first().pk}),
        "awards:award_lot": ("officer", lambda: competition | {"lot_pk": awarded.lots.first().pk}),
        "awards:no_award_lot": ("officer", lambda: competition | {"lot_pk": awarded.lots.first().pk}),
        "awards:create_contract": ("officer", lambda: {"pk": awarded.awards.first().pk}),
        "awards:officer_tender": ("officer", lambda: tender),
        "awards:officer_tender_file": ("officer", lambda: tender | {"document_pk": won_file.pk}),
        "awards:moderate_tender": ("officer", lambda: tender | {"criterion_pk": criterion.pk}),
        "awards:evaluate_tender": ("evaluator", lambda: {"pk": judged.pk}),
        "awards:evaluator_tender_file": ("evaluator", lambda: {"pk": judged.pk, "document_pk": won_file.pk}),
        "awards:evaluate_direct_award": ("evaluator", lambda: {"pk": scored.pk}),
        # A mini-competition is seen only by the suppliers invited to it.
        "awards:provider_competition": ("provider", lambda: {"pk": open_mini.pk}),
        "awards:ask_question": ("provider", lambda: {"pk": open_mini.pk}),
        "awards:start_tender": ("provider", lambda: {"pk": open_mini.pk, "lot_pk": open_mini.lots.first().pk}),
        "awards:competition_specification": ("provider", lambda: {"pk": open_mini.pk}),
        "awards:provider_tender_file": ("provider", lambda: tender | {"document_pk": won_file.pk}),
    }


def _award_objects(w: World) -> dict:
    """The demo's award-stage objects that belong to the demo organisations."""
    from contracts.award.models import Award, DirectAward, Tender, TenderAssignment, TenderDocument

    tender = _first(Tender.objects.filter(supplier=w.supplier).order_by("-pk"), "tender of the demo provider")
    document = TenderDocument.objects.filter(tender__supplier=w.supplier).first()
    assignment = _first(TenderAssignment.objects.filter(evaluator=w.evaluator), "tender assignment")
    direct = _first(DirectAward.objects.all(), "direct award")
    direct_assignment = (
        direct.assignments.filter(evaluator=w.evaluator).first() if hasattr(direct, "assignments") else None
    )
    return {
        "tender": tender,
        "competition": tender.competition,
        "lot": tender.lot,
        "document": document,
        "assignment": assignment,
        "award": _first(Award.objects.all(), "award"),
        "direct": direct,
        "direct_assignment": direct_assignment,
        "criterion": _first(tender.competition.criteria.all(), "award criterion"),
        "question": tender.competition.questions.first(),
    }


def _award_registry(a: dict) -> dict:
    comp, tender = a["competition"], a["tender"]
    doc = a["document"]
    entries = {
        "awards:officer_competition": ("officer", lambda: {"pk": comp.pk}),
        "awards:edit_competition": ("officer", lambda: {"pk": comp.pk}),
        "awards:edit_criteria": ("officer", lambda: {"pk": comp.pk}),
        "awards:edit_lots": ("officer", lambda: {"pk": comp.pk}),
        "awards:publish_competition": ("officer", lambda: {"pk": comp.pk}),
        "awards:cancel_competition": ("officer", lambda: {"pk": comp.pk}),
        "awards:move_closing_time": ("officer", lambda: {"pk": comp.pk}),
        "awards:confirm_closing_time": ("officer", lambda: {"pk": comp.pk}),
        "awards:open_responses": ("officer", lambda: {"pk": comp.pk}),
        "awards:assign_evaluators": ("officer", lambda: {"pk": comp.pk}),
        "awards:award_lot": ("officer", lambda: {"pk": comp.pk, "lot_pk": a["lot"].pk}),
        "awards:no_award_lot": ("officer", lambda: {"pk": comp.pk, "lot_pk": a["lot"].pk}),
        "awards:create_contract": ("officer", lambda: {"pk": a["award"].pk}),
        "awards:officer_tender": ("officer", lambda: {"pk": tender.pk}),
        "awards:moderate_tender": ("officer", lambda: {"pk": tender.pk, "criterion_pk": a["criterion"].pk}),
        "awards:officer_direct_award": ("officer", lambda: {"pk": a["direct"].pk}),
        "awards:direct_award_evaluators": ("officer", lambda: {"pk": a["direct"].pk}),
        "awards:moderate_direct_award": ("officer", lambda: {"pk": a["direct"].pk}),
        "awards:decide_direct_award": ("officer", lambda: {"pk": a["direct"].pk}),
        "awards:evaluate_tender": ("evaluator", lambda: {"pk": a["assignment"].pk}),
        "awards:provider_competition": ("provider", lambda: {"pk": comp.pk}),
        "awards:ask_question": ("provider", lambda: {"pk": comp.pk}),
        "awards:start_tender": ("provider", lambda: {"pk": comp.pk, "lot_pk": a["lot"].pk}),
        "awards:provider_tender": ("provider", lambda: {"pk": tender.pk}),
        "awards:edit_tender": ("provider", lambda: {"pk": tender.pk}),
        "awards:autosave_tender": ("provider", lambda: {"pk": tender.pk}),
        "awards:check_tender": ("provider", lambda: {"pk": tender.pk}),
        "awards:tender_receipt": ("provider", lambda: {"pk": tender.pk}),
        "awards:withdraw_tender": ("provider", lambda: {"pk": tender.pk}),
        "awards:competition_specification": ("provider", lambda: {"pk": comp.pk}),
    }
    if doc is not None:
        entries["awards:provider_tender_file"] = ("provider", lambda: {"pk": tender.pk, "document_pk": doc.pk})
        entries["awards:officer_tender_file"] = ("officer", lambda: {"pk": tender.pk, "document_pk": doc.pk})
        entries["awards:evaluator_tender_file"] = (
            "evaluator",
            lambda: {"pk": a["assignment"].pk, "document_pk": doc.pk},
        )
    if a["question"] is not None:
        entries["awards:answer_question"] = ("officer", lambda: {"pk": comp.pk, "question_pk": a["question"].pk})
    if a["direct_assignment"] is not None:
        entries["awards:evaluate_direct_award"] = ("evaluator", lambda: {"pk": a["direct_assignment"].pk})
    return entries


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def demo_world(settings) -> World:
    """The whole demo, loaded as `make run` loads it, with a user of another organisation in each role."""
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    elsewhere = make_authority(name="Staffordshire Commissioner's Office", kind=Authority.Kind.OTHER_PCC)
    return World(
        provider=users["provider@demo.test"],
        officer=users["officer@demo.test"],
        evaluator=users["evaluator@demo.test"],
        partner=users["partner@demo.test"],
        others={
            "provider": make_user(User.Role.PROVIDER),
            "officer": make_user(User.Role.OFFICER, authority=elsewhere),
            "evaluator": make_user(User.Role.EVALUATOR),
            "partner": make_user(User.Role.PARTNER, authority=elsewhere),
        },
    )


@pytest.mark.long
def test_every_object_url_refuses_other_organisations_and_anonymous_visitors(settings):
    w = demo_world(settings)
    table = registry(w)
    problems: list[str] = []
    unregistered = []
    anonymous = _client()
    for name, entry in walk(get_resolver().url_patterns):
        if not entry.pattern.converters:
            continue
        if name not in table:
            unregistered.append(name)
            continue
        role, kwargs_for = table[name]
        url = reverse(name, kwargs=kwargs_for())
        policy = getattr(entry.callback, "access_policy", None)
        if role == "public":
            if policy != "public":
                problems.append(f"{name}: registered as public but its policy is {policy}")
            continue
        response = anonymous.get(url)
        if not (
            response.status_code == 302
            and response.url.startswith(settings.LOGIN_URL if "/" in settings.LOGIN_URL else "/sign-in/")
        ):
            problems.append(f"{name}: anonymous GET gave {response.status_code}, not a sign-in redirect")
        if role == "link":
            for user in w.others.values():
                stranger = _client(user)
                answers = {stranger.get(url).status_code, stranger.post(url, {"token": "123456"}).status_code}
                if answers != {410}:
                    problems.append(f"{name}: another person's link answered {answers}, not 410")
            continue
        stranger_role = {"provider-any": "provider", "officer-any": "officer", "document": "provider"}.get(role, role)
        stranger = _client(w.others[stranger_role])
        get = stranger.get(url)
        post = stranger.post(url, {})
        if role in {"provider-any", "officer-any"}:
            # open to every user of the role: at least they are not served another organisation's object
            # by a role that may not have it
            other_role = "partner" if role == "provider-any" else "provider"
            refused = _client(w.others[other_role]).get(url).status_code
            if refused not in (403, 404):
                problems.append(f"{name}: a {other_role} got {refused}")
            continue
        allowed_get = {404, 405} if role != "partner" else {404}
        if get.status_code not in allowed_get:
            problems.append(f"{name}: another organisation's {stranger_role} got {get.status_code} on GET")
        # A read-only view refuses every POST before it looks anything up, so its answer says nothing.
        expected_post = {403} if role == "partner" or getattr(entry.callback, "read_only", False) else {404}
        if post.status_code not in expected_post:
            problems.append(f"{name}: another organisation's {stranger_role} got {post.status_code} on POST")
    assert problems == [], "\n".join(problems)
    assert unregistered == [], f"object URLs with no access decision in the walker: {unregistered}"
