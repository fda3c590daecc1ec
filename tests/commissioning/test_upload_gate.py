"""The one upload gate: the kinds of file each upload takes, size limits, files proven by opening them,
ZIP-based documents checked before they are parsed, XML with a DTD or entities refused, and malware
scanning through a scanner the settings name."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commissioning.models import AuditEvent
from commissioning.uploads import DOCUMENT, IMPORT, RETURN_SPREADSHEET, echo, scanning, validate_upload
from tests.factories import make_user
from tests.factories.files import (
    EXTERNAL,
    FORMULA,
    PDF,
    docx_bytes,
    with_cell_text,
    with_doctype,
    with_huge_cell,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def zipped(name: str, members: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue())


class EicarScanner:
    """A stand-in for ClamAV: finds the EICAR test string, as clamd does."""

    name = "EICAR test scanner"
    scanned: list[str] = []

    def scan(self, stream) -> scanning.Verdict:
        stream.seek(0)
        content = stream.read()
        stream.seek(0)
        EicarScanner.scanned.append(getattr(stream, "name", ""))
        if EICAR in content:
            return scanning.Verdict(infected=True, signature="Eicar-Test-Signature")
        return scanning.Verdict(infected=False)


class BrokenScanner:
    name = "a scanner that is down"

    def scan(self, stream) -> scanning.Verdict:
        raise scanning.ScannerUnavailable("connection refused")


def refusal(upload, kind=DOCUMENT) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload, kind=kind)
    return " ".join(caught.value.messages)


class TestKindsOfFile:
    @pytest.mark.parametrize(
        "upload",
        [
            SimpleUploadedFile("policy.pdf", PDF),
            SimpleUploadedFile("policy.docx", docx_bytes()),
            SimpleUploadedFile("budget.xlsx", workbook_bytes()),
            zipped("plan.odt", {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<c/>"}),
            SimpleUploadedFile("figures.csv", b"area,referrals\nCoventry,224\n"),
        ],
        ids=["pdf", "docx", "xlsx", "odt", "csv"],
    )
    def test_real_files_of_each_allowed_type_pass(self, upload):
        validate_upload(upload)

    @pytest.mark.parametrize(
        ("upload", "message"),
        [
            (SimpleUploadedFile("policy.exe", b"MZ"), "must be a PDF, DOCX, XLSX, ODT or CSV"),
            (SimpleUploadedFile("policy.pdf", b"MZ\x90\x00program"), "cannot be used as a PDF"),
            (zipped("policy.docx", {"xl/workbook.xml": b"<w/>"}), "cannot be used as a Word document"),
            (SimpleUploadedFile("budget.xlsx", PDF), "cannot be used as an Excel spreadsheet"),
            (SimpleUploadedFile("figures.csv", b"\x00\x01\x02binary"), "cannot be used as a CSV file"),
            (SimpleUploadedFile("empty.pdf", b""), "is empty"),
        ],
        ids=["exe", "program-renamed-pdf", "xlsx-renamed-docx", "pdf-renamed-xlsx", "binary-csv", "empty"],
    )
    def test_wrong_or_disguised_files_are_refused(self, upload, message):
        assert message in refusal(upload)

    def test_a_file_that_only_starts_like_a_pdf_is_refused(self):
        """Finding 6: the first bytes were all that was looked at."""
        assert "could not be opened as a PDF" in refusal(SimpleUploadedFile("policy.pdf", b"%PDF-1.7\nnot really"))

    def test_a_csv_with_a_nul_character_past_its_first_bytes_is_refused(self):
        upload = SimpleUploadedFile("figures.csv", b"area,referrals\n" * 1000 + b"Coventry,\x00224\n")
        assert "NUL character" in refusal(upload)

    def test_each_kind_of_upload_takes_its_own_files(self):
        assert "must be an Excel spreadsheet (.xlsx)" in refusal(SimpleUploadedFile("r.pdf", PDF), RETURN_SPREADSHEET)
        assert "must be a CSV or XLSX file" in refusal(SimpleUploadedFile("r.docx", docx_bytes()), IMPORT)
        validate_upload(SimpleUploadedFile("r.xlsx", workbook_bytes()), kind=RETURN_SPREADSHEET)

    def test_each_kind_has_its_size_limit_from_settings(self, settings):
        settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "document": 1024 * 1024}
        big = SimpleUploadedFile("big.pdf", PDF)
        big.size = 1024 * 1024 + 1
        assert "smaller than 1MB" in refusal(big)
        big.size = 1024 * 1024 + 1
        assert "smaller than 5MB" not in refusal(big)
        settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "return_spreadsheet": 5 * 1024 * 1024}
        huge = SimpleUploadedFile("r.xlsx", workbook_bytes())
        huge.size = 5 * 1024 * 1024 + 1
        assert "smaller than 5MB" in refusal(huge, RETURN_SPREADSHEET)

    def test_a_password_protected_document_is_refused_with_what_to_do(self):
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        writer.encrypt(user_password="secret", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        assert "Save it without a password" in refusal(SimpleUploadedFile("locked.pdf", buffer.getvalue()))


class TestZipBasedDocuments:
    def test_the_decompression_bomb_of_the_finding_is_refused_before_it_is_parsed(self):
        """Finding 1: a 171 KiB spreadsheet whose one cell held 160 MB of text."""
        bomb = with_huge_cell(workbook_bytes(), megabytes=160)
        assert len(bomb) < 200 * 1024
        message = refusal(SimpleUploadedFile("return.xlsx", bomb), RETURN_SPREADSHEET)
        assert "one of its parts unpacks to more than 20MB" in message

    def test_the_total_the_parts_and_the_ratio_are_settings(self, settings):
        settings.UPLOAD_ZIP_MAX_MEMBER_BYTES = 3 * 1024 * 1024
        assert "unpacks to more than 3MB" in refusal(SimpleUploadedFile("a.docx", with_huge_cell(docx_bytes(), 4)))
        settings.UPLOAD_ZIP_MAX_MEMBER_BYTES = 20 * 1024 * 1024
        assert "compressed more than 100 to 1" in refusal(SimpleUploadedFile("a.docx", with_huge_cell(docx_bytes(), 4)))
        settings.UPLOAD_ZIP_MAX_RATIO = 10_000
        settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
        assert "it unpacks to more than 2MB" in refusal(SimpleUploadedFile("a.docx", with_huge_cell(docx_bytes(), 3)))

    def test_a_cell_longer_than_a_spreadsheet_can_hold_is_refused(self, settings):
        settings.UPLOAD_ZIP_MAX_RATIO = 10_000
        message = refusal(SimpleUploadedFile("r.xlsx", with_huge_cell(workbook_bytes(), 1)), RETURN_SPREADSHEET)
        assert "a cell holds more than 32,767 characters" in message

    @pytest.mark.parametrize(
        ("name", "source"), [("r.xlsx", workbook_bytes()), ("p.docx", docx_bytes())], ids=["xlsx", "docx"]
    )
    @pytest.mark.parametrize(
        ("doctype", "entity"), [(None, "lol9"), (EXTERNAL, "xxe")], ids=["billion-laughs", "external-entity"]
    )
    def test_xml_with_a_dtd_or_entities_is_refused(self, name, source, doctype, entity):
        """Finding 2: a spreadsheet with a DTD or an external entity was a server error."""
        hostile = with_doctype(source, doctype, entity) if doctype else with_doctype(source, entity=entity)
        assert "XML with a document type or entities" in refusal(SimpleUploadedFile(name, hostile))

    def test_a_dtd_without_entities_is_refused_too(self):
        hostile = with_doctype(workbook_bytes(), '<?xml version="1.0"?>\n<!DOCTYPE worksheet>\n', "amp")
        assert "document type" in refusal(SimpleUploadedFile("r.xlsx", hostile))

    def test_a_formula_in_a_cell_is_data_not_a_refusal(self):
        validate_upload(SimpleUploadedFile("r.xlsx", with_cell_text(workbook_bytes(), FORMULA)))

    def test_each_kind_of_upload_has_its_own_most_a_sheet_may_hold(self, settings):
        settings.SPREADSHEET_MAX_XML_ELEMENTS = {**settings.SPREADSHEET_MAX_XML_ELEMENTS, "return_spreadsheet": 500}
        rows = [[f"row {n}", n, n * 2] for n in range(200)]
        big = workbook_bytes(rows)
        assert "too big to read (more than 500 XML elements)" in refusal(
            SimpleUploadedFile("r.xlsx", big), RETURN_SPREADSHEET
        )
        validate_upload(SimpleUploadedFile("r.xlsx", big), kind=IMPORT)

    def test_too_many_parts_and_unfinished_files_are_refused(self):
        many = {f"part{i}.bin": b"" for i in range(2001)} | {"word/document.xml": b"<w/>"}
        assert "more than 2,000 parts" in refusal(zipped("a.docx", many))
        assert "not a complete file" in refusal(SimpleUploadedFile("a.docx", docx_bytes()[:-30]))


class TestMalwareScanning:
    SCANNER = "tests.commissioning.test_upload_gate.EicarScanner"

    def test_with_no_scanner_configured_nothing_is_scanned(self, settings):
        settings.MALWARE_SCANNER = ""
        EicarScanner.scanned = []
        validate_upload(SimpleUploadedFile("eicar.csv", EICAR))
        assert EicarScanner.scanned == []

    def test_a_detection_is_refused_and_audited(self, settings):
        settings.MALWARE_SCANNER = self.SCANNER
        EicarScanner.scanned = []
        assert "contains a virus" in refusal(SimpleUploadedFile("eicar.csv", EICAR))
        event = AuditEvent.objects.get(action="upload.malware_detected")
        assert event.data["signature"] == "Eicar-Test-Signature" and event.data["file_name"] == "eicar.csv"
        validate_upload(SimpleUploadedFile("clean.csv", b"area,referrals\n"))
        assert EicarScanner.scanned == ["eicar.csv", "clean.csv"]

    def test_a_file_that_passed_is_not_scanned_again(self, settings):
        settings.MALWARE_SCANNER = self.SCANNER
        EicarScanner.scanned = []
        upload = SimpleUploadedFile("clean.pdf", PDF)
        validate_upload(upload)
        validate_upload(upload)
        assert EicarScanner.scanned == ["clean.pdf"]

    def test_a_scanner_that_is_down_refuses_the_file(self, settings):
        settings.MALWARE_SCANNER = "tests.commissioning.test_upload_gate.BrokenScanner"
        assert "could not be checked for viruses" in refusal(SimpleUploadedFile("clean.pdf", PDF))

    def test_a_detection_through_a_form_names_the_uploader(self, client, settings):
        settings.MALWARE_SCANNER = self.SCANNER
        provider = make_user("provider")
        client.force_login(provider)
        response = client.post(
            "/provider/organisation/documents/add/",
            {"kind": "safeguarding", "title": "Our policy", "file": SimpleUploadedFile("policy.csv", EICAR)},
        )
        html = response.content.decode()
        assert response.status_code == 200 and "contains a virus" in html and 'value="Our policy"' in html
        event = AuditEvent.objects.get(action="upload.malware_detected")
        assert event.actor == provider and event.data["path"] == "/provider/organisation/documents/add/"

    def test_the_clamd_scanner_speaks_to_clamd_over_a_socket(self, settings, tmp_path):
        """A small server speaking enough of clamd's INSTREAM protocol to answer as clamd does."""
        import socket
        import struct
        import threading

        path = str(tmp_path / "clamd.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(4)

        def serve(times: int) -> None:
            for _ in range(times):
                connection, _ = server.accept()
                with connection, connection.makefile("rb") as stream:
                    assert stream.readline() == b"nINSTREAM\n"
                    content = b""
                    while size := struct.unpack("!L", stream.read(4))[0]:
                        content += stream.read(size)
                    found = b"stream: Eicar-Signature FOUND\n" if EICAR in content else b"stream: OK\n"
                    connection.sendall(found)

        thread = threading.Thread(target=serve, args=(2,), daemon=True)
        thread.start()
        settings.MALWARE_SCANNER = "clamd"
        settings.CLAMD_ADDRESS = f"unix://{path}"
        validate_upload(SimpleUploadedFile("clean.csv", b"area,referrals\n"))
        assert "contains a virus" in refusal(SimpleUploadedFile("eicar.csv", EICAR))
        thread.join(5)
        server.close()
        settings.CLAMD_ADDRESS = f"unix://{tmp_path / 'nobody-listens.sock'}"
        assert "could not be checked for viruses" in refusal(SimpleUploadedFile("clean.pdf", PDF))


def test_values_echoed_in_messages_are_cut_to_80_characters():
    assert echo("x" * 5000) == "x" * 79 + "…"
    assert echo("two\nlines") == "two lines"


def test_the_admin_home_says_when_scanning_is_off(client, settings):
    client.force_login(make_user("officer"))
    settings.MALWARE_SCANNER = ""
    assert "Malware scanning is off" in client.get("/admin/").content.decode()
    settings.MALWARE_SCANNER = TestMalwareScanning.SCANNER
    assert "Malware scanning is off" not in client.get("/admin/").content.decode()


def test_files_taken_in_the_admin_pass_the_gate(rf):
    from django.contrib import admin

    from suppliers.models import SupplierDocument

    request = rf.get("/admin/")
    request.user = make_user("officer")
    field = admin.site._registry[SupplierDocument].get_form(request).base_fields["file"]
    with pytest.raises(ValidationError, match="XML with a document type"):
        field.clean(SimpleUploadedFile("p.docx", with_doctype(docx_bytes())))
    assert field.clean(SimpleUploadedFile("p.pdf", PDF)).name == "p.pdf"
