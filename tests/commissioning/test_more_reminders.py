"""The reminder sources of selection, suppliers and contracts, at their boundaries, sent once."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from commissioning.dates import LONDON
from commissioning.models import Notification, User
from commissioning.notifications import run_sweep
from suppliers.models import Accreditation
from tests.factories import make_user
from tests.factories.frameworks import make_window

pytestmark = pytest.mark.django_db(transaction=True)


def subjects():
    return sorted(m.subject for m in mail.outbox)


def test_window_closing_reminders_go_to_suppliers_with_a_draft_once():
    from frameworks import services

    provider = make_user(User.Role.PROVIDER)
    today = timezone.localdate()
    window = make_window(closes_at=datetime.combine(today + timedelta(days=7), time(17), tzinfo=LONDON))
    services.start_application(window=window, by=provider)
    run_sweep(today)
    run_sweep(today)
    assert len([m for m in mail.outbox if "applications close in 7 days" in m.subject]) == 1
    assert mail.outbox[0].to == [provider.email]
    run_sweep(today + timedelta(days=1))  # 6 days left: the 7-day reminder was already sent
    assert len(mail.outbox) == 1
    run_sweep(today + timedelta(days=6))
    assert any("tomorrow" in s for s in subjects())


def test_a_submitted_application_is_not_chased():
    from frameworks.models import Application

    provider = make_user(User.Role.PROVIDER)
    today = timezone.localdate()
    window = make_window(closes_at=datetime.combine(today + timedelta(days=1), time(17), tzinfo=LONDON))
    Application.objects.create(
        supplier=provider.supplier_membership.supplier, window=window, created_by=provider, status="submitted"
    )
    run_sweep(today)
    assert not [m for m in mail.outbox if "applications close" in m.subject]


@pytest.mark.parametrize(("days", "expected"), [(61, 0), (60, 1), (30, 1), (31, 1)])
def test_accreditation_expiry_offsets(days, expected):
    provider = make_user(User.Role.PROVIDER)
    today = date(2026, 11, 21)
    Accreditation.objects.create(
        supplier=provider.supplier_membership.supplier, scheme="safelives", expires_on=today + timedelta(days=days)
    )
    run_sweep(today)
    assert len([m for m in mail.outbox if "SafeLives" in m.subject]) == expected


def test_an_expired_insurance_tells_the_supplier_and_the_officers():
    from django.core.files.base import ContentFile

    from suppliers.models import SupplierDocument

    provider = make_user(User.Role.PROVIDER)
    officer = make_user(User.Role.OFFICER)
    today = date(2026, 11, 21)
    SupplierDocument.objects.create(
        supplier=provider.supplier_membership.supplier,
        kind="public_liability",
        title="Public liability insurance",
        file=ContentFile(b"%PDF-1.4", "pl.pdf"),
        sha256="x",
        expires_on=today - timedelta(days=2),
    )
    run_sweep(today)
    run_sweep(today)
    expired = [m for m in mail.outbox if "has expired" in m.subject]
    assert sorted(r for m in expired for r in m.to) == sorted([provider.email, officer.email])
    assert Notification.objects.filter(kind="accreditations-and-insurance-expiring").count() == 2


def test_contract_decision_point_and_meeting_reminders():
    from contracts.models import ContractMeeting
    from tests.factories.contracts import make_live_contract

    officer = make_user(User.Role.OFFICER)
    today = timezone.localdate()
    contract = make_live_contract(
        by=officer,
        buying_authority=officer.authority,
        start_on=today - timedelta(days=400),
        initial_end_on=today + timedelta(days=92),
    )
    contract.officer_manager = officer
    contract.save()
    ContractMeeting.objects.create(contract=contract, held_on=today + timedelta(days=7))
    run_sweep(today)
    run_sweep(today)
    assert len([m for m in mail.outbox if "reaches its end in 92 days" in m.subject]) == 1
    assert len([m for m in mail.outbox if "Contract meeting" in m.subject]) == 1
