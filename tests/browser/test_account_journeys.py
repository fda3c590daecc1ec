"""Accounts in a real browser, with axe-core on each page: a platform administrator asks for a new officer,
a second administrator approves it, and the new officer chooses a password and sets up two-factor sign-in
through the links e-mailed to them."""

import re

import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from commissioning.models import Authority, RoleRequest, User
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in

NEW_OFFICER = "nia.new@opcc.demo.test"
PASSPHRASE = "a passphrase of my own 42"


def sign_out(page: Page) -> None:
    page.goto("/account/")
    page.get_by_role("button", name="Sign out").click()


def assert_admin_page(page: Page) -> None:
    page.wait_for_load_state("load")
    assert page.locator("h1").count() == 1 and page.title().strip()
    assert_accessible(page, preload=False)


def approve_in_the_admin(page: Page, officer: User) -> None:
    page.goto("/admin/commissioning/rolerequest/?status__exact=pending")
    assert_admin_page(page)
    page.locator(f'input[name="_selected_action"][value="{officer.role_requests.get().pk}"]').check()
    page.locator('select[name="action"]').select_option("approve")
    page.get_by_role("button", name="Go").click()


def link_in_mail(pattern: str) -> str:
    for message in reversed(mail.outbox):
        found = re.search(rf"http://[^/\s]+({pattern}[^\s]*/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no e-mail holds a link like {pattern}")


def test_a_second_administrator_approves_a_new_officer(page, demo, settings):
    settings.SKIP_TWO_FACTOR = True  # this journey is about the approval; the next one about two-factor
    lead = Authority.objects.get(is_lead_commissioner=True)

    sign_in(page, "admin@demo.test")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    assert_admin_page(page)
    page.goto("/admin/commissioning/user/add/")
    assert_admin_page(page)
    page.get_by_label("Email").fill(NEW_OFFICER)
    page.get_by_label("Full name").fill("Nia New")
    page.get_by_label("Role").select_option("officer")
    page.get_by_label("Authority").select_option(str(lead.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("waiting for a second administrator")
    assert_admin_page(page)
    officer = User.objects.get(email=NEW_OFFICER)
    assert not officer.is_active

    # The one who asked cannot approve their own request.
    approve_in_the_admin(page, officer)
    expect(page.locator(".messagelist")).to_contain_text("A second, different administrator must approve")
    sign_out(page)

    sign_in(page, "admin2@demo.test")
    approve_in_the_admin(page, officer)
    expect(page.locator(".messagelist")).to_contain_text("approved")
    assert_admin_page(page)
    officer.refresh_from_db()
    assert officer.is_active and officer.role_approved_by.email == "admin2@demo.test"
    assert RoleRequest.objects.get(user=officer).status == "approved"
    assert mail.outbox[-1].to == [NEW_OFFICER]


@pytest.fixture
def approved_officer(demo, django_capture_on_commit_callbacks):
    from commissioning import accounts

    lead = Authority.objects.get(is_lead_commissioner=True)
    with django_capture_on_commit_callbacks(execute=True):
        officer = accounts.create_account(
            by=demo["admin@demo.test"], email=NEW_OFFICER, full_name="Nia New", role="officer", authority=lead
        )
        accounts.approve_role_request(role_request=officer.role_requests.get(), by=demo["admin2@demo.test"])
    return officer


def test_a_new_officer_chooses_a_password_and_enrols_two_factor_by_the_emailed_links(page, approved_officer, settings):
    settings.SKIP_TWO_FACTOR = False
    enrol_link = link_in_mail("/account/two-factor/set-up/")

    page.goto(link_in_mail("/password-reset/"))
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(PASSPHRASE)
    page.get_by_label("New password confirmation").fill(PASSPHRASE)
    page.get_by_role("button", name=re.compile("password", re.I)).click()
    assert_page_structure(page)

    sign_in(page, NEW_OFFICER, PASSPHRASE)
    # Without the link there is no way to enrol: the page says where the link is.
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication with your emailed link")
    assert_page_structure(page)
    assert_accessible(page)
    assert page.locator("svg").count() == 0

    page.goto(enrol_link)
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication")
    assert_page_structure(page)
    assert_accessible(page)
    key = page.locator(".portal-secret").inner_text()
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is wrong")
    assert_accessible(page)

    from base64 import b32decode

    secret = b32decode(key + "=" * (-len(key) % 8))
    page.get_by_label("Security code").fill(f"{totp(secret):06d}")
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-factor authentication is set up")
    expect(page.locator("h1")).to_have_text("Your account")
    assert_accessible(page)

    # The link is spent; the next sign-in asks for a code.
    page.goto(enrol_link)
    expect(page.locator("h1")).to_have_text("This link cannot be used")
    assert_accessible(page)
    sign_out(page)
    sign_in(page, NEW_OFFICER, PASSPHRASE)
    expect(page.locator("h1")).to_have_text("Enter your security code")
    assert_accessible(page)
