"""A notice's release in words: the sections and rows an officer checks before publishing it on Find a
Tender, shown on the notice's page and in its PDF. Read from the release itself, so the preview says what
will be published, no more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commissioning.dates import long_date


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)

    def add(self, label: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            self.rows.append((label, str(value)))


def when(value: str | None) -> str:
    if not value:
        return ""
    return long_date(datetime.fromisoformat(value).date())


def money(value: dict | None) -> str:
    if not value or value.get("amount") is None:
        return ""
    text = f"£{value['amount']:,.2f} excluding VAT"
    if value.get("amountGross") is not None:
        text += f", £{value['amountGross']:,.2f} including VAT"
    return text


def period(value: dict | None) -> str:
    if not value:
        return ""
    start, end = when(value.get("startDate")), when(value.get("endDate"))
    if start and end:
        return f"{start} to {end}"
    return start or (f"until {end}" if end else "")


def readable(release: dict[str, Any]) -> list[Section]:
    parties = {p["id"]: p for p in release.get("parties", [])}
    notice = Section("Notice")
    documents = [
        d
        for part in (release.get("tender", {}), *release.get("awards", []), *release.get("contracts", []))
        for d in part.get("documents", [])
        if d.get("noticeType")
    ]
    if documents:
        notice.add("Type", f"{documents[0]['noticeType']} ({documents[0]['documentType']})")
    notice.add("Release", release.get("id"))
    notice.add("Open contracting ID", release.get("ocid"))
    notice.add("Stage", ", ".join(release.get("tag", [])))
    notice.add("Date", when(release.get("date")))
    buyer = parties.get(release.get("buyer", {}).get("id"), {})
    notice.add("Buyer", buyer.get("name"))
    sections = [notice]

    tender = release.get("tender")
    if tender:
        part = Section("Procurement")
        part.add("Title", tender.get("title"))
        part.add("Description", tender.get("description"))
        part.add("Status", tender.get("status"))
        part.add("Procedure", tender.get("procurementMethodDetails") or tender.get("procurementMethod"))
        part.add("Justification", tender.get("procurementMethodRationale"))
        part.add("Special regime", "Light-touch" if "lightTouch" in (tender.get("specialRegime") or []) else "")
        part.add("Above the threshold", {True: "Yes", False: "No"}.get(tender.get("aboveThreshold")))
        part.add("Estimated value", money(tender.get("value")))
        part.add("CPV", ", ".join(sorted({i["classification"]["id"] for i in tender.get("items", [])})))
        part.add("Contract period", period(tender.get("contractPeriod")))
        part.add("Tender period", period(tender.get("tenderPeriod")))
        part.add("Award criteria", tender.get("awardCriteriaDetails"))
        part.add("Reason", tender.get("statusDetails"))
        part.add("Tenderers", ", ".join(t["name"] for t in tender.get("tenderers", [])))
        sections.append(part)
        lots = Section("Lots")
        for lot in tender.get("lots", []):
            text = lot["title"]
            if lot.get("value"):
                text += f" – {money(lot['value'])}"
            if lot.get("status") == "cancelled":
                text += " – cancelled"
            lots.add(f"Lot {lot['id']}", text)
        if lots.rows:
            sections.append(lots)
    for award in release.get("awards", []):
        part = Section(f"Award: {award.get('title', '')}")
        part.add("Suppliers", ", ".join(s["name"] for s in award.get("suppliers", [])))
        for s in award.get("suppliers", []):
            identifier = parties.get(s["id"], {}).get("identifier")
            if identifier:
                part.add(f"{s['name']} identifier", f"{identifier['scheme']} {identifier['id']}")
        part.add("Status", award.get("status"))
        part.add("Decided", when(award.get("date")))
        part.add("Value", money(award.get("value")))
        part.add("Lots", ", ".join(award.get("relatedLots", [])))
        part.add("Standstill period", period(award.get("standstillPeriod")))
        part.add("Assessment summaries sent", when(award.get("assessmentSummariesDateSent")))
        sections.append(part)
    for contract in release.get("contracts", []):
        part = Section(f"Contract: {contract.get('title', '')}")
        part.add("Status", contract.get("status"))
        part.add("Period", period(contract.get("period")))
        part.add("Value", money(contract.get("value")))
        part.add("Signed", when(contract.get("dateSigned")))
        for amendment in contract.get("amendments", []):
            part.add("Change", f"{amendment.get('description')}: {amendment.get('rationale')}")
        for reason in contract.get("terminationRationaleClassifications", []):
            part.add("Ended", reason.get("description"))
        sections.append(part)
    related = Section("Related procedures")
    for process in release.get("relatedProcesses", []):
        related.add(
            ", ".join(process.get("relationship", [])).capitalize(),
            f"{process.get('title')} ({process.get('identifier')})",
        )
    if related.rows:
        sections.append(related)
    return sections
