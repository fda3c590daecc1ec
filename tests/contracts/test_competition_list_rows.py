"""The officers' competition list reads only the columns its rows show (`COMPETITION_ROW_FIELDS`): every
state a row can be in is shown without reading a column it left out, so the page costs the same queries
with one row of each state as with three."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.award.models import Competition
from tests.factories.awards import make_award_setup, make_competition, make_published_mini, make_seed_002_eoi

pytestmark = pytest.mark.django_db

STATES = ["Draft", "Open for responses", "Closed: waiting to be opened", "Opening: needs a second officer"]


def one_of_each_state(setup) -> None:
    make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
    make_published_mini(setup)
    past = timezone.now() - timedelta(hours=1)
    closed = make_published_mini(setup)
    Competition.objects.filter(pk=closed.pk).update(closes_at=past, clarification_deadline=past)
    opening = make_seed_002_eoi(by=setup.officer)
    Competition.objects.filter(pk=opening.pk).update(
        closes_at=past, clarification_deadline=past, opening_requested_at=past, opening_requested_by=setup.officer
    )


def test_each_state_is_shown_from_the_columns_read(client):
    setup = make_award_setup()
    client.force_login(setup.officer)
    url = reverse("awards:officer_competitions")
    one_of_each_state(setup)
    with CaptureQueriesContext(connection) as once:
        html = client.get(url).content.decode()
    for state in STATES:
        assert state in html
    assert "Expression of interest, 3 lots" in html
    assert f"{setup.framework.reference} lot {setup.lot.number}" in html
    assert "Owner: Olivia Owner" in html

    one_of_each_state(setup)
    one_of_each_state(setup)
    with CaptureQueriesContext(connection) as thrice:
        assert client.get(url).status_code == 200
    assert len(thrice.captured_queries) == len(once.captured_queries)
