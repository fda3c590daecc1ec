"""The admin's import formats refuse a file that no import could store, with a message on the form."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.imports import CSV, XLSX, UnreadableFile
from commissioning.models import User
from contracts.models import Contract
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_csv_or_spreadsheet_with_a_nul_character_is_refused_with_its_row_and_column():
    with pytest.raises(UnreadableFile, match="Row 3, column “service” holds a NUL character"):
        CSV().create_dataset("reference,service\nC-1,Helpline\nC-2,Advocacy\x00\n")
    # A spreadsheet cannot hold one (openpyxl refuses to write it); one without reads as it is.
    sheet = tablib.Dataset(["C-1", "Helpline"], headers=["reference", "service"]).export("xlsx")
    assert XLSX().create_dataset(sheet).dict == [{"reference": "C-1", "service": "Helpline"}]
    readable = CSV().create_dataset("reference,service\nC-1,Helpline\n")
    assert readable.dict == [{"reference": "C-1", "service": "Helpline"}]


def test_the_contract_import_page_says_why_it_refused_the_file(client):
    client.force_login(make_user(User.Role.OFFICER))
    response = client.post(
        reverse("admin:contracts_contract_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("register.csv", b"reference\nC-1\x00\n")},
    )
    assert response.status_code == 200
    assert "line 2 holds a character that is not text (a NUL character)" in response.content.decode()
    assert not Contract.objects.exists()


def test_a_value_quoted_in_an_import_error_is_cut_to_80_characters(client):
    client.force_login(make_user(User.Role.OFFICER))
    long_name = "N" * 5000
    body = (
        "reference,service,contract_or_grant,provider,buying_authority,start_date,initial_end_date,annual_value\n"
        f"C-1,Helpline,contract,{long_name},Nowhere,01/04/2025,31/03/2026,1000\n"
    ).encode()
    response = client.post(
        reverse("admin:contracts_contract_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("register.csv", body)},
    )
    html = response.content.decode()
    # The preview table shows the row as it is; the message about it quotes at most 80 characters.
    assert response.status_code == 200 and "No provider called “" + "N" * 79 + "…” is registered" in html
