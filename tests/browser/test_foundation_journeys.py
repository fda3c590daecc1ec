"""Each demo user signs in in a real browser; the foundation's pages pass axe-core's WCAG 2.2 AA rules."""

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in

HOMES = [
    ("officer@demo.test", "/officer/", "Commissioning officer home"),
    ("evaluator@demo.test", "/evaluator/", "Evaluator home"),
    ("provider@demo.test", "/provider/", "Brindley Domestic Abuse Support"),
    ("provider2@demo.test", "/provider/", "Arden Sexual Violence Advocacy CIC"),
    ("partner@demo.test", "/partner/", "Partner commissioner home"),
]


@pytest.mark.parametrize(("email", "path", "heading"), HOMES)
def test_demo_user_signs_in_from_the_start_page_and_sees_their_home(page, demo, email, path, heading):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{page.url.split('/sign-in')[0]}/sign-in/")
    assert_accessible(page)
    sign_in(page, email)
    assert page.url.endswith(path)
    expect(page.locator("h1")).to_have_text(heading)
    assert_page_structure(page)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/sign-in/")


def test_sign_in_errors_are_summarised_focused_and_accessible(page, demo):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator("#id_username-error, .govuk-error-message").first).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Email address").fill("provider@demo.test")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(page.get_by_label("Email address")).to_have_value("provider@demo.test")
    page.get_by_role("link", name="Enter a correct email address and password").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible(page)


def test_lock_out_page_is_accessible(page, demo):
    for _ in range(10):
        sign_in(page, "nobody@demo.test", "wrong password here")
    sign_in(page, "nobody@demo.test", "wrong password here")
    expect(page.locator("h1")).to_have_text("Too many attempts to sign in")
    assert_page_structure(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accessibility/", "Accessibility statement"),
        ("/privacy/", "Privacy notice"),
        ("/password-reset/", "Reset your password"),
        ("/no-such-page/", "Page not found"),
    ],
)
def test_information_and_error_pages_are_accessible(page, demo, path, heading):
    page.goto(path)
    expect(page.locator("h1")).to_have_text(heading)
    assert_page_structure(page)
    assert_accessible(page)


def test_forbidden_page_is_accessible(page, demo):
    sign_in(page, "provider@demo.test")
    response = page.goto("/officer/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    assert_page_structure(page)
    assert_accessible(page)


def test_server_error_page_is_accessible(page, demo, live_server):
    html = render_to_string("500.html")
    page.route("**/broken-page/", lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
    page.goto("/broken-page/")
    expect(page.locator("h1")).to_have_text("Sorry, there is a problem with the service")
    assert_page_structure(page)
    assert_accessible(page)


def test_keyboard_user_reaches_the_skip_link_first(page, demo):
    page.goto("/sign-in/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()


def test_the_accessibility_check_itself_catches_a_violation(page, demo):
    """Guards the harness: a page with an unlabelled field and an image without alt text must fail."""
    page.goto("/accessibility/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<input type="text"><img src="/static/img/favicon.svg">');
        }"""
    )
    with pytest.raises(AssertionError, match="image-alt|label"):
        assert_accessible(page)
