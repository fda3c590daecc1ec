"""The notice pages: who may use them, recording publication through the form (errors next to the field,
the standstill's last day once a contract award notice is recorded), the schema check and the PDF, and the
lists' fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.dates import standstill_last_day
from commissioning.models import GeneratedDocument, User
from contracts.award import services
from contracts.notices.models import Notice
from tests.factories import make_user
from tests.factories.awards import (
    complete_tender,
    evaluate_all,
    make_award_setup,
    make_published_mini,
    make_seed_002_eoi,
    open_competition,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return make_award_setup()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def award_notice(setup) -> Notice:
    competition = make_published_mini(setup)
    tender = complete_tender(competition, setup.providers[0], price="40000")
    open_competition(competition, setup.officer, setup.officer2)
    evaluate_all(competition, setup.officer, setup.evaluators)
    award = services.decide_award(lot=competition.lots.get(), tender=tender, reasons="Best", by=setup.officer)
    return Notice.objects.get(key=f"award:{award.pk}:UK6")


def date_fields(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def test_officers_of_the_authority_see_the_notices_and_others_are_refused(setup):
    notice = award_notice(setup)
    officer = client_for(setup.officer)
    listing = officer.get(reverse("notices:officer_notices"))
    assert listing.status_code == 200 and notice.title.encode() in listing.content
    page = officer.get(reverse("notices:notice", args=[notice.pk]))
    assert page.status_code == 200
    assert b"Preview" in page.content and b"voluntarily" in page.content and b"awardNotice" in page.content
    stranger = client_for(make_user(User.Role.OFFICER))
    assert stranger.get(reverse("notices:notice", args=[notice.pk])).status_code == 404
    assert notice.title.encode() not in stranger.get(reverse("notices:officer_notices")).content
    provider = client_for(setup.providers[0])
    assert provider.get(reverse("notices:officer_notices")).status_code == 403
    assert provider.get(reverse("notices:notice", args=[notice.pk])).status_code == 403
    anonymous = Client().get(reverse("notices:officer_notices"))
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous.url


def test_recording_publication_shows_errors_next_to_the_field_and_then_the_standstill(setup):
    notice = award_notice(setup)
    officer = client_for(setup.officer)
    url = reverse("notices:publish_notice", args=[notice.pk])
    today = timezone.localdate()
    bad = officer.post(url, {"fts_number": "41267", **date_fields("published_on", today)})
    assert bad.status_code == 200 and b"Enter the Find a Tender notice number, like 041267-2026" in bad.content
    assert b"41267" in bad.content  # what was typed stays
    good = officer.post(url, {"fts_number": "041267-2026", **date_fields("published_on", today)}, follow=True)
    assert good.status_code == 200
    last = standstill_last_day(today)
    assert f"The standstill period runs to the end of {last:%A}".encode() in good.content
    notice.refresh_from_db()
    assert notice.is_published and notice.fts_number == "041267-2026"


def test_the_schema_check_and_the_pdf(setup, django_capture_on_commit_callbacks):
    notice = award_notice(setup)
    officer = client_for(setup.officer)
    checked = officer.post(reverse("notices:validate_notice", args=[notice.pk]), follow=True)
    assert b"validates against the OCDS schema" in checked.content
    notice.refresh_from_db()
    assert notice.status == Notice.Status.VALIDATED
    assert officer.get(reverse("notices:validate_notice", args=[notice.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("notices:notice_pdf", args=[notice.pk]))
    document = GeneratedDocument.objects.get(kind="notice-preview")
    assert response.status_code == 302 and document.status == "ready"
    stranger = client_for(make_user(User.Role.OFFICER))
    assert stranger.post(reverse("notices:notice_pdf", args=[notice.pk])).status_code == 404


def test_overdue_notices_are_listed_for_officers(setup):
    notice = award_notice(setup)
    Notice.objects.filter(pk=notice.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    page = client_for(setup.officer).get(reverse("notices:overdue_notices"))
    assert page.status_code == 200 and notice.title.encode() in page.content and b"Overdue" in page.content
    assert b"1 notice past its deadline" in client_for(setup.officer).get(reverse("notices:officer_notices")).content


@pytest.mark.parametrize("name", ["notices:officer_notices", "notices:overdue_notices"])
def test_the_lists_make_the_same_queries_with_few_and_many_notices(setup, name):
    officer = client_for(setup.officer)

    def add(count):
        for _ in range(count):
            eoi = make_seed_002_eoi(by=setup.officer)
            Notice.objects.filter(key=f"competition:{eoi.pk}:UK4").update(
                deadline=timezone.localdate() - timedelta(days=1)
            )

    add(2)
    with CaptureQueriesContext(connection) as small:
        assert officer.get(reverse(name)).status_code == 200
    add(8)
    with CaptureQueriesContext(connection) as large:
        response = officer.get(reverse(name))
    assert response.content.count(b'href="/officer/notices/') >= 10
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_competition_page_lists_its_notices(setup):
    notice = award_notice(setup)
    page = client_for(setup.officer).get(reverse("awards:officer_competition", args=[notice.target.competition_id]))
    assert reverse("notices:notice", args=[notice.pk]).encode() in page.content
    assert b"The standstill begins on the day the contract award notice (UK6) is published" in page.content


def test_an_officer_re_awards_an_open_framework_from_its_page(setup):
    from frameworks.models import FrameworkAward

    framework = setup.framework
    framework.is_open_framework = True
    framework.save()
    url = reverse("frameworks:award_framework", args=[framework.pk])
    officer = client_for(setup.officer)
    assert officer.get(url).status_code == 200
    first = officer.post(url, date_fields("starts_on", date(2025, 7, 1)))
    assert first.status_code == 302
    late = officer.post(url, date_fields("starts_on", date(2030, 7, 1)))
    assert late.status_code == 200 and b"within the framework&#x27;s term" in late.content
    officer.post(url, date_fields("starts_on", date(2026, 7, 1)))
    assert list(FrameworkAward.objects.filter(framework=framework).values_list("sequence", "ends_on")) == [
        (1, date(2026, 6, 30)),
        (2, framework.term_end),
    ]
    assert client_for(make_user(User.Role.OFFICER)).get(url).status_code == 404
    assert client_for(setup.providers[0]).get(url).status_code == 403


def test_administrators_read_every_authoritys_notices_but_publish_none(setup):
    from contracts.notices.selectors import notices_for_officer
    from contracts.notices.services import may_publish

    notice = award_notice(setup)
    administrator = make_user(User.Role.ADMINISTRATOR)
    assert notice in notices_for_officer(administrator)
    assert may_publish(setup.officer, notice) is True
    assert may_publish(administrator, notice) is False
    assert may_publish(make_user(User.Role.OFFICER), notice) is False
