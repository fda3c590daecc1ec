"""The two monitoring PDFs, produced through the portal's document mechanism: real PDFs with pages, holding
the figures against targets with RAG in words, trends, narrative and social value."""

import subprocess
from datetime import date
from pathlib import Path

import pytest

from commissioning import documents
from commissioning.dates import Quarter
from commissioning.models import GeneratedDocument, User
from monitoring import reports
from monitoring.models import QuarterlyReturn
from tests.factories import make_user
from tests.factories.monitoring import make_monitored_contract, make_return, valid_raw

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def produced(django_capture_on_commit_callbacks):
    def request(**kwargs) -> GeneratedDocument:
        with django_capture_on_commit_callbacks(execute=True):
            document = documents.request_document(**kwargs)
        document.refresh_from_db()
        return document

    return request


@pytest.fixture
def year_of_returns():
    m = make_monitored_contract(annual_value="150000", start_on=date(2025, 4, 1))  # with a social value commitment
    for number, referrals in [(1, 224), (2, 190), (3, 231), (4, 219)]:
        make_return(m, Quarter(2025, number), status=Status.ACCEPTED, raw=valid_raw(m, referrals=referrals))
    return m


def test_the_contract_report_for_a_quarter_is_a_real_pdf(produced, year_of_returns):
    m = year_of_returns
    document = produced(
        kind=reports.CONTRACT_REPORT, target=m.contract, params={"financial_year": 2025, "quarter": 2}, by=m.officer
    )
    assert document.status == GeneratedDocument.Status.READY, document.error_detail
    assert document.title == f"Performance report: {m.contract.reference}, 2025/26 Q2"
    path = Path(document.file.path)
    assert path.read_bytes()[:4] == b"%PDF"
    assert document.page_count > 0
    text = pdf_text(path)
    assert "Referrals received" in text and "190" in text
    assert "Red: off target" in text  # 190 is more than the margin of 20 short of 224
    assert "Every high-risk referral was contacted within two days." in text
    assert "Social value" in text and "Local people employed" in text
    assert "Q1 25/26" in text and "Q4 24/25" not in text  # chart labels are text; none before the start


def test_the_contract_report_for_a_financial_year(produced, year_of_returns):
    m = year_of_returns
    document = produced(
        kind=reports.CONTRACT_REPORT, target=m.contract, params={"financial_year": 2025, "quarter": None}, by=m.officer
    )
    assert document.status == GeneratedDocument.Status.READY, document.error_detail
    assert document.title.endswith("financial year 2025/26")
    text = pdf_text(Path(document.file.path))
    assert "864" in text  # 224 + 190 + 231 + 219 referrals in the year
    assert "95% (304 of 320)" in text  # four quarters of 76 of 80
    assert document.page_count > 0


def test_the_lot_quarterly_summary_is_a_real_pdf(produced, year_of_returns):
    m = year_of_returns
    other = make_monitored_contract(lot=m.lot, officer=m.officer)
    make_return(other, Quarter(2025, 1), status=Status.ACCEPTED, raw=valid_raw(other, referrals=100))
    document = produced(
        kind=reports.LOT_SUMMARY, target=m.lot, params={"financial_year": 2025, "quarter": 1}, by=m.officer
    )
    assert document.status == GeneratedDocument.Status.READY, document.error_detail
    assert document.title.startswith(f"Quarterly summary: {m.lot.framework.reference} lot {m.lot.number}")
    path = Path(document.file.path)
    assert path.read_bytes()[:4] == b"%PDF" and document.page_count > 0
    text = pdf_text(path)
    assert m.contract.supplier.legal_name in text and other.contract.supplier.legal_name in text
    assert "324" in text  # the lot's combined referrals
    assert "95% (152 of 160)" in text


def test_only_officers_may_request_the_reports(year_of_returns):
    from django.core.exceptions import PermissionDenied

    m = year_of_returns
    for user in (m.provider, make_user(User.Role.PARTNER), make_user(User.Role.EVALUATOR)):
        with pytest.raises(PermissionDenied):
            documents.request_document(
                kind=reports.CONTRACT_REPORT, target=m.contract, params={"financial_year": 2025, "quarter": 1}, by=user
            )
