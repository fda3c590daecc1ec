"""`make bench`, section "uploads": the memory and time of the worst files a supplier could upload, each
sent through the real view in a process of its own.

Each case runs as `python -m bench.hostile_uploads CASE` on the benchmark's database: the process signs
in as a provider, opens the upload page once (so the libraries and templates are loaded, as in a server
that has been running), builds the file, measures its resident memory (idle), resets the kernel's peak
(/proc/self/clear_refs), posts the file and reads the peak again. It prints one JSON line. Nothing it
does is kept: the request runs in a transaction that is rolled back, and files go to a temporary folder.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
import time
import zipfile
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.bench")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = {
    "bomb": "decompression bomb: one 160 MB cell in a 164 KiB XLSX (finding 1)",
    "laughs": "billion laughs: entities nested ten deep in an XLSX",
    "external": "external entity (file:///etc/passwd) in a DOCX",
    "widest": "the largest return the gate lets through (45,000 cells), parsed by the reader",
    "pdf": "a 25 MB PDF of 2,000 pages, opened by pypdf",
}


def _memory(field: str) -> int:
    """VmRSS (now) or VmHWM (peak since the last reset), in bytes."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) * 1024


def _give_back_free_memory() -> None:
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: the figure may then read low
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _widest_return(template: bytes) -> bytes:
    """The return's own workbook with its Figures sheet grown to as many cells of numbers as the gate lets
    through (SPREADSHEET_MAX_XML_ELEMENTS for returns, less a little)."""
    from django.conf import settings

    rng = random.Random(17)
    last_row = int(settings.SPREADSHEET_MAX_XML_ELEMENTS["return_spreadsheet"] * 0.95) // 21
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{col}{r}"><v>{rng.randrange(10**9)}</v></c>' for col in "ABCDEFGHIJ")
        + "</row>"
        for r in range(2, last_row)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                text = content.decode()
                content = re.sub(
                    r"<sheetData>.*</sheetData>", lambda m: f"<sheetData>{rows}</sheetData>", text, flags=re.S
                ).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def _big_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2000):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Padding": "x" * (24 * 1024 * 1024)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _return_upload_page(client) -> str:
    """A return a provider of the data set may still upload: a draft one, signed in as its provider."""
    from django.urls import reverse

    from commissioning.models import User
    from monitoring.models import QuarterlyReturn

    drafts = QuarterlyReturn.objects.filter(status="draft").select_related("contract", "period").order_by("-pk")
    for draft in drafts[:200]:
        user = User.objects.filter(supplier_membership__supplier_id=draft.contract.supplier_id).first()
        if user is None:
            continue
        client.force_login(user)
        url = reverse(
            "monitoring:upload_spreadsheet",
            args=[draft.contract.pk, draft.period.financial_year, draft.period.quarter],
        )
        if client.get(url).status_code == 200:
            return url
    raise RuntimeError("no draft return in the data set can be uploaded")


def run(case: str, provider_email: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from commissioning.models import User
    from tests.factories.files import EXTERNAL, docx_bytes, with_doctype, with_huge_cell, workbook_bytes

    client = Client()
    if case == "widest":
        url = _return_upload_page(client)
        template = client.get(url.replace("/upload/", "/spreadsheet/")).content
        name, content, field = "return.xlsx", _widest_return(template), "spreadsheet"
        data = {}
    else:
        client.force_login(User.objects.get(email=provider_email))
        url = reverse("suppliers:document_add")
        field, data = "file", {"kind": "safeguarding", "title": "Safeguarding policy"}
        name, content = {
            "bomb": lambda: ("policy.xlsx", with_huge_cell(workbook_bytes(), 160)),
            "laughs": lambda: ("policy.xlsx", with_doctype(workbook_bytes())),
            "external": lambda: ("policy.docx", with_doctype(docx_bytes(), EXTERNAL, "xxe")),
            "pdf": lambda: ("policy.pdf", _big_pdf()),
        }[case]()
    client.get(url)  # warm: libraries, templates, the session
    client.post(url, {**data, field: SimpleUploadedFile("warm.pdf", b"%PDF-1.4")})
    _give_back_free_memory()  # what building the file used and freed is not the server's idle memory
    idle = _memory("VmRSS")
    _reset_peak()
    with transaction.atomic():
        start = time.perf_counter()
        response = client.post(url, {**data, field: SimpleUploadedFile(name, content)})
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    peak = _memory("VmHWM")
    refused = re.search(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>\s*([^<]+)',
        response.content.decode(),
    )
    return {
        "case": CASES[case],
        "file_kib": round(len(content) / 1024),
        "status": response.status_code,
        "answer_kib": round(len(response.content) / 1024, 1),
        "seconds": round(seconds, 3),
        "peak_above_idle_mb": round(max(0, peak - idle) / (1024 * 1024), 1),
        "idle_mb": round(idle / (1024 * 1024), 1),
        "refused_with": (refused.group(1).strip()[:90] + "…") if refused else "",
    }


def main() -> None:
    import tempfile

    import django

    django.setup()
    from django.test import override_settings

    # A file the view accepts is stored before the transaction is rolled back: keep it out of bench/media.
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        print(json.dumps(run(sys.argv[1], sys.argv[2])))


if __name__ == "__main__":
    main()
