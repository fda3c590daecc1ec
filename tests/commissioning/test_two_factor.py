"""Two-factor sign-in (issue 16, finding 5): required for officers, evaluators, administrators and
partners, and for a supplier's users once their organisation turns it on; offered to everyone. People
whose accounts an administrator makes set it up only through a one-time link e-mailed to them."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning import accounts
from commissioning.checks import two_factor_is_not_skipped
from commissioning.models import AuditEvent, TwoFactorLink, User
from suppliers import services as supplier_services
from suppliers.services import SupplierRuleError
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.SKIP_TWO_FACTOR = False


def sign_in(client, user):
    response = client.post("/sign-in/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_for(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def emailed_link(outbox) -> str:
    return re.search(r"http://testserver(/account/two-factor/set-up/[^\s]+/)", outbox[-1].body).group(1)


@pytest.mark.parametrize("role", ["officer", "evaluator", "partner", "administrator"])
def test_these_roles_must_pass_two_factor_before_any_page_the_admin_included(client, role):
    user = make_user(role)
    sign_in(client, user)
    for path in ["/", "/admin/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/account/two-factor/?next=")


def test_providers_need_it_only_when_their_organisation_turns_it_on(client, provider):
    sign_in(client, provider)
    assert client.get("/provider/").status_code == 200
    supplier = provider.supplier_membership.supplier
    supplier.require_two_factor = True
    supplier.save()
    response = client.get("/provider/")
    assert response.url.startswith("/account/two-factor/?next=")
    assert client.get(response.url).url.startswith("/account/two-factor/set-up/?next=")


def test_staff_cannot_enrol_their_own_authenticator_without_the_emailed_link(client, officer):
    """Whoever first holds a staff password must not be able to enrol an authenticator of their own."""
    sign_in(client, officer)
    for path in ["/account/two-factor/", "/account/two-factor/set-up/"]:
        html = client.get(path).content.decode()
        assert "the link we emailed" in html
        assert "<svg" not in html and "Key to type instead" not in html
    response = client.post("/account/two-factor/set-up/", {"token": "123456"})
    assert "<svg" not in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_an_officer_enrols_by_the_emailed_link(client, officer, django_capture_on_commit_callbacks):
    administrator = make_user(User.Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=True):
        accounts.send_two_factor_link(user=officer, by=administrator)
    assert mail.outbox[-1].to == [officer.email]
    link = emailed_link(mail.outbox)
    assert not TwoFactorLink.objects.filter(token_hash__contains=link.split("/")[-2]).exists()  # only a hash kept

    assert client.get(link).url.startswith("/sign-in/?next=")  # the password first
    sign_in(client, officer)
    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Key to type instead" in html
    assert not TOTPDevice.objects.exists()  # showing the page stores nothing

    wrong = client.post(link, {"token": "000000"})
    assert "The security code is wrong" in wrong.content.decode()
    key = client.session["pending_authenticator"]
    response = client.post(link, {"token": code_for(key), "next": "/officer/"})
    assert response.status_code == 302 and response.url == "/officer/"
    assert client.get("/officer/").status_code == 200
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed and device.key == key
    assert TwoFactorLink.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action="auth.two_factor_enrolled", actor=officer).exists()

    used = client.get(link)
    assert used.status_code == 410 and "used already" in used.content.decode()


@pytest.fixture
def send_link(django_capture_on_commit_callbacks):
    administrator = make_user(User.Role.ADMINISTRATOR)

    def send(user: User) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            accounts.send_two_factor_link(user=user, by=administrator)
        return emailed_link(mail.outbox)

    return send


def test_a_link_works_only_for_its_own_account_and_not_after_it_expires(client, officer, evaluator, send_link):
    link = send_link(officer)
    sign_in(client, evaluator)
    response = client.get(link)
    assert response.status_code == 410 and "sent to someone else" in response.content.decode()
    assert client.post(link, {"token": "123456"}).status_code == 410
    client.post("/sign-out/")
    TwoFactorLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    sign_in(client, officer)
    expired = client.get(link)
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert client.get("/account/two-factor/set-up/not-a-real-token/").status_code == 410


def test_a_new_link_replaces_the_old_one(client, officer, send_link):
    first = send_link(officer)
    second = send_link(officer)
    sign_in(client, officer)
    assert "expired" in client.get(first).content.decode()
    assert client.get(second).status_code == 200


def test_officers_cannot_send_set_up_links(officer):
    with pytest.raises(PermissionDenied) as refused:
        accounts.send_two_factor_link(user=make_user(User.Role.EVALUATOR), by=officer)
    assert "Only platform administrators" in str(refused.value)


def test_an_enrolled_officer_is_asked_for_a_code_and_the_wrong_ones_are_throttled(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    sign_in(client, officer)
    page = client.get("/account/two-factor/?next=/officer/").content.decode()
    assert "Enter your security code" in page and "<svg" not in page
    assert "The security code is wrong" in client.post("/account/two-factor/", {"token": "000000"}).content.decode()
    assert "Too many wrong codes" in client.post("/account/two-factor/", {"token": "000000"}).content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/account/two-factor/", {"token": code_for(device.key), "next": "/officer/"})
    assert response.status_code == 302 and response.url == "/officer/"
    assert client.get("/officer/").status_code == 200
    assert {"auth.two_factor_verified", "auth.two_factor_failed"} <= set(
        AuditEvent.objects.filter(actor=officer).values_list("action", flat=True)
    )


def test_the_code_must_be_six_digits(client, officer):
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    sign_in(client, officer)
    response = client.post("/account/two-factor/", {"token": "12ab"})
    assert "The security code must be 6 digits" in response.content.decode()


def test_any_provider_may_turn_it_on_and_is_then_asked_for_a_code(client, provider):
    sign_in(client, provider)
    account = client.get("/account/").content.decode()
    assert "Two-factor authentication" in account and "Turn on" in account
    page = client.get("/account/two-factor/set-up/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    key = client.session["pending_authenticator"]
    response = client.post("/account/two-factor/set-up/", {"token": code_for(key)})
    assert response.status_code == 302 and response.url == "/account/"
    assert TOTPDevice.objects.get(user=provider).confirmed
    client.post("/sign-out/")
    sign_in(client, provider)
    assert client.get("/provider/").url.startswith("/account/two-factor/?next=")


def test_a_supplier_turns_it_on_only_once_its_administrator_has_it(provider):
    supplier = provider.supplier_membership.supplier
    with pytest.raises(SupplierRuleError, match="your own account first"):
        supplier_services.set_two_factor_requirement(supplier=supplier, required=True, by=provider)
    TOTPDevice.objects.create(user=provider, name="phone", confirmed=True)
    supplier_services.set_two_factor_requirement(supplier=supplier, required=True, by=provider)
    supplier.refresh_from_db()
    assert supplier.require_two_factor
    event = AuditEvent.objects.get(action="supplier.two_factor_requirement_changed")
    assert event.data["changes"] == {"require_two_factor": {"before": False, "after": True}}
    colleague = make_user(User.Role.PROVIDER, supplier=supplier)
    colleague.refresh_from_db()
    assert colleague.needs_two_factor


def test_the_organisation_page_turns_it_on(client, provider):
    TOTPDevice.objects.create(user=provider, name="phone", confirmed=True)
    client.force_login(provider)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=provider).persistent_id
    session.save()
    page = client.get("/provider/organisation/two-factor/")
    assert page.status_code == 200
    response = client.post("/provider/organisation/two-factor/", {"required": "True"})
    assert response.status_code == 302
    supplier = provider.supplier_membership.supplier
    supplier.refresh_from_db()
    assert supplier.require_two_factor


def test_a_colleague_who_is_not_an_administrator_cannot_change_it(client, provider):
    colleague = make_user(User.Role.PROVIDER, supplier=provider.supplier_membership.supplier)
    colleague.supplier_membership.is_admin = False
    colleague.supplier_membership.save()
    client.force_login(colleague)
    assert client.get("/provider/organisation/two-factor/").status_code == 403


def test_development_may_skip_it_but_the_deployment_check_refuses(settings, client, officer):
    settings.SKIP_TWO_FACTOR = True
    sign_in(client, officer)
    assert client.get("/officer/").status_code == 200
    errors = two_factor_is_not_skipped(None)
    assert [error.id for error in errors] == ["commissioning.E001"]
    settings.SKIP_TWO_FACTOR = False
    assert two_factor_is_not_skipped(None) == []


def test_a_password_alone_cannot_replace_a_providers_authenticator(client, provider):
    """Whoever learns the password must not swap the authenticator for their own."""
    TOTPDevice.objects.create(user=provider, name="phone", confirmed=True)
    sign_in(client, provider)
    response = client.get("/account/two-factor/set-up/")
    assert response.status_code == 302 and response.url.startswith("/account/two-factor/?next=")
    client.post("/account/two-factor/set-up/", {"token": "123456"})
    assert TOTPDevice.objects.filter(user=provider).count() == 1
