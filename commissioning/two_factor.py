"""Setting up a second factor (an authenticator app, TOTP).

People whose accounts an administrator makes (officers, evaluators, administrators, partners) set it up
only through a one-time link e-mailed to their own address, so that whoever first holds their password
cannot enrol an authenticator of their own. A supplier's users may set it up from their account page,
and must once their organisation turns it on.

Nothing is written until a code from the new authenticator is confirmed: the secret waits in the
session meanwhile, so showing the set-up page changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from binascii import unhexlify
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .audit import record
from .models import TwoFactorLink, User

DEVICE_NAME = "Authenticator app"


class LinkError(Exception):
    """A set-up link that cannot be used; the message says why, to the person holding it."""


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(user: User, *, by: User | None) -> str:
    """Make a one-time set-up link for `user` (earlier unused ones stop working); return its address.
    Only the token's hash is stored: the address exists only in the e-mail."""
    now = timezone.now()
    TwoFactorLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    TwoFactorLink.objects.create(
        user=user,
        token_hash=token_hash(token),
        expires_at=now + timedelta(hours=settings.TWO_FACTOR_LINK_VALID_HOURS),
        sent_by=by if by is not None and by.is_authenticated else None,
    )
    return f"{settings.PORTAL_BASE_URL}{reverse('two_factor_enrol', args=[token])}"


def usable_link(token: str, user: User, *, now: datetime | None = None) -> TwoFactorLink:
    """The link this token opens, if `user` may use it now; otherwise LinkError says why."""
    link = TwoFactorLink.objects.filter(token_hash=token_hash(token)).first()
    if link is None:
        raise LinkError("This link is not valid. Check that you copied the whole address from the email.")
    if link.user_id != user.pk:
        raise LinkError("This link was sent to someone else. Sign out, then sign in as the person it was sent to.")
    if link.used_at is not None:
        raise LinkError("This link has been used already. Ask a platform administrator to send you a new one.")
    if not link.is_usable(now):
        raise LinkError("This link has expired. Ask a platform administrator to send you a new one.")
    return link


def pending_device(user: User, key: str) -> TOTPDevice:
    """An authenticator not saved yet, from a secret kept in the session: enough to show its QR code and
    key, and to check a code against it."""
    return TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=False)


def new_secret() -> str:
    return default_key()


def readable_key(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def code_matches(device: TOTPDevice, token: str) -> int | None:
    """The time step the code belongs to if it is right for this (unsaved) authenticator, else None."""
    totp = TOTP(unhexlify(device.key.encode()), device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return totp.t() if totp.verify(int(token), device.tolerance) else None


@transaction.atomic
def enrol(*, by: User, key: str, last_t: int, link: TwoFactorLink | None = None) -> TOTPDevice:
    """Confirm a new authenticator for `by`; it replaces any they had. People who enrol by link must
    bring one, and it is spent."""
    if by.enrols_by_link:
        if link is None:
            raise LinkError("Set up two-factor authentication with the link emailed to you.")
        link = TwoFactorLink.objects.select_for_update().get(pk=link.pk)
        if link.user_id != by.pk or not link.is_usable():
            raise LinkError("This link can no longer be used. Ask a platform administrator to send you a new one.")
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    replaced = TOTPDevice.objects.filter(user=by).delete()[0]
    device = TOTPDevice.objects.create(user=by, name=DEVICE_NAME, key=key, confirmed=True, last_t=last_t)
    record("auth.two_factor_enrolled", by=by, obj=by, data={"by_link": link is not None, "replaced": bool(replaced)})
    return device
