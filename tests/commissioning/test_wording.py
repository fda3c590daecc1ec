"""Issue 18, plain words: one time format, readable audit actions, recorded values as people say them."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse

from commissioning import wording
from contracts import services
from contracts.models import Contract
from tests.factories import make_area
from tests.factories.contracts import make_live_contract

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (time(17, 0), "5pm"),
        (time(11, 6), "11:06am"),
        (time(23, 6), "11:06pm"),
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(12, 30), "12:30pm"),
        (time(0, 5), "12:05am"),
    ],
)
def test_time_of_day_is_gov_uk_style(moment, expected):
    assert wording.time_of_day(moment) == expected


def test_a_moment_reads_in_uk_time_with_its_day():
    # 17:00 UTC in February is 5pm in London; in July it is 6pm (summer time).
    assert wording.when(datetime(2023, 2, 3, 17, 0, tzinfo=ZoneInfo("UTC"))) == "5pm on 3 February 2023"
    assert wording.when(datetime(2025, 7, 1, 17, 0, tzinfo=ZoneInfo("UTC"))) == "6pm on 1 July 2025"
    assert wording.when(datetime(2023, 2, 3, 23, 6, 28, tzinfo=LONDON), seconds=True) == "11:06:28pm on 3 February 2023"
    assert wording.when(None) == ""


def test_the_filters_write_the_same_format_everywhere():
    moment = datetime(2026, 12, 18, 17, 0, tzinfo=LONDON)
    html = Template(
        "{% load portal %}{{ m|deadline }}|{{ m|when }}|{{ m|time_of_day }}|{{ iso|when_exact }}|{{ v|money }}"
    ).render(Context({"m": moment, "iso": "2026-12-18T23:06:28+00:00", "v": Decimal("1234.00")}))
    assert html == ("5pm on Friday 18 December 2026|5pm on 18 December 2026|5pm|11:06:28pm on 18 December 2026|£1,234")


def test_audit_actions_have_readable_labels():
    assert wording.action_label("contracts.meeting_action_added") == "Meeting action added"
    assert wording.action_label("direct_award.approved") == "Direct award approved"
    assert wording.action_label("auth.signed_in") == "Signed in"
    assert wording.action_label("monitoring.return_returned") == "Return sent back for amendment"
    wording.register_action_labels({"tests.thing_done": "The thing was done"})
    assert wording.action_label("tests.thing_done") == "The thing was done"


@pytest.mark.django_db
def test_recorded_values_read_as_people_say_them(officer):
    birmingham = make_area(name="Birmingham")
    assert wording.field_value(Contract, "areas", [{"contract": 14, "area": birmingham.pk}]) == "Birmingham"
    assert wording.field_value(Contract, "activated_by", officer.pk) == officer.full_name
    assert wording.field_value(Contract, "activated_by", None) == "none"
    assert wording.field_value(Contract, "start_on", date(2025, 4, 1)) == "1 April 2025"
    assert wording.field_label(Contract, "activated_by") == "Activated by"


@pytest.mark.django_db
def test_the_contract_history_shows_area_names_and_people_not_ids(client, officer):
    contract = make_live_contract(by=officer, start_on=date(2025, 4, 1), initial_end_on=date(2028, 3, 31))
    coventry = make_area(name="Coventry")
    services.update_contract(by=officer, contract=contract, areas=[coventry])
    client.force_login(officer)
    page = client.get(reverse("contracts:officer_contract", args=[contract.pk])).content.decode()
    history = page.split('id="history"')[1]
    assert "Coventry" in history
    assert "{&#x27;contract&#x27;" not in history and "{'contract'" not in history
    # An entered contract goes live on a second officer's word: the history names them.
    confirmer = contract.activated_by
    assert f"Activated by: none → {confirmer.full_name}" in history
    assert f"→ {confirmer.pk}<" not in history
    assert "contracts.contract_updated" not in history
    assert "Contract updated" in history
