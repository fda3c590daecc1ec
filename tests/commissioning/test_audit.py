import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from commissioning.audit import record, seal_pending, verify_chain
from commissioning.models import AuditChainHead, AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_record_chains_each_event_to_the_one_before(officer):
    first = record("test.first", by=officer, obj=officer, data={"amount": "100000.01"})
    second = record("test.second", by=None, actor_email="someone@example.org")
    assert first.seq is None  # sealed only once its transaction commits
    assert seal_pending() == 2
    assert seal_pending() == 0
    first.refresh_from_db()
    second.refresh_from_db()

    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert first.actor_email == officer.email
    assert first.organisation == officer.authority.name
    assert first.object_id == str(officer.pk)
    assert second.actor is None and second.actor_email == "someone@example.org"
    assert verify_chain() == (2, None)


def test_events_cannot_be_changed_or_deleted(officer):
    event = record("test.immutable", by=officer)
    event.action = "test.changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.immutable"


def test_verify_audit_reports_the_first_row_edited_behind_the_orm(officer, capsys):
    events = [record(f"test.step{i}", by=officer, data={"i": i}) for i in range(5)]
    seal_pending()
    call_command("verify_audit")
    assert "5 events verified" in capsys.readouterr().out

    with connection.cursor() as cursor:
        table = AuditEvent._meta.db_table
        cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["test.forged", events[2].pk])  # noqa: S608

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")
    assert f"broken at event {events[2].pk}" in str(excinfo.value)
    assert "2 events before it are intact" in str(excinfo.value)


def test_verify_audit_detects_a_deleted_middle_row(officer):
    events = [record(f"test.step{i}", by=officer) for i in range(3)]
    seal_pending()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])  # noqa: S608
    checked, broken = verify_chain()
    assert checked == 1
    assert broken.event_id == events[2].pk


def test_verify_audit_detects_deleted_newest_rows(officer):
    events = [record(f"test.step{i}", by=officer) for i in range(3)]
    seal_pending()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[2].pk])  # noqa: S608
    checked, broken = verify_chain()
    assert checked == 2
    assert broken is not None and "missing" in broken.reason


def test_provider_actor_is_recorded_with_their_organisation(provider):
    event = record("test.provider", by=provider)
    assert event.organisation == provider.supplier_membership.supplier.legal_name


def test_audit_admin_is_read_only_for_officers(client):
    officer = make_user("officer")
    record("contracts.meeting_action_added", by=officer)
    client.force_login(officer)
    response = client.get("/admin/commissioning/auditevent/")
    assert response.status_code == 200
    # The action as people say it, in the list and in the filter; never the code.
    assert response.content.count(b"Meeting action added") >= 2
    assert b"contracts.meeting_action_added</td>" not in response.content
    assert client.get("/admin/commissioning/auditevent/add/").status_code == 403


def test_the_sealed_fields_cannot_be_changed_through_the_model(officer):
    event = record("test.sealed", by=officer)
    seal_pending()
    event.refresh_from_db()
    event.hash = "0" * 64
    with pytest.raises(PermissionError):
        event.save()


