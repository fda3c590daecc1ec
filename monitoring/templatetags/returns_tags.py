"""The returns dashboard's rows and a return's fields."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from commissioning.dates import short_date
from commissioning.row_urls import row_url

register = template.Library()

DASHBOARD_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell">{}<br><span class="govuk-body-s">{}: {}</span></td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
    '<td class="govuk-table__cell">{}</td>'
    "</tr>"
)


@register.simple_tag
def dashboard_row(slot) -> str:
    """A row of the returns dashboard (a contract in force and its return, if any), escaped as the template
    would. Written here, not cell by cell in the template, where a row's two dozen variables made the fifty
    rows about a quarter of the page's time (tests/monitoring/test_dashboard_rows.py checks it against the
    markup the template wrote)."""
    contract, sent = slot.contract, slot.quarterly_return
    supplier = contract.supplier.legal_name
    if sent is not None:
        link = format_html(
            '<a class="govuk-link" href="{}">{}'
            '<span class="govuk-visually-hidden"> the return from {} for {}</span></a>',
            row_url("monitoring:review", sent.pk),
            "Review" if sent.is_awaiting_review else "View",
            supplier,
            contract.reference,
        )
    else:
        link = format_html(
            '<a class="govuk-link" href="{}">Targets<span class="govuk-visually-hidden"> of {}</span></a>',
            row_url("monitoring:targets", contract.pk),
            contract.reference,
        )
    lot = f"{contract.lot.framework.reference} lot {contract.lot.number}" if contract.lot else "None"
    return format_html(
        DASHBOARD_ROW,
        supplier,
        contract.reference,
        contract.title,
        lot,
        short_date(slot.due_on) if slot.due_on else "",
        slot.status_tag,
        slot.status_label,
        slot.timeliness_tag,
        slot.timeliness_label,
        link,
    )


# A return's fields, written here rather than by an included template each: a return shows dozens of
# fields, and the page is shown four times a provider in the deadline rush (the form, after each draft
# saved). tests/monitoring/test_return_fields.py checks them against the markup the templates wrote.
ERROR = '<p id="{}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>'


def _errors(entry: dict) -> SafeString:
    return format_html_join("", ERROR, entry["error_ids"])


def _described_by(entry: dict, hinted: bool) -> SafeString:
    """The aria-describedby attribute of a field with a hint, errors, or both (nothing otherwise)."""
    if not hinted and not entry["errors"]:
        return SafeString("")
    ids = [f"{entry['id']}-hint"] if hinted else [""]
    ids += [error_id for error_id, _ in entry["error_ids"]]
    return format_html(' aria-describedby="{}"', " ".join(ids))


def _labelled(entry: dict, label_class: str, hint: str, control: SafeString) -> SafeString:
    """A form group: the field's label, hint and errors, then its `control` (input or textarea)."""
    return format_html(
        '<div class="govuk-form-group{}"><label class="govuk-label{}" for="{}">{}</label>{}{}{}</div>',
        " govuk-form-group--error" if entry["errors"] else "",
        f" {label_class}" if label_class else "",
        entry["id"],
        entry["label"],
        format_html('<div id="{}-hint" class="govuk-hint">{}</div>', entry["id"], hint) if hint else "",
        _errors(entry),
        control,
    )


@register.simple_tag
def return_number_field(entry: dict, hint: str = "", label_class: str = "") -> SafeString:
    """One number input of a return with its label, hint and errors (`ReturnForm.entry`)."""
    control = format_html(
        '<input class="govuk-input govuk-input--width-5{}" id="{}" name="{}" type="text" inputmode="{}" '
        'spellcheck="false" autocomplete="off" value="{}"{}>',
        " govuk-input--error" if entry["errors"] else "",
        entry["id"],
        entry["name"],
        entry["inputmode"],
        entry["value"],
        _described_by(entry, bool(hint)),
    )
    return _labelled(entry, label_class, hint, control)


@register.simple_tag
def return_text_field(entry: dict, rows: int = 5) -> SafeString:
    """One textarea of a return's narrative with its label, hint and errors (`ReturnForm.entry`)."""
    hint = entry["help_text"]
    control = format_html(
        '<textarea class="govuk-textarea{}" id="{}" name="{}" rows="{}"{}>{}</textarea>',
        " govuk-textarea--error" if entry["errors"] else "",
        entry["id"],
        entry["name"],
        rows or 5,
        _described_by(entry, bool(hint)),
        entry["value"],
    )
    return _labelled(entry, "govuk-label--s", hint, control)


@register.simple_tag
def breakdown_row(entry: dict) -> SafeString:
    """One category of a breakdown table (a row with its label, errors and number input)."""
    failed = bool(entry["errors"])
    described = ""
    if failed:
        described = format_html(' aria-describedby="{}"', "".join(f"{error_id} " for error_id, _ in entry["error_ids"]))
    return format_html(
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header govuk-!-font-weight-regular">'
        '<label class="govuk-label" for="{}">{}</label></th><td class="govuk-table__cell">'
        '<div class="govuk-form-group govuk-!-margin-bottom-0{}">{}'
        '<input class="govuk-input govuk-input--width-5{}" id="{}" name="{}" type="text" inputmode="numeric" '
        'spellcheck="false" autocomplete="off" value="{}"{}></div></td></tr>',
        entry["id"],
        entry["label"],
        " govuk-form-group--error" if failed else "",
        _errors(entry),
        " govuk-input--error" if failed else "",
        entry["id"],
        entry["name"],
        entry["value"],
        described,
    )
