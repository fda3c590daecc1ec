"""A notice as the OCDS 1.1 release Find a Tender makes of it: the `tag` of its stage, the notice itself as a
document with its `noticeType`, the procedure's `ocid`, parties with their identifiers and roles, lots, items
with CPV codes, values with and without VAT, light-touch as `specialRegime`, award criteria and weights,
the standstill period, the day assessment summaries were sent, and `relatedProcesses` from a call-off to
its framework's procedure.

Sealed bids: a release names tenderers, and gives the values of bids, only in an award-stage notice of a
competition whose responses two officers have opened; a tender notice never holds them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from commissioning.dates import LONDON, standstill_last_day
from contracts.award.models import Award, AwardCriterion, Competition, DirectAward, NoAward
from contracts.models import Contract, Variation
from contracts.notices import procedures
from contracts.notices.models import Notice, NoticeType
from contracts.notices.rules import with_vat
from frameworks.models import Appointment, FrameworkAward
from suppliers.models import Supplier

TAGS = {
    NoticeType.UK4: ["tender"],
    NoticeType.UK5: ["tender"],
    NoticeType.UK6: ["award"],
    NoticeType.UK7: ["award", "contract"],
    NoticeType.UK10: ["contractAmendment"],
    NoticeType.UK11: ["contractTermination"],
    NoticeType.UK12: ["tenderCancellation"],
}
DOCUMENT_TYPES = {
    NoticeType.UK4: "tenderNotice",
    NoticeType.UK5: "tenderNotice",
    NoticeType.UK6: "awardNotice",
    NoticeType.UK7: "contractNotice",
    NoticeType.UK10: "contractNotice",
    NoticeType.UK11: "contractTerminationNotice",
    NoticeType.UK12: "tenderCancellationNotice",
}
CRITERION_TYPES = {
    AwardCriterion.Kind.QUALITY: "quality",
    AwardCriterion.Kind.PRICE: "price",
    AwardCriterion.Kind.SOCIAL_VALUE: "quality",
}


def iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min, tzinfo=LONDON)
    return timezone.localtime(moment).isoformat(timespec="seconds")


def end_of(day: date | None) -> str | None:
    return None if day is None else datetime.combine(day, time(23, 59, 59), tzinfo=LONDON).isoformat()


def value(amount: Decimal | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"amount": float(amount), "amountGross": float(with_vat(amount)), "currency": "GBP"}


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + (end.month - start.month) + (1 if end.day >= start.day - 1 else 0)


# Parties ---------------------------------------------------------------------------------------------------


def buyer_party(authority) -> dict[str, Any]:
    party = {
        "id": f"authority-{authority.pk}",
        "name": authority.name,
        "roles": ["buyer"],
        "details": {"classifications": [{"scheme": "UK_CA_TYPE", "id": "publicAuthoritySubCentralGovernment"}]},
    }
    if authority.email:
        party["contactPoint"] = {"email": authority.email}
    return party


def supplier_identifiers(supplier: Supplier) -> list[dict[str, str]]:
    """GB-PPON where the supplier registered on the Central Digital Platform, then its Charity Commission
    and Companies House numbers."""
    found = []
    if supplier.ppon_id:
        found.append({"scheme": "GB-PPON", "id": supplier.ppon_id, "legalName": supplier.legal_name})
    if supplier.charity_number:
        found.append({"scheme": "GB-CHC", "id": supplier.charity_number, "legalName": supplier.legal_name})
    if supplier.company_number:
        found.append({"scheme": "GB-COH", "id": supplier.company_number, "legalName": supplier.legal_name})
    return found


def supplier_id(supplier: Supplier) -> str:
    identifiers = supplier_identifiers(supplier)
    if identifiers:
        return f"{identifiers[0]['scheme']}-{identifiers[0]['id']}"
    return f"supplier-{supplier.pk}"


def supplier_party(supplier: Supplier, role: str) -> dict[str, Any]:
    identifiers = supplier_identifiers(supplier)
    party: dict[str, Any] = {
        "id": supplier_id(supplier),
        "name": supplier.legal_name,
        "roles": [role],
        "details": {"vcse": supplier.is_vcse, "scale": "sme" if supplier.is_sme else "large"},
    }
    if identifiers:
        party["identifier"] = identifiers[0]
        if len(identifiers) > 1:
            party["additionalIdentifiers"] = identifiers[1:]
    address = {
        "streetAddress": ", ".join(p for p in (supplier.address_line_1, supplier.address_line_2) if p),
        "locality": supplier.town,
        "postalCode": supplier.postcode,
        "countryName": "United Kingdom",
    }
    party["address"] = {k: v for k, v in address.items() if v}
    return party


def reference(party: dict[str, Any]) -> dict[str, str]:
    return {"id": party["id"], "name": party["name"]}


class Parties:
    """Parties of a release, merging roles when one organisation plays several."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def add(self, party: dict[str, Any]) -> dict[str, str]:
        existing = self.by_id.get(party["id"])
        if existing is None:
            self.by_id[party["id"]] = party
        else:
            existing["roles"] = sorted(set(existing["roles"]) | set(party["roles"]))
        return reference(party)

    def as_list(self) -> list[dict[str, Any]]:
        return list(self.by_id.values())


