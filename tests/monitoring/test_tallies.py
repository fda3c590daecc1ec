"""The returns dashboard's tallies are kept by the services: after every move of a return they equal a
full recount of the returns, and the dashboard reads them (not the returns) for its counts."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from monitoring import services
from monitoring.models import NOT_STARTED, QuarterlyReturn, ReturnTally
from monitoring.tallies import counted, kept, rebuild_tallies
from tests.factories.frameworks import make_framework, make_lot
from tests.factories.monitoring import FIRST_QUARTER, NARRATIVE, at, make_monitored_contract, valid_raw

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


def assert_tallies_equal_a_recount():
    recount = counted()
    assert recount, "no returns to count"
    assert kept() == recount


def test_tallies_equal_a_full_recount_after_every_move_of_a_return():
    lot = make_lot(make_framework())
    first, second = make_monitored_contract(lot=lot), make_monitored_contract(lot=lot)
    without_lot = make_monitored_contract(lot=None)
    drafts = []
    for m in (first, second, without_lot):
        draft = services.save_return(
            contract=m.contract,
            quarter=FIRST_QUARTER,
            raw=valid_raw(m),
            narrative=NARRATIVE,
            by=m.provider,
            now=at(FIRST_QUARTER.end + timedelta(days=5)),
        )
        drafts.append(draft)
        assert_tallies_equal_a_recount()

    # Saving a draft again does not move it.
    services.save_return(
        contract=first.contract, quarter=FIRST_QUARTER, raw=valid_raw(first), narrative=NARRATIVE, by=first.provider
    )
    assert_tallies_equal_a_recount()
    # An agreed due date moves an unsent return to another due date.
    services.set_due_date(
        quarterly_return=drafts[1],
        due_on=FIRST_QUARTER.return_due + timedelta(days=14),
        reason="Agreed",
        by=second.officer,
    )
    assert_tallies_equal_a_recount()
    # Submitted on time, and late.
    on_time = services.submit_return(quarterly_return=drafts[0], by=first.provider, now=at(date(2025, 7, 20)))
    assert_tallies_equal_a_recount()
    late = services.submit_return(quarterly_return=drafts[1], by=second.provider, now=at(date(2025, 8, 30)))
    assert_tallies_equal_a_recount()
    services.submit_return(quarterly_return=drafts[2], by=without_lot.provider, now=at(date(2025, 7, 21)))
    assert_tallies_equal_a_recount()
    # Returned for amendment, resubmitted, accepted.
    returned = services.return_for_amendment(quarterly_return=on_time, by=first.officer, comments="Check referrals.")
    assert_tallies_equal_a_recount()
    resubmitted = services.submit_return(quarterly_return=returned, by=first.provider)
    assert_tallies_equal_a_recount()
    services.accept_return(quarterly_return=resubmitted, by=first.officer)
    assert_tallies_equal_a_recount()
    services.accept_return(quarterly_return=late, by=second.officer)
    assert_tallies_equal_a_recount()

    by_key = {(k.lot_id, k.status, k.sent): n for k, n in kept().items()}
    assert by_key == {
        (lot.pk, Status.ACCEPTED, ReturnTally.Sent.ON_TIME): 1,
        (lot.pk, Status.ACCEPTED, ReturnTally.Sent.LATE): 1,
        (None, Status.SUBMITTED, ReturnTally.Sent.ON_TIME): 1,
    }


def test_a_refused_move_leaves_the_tallies_as_they_were():
    m = make_monitored_contract()
    draft = services.save_return(
        contract=m.contract,
        quarter=FIRST_QUARTER,
        raw=valid_raw(m),
        narrative=NARRATIVE,
        by=m.provider,
        now=at(FIRST_QUARTER.end + timedelta(days=5)),
    )
    before = kept()
    with pytest.raises(services.ReturnRuleError):
        services.accept_return(quarterly_return=draft, by=m.officer)  # a draft cannot be accepted
    assert kept() == before == counted()


def test_the_rebuild_command_recounts_rows_written_behind_the_services(capsys):
    m = make_monitored_contract()
    draft = services.save_return(
        contract=m.contract,
        quarter=FIRST_QUARTER,
        raw=valid_raw(m),
        narrative=NARRATIVE,
        by=m.provider,
        now=at(FIRST_QUARTER.end + timedelta(days=5)),
    )
    QuarterlyReturn.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED, submitted_at=at(date(2025, 7, 2)))
    with pytest.raises(SystemExit):
        call_command("rebuild_return_tallies", "--check")
    assert "differ from a full recount" in capsys.readouterr().out
    call_command("rebuild_return_tallies")
    assert kept() == counted()
    call_command("rebuild_return_tallies", "--check")
    assert "equal a full recount" in capsys.readouterr().out


def test_the_dashboard_counts_from_the_tallies(client):
    m = make_monitored_contract()
    quarter = FIRST_QUARTER
    services.save_return(
        contract=m.contract,
        quarter=quarter,
        raw=valid_raw(m),
        narrative=NARRATIVE,
        by=m.provider,
        now=at(quarter.end + timedelta(days=5)),
    )
    client.force_login(m.officer)
    url = reverse("monitoring:dashboard")
    query = {"quarter": f"{quarter.financial_year}-q{quarter.number}"}

    def counts():
        return client.get(url, query).context["board"].counts

    assert (counts()["total"], counts()[Status.DRAFT], counts()[Status.ACCEPTED]) == (1, 1, 0)
    # Changed behind the services, the tally is what the dashboard shows: it reads the tallies, not the returns.
    ReturnTally.objects.update(status=Status.ACCEPTED)
    assert (counts()[Status.DRAFT], counts()[Status.ACCEPTED]) == (0, 1)
    rebuild_tallies()
    assert (counts()[Status.DRAFT], counts()[Status.ACCEPTED]) == (1, 0)


def test_the_dashboard_counts_the_contracts_in_force_on_a_led_lot_from_its_term_tallies(client):
    """The lead authority's lots: the contracts in force (and so the returns not started) come from the term
    tallies kept by the contracts services. A lot of another authority's framework, on which the officer buys,
    and a contract on no lot are counted from the contracts; an administrator reads every lot's tallies."""
    from commissioning.models import Authority, User
    from contracts.models import ContractTermTally
    from monitoring.selectors.dashboard import DashboardFilters, dashboard
    from tests.factories import make_authority, make_user

    led = make_monitored_contract()
    officer, lot = led.officer, led.lot
    make_monitored_contract(lot=lot, officer=officer)
    coventry = make_authority(name="Coventry City Council", kind=Authority.Kind.LOCAL_AUTHORITY)
    elsewhere = make_monitored_contract(lot=make_lot(make_framework(lead_authority=coventry)), officer=officer)
    make_monitored_contract(lot=None, officer=officer)
    make_monitored_contract(lot=lot, officer=officer, start_on=date(2026, 4, 1))  # not yet in force

    url = reverse("monitoring:dashboard")
    query = {"quarter": f"{FIRST_QUARTER.financial_year}-q{FIRST_QUARTER.number}"}

    def by_lot(user) -> dict[str, int]:
        if user.role == User.Role.OFFICER:
            client.force_login(user)
            board = client.get(url, query).context["board"]
        else:  # the page is the officers'; the selector reads for an administrator too (the reports)
            board = dashboard(DashboardFilters(quarter=FIRST_QUARTER), today=date(2025, 7, 1), user=user)
        return {label: counts[NOT_STARTED] for label, counts in board.by_lot} | {"total": board.counts["total"]}

    led_label = f"{lot.framework.reference} lot {lot.number}: {lot.title}"
    other = elsewhere.lot
    other_label = f"{other.framework.reference} lot {other.number}: {other.title}"
    expected = {led_label: 2, other_label: 1, "Contracts without a lot": 1, "total": 4}
    assert by_lot(officer) == expected
    # Changed behind the services, the led lot's tally is what the dashboard counts; the others are counted.
    ContractTermTally.objects.filter(lot=lot, starts_on=date(2025, 4, 1)).update(contracts=5)
    ContractTermTally.objects.filter(lot=other).update(contracts=7)
    assert by_lot(officer) == expected | {led_label: 5, "total": 7}
    # An administrator's whole lots are every lot, read from the tallies (the contract on no lot is counted).
    admin = make_user(User.Role.ADMINISTRATOR)
    assert by_lot(admin) == expected | {led_label: 5, other_label: 7, "total": 13}
    call_command("rebuild_coverage_tallies")
    assert by_lot(officer) == expected
    assert by_lot(admin) == expected
