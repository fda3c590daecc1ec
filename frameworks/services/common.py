"""What the selection services share: the rule error, locks and who may act on an application."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied

from commissioning.email import send_after_commit
from commissioning.models import User
from commissioning.rules import acts_for_running_authority
from commissioning.templatetags.portal import deadline

from ..evaluation import EvaluationRuleError
from ..lifecycle import APPLICATION
from ..models import (
    Application,
    ApplicationWindow,
)

# A move the selection or evaluation rules do not allow; the message is shown to the user as it is. An
# illegal move of the application's lifecycle (`lifecycle.APPLICATION`) raises its subclass IllegalMove.
SelectionRuleError = EvaluationRuleError


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update().select_related("window__framework", "supplier").get(pk=application.pk)
    )


def _require_provider_of(application: Application, user: User) -> None:
    membership = getattr(user, "supplier_membership", None)
    if membership is None or membership.supplier_id != application.supplier_id:
        raise PermissionDenied("You do not act for this applicant.")


def _require_officer_of(application: Application, user: User) -> None:
    if not acts_for_running_authority(user, application.window.framework):
        raise PermissionDenied("Only officers of the lead authority may do this.")


def _closing_text(window: ApplicationWindow) -> str:
    return deadline(window.closes_at)


def _require_editable(application: Application, now: datetime, move: str = "edit") -> None:
    APPLICATION.next_status(move, application.status)
    if not application.window.is_open(now):
        raise SelectionRuleError(
            f"The application window closed at {_closing_text(application.window)}. "
            "Your saved answers are kept but can no longer be changed."
        )


def _applicant_emails(application: Application) -> list[str]:
    return list(application.supplier.memberships.values_list("user__email", flat=True))


def _email_applicant(application: Application, *, subject: str, template: str, url: str, **context: object) -> None:
    """E-mail everyone at the applying supplier, once the transaction commits, about their application:
    the subject names the framework, and the e-mail links to the page `url`."""
    send_after_commit(
        to=_applicant_emails(application),
        subject=f"{subject}: {application.window.framework.title}",
        template=template,
        context={"application": application, "url": url, **context},
    )


def portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL + path