# Sections --------------------------------------------------------------------------------------------------


def notice_document(notice: Notice, published_on: date | None) -> dict[str, Any]:
    document = {
        "id": f"notice-{notice.pk}",
        "documentType": DOCUMENT_TYPES[notice.notice_type],
        "noticeType": notice.notice_type,
        "title": notice.title,
        "description": notice.basis,
        "format": "text/html",
        "language": "en",
    }
    if published_on:
        document["datePublished"] = iso(published_on)
    if notice.fts_number:
        document["url"] = f"https://www.find-tender.service.gov.uk/Notice/{notice.fts_number}"
    return document


def criteria_of(competition: Competition) -> dict[str, Any]:
    return {
        "criteria": [
            {
                "type": CRITERION_TYPES[c.kind],
                "name": c.title,
                "description": c.question or c.get_kind_display(),
                "numbers": [{"number": c.weight, "weight": "percentageExact"}],
            }
            for c in competition.criteria.all()
        ]
    }


def framework_agreement(award: FrameworkAward) -> dict[str, Any]:
    framework = award.framework
    scheme_start = framework.awards.order_by("sequence").values_list("starts_on", flat=True).first() or award.starts_on
    from frameworks.open_frameworks import scheme_end

    return {
        "isOpenFrameworkScheme": framework.is_open_framework,
        "openFrameworkSchemeEndDate": end_of(scheme_end(framework, scheme_start))
        if framework.is_open_framework
        else None,
        "type": "open" if framework.is_open_framework else "closed",
        "periodRationale": f"Award {award.sequence} of the scheme",
    }


def base_tender(procedure_root, test, *, title: str, description: str, cpv: str) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": procedure_root.reference,
        "title": title,
        "description": description or title,
        "mainProcurementCategory": "services",
        "aboveThreshold": test.above_threshold,
        "items": [{"id": "1", "description": title, "classification": {"scheme": "CPV", "id": cpv}}],
    }
    if test.light_touch:
        tender["specialRegime"] = ["lightTouch"]
    if test.excluding_vat:
        tender["value"] = value(test.excluding_vat)
    return tender


def competition_tender(competition: Competition, test, *, cancelled: bool = False) -> dict[str, Any]:
    cpv = competition.framework_lot.framework.cpv_code if competition.framework_lot_id else settings.OCDS_DEFAULT_CPV
    tender = base_tender(competition, test, title=competition.title, description=competition.description, cpv=cpv)
    mini = competition.is_mini_competition
    tender.update(
        {
            "status": "cancelled"
            if cancelled
            else ("active" if competition.status == Competition.Status.PUBLISHED else "complete"),
            "procurementMethod": "selective" if mini else "open",
            "procurementMethodDetails": "Call-off from a framework by competitive selection (s.46)"
            if mini
            else "Competitive flexible procedure: an expression of interest open to any provider",
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": "; ".join(f"{c.title} {c.weight}%" for c in competition.criteria.all()),
            "contractPeriod": {
                "startDate": iso(competition.contract_start_on),
                "endDate": end_of(competition.contract_end_on),
                "durationInMonths": competition.term_months,
            },
            "tenderPeriod": {"startDate": iso(competition.published_at), "endDate": iso(competition.closes_at)},
            "enquiryPeriod": {"endDate": iso(competition.clarification_deadline)},
        }
    )
    lots = []
    for lot in competition.lots.all():
        entry: dict[str, Any] = {
            "id": str(lot.number),
            "title": lot.title,
            "description": lot.description or lot.title,
            "status": "active",
            "awardCriteria": criteria_of(competition),
        }
        if lot.max_annual_bid is not None:
            entry["value"] = value(lot.max_annual_bid * competition.term_months / 12)
        lots.append(entry)
    tender["lots"] = lots
    tender["items"] = [
        {
            "id": str(lot["id"]),
            "description": lot["title"],
            "classification": {"scheme": "CPV", "id": cpv},
            "relatedLot": lot["id"],
        }
        for lot in lots
    ] or tender["items"]
    return tender


