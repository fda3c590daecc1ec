"""Who may manage funding streams: officers of the authority whose budget the stream is in."""

import rules

from commissioning.rules import is_officer


@rules.predicate
def manages_stream(user, stream) -> bool:
    if stream is None:
        return False
    return bool(is_officer(user) and user.authority_id and stream.authority_id == user.authority_id)


# The list and the forms; each stream is then scoped to the officer's authority (404 otherwise).
rules.add_perm("contracts.manage_funding", is_officer)
rules.add_perm("contracts.change_funding_stream", manages_stream)
