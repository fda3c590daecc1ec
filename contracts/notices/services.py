"""Every write to notices: keeping each record's notices in step with what the Act requires of it
(`sync_notices`), drafting and validating a notice's release, and recording its publication on Find a
Tender. Publication is refused unless the release validates against the vendored schema, naming the
field at fault; a contract award notice's publication day starts the award's standstill.

The notice lifecycle, in one place: due → drafted → validated → published; any notice not yet
published is withdrawn when the record no longer needs it."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.dates import long_date, standstill_last_day
from commissioning.email import send_after_commit
from commissioning.models import User
from commissioning.rules import acts_for_running_authority
from contracts.award.models import Award
from contracts.opendata.releases import build_release
from contracts.opendata.validation import release_errors

from . import procedures
from .models import Notice, NoticeType, content_type_of, target_key

Status = Notice.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.DUE: {Status.DRAFTED, Status.VALIDATED, Status.PUBLISHED, Status.WITHDRAWN},
    Status.DRAFTED: {Status.DRAFTED, Status.VALIDATED, Status.PUBLISHED, Status.WITHDRAWN},
    Status.VALIDATED: {Status.DRAFTED, Status.VALIDATED, Status.PUBLISHED, Status.WITHDRAWN},
    Status.PUBLISHED: set(),
    Status.WITHDRAWN: {Status.DUE},
}
FTS_NUMBER = re.compile(r"^[0-9]{6}-[0-9]{4}$")


class NoticeRuleError(ValidationError):
    """A notice rule refused the move; messages are keyed by form field where one applies."""

    def __init__(self, message: str | list[str], *, field: str = "__all__"):
        super().__init__({field: message if isinstance(message, list) else [message]})


def may_publish(user: User, notice: Notice) -> bool:
    """Officers of the buying authority look after its notices; administrators decide nothing."""
    return acts_for_running_authority(user, notice)


def _move(notice: Notice, to: str) -> None:
    if to not in TRANSITIONS[notice.status]:
        raise NoticeRuleError(
            f"A notice that is {notice.get_status_display().lower()} cannot become {Status(to).label.lower()}."
        )
    notice.status = to


# Keeping notices in step with their records ---------------------------------------------------------------


@transaction.atomic
def sync_notices(obj: models.Model, *, by: User | None = None) -> list[Notice]:
    """Create the notices `obj` now needs, refresh the deadline and basis of those not yet published, and
    withdraw those it no longer needs. Idempotent: lifecycle services call it after each move, and a
    daily task runs it over every record."""
    needed = {target_key(obj, r.notice_type): r for r in procedures.requirements_for(obj)}
    existing = {
        n.key: n for n in Notice.objects.select_for_update().filter(target_type=content_type_of(obj), target_id=obj.pk)
    }
    kept = []
    ocid = procedures.ocid_of(obj)
    authority = procedures.authority_of(obj)
    for key, need in needed.items():
        notice = existing.get(key)
        fields = {
            "title": need.title[:300],
            "basis": need.basis,
            "deadline": need.deadline,
            "deadline_basis": need.deadline_basis[:300],
            "is_voluntary": need.voluntary,
        }
        if notice is None:
            notice = Notice.objects.create(
                key=key,
                notice_type=need.notice_type,
                ocid=ocid,
                buying_authority=authority,
                target_type=content_type_of(obj),
                target_id=obj.pk,
                **fields,
            )
            record(
                "notice.due",
                by=by,
                obj=notice,
                data={"type": need.notice_type, "deadline": need.deadline, "basis": need.basis},
            )
        elif not notice.is_published:
            if notice.status == Status.WITHDRAWN:
                notice.status = Status.DUE
                notice.withdrawn_reason = ""
                record("notice.due", by=by, obj=notice, data={"type": need.notice_type, "again": True})
            changed = {k: v for k, v in fields.items() if getattr(notice, k) != v}
            if changed or notice.status == Status.DUE:
                for name, value in changed.items():
                    setattr(notice, name, value)
                notice.save()
        kept.append(notice)
    for key, notice in existing.items():
        if key not in needed and notice.is_outstanding:
            notice.status = Status.WITHDRAWN
            notice.withdrawn_reason = "The record no longer needs this notice."
            notice.save()
            record("notice.withdrawn", by=by, obj=notice, data={"type": notice.notice_type})
    return kept


def sync_all_notices() -> int:
    """The daily pass (and the demo's): every record from a procurement under the Act."""
    count = 0
    for obj in procedures.records_needing_notices():
        count += len(sync_notices(obj))
    return count


def required_unpublished(obj: models.Model, *types: str) -> list[Notice]:
    """The notices of these types `obj` needs (not voluntary ones) and that are not yet published."""
    return list(
        Notice.objects.filter(
            target_type=content_type_of(obj), target_id=obj.pk, notice_type__in=types, is_voluntary=False
        ).exclude(status__in=[Status.PUBLISHED, Status.WITHDRAWN])
    )


# Drafting, validating, publishing ---------------------------------------------------------------------------


def _lock(notice: Notice, by: User) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not may_publish(by, notice):
        raise PermissionDenied("Only officers of the buying authority look after its notices.")
    return notice


@transaction.atomic
def validate_notice(*, notice: Notice, by: User) -> Notice:
    """Draft the notice's release as it stands and check it against the schema: validated when it passes,
    drafted with the problems (each naming its field) when not."""
    notice = _lock(notice, by)
    if not notice.is_outstanding:
        raise NoticeRuleError(f"This notice is {notice.get_status_display().lower()}.")
    release = build_release(notice)
    errors = release_errors(release)
    _move(notice, Status.DRAFTED if errors else Status.VALIDATED)
    notice.content = release
    notice.errors = errors
    notice.validated_at = timezone.now()
    notice.save()
    record("notice.validated", by=by, obj=notice, data={"valid": not errors, "errors": errors})
    return notice


def _earliest_publication(notice: Notice) -> date | None:
    target = notice.target
    if isinstance(target, Award):
        return timezone.localdate(target.decided_at)
    return None


@transaction.atomic
def publish_notice(
    *, notice: Notice, fts_number: str, published_on: date, by: User, today: date | None = None
) -> Notice:
    """Record that the notice is on Find a Tender with its notice number and publication day. Refused
    unless its release validates; a contract award notice starts the award's standstill on that day."""
    today = today or timezone.localdate()
    notice = _lock(notice, by)
    number = fts_number.strip()
    if not notice.is_outstanding:
        raise NoticeRuleError(f"This notice is {notice.get_status_display().lower()}.")
    if not FTS_NUMBER.match(number):
        raise NoticeRuleError("Enter the Find a Tender notice number, like 041267-2026", field="fts_number")
    if Notice.objects.filter(fts_number=number).exclude(pk=notice.pk).exists():
        raise NoticeRuleError(f"Notice {number} is already recorded against another notice", field="fts_number")
    if published_on > today:
        raise NoticeRuleError("The publication date must be today or in the past", field="published_on")
    earliest = _earliest_publication(notice)
    if earliest and published_on < earliest:
        raise NoticeRuleError(
            f"The notice cannot have been published before the decision on {long_date(earliest)}", field="published_on"
        )
    release = build_release(notice, release_id=number, published_on=published_on)
    errors = release_errors(release)
    if errors:
        raise NoticeRuleError([f"The notice does not validate against the OCDS schema: {e}" for e in errors])
    _move(notice, Status.PUBLISHED)
    notice.fts_number = number
    notice.published_on = published_on
    notice.published_at = timezone.now()
    notice.published_by = by
    notice.content = release
    notice.errors = []
    notice.save()
    record(
        "notice.published",
        by=by,
        obj=notice,
        data={"type": notice.notice_type, "fts_number": number, "published_on": published_on, "ocid": notice.ocid},
    )
    if notice.notice_type == NoticeType.UK6 and isinstance(notice.target, Award):
        _start_standstill(notice.target, published_on, by=by)
    return notice


def _start_standstill(award: Award, published_on: date, *, by: User) -> None:
    """The standstill is eight working days beginning with the contract award notice's publication day
    (s.51); the bidders are told its last day."""
    award = Award.objects.select_for_update().select_related("competition", "lot").get(pk=award.pk)
    if award.standstill_skipped_reason:
        return
    award.standstill_ends_on = standstill_last_day(published_on)
    award.save(update_fields=["standstill_ends_on"])
    record(
        "competition.standstill_started",
        by=by,
        obj=award.competition,
        data={
            "lot": award.lot.number,
            "notice_published_on": published_on,
            "standstill_ends_on": award.standstill_ends_on,
        },
    )
    from contracts.award.services.common import emails_of_suppliers

    bidders = award.lot.tenders.filter(status__in=["successful", "unsuccessful"]).values_list("supplier_id", flat=True)
    for address in sorted(set(emails_of_suppliers(bidders))):
        send_after_commit(
            to=[address],
            subject=f"Standstill period: {award.competition.title}",
            template="award/notice",
            context={
                "subject": f"Standstill period: {award.competition.title}",
                "message": (
                    f"The contract award notice for {award.lot} of {award.competition.reference} was published on "
                    f"{long_date(published_on)}. The standstill period runs to the end of "
                    f"{award.standstill_ends_on:%A} {long_date(award.standstill_ends_on)}; the contract will not be "
                    "entered into before then."
                ),
                "details": [("Standstill ends", long_date(award.standstill_ends_on))],
                "url": reverse("awards:provider_competitions"),
                "action": "See your responses",
            },
        )
