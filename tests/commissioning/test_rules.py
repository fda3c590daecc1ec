"""The one rule for acting for the authority that runs a framework, a competition, a direct award or a
contract (`commissioning.rules.acts_for_running_authority`, and `acting_for_filter` for querysets)."""

from __future__ import annotations

import pytest

from commissioning.models import Authority, User
from commissioning.rules import acting_for_filter, acts_for_running_authority, running_authority_id
from contracts.award.models import Competition, DirectAward
from contracts.models import Contract
from frameworks.models import Framework
from tests.factories import make_authority, make_user
from tests.factories.frameworks import make_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours() -> Authority:
    return make_authority(name="West Midlands OPCC")


def run_by(authority: Authority) -> list:
    return [
        Framework(lead_authority=authority),
        Competition(buying_authority=authority),
        DirectAward(buying_authority=authority),
        Contract(buying_authority=authority),
    ]


def test_an_active_officer_of_the_running_authority_acts_for_each_kind_of_object(ours):
    officer = make_user(User.Role.OFFICER, authority=ours)
    for obj in run_by(ours):
        assert running_authority_id(obj) == ours.pk
        assert acts_for_running_authority(officer, obj), type(obj).__name__
    for obj in run_by(make_authority(name="Staffordshire OPCC")):
        assert not acts_for_running_authority(officer, obj), type(obj).__name__


@pytest.mark.parametrize("role", [User.Role.EVALUATOR, User.Role.PARTNER, User.Role.PROVIDER])
def test_other_roles_of_the_same_authority_do_not(ours, role):
    user = make_user(role, authority=ours) if role != User.Role.PROVIDER else make_user(role)
    assert not any(acts_for_running_authority(user, obj) for obj in run_by(ours))


def test_an_inactive_officer_or_one_of_no_authority_does_not(ours):
    inactive = make_user(User.Role.OFFICER, authority=ours, is_active=False)
    homeless = make_user(User.Role.OFFICER, authority=None)
    assert not any(acts_for_running_authority(inactive, obj) for obj in run_by(ours))
    assert not acts_for_running_authority(homeless, Framework(lead_authority=None))


def test_a_platform_administrator_acts_for_no_authority(ours):
    """Separation of duties: administrators manage accounts and read across authorities, but take no
    commissioning decisions, so they act for no authority, not even one named on their account."""
    administrator = make_user(User.Role.ADMINISTRATOR, authority=ours)
    assert not any(acts_for_running_authority(administrator, obj) for obj in run_by(ours))


def test_nothing_and_objects_that_name_no_authority():
    officer = make_user(User.Role.OFFICER)
    assert not acts_for_running_authority(officer, None)
    with pytest.raises(TypeError, match="names no authority"):
        acts_for_running_authority(officer, officer)


def test_the_queryset_filter_agrees_with_the_predicate(ours):
    led = make_framework(lead_authority=ours)
    other = make_framework(lead_authority=make_authority(name="Staffordshire OPCC"))
    users = [
        make_user(User.Role.OFFICER, authority=ours),
        make_user(User.Role.EVALUATOR, authority=ours),
        make_user(User.Role.PARTNER, authority=ours),
        make_user(User.Role.ADMINISTRATOR, authority=ours),
    ]
    for user in users:
        filtered = set(Framework.objects.filter(acting_for_filter(user, "lead_authority")))
        assert filtered == {f for f in (led, other) if acts_for_running_authority(user, f)}, user.role
