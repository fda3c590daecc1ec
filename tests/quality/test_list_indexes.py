"""The lists that must cost the same however much data there is are read through an index matching their
filter and order. With few rows a database rightly prefers a full scan, so the test tells it to avoid one
where it can (PostgreSQL's enable_seqscan and enable_sort) and then asks for the plan: if the query's
order or filter stopped matching the index (an expression changed on one side only), the plan no longer
names it. SQLite plans by its own rules and statistics (with none, in a test, it searches by the framework's
windows or the status), so there the test checks that the index is in the database, and that a query meant
for a partial index states the index's condition in literals: SQLite cannot use a partial index for a
condition bound as parameters (see commissioning.partial_indexes)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from commissioning.partial_indexes import literals
from contracts.notices.selectors import outstanding_for_officer
from frameworks.partner_selectors import officer_approved_list_pages, shared_approved_list
from frameworks.selectors import application_list_for_officer
from monitoring.work_queues import awaiting_review
from tests.factories import make_authority
from tests.factories.frameworks import make_framework

pytestmark = pytest.mark.django_db


def assert_read_through(queryset, index: str, *, table: str | None = None, columns: list[str] | None = None) -> None:
    """`index` is named in PostgreSQL's plan; in the database it is found by its name or, for an index
    Django names itself (a unique column's, unnamed on SQLite), by its `columns`."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table or queryset.model._meta.db_table)
        if columns is None:
            assert index in found
        else:
            assert any(constraint["columns"] == columns for constraint in found.values())
        if connection.vendor != "postgresql":
            return
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = queryset.explain()
    assert index in plan, plan


def test_the_application_list_opens_through_its_index(officer):
    framework = make_framework(lead_authority=officer.authority)
    assert_read_through(application_list_for_officer(officer, framework)[:51], "application_open_first_idx")


def test_the_notices_to_publish_are_read_through_their_partial_index(officer):
    notices = outstanding_for_officer(officer)[:50]
    assert_read_through(notices, "notice_outstanding_idx")
    assert_states_in_literals(notices, ["published", "withdrawn"])


def test_the_returns_to_review_are_read_through_their_partial_index(officer):
    waiting = awaiting_review(officer)[:5]
    assert_read_through(waiting, "return_awaiting_review_idx")
    assert_states_in_literals(waiting, ["submitted", "resubmitted"])


def test_the_applications_to_progress_are_read_through_their_partial_index(officer):
    from frameworks.models import APPLICATIONS_TO_PROGRESS, Application
    from frameworks.work_queues import to_progress

    """For SQLite, which otherwise read every application of the officer's frameworks: the partial index is in
    the database and the statuses are literals in the query. PostgreSQL reads the same few rows through the
    status index, so its plan is not asked for the partial one."""
    assert set(APPLICATIONS_TO_PROGRESS) == {Application.Status.SUBMITTED, Application.Status.EVALUATED}
    with connection.cursor() as cursor:
        assert "application_to_progress_idx" in connection.introspection.get_constraints(
            cursor, Application._meta.db_table
        )
    sql, _ = to_progress(officer)[:5].query.get_compiler(connection=connection).as_sql()
    assert """"frameworks_application"."status" IN (('submitted'), ('evaluated'))""" in sql, sql


def assert_states_in_literals(queryset, codes: list[str]) -> None:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    assert all(f"'{code}'" in sql for code in codes), sql
    assert not set(codes) & {str(p) for p in params}, params


def test_only_status_codes_are_written_into_the_sql():
    assert [str(literal.sql) for literal in literals(["submitted", "re_submitted"])] == [
        "'submitted'",
        "'re_submitted'",
    ]
    for hostile in ["x'; DROP TABLE users; --", "Submitted", ""]:
        with pytest.raises(ValueError):
            literals([hostile])


def test_the_partners_approved_list_is_read_in_the_suppliers_name_order(officer):
    """Every row of the partner's list is active, so it is ordered by the sort alone: by the suppliers'
    name index, the first page without sorting every appointment of the framework."""
    partner = make_authority(name="Coventry City Council")
    framework = make_framework(lead_authority=officer.authority, partners=[partner])
    assert_read_through(
        shared_approved_list(framework, partner)[:50],
        "suppliers_supplier_legal_name_key",
        table="suppliers_supplier",
        columns=["legal_name"],
    )


def test_each_status_group_of_the_officers_approved_list_is_read_in_the_suppliers_name_order(officer):
    """The officer's list puts current appointments first a group at a time (`InGroups`): each group's page is
    read off the suppliers' name index, not sorted from every appointment of the framework."""
    framework = make_framework(lead_authority=officer.authority)
    pages = officer_approved_list_pages(framework)
    for group in pages.groups:
        assert_read_through(
            pages.queryset.filter(group).order_by(*pages.ordering)[:50],
            "suppliers_supplier_legal_name_key",
            table="suppliers_supplier",
            columns=["legal_name"],
        )


def test_each_group_of_the_contract_register_is_read_in_the_end_dates_order(officer):
    """The register's default order (contracts not yet over first, soonest ending first) is read a group at a
    time, each off an index on the end date: the drafts past their end off the drafts' partial index, the
    others off the register's order index."""
    from contracts import selectors as register_selectors

    today = date(2026, 12, 6)
    contracts = register_selectors.register(register_selectors.RegisterFilters(), today=today, user=officer)
    ordering = register_selectors.register_ordering(None)
    drafts_past, not_over, over = register_selectors.register_groups(None, today)
    assert_read_through(contracts.filter(drafts_past).order_by(*ordering)[:51], "contract_draft_order_idx")
    for group in (not_over, over):
        assert_read_through(contracts.filter(group).order_by(*ordering)[:51], "contract_register_order_idx")


def test_the_contracts_reaching_a_decision_point_are_read_in_its_order(officer):
    """The officers' queue reads the live contracts in the order of the decision point each keeps, off its
    index, instead of working it out for every contract in force and sorting them."""
    from contracts.work_queues import reaching_a_decision

    assert_read_through(reaching_a_decision(officer, date(2026, 12, 6))[:5], "contract_decision_point_idx")


def test_the_grant_payments_overdue_are_read_through_their_partial_index(officer):
    from contracts.grants.selectors import payments_overdue

    assert_read_through(payments_overdue(officer, date(2026, 12, 7))[:5], "grant_payment_outstanding_idx")
