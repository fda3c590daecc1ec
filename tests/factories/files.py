"""Files for upload tests: real documents of each kind the portal takes, and the hostile ones a supplier
could send instead (decompression bombs, XML with a DTD or entities, formulae, Unicode digits). Each
hostile file is built here, in the test, so nothing dangerous is kept in the repository."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

from commissioning.demo import minimal_pdf

MEGABYTE = 1024 * 1024
FORMULA = '=HYPERLINK("http://example.org","x")'
ARABIC_THREE = "\u0663"  # ٣, a digit to Python's int() and Decimal(), not to the portal
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>\n"
)
EXTERNAL = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
PDF = minimal_pdf("upload")


def workbook_bytes(rows: list[list] | None = None) -> bytes:
    book = Workbook()
    for row in rows or [["Name", "Figure"], ["Referrals", 224]]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx_bytes(text: str = "Our safeguarding policy") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body><w:p><w:r><w:t>{text}</w:t>'
            "</w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def _rewrite(source: bytes, member: str, write) -> bytes:
    """`source` with `member` written by `write(stream, original)` instead, streamed so that a huge member
    never sits in memory, and packed as tightly as ZIP can."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in original.infolist():
            if info.filename == member:
                packed = zipfile.ZipInfo(member)
                packed.compress_type = zipfile.ZIP_DEFLATED
                with target.open(packed, "w") as stream:
                    write(stream, original.read(member).decode())
            else:
                target.writestr(info, original.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


TEXT = re.compile(r"<(?:w:)?t(?: xml:space=\"preserve\")?>([^<]*)</(?:w:)?t>")


def _text_part(source: bytes, sheet: str = "sheet1") -> str:
    """Where the first text is: the shared strings, the first sheet (openpyxl writes text inline), or a
    Word document's body."""
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        names = archive.namelist()
    for name in ("xl/sharedStrings.xml", f"xl/worksheets/{sheet}.xml", "word/document.xml"):
        if name in names:
            return name
    raise ValueError("no text part")


def with_huge_cell(source: bytes, megabytes: int = 160) -> bytes:
    """The first text of a workbook (or document) replaced with `megabytes` MB of one letter: a
    decompression bomb that is a few hundred KiB on the wire."""
    member = _text_part(source)

    def write(stream, xml: str) -> None:
        found = TEXT.search(xml)
        head, tail = xml[: found.start(1)], xml[found.end(1) :]
        stream.write(head.encode())
        chunk = b"A" * MEGABYTE
        for _ in range(megabytes):
            stream.write(chunk)
        stream.write(tail.encode())

    return _rewrite(source, member, write)


def with_doctype(source: bytes, doctype: str = LAUGHS, entity: str = "lol9") -> bytes:
    """A workbook (or document) whose text part starts with `doctype` and uses `entity` in its first text:
    the billion laughs by default, or an external entity (EXTERNAL, "xxe")."""
    member = _text_part(source)

    def write(stream, xml: str) -> None:
        xml = re.sub(r"^<\?xml[^>]*\?>\s*", "", xml)
        found = TEXT.search(xml)
        xml = xml[: found.start(1)] + f"&{entity};" + xml[found.start(1) :]
        stream.write((doctype + xml).encode())

    return _rewrite(source, member, write)


def with_cell_text(source: bytes, text: str) -> bytes:
    """A workbook whose first text is `text` (a formula, Unicode digits)."""
    member = _text_part(source)

    def write(stream, xml: str) -> None:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        found = TEXT.search(xml)
        stream.write((xml[: found.start(1)] + escaped + xml[found.end(1) :]).encode())

    return _rewrite(source, member, write)
