"""Invitations to act for a supplier (issue 16, finding 8): tokens only in the invitee's mailbox, seven
days' life, a clear message (never a 500) for a used, expired or unknown link or an address that has
registered meanwhile, nobody signed in accepting one, a daily limit per organisation, and the
organisation's users told when someone joins."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from commissioning.models import AuditEvent, User
from suppliers import services
from suppliers.models import Invitation
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSPHRASE = "a long enough passphrase"


@pytest.fixture
def invite(provider, django_capture_on_commit_callbacks):
    def send(email="colleague@example.org", by=None) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.invite_colleague(
                supplier=provider.supplier_membership.supplier,
                by=by or provider,
                email=email,
                full_name="Sam Colleague",
            )
        found = re.search(r"/invitations/[^\s]+/", mail.outbox[-1].body)
        return found.group(0) if found else ""

    return send


def accept(client, link):
    return client.post(link, {"password1": PASSPHRASE, "password2": PASSPHRASE})


def test_only_a_hash_of_the_token_is_kept_and_the_admin_shows_none(client, invite):
    link = invite()
    token = link.rstrip("/").split("/")[-1]
    invitation = Invitation.objects.get()
    assert token not in str(Invitation.objects.values().get())
    assert invitation.token_hash == services.invitation_hash(token)
    administrator = make_user(User.Role.ADMINISTRATOR)
    client.force_login(administrator)
    page = client.get(f"/admin/suppliers/invitation/{invitation.pk}/change/").content.decode()
    assert token not in page and invitation.token_hash not in page


def test_accepting_tells_the_organisations_users(client, provider, invite, django_capture_on_commit_callbacks):
    link = invite()
    with django_capture_on_commit_callbacks(execute=True):
        assert accept(client, link).status_code == 302
    joined = mail.outbox[-1]
    assert joined.to == [provider.email]
    assert "Sam Colleague" in joined.subject and "invited by" in joined.body
    event = AuditEvent.objects.get(action="supplier.invitation_accepted")
    assert event.data["invited_by"] == provider.email


def test_an_invitation_expires_after_seven_days(client, invite):
    link = invite()
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(link)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert accept(client, link).status_code == 410
    assert not User.objects.filter(email="colleague@example.org").exists()


def test_an_unknown_link_gets_a_message(client):
    response = client.get("/invitations/not-a-token/")
    assert response.status_code == 410 and "not valid" in response.content.decode()


def test_accepting_after_the_address_registered_elsewhere_is_a_message_not_a_500(client, invite):
    link = invite()
    make_user(User.Role.PROVIDER, email="colleague@example.org")  # registered another organisation meanwhile
    client.raise_request_exception = False
    response = client.get(link)
    assert response.status_code == 410 and "already exists" in response.content.decode()
    assert accept(client, link).status_code == 410


def test_the_race_at_the_moment_of_accepting_is_a_message_too(invite):
    invite()
    invitation = Invitation.objects.get()
    make_user(User.Role.PROVIDER, email="colleague@example.org")
    with pytest.raises(services.InvitationProblem, match="already exists"):
        services.accept_invitation(invitation=invitation, password=PASSPHRASE)


def test_a_signed_in_officer_cannot_accept_an_invitation(client, officer, invite):
    link = invite()
    client.force_login(officer)
    assert client.get(link).status_code == 403
    response = accept(client, link)
    assert response.status_code == 403 and "sign out" in response.content.decode()
    assert not User.objects.filter(email="colleague@example.org").exists()


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(client, provider, invite):
    make_user(User.Role.OFFICER, email="known@example.org")
    client.force_login(provider)
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        response = client.post(
            "/provider/organisation/people/invite/", {"full_name": "Pat", "email": email}, follow=True
        )
        banner = re.search(r'notification-banner__heading">([^<]*)<', response.content.decode()).group(1)
        answers.append((response.redirect_chain, banner.replace(email, "ADDRESS")))
    assert answers[0] == answers[1]
    assert "We have emailed ADDRESS" in answers[0][1]
    pending = client.get("/provider/organisation/").content.decode()
    assert "known@example.org" in pending and "unknown@example.org" in pending  # both shown as invited


def test_the_email_to_an_existing_account_says_what_happened_and_has_no_link(invite):
    make_user(User.Role.OFFICER, email="known@example.org")
    assert invite("known@example.org") == ""
    assert "already has an account" in mail.outbox[-1].body


def test_invitations_per_organisation_per_day_are_limited(client, provider, settings, invite):
    settings.INVITATIONS_PER_SUPPLIER_PER_DAY = 2
    invite("a@example.org")
    invite("b@example.org")
    with pytest.raises(services.SupplierRuleError, match="the most allowed"):
        invite("c@example.org")
    client.force_login(provider)
    response = client.post("/provider/organisation/people/invite/", {"full_name": "C", "email": "c@example.org"})
    assert response.status_code == 200 and "the most allowed" in response.content.decode()
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    invite("c@example.org")


def test_a_new_invitation_to_the_same_address_replaces_the_old_one(client, invite):
    first = invite()
    second = invite()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_platform_administrator_may_invite_through_the_admin_and_an_officer_may_not(client, provider, officer):
    supplier = provider.supplier_membership.supplier
    administrator = make_user(User.Role.ADMINISTRATOR)
    client.force_login(administrator)
    data = {"supplier": supplier.pk, "email": "helper@example.org", "full_name": "Hal Helper"}
    assert client.post("/admin/suppliers/invitation/add/", data).status_code == 302
    assert Invitation.objects.get().invited_by == administrator
    client.force_login(officer)
    assert client.post("/admin/suppliers/invitation/add/", data).status_code == 403
