"""Registration (finding 5): the same answer whether or not an address has an account, with an email that
says what happened; charity and company numbers in their registers' formats; an organisation whose number
or look-alike name is another's flagged for an officer, who confirms it is different or rejects it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import AuditEvent, User
from suppliers import identifiers, registration
from suppliers.models import DuplicateCheck, PendingRegistration, Supplier
from tests.factories import make_supplier, make_user
from tests.factories.files import ARABIC_THREE
from tests.suppliers import test_suppliers

pytestmark = pytest.mark.django_db
FORM = test_suppliers.TestRegistration.FORM


def register(client, form: dict):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/register/", form)


def confirm(client, email: str = FORM["email"]) -> User:
    link = re.search(r"/register/confirm/[^\s]+/", mail.outbox[-1].body).group(0)
    response = client.post(link)
    assert response.status_code == 302, response.content.decode()
    return User.objects.get(email=email)


class TestSameAnswerForEveryAddress:
    def test_an_address_with_an_account_gets_the_same_page_and_an_email_saying_so(self, client):
        new = register(client, FORM)
        page_for_new = client.get(new.url).content
        make_user("provider", email="taken@example.org")
        known = register(client, FORM | {"email": "Taken@Example.org", "legal_name": "Another Trust"})
        assert (new.status_code, new.url) == (known.status_code, known.url)
        assert client.get(known.url).content == page_for_new
        to_new, to_known = mail.outbox
        assert "Confirm your email address" in to_new.subject and "/register/confirm/" in to_new.body
        assert to_known.to == ["taken@example.org"] and "already has an account" in to_known.body
        assert "/register/confirm/" not in to_known.body and reverse("password_reset") in to_known.body
        assert PendingRegistration.objects.count() == 1 and not Supplier.objects.filter(legal_name="Another Trust")

    def test_a_form_error_never_depends_on_the_address(self, client):
        make_user("provider", email="taken@example.org")
        for email in ("taken@example.org", "free@example.org"):
            html = client.post("/register/", FORM | {"email": email, "password2": "different"}).content.decode()
            assert "The passwords do not match" in html and "already" not in html

    def test_a_link_works_once_and_not_after_two_days(self, client):
        register(client, FORM)
        link = re.search(r"/register/confirm/[^\s]+/", mail.outbox[0].body).group(0)
        assert client.post(link).status_code == 302
        client.logout()
        assert client.get(link).status_code == 404 and client.post(link).status_code == 404
        register(client, FORM | {"email": "late@example.org", "legal_name": "Late Trust"})
        PendingRegistration.objects.filter(email="late@example.org").update(
            created_at=timezone.now() - timedelta(days=3)
        )
        link = re.search(r"/register/confirm/[^\s]+/", mail.outbox[-1].body).group(0)
        assert client.get(link).status_code == 404 and not User.objects.filter(email="late@example.org").exists()

    def test_an_address_that_gained_an_account_meanwhile_is_told_on_the_page(self, client):
        register(client, FORM)
        make_user("provider", email=FORM["email"])
        link = re.search(r"/register/confirm/[^\s]+/", mail.outbox[0].body).group(0)
        html = client.post(link).content.decode()
        assert "There is a problem" in html and "was created since" in html


class TestNumbers:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [("1123456", "1123456"), ("220949", "220949"), ("sc 012345", "SC012345"), ("SCO12345", "SC012345"),
         ("NIC100002", "NIC100002"), ("1123456-1", "1123456-1")],
    )  # fmt: skip
    def test_charity_numbers_in_each_registers_format(self, typed, stored):
        assert identifiers.charity_number(typed) == stored

    @pytest.mark.parametrize("typed", ["12345", "123456789", "SC12345", "NIC099999", "XR12345", ARABIC_THREE * 7])
    def test_other_charity_numbers_are_refused(self, typed):
        assert identifiers.charity_number(typed) is None

    @pytest.mark.parametrize(
        ("typed", "stored"),
        [("01234567", "01234567"), ("1234567", "01234567"), ("sc123456", "SC123456"), ("NI 123456", "NI123456"),
         ("OC301234", "OC301234"), ("R0123456", "R0123456")],
    )  # fmt: skip
    def test_company_numbers_in_companies_house_format(self, typed, stored):
        assert identifiers.company_number(typed) == stored

    @pytest.mark.parametrize("typed", ["12345", "123456789", "S1234567", "SC12345", ARABIC_THREE * 8])
    def test_other_company_numbers_are_refused(self, typed):
        assert identifiers.company_number(typed) is None

    def test_the_form_says_what_format_and_keeps_what_was_typed(self, client):
        html = client.post("/register/", FORM | {"charity_number": "12345", "company_number": "X1"}).content.decode()
        assert "Enter a charity number in the correct format" in html
        assert "Enter a Companies House number in the correct format" in html
        assert 'value="Oldbury Outreach Trust"' in html and 'value="12345"' in html
        assert not PendingRegistration.objects.exists()


class TestDuplicates:
    @pytest.mark.parametrize(
        ("changes", "reason"),
        [
            ({"legal_name": "Support Services Ltd"}, "The name looks the same as Suppοrt Services Ltd."),
            ({"legal_name": "New Name", "charity_number": "1100001"}, "Charity number 1100001 is also"),
            ({"legal_name": "Other Name", "kind": "company", "company_number": "1234567"}, "Company number 01234567"),
        ],
        ids=["look-alike-name", "same-charity-number", "same-company-number"],
    )
    def test_a_registration_like_an_existing_organisation_is_flagged(self, client, changes, reason):
        existing = make_supplier(legal_name="Suppοrt Services Ltd.", charity_number="1100001")  # a Greek ο
        existing.company_number = "01234567"
        existing.save()
        register(client, FORM | changes)
        user = confirm(client)
        check = DuplicateCheck.objects.get()
        assert check.supplier == user.supplier_membership.supplier and list(check.matches.all()) == [existing]
        assert any(reason in text for text in check.reasons), check.reasons
        assert AuditEvent.objects.filter(action="supplier.flagged_as_possible_duplicate").exists()

    def test_a_different_organisation_is_not_flagged(self, client):
        make_supplier(legal_name="Sandwell Women's Aid", charity_number="1000002")
        register(client, FORM)
        confirm(client)
        assert not DuplicateCheck.objects.exists()

    def test_the_same_legal_name_is_refused_by_the_form(self, client):
        make_supplier(legal_name="Oldbury Outreach Trust")
        html = client.post("/register/", FORM).content.decode()
        assert "already registered" in html


def _flagged(legal_name: str = "Oldbury Outreach Trust") -> DuplicateCheck:
    existing = make_supplier(legal_name=f"{legal_name}.")
    provider = make_user("provider")
    supplier = provider.supplier_membership.supplier
    supplier.legal_name = legal_name
    supplier.save()
    return registration.flag_if_duplicate(supplier, by=provider) or pytest.fail(f"not flagged: {existing}")


class TestOfficersDecide:
    def test_confirming_a_different_organisation(self):
        check = _flagged()
        officer = make_user("officer")
        registration.decide_duplicate(check=check, distinct=True, by=officer, note="Different charity")
        check.refresh_from_db()
        assert check.status == DuplicateCheck.Status.DISTINCT and check.decided_by == officer
        assert AuditEvent.objects.filter(action="supplier.duplicate_confirmed_distinct").exists()
        with pytest.raises(Exception, match="decided already"):
            registration.decide_duplicate(check=check, distinct=False, by=officer)

    def test_rejecting_a_duplicate_closes_its_accounts_and_says_why(self):
        check = _flagged()
        with TestCase.captureOnCommitCallbacks(execute=True):
            registration.decide_duplicate(check=check, distinct=False, by=make_user("officer"))
        assert not User.objects.filter(supplier_membership__supplier=check.supplier, is_active=True).exists()
        assert "already registered" in mail.outbox[-1].subject
        assert AuditEvent.objects.filter(action="supplier.duplicate_rejected").exists()

    def test_only_officers_decide(self):
        check = _flagged()
        with pytest.raises(PermissionDenied):
            registration.decide_duplicate(check=check, distinct=True, by=make_user("provider"))

    def test_the_admin_list_and_its_actions(self, client):
        officer = make_user("officer")
        client.force_login(officer)
        url = reverse("admin:suppliers_duplicatecheck_changelist")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            return len(captured)

        check = _flagged("First Trust")
        one = queries()
        for n in range(4):
            _flagged(f"Trust number {n}")
        assert queries() == one
        response = client.post(url, {"action": "confirm_distinct", "_selected_action": [check.pk]})
        assert response.status_code == 302
        check.refresh_from_db()
        assert check.status == DuplicateCheck.Status.DISTINCT
        client.force_login(make_user("provider"))
        assert client.get(url).status_code in (302, 403)
