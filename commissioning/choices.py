"""Filter choices kept a minute per account.

A list's filters offer the lots, providers and authorities the user's records are on: three or four
queries over the contracts on every view of the list (a third of the contract register's time), for
choices that change only when a contract, a lot or a name does. They are kept in the cache for
`CHOICES_SECONDS` under a key of every field of the account the rules look at (`account_key`), and all
dropped when a record they are made from is saved or deleted (`forget_choices`, connected in
`commissioning.apps`), so a list shows what its user has just changed.

The cache is each process's memory unless `CACHE_URL` names a shared one (Redis): with several workers and
no shared cache, a change made through one worker reaches another's choices within the minute.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
CHOICES_SECONDS = 60
GENERATION_KEY = "choices:generation"
# What filter choices are made from: saving or deleting one of these drops every choice kept.
MADE_FROM = (
    "contracts.Contract",
    "contracts.Contribution",  # an authority contributing to a contract reads it
    "frameworks.Lot",
    "frameworks.Framework",
    "suppliers.Supplier",
    "commissioning.Authority",
)


def account_key(user: Any) -> tuple:
    """Every field of an account that what the rules let it read depends on."""
    membership = getattr(user, "supplier_membership", None)
    return (
        user.pk,
        user.role,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        user.authority_id,
        membership.supplier_id if membership else None,
        user.role_approved_at,
        user.role_since,
    )


def provider_key(selected: str | None) -> str | None:
    """A provider chosen in a filter (`?supplier=`) as the key of its choices: its number, or None for
    anything else, which `listed_up_to` treats alike. Each odd value would otherwise be kept apart."""
    text = str(selected or "").strip()
    return str(int(text)) if text.isascii() and text.isdigit() else None


def kept_choices(name: str, user: Any, build: Callable[[], T], *parts: Hashable) -> T:
    """`build()`'s choices for the user (and `parts`, e.g. the day), from the cache when kept."""
    generation = cache.get(GENERATION_KEY, 0)
    digest = hashlib.sha256(repr((account_key(user), parts)).encode()).hexdigest()[:32]
    key = f"choices:{name}:{generation}:{digest}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CHOICES_SECONDS)
    return found


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in MADE_FROM:
        post_save.connect(forget_choices, sender=model, dispatch_uid=f"choices.saved.{model}")
        post_delete.connect(forget_choices, sender=model, dispatch_uid=f"choices.deleted.{model}")


def forget_choices(**kwargs) -> None:
    """Drop every kept choice (a signal receiver; the bulk imports call it): the next view of each list
    builds its choices again. Now, for the rest of this transaction, and again once it commits: choices a
    request on another worker built from the rows as they were before the commit are dropped as well."""
    _next_generation()
    transaction.on_commit(_next_generation)


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Not kept yet, or evicted: a number never used before, so no choice kept under an earlier
        # generation can be found again.
        cache.set(GENERATION_KEY, time.time_ns(), None)
