"""The officers' competitions and direct awards lists write each row with one tag (`competition_row`,
`direct_award_row`): the markup is the template's, escaped the same way, for every kind and status of row."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from contracts.templatetags.award_rows import competition_row, direct_award_row
from tests.factories.awards import (
    make_award_setup,
    make_competition,
    make_direct_award,
    make_published_mini,
    make_seed_002_eoi,
)

pytestmark = pytest.mark.django_db

# The rows as the template wrote them cell by cell, before the tags wrote them in one go.
COMPETITION_TEMPLATE = """{% load portal %}<tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{% row_url 'awards:officer_competition' c.pk %}">{{ c.reference }}</a><br>{{ c.title }}<br><span class="govuk-body-s">Owner: {{ c.owner.full_name }}</span></td>
      <td class="govuk-table__cell">{% if c.framework_lot %}Mini-competition, {{ c.framework_lot.framework.reference }} lot {{ c.framework_lot.number }}{% else %}Expression of interest, {{ c.lot_count }} lot{{ c.lot_count|pluralize }}{% endif %}</td>
      <td class="govuk-table__cell">{{ c.area_names|join:", "|default:"–" }}</td>
      <td class="govuk-table__cell">{{ c.closes_at|deadline }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ c.received }}</td>
      <td class="govuk-table__cell"><strong class="govuk-tag{% if c.status == 'draft' or c.status == 'cancelled' %} govuk-tag--grey{% elif c.status == 'contracted' %} govuk-tag--green{% endif %}">{{ c.state }}</strong></td>
    </tr>"""  # noqa: E501
DIRECT_AWARD_TEMPLATE = """{% load portal %}<tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{% row_url 'awards:officer_direct_award' d.pk %}">{{ d.reference }}</a><br>{{ d.title }}</td>
      <td class="govuk-table__cell">{{ d.supplier.legal_name }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ d.annual_value|money }}</td>
      <td class="govuk-table__cell">{{ d.requested_by.full_name }}</td>
      <td class="govuk-table__cell"><strong class="govuk-tag{% if d.status == 'approved' %} govuk-tag--green{% elif d.status == 'rejected' %} govuk-tag--red{% else %} govuk-tag--yellow{% endif %}">{{ d.get_status_display }}</strong></td>
    </tr>"""  # noqa: E501


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_each_row_is_written_as_the_template_wrote_it(client):
    setup = make_award_setup()
    make_published_mini(setup, title="Courts IDVA <b>& outreach</b>")
    make_competition(by=setup.officer, framework_lot=setup.lot, title="Draft without areas")
    make_seed_002_eoi(by=setup.officer)
    make_direct_award(setup, reference="DA-TEST-1", title="Children's ISVA & <advocacy>")
    make_direct_award(setup, reference="DA-TEST-2")
    client.force_login(setup.officer)
    context = client.get(reverse("awards:officer_competitions")).context
    competitions = list(context["competitions"].object_list)
    awards = list(context["direct_awards"].object_list)
    assert len(competitions) == 3 and len(awards) == 2
    assert {c.framework_lot is None for c in competitions} == {True, False}
    awards[1].annual_value = None  # as the template met a value not yet known
    competitions[-1].closes_at = None  # and a closing time not yet set

    competition_reference, award_reference = Template(COMPETITION_TEMPLATE), Template(DIRECT_AWARD_TEMPLATE)
    for c in competitions:
        for status in ("draft", "published", "cancelled", "contracted", "awarded"):
            c.status = status
            expected = competition_reference.render(Context({"c": c}))
            assert squeezed(competition_row(c)) == squeezed(expected), (c.reference, status)
    for d in awards:
        for status in ("requested", "approved", "rejected"):
            d.status = status
            expected = award_reference.render(Context({"d": d}))
            assert squeezed(direct_award_row(d)) == squeezed(expected), (d.reference, status)
    assert any("Courts IDVA &lt;b&gt;&amp; outreach&lt;/b&gt;" in competition_row(c) for c in competitions)
