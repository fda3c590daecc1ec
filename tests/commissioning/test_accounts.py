"""Separation of duties (issue 16, findings 1, 2 and 6): platform administrators, and only they, manage
accounts, through audited services; nobody types or sees another person's password; officers and
administrators take effect only once a second, different, established administrator approves them."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commissioning import accounts
from commissioning.accounts import AccountRuleError
from commissioning.models import AuditEvent, RoleRequest, User
from commissioning.rules import is_established, is_officer
from suppliers.models import SupplierMembership
from tests.factories import PASSWORD, make_authority, make_established, make_user

pytestmark = pytest.mark.django_db

USERS = "/admin/commissioning/user/"


@pytest.fixture
def administrator(db) -> User:
    return make_user(User.Role.ADMINISTRATOR, full_name="Ada Admin")


@pytest.fixture
def administrator2(db) -> User:
    return make_user(User.Role.ADMINISTRATOR, full_name="Bea Second")


def add_form(**values) -> dict:
    return {"email": "new.officer@example.org", "full_name": "Nia New", "job_title": "", "role": "officer", **values}


# --- Officers cannot manage accounts, in the admin or anywhere else --------------------------------------


def test_an_officer_cannot_create_a_user_in_the_admin(client, officer):
    client.force_login(officer)
    assert client.get(USERS).status_code == 403
    assert client.get(f"{USERS}add/").status_code == 403
    response = client.post(f"{USERS}add/", add_form(role="provider", authority=""))
    assert response.status_code == 403
    assert not User.objects.filter(email="new.officer@example.org").exists()
    assert not officer.has_perm("commissioning.add_user") and not officer.has_perm("commissioning.change_user")


def test_an_officer_cannot_reach_anyones_password_form(client, officer, provider):
    client.force_login(officer)
    for target in (provider, officer):
        assert client.get(f"{USERS}{target.pk}/change/").status_code == 403
        response = client.get(f"{USERS}{target.pk}/password/", follow=True)
        assert 'name="password1"' not in response.content.decode()
        assert response.status_code in {403, 404} or response.redirect_chain


def test_nobody_sees_a_password_form_for_another_person_not_even_an_administrator(client, administrator, provider):
    client.force_login(administrator)
    page = client.get(f"{USERS}{provider.pk}/change/").content.decode()
    assert 'type="password"' not in page
    response = client.get(f"{USERS}{provider.pk}/password/", follow=True)
    assert 'name="password1"' not in response.content.decode()


def test_an_officer_cannot_add_a_supplier_membership_inline(client, officer, provider):
    """Finding 1: an officer added their own provider-role user to a bidder through this inline."""
    client.force_login(officer)
    supplier = provider.supplier_membership.supplier
    page = client.get(f"/admin/suppliers/supplier/{supplier.pk}/change/").content.decode()
    assert 'name="memberships-0-user"' not in page and "memberships-__prefix__" not in page  # no row to add
    stooge = make_user(User.Role.OFFICER)
    data = {
        "legal_name": supplier.legal_name,
        "kind": supplier.kind,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": str(stooge.pk),
        "memberships-0-is_admin": "on",
    }
    client.post(f"/admin/suppliers/supplier/{supplier.pk}/change/", data)
    assert not SupplierMembership.objects.filter(user=stooge).exists()


def test_officers_cannot_read_or_send_invitations_in_the_admin(client, officer):
    client.force_login(officer)
    assert client.get("/admin/suppliers/invitation/").status_code == 403
    assert client.get("/admin/suppliers/invitation/add/").status_code == 403


def test_officers_cannot_call_the_account_services(officer, evaluator):
    for call in (
        lambda: accounts.create_account(by=officer, email="x@example.org", full_name="X", role="evaluator"),
        lambda: accounts.change_role(user=evaluator, role="officer", authority=officer.authority, by=officer),
        lambda: accounts.send_password_reset(user=evaluator, by=officer),
        lambda: accounts.deactivate_account(user=evaluator, by=officer),
    ):
        with pytest.raises(PermissionDenied):
            call()


# --- Administrators create accounts; officers and administrators need a second one ---------------------


def test_a_new_officer_waits_for_a_second_administrator(
    client, administrator, administrator2, django_capture_on_commit_callbacks
):
    authority = make_authority()
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{USERS}add/", add_form(authority=authority.pk))
    assert response.status_code == 302
    officer = User.objects.get(email="new.officer@example.org")
    assert officer.role == "officer" and not officer.is_active  # cannot act until approved
    request = RoleRequest.objects.get(user=officer)
    assert (request.status, request.requested_by, request.is_new_account) == ("pending", administrator, True)
    created = AuditEvent.objects.get(action="accounts.created")
    assert created.data["after"]["role"] == "officer" and created.data["after"]["authority"] == str(authority)
    assert [m.to for m in mail.outbox] == [[administrator2.email]]  # the other administrators are asked
    assert not is_officer(officer)

    # The one who asked cannot approve it.
    client.post(
        "/admin/commissioning/rolerequest/", {"action": "approve", "_selected_action": [request.pk]}, follow=True
    )
    request.refresh_from_db()
    assert request.status == "pending"
    with pytest.raises(AccountRuleError, match="second, different administrator"):
        accounts.approve_role_request(role_request=request, by=administrator)

    client.force_login(administrator2)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/admin/commissioning/rolerequest/", {"action": "approve", "_selected_action": [request.pk]}, follow=True
        )
    assert "approved" in page.content.decode()
    officer.refresh_from_db()
    assert officer.is_active and officer.role_approved_by == administrator2 and is_established(officer)
    approved = AuditEvent.objects.get(action="accounts.role_approved")
    assert approved.actor == administrator2 and approved.data["requested_by"] == administrator.email
    assert approved.data["changes"]["is_active"] == {"before": False, "after": True}
    welcome = mail.outbox[-1]
    assert welcome.to == [officer.email]
    assert "/password-reset/" in welcome.body and "/account/two-factor/set-up/" in welcome.body


def test_the_welcome_link_lets_the_holder_choose_their_own_password(
    client, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evaluator = accounts.create_account(
            by=administrator, email="Eva@Example.org ", full_name="Eva", role="evaluator", authority=make_authority()
        )
    assert evaluator.email == "eva@example.org" and evaluator.is_active  # evaluators need no second approval
    link = re.search(r"http://testserver(/password-reset/[^\s]+/)", mail.outbox[-1].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "my own passphrase 42", "new_password2": "my own passphrase 42"})
    assert response.status_code == 302
    assert (
        client.post("/sign-in/", {"username": evaluator.email, "password": "my own passphrase 42"}).status_code == 302
    )


def test_promoting_waits_and_the_account_keeps_its_old_role_until_then(
    client, administrator, administrator2, evaluator
):
    request = accounts.change_role(user=evaluator, role="officer", authority=evaluator.authority, by=administrator)
    evaluator.refresh_from_db()
    assert request is not None and evaluator.role == "evaluator"
    client.force_login(evaluator)
    assert client.get("/officer/").status_code == 403
    accounts.approve_role_request(role_request=request, by=administrator2)
    evaluator.refresh_from_db()
    assert evaluator.role == "officer" and evaluator.is_staff
    assert client.get("/officer/").status_code == 200


def test_an_approver_whose_own_role_is_new_and_unapproved_cannot_approve(administrator, evaluator):
    newcomer = make_user(User.Role.ADMINISTRATOR, role_approved_at=None)
    request = accounts.change_role(user=evaluator, role="administrator", authority=None, by=administrator)
    with pytest.raises(AccountRuleError, match="less than 7 days old"):
        accounts.approve_role_request(role_request=request, by=newcomer)
    newcomer.role_since = timezone.now() - timedelta(days=8)
    newcomer.save()
    accounts.approve_role_request(role_request=request, by=newcomer)


def test_a_refused_new_account_stays_closed(administrator, administrator2):
    user = accounts.create_account(by=administrator, email="a@example.org", full_name="A", role="administrator")
    request = user.role_requests.get()
    with pytest.raises(AccountRuleError, match="Say why"):
        accounts.refuse_role_request(role_request=request, by=administrator2, reason=" ")
    accounts.refuse_role_request(role_request=request, by=administrator2, reason="Not known to us")
    user.refresh_from_db()
    assert not user.is_active and user.role_requests.get().status == "refused"
    assert AuditEvent.objects.filter(action="accounts.role_refused", actor=administrator2).exists()


def test_the_refusal_page_asks_why(client, administrator, administrator2):
    user = accounts.create_account(
        by=administrator, email="b@example.org", full_name="B", role="officer", authority=make_authority()
    )
    request = user.role_requests.get()
    client.force_login(administrator2)
    page = client.post("/admin/commissioning/rolerequest/", {"action": "refuse", "_selected_action": [request.pk]})
    assert page.status_code == 200 and "Why are these requests refused?" in page.content.decode()
    client.post(
        "/admin/commissioning/rolerequest/",
        {"action": "refuse", "_selected_action": [request.pk], "apply": "Refuse", "reason": "Duplicate"},
    )
    request.refresh_from_db()
    assert request.status == "refused" and request.reason == "Duplicate"


def test_supplier_users_join_only_by_invitation(client, administrator):
    client.force_login(administrator)
    response = client.post(f"{USERS}add/", add_form(email="p@example.org", role="provider"))
    assert response.status_code == 200 and not User.objects.filter(email="p@example.org").exists()
    with pytest.raises(AccountRuleError, match="invitation"):
        accounts.create_account(by=administrator, email="p@example.org", full_name="P", role="provider")


def test_an_authority_role_needs_its_authority_and_the_form_says_so(client, administrator):
    client.force_login(administrator)
    response = client.post(f"{USERS}add/", add_form(role="partner", authority=""))
    assert "Select the authority they work for" in response.content.decode()


def test_an_address_already_in_use_in_other_letter_case_is_refused_on_the_form(client, administrator, partner):
    client.force_login(administrator)
    response = client.post(f"{USERS}add/", add_form(email=partner.email.upper(), role="administrator"))
    assert (
        response.status_code == 200 and "An account with this email address already exists" in response.content.decode()
    )


def test_an_administrator_cannot_change_their_own_role(client, administrator):
    client.force_login(administrator)
    data = {"full_name": administrator.full_name, "job_title": "", "role": "officer", "authority": make_authority().pk}
    response = client.post(f"{USERS}{administrator.pk}/change/", data)
    assert "Another administrator must change your own role" in response.content.decode()
    with pytest.raises(AccountRuleError):
        accounts.deactivate_account(user=administrator, by=administrator)


def test_changing_details_and_a_role_in_the_admin_is_audited_with_before_and_after(client, administrator, partner):
    client.force_login(administrator)
    other = make_authority()
    data = {"full_name": "Grace W. Renamed", "job_title": "Lead", "role": "evaluator", "authority": other.pk}
    assert client.post(f"{USERS}{partner.pk}/change/", data).status_code == 302
    partner.refresh_from_db()
    assert (partner.full_name, partner.role, partner.authority) == ("Grace W. Renamed", "evaluator", other)
    details = AuditEvent.objects.get(action="accounts.details_changed")
    assert details.data["changes"]["full_name"]["after"] == "Grace W. Renamed"
    role = AuditEvent.objects.get(action="accounts.role_changed")
    assert role.data["changes"]["role"] == {"before": "partner", "after": "evaluator"}
    assert role.actor == administrator and role.ip_address == "127.0.0.1"


def test_the_email_address_cannot_be_changed(client, administrator, partner):
    """Changing it would send the next reset link to someone else's mailbox."""
    client.force_login(administrator)
    page = client.get(f"{USERS}{partner.pk}/change/").content.decode()
    assert 'name="email"' not in page
    with pytest.raises(AccountRuleError):
        accounts.update_details(user=partner, by=administrator, email="mine@example.org")


