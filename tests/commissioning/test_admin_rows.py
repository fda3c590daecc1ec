"""The audit trail's rows, written column by column once a page (commissioning/templatetags/admin_rows.py), are
the cells Django's own admin list writes, for the trail's kinds of event and with the list's filters kept."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.test import RequestFactory
from django.urls import resolve

from commissioning import audit
from commissioning.models import AuditEvent, User
from commissioning.templatetags.admin_rows import read_only_result_list, rows
from tests.factories import make_supplier, make_user

pytestmark = pytest.mark.django_db


def _changelist(user: User, query: str = ""):
    request = RequestFactory().get(f"/admin/commissioning/auditevent/{query}")
    request.user = user
    request.resolver_match = resolve(request.path)  # the admin keeps a list's filters only on its own page
    changelist = admin.site._registry[AuditEvent].get_changelist_instance(request)
    changelist.formset = None  # as the changelist view sets it for a list without editable columns
    return changelist


def _events(officer: User) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    audit.record("supplier.created", by=officer, obj=make_supplier(legal_name="Birmingham & Solihull Women's Aid"))
    audit.record("framework.published", by=officer, data={"reference": "WMOPCC-VS-2026"}, request=request)
    audit.record("signin.failed", by=None, actor_email="someone@example.org", object_repr="")
    audit.record("returns.reminder_sent", by=None, actor_email="", object_repr="<script>x</script>")


@pytest.mark.parametrize("query", ["", "?action__exact=supplier.created", "?q=Aid&o=-1"])
def test_the_rows_are_the_admins_own(query):
    officer = make_user(User.Role.OFFICER)
    _events(officer)
    changelist = _changelist(officer, query)
    assert changelist.result_list, "the list shows events"
    assert bool(changelist.preserved_filters) == bool(query)

    expected = ["".join(row) for row in results(changelist)]
    assert ["".join(row) for row in rows(changelist)] == expected
    if not query:  # every event: the one whose subject looks like markup shows it as text
        assert "&lt;script&gt;x&lt;/script&gt;" in "".join(expected)


def test_an_empty_page_has_no_rows():
    officer = make_user(User.Role.OFFICER)
    changelist = _changelist(officer, "?q=nothing-matches-this")
    assert list(rows(changelist)) == []


def test_a_list_with_actions_is_left_to_django():
    officer = make_user(User.Role.OFFICER)
    _events(officer)
    changelist = _changelist(officer)
    context = read_only_result_list({"action_form": object()}, changelist)
    assert [list(row) for row in context["results"]] == [list(row) for row in results(changelist)]
    assert all(hasattr(row, "form") for row in context["results"])  # Django's ResultList rows, not ours


@pytest.mark.parametrize("column", ["content_type", "actor", "__str__"])
def test_a_list_with_a_column_left_to_django_is_written_by_django(column):
    officer = make_user(User.Role.OFFICER)
    _events(officer)
    changelist = _changelist(officer)
    changelist.list_display = [*changelist.list_display, column]
    expected = ["".join(row) for row in results(changelist)]
    assert ["".join(row) for row in rows(changelist)] == expected
