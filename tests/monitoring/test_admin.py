"""Monitoring in the admin: officers' pages load, lifecycle fields are read-only, the accept action and an
agreed due date go through the services (and the audit trail), template indicators export."""

import re
from datetime import date

import pytest
from django.urls import reverse

from commissioning.models import AuditEvent, User
from monitoring.models import QuarterlyReturn
from tests.factories import make_user
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


def test_officers_use_the_monitoring_admin_pages(client):
    m = make_monitored_contract()
    quarterly_return = make_return(m, status=Status.SUBMITTED)
    client.force_login(m.officer)
    for name in ["kpitemplate", "indicator", "quarterlyreturn", "returnperiod", "contractindicator"]:
        assert client.get(reverse(f"admin:monitoring_{name}_changelist")).status_code == 200, name
    page = client.get(reverse("admin:monitoring_quarterlyreturn_change", args=[quarterly_return.pk])).content.decode()
    assert 'name="due_on"' in page and 'name="status"' not in page  # the lifecycle is read-only
    assert reverse("monitoring:review", args=[quarterly_return.pk]) in page
    assert client.get(reverse("admin:monitoring_kpitemplate_change", args=[m.template.pk])).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_providers_and_evaluators_cannot_use_the_admin(client):
    make_monitored_contract()
    for user in (make_user(User.Role.PROVIDER), make_user(User.Role.EVALUATOR)):
        client.force_login(user)
        response = client.get(reverse("admin:monitoring_quarterlyreturn_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_accept_action_uses_the_service_and_refuses_illegal_moves(client):
    m = make_monitored_contract()
    submitted = make_return(m, status=Status.SUBMITTED)
    draft = make_return(make_monitored_contract(officer=m.officer))
    client.force_login(m.officer)
    response = client.post(
        reverse("admin:monitoring_quarterlyreturn_changelist"),
        {"action": "accept_selected", "_selected_action": [submitted.pk, draft.pk]},
        follow=True,
    )
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.status == Status.ACCEPTED and draft.status == Status.DRAFT
    html = response.content.decode()
    assert "1 return accepted." in html and "A return that is draft cannot be accepted" in html
    assert AuditEvent.objects.filter(action="monitoring.return_accepted", object_id=str(submitted.pk)).exists()


def _hidden_inputs(html: str) -> dict[str, str]:
    """The inline formsets' management and id fields, as the browser would post them back."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag and name.group(1) != "csrfmiddlewaretoken":
            found[name.group(1)] = value.group(1) if value else ""
    return found


def test_an_agreed_due_date_needs_a_reason_and_is_audited(client):
    m = make_monitored_contract()
    draft = make_return(m)
    client.force_login(m.officer)
    url = reverse("admin:monitoring_quarterlyreturn_change", args=[draft.pk])
    hidden = _hidden_inputs(client.get(url).content.decode())
    response = client.post(url, {**hidden, "due_on": "2025-08-15", "due_date_reason": ""})
    assert "Enter why the due date changed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.due_on == date(2025, 7, 31)
    client.post(url, {**hidden, "due_on": "2025-08-15", "due_date_reason": "Agreed at the contract meeting"})
    draft.refresh_from_db()
    assert draft.due_on == date(2025, 8, 15)
    event = AuditEvent.objects.get(action="monitoring.due_date_changed")
    assert event.data["reason"] == "Agreed at the contract meeting"


def test_template_indicators_export_as_a_spreadsheet(client):
    m = make_monitored_contract()
    client.force_login(m.officer)
    response = client.post(
        reverse("admin:monitoring_indicator_export"),
        {"format": "0", "resource": "0", **{f"indicatorresource_{f}": "on" for f in ["code", "name", "template"]}},
    )
    assert response.status_code == 200
    assert b"CONTACT48" in response.content and m.template.name.encode() in response.content
