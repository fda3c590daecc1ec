"""Sign-ins, sign-in failures, sign-outs and lock-outs go to the audit trail; failures count towards
the lock of that address from that client (see `signin`)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from . import signin, two_factor
from .audit import record

# When the session's sign-in happened (seconds since the epoch), for the idle and absolute limits (see
# IdleTimeoutMiddleware).
SIGNED_IN_AT = "signed_in_at"
# Whether the person had an authenticator when they signed in: someone who set one up by choice is asked
# for its code too (see TwoFactorMiddleware), without a query on every request.
HAS_AUTHENTICATOR = "has_authenticator"


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    record("auth.signed_in", by=user, obj=user, request=request)
    signin.reset(request, user.email)
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(timezone.now().timestamp())
        request.session[HAS_AUTHENTICATOR] = two_factor.has_authenticator(user)


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.signed_out", by=user, obj=user, request=request)


@receiver(user_login_failed)
def audit_sign_in_failure(sender, credentials, request=None, **kwargs):
    attempted = signin.normalise_email((credentials or {}).get("username", ""))
    record("auth.sign_in_failed", by=None, actor_email=attempted, request=request)
    signin.record_failure(request, attempted)
