from frameworks.templatetags.frameworks_tags import status_tag


def test_known_statuses_get_their_label_and_colour():
    assert status_tag("clarification") == '<strong class="govuk-tag govuk-tag--yellow">Clarification requested</strong>'
    assert status_tag("completed") == '<strong class="govuk-tag">Completed</strong>'
    assert status_tag("pending") == '<strong class="govuk-tag govuk-tag--grey">Awaiting decision</strong>'


def test_an_unknown_status_is_shown_grey_and_escaped():
    assert status_tag("on <hold>") == '<strong class="govuk-tag govuk-tag--grey">On &lt;hold&gt;</strong>'
