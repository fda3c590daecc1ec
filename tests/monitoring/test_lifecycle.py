"""Return periods and due dates, late and overdue flags, the lifecycle of a return (every legal move and
the illegal ones refused, each audited), indicator sets and targets."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from commissioning.dates import Quarter
from commissioning.models import AuditEvent, Notification, User
from contracts import services as contract_services
from contracts.models import SocialValueCommitment
from monitoring import figures as checks
from monitoring import services
from monitoring.models import (
    ContractIndicator,
    QuarterlyReturn,
    ReturnPeriod,
    ReturnReview,
    ReturnValue,
    Timeliness,
    timeliness,
)
from monitoring.services import FigureErrors, ReturnRuleError, next_status
from tests.factories import make_user
from tests.factories.monitoring import NARRATIVE, at, make_monitored_contract, make_return, make_template, valid_raw

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


# Periods and due dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "number", "start", "end", "due"),
    [
        (2025, 1, date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 31)),
        (2025, 2, date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 31)),
        (2025, 3, date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 31)),
        (2025, 4, date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30)),
        (2026, 1, date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 31)),
        (2027, 4, date(2028, 1, 1), date(2028, 3, 31), date(2028, 4, 30)),
    ],
)
def test_a_period_is_a_financial_year_quarter_due_by_the_end_of_the_next_month(year, number, start, end, due):
    period = ReturnPeriod.for_quarter(Quarter(year, number))
    assert (period.starts_on, period.ends_on, period.due_on) == (start, end, due)
    assert ReturnPeriod.for_quarter(Quarter(year, number)) == period  # one row per quarter
    assert period.label == Quarter(year, number).label


def test_a_return_takes_its_due_date_from_its_period():
    m = make_monitored_contract()
    quarterly_return = make_return(m, Quarter(2025, 3))
    assert quarterly_return.due_on == date(2026, 1, 31)


@pytest.mark.parametrize(
    ("submitted", "today", "expected"),
    [
        (None, date(2025, 7, 31), Timeliness.NOT_DUE),
        (None, date(2025, 8, 1), Timeliness.OVERDUE),
        (at(date(2025, 7, 31), 23), date(2025, 9, 1), Timeliness.ON_TIME),
        (at(date(2025, 8, 1), 0), date(2025, 9, 1), Timeliness.LATE),
    ],
)
def test_late_and_overdue_by_date(submitted, today, expected):
    assert timeliness(due_on=date(2025, 7, 31), submitted_at=submitted, today=today) == expected


def test_a_return_submitted_after_its_due_date_is_late_and_stays_late_when_resubmitted():
    m = make_monitored_contract()
    quarterly_return = make_return(m, status=Status.RETURNED, submitted_on=date(2025, 8, 4))
    assert quarterly_return.timeliness_on(date(2025, 9, 1)) == Timeliness.LATE
    on_time = make_return(make_monitored_contract(), status=Status.RESUBMITTED, submitted_on=date(2025, 7, 30))
    assert on_time.timeliness_on(date(2026, 1, 1)) == Timeliness.ON_TIME  # the first submission decides


def test_a_draft_past_its_due_date_is_overdue():
    m = make_monitored_contract()
    draft = make_return(m)
    assert draft.is_overdue_on(date(2025, 8, 1)) and not draft.is_overdue_on(date(2025, 7, 31))


# The lifecycle ----------------------------------------------------------------------------------------------


def actions(quarterly_return) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(quarterly_return.pk), action__startswith="monitoring.return")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_not_started_draft_submitted_accepted_each_audited():
    m = make_monitored_contract()
    quarterly_return = make_return(m, status=Status.ACCEPTED)
    assert quarterly_return.status == Status.ACCEPTED
    assert actions(quarterly_return) == [
        "monitoring.return_started",
        "monitoring.return_saved",
        "monitoring.return_submitted",
        "monitoring.return_accepted",
    ]
    review = ReturnReview.objects.get(quarterly_return=quarterly_return)
    assert review.decision == "accepted" and review.decided_by == m.officer
    accepted = AuditEvent.objects.get(action="monitoring.return_accepted")
    assert accepted.data["status"] == ["submitted", "accepted"] and accepted.actor == m.officer


def test_returned_for_amendment_then_resubmitted_then_accepted():
    m = make_monitored_contract()
    quarterly_return = make_return(m, status=Status.RETURNED)
    assert quarterly_return.status == Status.RETURNED
    assert quarterly_return.reviews.get().comments == "Check the referral figures."
    amended = services.save_return(
        contract=m.contract,
        quarter=Quarter(2025, 1),
        raw=valid_raw(m, referrals=230),
        narrative=NARRATIVE,
        by=m.provider,
    )
    assert amended.status == Status.RETURNED  # stays with the provider until resubmitted
    resubmitted = services.submit_return(quarterly_return=amended, by=m.provider)
    assert resubmitted.status == Status.RESUBMITTED
    assert resubmitted.submitted_at < resubmitted.last_submitted_at
    returned_again = services.return_for_amendment(quarterly_return=resubmitted, by=m.officer, comments="Once more.")
    assert returned_again.status == Status.RETURNED
    services.submit_return(quarterly_return=returned_again, by=m.provider)
    accepted = services.accept_return(quarterly_return=returned_again, by=m.officer)
    assert accepted.status == Status.ACCEPTED
    assert actions(accepted) == [
        "monitoring.return_started",
        "monitoring.return_saved",
        "monitoring.return_submitted",
        "monitoring.return_returned",
        "monitoring.return_saved",
        "monitoring.return_resubmitted",
        "monitoring.return_returned",
        "monitoring.return_resubmitted",
        "monitoring.return_accepted",
    ]
    assert [r.decision for r in accepted.reviews.order_by("pk")] == ["returned", "returned", "accepted"]


@pytest.mark.parametrize(
    ("move", "status", "message"),
    [
        ("submit", Status.SUBMITTED, "A return that is submitted cannot be submitted"),
        ("submit", Status.ACCEPTED, "A return that is accepted cannot be submitted"),
        ("submit", None, "A return that is not started cannot be submitted"),
        ("accept", Status.DRAFT, "A return that is draft cannot be accepted"),
        ("accept", Status.RETURNED, "A return that is returned for amendment cannot be accepted"),
        ("accept", Status.ACCEPTED, "A return that is accepted cannot be accepted"),
        ("return", Status.DRAFT, "A return that is draft cannot be returned for amendment"),
        ("return", Status.ACCEPTED, "A return that is accepted cannot be returned for amendment"),
        ("save", Status.SUBMITTED, "A return that is submitted cannot be changed"),
        ("save", Status.RESUBMITTED, "A return that is resubmitted cannot be changed"),
        ("save", Status.ACCEPTED, "A return that is accepted cannot be changed"),
    ],
)
def test_illegal_moves_are_refused_by_the_lifecycle(move, status, message):
    with pytest.raises(ReturnRuleError, match=message):
        next_status(move, status)


def test_illegal_moves_through_the_services_change_nothing():
    m = make_monitored_contract()
    draft = make_return(m)
    with pytest.raises(ReturnRuleError, match="draft cannot be accepted"):
        services.accept_return(quarterly_return=draft, by=m.officer)
    with pytest.raises(ReturnRuleError, match="draft cannot be returned"):
        services.return_for_amendment(quarterly_return=draft, by=m.officer, comments="No")
    accepted = make_return(make_monitored_contract(), status=Status.ACCEPTED)
    with pytest.raises(ReturnRuleError, match="accepted cannot be submitted"):
        services.submit_return(quarterly_return=accepted, by=accepted.contract.supplier.memberships.get().user)
    with pytest.raises(ReturnRuleError, match="accepted cannot be changed"):
        services.save_return(
            contract=accepted.contract,
            quarter=Quarter(2025, 1),
            raw={},
            narrative={},
            by=accepted.contract.supplier.memberships.get().user,
        )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.reviews.exists()
    assert not AuditEvent.objects.filter(action="monitoring.return_returned").exists()


def test_returning_needs_comments():
    m = make_monitored_contract()
    submitted = make_return(m, status=Status.SUBMITTED)
    with pytest.raises(ReturnRuleError, match="Enter what the provider needs to amend"):
        services.return_for_amendment(quarterly_return=submitted, by=m.officer, comments="  ")
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_submitting_checks_every_figure_and_the_achievements():
    m = make_monitored_contract()
    ref = m.indicator("REF")
    raw = valid_raw(m, **{checks.category_key(ref, "referral_source", "police"): "199"})
    draft = services.save_return(contract=m.contract, quarter=Quarter(2025, 1), raw=raw, narrative={}, by=m.provider)
    with pytest.raises(FigureErrors) as caught:
        services.submit_return(quarterly_return=draft, by=m.provider, now=at(date(2025, 7, 20)))
    messages = {e.key: e.message for e in caught.value.errors}
    assert messages[checks.breakdown_key(ref, "referral_source")] == (
        "Referral source adds up to 219, 5 fewer than the 224 referrals"
    )
    assert messages["achievements"] == "Enter your achievements this quarter"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.submitted_at is None


def test_a_return_cannot_be_submitted_before_the_quarter_ends_but_a_draft_can_be_kept():
    m = make_monitored_contract()
    draft = services.save_return(
        contract=m.contract,
        quarter=Quarter(2025, 1),
        raw=valid_raw(m),
        narrative=NARRATIVE,
        by=m.provider,
        now=at(date(2025, 6, 2)),
    )
    with pytest.raises(FigureErrors, match="once the quarter has ended, from 1 July 2025"):
        services.submit_return(quarterly_return=draft, by=m.provider, now=at(date(2025, 6, 30)))
    assert services.submit_return(quarterly_return=draft, by=m.provider, now=at(date(2025, 7, 1))).status == (
        Status.SUBMITTED
    )


def test_no_return_for_a_quarter_the_contract_was_not_in_force_or_has_not_begun():
    m = make_monitored_contract(start_on=date(2025, 4, 1))
    with pytest.raises(ReturnRuleError, match="No return is due for"):
        services.save_return(contract=m.contract, quarter=Quarter(2024, 4), raw={}, narrative={}, by=m.provider)
    with pytest.raises(ReturnRuleError, match="cannot be started before the quarter begins"):
        services.save_return(
            contract=m.contract, quarter=Quarter(2025, 3), raw={}, narrative={}, by=m.provider, now=at(date(2025, 9, 1))
        )


def test_invalid_figures_save_nothing():
    m = make_monitored_contract()
    ref = m.indicator("REF")
    with pytest.raises(FigureErrors):
        services.save_return(
            contract=m.contract,
            quarter=Quarter(2025, 1),
            raw={checks.value_key(ref): "-4"},
            narrative=NARRATIVE,
            by=m.provider,
        )
    assert not QuarterlyReturn.objects.exists() and not ReturnValue.objects.exists()


def test_saving_again_replaces_figures_and_clears_blanked_ones():
    m = make_monitored_contract()
    quarterly_return = make_return(m)
    wait = m.indicator("WAIT")
    raw = valid_raw(m, **{checks.value_key(wait): ""})
    services.save_return(contract=m.contract, quarter=Quarter(2025, 1), raw=raw, narrative={}, by=m.provider)
    assert not quarterly_return.values.filter(indicator=wait).exists()
    assert quarterly_return.values.count() == len(m.indicators) - 1


def test_only_the_contracts_own_provider_may_save_or_submit():
    m = make_monitored_contract()
    other = make_user(User.Role.PROVIDER)
    with pytest.raises(PermissionDenied):
        services.save_return(contract=m.contract, quarter=Quarter(2025, 1), raw={}, narrative={}, by=other)
    draft = make_return(m)
    with pytest.raises(PermissionDenied):
        services.submit_return(quarterly_return=draft, by=other)
    with pytest.raises(PermissionDenied):
        services.submit_return(quarterly_return=draft, by=m.officer)


def test_only_officers_accept_or_return():
    m = make_monitored_contract()
    submitted = make_return(m, status=Status.SUBMITTED)
    for user in (m.provider, make_user(User.Role.EVALUATOR), make_user(User.Role.PARTNER)):
        with pytest.raises(PermissionDenied):
            services.accept_return(quarterly_return=submitted, by=user)
        with pytest.raises(PermissionDenied):
            services.return_for_amendment(quarterly_return=submitted, by=user, comments="x")


def test_decisions_are_emailed_to_the_provider_and_submissions_to_the_officer(django_capture_on_commit_callbacks):
    m = make_monitored_contract()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = make_return(m, status=Status.SUBMITTED)
        services.return_for_amendment(quarterly_return=submitted, by=m.officer, comments="Add the MARAC figure.")
    subjects = {message.subject: message.to for message in mail.outbox}
    assert subjects[f"Submitted: {m.contract.reference} return for 2025/26 Q1"] == [m.officer.email]
    assert subjects[f"Amendments needed: your {m.contract.reference} return for 2025/26 Q1"] == [m.provider.email]
    assert "Add the MARAC figure." in mail.outbox[-1].body
    # Each e-mail is on its recipient's notifications page too.
    returned = Notification.objects.get(recipient=m.provider, subject__startswith="Amendments needed")
    assert returned.status == Notification.Status.SENT
    assert returned.url == reverse("monitoring:edit_return", args=[m.contract.pk, 2025, 1])
    assert Notification.objects.filter(recipient=m.officer, subject__startswith="Submitted").exists()


def test_an_accepted_return_is_recorded_for_every_provider_user_of_the_contract(django_capture_on_commit_callbacks):
    m = make_monitored_contract()
    colleague = make_user(User.Role.PROVIDER, supplier=m.provider.supplier_membership.supplier)
    submitted = make_return(m, status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_return(quarterly_return=submitted, by=m.officer, comments="Thank you.")
    accepted = Notification.objects.filter(subject__startswith=f"Accepted: your {m.contract.reference} return")
    assert {row.recipient for row in accepted} == {m.provider, colleague}
    assert all(row.status == Notification.Status.SENT and "Thank you." in row.body_text for row in accepted)
    assert sorted(message.to for message in mail.outbox if message.subject.startswith("Accepted")) == sorted(
        [[m.provider.email], [colleague.email]]
    )


def test_an_agreed_due_date_is_recorded_and_audited():
    m = make_monitored_contract()
    draft = make_return(m)
    services.set_due_date(
        quarterly_return=draft, due_on=date(2025, 8, 15), reason="Agreed at the meeting", by=m.officer
    )
    draft.refresh_from_db()
    assert draft.due_on == date(2025, 8, 15)
    event = AuditEvent.objects.get(action="monitoring.due_date_changed")
    assert event.data["due_on"] == ["2025-07-31", "2025-08-15"]
    with pytest.raises(ReturnRuleError, match="after the end of the quarter"):
        services.set_due_date(quarterly_return=draft, due_on=date(2025, 6, 1), reason="x", by=m.officer)


# Indicator sets and targets ----------------------------------------------------------------------------


def test_the_indicator_set_copies_the_lot_template_with_its_default_targets():
    m = make_monitored_contract()
    codes = [i.code for i in m.indicators]
    assert codes == ["REF", "CONTACT48", "WAIT", "SATISFIED", "SPEND"]
    assert m.indicator("REF").target == Decimal("224") and m.indicator("REF").breakdowns == ["referral_source"]
    assert AuditEvent.objects.filter(action="monitoring.indicators_set_up", object_id=str(m.contract.pk)).count() == 1
    assert services.set_up_indicators(contract=m.contract, by=m.officer) == m.indicators  # nothing added twice


def test_social_value_commitments_become_indicators_with_cumulative_targets():
    officer = make_user(User.Role.OFFICER)
    m = make_monitored_contract(officer=officer, annual_value="150000")  # over £100,000: social value accepted
    commitment = SocialValueCommitment.objects.get(proposal__contract=m.contract)
    social = [i for i in m.indicators if i.is_social_value]
    assert len(social) == 1
    assert (social[0].commitment, social[0].target, social[0].target_due_on) == (
        commitment,
        commitment.target,
        commitment.due_on,
    )
    # A commitment recorded later is added the next time the set is used.
    proposal = m.contract.social_value_proposal
    SocialValueCommitment.objects.create(
        proposal=proposal, theme="social", measure="Volunteer hours", unit="hours", target=100, due_on=date(2027, 3, 31)
    )
    assert len([i for i in services.set_up_indicators(contract=m.contract, by=officer) if i.is_social_value]) == 2


def test_a_contract_without_a_lot_uses_the_default_template_or_has_only_its_social_value():
    bare = make_monitored_contract(lot=None)
    assert bare.indicators == []
    make_template(is_default=True, name="Default")
    without_lot = make_monitored_contract(lot=None)
    assert [i.code for i in without_lot.indicators] == ["REF", "CONTACT48", "WAIT", "SATISFIED", "SPEND"]


def test_officers_set_per_contract_targets_audited_and_checked():
    m = make_monitored_contract()
    ref, contact = m.indicator("REF"), m.indicator("CONTACT48")
    services.set_targets(contract=m.contract, targets={ref.pk: (Decimal("180"), Decimal("18"))}, by=m.officer)
    ref.refresh_from_db()
    assert (ref.target, ref.amber_margin) == (Decimal("180"), Decimal("18"))
    assert m.template.indicators.get(code="REF").default_target == Decimal("224")  # the template is untouched
    event = AuditEvent.objects.get(action="monitoring.targets_changed")
    assert event.data["changes"]["REF"]["target"] == ["224.00", "180"]
    with pytest.raises(ReturnRuleError, match="must be between 0 and 100"):
        services.set_targets(contract=m.contract, targets={contact.pk: (Decimal("120"), Decimal("5"))}, by=m.officer)
    with pytest.raises(PermissionDenied):
        services.set_targets(contract=m.contract, targets={}, by=m.provider)
    other = make_monitored_contract()
    with pytest.raises(ReturnRuleError, match="not part of this contract"):
        services.set_targets(
            contract=m.contract, targets={other.indicator("REF").pk: (Decimal("1"), Decimal("0"))}, by=m.officer
        )
    assert ContractIndicator.objects.get(pk=other.indicator("REF").pk).target == Decimal("224")


def test_a_contract_in_force_for_part_of_a_quarter_owes_a_return_for_it():
    m = make_monitored_contract(start_on=date(2025, 6, 15))
    assert services.return_is_due(m.contract, Quarter(2025, 1))
    assert not services.return_is_due(m.contract, Quarter(2024, 4))
    contract_services.terminate_contract(
        by=m.officer, contract=m.contract, terminated_on=date(2025, 8, 1), reason="Provider closed"
    )
    assert services.return_is_due(m.contract, Quarter(2025, 2))
    assert not services.return_is_due(m.contract, Quarter(2025, 3))
