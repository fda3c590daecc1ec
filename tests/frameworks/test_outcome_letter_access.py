"""Who may ask for an application's outcome letter, and who may read it."""

from commissioning.models import User
from commissioning.reports import get_report
from frameworks.reports import OUTCOME_LETTER
from tests.factories import make_user

from .conftest import complete_application


def test_only_an_officer_of_the_lead_authority_may_request_the_letter(selection):
    application = complete_application(selection)
    letter = get_report(OUTCOME_LETTER)
    colleague = make_user(User.Role.OFFICER, authority=selection.officer.authority)
    other_officer = make_user(User.Role.OFFICER)
    evaluator = selection.evaluators[0]

    assert letter.can_request(selection.officer, application)
    assert letter.can_request(colleague, application)
    assert not letter.can_request(other_officer, application)
    assert not letter.can_request(evaluator, application)
    assert not letter.can_request(selection.provider, application)
    assert not letter.can_request(selection.officer, None)

    # Platform administrators take no commissioning decisions (DESIGN §10); a closed account nothing.
    assert not letter.can_request(make_user(User.Role.ADMINISTRATOR), application)
    selection.officer.is_active = False
    assert not letter.can_request(selection.officer, application)


def test_the_applicant_and_the_lead_officers_may_read_the_letter(selection):
    application = complete_application(selection)
    letter = get_report(OUTCOME_LETTER)
    rival = make_user(User.Role.PROVIDER)

    assert letter.can_view(selection.officer, application)
    assert letter.can_view(selection.provider, application)
    assert not letter.can_view(rival, application)
    assert not letter.can_view(make_user(User.Role.OFFICER), application)
    assert not letter.can_view(make_user(User.Role.PARTNER), application)
