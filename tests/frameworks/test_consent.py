"""Consent as seed 000 says (issue 20): "by applying you are also agreeing to have your details shared"
with the named partner authorities. Agreeing is part of applying and is recorded with its time and words."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning.models import AuditEvent
from frameworks import services
from frameworks.models import Application
from frameworks.services import SelectionRuleError
from tests.factories import make_authority
from tests.frameworks.conftest import complete_application

pytestmark = pytest.mark.django_db


def test_sharing_cannot_be_refused_and_nothing_else_is_lost(selection):
    application = services.start_application(window=selection.window, by=selection.provider)
    with pytest.raises(ValidationError) as error:
        services.save_consent(application=application, by=selection.provider, share_with_partners=False, publish=True)
    assert error.value.message_dict == {
        "share_with_partners": ["Agree to share your organisation's details with the partner authorities to apply"]
    }
    application.refresh_from_db()
    assert application.consent_share_with_partners is None and application.consent_shared_at is None


def test_agreeing_is_recorded_with_its_time_and_the_partners_named(selection):
    selection.framework.partner_authorities.add(make_authority(name="Coventry City Council"))
    application = complete_application(selection)
    application.refresh_from_db()
    assert application.consent_share_with_partners is True and application.consent_shared_at is not None
    assert "Coventry City Council" in application.consent_wording
    assert application.consent_wording.startswith(f"By applying to {selection.framework.title}")
    event = AuditEvent.objects.filter(action="application.consent_saved").latest("pk")
    assert event.data["wording"] == application.consent_wording


def test_an_application_without_consent_from_before_cannot_be_submitted(selection):
    application = complete_application(selection)
    Application.objects.filter(pk=application.pk).update(consent_share_with_partners=False)  # existing data
    application.refresh_from_db()
    with pytest.raises(SelectionRuleError, match="Sharing your details"):
        services.submit_application(application=application, by=selection.provider)


def test_the_page_says_so_names_the_partners_and_keeps_what_was_chosen(client, selection):
    selection.framework.partner_authorities.add(make_authority(name="Birmingham City Council"))
    application = services.start_application(window=selection.window, by=selection.provider)
    client.force_login(selection.provider)
    url = reverse("frameworks:edit_consent", args=[application.pk])
    page = client.get(url).content.decode()
    assert "By applying you are also agreeing to have your details shared" in page
    assert "Birmingham City Council" in page
    response = client.post(url, {"publish": "yes"})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert 'href="#id_share_with_partners"' in html
    chosen = [tag for tag in re.findall(r"<input[^>]*>", html) if 'name="publish"' in tag and 'value="yes"' in tag]
    assert chosen and "checked" in chosen[0]  # the publication answer given stays
    response = client.post(url, {"share_with_partners": "on", "publish": "yes"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.consent_share_with_partners and application.consent_publish
