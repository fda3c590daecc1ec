"""Locking sign-in after repeated failures.

Failures are counted for an e-mail address, trimmed and in lower case (so typing it in capitals is the
same address), together with the client's address. Locking the pair means a stranger guessing from
elsewhere cannot lock a bidder out before a deadline, and guessing from one address slows down: each
lock in a row lasts twice as long as the last. The holder of the account is told by e-mail. The answer
is the same whether or not the account exists.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .audit import client_ip, record
from .email import send_after_commit
from .models import SignInThrottle, User


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()[:254]


def _key(request: HttpRequest | None, email: str | None) -> dict[str, str]:
    return {"email": normalise_email(email), "ip_address": client_ip(request) or ""}


def lock_minutes(lockouts: int) -> int:
    """How long the n-th lock in a row lasts: the first SIGN_IN_LOCK_MINUTES, each next one twice the last,
    never more than SIGN_IN_LOCK_MAX_MINUTES."""
    doubled = settings.SIGN_IN_LOCK_MINUTES * 2 ** max(0, min(lockouts, 30) - 1)
    return min(doubled, settings.SIGN_IN_LOCK_MAX_MINUTES)


def locked_until(request: HttpRequest | None, email: str | None, *, now: datetime | None = None) -> datetime | None:
    """When the lock on this address from this client ends, or None if it is not locked."""
    now = now or timezone.now()
    row = SignInThrottle.objects.filter(**_key(request, email)).only("locked_until").first()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def minutes_left(until: datetime, *, now: datetime | None = None) -> int:
    return max(1, math.ceil((until - (now or timezone.now())).total_seconds() / 60))


def _throttle_row(key: dict[str, str]) -> SignInThrottle:
    try:
        with transaction.atomic():
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(**key)
    except IntegrityError:  # another request made the row at the same moment
        row = SignInThrottle.objects.select_for_update().get(**key)
    return row


@transaction.atomic
def record_failure(request: HttpRequest | None, email: str | None, *, now: datetime | None = None) -> datetime | None:
    """Count one failed sign-in. Returns when the lock ends if this failure locked the pair. Failures
    while locked are not counted: they neither lengthen the lock nor lock anyone else."""
    now = now or timezone.now()
    key = _key(request, email)
    if not key["email"]:
        return None
    row = _throttle_row(key)
    if row.locked_until is not None and row.locked_until > now:
        return None
    if row.last_failure_at < now - timedelta(hours=settings.SIGN_IN_FORGET_AFTER_HOURS):
        row.failures, row.lockouts = 0, 0  # a quiet day forgets earlier locks
    row.failures += 1
    row.last_failure_at = now
    locked = None
    if row.failures >= settings.SIGN_IN_FAILURE_LIMIT:
        row.lockouts += 1
        row.failures = 0
        minutes = lock_minutes(row.lockouts)
        row.locked_until = locked = now + timedelta(minutes=minutes)
        record(
            "auth.locked_out",
            by=None,
            actor_email=key["email"],
            data={"reason": "too many failed sign-ins", "minutes": minutes, "lock_in_a_row": row.lockouts},
            request=request,
        )
        _tell_the_holder(key, minutes)
    row.save()
    return locked


def _tell_the_holder(key: dict[str, str], minutes: int) -> None:
    holder = User.objects.filter(email__iexact=key["email"], is_active=True).first()
    if holder is None:
        return
    send_after_commit(
        to=[holder.email],
        subject="Sign-ins to your account were locked",
        template="account_locked",
        context={
            "user": holder,
            "minutes": minutes,
            "address": key["ip_address"] or "an unknown address",
            "reset_url": reverse("password_reset"),
        },
    )


def reset(request: HttpRequest | None, email: str | None) -> None:
    """A successful sign-in forgets the failures of that address from that client."""
    key = _key(request, email)
    if key["email"]:
        SignInThrottle.objects.filter(**key).delete()


def forget_old_failures(*, now: datetime | None = None) -> int:
    """Delete what no lock needs any more (run daily), so guesses at random addresses do not pile up."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.SIGN_IN_FORGET_AFTER_HOURS)
    unlocked = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    deleted, _ = SignInThrottle.objects.filter(unlocked, last_failure_at__lt=cutoff).delete()
    return deleted
