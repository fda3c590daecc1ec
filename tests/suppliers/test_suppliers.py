"""Registration, profile, accreditations, documents, colleagues, and the upload checks."""

import re
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.demo import minimal_pdf
from commissioning.models import AuditEvent, Notification, User
from suppliers import services
from suppliers.models import Accreditation, Invitation, Supplier, SupplierDocument
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PDF = minimal_pdf()


class TestRegistration:
    FORM = {
        "legal_name": "Oldbury Outreach Trust",
        "kind": "charity",
        "charity_number": "1199001",
        "address_line_1": "2 Church Street",
        "town": "Oldbury",
        "postcode": "B69 3AF",
        "contact_name": "Rachel",
        "contact_email": "rachel@example.org",
        "is_vcse": "on",
        "full_name": "Rachel Adeyemi",
        "email": "rachel@example.org",
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
    }

    def test_register_creates_the_organisation_and_its_first_user_once_the_address_is_confirmed(self, client):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post("/register/", self.FORM)
        assert response.status_code == 302 and response.url == "/register/check-your-email/"
        assert not User.objects.filter(email="rachel@example.org").exists()
        link = re.search(r"/register/confirm/[^\s]+/", mail.outbox[0].body).group(0)
        assert "Oldbury Outreach Trust" in client.get(link).content.decode()
        response = client.post(link)
        assert response.status_code == 302 and response.url == "/provider/"
        user = User.objects.get(email="rachel@example.org")
        assert (
            user.role == "provider"
            and user.supplier_membership.is_admin
            and user.check_password("a long enough passphrase")
        )
        assert user.supplier_membership.supplier.legal_name == "Oldbury Outreach Trust"
        assert AuditEvent.objects.filter(action="supplier.registered").exists()
        assert client.get("/provider/").status_code == 200

    def test_a_charity_needs_its_number_and_nothing_typed_is_lost(self, client):
        form = self.FORM | {"charity_number": ""}
        html = client.post("/register/", form).content.decode()
        assert "Enter the charity number of a registered charity or CIO" in html
        assert 'value="Oldbury Outreach Trust"' in html and 'value="B69 3AF"' in html
        assert not Supplier.objects.filter(legal_name="Oldbury Outreach Trust").exists()

    def test_weak_or_mismatched_passwords_are_refused(self, client):
        html = client.post("/register/", self.FORM | {"password2": "something else entirely"}).content.decode()
        assert "The passwords do not match" in html
        html = client.post("/register/", self.FORM | {"password1": "short", "password2": "short"}).content.decode()
        assert "too short" in html

    def test_signed_in_users_are_sent_home(self, client, provider):
        client.force_login(provider)
        assert client.get("/register/").url == "/"


class TestProfile:
    def test_accreditation_and_document_lifecycle(self, provider):
        supplier = provider.supplier_membership.supplier
        accreditation = services.add_accreditation(
            supplier=supplier,
            by=provider,
            scheme="womens_aid",
            reference="NQS-1",
            expires_on=date(2027, 5, 1),
            evidence=SimpleUploadedFile("certificate.pdf", PDF),
        )
        assert len(accreditation.evidence_sha256) == 64
        document = services.add_document(
            supplier=supplier,
            by=provider,
            kind="public_liability",
            title="Public liability 2026",
            file=SimpleUploadedFile("pl.pdf", PDF),
            expires_on=date(2027, 1, 8),
        )
        services.remove_accreditation(accreditation=accreditation, by=provider)
        services.remove_document(document=document, by=provider)
        assert not Accreditation.objects.exists() and not SupplierDocument.objects.exists()
        logged = set(AuditEvent.objects.values_list("action", flat=True))
        assert {
            "supplier.accreditation_added",
            "supplier.document_added",
            "supplier.accreditation_removed",
            "supplier.document_removed",
        } <= logged

    def test_another_suppliers_user_cannot_change_the_profile(self, provider):
        stranger = make_user("provider")
        with pytest.raises(PermissionDenied):
            services.update_supplier(supplier=provider.supplier_membership.supplier, details={"town": "X"}, by=stranger)

    def test_insurance_needs_an_expiry_date(self, client, provider):
        client.force_login(provider)
        response = client.post(
            reverse("suppliers:document_add"),
            {"kind": "public_liability", "title": "PL", "file": SimpleUploadedFile("pl.pdf", PDF)},
        )
        assert "Enter the date the insurance expires" in response.content.decode()

    def test_an_equivalent_standard_needs_its_name(self, client, provider):
        client.force_login(provider)
        response = client.post(reverse("suppliers:accreditation_add"), {"scheme": "equivalent"})
        html = response.content.decode()
        assert "Enter the name of the equivalent standard" in html
        assert "Select the standard it is equivalent to" in html

    def test_files_are_served_only_to_their_organisation(self, client, provider):
        supplier = provider.supplier_membership.supplier
        document = services.add_document(
            supplier=supplier,
            by=provider,
            kind="safeguarding",
            title="Policy",
            file=SimpleUploadedFile("policy.pdf", PDF),
        )
        url = reverse("suppliers:document_download", args=[document.pk])
        client.force_login(provider)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
        client.force_login(make_user("provider"))
        assert client.get(url).status_code == 404
        assert client.post(reverse("suppliers:document_remove", args=[document.pk])).status_code == 404
        client.force_login(make_user("partner"))
        assert client.get(url).status_code == 403

    def test_profile_pages_are_refused_to_other_roles_and_anonymous(self, client):
        assert client.get(reverse("suppliers:organisation")).status_code == 302
        for role in ("officer", "evaluator", "partner"):
            client.force_login(make_user(role))
            assert client.get(reverse("suppliers:organisation")).status_code == 403


class TestColleagues:
    def test_invite_and_accept(self, client, provider):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            invitation = services.invite_colleague(
                supplier=provider.supplier_membership.supplier,
                by=provider,
                email="Colleague@Example.org",
                full_name="Sam Colleague",
            )
        assert invitation.email == "colleague@example.org"
        # Recorded and sent though the address has no account yet: no notifications page to list it on.
        recorded = Notification.objects.get(email="colleague@example.org")
        assert recorded.recipient is None and recorded.status == Notification.Status.SENT
        assert mail.outbox[0].to == ["colleague@example.org"]
        assert "you have an account" not in mail.outbox[0].body
        link = re.search(r"/invitations/[^\s]+/", mail.outbox[0].body).group(0)
        page = client.post(link, {"password1": "short", "password2": "short"})
        assert "too short" in page.content.decode()
        response = client.post(link, {"password1": "a long enough passphrase", "password2": "a long enough passphrase"})
        assert response.status_code == 302
        colleague = User.objects.get(email="colleague@example.org")
        assert colleague.supplier_membership.supplier == provider.supplier_membership.supplier
        assert not colleague.supplier_membership.is_admin
        client.post("/sign-out/")
        used = client.get(link)  # used once only
        assert used.status_code == 410 and "used already" in used.content.decode()
        assert Invitation.objects.get().accepted_at is not None

    def test_only_an_organisation_admin_may_invite(self, client, provider):
        colleague = make_user("provider", supplier=provider.supplier_membership.supplier)
        colleague.supplier_membership.is_admin = False
        colleague.supplier_membership.save()
        client.force_login(colleague)
        assert client.get(reverse("suppliers:invite")).status_code == 403
        with pytest.raises(PermissionDenied):
            services.invite_colleague(
                supplier=colleague.supplier_membership.supplier, by=colleague, email="x@example.org", full_name="X"
            )