def related_framework(lot) -> list[dict[str, Any]]:
    """A call-off points at the procedure of the framework award it was called off under."""
    if lot is None:
        return []
    award = procedures.framework_award_on(lot.framework_id, timezone.localdate())
    if award is None:
        return []
    return [
        {
            "id": "1",
            "relationship": ["framework"],
            "title": award.framework.title,
            "scheme": "ocid",
            "identifier": procedures.ocid_of(award),
        }
    ]


# Builders per record ---------------------------------------------------------------------------------------


def _framework_award(notice: Notice, award: FrameworkAward, parties: Parties, doc, test) -> dict[str, Any]:
    framework = award.framework
    tender = base_tender(award, test, title=framework.title, description=framework.description, cpv=framework.cpv_code)
    tender.update(
        {
            "status": "complete" if notice.notice_type != NoticeType.UK4 else "active",
            "procurementMethod": "open",
            "procurementMethodDetails": "Competitive flexible procedure: applications to join the framework",
            "techniques": {"hasFrameworkAgreement": True, "frameworkAgreement": framework_agreement(award)},
            "lots": [
                {
                    "id": str(lot.number),
                    "title": lot.title,
                    "description": lot.description or lot.title,
                    "status": "active",
                }
                for lot in framework.lots.all()
            ],
            "contractPeriod": {"startDate": iso(award.starts_on), "endDate": end_of(award.ends_on)},
        }
    )
    if award.window_id:
        tender["tenderPeriod"] = {"startDate": iso(award.window.opens_at), "endDate": iso(award.window.closes_at)}
    tender["items"] = [
        {
            "id": str(lot["id"]),
            "description": lot["title"],
            "classification": {"scheme": "CPV", "id": framework.cpv_code},
            "relatedLot": lot["id"],
        }
        for lot in tender["lots"]
    ]
    release: dict[str, Any] = {"tender": tender}
    if notice.notice_type == NoticeType.UK4:
        tender["documents"] = [doc]
        return release
    appointees = (
        Appointment.objects.filter(lot__framework=framework, starts_on__lte=award.ends_on)
        .exclude(status=Appointment.Status.REMOVED)
        .select_related("supplier", "lot")
        .order_by("lot__number", "supplier__legal_name")
    )
    by_supplier: dict[int, tuple[Supplier, set[str]]] = {}
    for appointment in appointees:
        by_supplier.setdefault(appointment.supplier_id, (appointment.supplier, set()))[1].add(
            str(appointment.lot.number)
        )
    award_entry = {
        "id": award.reference,
        "title": f"{framework.title}, award {award.sequence}",
        "status": "active",
        "date": iso(award.awarded_at),
        "suppliers": [parties.add(supplier_party(s, "supplier")) for s, _ in by_supplier.values()],
        "relatedLots": sorted({lot for _, lots in by_supplier.values() for lot in lots}, key=int),
        "contractPeriod": {"startDate": iso(award.starts_on), "endDate": end_of(award.ends_on)},
        "aboveThreshold": test.above_threshold,
        "mainProcurementCategory": "services",
    }
    if notice.notice_type == NoticeType.UK6:
        award_entry["status"] = "pending"
        award_entry["documents"] = [doc]
        release["awards"] = [award_entry]
        return release
    release["awards"] = [award_entry]
    release["contracts"] = [
        {
            "id": award.reference,
            "awardID": award.reference,
            "title": award_entry["title"],
            "status": "active",
            "period": {"startDate": iso(award.starts_on), "endDate": end_of(award.ends_on)},
            "aboveThreshold": test.above_threshold,
            "documents": [doc],
        }
    ]
    return release


