"""ZIP-based documents (XLSX, DOCX, ODT) looked at before any library parses them.

A 171 KiB spreadsheet can unpack to 160 MB, and a spreadsheet library reads the whole of a cell into
memory: the sizes a ZIP declares for its members are checked first (the reader used later stops at the
declared size, so a member cannot unpack to more than it says). Then every XML part is read with
defusedxml, which refuses a DTD, entity declarations and external references (the "billion laughs"
and external-entity attacks), and a spreadsheet's cells are measured as their bytes stream past, so
that no cell bigger than a spreadsheet program can hold is ever built in memory, and no sheet has more
parts than SPREADSHEET_MAX_XML_ELEMENTS for a library to parse.
"""

from __future__ import annotations

import re
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
    def from_settings(cls, kind: str) -> Limits:
        return cls(
            total_bytes=settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES,
            member_bytes=settings.UPLOAD_ZIP_MAX_MEMBER_BYTES,
            ratio=settings.UPLOAD_ZIP_MAX_RATIO,
            cell_characters=settings.SPREADSHEET_MAX_CELL_CHARACTERS,
            xml_elements=settings.SPREADSHEET_MAX_XML_ELEMENTS[kind],
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


class _PastProlog(Exception):
    """The root element has started: any DTD would have come before it."""


class _Prolog(ContentHandler):
    def startElement(self, name, attrs):  # noqa: N802 - the SAX interface
        raise _PastProlog


class _CellScan:
    """Measures a spreadsheet part as bytes stream past, at the speed of bytes: the longest run of text
    (between two tags there is no "<", so a cell's text is such a run; UTF-8 takes up to 4 bytes a
    character) and the number of tags. Nothing is parsed or kept."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.longest_bytes = 4 * limits.cell_characters
        self.run = 0
        self.tags = 0

    def feed(self, chunk: bytes) -> None:
        self.tags += chunk.count(b"<")
        if self.tags > 2 * self.limits.xml_elements:
            raise Refused(f"one of its sheets is too big to read (more than {self.limits.xml_elements:,} XML elements)")
        first = chunk.find(b"<")
        if first < 0:
            self.run += len(chunk)
        else:
            self.run += first
            if self.run > self.longest_bytes or re.search(rb"[^<]{%d,}" % (self.longest_bytes + 1), chunk):
                raise self._too_long()
            self.run = len(chunk) - chunk.rfind(b"<") - 1
        if self.run > self.longest_bytes:
            raise self._too_long()

    def _too_long(self) -> Refused:
        return Refused(f"a cell holds more than {self.limits.cell_characters:,} characters")


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def _check_xml(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    spreadsheet = "xl/workbook.xml" in {member.filename for member in members}
    for member in members:
        if not _is_xml(member.filename):
            continue
        cells = _CellScan(limits) if spreadsheet and member.filename.startswith(CELL_PARTS) else None
        # defusedxml refuses a DTD, entity declarations and external references; all come before the root
        # element, so the parser stops there.
        parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        parser.setContentHandler(_Prolog())
        in_prolog = True
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    if in_prolog:
                        try:
                            parser.feed(chunk)
                        except _PastProlog:
                            in_prolog = False
                    if cells is None and not in_prolog:
                        break
                    if cells is not None:
                        cells.feed(chunk)
            if in_prolog:
                parser.close()
        except _PastProlog:
            continue
        except DefusedXmlException as exc:
            raise Refused("it holds XML with a document type or entities, which Office documents never need") from exc
        except SAXException as exc:
            raise Refused("part of it is not well-formed XML") from exc
