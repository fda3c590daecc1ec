"""Proving that a file is what its name says, by opening it as that kind of file: a PDF with a PDF
library, an Office or OpenDocument file as a ZIP with the parts its format requires (see
`containers`), a CSV as text from its first byte to its last. Looking at the first bytes only let a
file through that merely started like a PDF."""

from __future__ import annotations

import codecs
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .containers import CHUNK, Limits, Refused, check_archive

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
REQUIRED_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".odt": "content.xml"}

# pypdf reports every repair it makes to a damaged file; the gate's message is what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _head(upload, size: int = 8) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def check_pdf(upload) -> None:
    if not _head(upload, 1024).lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        raise Refused("its content does not match its name")
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused("it is protected with a password", "Save it without a password and upload it again")
        # The catalog's page tree says how many pages there are; walking every page would cost seconds
        # on a large file and prove nothing more.
        tree = reader.trailer["/Root"].get_object()["/Pages"].get_object()
        pages = int(tree["/Count"])
        tree["/Kids"][0].get_object()
    except Refused:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OSError) as exc:
        raise Refused("it could not be opened as a PDF") from exc
    finally:
        upload.seek(0)
    if pages < 1:
        raise Refused("it has no pages")


def check_zip_document(extension: str, upload, limits: Limits) -> None:
    if _head(upload, 4) != b"PK\x03\x04":
        raise Refused("its content does not match its name")
    members = check_archive(upload, limits)
    if REQUIRED_PART[extension] not in members:
        raise Refused("its content does not match its name")
    if extension == ".odt" and _odt_mimetype(upload) != ODT_MIMETYPE:
        raise Refused("its content does not match its name")


def _odt_mimetype(upload) -> str:
    import zipfile

    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            if archive.getinfo("mimetype").file_size > 100:
                return ""
            return archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError):
        return ""
    finally:
        upload.seek(0)


def check_csv(upload) -> None:
    """Text in UTF-8 (or Windows' own encoding) throughout, with no NUL character."""
    head = _head(upload, 4)
    if head.startswith((b"%PDF", b"PK")):
        raise Refused("its content does not match its name")
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        upload.seek(0)
        lines = 1
        try:
            while chunk := upload.read(CHUNK):
                if b"\x00" in chunk:
                    line = lines + chunk[: chunk.index(b"\x00")].count(b"\n")
                    raise Refused(f"line {line:,} holds a character that is not text (a NUL character)")
                lines += chunk.count(b"\n")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return
        except UnicodeDecodeError:
            continue
        finally:
            upload.seek(0)
    raise Refused("it is not text", "Save it as CSV (UTF-8) and upload it again")
