import pytest
from django.core.management import CommandError, call_command

from commissioning.audit import record
from commissioning.demo import DEMO_PASSWORD
from commissioning.models import Area, Authority, User
from commissioning.rules import is_established
from commissioning.tasks import verify_audit_chain
from suppliers.models import Supplier


@pytest.mark.django_db
def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_creates_the_seven_demo_users(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    counts = [model.objects.count() for model in (User, Area, Authority, Supplier)]
    call_command("load_demo")
    assert [model.objects.count() for model in (User, Area, Authority, Supplier)] == counts
    assert User.objects.filter(email__endswith="@demo.test").count() == 7
    assert Area.objects.count() == 7
    assert set(Area.objects.values_list("name", flat=True)) == {
        "Birmingham",
        "Coventry",
        "Dudley",
        "Sandwell",
        "Solihull",
        "Walsall",
        "Wolverhampton",
    }
    assert Authority.objects.filter(is_lead_commissioner=True).count() == 1
    assert Supplier.objects.filter(memberships__user__email__endswith="@demo.test").count() == 2
    provider = User.objects.get(email="provider@demo.test")
    provider2 = User.objects.get(email="provider2@demo.test")
    assert provider.supplier_membership.supplier != provider2.supplier_membership.supplier
    assert User.objects.get(email="partner@demo.test").authority.name == "Coventry City Council"
    officer = User.objects.get(email="officer@demo.test")
    assert officer.is_staff and not officer.is_superuser
    # Two platform administrators; the officer's account was asked for by one and approved by the other.
    admin, admin2 = (User.objects.get(email=f"{name}@demo.test") for name in ("admin", "admin2"))
    assert admin.role == admin2.role == User.Role.ADMINISTRATOR and admin.is_staff and not admin.is_superuser
    assert officer.role_approved_by == admin2
    request = officer.role_requests.get()
    assert (request.requested_by, request.decided_by, request.status) == (admin, admin2, "approved")
    assert is_established(officer) and is_established(admin2)
    assert not User.objects.get(email="evaluator@demo.test").is_staff
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.filter(email__endswith="@demo.test"))
    assert "officer@demo.test" in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_audit_chain_task_runs_eagerly_without_a_broker(officer):
    record("test.one", by=officer)
    assert verify_audit_chain.delay().get() == {"checked": 1, "broken_event_id": None, "reason": ""}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_on_the_shared_database(celery_worker, officer):
    for i in range(3):
        record(f"test.worker{i}", by=officer)
    result = verify_audit_chain.apply_async(ignore_result=False)
    assert result.get(timeout=60) == {"checked": 3, "broken_event_id": None, "reason": ""}


@pytest.mark.django_db
def test_the_demo_history_is_dated_when_it_happened(settings):
    """Issue 18: the 2025 window's applications, decisions and returns carry their 2025 dates in the
    audit trail and the contract's field history, not the day the demo was loaded."""
    from datetime import date

    from commissioning.clock import happened_at
    from commissioning.models import AuditEvent
    from contracts.models import Contract
    from tests.factories import make_user

    settings.DEBUG = True
    call_command("load_demo")
    submitted = AuditEvent.objects.filter(action="application.submitted")
    assert submitted.exists()
    assert {event.occurred_at.year for event in submitted} >= {2025}
    assert all(event.occurred_at.date() < date(2026, 7, 1) for event in submitted.filter(object_repr__contains="2025"))
    accepted = AuditEvent.objects.filter(action="monitoring.return_accepted")
    assert accepted.exists()
    assert 2025 in {event.occurred_at.year for event in accepted}
    assert not any(event.occurred_at.date() == date.today() for event in accepted)
    contract = Contract.objects.get(reference="WMOPCC-IDVA-BHM-2025")
    # Called off after the framework's first appointments (1 July 2025): set up in September 2025.
    assert min(h.history_date for h in contract.history.all()).date() == date(2025, 9, 15)
    # The chain still verifies with the replayed times in it.
    assert verify_audit_chain.delay().get()["broken_event_id"] is None
    # Outside a replay, events carry now.
    from django.utils import timezone

    event = record("test.now", by=make_user("officer"))
    assert abs((event.occurred_at - timezone.now()).total_seconds()) < 60
    with happened_at(timezone.now().replace(year=2025)):
        assert record("test.then", by=None).occurred_at.year == 2025
