"""`approved_row` writes a row of the approved list as the template wrote it cell by cell, for every branch
of the row: trading names, VCSE, accreditations expired, expiring and without expiry, consortia with and
without members, each kind of contact, an end date, each status, and text that needs escaping."""

from __future__ import annotations

import itertools
import re
from datetime import date

from django.template import Context, Template

from frameworks.templatetags.frameworks_tags import approved_row

# The row as `frameworks/partner/_approved_table.html` wrote it before `approved_row`.
TEMPLATE_ROW = """{% load portal %}{% for appointment in appointments %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">
        {{ appointment.legal_name }}
        {% if appointment.trading_name %}<br><span class="govuk-body-s">Trading as {{ appointment.trading_name }}</span>{% endif %}
        {% if appointment.is_vcse %}<br><strong class="govuk-tag govuk-tag--green">VCSE</strong>{% endif %}
      </th>
      <td class="govuk-table__cell">Lot {{ appointment.lot_number }}: {{ appointment.lot_title }}</td>
      <td class="govuk-table__cell">{{ appointment.area_names|join:", "|default:"None recorded" }}</td>
      <td class="govuk-table__cell">
        <ul class="govuk-list govuk-!-font-size-16 govuk-!-margin-bottom-0">
        {% for accreditation in appointment.accreditations %}
          <li>{{ accreditation.name }}{% if accreditation.level %}, {{ accreditation.level }}{% endif %}
            {% if accreditation.is_expired %}<br><strong class="govuk-tag govuk-tag--red">Expired</strong> on {{ accreditation.expires_on|long_date }}
            {% elif accreditation.expires_on %}<br>Expires {{ accreditation.expires_on|long_date }}
            {% else %}<br>No expiry date{% endif %}</li>
        {% empty %}
          <li>None recorded</li>
        {% endfor %}
        </ul>
      </td>
      <td class="govuk-table__cell">
        {% if appointment.application_id %}
        <ul class="govuk-list govuk-!-font-size-16 govuk-!-margin-bottom-0">
          {% for member in appointment.members %}<li>{{ member.name }} ({{ member.role }})</li>{% empty %}<li>Not a consortium</li>{% endfor %}
        </ul>
        {% else %}Not a consortium{% endif %}
      </td>
      <td class="govuk-table__cell">
        {% if appointment.contact_name %}{{ appointment.contact_name }}<br>{% endif %}
        {% if appointment.contact_email %}<a class="govuk-link" href="mailto:{{ appointment.contact_email }}">{{ appointment.contact_email }}</a><br>{% endif %}
        {% if appointment.contact_phone %}{{ appointment.contact_phone }}{% endif %}
        {% if not appointment.contact_name and not appointment.contact_email and not appointment.contact_phone %}Not given{% endif %}
      </td>
      <td class="govuk-table__cell">From {{ appointment.starts_on|long_date }}{% if appointment.ends_on %}<br>until {{ appointment.ends_on|long_date }}{% endif %}</td>
      {% if officer_columns %}
      <td class="govuk-table__cell">
        {% if appointment.status == "active" %}<strong class="govuk-tag govuk-tag--green">Active</strong>{% elif appointment.status == "suspended" %}<strong class="govuk-tag govuk-tag--yellow">Suspended</strong>{% else %}<strong class="govuk-tag govuk-tag--grey">Removed</strong>{% endif %}
        <br>Shared with partners: {{ appointment.consent_share_with_partners|yesno:"yes,no" }}
        <br>Published: {{ appointment.consent_publish|yesno:"yes,no" }}
        <br><a class="govuk-link" href="{% row_url 'approved_list:appointment_history' appointment.pk %}">History<span class="govuk-visually-hidden"> of {{ appointment.legal_name }} on lot {{ appointment.lot_number }}</span></a>
      </td>
      {% endif %}
    </tr>
    {% endfor %}"""  # noqa: E501

ACCREDITATIONS = [
    [],
    [
        {"name": "SafeLives Leading Lights", "level": "", "expires_on": date(2027, 3, 31), "is_expired": False},
        {"name": "Women's Aid <Quality> Standard", "level": "Level 2", "expires_on": None, "is_expired": False},
        {"name": "Rape Crisis & National Standards", "level": "", "expires_on": date(2025, 1, 5), "is_expired": True},
    ],
]
CONSORTIA = [(None, []), (41, []), (42, [{"name": "Black Country Women's Aid", "role": "Lead <member>"}])]
CONTACTS = [("", "", ""), ("Asha Patel", "", ""), ("", "bids@example.org", ""), ("", "", "0121 000 0000")]
CONTACTS.append(("Sam O'Neill & co", "sam+bids@example.org", "0121 111 1111"))


def rows():
    """One row for each combination of the branches above, the names alternating plain and needing escape."""
    combinations = itertools.product(
        ACCREDITATIONS, CONSORTIA, CONTACTS, ["active", "suspended", "removed"], [None, date(2028, 3, 31)]
    )
    for pk, (accreditations, (application_id, members), contact, status, ends_on) in enumerate(combinations, 1):
        escaped = pk % 2 == 0
        yield {
            "pk": pk,
            "legal_name": "Smith & Jones <Advocacy>" if escaped else "Birmingham and Solihull Women's Aid",
            "trading_name": "BSWA" if pk % 3 == 0 else "",
            "is_vcse": pk % 4 == 0,
            "lot_number": pk % 4 + 1,
            "lot_title": "Domestic abuse & outreach" if escaped else "Sexual violence support",
            "area_names": [] if pk % 5 == 0 else ["Birmingham", "Dudley & Sandwell"],
            "accreditations": accreditations,
            "application_id": application_id,
            "members": members,
            "contact_name": contact[0],
            "contact_email": contact[1],
            "contact_phone": contact[2],
            "starts_on": date(2024, 4, 1),
            "ends_on": ends_on,
            "status": status,
            "consent_share_with_partners": pk % 2 == 0,
            "consent_publish": pk % 3 == 0,
        }


def normalised(html: str) -> str:
    """Markup with whitespace next to tags taken out and other runs made one space: what the browser shows
    is the same, and the template's indentation is not part of the comparison."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def test_each_row_is_written_as_the_template_wrote_it():
    appointments = list(rows())
    assert len(appointments) == 2 * 3 * 5 * 3 * 2
    template = Template(TEMPLATE_ROW)
    for officer_columns in (True, False):
        for appointment in appointments:
            expected = template.render(Context({"appointments": [appointment], "officer_columns": officer_columns}))
            written = approved_row(appointment, officer_columns)
            assert normalised(written) == normalised(expected), (appointment, officer_columns)


def test_text_from_the_database_is_escaped():
    appointment = next(row for row in rows() if row["legal_name"].startswith("Smith") and row["members"])
    written = approved_row(appointment, True)
    assert "Smith &amp; Jones &lt;Advocacy&gt;" in written
    assert "Lead &lt;member&gt;" in written
    assert "<Advocacy>" not in written and "<member>" not in written
    partner_view = approved_row(appointment, False)
    assert "Shared with partners" not in partner_view and "History" not in partner_view
