"""The admin's list of models for a person is kept a minute (commissioning.admin_site): the same as worked out
afresh, and worked out again as soon as anything the rules look at changes."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from commissioning import admin_site
from commissioning.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _request(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _names(app_list) -> list[str]:
    return [model["object_name"] for app in app_list for model in app["models"]]


@pytest.fixture(autouse=True)
def _nothing_kept():
    admin_site._app_lists.clear()
    yield
    admin_site._app_lists.clear()


def test_the_kept_list_is_the_list_worked_out_afresh():
    officer = make_user(User.Role.OFFICER)
    first = admin.site.get_app_list(_request(officer))
    assert "AuditEvent" in _names(first)
    again = admin.site.get_app_list(_request(officer))
    assert again == first
    assert admin.site._grouped_app_list(_request(officer)) == first
    again[0]["models"].clear()  # a page changing the list it was given changes nobody else's
    assert admin.site.get_app_list(_request(officer)) == first


def test_a_change_of_role_is_a_new_list():
    person = make_user(User.Role.OFFICER)
    as_officer = _names(admin.site.get_app_list(_request(person)))
    person.role = User.Role.ADMINISTRATOR
    person.role_since = timezone.now()
    as_administrator = _names(admin.site.get_app_list(_request(person)))
    assert as_administrator == _names(admin.site._grouped_app_list(_request(person)))
    assert as_officer != as_administrator


def test_a_list_older_than_a_minute_is_worked_out_again():
    officer = make_user(User.Role.OFFICER)
    admin.site.get_app_list(_request(officer))
    kept_at, kept = admin_site._app_lists[admin_site._app_list_key(officer)]
    admin_site._app_lists[admin_site._app_list_key(officer)] = (kept_at - admin_site.APP_LIST_SECONDS - 1, kept)
    admin.site.get_app_list(_request(officer))
    assert admin_site._app_lists[admin_site._app_list_key(officer)][1] is not kept
    assert admin_site._app_lists[admin_site._app_list_key(officer)][1] == kept
