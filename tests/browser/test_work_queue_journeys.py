"""Issue 18 in a real browser, with axe-core on every page: a signed-out visitor finds the open
opportunities and registration; the officer's home lists an overdue return and sends a reminder; the
provider's task list shows a blocker where it arises."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commissioning.models import Area, Authority, Notification
from frameworks import services
from frameworks.models import SelectionQuestion
from suppliers.models import Accreditation
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories.frameworks import make_framework, make_lot, make_question, make_window
from tests.factories.monitoring import make_monitored_contract


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


@pytest.fixture
def open_framework(demo):
    lead = Authority.objects.get(is_lead_commissioner=True)
    framework = make_framework(
        lead_authority=lead,
        title="Domestic Abuse and Sexual Assault and Abuse Services Commissioning Framework",
        reference="WMOPCC-DASAA-2026",
    )
    lot = make_lot(framework, number=3, title="Independent Sexual Violence Advisors (ISVA)")
    make_question(framework, section="Service delivery", weight=100, text="How will you deliver the service?")
    make_question(
        framework,
        lot=lot,
        section="Quality standards",
        kind=SelectionQuestion.Kind.PASS_FAIL,
        weight=0,
        required_accreditation="limeculture",
        text="Hold a current LimeCulture accreditation for your ISVA service.",
    )
    window = make_window(framework, title="Annual reopening 2026")
    return framework, lot, window


def test_a_signed_out_visitor_finds_the_open_window_and_registers(page, open_framework):
    framework, _, _ = open_framework
    page.goto("/")
    queue = page.locator("#queue-open-windows")
    expect(queue).to_contain_text(framework.title)
    expect(queue).to_contain_text("Closes at")
    check(page)
    queue.get_by_role("link", name="See the open opportunities").click()
    expect(page.locator("h1")).to_have_text("Open opportunities")
    check(page)
    page.goto("/")
    page.get_by_role("link", name="Register your organisation").click()
    expect(page.locator("h1")).to_have_text("Register your organisation")
    check(page)
    page.goto("/sign-in/")
    page.get_by_role("link", name="register your organisation").click()
    expect(page.locator("h1")).to_have_text("Register your organisation")


def test_the_officer_sends_a_reminder_about_an_overdue_return_from_their_home(page, demo):
    officer, provider = demo["officer@demo.test"], demo["provider@demo.test"]
    m = make_monitored_contract(officer=officer, provider=provider, title="Community IDVA service")
    sign_in(page, "officer@demo.test")
    queue = page.locator("#queue-overdue-returns")
    expect(queue).to_contain_text(m.contract.reference)
    check(page)
    queue.get_by_role("button", name="Send a reminder").first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reminder sent to")
    check(page)
    assert Notification.objects.filter(recipient=provider, occasion__contains="chased-").exists()


def test_the_task_list_shows_a_missing_accreditation_as_soon_as_the_lot_is_chosen(page, demo, open_framework):
    _, lot, window = open_framework
    provider = demo["provider@demo.test"]
    Accreditation.objects.filter(supplier=provider.supplier_membership.supplier, scheme="limeculture").delete()
    application = services.start_application(window=window, by=provider)
    services.save_lots(application=application, by=provider, choices={lot: list(Area.objects.all()[:1])})
    sign_in(page, "provider@demo.test")
    page.goto(f"/provider/applications/{application.pk}/")
    section = page.locator(".govuk-task-list__item", has_text="Quality standards")
    expect(section).to_contain_text("Needs action")
    expect(section).to_contain_text("does not hold a current LimeCulture")
    check(page)
    page.get_by_role("link", name="Add an accreditation to your organisation").click()
    check(page)
