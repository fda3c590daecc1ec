"""Partner authorities call off from a framework shared with them, among the suppliers who agreed to share
their details (seed 000, issue 20); the lead authority calls off from every appointee."""

import pytest
from django.core.exceptions import ValidationError

from commissioning.models import Authority, User
from contracts.award.selectors import call_off_appointments, eligible_suppliers
from frameworks.models import Appointment
from tests.factories import make_authority, make_user
from tests.factories.awards import make_award_setup, make_competition, make_direct_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():
    setup = make_award_setup()
    partner = make_authority(name="Coventry City Council", kind=Authority.Kind.LOCAL_AUTHORITY)
    setup.framework.partner_authorities.add(partner)
    # An appointee from before consent was part of applying, who did not agree: keeps its appointment
    Appointment.objects.filter(supplier=setup.suppliers[1]).update(consent_share_with_partners=False)
    return setup, make_user(User.Role.OFFICER, authority=partner, full_name="Marcus Reid")


def test_a_partners_mini_competition_invites_only_those_who_consented(shared):
    setup, partner_officer = shared
    competition = make_competition(by=partner_officer, framework_lot=setup.lot, areas=setup.areas)
    assert competition.buying_authority == partner_officer.authority
    assert eligible_suppliers(competition) == [setup.suppliers[0]]
    own = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
    assert set(eligible_suppliers(own)) == set(setup.suppliers)
    assert Appointment.objects.get(supplier=setup.suppliers[1]).status == Appointment.Status.ACTIVE


def test_a_partners_direct_award_is_refused_for_a_supplier_who_did_not_consent(shared):
    setup, partner_officer = shared
    with pytest.raises(ValidationError) as error:
        make_direct_award(setup, by=partner_officer, supplier=setup.suppliers[1])
    assert "consent to share its details with partner authorities" in error.value.message_dict["supplier"][0]
    award = make_direct_award(setup, by=partner_officer, supplier=setup.suppliers[0], reference="DA-TEST-2")
    assert award.buying_authority == partner_officer.authority


def test_an_authority_the_framework_is_not_shared_with_calls_off_from_nobody(shared):
    setup, _partner_officer = shared
    stranger = make_authority(name="Somewhere Else Council", kind=Authority.Kind.LOCAL_AUTHORITY)
    assert not call_off_appointments(setup.lot, stranger.pk).exists()
    assert call_off_appointments(setup.lot, setup.authority.pk).count() == 3  # the lead: everyone, consent or not
