"""Issue 18, part B in a real browser with axe-core: the quarterly return's jump links and running
totals, the lots page's conditional reveal (and all areas shown without JavaScript), and the admin
(index, audit trail, frameworks, change forms, a lot added mid-window and published) as an officer."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from commissioning.models import User
from frameworks.models import Lot
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.browser.test_returns_journey import BREAKDOWN, returns_setup  # noqa: F401 - fixture
from tests.browser.test_selection_journeys import framework_setup  # noqa: F401 - fixture


def test_the_return_form_has_jump_links_and_running_totals(page, returns_setup):  # noqa: F811
    monitored, quarter = returns_setup
    sign_in(page, "provider@demo.test")
    page.goto("/provider/returns/")
    page.get_by_role("link", name=f"Start the {quarter.label} return for {monitored.contract.reference}").click()
    contents = page.get_by_role("navigation", name="Contents")
    # Counted once the form has loaded: counted straight after the click, the sections were those of the
    # page being left (none), and the contents' links were then expected to be none.
    expect(contents).to_be_visible()
    sections = page.locator("form h2.govuk-heading-m").count()
    assert sections > 1
    expect(contents.get_by_role("link")).to_have_count(sections)
    contents.get_by_role("link", name="Narrative").click()
    expect(page).to_have_url(re.compile(r"#section-narrative$"))
    expect(page.locator("#section-narrative")).to_be_in_viewport()

    page.get_by_label("Referrals received", exact=True).fill("224")
    breakdown = page.get_by_role("group", name=BREAKDOWN)
    breakdown.get_by_label("Police").fill("199")
    breakdown.get_by_label("Self-referral").fill("15")
    breakdown.get_by_label("Not known").fill("5")
    total = breakdown.locator(".app-running-total")
    expect(total).to_have_text("Running total: 219 of 224 for referrals received: 5 still to place")
    breakdown.get_by_label("Police").fill("204")
    expect(total).to_have_text("Running total: 224, which matches referrals received (224)")
    assert_page_structure(page)
    assert_accessible(page)
    # The server's check is unchanged: a wrong sum is still refused on submit.
    breakdown.get_by_label("Police").fill("199")
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Referral source adds up to 219")


def _open_lots_page(page) -> None:
    sign_in(page, "provider@demo.test")
    page.goto("/provider/opportunities/")
    page.get_by_role("button", name="Start an application").click()
    page.get_by_role("link", name="Lots and areas").click()


def test_the_lots_page_reveals_a_lots_areas_only_once_it_is_chosen(page, framework_setup):  # noqa: F811
    _open_lots_page(page)
    lot1_areas = page.locator("#conditional-lot-1")
    expect(lot1_areas).to_be_hidden()
    expect(page.locator("#conditional-lot-2")).to_be_hidden()
    page.locator("#id_lot_1").check()
    expect(lot1_areas).to_be_visible()
    expect(page.locator("#id_lot_1")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#conditional-lot-2")).to_be_hidden()
    assert_page_structure(page)
    assert_accessible(page)
    lot1_areas.locator("input[name='areas_1']").first.check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_contain_text("Your application to")


def test_without_javascript_every_lots_areas_are_shown(browser, live_server, framework_setup):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        _open_lots_page(page)
        expect(page.locator("#conditional-lot-1 input[name='areas_1']").first).to_be_visible()
        expect(page.locator("#conditional-lot-2 input[name='areas_2']").first).to_be_visible()
    finally:
        context.close()


def test_the_admin_passes_axe_and_a_lot_added_mid_window_waits_to_be_published(page, framework_setup):  # noqa: F811
    framework, window, lot1, lot2 = framework_setup
    officer = User.objects.get(email="officer@demo.test")
    assert officer.authority_id == framework.lead_authority_id
    sign_in(page, "officer@demo.test")
    for path in [
        "/admin/",
        "/admin/commissioning/auditevent/",
        "/admin/frameworks/framework/",
        f"/admin/frameworks/framework/{framework.pk}/change/",
        f"/admin/frameworks/lot/{lot1.pk}/change/",
        f"/admin/frameworks/applicationwindow/{window.pk}/change/",
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page, preload=False)

    page.goto("/admin/frameworks/lot/add/")
    page.get_by_label("Framework").select_option(str(framework.pk))
    page.get_by_label("Number").fill("3")
    page.get_by_label("Title").fill("Children and young people ISVA")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("application window is open")
    assert_accessible(page, preload=False)
    page.get_by_label("Add this lot while the application window is open").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    lot = Lot.objects.get(framework=framework, number=3)
    assert not lot.is_published

    page.goto("/admin/frameworks/lot/?is_published__exact=0")
    assert_accessible(page, preload=False)
    page.locator(f"input[name='_selected_action'][value='{lot.pk}']").check()
    page.get_by_label("Action:").select_option("publish_lots")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 lot published.")
    lot.refresh_from_db()
    assert lot.is_published
    page.goto("/admin/commissioning/auditevent/")
    expect(page.locator("#result_list")).to_contain_text("Lot published")
