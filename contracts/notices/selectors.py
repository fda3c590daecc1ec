"""Reads of notices, scoped to the officer's authority (administrators see all). Lists have a fixed number
of queries however many notices there are."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import QuerySet

from commissioning.models import User
from commissioning.rules import acting_for_filter, is_platform_admin

from .models import Notice, content_type_of


def notices_for_officer(user: User) -> QuerySet[Notice]:
    notices = Notice.objects.select_related("buying_authority", "target_type", "published_by")
    if is_platform_admin(user):
        return notices
    return notices.filter(acting_for_filter(user, "buying_authority"))


def outstanding_for_officer(user: User) -> QuerySet[Notice]:
    return notices_for_officer(user).outstanding().order_by(models.F("deadline").asc(nulls_last=True), "pk")


def overdue_for_officer(user: User, today: date) -> QuerySet[Notice]:
    return notices_for_officer(user).overdue(today).order_by("deadline", "pk")


def notices_of(obj: models.Model) -> list[Notice]:
    """A record's own notices, for its page."""
    return list(Notice.objects.filter(target_type=content_type_of(obj), target_id=obj.pk).order_by("notice_type", "pk"))


def procedure_notices(ocid: str) -> QuerySet[Notice]:
    return Notice.objects.filter(ocid=ocid).order_by("created_at", "pk")
