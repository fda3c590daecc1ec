"""Playwright driving Debian's Chromium against pytest-django's live server, with axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from commissioning.demo import DEMO_PASSWORD, load_core
from suppliers.demo import load_suppliers

# Playwright's sync API keeps an event loop on the main thread; the ORM calls the tests make there
# are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A page that does real work on submit (PDFs in eager tasks, notices) can take several seconds on a busy
# machine: wait up to 15 s for what a person would see, rather than Playwright's default 5 s.
expect.set_options(timeout=15_000)
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def statutory_thresholds(live_server):
    """The live server's tests are transactional: each empties every table when it ends, the rows that
    migrations add included. Put back the Act's thresholds (contracts migration 0004), as a database made by
    `migrate` holds them, so whether a notice is required does not depend on the order the tests run in."""
    from importlib import import_module

    from django.apps import apps

    import_module("contracts.migrations.0004_procurement_act_notices").add_thresholds(apps, None)


@pytest.fixture
def page(browser, live_server, statutory_thresholds):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield page
    context.close()
    assert problems == [], "The pages broke the CSP or raised JavaScript errors"


@pytest.fixture
def demo(transactional_db):
    users = load_core()
    load_suppliers(users)
    return users


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def assert_accessible(page: Page, *, preload: bool = True) -> None:
    """Run axe-core's WCAG 2.2 A and AA rules on the current page; fail on any violation.

    `preload=False` for Django admin forms: their stylesheet @imports another, which axe would re-insert
    as an inline style that the CSP (rightly) blocks. Only the orientation-lock rule reads stylesheets."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """async ([tags, preload]) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, preload});
            return result.violations.map(v => ({
                rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }""",
        [WCAG_TAGS, preload],
    )
    assert violations == [], f"axe-core found WCAG violations on {page.url}: {violations}"


def assert_page_structure(page: Page) -> None:
    """One h1, a real title, and breadcrumbs or a back link."""
    # A click that navigates returns before the new page has arrived: wait for it, then count.
    page.wait_for_load_state("load")
    page.locator("h1").first.wait_for(state="attached", timeout=15_000)
    assert page.locator("h1").count() == 1, f"{page.url} should have exactly one h1"
    assert page.title().strip(), f"{page.url} has no title"
    assert page.locator(".govuk-breadcrumbs, .govuk-back-link").count() >= 1
