"""What the provider's return form costs the server, which matters in the rush before a deadline: the
form, a draft save and a submission read the same number of queries however many figures the return
has; a complete indicator set is read without a lock; submitting saves and submits in one transaction
and still keeps the draft when the submission is refused."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.dates import Quarter
from commissioning.models import AuditEvent
from monitoring import figures as checks
from monitoring import selectors, services
from monitoring.models import QuarterlyReturn, ReturnValue
from monitoring.services import ReturnRuleError
from tests.factories.monitoring import NARRATIVE, at, make_monitored_contract, make_return, make_template, valid_raw

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status
Q1 = Quarter(2025, 1)

# A long return: a dozen counts, each broken down three ways, and a few percentages from counts.
LONG = [
    {
        "code": f"C{n}",
        "name": f"Count {n}",
        "counted": "people",
        "question": "how_much",
        "kind": "output",
        "unit": "count",
        "breakdowns": ["referral_source", "crime_type", "age_band"],
    }
    for n in range(12)
] + [
    {
        "code": f"P{n}",
        "name": f"Percentage {n}",
        "question": "how_well",
        "kind": "output",
        "unit": "percentage",
        "fraction_entry": True,
        "numerator_label": f"Contacted {n}",
        "denominator_label": f"Referred {n}",
    }
    for n in range(3)
]


def complete_raw(m) -> dict[str, str]:
    """Every figure, each breakdown adding up (all in its first category)."""
    raw = {}
    for indicator in m.indicators:
        if indicator.is_fraction:
            raw[checks.numerator_key(indicator)] = "3"
            raw[checks.denominator_key(indicator)] = "4"
            continue
        raw[checks.value_key(indicator)] = "10"
        for breakdown in indicator.breakdown_list:
            for n, (code, _label) in enumerate(checks.categories(breakdown.key, m.areas)):
                raw[checks.category_key(indicator, breakdown.key, code)] = "10" if n == 0 else "0"
    return raw


def form_data(raw, action):
    return {**raw, **NARRATIVE, "action": action}


def queries_of(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code in (200, 302)
    return len(queries)


def costs(client, m) -> dict[str, int]:
    url = reverse("monitoring:edit_return", args=[m.contract.pk, Q1.financial_year, Q1.number])
    raw = complete_raw(m)
    client.force_login(m.provider)
    client.post(url, form_data(raw, "save"))  # the return exists, as in the rush
    return {
        "form": queries_of(client, "get", url),
        "draft": queries_of(client, "post", url, form_data(raw, "save")),
        "submit": queries_of(client, "post", url, form_data(raw, "submit")),
    }


def test_the_form_a_draft_and_a_submission_cost_the_same_queries_however_many_figures(client):
    short = make_monitored_contract()
    long = make_monitored_contract(template=make_template(lot=None, specs=LONG), lot=None)
    assert len(long.indicators) == 15
    small, large = costs(client, short), costs(client, long)
    assert QuarterlyReturn.objects.filter(status=Status.SUBMITTED).count() == 2
    assert small == large
    # Savepoints are counted too (the test runs in a transaction); the audit seal runs after commit.
    # Whether the return is due is read from the contract the page has just loaded, not asked again: 8, 14
    # and 32 queries before.
    assert large["form"] <= 7
    assert large["draft"] <= 13
    # A submission also moves the return in the dashboard's tallies (monitoring.tallies): out of one count
    # and into another, which is created (in a savepoint) the first time: two more than before the tallies.
    # A first sending also moves the contract's returns-sent mark (monitoring.returns_sent): its sent quarters
    # read, the mark written: two more. The submission, made in the save's transaction, does not lock or
    # read the return the save has just locked and written.
    assert large["submit"] <= 30


def test_reading_a_complete_indicator_set_takes_two_queries_and_no_lock():
    m = make_monitored_contract()
    with CaptureQueriesContext(connection) as queries:
        assert services.set_up_indicators(contract=m.contract, by=m.provider) == m.indicators
    assert len(queries) == 2
    assert not any(
        word in q["sql"].upper() for q in queries.captured_queries for word in ("FOR UPDATE", "INSERT", "UPDATE ")
    )


def test_submitting_saves_and_submits_in_one_go(django_capture_on_commit_callbacks):
    m = make_monitored_contract()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.save_and_submit_return(
            contract=m.contract,
            quarter=Q1,
            raw=valid_raw(m),
            narrative=NARRATIVE,
            by=m.provider,
            now=at(date(2025, 7, 20)),
        )
    assert submitted.status == Status.SUBMITTED and submitted.submitted_at == at(date(2025, 7, 20))
    assert ReturnValue.objects.filter(quarterly_return=submitted).count() == 5
    events = AuditEvent.objects.filter(action__startswith="monitoring.return_", object_id=str(submitted.pk))
    actions = list(events.order_by("pk").values_list("action", flat=True))
    assert actions == ["monitoring.return_started", "monitoring.return_saved", "monitoring.return_submitted"]
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0  # sealed after the commit
    assert [message.subject for message in mail.outbox] == [f"Submitted: {m.contract.reference} return for 2025/26 Q1"]


def test_a_refused_submission_keeps_the_draft_it_saved(django_capture_on_commit_callbacks):
    m = make_monitored_contract()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReturnRuleError) as refused:
        services.save_and_submit_return(
            contract=m.contract,
            quarter=Q1,
            raw=valid_raw(m),
            narrative=NARRATIVE,
            by=m.provider,
            now=at(date(2025, 6, 20)),  # the quarter has not ended
        )
    assert "once the quarter has ended" in str(refused.value)
    draft = QuarterlyReturn.objects.get()
    assert draft.status == Status.DRAFT and draft.submitted_at is None
    assert draft.values.count() == 5
    events = AuditEvent.objects.filter(action__startswith="monitoring.return_", object_id=str(draft.pk))
    actions = set(events.values_list("action", flat=True))
    assert actions == {"monitoring.return_started", "monitoring.return_saved"}
    assert mail.outbox == []


def test_a_draft_saved_again_unchanged_keeps_its_figures():
    m = make_monitored_contract()
    first = make_return(m)
    before = {v.pk: (v.value, v.numerator, v.denominator, v.breakdowns) for v in first.values.all()}
    services.save_return(
        contract=m.contract, quarter=Q1, raw=valid_raw(m), narrative=NARRATIVE, by=m.provider, now=at(date(2025, 7, 6))
    )
    after = {v.pk: (v.value, v.numerator, v.denominator, v.breakdowns) for v in first.values.all()}
    assert after == before
    saved = AuditEvent.objects.filter(action="monitoring.return_saved", object_id=str(first.pk)).order_by("pk")
    assert [event.data["figures"] for event in saved] == [5, 5]


def test_a_return_never_submitted_has_no_reviews_to_read():
    m = make_monitored_contract()
    draft = make_return(m)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.reviews_of(draft) == []  # a plain list: the template's "if reviews" costs nothing
    assert len(queries) == 0
    returned = make_return(make_monitored_contract(), status=Status.RETURNED)
    assert [review.decision for review in selectors.reviews_of(returned)] == ["returned"]


def _writes(queries) -> list[str]:
    """The tables written, in order, from captured queries."""
    found = []
    for query in queries.captured_queries:
        sql = query["sql"].upper()
        for verb in ("INSERT INTO ", "UPDATE "):
            if sql.startswith(verb):
                found.append(sql[len(verb) :].split()[0].strip('"').lower())
    return found


def _entered(m, day: date) -> dict:
    return {
        "contract": m.contract,
        "quarter": Q1,
        "raw": valid_raw(m),
        "narrative": NARRATIVE,
        "by": m.provider,
        "now": at(day),
    }


def test_a_submission_moves_the_shared_tallies_last(django_capture_on_commit_callbacks):
    """Every return of a lot and quarter is counted in the same tally rows, locked until the commit: in the
    rush before a deadline, a submission that moved them first kept every other one waiting for the rest of
    its transaction."""
    m = make_monitored_contract()
    services.save_return(**_entered(m, date(2025, 7, 2)))
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        services.save_and_submit_return(**_entered(m, date(2025, 7, 20)))
    writes = _writes(queries)
    first_tally = writes.index("monitoring_returntally")
    assert {"commissioning_auditevent", "commissioning_notification", "monitoring_quarterlyreturn"} <= set(
        writes[:first_tally]
    )
    assert set(writes[first_tally:]) == {"monitoring_returntally"}


def test_starting_a_return_counts_it_last():
    m = make_monitored_contract()
    with CaptureQueriesContext(connection) as queries:
        services.save_return(**_entered(m, date(2025, 7, 2)))
    writes = _writes(queries)
    assert set(writes[writes.index("monitoring_returntally") :]) == {"monitoring_returntally"}  # updated or created
    assert "commissioning_auditevent" in writes and "monitoring_returnvalue" in writes


@pytest.mark.django_db(transaction=True)
def test_a_submission_seals_its_own_events_before_the_response(client):
    """The request that wrote the events chains them after its commit, before it answers. Handed to the
    worker, a task per commit, the sealing cost the rush's two CPUs more than it saved the requests."""
    m = make_monitored_contract()
    url = reverse("monitoring:edit_return", args=[m.contract.pk, Q1.financial_year, Q1.number])
    client.force_login(m.provider)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, form_data(complete_raw(m), "submit")).status_code == 302
    assert [q for q in queries.captured_queries if "auditchainhead" in q["sql"]]
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def test_the_return_pages_read_the_contract_with_what_they_show_and_nothing_else(client):
    """Each request of the deadline rush reads the provider's contract: with its supplier, lot and
    framework, which the return's pages show, in the same query, and not its buyer, which they do not."""
    m = make_monitored_contract()
    client.force_login(m.provider)
    make_return(m, Q1)
    args = [m.contract.pk, Q1.financial_year, Q1.number]
    for url in (reverse("monitoring:edit_return", args=args), reverse("monitoring:provider_return", args=args)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        contract_reads = [q["sql"] for q in queries if '"contracts_contract"."id"' in q["sql"].split("FROM")[0]]
        assert len(contract_reads) == 1, url
        for table in ('"suppliers_supplier"', '"frameworks_lot"', '"frameworks_framework"'):
            assert table in contract_reads[0]
        assert '"commissioning_authority"' not in contract_reads[0]
        assert not [q for q in queries if q["sql"].startswith('SELECT "frameworks_lot"')], url
