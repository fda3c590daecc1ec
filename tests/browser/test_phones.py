"""Issue 18, phones: no page any demo role reaches scrolls sideways at 390 px.

For each demo role (officer, evaluator, both providers, partner, administrator and a signed-out
visitor) a phone-sized browser (390 x 844) signs in and visits, breadth first, every same-site page
linked from the pages it has seen, starting from the demo's home page (one URL per route and set of
query parameter names, as the crawl does), and on each HTML page measures
`document.documentElement.scrollWidth` against the window's width. The officer's and the
administrator's Django admin pages are visited too (the officer's index and change lists; the
administrator's down to each record's form and history). Downloads, pagination, delete pages and
sign-out are not followed.

It also checks the officer's navigation at 1280 px: the items stay on one line; and at 390 px the
menu button opens it and the header is not cut off.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from commissioning.demo import DEMO_PASSWORD
from tests.browser.test_crawl import _media_root, crawl_database, pattern_of, site  # noqa: F401 - fixtures

PHONE = {"width": 390, "height": 844}
ROLES = [
    None,  # signed out
    "officer@demo.test",
    "evaluator@demo.test",
    "provider@demo.test",
    "provider2@demo.test",
    "partner@demo.test",
    "admin@demo.test",
]
# The admin is walked below its index for these roles: the officer's change lists and add forms; the
# administrator's down to each record's form and history.
ADMIN_DEPTH = {"officer@demo.test": 1, "admin@demo.test": 2}
MAX_PAGES = 400


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/sign-in/" not in page.url, f"{email} could not sign in"


def walk(page: Page, base: str, role: str | None) -> tuple[list[str], list[str]]:
    """Visit every page the role reaches; return (pages visited, pages wider than the window)."""
    base = base.rstrip("/")
    seen: set[str] = set()
    visited: list[str] = []
    wide: list[str] = []
    admin_depth = ADMIN_DEPTH.get(role or "", 0)
    frontier = [(base + "/", 0)]
    if admin_depth:
        frontier.append((base + "/admin/", 0))
    while frontier and len(visited) < MAX_PAGES:
        found = []
        for url, depth in frontier:
            url = url.split("#")[0]
            parts = urlsplit(url)
            if not url.startswith(base + "/") or "page" in dict(parse_qsl(parts.query)):
                continue
            if parts.path.startswith(("/sign-out/", "/static/", "/media/", "/admin/logout/")):
                continue
            if parts.path.endswith("/delete/"):
                continue
            in_admin = parts.path.startswith("/admin/")
            if in_admin and (not admin_depth or depth > admin_depth):
                continue
            pattern = pattern_of(url)
            if pattern in seen:
                continue
            seen.add(pattern)
            try:
                response = page.goto(url)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue
                raise
            if response is None or response.status >= 400:
                continue
            headers = response.headers
            if "attachment" in headers.get("content-disposition", "") or "text/html" not in headers.get(
                "content-type", ""
            ):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            visited.append(path)
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                culprit = page.evaluate(WIDEST)
                wide.append(f"{path}: {widths[0]} px wide in a {widths[1]} px window ({culprit})")
            links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            next_depth = depth + 1 if in_admin or "/admin/" in url else depth
            found.extend((link, next_depth) for link in links if not link.startswith(("mailto:", "tel:")))
        frontier = found
    return visited, wide


# The outermost element that sticks out past the window's right edge: what makes the page scroll.
WIDEST = """() => {
    const width = window.innerWidth;
    const out = Array.from(document.querySelectorAll('body *')).filter(el => {
        const box = el.getBoundingClientRect();
        return box.right > width + 1 && box.width > 0;
    });
    const outer = out.filter(el => !out.includes(el.parentElement));
    return outer.slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
        + ' ' + Math.round(el.getBoundingClientRect().right) + 'px').join(', ');
}"""


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
def test_no_page_scrolls_sideways_on_a_phone(site, browser, role):  # noqa: F811 - fixture
    context = browser.new_context(base_url=site, viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        if role:
            sign_in(page, role)
        visited, wide = walk(page, site, role)
    finally:
        context.close()
    assert len(visited) >= 3, f"{role}: the walk reached only {visited}"
    listing = "\n  ".join(wide)
    assert wide == [], f"{role or 'signed out'}: {len(wide)} of {len(visited)} pages scroll sideways:\n  {listing}"


def test_the_officers_navigation_stays_on_one_line_at_1280_px(site, browser):  # noqa: F811 - fixture
    context = browser.new_context(base_url=site, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, "officer@demo.test")
        page.goto("/")
        tops = page.eval_on_selector_all(
            ".govuk-service-navigation__item", "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
        )
        assert len(tops) >= 5
        assert len(set(tops)) == 1, f"the officer's navigation wraps onto {len(set(tops))} lines: {tops}"
        # At 390 px the menu is there, and the header is not cut off.
        page.set_viewport_size(PHONE)
        page.goto("/")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        header = page.locator(".govuk-header").bounding_box()
        assert header and header["width"] <= PHONE["width"]
        page.get_by_role("button", name="Menu").click()
        assert page.locator(".govuk-service-navigation__list").is_visible()
    finally:
        context.close()