@pytest.mark.django_db(transaction=True)
def test_events_are_sealed_when_their_transaction_commits():
    from django.db import transaction

    from tests.factories import make_user

    officer = make_user("officer")
    with transaction.atomic():
        event = record("test.committed", by=officer)
        assert AuditEvent.objects.get(pk=event.pk).seq is None
    assert AuditEvent.objects.get(pk=event.pk).seq is not None
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.rolled_back", by=officer)
        raise RuntimeError("rolled back")
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    assert verify_chain() == (AuditEvent.objects.count(), None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_unbroken_chain():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection as conn
    from django.db import transaction

    from tests.factories import make_user

    officer = make_user("officer")

    def write(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    record(f"test.concurrent.{n}.{i}", by=officer)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    checked, broken = verify_chain()
    assert broken is None and checked == AuditEvent.objects.count()
    assert AuditEvent.objects.filter(action__startswith="test.concurrent").count() == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sealing_after_a_commit_does_not_queue_behind_another_sealer():
    """While another process holds the chain, a request's after-commit seal gives up at once; the
    event is sealed by the next sealer that gets the lock."""
    import threading

    from django.db import connection as conn
    from django.db import transaction

    from commissioning.models import AuditChainHead
    from tests.factories import make_user

    officer = make_user("officer")
    AuditChainHead.objects.get_or_create(pk=1)
    locked, release = threading.Event(), threading.Event()

    def hold_the_chain():
        try:
            with transaction.atomic():
                AuditChainHead.objects.select_for_update().get(pk=1)
                locked.set()
                release.wait(timeout=10)
        finally:
            conn.close()

    holder = threading.Thread(target=hold_the_chain)
    holder.start()
    assert locked.wait(timeout=10)
    try:
        with transaction.atomic():  # its on-commit seal runs here, and must not wait for the holder
            event = record("test.while_locked", by=officer)
        event.refresh_from_db()
        assert event.seq is None
        assert seal_pending(wait=False) == 0
    finally:
        release.set()
        holder.join()
    assert seal_pending() >= 1
    event.refresh_from_db()
    assert event.seq is not None
    checked, broken = verify_chain()
    assert broken is None and checked == AuditEvent.objects.count()


def test_a_transaction_seals_all_its_events_once_when_it_commits(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        events = [record(f"test.event_{n}", by=officer) for n in range(3)]
    assert len(callbacks) == 1
    assert sorted(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("seq", flat=True)) == [1, 2, 3]


def test_an_event_after_a_rolled_back_savepoint_is_still_sealed(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                record("test.undone", by=officer)
                raise RuntimeError("roll back the savepoint, and the seal registered inside it")
        except RuntimeError:
            pass
        kept = record("test.kept", by=officer)
    kept.refresh_from_db()
    assert kept.seq == 1 and not AuditEvent.objects.filter(action="test.undone").exists()


def test_the_first_event_ever_starts_the_chain(officer):
    AuditChainHead.objects.all().delete()
    event = record("test.first_ever", by=officer)
    assert seal_pending(wait=False) == 1
    event.refresh_from_db()
    head = AuditChainHead.objects.get(pk=1)
    assert event.seq == 1 and head.last_hash == event.hash and head.last_event_id == event.pk


def test_reference_data_changed_in_the_admin_is_audited_with_before_and_after(client, officer):
    from commissioning.models import FundingStream

    client.force_login(officer)
    data = {
        "name": "MoJ core victims grant",
        "kind": "moj_core",  # a stream's type of funding (issue 20)
        "funder": "Ministry of Justice",
        "ring_fence_purpose": "",
        "notes": "",
        "allocations-TOTAL_FORMS": "1",
        "allocations-INITIAL_FORMS": "0",
        "allocations-0-financial_year": "2026",
        "allocations-0-amount": "1200000",
    }
    assert client.post("/admin/commissioning/fundingstream/add/", data).status_code == 302
    stream = FundingStream.objects.get()
    data.update({"funder": "MoJ", "allocations-INITIAL_FORMS": "1", "allocations-0-id": stream.allocations.get().pk})
    data["allocations-0-amount"] = "1300000"
    assert client.post(f"/admin/commissioning/fundingstream/{stream.pk}/change/", data).status_code == 302
    changed = AuditEvent.objects.get(action="commissioning.fundingstream.changed")
    assert changed.data["changes"] == {"funder": {"before": "Ministry of Justice", "after": "MoJ"}}
    allocation = AuditEvent.objects.get(action="commissioning.fundingallocation.changed")
    assert allocation.data["changes"]["amount"] == {"before": "1200000.00", "after": "1300000"}
    assert AuditEvent.objects.filter(action="commissioning.fundingstream.created", actor=officer).exists()
    assert stream.authority_id == officer.authority_id  # the officer's authority's budget
