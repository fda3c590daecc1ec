"""Reminder rules (when each kind of reminder goes) and the e-mails recorded for sending."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from commissioning.dates import LONDON


def validate_offsets(value: str) -> None:
    """Offsets are whole numbers of days before a date, separated by commas, e.g. "14,7,1"."""
    from django.core.exceptions import ValidationError

    for part in value.split(","):
        part = part.strip()
        if part and (not re.fullmatch(r"[0-9]{1,3}", part) or int(part) > 366):
            raise ValidationError("Enter whole numbers of days from 0 to 366, separated by commas, for example 14,7,1")


class ReminderRule(models.Model):
    """When one kind of reminder is sent. Officers change the offsets in the admin; the sources read them."""

    kind = models.SlugField(max_length=80, unique=True, help_text="The reminder source this rule controls.")
    label = models.CharField(max_length=200, help_text="What the reminder is about, in plain words.")
    offsets = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_offsets],
        help_text="Days before the date when a reminder is sent, separated by commas, for example 14,7,1.",
    )
    remind_when_overdue = models.BooleanField(
        default=True, help_text="Send one more reminder once the date has passed."
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Tell the commissioning officer once this many days have passed after the date. "
        "Leave empty to never escalate.",
    )
    enabled = models.BooleanField(default=True, help_text="Untick to stop sending this kind of reminder.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @property
    def offset_days(self) -> list[int]:
        """The offsets, largest first, without repeats."""
        days = {int(part) for part in self.offsets.split(",") if re.fullmatch(r"[0-9]{1,3}", part.strip())}
        return sorted(days, reverse=True)

    def horizon(self, today: date) -> date:
        """The latest due date that can need a reminder today."""
        return today + timedelta(days=max(self.offset_days, default=0))

    def occasion_for(self, due: date, today: date) -> str | None:
        """Which reminder is due today for something due on `due`, or None.

        The nearest offset already reached counts, not only the exact day, so a sweep that did not
        run on the day still sends that reminder once (the unique claim stops any repeat).
        """
        if not self.enabled:
            return None
        days_left = (due - today).days
        if days_left < 0:
            return "overdue" if self.remind_when_overdue else None
        reached = [offset for offset in self.offset_days if days_left <= offset]
        return f"due-in-{min(reached)}-days" if reached else None

    def closes_before(self, today: date) -> datetime:
        """For closing times: the London midnight after the horizon. Something closing before it (and
        still open) may need a reminder today."""
        return datetime.combine(self.horizon(today) + timedelta(days=1), time.min, tzinfo=LONDON)

    def occasion_ahead_of(self, due: date, today: date) -> str | None:
        """The reminder due today ahead of a date that, once passed, has nothing left to remind about (a
        closing time, a decision point): `occasion_for` without its overdue reminder."""
        occasion = self.occasion_for(due, today)
        return None if occasion == "overdue" else occasion

    def escalation_due(self, due: date, today: date) -> bool:
        return self.enabled and self.escalate_after_days is not None and (today - due).days >= self.escalate_after_days


class Notification(models.Model):
    """One e-mail to one address, and the notification its recipient reads on the portal.

    Every e-mail of the portal is a row here (`commissioning.email`): recorded in the transaction of the
    action that causes it, then sent by a Celery task that claims the row first, so it goes once, and is
    retried with backoff while the mail server refuses it. A reminder also names its obligation and
    occasion: the conditional unique constraint is what makes a reminder go out once, however often the
    sweep runs. `recipient` is empty only for an address with no account yet (an invitation).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="Empty for an address with no account, such as an invitation to register.",
    )
    email = models.EmailField("address", help_text="The address the e-mail is sent to.")
    kind = models.SlugField(max_length=80)
    obligation_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    obligation_id = models.CharField(max_length=64, blank=True)
    obligation = GenericForeignKey("obligation_type", "obligation_id")
    occasion = models.CharField(max_length=60, blank=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="The page where the recipient acts on it.")
    confidential = models.BooleanField(
        default=False,
        help_text="The body holds a secret (a password reset link): it is erased once sent or given up.",
    )
    sealed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Until then the e-mail log does not list it: it would name a bidder before the closing time.",
    )
    sealed_for = models.CharField(
        max_length=60,
        blank=True,
        db_index=True,
        help_text="Kept out of the e-mail log until this is unsealed (a competition's opening by two officers).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the retry sweep may send it, if its own task has not."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField("reason", blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "obligation_type", "obligation_id", "occasion"],
                condition=models.Q(obligation_type__isnull=False),
                name="one_notification_per_recipient_obligation_occasion",
            )
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["status", "next_attempt_at"], name="notification_retry_due"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.email}"

    @property
    def absolute_url(self) -> str:
        return f"{settings.PORTAL_BASE_URL}{self.url}" if self.url else ""

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
