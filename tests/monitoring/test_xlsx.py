"""The return spreadsheet: download it pre-filled, fill it in, upload it; a file with errors is refused
with each problem's sheet, row and column, and nothing is saved."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from commissioning.dates import Quarter
from commissioning.models import AuditEvent
from monitoring.models import QuarterlyReturn, ReturnValue
from tests.factories.monitoring import make_monitored_contract, make_return, valid_raw

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status
Q1 = Quarter(2025, 1)


def urls(m, quarter=Q1):
    args = [m.contract.pk, quarter.financial_year, quarter.number]
    return reverse("monitoring:download_spreadsheet", args=args), reverse("monitoring:upload_spreadsheet", args=args)


def download(client, m, quarter=Q1):
    response = client.get(urls(m, quarter)[0])
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-2025-q1.xlsx"')
    return load_workbook(io.BytesIO(response.content))


def upload(client, m, book, quarter=Q1, name="return.xlsx"):
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile(
        name, buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return client.post(urls(m, quarter)[1], {"spreadsheet": file})


def rows_by_code(sheet):
    return {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value}


def fill(book, *, referrals=224, police=204, numerator=76):
    figures = book["Figures"]
    rows = rows_by_code(figures)
    figures.cell(rows["REF"], 6).value = referrals
    figures.cell(rows["CONTACT48"], 7).value = numerator
    figures.cell(rows["CONTACT48"], 8).value = 80
    figures.cell(rows["WAIT"], 6).value = 8.5
    figures.cell(rows["SATISFIED"], 6).value = 88
    figures.cell(rows["SPEND"], 6).value = 33750
    breakdowns = book["Breakdowns"]
    for row in breakdowns.iter_rows(min_row=2):
        category = row[3].value
        row[4].value = {"Police": police, "Self-referral": 15, "Not known": 5}.get(category, 0)
    narrative = book["Narrative"]
    narrative["B2"] = "Every high-risk referral was contacted within two days."
    return book


def test_round_trip_download_fill_upload(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    book = download(client, m)
    assert book.sheetnames == ["About", "Figures", "Breakdowns", "Narrative"]
    assert book["About"]["B3"].value == m.contract.reference and book["About"]["B6"].value == "2025/26 Q1"
    assert "Never enter anything that could identify a victim" in book["About"]["B10"].value
    response = upload(client, m, fill(book))
    assert response.status_code == 302
    assert response.url == reverse("monitoring:edit_return", args=[m.contract.pk, 2025, 1])
    quarterly_return = QuarterlyReturn.objects.get()
    assert quarterly_return.status == Status.DRAFT
    assert quarterly_return.achievements == "Every high-risk referral was contacted within two days."
    values = {v.indicator.code: v for v in quarterly_return.values.select_related("indicator")}
    assert values["REF"].value == Decimal("224")
    assert values["REF"].breakdowns["referral_source"]["police"] == 204
    assert (values["CONTACT48"].numerator, values["CONTACT48"].denominator) == (76, 80)
    assert values["WAIT"].value == Decimal("8.50")
    assert AuditEvent.objects.filter(action="monitoring.return_saved", data__complete=True).exists()
    # Downloaded again, the spreadsheet holds what was saved.
    again = download(client, m)
    assert again["Figures"].cell(rows_by_code(again["Figures"])["REF"], 6).value == 224


def test_a_spreadsheet_with_errors_names_sheet_row_and_column_and_saves_nothing(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    book = fill(download(client, m), police=199, numerator=90)
    figures = book["Figures"]
    rows = rows_by_code(figures)
    figures.cell(rows["WAIT"], 6).value = "soon"
    breakdown_rows = [row[0].row for row in book["Breakdowns"].iter_rows(min_row=2)]
    response = upload(client, m, book)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Figures sheet, row {rows['WAIT']}, column F: Average days to first support must be a number" in html
    assert (
        f"Figures sheet, row {rows['CONTACT48']}, column G: Enhanced referrals contacted within 48 hours (90) "
        "cannot be more than enhanced referrals received (80)" in html
    )
    assert (
        f"Breakdowns sheet, rows {breakdown_rows[0]} to {breakdown_rows[-1]}, column E: Referral source adds up to "
        "219, 5 fewer than the 224 referrals" in html
    )
    assert "There is a problem" in html
    assert not QuarterlyReturn.objects.exists() and not ReturnValue.objects.exists()


def test_a_spreadsheet_for_another_contract_or_quarter_is_refused(client):
    m = make_monitored_contract()
    other = make_monitored_contract(provider=m.provider, lot=m.lot, officer=m.officer)
    client.force_login(m.provider)
    book = fill(download(client, other))
    html = upload(client, m, book).content.decode()
    assert f"About sheet, rows 3 and 6, column B: this spreadsheet is for {other.contract.reference} 2025/26 Q1" in html
    assert not QuarterlyReturn.objects.exists()


def test_an_unknown_row_and_a_file_that_is_not_a_spreadsheet_are_refused(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    book = fill(download(client, m))
    book["Figures"].append(["MADEUP", "Something else", "", "", "", 4])
    row = book["Figures"].max_row
    html = upload(client, m, book).content.decode()
    assert f"Figures sheet, row {row}, column A: ‘MADEUP’ is not an indicator of this return" in html
    fake = SimpleUploadedFile("return.xlsx", b"plain text", content_type="application/octet-stream")
    html = client.post(urls(m)[1], {"spreadsheet": fake}).content.decode()
    assert "cannot be used as an Excel spreadsheet" in html
    assert not QuarterlyReturn.objects.exists()


def test_a_submitted_return_cannot_be_replaced_by_upload(client):
    m = make_monitored_contract()
    make_return(m, status=Status.SUBMITTED, raw=valid_raw(m, referrals=224))
    client.force_login(m.provider)
    response = client.post(urls(m)[1], {})
    assert response.status_code == 302
    assert response.url == reverse("monitoring:provider_return", args=[m.contract.pk, 2025, 1])


@pytest.mark.parametrize(
    "hostile",
    [
        "9" * 5000,
        "NaN",
        "inf",
        -1e309,
        1e300,
        99999999999999999999,
        -5,
        "2026-02-31",
        "=1+1",  # a formula, as text
    ],
)
def test_a_spreadsheet_of_hostile_figures_is_refused_without_a_server_error(client, hostile):
    m = make_monitored_contract()
    client.force_login(m.provider)
    book = fill(download(client, m))
    figures = book["Figures"]
    rows = rows_by_code(figures)
    for code, column in (("REF", 6), ("CONTACT48", 7), ("WAIT", 6), ("SPEND", 6)):
        figures.cell(rows[code], column).value = hostile
    for row in book["Breakdowns"].iter_rows(min_row=2):
        row[4].value = hostile
    response = upload(client, m, book)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ReturnValue.objects.exists()


def test_a_return_whose_sheet_breaks_off_midway_is_refused_not_a_server_error(client):
    """The gate reads a sheet's prolog and measures its bytes; XML broken further in is found by the reader."""
    import re
    import zipfile

    m = make_monitored_contract()
    client.force_login(m.provider)
    buffer = io.BytesIO()
    fill(download(client, m)).save(buffer)
    broken = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                content = re.sub(rb"</sheetData>", b'<row r="900"><c r="A900"><v>1</x></c></row></sheetData>', content)
            target.writestr(info, content)
    file = SimpleUploadedFile("return.xlsx", broken.getvalue())
    response = client.post(urls(m)[1], {"spreadsheet": file})
    assert response.status_code == 200
    assert "The file could not be read as a spreadsheet" in response.content.decode()
    assert not QuarterlyReturn.objects.exists()