def award_entry(award: Award, parties: Parties, test, *, status: str) -> dict[str, Any]:
    competition = award.competition
    winner = award.tender.supplier
    entry = {
        "id": str(award.pk),
        "title": f"{competition.title}, {award.lot}",
        "status": status,
        "date": iso(award.decided_at),
        "description": award.reasons,
        "value": value(test.excluding_vat),
        "suppliers": [parties.add(supplier_party(winner, "supplier"))],
        "relatedLots": [str(award.lot.number)],
        "contractPeriod": {
            "startDate": iso(competition.contract_start_on),
            "endDate": end_of(competition.contract_end_on),
            "durationInMonths": competition.term_months,
        },
        "assessmentSummariesDateSent": iso(award.decided_at),
        "aboveThreshold": test.above_threshold,
        "mainProcurementCategory": "services",
    }
    return entry


def _competition_family(notice: Notice, target, parties: Parties, doc, test) -> dict[str, Any]:
    competition = target.competition if isinstance(target, Award | NoAward) else target
    cancelled = notice.notice_type == NoticeType.UK12 and isinstance(target, Competition)
    tender = competition_tender(competition, procedures.test_value(competition), cancelled=cancelled)
    release: dict[str, Any] = {"tender": tender}
    related = related_framework(competition.framework_lot)
    if related:
        release["relatedProcesses"] = related
    if notice.notice_type in {NoticeType.UK4, NoticeType.UK12}:
        if isinstance(target, NoAward):
            for lot in tender["lots"]:
                if lot["id"] == str(target.lot.number):
                    lot["status"] = "cancelled"
            tender["status"] = "active" if any(lot["status"] != "cancelled" for lot in tender["lots"]) else "cancelled"
        if notice.notice_type == NoticeType.UK12:
            tender["statusDetails"] = target.reasons if isinstance(target, NoAward) else competition.cancellation_reason
        tender["documents"] = [doc]
        return release
    # Award stage: only after the two-officer opening can tenderers be named (a decided award implies it).
    if isinstance(target, Award) and competition.opened_at is not None:
        tenderers = [
            parties.add(supplier_party(t.supplier, "tenderer"))
            for t in target.lot.tenders.filter(status__in=["opened", "scored", "successful", "unsuccessful"])
            .select_related("supplier")
            .order_by("supplier__legal_name")
        ]
        tender["tenderers"] = tenderers
        tender["numberOfTenderers"] = len(tenderers)
        entry = award_entry(
            target, parties, test, status="pending" if notice.notice_type == NoticeType.UK6 else "active"
        )
        if notice.notice_type == NoticeType.UK6:
            published = notice.published_on
            if not target.standstill_skipped_reason and published:
                entry["standstillPeriod"] = {
                    "startDate": iso(published),
                    "endDate": end_of(standstill_last_day(published)),
                }
            entry["documents"] = [doc]
        release["awards"] = [entry]
    return release


def _direct_award(notice: Notice, direct_award: DirectAward, parties: Parties, doc, test) -> dict[str, Any]:
    cpv = direct_award.framework_lot.framework.cpv_code if direct_award.framework_lot_id else settings.OCDS_DEFAULT_CPV
    tender = base_tender(direct_award, test, title=direct_award.title, description=direct_award.scope, cpv=cpv)
    tender.update(
        {
            "status": "cancelled" if notice.notice_type == NoticeType.UK12 else "complete",
            "procurementMethod": "direct",
            "procurementMethodDetails": "Direct award"
            + (" (call-off from a framework)" if direct_award.framework_lot_id else ""),
            "procurementMethodRationale": f"{direct_award.get_justification_display()}. {direct_award.explanation}",
            "contractPeriod": {
                "startDate": iso(direct_award.contract_start_on),
                "endDate": end_of(direct_award.contract_end_on),
                "durationInMonths": direct_award.term_months,
            },
        }
    )
    release: dict[str, Any] = {"tender": tender}
    related = related_framework(direct_award.framework_lot)
    if related:
        release["relatedProcesses"] = related
    supplier = parties.add(supplier_party(direct_award.supplier, "supplier"))
    entry = {
        "id": direct_award.reference,
        "title": direct_award.title,
        "status": "pending",
        "date": iso(direct_award.decided_at or direct_award.requested_at),
        "value": value(test.excluding_vat),
        "suppliers": [supplier],
        "aboveThreshold": test.above_threshold,
        "mainProcurementCategory": "services",
    }
    if notice.notice_type in {NoticeType.UK5, NoticeType.UK12}:
        tender["documents"] = [doc]
        if notice.notice_type == NoticeType.UK12:
            tender["statusDetails"] = direct_award.decision_note
        return release
    entry["documents"] = [doc]
    release["awards"] = [entry]
    return release


