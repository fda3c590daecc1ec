"""Issue 18: a partner commissioner at Coventry City Council opens their home page and sees the suppliers
added to or changed on the lists shared with them since their last visit. At the next visit what they
have seen is gone; after an officer of the lead authority lifts a supplier's suspension through the
portal, the visit after lists it as changed. Opening the home page records the visit (the one thing that GET
writes, as tests/quality/test_get_writes_nothing.py allows) and nothing else. Every page passes axe-core's
WCAG 2.2 A and AA rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.clock import happened_at
from commissioning.models import Area, AuditEvent, Authority, User
from frameworks import services
from frameworks.models import Appointment, HomeVisit
from suppliers.models import Supplier
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories.frameworks import make_appointment, make_framework, make_lot

QUEUE = "#queue-supplier-changes"


@pytest.fixture
def shared(demo):
    """A framework the West Midlands OPCC leads, shared with Coventry: Arden appointed two months ago and
    suspended a week later, Brindley appointed three days ago."""
    coventry = Authority.objects.get(name="Coventry City Council")
    lead = Authority.objects.get(is_lead_commissioner=True)
    framework = make_framework(
        title="Victim Services Approved Provider Framework",
        reference="WM-VS-2026",
        lead_authority=lead,
        partners=[coventry],
        term_end=date(2035, 3, 31),
    )
    lot = make_lot(framework, title="Domestic abuse community support")
    coventry_area = Area.objects.get(name="Coventry")
    now = timezone.now()
    with happened_at(now - timedelta(days=60)):
        arden = make_appointment(
            lot, Supplier.objects.get(legal_name="Arden Sexual Violence Advocacy CIC"), areas=[coventry_area]
        )
    with happened_at(now - timedelta(days=53)):
        arden = services.change_appointment_status(
            appointment=arden,
            status=Appointment.Status.SUSPENDED,
            reason="Safeguarding review of the Coventry service.",
            by=User.objects.get(email="officer@demo.test"),
        )
    with happened_at(now - timedelta(days=3)):
        make_appointment(lot, Supplier.objects.get(legal_name="Brindley Domestic Abuse Support"), areas=[coventry_area])
    return framework, arden


def later(partner_email: str = "partner@demo.test") -> None:
    """Two hours pass: the partner's next look at their home page is a new visit."""
    HomeVisit.objects.filter(user__email=partner_email).update(seen_at=timezone.now() - timedelta(hours=2))


def written_by_reading() -> tuple[int, int]:
    """What a GET must not change: the appointments' history, and the audit trail beyond sign-in records."""
    return (
        Appointment.history.count(),
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
    )


def test_the_partner_sees_what_changed_since_their_last_visit(page, browser, live_server, shared):
    framework, arden = shared

    # First visit: what changed in the last 30 days (Brindley's new appointment), not Arden (suspended).
    sign_in(page, "partner@demo.test")
    expect(page.locator("h1")).to_have_text("Partner commissioner home")
    queue = page.locator(QUEUE)
    expect(queue.get_by_role("heading")).to_contain_text("Suppliers added or changed since your last visit")
    expect(queue).to_contain_text("Brindley Domestic Abuse Support: WM-VS-2026 lot 1")
    expect(queue).to_contain_text("Added")
    expect(queue).not_to_contain_text("Arden")
    assert_page_structure(page)
    assert_accessible(page)
    visit = HomeVisit.objects.get(user__email="partner@demo.test")

    # Reloading the page is the same visit: what changed stays listed, and reading writes nothing else.
    before = written_by_reading()
    page.reload()
    expect(page.locator(QUEUE)).to_contain_text("Brindley Domestic Abuse Support")
    assert written_by_reading() == before

    # The next visit: nothing has changed since the last one.
    later()
    page.goto(reverse("partner_home"))
    expect(page.locator(QUEUE)).to_contain_text("No suppliers have been added or changed since your last visit")
    expect(page.locator(QUEUE)).not_to_contain_text("Brindley")
    assert_accessible(page)
    assert written_by_reading() == before
    visit.refresh_from_db()
    assert visit.previous_at is not None and visit.previous_at < visit.seen_at

    # Meanwhile an officer of the lead authority lifts Arden's suspension through the portal.
    officer_context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    officer = officer_context.new_page()
    try:
        sign_in(officer, "officer@demo.test")
        officer.goto(reverse("frameworks:approved_list", args=[framework.pk]))
        officer.get_by_role("link", name="Change status of Arden Sexual Violence Advocacy CIC on lot 1").click()
        officer.get_by_label("Active").check()
        officer.get_by_label("Reason").fill("Safeguarding review completed: no concerns.")
        officer.get_by_role("button", name="Save").click()
        expect(officer.locator(".govuk-notification-banner")).to_contain_text("is now active")
    finally:
        officer_context.close()
    arden.refresh_from_db()
    assert arden.status == Appointment.Status.ACTIVE

    # The partner's next visit lists the change, and only it.
    later()
    page.goto(reverse("partner_home"))
    queue = page.locator(QUEUE)
    expect(queue).to_contain_text("Arden Sexual Violence Advocacy CIC: WM-VS-2026 lot 1")
    expect(queue).to_contain_text("Changed")
    expect(queue).not_to_contain_text("Brindley")
    expect(queue.locator(".app-work-queue__count")).to_contain_text("1")
    assert_page_structure(page)
    assert_accessible(page)

    # The queue leads to the shared frameworks, where the list is read.
    queue.get_by_role("link", name="See the shared frameworks").click()
    expect(page.locator("h1")).to_have_text("Frameworks shared with you")
    assert_accessible(page)