def test_password_reset_links_are_sent_not_typed_and_audited(
    client, administrator, provider, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(USERS, {"action": "send_password_reset", "_selected_action": [provider.pk]})
    assert mail.outbox[-1].to == [provider.email] and "/password-reset/" in mail.outbox[-1].body
    event = AuditEvent.objects.get(action="accounts.password_reset_sent")
    assert event.actor == administrator and event.object_id == str(provider.pk)


def test_closing_and_reopening_an_account(client, administrator, administrator2, officer, partner):
    client.force_login(administrator)
    client.post(USERS, {"action": "deactivate", "_selected_action": [partner.pk, officer.pk]})
    partner.refresh_from_db()
    officer.refresh_from_db()
    assert not partner.is_active and not officer.is_active
    event = AuditEvent.objects.filter(action="accounts.deactivated").first()
    assert event.data["changes"]["is_active"] == {"before": True, "after": False}
    client.post(USERS, {"action": "reactivate", "_selected_action": [partner.pk, officer.pk]})
    partner.refresh_from_db()
    officer.refresh_from_db()
    assert partner.is_active and not officer.is_active  # an officer waits for a second administrator again
    accounts.approve_role_request(role_request=officer.role_requests.get(status="pending"), by=administrator2)
    officer.refresh_from_db()
    assert officer.is_active
    assert client.get(f"{USERS}{partner.pk}/delete/").status_code == 403  # closed, never deleted


# --- Platform administrators take no commissioning decisions --------------------------------------------


def test_administrators_read_across_the_admin_but_decide_nothing(client, administrator):
    client.force_login(administrator)
    assert client.get("/").url == "/admin/"
    for path in [
        "/admin/",
        "/admin/frameworks/framework/",
        "/admin/contracts/contract/",
        "/admin/commissioning/auditevent/",
    ]:
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/frameworks/framework/add/").status_code == 403
    assert client.get("/admin/contracts/contract/add/").status_code == 403
    assert client.get("/officer/").status_code == 403
    for perm in (
        "frameworks.run_selection",
        "contracts.run_competitions",
        "contracts.manage_lifecycle",
        "monitoring.review_returns",
        "frameworks.change_applicationwindow",
    ):
        assert not administrator.has_perm(perm), perm


def test_createsuperuser_makes_a_platform_administrator_not_a_superuser():
    user = User.objects.create_superuser("root@example.org", PASSWORD, full_name="Root")
    assert user.role == "administrator" and user.is_staff and not user.is_superuser
    assert is_established(user)  # whoever ran it has the server
    assert not user.has_perm("contracts.run_competitions")


# --- Established people ------------------------------------------------------------------------------------


def test_who_is_established():
    assert not is_established(make_user(User.Role.OFFICER))  # made today, nobody approved it
    assert is_established(make_established(User.Role.OFFICER))  # approved by a second administrator
    week_old = make_user(User.Role.OFFICER, role_since=timezone.now() - timedelta(days=7, minutes=1))
    assert is_established(week_old)
    closed = make_established(User.Role.OFFICER, is_active=False)
    assert not is_established(closed)


def test_no_admin_action_lets_an_administrator_take_a_decision(client, administrator):
    """Actions such as 'Make the selected contracts live' are offered on pages administrators may read;
    every change outside the accounts is refused whatever the page offers."""
    from tests.factories.contracts import make_contract

    contract = make_contract()
    client.force_login(administrator)
    response = client.post(
        "/admin/contracts/contract/", {"action": "make_live", "_selected_action": [contract.pk]}, follow=True
    )
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.is_draft
