"""Issue 20, part 3: the framework's lead authority (the West Midlands OPCC) reads the call-offs a partner
authority (Coventry City Council) runs on its framework, read-only, with the buying authority shown: on the
competitions page (competitions once published, and direct awards) and, as before, on the contracts
register. The partner's pages stay the partner's; an authority that does not lead the framework sees none."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import Authority, User
from contracts.award import selectors
from contracts.award import services as award_services
from tests.factories import make_authority, make_user
from tests.factories.awards import make_award_setup, make_competition, make_direct_award
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():
    setup = make_award_setup()
    coventry = make_authority(name="Coventry City Council", kind=Authority.Kind.LOCAL_AUTHORITY)
    setup.framework.partner_authorities.add(coventry)
    return setup, make_user(User.Role.OFFICER, authority=coventry)


def _partner_mini(setup, partner_officer, **values):
    competition = make_competition(by=partner_officer, framework_lot=setup.lot, areas=setup.areas, **values)
    return award_services.publish_competition(competition=competition, by=partner_officer)


def test_the_lead_reads_its_partners_call_offs_on_the_competitions_page(client, shared):
    setup, partner_officer = shared
    published = _partner_mini(setup, partner_officer, title="Coventry courts IDVA")
    make_competition(by=partner_officer, framework_lot=setup.lot, areas=setup.areas, title="Coventry draft")
    direct = make_direct_award(setup, by=partner_officer, title="Coventry children's ISVA", reference="DA-CCC-1")
    own = make_direct_award(setup, reference="DA-LEAD-1", title="Lead's own direct award")

    assert list(selectors.partner_competitions_for_lead(setup.officer)) == [published]
    assert list(selectors.partner_direct_awards_for_lead(setup.officer)) == [direct]
    client.force_login(setup.officer)
    html = client.get(reverse("awards:officer_competitions")).content.decode()
    section = html.split('id="partner-call-offs"')[1]
    assert "Coventry courts IDVA" in section and "Coventry children&#x27;s ISVA" in section
    assert "Coventry City Council" in section and "Coventry draft" not in html
    assert "Lead&#x27;s own direct award" not in section
    # Read-only: no links into the partner's pages, which stay refused to the lead.
    assert reverse("awards:officer_competition", args=[published.pk]) not in html
    assert client.get(reverse("awards:officer_competition", args=[published.pk])).status_code == 404
    assert client.get(reverse("awards:officer_direct_award", args=[direct.pk])).status_code == 404
    assert own.buying_authority == setup.authority


def test_the_partner_and_strangers_do_not_get_the_leads_view(client, shared):
    setup, partner_officer = shared
    _partner_mini(setup, partner_officer)
    # The partner runs its own call-offs (in its own lists), and reads nobody else's as a lead.
    assert not selectors.partner_competitions_for_lead(partner_officer).exists()
    client.force_login(partner_officer)
    assert 'id="partner-call-offs"' not in client.get(reverse("awards:officer_competitions")).content.decode()
    stranger = make_user(User.Role.OFFICER)
    assert not selectors.partner_competitions_for_lead(stranger).exists()
    assert not selectors.partner_direct_awards_for_lead(stranger).exists()
    for user in (make_user(User.Role.PROVIDER), make_user(User.Role.PARTNER)):
        assert not selectors.partner_competitions_for_lead(user).exists()


def test_the_leads_view_reads_in_a_fixed_number_of_queries(shared):
    setup, partner_officer = shared
    _partner_mini(setup, partner_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            for competition in selectors.partner_competitions_for_lead(setup.officer):
                list(competition.areas.all()), competition.buying_authority.name
        return len(captured.captured_queries)

    few = queries()
    for _ in range(3):
        _partner_mini(setup, partner_officer)
    assert queries() == few


def test_the_lead_reads_a_partners_call_off_contract_with_its_buying_authority(client, shared):
    setup, partner_officer = shared
    call_off = make_live_contract(by=partner_officer, title="Coventry IDVA call-off", lot=setup.lot)
    client.force_login(setup.officer)
    register = client.get(reverse("contracts:officer_register")).content.decode()
    assert "Coventry IDVA call-off" in register
    page = client.get(reverse("contracts:officer_contract", args=[call_off.pk])).content.decode()
    assert "Coventry City Council" in page and "Record a variation" not in page
