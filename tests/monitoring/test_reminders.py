"""Reminders about returns, through the portal's daily sweep (tasks run eagerly in the tests): which
returns the source selects 14, 7 and 1 days before, once overdue, and the escalation to the officer 7 days
after; each sent once."""

from datetime import date, timedelta

import pytest
from django.core import mail

from commissioning.dates import Quarter
from commissioning.models import Notification, ReminderRule, User
from commissioning.notifications import registered_sources, run_sweep
from commissioning.tasks import send_reminders
from monitoring.models import QuarterlyReturn
from monitoring.reminders import KIND
from tests.factories import make_user
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db
Q1 = Quarter(2025, 1)
DUE = Q1.return_due  # 31 July 2025


@pytest.fixture
def m():
    return make_monitored_contract(start_on=date(2025, 4, 1))


def sent(kind=KIND):
    return sorted(
        Notification.objects.filter(kind=kind, status=Notification.Status.SENT).values_list(
            "recipient__email", "occasion"
        )
    )


def test_the_source_is_registered_with_its_rule():
    assert KIND in registered_sources()
    run_sweep(date(2025, 1, 1))
    rule = ReminderRule.objects.get(kind=KIND)
    assert (rule.offset_days, rule.escalate_after_days, rule.remind_when_overdue) == ([14, 7, 1], 7, True)


@pytest.mark.parametrize(
    ("days_before", "occasion"),
    [
        (15, None),
        (14, "2025-q1-due-in-14-days"),
        (8, "2025-q1-due-in-14-days"),
        (7, "2025-q1-due-in-7-days"),
        (2, "2025-q1-due-in-7-days"),
        (1, "2025-q1-due-in-1-days"),
        (0, "2025-q1-due-in-1-days"),
        (-1, "2025-q1-overdue"),
    ],
)
def test_the_provider_is_reminded_at_each_boundary(m, days_before, occasion):
    run_sweep(DUE - timedelta(days=days_before))
    expected = [(m.provider.email, occasion)] if occasion else []
    assert [s for s in sent() if s[1].startswith("2025-q1")] == expected


def test_the_officer_is_told_7_days_after_the_due_date_not_before(m):
    run_sweep(DUE + timedelta(days=6))
    assert (m.officer.email, "2025-q1-escalated") not in sent()
    run_sweep(DUE + timedelta(days=7))
    assert (m.officer.email, "2025-q1-escalated") in sent()
    escalation = Notification.objects.get(recipient=m.officer, occasion="2025-q1-escalated")
    assert "7 days overdue" in escalation.subject


def test_each_reminder_goes_once_over_a_month_of_daily_sweeps(m):
    for offset in range(-20, 12):
        send_reminders.delay((DUE + timedelta(days=offset)).isoformat())  # the Celery task, run eagerly
    occasions = [occasion for _email, occasion in sent() if occasion.startswith("2025-q1")]
    assert sorted(occasions) == sorted(
        [
            "2025-q1-due-in-14-days",
            "2025-q1-due-in-7-days",
            "2025-q1-due-in-1-days",
            "2025-q1-overdue",
            "2025-q1-escalated",
        ]
    )
    assert len([msg for msg in mail.outbox if m.contract.reference in msg.subject and "2025/26 Q1" in msg.subject]) == 5


def test_a_submitted_return_is_not_chased_but_a_draft_is(m):
    draft = make_return(m, Q1)
    run_sweep(DUE - timedelta(days=7))
    assert (m.provider.email, "2025-q1-due-in-7-days") in sent()
    other = make_monitored_contract(start_on=date(2025, 4, 1))
    make_return(other, Q1, status=QuarterlyReturn.Status.SUBMITTED)
    run_sweep(DUE + timedelta(days=8))
    recipients = {email for email, occasion in sent() if occasion in {"2025-q1-overdue", "2025-q1-escalated"}}
    assert m.provider.email in recipients and other.provider.email not in recipients
    assert other.officer.email not in recipients
    assert draft.status == QuarterlyReturn.Status.DRAFT


def test_an_agreed_later_due_date_moves_the_reminders(m):
    from monitoring import services

    draft = make_return(m, Q1)
    services.set_due_date(quarterly_return=draft, due_on=DUE + timedelta(days=10), reason="Agreed", by=m.officer)
    run_sweep(DUE + timedelta(days=1))
    assert not [s for s in sent() if s[1] == "2025-q1-overdue"]
    assert (m.provider.email, "2025-q1-due-in-14-days") in sent()


def test_without_named_contacts_the_suppliers_users_and_the_authoritys_officers_are_told():
    officer = make_user(User.Role.OFFICER)
    m = make_monitored_contract(start_on=date(2025, 4, 1), officer=officer)
    colleague = make_user(User.Role.PROVIDER, supplier=m.contract.supplier)
    second_officer = make_user(User.Role.OFFICER, authority=officer.authority)
    run_sweep(DUE + timedelta(days=7))
    assert {e for e, o in sent() if o == "2025-q1-overdue"} == {m.provider.email, colleague.email}
    assert {e for e, o in sent() if o == "2025-q1-escalated"} == {officer.email, second_officer.email}


def test_contracts_ended_before_the_quarter_are_not_chased():
    make_monitored_contract(start_on=date(2022, 4, 1))  # ended 31 March 2025
    run_sweep(DUE + timedelta(days=1))
    assert [s for s in sent() if s[1].startswith("2025-q1")] == []
