"""The address of one row's page in a list: `reverse` once per URL name, then the row's key put in place.

A list of fifty rows linking each to its page reversed its URL fifty times (about 40 microseconds each, a
tenth of some lists' time); the address of a page whose one argument is an integer key differs from row to
row by that key alone. Anything else (another kind of argument, a pattern whose address would not show the
key as it is) is reversed as usual."""

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# A key no row has, to find where the key goes in the reversed address.
_MARKER = 8_191_819_181
_shapes: dict[tuple, tuple[str, str] | None] = {}


def _shape(name: str) -> tuple[str, str] | None:
    key = (name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if key not in _shapes:
        try:
            address = reverse(name, args=[_MARKER])
        except NoReverseMatch:  # the pattern takes no such key: `reverse` says why, row by row
            _shapes[key] = None
        else:
            before, marker, after = address.partition(str(_MARKER))
            shape = (before, after) if marker and str(_MARKER) not in after else None
            # A small key too, so a pattern that writes numbers its own way (padded, or only long ones) is
            # left to `reverse`.
            if shape is not None and _reversed_or_none(name, 7) != f"{before}7{after}":
                shape = None
            _shapes[key] = shape
    return _shapes[key]


def _reversed_or_none(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def row_url(name: str, pk) -> str:
    """`reverse(name, args=[pk])`, for a URL taking one integer key."""
    if type(pk) is int and pk >= 0:
        shape = _shape(name)
        if shape is not None:
            return f"{shape[0]}{pk}{shape[1]}"
    return reverse(name, args=[pk])
