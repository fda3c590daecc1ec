"""django-import-export resources for exports of the approved list.

`PartnerApprovedListResource` is what a partner commissioner downloads: the columns of the page they
were looking at and nothing more (no status reasons, consent flags, scores or prices).
`OfficerApprovedListResource` adds what only the lead authority sees. Officers can also use it from
the admin (`resource_classes = [OfficerApprovedListResource]`).

Both export an already-built list of appointments (see `partner_selectors`), not a queryset, so the
file holds exactly the rows on screen, in the same order, without further queries.
"""

from __future__ import annotations

from import_export import fields

from commissioning.exports import SpreadsheetSafeResource

from .models import Appointment


def _date(value):
    """A real date (a date cell in a workbook; 2025-07-01 in a CSV), or empty."""
    return value or ""


def accreditation_text(accreditation) -> str:
    text = accreditation.display_name
    if accreditation.level:
        text += f", {accreditation.level}"
    if accreditation.expires_on:
        expired = getattr(accreditation, "is_expired", False)
        text += f" ({'EXPIRED' if expired else 'expires'} {accreditation.expires_on.isoformat()})"
    return text


class PartnerApprovedListResource(SpreadsheetSafeResource):
    sheet_title = "Approved suppliers"
    supplier = fields.Field(attribute="supplier__legal_name", column_name="Supplier")
    trading_name = fields.Field(attribute="supplier__trading_name", column_name="Trading name")
    vcse = fields.Field(column_name="VCSE")
    lot = fields.Field(column_name="Lot")
    areas = fields.Field(column_name="Areas covered")
    accreditations = fields.Field(column_name="Accreditations")
    consortium = fields.Field(column_name="Consortium members")
    contact_name = fields.Field(attribute="supplier__contact_name", column_name="Contact name")
    contact_email = fields.Field(attribute="supplier__contact_email", column_name="Contact email")
    contact_phone = fields.Field(attribute="supplier__contact_phone", column_name="Contact phone")
    starts_on = fields.Field(column_name="Appointed from")
    ends_on = fields.Field(column_name="Appointed until")

    class Meta:
        export_order = (
            "supplier",
            "trading_name",
            "vcse",
            "lot",
            "areas",
            "accreditations",
            "consortium",
            "contact_name",
            "contact_email",
            "contact_phone",
            "starts_on",
            "ends_on",
        )

    def dehydrate_vcse(self, appointment: Appointment) -> str:
        return "Yes" if appointment.supplier.is_vcse else "No"

    def dehydrate_lot(self, appointment: Appointment) -> str:
        return str(appointment.lot)

    def dehydrate_areas(self, appointment: Appointment) -> str:
        return "; ".join(area.name for area in appointment.areas.all())

    def dehydrate_accreditations(self, appointment: Appointment) -> str:
        return "; ".join(accreditation_text(a) for a in appointment.supplier.accreditations.all())

    def dehydrate_consortium(self, appointment: Appointment) -> str:
        if appointment.application is None:
            return ""
        return "; ".join(f"{m.name} ({m.role})" for m in appointment.application.consortium_members.all())

    def dehydrate_starts_on(self, appointment: Appointment) -> str:
        return _date(appointment.starts_on)

    def dehydrate_ends_on(self, appointment: Appointment) -> str:
        return _date(appointment.ends_on)


class OfficerApprovedListResource(PartnerApprovedListResource):
    sheet_title = "Approved list"
    status = fields.Field(column_name="Status")
    status_reason = fields.Field(attribute="status_reason", column_name="Status reason")
    shared = fields.Field(column_name="Consent to share with partners")
    published = fields.Field(column_name="Consent to publish")

    class Meta:
        export_order = (
            *PartnerApprovedListResource.Meta.export_order,
            "status",
            "status_reason",
            "shared",
            "published",
        )

    def dehydrate_status(self, appointment: Appointment) -> str:
        return appointment.get_status_display()

    def dehydrate_shared(self, appointment: Appointment) -> str:
        return "Yes" if appointment.consent_share_with_partners else "No"

    def dehydrate_published(self, appointment: Appointment) -> str:
        return "Yes" if appointment.consent_publish else "No"
