"""Procurement Act notices as records: thresholds as data, which notices each record needs and by when
(with the basis), the notice lifecycle, publication checked against the schema, the standstill counted from
the contract award notice, the transparency notice before a direct award, open frameworks, the framework
term, Schedule 5's s.42 and s.43 and social value on the whole-life value."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.dates import LONDON
from commissioning.models import AuditEvent, User
from contracts import services as contract_services
from contracts import whole_life
from contracts.award import services
from contracts.award.models import Justification
from contracts.models import Contract, Variation
from contracts.notices import procedures, reminders
from contracts.notices.models import Notice, NoticeType, Threshold
from contracts.notices.rules import threshold_on
from contracts.notices.services import publish_notice, sync_notices, validate_notice
from contracts.opendata.releases import build_release
from contracts.opendata.validation import release_errors
from frameworks import open_frameworks
from frameworks.models import Appointment
from frameworks.partner_selectors import current_appointments
from tests.factories import make_user
from tests.factories.awards import (
    complete_tender,
    evaluate_all,
    make_award_setup,
    make_competition,
    make_published_mini,
    make_seed_002_eoi,
    next_fts_number,
    open_competition,
    publish_award_notice,
)
from tests.factories.contracts import go_live
from tests.factories.frameworks import make_appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return make_award_setup()


def notices_of(obj) -> dict[str, Notice]:
    return {
        n.notice_type: n for n in Notice.objects.filter(target_id=obj.pk, key__startswith=obj._meta.model_name + ":")
    }


def decided_award(setup, *, price="40000", now=None, **competition):
    competition = make_published_mini(setup, **competition)
    tender = complete_tender(competition, setup.providers[0], price=price)
    open_competition(competition, setup.officer, setup.officer2)
    evaluate_all(competition, setup.officer, setup.evaluators)
    return services.decide_award(
        lot=competition.lots.get(), tender=tender, reasons="Highest score", by=setup.officer, now=now
    )


# --- Thresholds ---------------------------------------------------------------------------------------------


def test_thresholds_are_data_with_the_day_they_start():
    light = Threshold.Kind.LIGHT_TOUCH
    sub_central = Threshold.Kind.SUB_CENTRAL
    assert threshold_on(light, date(2025, 12, 31)).amount == Decimal("663540.00")
    assert threshold_on(light, date(2026, 1, 1)).amount == Decimal("663540.00")
    assert threshold_on(sub_central, date(2025, 12, 31)).amount == Decimal("214904.00")
    assert threshold_on(sub_central, date(2026, 1, 1)).amount == Decimal("207720.00")
    assert threshold_on(Threshold.Kind.NOTIFIABLE_BELOW, date(2026, 6, 1)).amount == Decimal("30000.00")
    assert threshold_on(sub_central, date(2025, 1, 1)) is None  # before the Act


def test_the_value_test_adds_vat_and_says_which_threshold_it_used():
    from contracts.notices.rules import value_test

    below = value_test(Decimal("180000"), light_touch=False, started_on=date(2026, 2, 1), what="the award")
    assert below.including_vat == Decimal("216000.00") and below.above_threshold
    assert "£207,720 (from 1 January 2026)" in below.basis
    earlier = value_test(Decimal("178000"), light_touch=False, started_on=date(2025, 11, 1), what="the award")
    assert not earlier.above_threshold and earlier.notifiable_below and "£214,904" in earlier.basis
    tiny = value_test(Decimal("20000"), light_touch=True, started_on=date(2026, 2, 1), what="the award")
    assert not tiny.regulated and "below £30,000" in tiny.basis


# --- The standstill and the contract award notice ---------------------------------------------------------------


def test_an_award_below_the_threshold_gets_a_voluntary_contract_award_notice_for_its_standstill(setup):
    award = decided_award(setup)
    notice = notices_of(award)[NoticeType.UK6]
    assert notice.is_voluntary and notice.status == Notice.Status.DUE
    assert "voluntarily" in notice.basis and "s.51" in notice.basis
    assert notice.ocid == procedures.ocid_of(award.competition) == f"ocds-xxxxxx-{award.competition.reference}"
    assert AuditEvent.objects.filter(action="notice.due", object_id=str(notice.pk)).exists()


def test_an_award_above_the_threshold_needs_its_contract_award_notice_by_law(setup):
    setup.framework.is_light_touch = False
    setup.framework.save()
    award = decided_award(setup, price="150000", estimated_value="300000")
    notice = notices_of(award)[NoticeType.UK6]
    assert not notice.is_voluntary and "s.50" in notice.basis and "at or above" in notice.basis


def test_the_standstill_of_a_notice_published_on_saturday_29_november_2025_ends_on_thursday_11_december(setup):
    decided = datetime(2025, 11, 28, 15, 0, tzinfo=LONDON)
    award = decided_award(setup, now=decided)
    assert award.standstill_ends_on is None
    with pytest.raises(ValidationError, match="contract award notice"):
        services.create_award_contract(
            award=award, reference="C-SAT", start_on=date(2026, 4, 1), by=setup.officer, today=date(2026, 3, 1)
        )
    award = publish_award_notice(award, setup.officer, published_on=date(2025, 11, 29))
    assert award.standstill_ends_on == date(2025, 12, 11)
    with pytest.raises(ValidationError, match="Thursday 11 December 2025"):
        services.create_award_contract(
            award=award, reference="C-SAT", start_on=date(2026, 4, 1), by=setup.officer, today=date(2025, 12, 11)
        )
    contract = services.create_award_contract(
        award=award, reference="C-SAT", start_on=date(2026, 4, 1), by=setup.officer, today=date(2025, 12, 12)
    )
    assert contract.source == award
    release = Notice.objects.get(key=f"award:{award.pk}:UK6").content
    assert release["awards"][0]["standstillPeriod"]["endDate"].startswith("2025-12-11T23:59:59")
    assert release["awards"][0]["assessmentSummariesDateSent"].startswith("2025-11-28")


def test_the_standstill_of_a_notice_published_on_saturday_11_july_2026_ends_on_thursday_23_july(setup):
    award = decided_award(setup, now=datetime(2026, 7, 10, 12, 0, tzinfo=LONDON))
    award = publish_award_notice(award, setup.officer, published_on=date(2026, 7, 11))
    assert award.standstill_ends_on == date(2026, 7, 23)


def test_a_skipped_standstill_needs_no_voluntary_notice(setup):
    competition = make_published_mini(setup)
    tender = complete_tender(competition, setup.providers[0])
    open_competition(competition, setup.officer, setup.officer2)
    evaluate_all(competition, setup.officer, setup.evaluators)
    award = services.decide_award(
        lot=competition.lots.get(), tender=tender, reasons="Only bid", skip_standstill_reason="Urgent", by=setup.officer
    )
    assert NoticeType.UK6 not in notices_of(award)
    services.create_award_contract(award=award, reference="C-SKIP", start_on=date(2026, 4, 1), by=setup.officer)


# --- Publication ---------------------------------------------------------------------------------------------


def test_publication_is_refused_without_a_real_number_a_past_date_or_a_valid_release(setup):
    award = decided_award(setup)
    notice = notices_of(award)[NoticeType.UK6]
    today = timezone.localdate()
    assert release_errors(build_release(notice)) == []
    with pytest.raises(ValidationError) as bad_number:
        publish_notice(notice=notice, fts_number="12345", published_on=today, by=setup.officer)
    assert "fts_number" in bad_number.value.message_dict
    with pytest.raises(ValidationError) as future:
        publish_notice(
            notice=notice, fts_number="000001-2026", published_on=today + timedelta(days=1), by=setup.officer
        )
    assert "published_on" in future.value.message_dict
    with pytest.raises(ValidationError, match="before the decision"):
        publish_notice(
            notice=notice, fts_number="000001-2026", published_on=today - timedelta(days=9), by=setup.officer
        )
    winner = award.tender.supplier
    type(winner).objects.filter(pk=winner.pk).update(charity_number="", company_number="", ppon_id="")
    with pytest.raises(ValidationError) as invalid:
        publish_notice(notice=notice, fts_number="000001-2026", published_on=today, by=setup.officer)
    assert "identifier" in " ".join(invalid.value.messages)
    assert any("parties/" in m and "/identifier" in m for m in invalid.value.messages)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DUE and notice.fts_number == ""
    validated = validate_notice(notice=notice, by=setup.officer)
    assert validated.status == Notice.Status.DRAFTED and "/identifier" in validated.errors[0]
    type(winner).objects.filter(pk=winner.pk).update(ppon_id="PVWP-1234-ABCD")
    assert validate_notice(notice=notice, by=setup.officer).status == Notice.Status.VALIDATED
    published = publish_notice(notice=notice, fts_number="000001-2026", published_on=today, by=setup.officer)
    assert published.status == Notice.Status.PUBLISHED and published.content["id"] == "000001-2026"
    assert published.content["parties"][1]["identifier"] == {
        "scheme": "GB-PPON",
        "id": "PVWP-1234-ABCD",
        "legalName": winner.legal_name,
    }
    assert AuditEvent.objects.filter(action="notice.published", object_id=str(notice.pk)).exists()
    with pytest.raises(ValidationError, match="published"):
        publish_notice(notice=notice, fts_number="000002-2026", published_on=today, by=setup.officer)


def test_only_officers_of_the_buying_authority_publish_its_notices(setup):
    from django.core.exceptions import PermissionDenied

    notice = notices_of(decided_award(setup))[NoticeType.UK6]
    stranger = make_user(User.Role.OFFICER)
    with pytest.raises(PermissionDenied):
        publish_notice(notice=notice, fts_number=next_fts_number(), published_on=timezone.localdate(), by=stranger)


# --- Direct awards, cancellations, contracts ------------------------------------------------------------------


def _direct_award(setup, **overrides):
    values = {
        "by": setup.officer,
        "reference": f"DA-{Notice.objects.count()}-{timezone.now():%H%M%S%f}",
        "title": "Specialist advocacy for victims of stalking",
        "supplier": setup.suppliers[0],
        "annual_value": Decimal("90000"),
        "contract_start_on": timezone.localdate() + timedelta(days=90),
        "term_months": 36,
        "justification": Justification.TECHNICAL,
        "explanation": "The only accredited stalking advocacy service in the area.",
        "social_value_summary": "Local volunteers trained each year.",
        "commitments": [
            {
                "theme": "jobs",
                "measure": "Volunteers trained",
                "unit": "people",
                "target": 10,
                "due_on": date(2027, 3, 31),
            }
        ],
    }
    values.update(overrides)
    return services.request_direct_award(**values)


def _score_social_value(direct_award, setup):
    from frameworks import evaluation

    evaluation.assign_evaluators(target=direct_award, evaluators=setup.evaluators, by=setup.officer)
    criterion = direct_award.criteria.get()
    for assignment in direct_award.assignments.all():
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
        evaluation.save_scores(
            assignment=assignment,
            scores={criterion.pk: {"score": 3, "comment": "Good"}},
            submit=True,
            by=assignment.evaluator,
        )
    evaluation.moderate(subject=direct_award, criterion=criterion, score=3, reason="Agreed", by=setup.officer)


def test_a_direct_award_that_needs_a_transparency_notice_is_approved_only_once_it_is_published(setup, settings):
    settings.NOTICES_DEFAULT_LIGHT_TOUCH = False
    direct_award = _direct_award(setup)
    needed = notices_of(direct_award)
    assert set(needed) == {NoticeType.UK5, NoticeType.UK6}
    assert "s.44" in needed[NoticeType.UK5].basis
    _score_social_value(direct_award, setup)
    with pytest.raises(ValidationError, match="transparency notice"):
        services.approve_direct_award(direct_award=direct_award, by=setup.officer2)
    publish_notice(
        notice=needed[NoticeType.UK5], fts_number=next_fts_number(), published_on=timezone.localdate(), by=setup.officer
    )
    approved = services.approve_direct_award(direct_award=direct_award, by=setup.officer2)
    assert approved.contract is not None


def test_a_light_touch_or_call_off_direct_award_needs_no_transparency_notice(setup):
    # light-touch by default (victim support services), and over the light-touch threshold
    direct_award = _direct_award(setup, annual_value=Decimal("250000"))
    assert NoticeType.UK5 not in notices_of(direct_award)
    assert (
        procedures.transparency_exemption(direct_award, procedures.test_value(direct_award)) == "a light-touch contract"
    )


def test_a_notice_no_longer_needed_is_withdrawn_not_deleted(setup, settings):
    settings.NOTICES_DEFAULT_LIGHT_TOUCH = False
    direct_award = _direct_award(setup)
    transparency = notices_of(direct_award)[NoticeType.UK5]
    settings.NOTICES_DEFAULT_LIGHT_TOUCH = True
    sync_notices(direct_award)
    transparency.refresh_from_db()
    assert transparency.status == Notice.Status.WITHDRAWN


def test_rejecting_a_direct_award_after_its_transparency_notice_needs_a_procurement_termination_notice(setup, settings):
    settings.NOTICES_DEFAULT_LIGHT_TOUCH = False
    direct_award = _direct_award(setup)
    publish_notice(
        notice=notices_of(direct_award)[NoticeType.UK5],
        fts_number=next_fts_number(),
        published_on=timezone.localdate(),
        by=setup.officer,
    )
    services.reject_direct_award(direct_award=direct_award, reason="Funding withdrawn", by=setup.officer2)
    termination = notices_of(direct_award)[NoticeType.UK12]
    assert "s.55" in termination.basis and termination.deadline == timezone.localdate() + timedelta(days=29)


def test_cancelling_an_expression_of_interest_after_its_tender_notice_needs_a_procurement_termination_notice(setup):
    eoi = make_seed_002_eoi(by=setup.officer)
    tender_notice = notices_of(eoi)[NoticeType.UK4]
    assert "s.21" in tender_notice.basis and tender_notice.deadline == timezone.localdate()
    publish_notice(
        notice=tender_notice, fts_number=next_fts_number(), published_on=timezone.localdate(), by=setup.officer
    )
    services.cancel_competition(competition=eoi, reason="The fund was withdrawn.", by=setup.officer)
    termination = notices_of(eoi)[NoticeType.UK12]
    release = build_release(termination)
    assert release["tag"] == ["tenderCancellation"] and release["tender"]["status"] == "cancelled"
    assert release["tender"]["documents"][0]["noticeType"] == "UK12"


def test_a_mini_competition_needs_no_tender_notice(setup):
    competition = make_published_mini(setup)
    assert notices_of(competition) == {}


def _public_contract(setup, *, annual="200000", light_touch=False):
    framework = setup.framework
    framework.is_light_touch = light_touch
    framework.save()
    contract = contract_services.create_contract(
        by=setup.officer,
        reference=f"PC-{timezone.now():%H%M%S%f}",
        title="Refuge outreach",
        supplier=setup.suppliers[0],
        buying_authority=setup.authority,
        start_on=date(2026, 4, 1),
        initial_end_on=date(2029, 3, 31),
        lot=setup.lot,
        extension_months=[12],
        annual_value=Decimal(annual),
    )
    contract_services.record_social_value_proposal(
        by=setup.officer,
        contract=contract,
        summary="Local jobs",
        commitments=[{"theme": "jobs", "measure": "Jobs", "unit": "people", "target": 2, "due_on": date(2027, 3, 31)}],
    )
    contract_services.accept_social_value_proposal(by=setup.officer, proposal=contract.social_value_proposal)
    return go_live(contract, by=setup.officer)


def test_a_contract_details_notice_is_due_30_days_after_entry_or_120_for_light_touch(setup):
    public = _public_contract(setup)
    entered = timezone.localdate(public.activated_at)
    assert notices_of(public)[NoticeType.UK7].deadline == entered + timedelta(days=29)
    light = _public_contract(setup, annual="400000", light_touch=True)
    details = notices_of(light)[NoticeType.UK7]
    assert details.deadline == entered + timedelta(days=119) and "light-touch" in details.basis


def test_a_contract_change_notice_only_for_a_change_of_more_than_ten_percent(setup):
    contract = _public_contract(setup)
    small = contract_services.record_variation(
        by=setup.officer,
        contract=contract,
        kind=Variation.Kind.VALUE,
        reason="Inflation",
        approver="PCC",
        approved_on=timezone.localdate(),
        financial_year=2026,
        new_value=Decimal("210000"),
    )
    assert NoticeType.UK10 not in notices_of(small)
    big = contract_services.record_variation(
        by=setup.officer,
        contract=contract,
        kind=Variation.Kind.VALUE,
        reason="A second refuge",
        approver="PCC",
        approved_on=timezone.localdate(),
        financial_year=2027,
        new_value=Decimal("400000"),
    )
    change = notices_of(big)[NoticeType.UK10]
    assert "s.75" in change.basis and change.deadline == timezone.localdate()


def test_a_terminated_public_contract_needs_its_termination_notice_within_30_days(setup):
    contract = _public_contract(setup)
    contract_services.terminate_contract(
        by=setup.officer, contract=contract, terminated_on=date(2026, 9, 30), reason="Provider closed"
    )
    termination = notices_of(contract)[NoticeType.UK11]
    assert termination.deadline == date(2026, 10, 30) and "terminated" in termination.deadline_basis


def test_a_grant_or_a_contract_from_before_the_act_needs_no_notice(setup):
    old = contract_services.create_contract(
        by=setup.officer,
        reference="OLD-2018",
        title="Victim care",
        supplier=setup.suppliers[0],
        buying_authority=setup.authority,
        start_on=date(2018, 4, 1),
        initial_end_on=date(2021, 3, 31),
        annual_value=Decimal("500000"),
    )
    assert notices_of(old) == {}


# --- Reminders ------------------------------------------------------------------------------------------------


def test_officers_are_reminded_before_the_deadline_and_when_it_has_passed(setup):
    notice = notices_of(decided_award(setup))[NoticeType.UK6]
    Notice.objects.filter(pk=notice.pk).update(deadline=timezone.localdate() + timedelta(days=6))
    due = [d for d in reminders.notice_reminders(timezone.localdate()) if d.obligation.pk == notice.pk]
    assert {d.recipient for d in due} == {setup.officer, setup.officer2}
    assert due[0].occasion.endswith("due-in-7-days")
    late = timezone.localdate() + timedelta(days=10)
    overdue = [d for d in reminders.notice_reminders(late) if d.obligation.pk == notice.pk]
    assert overdue and overdue[0].occasion.endswith("overdue") and overdue[0].subject.startswith("Overdue")


# --- Frameworks: the term and open frameworks ---------------------------------------------------------------


def test_no_call_off_after_the_framework_ends(setup):
    competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
    setup.framework.term_end = timezone.localdate() - timedelta(days=1)
    setup.framework.term_start = date(2020, 1, 1)
    setup.framework.save()
    assert not current_appointments().filter(lot=setup.lot).exists()
    problems = services.publication_problems(competition)
    assert any("ended on" in p for p in problems)
    with pytest.raises(ValidationError, match="no call-off can be made after its end"):
        _direct_award(
            setup, framework_lot=setup.lot, areas=setup.areas, justification=Justification.FRAMEWORK_NO_COMPETITION
        )


def test_an_open_framework_is_re_awarded_keeping_its_appointees_with_its_own_notices(
    setup, django_capture_on_commit_callbacks
):
    """Each award's notices follow it once it has committed (the frameworks app tells the notices)."""
    framework = setup.framework
    framework.is_open_framework = True
    framework.estimated_value = Decimal("6000000")
    framework.term_end = date(2035, 3, 31)
    framework.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = open_frameworks.award_framework(framework=framework, starts_on=date(2025, 7, 1), by=setup.officer)
    assert set(notices_of(first)) == {NoticeType.UK4, NoticeType.UK6, NoticeType.UK7}
    due = open_frameworks.next_reaward(framework, [first])
    assert due.due_on == date(2026, 6, 30) and "12 months" in due.basis and "3 years" in due.basis
    kept = set(Appointment.objects.filter(lot__framework=framework).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        second = open_frameworks.award_framework(framework=framework, starts_on=date(2026, 7, 1), by=setup.officer)
    first.refresh_from_db()
    assert first.ends_on == date(2026, 6, 30) and second.sequence == 2
    assert set(Appointment.objects.filter(lot__framework=framework).values_list("pk", flat=True)) == kept
    assert set(notices_of(first)) == set(notices_of(second)) == {NoticeType.UK4, NoticeType.UK6, NoticeType.UK7}
    assert notices_of(second)[NoticeType.UK4].ocid != notices_of(first)[NoticeType.UK4].ocid
    assert "s.49" in notices_of(second)[NoticeType.UK4].basis
    with pytest.raises(ValidationError, match="8 years"):
        open_frameworks.award_framework(framework=framework, starts_on=date(2033, 7, 1), by=setup.officer)


def test_a_scheme_never_runs_past_eight_years():
    from frameworks.models import Framework, FrameworkAward

    framework = Framework(is_open_framework=True, reaward_months=12)
    awards = [
        FrameworkAward(sequence=1, starts_on=date(2025, 7, 1)),
        FrameworkAward(sequence=2, starts_on=date(2033, 1, 1)),
    ]
    assert open_frameworks.scheme_end(framework, date(2025, 7, 1)) == date(2033, 6, 30)
    assert open_frameworks.next_reaward(framework, awards) is None


def test_a_closed_framework_is_awarded_once(setup):
    open_frameworks.award_framework(framework=setup.framework, starts_on=date(2025, 7, 1), by=setup.officer)
    with pytest.raises(ValidationError, match="closed framework"):
        open_frameworks.award_framework(framework=setup.framework, starts_on=date(2026, 7, 1), by=setup.officer)


def test_nobody_is_appointed_after_the_framework_ends(setup):
    from frameworks import services as selection

    setup.framework.term_start = date(2020, 1, 1)
    setup.framework.term_end = date(2024, 12, 31)
    setup.framework.save()
    appointment = make_appointment(setup.lot, areas=setup.areas)
    assert not current_appointments().filter(pk=appointment.pk).exists()
    from tests.factories.frameworks import make_application, make_window

    window = make_window(setup.framework, open_now=False)
    application = make_application(window, lots=[setup.lot], areas=setup.areas, status="evaluated")
    choice = application.lot_choices.get()
    with pytest.raises(ValidationError, match="no supplier can be appointed after its end"):
        selection.decide_lot(choice=choice, outcome="appointed", reason="Passed", by=setup.officer)


# --- Schedule 5 and social value ------------------------------------------------------------------------------


def test_schedule_5_includes_sections_42_and_43():
    assert Justification.PROTECT_LIFE.label.startswith("Section 42")
    assert Justification.SWITCHING.label.startswith("Section 43")


def test_social_value_is_tested_on_the_whole_life_value_with_extension_options(setup):
    life = whole_life.from_annual(date(2026, 4, 1), 36, [12, 12], Decimal("30000"))
    assert life.amount == Decimal("150000.00") and life.over_social_value_threshold
    assert "3 years + 1 year + 1 year" in life.basis and "Whole-life value £150,000" in life.social_value_basis
    with pytest.raises(ValidationError, match="whole-life value, £150,000"):
        _direct_award(
            setup,
            annual_value=Decimal("30000"),
            contract_start_on=date(2026, 4, 1),
            term_months=36,
            extension_months="12,12",
            social_value_summary="",
            commitments=[],
        )


def test_a_contract_cannot_go_live_without_social_value_when_its_options_take_it_over(setup):
    contract = contract_services.create_contract(
        by=setup.officer,
        reference="SV-311",
        title="Peer support",
        supplier=setup.suppliers[0],
        buying_authority=setup.authority,
        start_on=date(2026, 4, 1),
        initial_end_on=date(2029, 3, 31),
        extension_months=[12, 12],
        annual_value=Decimal("30000"),
    )
    assert contract.total_value_now == Decimal("90000.00")
    assert whole_life.of_contract(contract).amount == Decimal("150000.00")
    with pytest.raises(ValidationError, match="whole-life contract value of £150,000.00"):
        go_live(contract, by=setup.officer)
    assert Contract.objects.get(pk=contract.pk).is_draft


def test_a_competition_shows_its_whole_life_basis(setup):
    competition = make_published_mini(setup, estimated_value="80000", extension_months="12")
    assert competition.whole_life.amount == Decimal("120000.00") and competition.social_value_required


def test_officers_are_reminded_when_an_open_framework_must_be_re_awarded(setup):
    from frameworks.reminders import reaward_reminders

    framework = setup.framework
    framework.is_open_framework = True
    framework.save()
    open_frameworks.award_framework(framework=framework, starts_on=date(2025, 7, 1), by=setup.officer)
    due = list(reaward_reminders(date(2026, 6, 1)))
    assert {d.recipient for d in due} == {setup.officer, setup.officer2}
    assert due[0].occasion == "2026-06-30-due-in-30-days" and "12 months" in due[0].context["message"]
    assert list(reaward_reminders(date(2026, 1, 1))) == []
