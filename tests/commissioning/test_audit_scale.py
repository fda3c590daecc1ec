"""The audit trail at any length: verification from the last verified event, and an admin page whose
queries do not grow with the events."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.audit import record, seal_pending, verify_chain
from commissioning.audit_admin import distinct_actions
from commissioning.models import AuditCheckpoint, AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _forge(event: AuditEvent) -> None:
    with connection.cursor() as cursor:
        table = AuditEvent._meta.db_table
        cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["test.forged", event.pk])  # noqa: S608


def test_an_incremental_verification_starts_from_the_last_verified_event(officer):
    events = [record(f"test.step{i}", by=officer) for i in range(4)]
    seal_pending()
    assert verify_chain() == (4, None)
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.event_id) == (4, events[-1].pk)

    newer = [record(f"test.later{i}", by=officer) for i in range(2)]
    seal_pending()
    _forge(events[1])  # older than the checkpoint: left to the full verification
    assert verify_chain(incremental=True) == (6, None)
    assert AuditCheckpoint.objects.get().event_id == newer[-1].pk
    checked, broken = verify_chain()
    assert (checked, broken.event_id) == (1, events[1].pk)


def test_an_incremental_verification_finds_the_checkpoint_event_or_a_newer_one_edited(officer):
    events = [record(f"test.step{i}", by=officer) for i in range(3)]
    seal_pending()
    verify_chain()
    newer = record("test.later", by=officer)
    seal_pending()
    _forge(newer)
    checked, broken = verify_chain(incremental=True)
    assert (checked, broken.event_id) == (3, newer.pk)
    _forge(events[2])
    checked, broken = verify_chain(incremental=True)
    assert broken.event_id == events[2].pk and "last verified event" in broken.reason


def test_verify_audit_runs_in_full_or_incrementally(officer, capsys):
    for i in range(3):
        record(f"test.step{i}", by=officer)
    seal_pending()
    call_command("verify_audit", "--incremental")
    assert "3 events verified (from the last verified event)" in capsys.readouterr().out
    call_command("verify_audit")
    assert "3 events verified (in full)" in capsys.readouterr().out
    _forge(AuditEvent.objects.get(seq=3))
    with pytest.raises(CommandError):
        call_command("verify_audit", "--incremental")


def _trail_page_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/commissioning/auditevent/")
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_the_audit_trail_page_runs_as_many_queries_with_3_events_as_with_30(client):
    officer = make_user("officer")
    client.force_login(officer)
    for i in range(3):
        record("test.small", by=officer, data={"i": i})
    seal_pending()
    small, _ = _trail_page_queries(client)
    for i in range(27):
        record(f"test.kind{i % 3}", by=officer, data={"i": i})
    seal_pending()
    large, html = _trail_page_queries(client)
    assert small == large
    for action in ("test.small", "test.kind0", "test.kind2"):
        assert f"?action={action}" in html  # the action filter lists each kind


def test_the_action_filter_lists_each_action_once_in_order(officer):
    for action in ("b.second", "a.first", "b.second", "c.third"):
        record(action, by=officer)
    seal_pending()
    assert [a for a in distinct_actions() if a[1] == "."] == ["a.first", "b.second", "c.third"]


def test_the_audit_trail_shows_fifty_events_a_page_newest_first(client):
    officer = make_user("officer")
    client.force_login(officer)
    events = [record("test.paged", by=officer, data={"i": i}) for i in range(55)]
    seal_pending()
    response = client.get("/admin/commissioning/auditevent/")
    shown = list(response.context["cl"].result_list)
    assert [e.pk for e in shown] == [e.pk for e in reversed(events)][:50]
    second = client.get("/admin/commissioning/auditevent/?p=2")
    assert events[0].pk in [e.pk for e in second.context["cl"].result_list]
