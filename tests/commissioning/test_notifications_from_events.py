"""Issue 18: every event that e-mails a user also appears on their notifications page. The provider's
application receipt, tender receipt and return accepted e-mails, sent through the real services, are
each listed on that provider's page (they once showed "You have no notifications yet")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commissioning.models import Notification
from frameworks import services as selection_services
from monitoring.models import QuarterlyReturn
from tests.factories.awards import complete_tender, make_award_setup, make_published_mini
from tests.factories.monitoring import make_monitored_contract, make_return
from tests.frameworks.conftest import complete_application
from tests.frameworks.conftest import selection as selection  # noqa: F401,F811  (the fixture)

pytestmark = pytest.mark.django_db(transaction=False)


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_application_receipt_is_on_the_providers_page(client, selection, django_capture_on_commit_callbacks):
    application = complete_application(selection)
    with django_capture_on_commit_callbacks(execute=True):
        selection_services.submit_application(application=application, by=selection.provider)

    html = page_of(client, selection.provider)

    assert f"Application received: {selection.framework.title}" in html
    assert "You have no notifications yet" not in html


def test_the_tender_receipt_is_on_the_providers_page(client, django_capture_on_commit_callbacks):
    setup = make_award_setup()
    competition = make_published_mini(setup)
    with django_capture_on_commit_callbacks(execute=True):
        complete_tender(competition, setup.providers[0])

    html = page_of(client, setup.providers[0])

    assert f"Response received: {competition.title}" in html
    # Nobody else's page shows it.
    assert f"Response received: {competition.title}" not in page_of(client, setup.providers[1])


def test_the_return_accepted_email_is_on_the_providers_page(client, django_capture_on_commit_callbacks):
    m = make_monitored_contract()
    with django_capture_on_commit_callbacks(execute=True):
        make_return(m, status=QuarterlyReturn.Status.ACCEPTED)

    mine = Notification.objects.filter(recipient=m.provider)
    accepted = [n.subject for n in mine if "accepted" in n.subject.lower()]
    assert accepted, [n.subject for n in mine]
    html = page_of(client, m.provider)
    for subject in accepted:
        assert subject.replace("'", "&#x27;") in html or subject in html
