"""Framework awards are made in the frameworks app, which cannot call leftwards into contracts; the notices
of each award (and of each re-award of an open framework) follow it through Django's post_save signal."""

from __future__ import annotations

from django.db.models.signals import post_save

from frameworks.models import FrameworkAward


def _framework_award_saved(sender, instance: FrameworkAward, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    from .services import sync_notices

    sync_notices(instance, by=getattr(instance, "_notice_actor", None))


def connect() -> None:
    post_save.connect(_framework_award_saved, sender=FrameworkAward, dispatch_uid="notices-framework-award")
