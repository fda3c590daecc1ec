"""Issue 18: the officer's and provider's home pages list the award stage's and the contracts' work:
competitions closing or waiting to be opened, clarification questions to answer and answers published,
invitations, contracts at a decision point or end, and notices due; scoped to the user, in a fixed number
of queries (asserted with 5 and 200 items)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.models import User
from commissioning.work_queues import COUNT_UP_TO
from contracts import work_queues as contract_queues
from contracts.award import services
from contracts.award import work_queues as award_queues
from contracts.models import Contract, add_months
from contracts.models.terms import MonthsBefore, months_before
from contracts.notices.models import Notice
from tests.factories import make_user
from tests.factories.awards import close_now, complete_tender, make_award_setup, make_published_mini
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db

_n = count(1)


def home(client, user, name: str) -> str:
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def queries(builder, user) -> int:
    with CaptureQueriesContext(connection) as captured:
        builder(user, timezone.now())
    return len(captured.captured_queries)


@pytest.fixture
def setup():
    return make_award_setup()


def test_a_competition_closing_then_waiting_to_be_opened(client, setup):
    competition = make_published_mini(setup)
    html = home(client, setup.officer, "officer_home")
    assert 'id="queue-competitions-closing"' in html and "Closing soon" in html
    assert reverse("awards:officer_competition", args=[competition.pk]) in html

    close_now(competition)
    assert "Waiting to be opened" in home(client, setup.officer2, "officer_home")
    other = make_user(User.Role.OFFICER)
    assert reverse("awards:officer_competition", args=[competition.pk]) not in home(client, other, "officer_home")


def test_a_question_to_answer_then_the_answer_for_bidders(client, setup):
    competition = make_published_mini(setup)
    question = services.ask_question(competition=competition, question="Is TUPE expected?", by=setup.providers[0])
    html = home(client, setup.officer, "officer_home")
    assert 'id="queue-questions-to-answer"' in html
    assert reverse("awards:answer_question", args=[competition.pk, question.pk]) in html

    services.answer_question(question=question, answer="No.", by=setup.officer, notify=False)
    assert 'id="queue-questions-to-answer"' not in home(client, setup.officer, "officer_home")
    html = home(client, setup.providers[1], "provider_home")
    assert 'id="queue-clarification-answers"' in html
    assert reverse("awards:provider_competition", args=[competition.pk]) in html


def test_an_invitation_on_the_providers_home_until_they_respond(client, setup):
    competition = make_published_mini(setup)
    url = reverse("awards:provider_competition", args=[competition.pk])
    html = home(client, setup.providers[0], "provider_home")
    assert 'id="queue-invitations"' in html and url in html
    assert url not in home(client, setup.partial_provider, "provider_home")  # not invited: areas not covered

    complete_tender(competition, setup.providers[0])
    assert url not in home(client, setup.providers[0], "provider_home")


def test_the_competitions_queue_reads_the_same_queries_with_5_or_200(setup):
    competition = make_published_mini(setup)

    def more(n):
        for _ in range(n):
            copy = type(competition).objects.get(pk=competition.pk)
            copy.pk = None
            copy.reference = f"MC-COPY-{next(_n)}"
            copy.save()

    more(4)
    few = queries(award_queues.competitions_closing, setup.officer)
    more(195)
    assert queries(award_queues.competitions_closing, setup.officer) == few


def test_a_contract_reaching_its_end_or_extension_decision(client):
    officer = make_user(User.Role.OFFICER)
    today = timezone.localdate()
    ending = make_live_contract(
        by=officer,
        buying_authority=officer.authority,
        start_on=date(2024, 4, 1),
        initial_end_on=today + timedelta(days=60),
    )
    deciding = make_live_contract(
        by=officer,
        buying_authority=officer.authority,
        start_on=date(2024, 4, 1),
        initial_end_on=add_months(today, 9),
        extension_months=[12],
    )
    later = make_live_contract(
        by=officer, buying_authority=officer.authority, start_on=date(2024, 4, 1), initial_end_on=add_months(today, 20)
    )

    html = home(client, officer, "officer_home")

    assert 'id="queue-contracts-deciding"' in html
    assert reverse("contracts:officer_contract", args=[ending.pk]) in html
    assert reverse("contracts:officer_contract", args=[deciding.pk]) in html and "Extension decision" in html
    assert reverse("contracts:officer_contract", args=[later.pk]) not in html
    assert reverse("contracts:officer_contract", args=[ending.pk]) not in home(
        client, make_user(User.Role.OFFICER), "officer_home"
    )


def test_the_contracts_queue_reads_the_same_queries_with_5_or_200():
    officer = make_user(User.Role.OFFICER)
    contract = make_live_contract(
        by=officer,
        buying_authority=officer.authority,
        start_on=date(2024, 4, 1),
        initial_end_on=add_months(timezone.localdate(), 9),
        extension_months=[12],
    )

    def more(n):
        for _ in range(n):
            copy = Contract.objects.get(pk=contract.pk)
            copy.pk = None
            copy.reference = f"COPY-{next(_n)}"
            copy.save()
            copy.extension_options.create(sequence=1, months=12)

    more(4)
    few = queries(contract_queues.contracts_deciding, officer)
    more(195)
    assert queries(contract_queues.contracts_deciding, officer) == few


def make_notice(officer, *, deadline: date) -> Notice:
    n = next(_n)
    return Notice.objects.create(
        key=f"test:{n}:UK6",
        notice_type="UK6",
        ocid=f"ocds-test-{n}",
        title=f"Contract award notice {n}",
        buying_authority=officer.authority,
        target_type=ContentType.objects.get_for_model(Contract),
        target_id=n,
        basis="s.50 of the Procurement Act 2023",
        deadline=deadline,
        deadline_basis="Before entering into the contract",
    )


def test_notices_due_and_overdue(client):
    officer = make_user(User.Role.OFFICER)
    today = timezone.localdate()
    late = make_notice(officer, deadline=today - timedelta(days=2))
    soon = make_notice(officer, deadline=today + timedelta(days=5))
    far = make_notice(officer, deadline=today + timedelta(days=60))

    html = home(client, officer, "officer_home")

    queue = html[html.index('id="queue-notices-due"') :]
    assert reverse("notices:notice", args=[late.pk]) in queue and "Overdue" in queue
    assert reverse("notices:notice", args=[soon.pk]) in queue
    assert reverse("notices:notice", args=[far.pk]) not in html
    # Overdue work comes first on the page.
    assert html.index('id="queue-notices-due"') < html.index('id="queue-returns-to-review"')
    assert reverse("notices:notice", args=[late.pk]) not in home(client, make_user(User.Role.OFFICER), "officer_home")


def test_the_notices_queue_reads_the_same_queries_with_5_or_200():
    officer = make_user(User.Role.OFFICER)
    today = timezone.localdate()
    for _ in range(5):
        make_notice(officer, deadline=today)
    few = queries(contract_queues.notices_due, officer)
    for _ in range(195):
        make_notice(officer, deadline=today)
    assert queries(contract_queues.notices_due, officer) == few


@pytest.mark.parametrize(
    ("day", "months"),
    [
        (date(2027, 3, 31), 1),
        (date(2027, 3, 31), 13),
        (date(2028, 3, 29), 1),
        (date(2024, 2, 29), 12),
        (date(2026, 1, 15), 6),
    ],
)
def test_the_database_counts_months_back_as_months_before_does(day, months):
    """The queue orders and filters by a decision date the database works out; it must be the day the
    contract page shows (clamped to a shorter month's end), on SQLite and on PostgreSQL."""
    contract = make_live_contract(start_on=date(2020, 4, 1), initial_end_on=day)
    Contract.objects.filter(pk=contract.pk).update(extension_notice_months=months)

    found = (
        Contract.objects.filter(pk=contract.pk)
        .annotate(on=MonthsBefore(F("current_end_on"), F("extension_notice_months")))
        .values_list("on", flat=True)
        .get()
    )

    assert found == months_before(day, months)


def test_the_decision_point_is_the_end_once_no_option_is_left_or_the_contract_is_terminated(client):
    officer = make_user(User.Role.OFFICER)
    today = timezone.localdate()
    with_option = make_live_contract(
        by=officer, buying_authority=officer.authority, start_on=date(2024, 4, 1),
        initial_end_on=add_months(today, 5), extension_months=[12],
    )  # fmt: skip
    no_option = make_live_contract(
        by=officer, buying_authority=officer.authority, start_on=date(2024, 4, 1), initial_end_on=add_months(today, 4)
    )

    queue = contract_queues.contracts_deciding(officer, timezone.now())

    by_title = {item.title.split(":")[0]: item for item in queue.items}
    assert by_title[with_option.reference].tag == "Extension decision"
    assert by_title[with_option.reference].when == with_option.next_extension_decision_on()
    assert by_title[no_option.reference].tag == "Ending"
    assert by_title[no_option.reference].when == no_option.current_end_on
    assert [item.title.split(":")[0] for item in queue.items] == [with_option.reference, no_option.reference]


def test_a_long_queue_is_counted_up_to_its_limit_and_said_to_be_longer(client):
    officer = make_user(User.Role.OFFICER)
    ends_on = add_months(timezone.localdate(), 2)
    contract = make_live_contract(
        by=officer, buying_authority=officer.authority, start_on=date(2024, 4, 1), initial_end_on=ends_on
    )
    copies = []
    for _ in range(COUNT_UP_TO + 5):
        copy = Contract.objects.get(pk=contract.pk)
        copy.pk, copy.reference = None, f"LONG-{next(_n)}"
        copies.append(copy)
    Contract.objects.bulk_create(copies)

    queue = contract_queues.contracts_deciding(officer, timezone.now())

    assert queue.over_count and queue.count_label == f"{COUNT_UP_TO}+"
    assert queue.more_label == f"over {COUNT_UP_TO - len(queue.items)} more"
    html = home(client, officer, "officer_home")
    assert f"Count: </span>{COUNT_UP_TO}+" in html
    assert "More than" in html and "things need doing" in html


def test_the_notices_queue_is_overdue_only_when_a_deadline_has_passed():
    """Overdue comes from the first notice shown (soonest deadline first), not from a query of its own: a
    notice due today is not overdue, one due yesterday is, whatever else is due."""
    officer = make_user(User.Role.OFFICER)
    today = timezone.localdate()
    make_notice(officer, deadline=today)
    make_notice(officer, deadline=today + timedelta(days=3))
    now = timezone.now()
    assert contract_queues.notices_due(officer, now).urgency == wq.ACTION
    make_notice(officer, deadline=today - timedelta(days=1))
    queue = contract_queues.notices_due(officer, now)
    assert queue.urgency == wq.OVERDUE
    assert queue.count == 3
    assert contract_queues.notices_due(make_user(User.Role.OFFICER), now).count == 0
