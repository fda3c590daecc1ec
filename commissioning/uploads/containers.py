"""ZIP-based documents (XLSX, DOCX, ODT) looked at before any library parses them.

A 171 KiB spreadsheet can unpack to 160 MB, and a spreadsheet library reads the whole of a cell into
memory: the sizes a ZIP declares for its members are checked first (the reader used later stops at the
declared size, so a member cannot unpack to more than it says). Then every XML part is read with
defusedxml, which refuses a DTD, entity declarations and external references (the "billion laughs"
and external-entity attacks), and a spreadsheet's cells are measured as they stream past, so that no
cell bigger than a spreadsheet program can hold is ever built in memory.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from django.conf import settings

# A real Office document has tens of parts, a large one a few hundred; a ZIP of many thousands of empty
# members costs memory just to list.
MAX_MEMBERS = 2000
# Ratios are measured on members big enough to matter: a small part of repeated markup compresses far
# better than 100:1 and can do no harm.
RATIO_FLOOR_BYTES = 1024 * 1024
END_OF_DIRECTORY = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
CHUNK = 64 * 1024
# Where a spreadsheet keeps the text of its cells (shared strings, or inline in a worksheet).
CELL_PARTS = ("xl/sharedStrings.xml", "xl/worksheets/")


class Refused(Exception):
    """The file was refused: `reason` says why in words a provider can act on, `advice` what to do."""

    def __init__(self, reason: str, advice: str = ""):
        super().__init__(reason)
        self.reason, self.advice = reason, advice


@dataclass(frozen=True)
class Limits:
    total_bytes: int
    member_bytes: int
    ratio: int
    cell_characters: int
    xml_elements: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            total_bytes=settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES,
            member_bytes=settings.UPLOAD_ZIP_MAX_MEMBER_BYTES,
            ratio=settings.UPLOAD_ZIP_MAX_RATIO,
            cell_characters=settings.SPREADSHEET_MAX_CELL_CHARACTERS,
            xml_elements=settings.SPREADSHEET_MAX_XML_ELEMENTS,
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}MB"


def _declared_members(upload) -> int:
    """The number of members the ZIP's end record declares, read before the directory is listed."""
    upload.seek(0, 2)
    size = upload.tell()
    tail_size = min(size, 22 + 65535)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    upload.seek(0)
    at = tail.rfind(END_OF_DIRECTORY)
    if at < 0 or len(tail) < at + 22:
        raise Refused("it is not a complete file")
    if tail.rfind(ZIP64_LOCATOR, 0, at) >= 0:
        raise Refused("it is packed in a form (ZIP64) that documents this size never need")
    _disk, _start, _here, total = struct.unpack("<4H", tail[at + 4 : at + 12])
    return total


def check_archive(upload, limits: Limits) -> set[str]:
    """Check the ZIP's declared sizes, then the XML of its parts; return its members' names."""
    if _declared_members(upload) > MAX_MEMBERS:
        raise Refused(f"it holds more than {MAX_MEMBERS:,} parts")
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            _check_sizes(members, limits)
            _check_xml(archive, members, limits)
            return {member.filename for member in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise Refused("it could not be unpacked") from exc
    finally:
        upload.seek(0)


def _check_sizes(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    total_in = total_out = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise Refused("it is protected with a password", "Save it without a password and upload it again")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused("it is packed in a way Office documents are not")
        if member.file_size > limits.member_bytes:
            raise Refused(f"one of its parts unpacks to more than {_megabytes(limits.member_bytes)}")
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise Refused(
                f"one of its parts is compressed more than {limits.ratio} to 1, which real documents never are"
            )
        total_in += member.compress_size
        total_out += member.file_size
    if total_out > limits.total_bytes:
        raise Refused(f"it unpacks to more than {_megabytes(limits.total_bytes)}")
    if total_out > RATIO_FLOOR_BYTES and total_out > limits.ratio * max(total_in, 1):
        raise Refused(f"it is compressed more than {limits.ratio} to 1, which real documents never are")


class _StopReading(Exception):
    """Enough of the part has been read."""


class _Measure(ContentHandler):
    """Counts elements and measures each element's text as it streams past, keeping none of it."""

    def __init__(self, limits: Limits, *, whole: bool):
        super().__init__()
        self.limits, self.whole = limits, whole
        self.elements = 0
        self.text = 0

    def startElement(self, name, attrs):  # noqa: N802 - the SAX interface
        if not self.whole:
            raise _StopReading  # past the prolog, where a DTD would have been
        self.elements += 1
        self.text = 0
        if self.elements > self.limits.xml_elements:
            raise Refused(f"one of its sheets has more than {self.limits.xml_elements:,} parts")

    def endElement(self, name):  # noqa: N802 - the SAX interface
        self.text = 0

    def characters(self, content):
        self.text += len(content)
        if self.text > self.limits.cell_characters:
            raise Refused(f"a cell holds more than {self.limits.cell_characters:,} characters")


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def _check_xml(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    spreadsheet = "xl/workbook.xml" in {member.filename for member in members}
    for member in members:
        if not _is_xml(member.filename):
            continue
        whole = spreadsheet and member.filename.startswith(CELL_PARTS)
        parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        parser.setContentHandler(_Measure(limits, whole=whole))
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    parser.feed(chunk)
            parser.close()
        except _StopReading:
            continue
        except DefusedXmlException as exc:
            raise Refused("it holds XML with a document type or entities, which Office documents never need") from exc
        except SAXException as exc:
            raise Refused("part of it is not well-formed XML") from exc
