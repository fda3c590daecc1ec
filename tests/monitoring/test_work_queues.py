"""Issue 18: the officer's home lists returns to review and overdue returns, most urgent first, with a
"Send a reminder" button that goes through the reminder mechanism and is audited; the provider's home
lists returns due and sent back. Each queue costs the same queries with 5 items or 200."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.dates import Quarter
from commissioning.models import AuditEvent, Notification, User
from contracts.models import Contract
from monitoring import reminders
from monitoring.models import QuarterlyReturn
from tests.factories import make_user
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db


def last_due_quarter() -> Quarter:
    today = timezone.localdate()
    quarter = Quarter.containing(today)
    while quarter.return_due >= today:
        quarter = quarter.previous()
    return quarter


def remind_url(contract: Contract, quarter: Quarter) -> str:
    return reverse("monitoring:send_reminder", args=[contract.pk, quarter.financial_year, quarter.number])


_clones = count(1)


def clone_contracts(contract: Contract, n: int) -> None:
    """More contracts like this one, for the query counts (saved directly: only their number matters)."""
    areas = list(contract.areas.all())
    for _ in range(n):
        copy = Contract.objects.get(pk=contract.pk)
        copy.pk = None
        copy.reference = f"{contract.reference}-{next(_clones)}"
        copy.save()
        copy.areas.set(areas)


def test_the_officer_sees_an_overdue_return_and_sends_a_reminder(client):
    m = make_monitored_contract()
    quarter = last_due_quarter()
    client.force_login(m.officer)

    html = client.get(reverse("officer_home")).content.decode()
    assert 'id="queue-overdue-returns"' in html
    assert f"{m.contract.supplier.legal_name}: {quarter.label} return for {m.contract.reference}" in html
    assert remind_url(m.contract, quarter) in html

    response = client.post(remind_url(m.contract, quarter), follow=True)

    assert "Reminder sent to 1 person" in response.content.decode()
    sent = Notification.objects.get(recipient=m.provider, kind=reminders.KIND, occasion__contains="chased-")
    assert sent.subject == f"Overdue: your {quarter.label} return for {m.contract.reference}"
    event = AuditEvent.objects.get(action="returns.reminder_sent")
    assert event.actor == m.officer
    assert event.data["recipients"] == [m.provider.email]

    # Once a day per person: a second press sends nothing more and says so.
    again = client.post(remind_url(m.contract, quarter), follow=True).content.decode()
    assert "already sent today" in again
    assert Notification.objects.filter(recipient=m.provider, occasion__contains="chased-").count() == 1


def test_the_overdue_queue_comes_before_the_rest(client):
    m = make_monitored_contract()
    client.force_login(m.officer)
    html = client.get(reverse("officer_home")).content.decode()
    assert html.index('id="queue-overdue-returns"') < html.index('id="queue-returns-to-review"')


def test_a_submitted_return_is_not_overdue_and_cannot_be_chased(client):
    m = make_monitored_contract()
    quarter = last_due_quarter()
    make_return(m, quarter, status=QuarterlyReturn.Status.SUBMITTED, submitted_on=quarter.return_due)
    client.force_login(m.officer)

    html = client.get(reverse("officer_home")).content.decode()
    assert remind_url(m.contract, quarter) not in html
    assert f"return for {m.contract.reference}" in html  # now waiting for review instead
    assert 'id="queue-returns-to-review"' in html

    response = client.post(remind_url(m.contract, quarter), follow=True)
    assert "nothing to chase" in response.content.decode()
    assert not Notification.objects.filter(occasion__contains="chased-").exists()


def test_only_the_buying_authoritys_officers_may_chase(client):
    m = make_monitored_contract()
    quarter = last_due_quarter()
    client.force_login(make_user(User.Role.OFFICER))
    assert client.post(remind_url(m.contract, quarter)).status_code == 404
    assert f"return for {m.contract.reference}" not in client.get(reverse("officer_home")).content.decode()
    client.force_login(m.provider)
    assert client.post(remind_url(m.contract, quarter)).status_code == 403
    client.force_login(m.officer)
    assert client.get(remind_url(m.contract, quarter)).status_code == 405
    assert not Notification.objects.filter(occasion__contains="chased-").exists()
    assert not AuditEvent.objects.filter(action="returns.reminder_sent").exists()


def test_a_return_not_yet_due_cannot_be_chased(client):
    m = make_monitored_contract()
    upcoming = Quarter.containing(timezone.localdate())
    client.force_login(m.officer)
    response = client.post(remind_url(m.contract, upcoming), follow=True)
    assert "is not overdue" in response.content.decode()


def test_the_provider_sees_returns_due_and_sent_back(client):
    m = make_monitored_contract()
    quarter = last_due_quarter()
    make_return(m, quarter, status=QuarterlyReturn.Status.RETURNED, submitted_on=quarter.return_due)
    client.force_login(m.provider)

    html = client.get(reverse("provider_home")).content.decode()

    assert 'id="queue-returns"' in html
    assert "Sent back for amendment" in html
    assert f"{quarter.previous().label} return for {m.contract.reference}" in html  # overdue, not started
    assert reverse("monitoring:edit_return", args=[m.contract.pk, quarter.financial_year, quarter.number]) in html


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_officers_queues_cost_the_same_with_5_or_200_returns(client):
    m = make_monitored_contract()
    quarter = last_due_quarter()
    make_return(m, quarter, status=QuarterlyReturn.Status.SUBMITTED, submitted_on=quarter.return_due)
    # Six contracts, one of which sent the last quarter's return: five unsent in each quarter, as many as the
    # queue shows, so each quarter is counted as well as read.
    clone_contracts(m.contract, 5)
    client.force_login(m.officer)
    few = queries_for(client, reverse("officer_home"))
    clone_contracts(m.contract, 194)
    assert Contract.objects.count() == 200
    assert queries_for(client, reverse("officer_home")) == few


def test_the_providers_queue_costs_the_same_with_5_or_200_returns(client):
    m = make_monitored_contract()
    clone_contracts(m.contract, 4)
    client.force_login(m.provider)
    few = queries_for(client, reverse("provider_home"))
    clone_contracts(m.contract, 195)
    assert queries_for(client, reverse("provider_home")) == few


def test_the_reminder_is_refused_before_the_due_date_even_through_the_service():
    m = make_monitored_contract()
    quarter = last_due_quarter()
    with pytest.raises(reminders.ReminderRefused):
        reminders.send_overdue_reminder(
            contract=m.contract, quarter=quarter, by=m.officer, today=quarter.return_due - timedelta(days=1)
        )
