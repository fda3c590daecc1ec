"""The framework report: requested from the coverage page, produced as a real PDF, read only by officers."""

import subprocess

import pytest
from django.urls import reverse

from commissioning.models import GeneratedDocument, User
from tests.factories import make_area, make_user
from tests.factories.frameworks import make_appointment, make_framework, make_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    officer = make_user(User.Role.OFFICER)
    framework = make_framework(lead_authority=officer.authority, reference="WMOPCC-DASAA-2025")
    lot = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)")
    area = make_area(name="Coventry", code="coventry")
    make_appointment(lot, areas=[area])
    framework.officer = officer
    return framework


def test_officer_requests_the_framework_report_and_gets_a_real_pdf(
    client, framework, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(framework.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("coverage:report", args=[framework.reference]))
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind="framework-report")
    assert document.status == "ready" and document.page_count >= 1
    pdf = document.file.read()
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Coverage of lots and areas" in text and "Coventry" in text
    download = client.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("role", ["provider", "evaluator", "partner"])
def test_other_roles_cannot_request_it(client, framework, role):
    client.force_login(make_user(role))
    assert client.post(reverse("coverage:report", args=[framework.reference])).status_code == 403
    assert not GeneratedDocument.objects.exists()


def test_an_officer_of_another_authority_gets_404(client, framework):
    client.force_login(make_user(User.Role.OFFICER))
    assert client.post(reverse("coverage:report", args=[framework.reference])).status_code == 404
