"""Sign-ins, sign-in failures, sign-outs and lock-outs go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import record


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    record("auth.signed_in", by=user, obj=user, request=request)


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.signed_out", by=user, obj=user, request=request)


@receiver(user_login_failed)
def audit_sign_in_failure(sender, credentials, request=None, **kwargs):
    attempted = (credentials or {}).get("username", "")
    record("auth.sign_in_failed", by=None, actor_email=attempted[:254], request=request)


@receiver(user_locked_out)
def audit_lock_out(sender, request, username=None, ip_address=None, **kwargs):
    record(
        "auth.locked_out",
        by=None,
        actor_email=(username or "")[:254],
        data={"reason": "too many failed sign-ins"},
        request=request,
    )