def _contract(notice: Notice, target, parties: Parties, doc, test) -> dict[str, Any]:
    contract = target.contract if isinstance(target, Variation) else target
    source = contract.source if contract.source_object_id else None
    award_id = (
        str(source.pk)
        if isinstance(source, Award)
        else (source.reference if isinstance(source, DirectAward) else contract.reference)
    )
    supplier = parties.add(supplier_party(contract.supplier, "supplier"))
    for member in contract.consortium_members.all():
        parties.add(supplier_party(member, "supplier"))
    cpv = contract.lot.framework.cpv_code if contract.lot_id else settings.OCDS_DEFAULT_CPV
    entry: dict[str, Any] = {
        "id": contract.reference,
        "awardID": award_id,
        "title": contract.title,
        "description": contract.scope or contract.title,
        "status": "terminated" if notice.notice_type == NoticeType.UK11 else "active",
        "period": {"startDate": iso(contract.start_on), "endDate": end_of(contract.effective_end_on)},
        "value": value(contract.total_value_now),
        "items": [{"id": "1", "description": contract.title, "classification": {"scheme": "CPV", "id": cpv}}],
        "aboveThreshold": test.above_threshold,
        "documents": [doc],
    }
    if contract.activated_at:
        entry["dateSigned"] = iso(contract.activated_at)
    if notice.notice_type == NoticeType.UK10 and isinstance(target, Variation):
        entry["amendments"] = [
            {
                "id": f"variation-{target.pk}",
                "date": iso(target.approved_on),
                "description": target.get_kind_display(),
                "rationale": target.reason,
            }
        ]
    if notice.notice_type == NoticeType.UK11:
        reason = contract.termination_reason or "The contract expired at the end of its term."
        entry["terminationRationaleClassifications"] = [
            {
                "scheme": "terminationRationale",
                "id": "terminated" if contract.terminated_on else "expired",
                "description": reason,
            }
        ]
    release: dict[str, Any] = {"contracts": [entry]}
    related = related_framework(contract.lot)
    if related:
        release["relatedProcesses"] = related
    if notice.notice_type == NoticeType.UK7:
        release["awards"] = [
            {
                "id": award_id,
                "title": contract.title,
                "status": "active",
                "date": iso(contract.created_at),
                "value": value(contract.total_value_now),
                "suppliers": [supplier],
                "aboveThreshold": test.above_threshold,
            }
        ]
    return release


BUILDERS = {
    FrameworkAward: _framework_award,
    Competition: _competition_family,
    Award: _competition_family,
    NoAward: _competition_family,
    DirectAward: _direct_award,
    Contract: _contract,
    Variation: _contract,
}


def build_release(notice: Notice, *, release_id: str | None = None, published_on: date | None = None) -> dict[str, Any]:
    """The release of a notice: as it would be published with `release_id` on `published_on` (a preview
    gives neither), or as it was published."""
    target = notice.target
    published_on = published_on or notice.published_on
    parties = Parties()
    buyer = parties.add(buyer_party(procedures.authority_of(target)))
    test = procedures.test_value(target)
    shown = Notice(
        pk=notice.pk,
        notice_type=notice.notice_type,
        title=notice.title,
        basis=notice.basis,
        fts_number=release_id or notice.fts_number,
        published_on=published_on,
    )
    doc = notice_document(shown, published_on)
    body = BUILDERS[type(target)](shown, target, parties, doc, test)
    release = {
        "ocid": notice.ocid,
        "id": release_id or notice.fts_number or f"{notice.ocid}-notice-{notice.pk}-preview",
        "date": iso(published_on) or iso(timezone.now()),
        "tag": TAGS[notice.notice_type],
        "initiationType": "tender",
        "language": "en",
        "buyer": buyer,
        "parties": parties.as_list(),
        **body,
    }
    return release
