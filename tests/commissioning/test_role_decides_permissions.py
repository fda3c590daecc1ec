"""A person's role decides what they may do (the `rules` predicates): Django's permission tables are never
written by the portal, so no page reads them, and a row put in them by hand grants nothing."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _permission_table_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    read = [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]
    return response.status_code, read


def test_an_officers_admin_page_reads_no_permission_table(client):
    officer = make_user(User.Role.OFFICER)
    client.force_login(officer)
    status, read = _permission_table_queries(client, reverse("admin:commissioning_auditevent_changelist"))
    assert status == 200
    assert read == []


def test_a_providers_refused_admin_page_reads_no_permission_table(client):
    provider = make_user(User.Role.PROVIDER)
    client.force_login(provider)
    status, read = _permission_table_queries(client, reverse("admin:commissioning_auditevent_changelist"))
    assert status in (302, 403)
    assert read == []


def test_a_django_permission_given_by_hand_grants_nothing(client):
    """Someone with database access gives a provider the audit trail's view permission, directly and through
    a group: the provider is still refused, because their role may not read the trail."""
    provider = make_user(User.Role.PROVIDER)
    view_trail = Permission.objects.get(codename="view_auditevent", content_type__app_label="commissioning")
    provider.user_permissions.add(view_trail)
    group = Group.objects.create(name="Given by hand")
    group.permissions.add(view_trail)
    provider.groups.add(group)
    provider = User.objects.get(pk=provider.pk)

    assert not provider.has_perm("commissioning.view_auditevent")
    assert provider.get_all_permissions() == set()
    client.force_login(provider)
    assert client.get(reverse("admin:commissioning_auditevent_changelist")).status_code in (302, 403)


def test_the_role_still_grants_what_it_grants():
    officer = make_user(User.Role.OFFICER)
    assert officer.has_perm("commissioning.view_auditevent")
