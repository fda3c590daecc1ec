"""The frameworks' part of each home page (see `commissioning.work_queues`): for the public, the open
application windows and each framework's published suppliers; for providers, open windows and their
applications; for evaluators, their tasks, not started first; for partners, suppliers added or changed
since their last visit. Each builder reads with a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.partial_indexes import literals
from commissioning.rules import acting_for_filter

from . import partner_selectors, selectors
from .evaluation.checks import MINIMUM_PANEL
from .models import APPLICATIONS_TO_PROGRESS, Application, Appointment, HomeVisit


def open_windows(user, now: datetime) -> wq.Queue:
    windows = partner_selectors.open_opportunities(now).select_related(None).select_related("framework")
    return wq.Queue.of(
        windows.prefetch_related(None),
        lambda window: wq.QueueItem(
            title=window.framework.title,
            url=reverse("public:opportunities") + "#frameworks-open",
            detail=f"{window.framework.reference}, {window.title}",
            when=window.closes_at,
            when_label="Closes at",
        ),
        key="open-windows",
        heading="Frameworks open for applications",
        urgency=wq.ACTION,
        see_all_url=reverse("public:opportunities"),
        see_all_label="See the open opportunities",
        empty="No frameworks are open for applications at the moment. Frameworks reopen at least once a year.",
    )


def published_lists(user, now: datetime) -> wq.Queue:
    frameworks = partner_selectors.public_frameworks()
    return wq.Queue.of(
        frameworks,
        lambda framework: wq.QueueItem(
            title=f"Approved suppliers on {framework.title}",
            url=reverse("public:framework_suppliers", args=[framework.reference]),
            detail=f"{framework.reference}, led by {framework.lead_authority.name}",
        ),
        key="published-lists",
        heading="Approved supplier lists",
        urgency=wq.INFORMATION,
        see_all_url=reverse("public:opportunities") + "#framework-lists",
        see_all_label="See every framework",
        empty="No frameworks have been published yet.",
    )


# Officers -----------------------------------------------------------------------------------------

NEEDS_EVALUATORS, NEEDS_MODERATION, NEEDS_DECISION = "Needs evaluators", "Ready to moderate", "Ready to decide"


def to_progress(user) -> QuerySet[Application]:
    """Submitted applications short of a panel or ready to moderate, and evaluated ones to decide, read off
    their partial index (`application_to_progress_idx`): the statuses as literals, which SQLite needs to use it
    (commissioning.partial_indexes)."""
    free = Q(assignments__has_conflict=False) | Q(assignments__has_conflict__isnull=True)
    waiting = Q(assignments__has_conflict__isnull=True) | Q(
        assignments__has_conflict=False, assignments__submitted_at__isnull=True
    )
    done = Q(assignments__has_conflict=False, assignments__submitted_at__isnull=False)
    return (
        Application.objects.filter(acting_for_filter(user, "window__framework__lead_authority"))
        .filter(status__in=literals(APPLICATIONS_TO_PROGRESS))
        .annotate(
            panel=Count("assignments", filter=free, distinct=True),
            waiting=Count("assignments", filter=waiting, distinct=True),
            done=Count("assignments", filter=done, distinct=True),
        )
        .filter(
            Q(status=Application.Status.EVALUATED) | Q(panel__lt=MINIMUM_PANEL) | Q(waiting=0, done__gte=MINIMUM_PANEL)
        )
        .annotate(
            stage=Case(
                When(status=Application.Status.EVALUATED, then=Value(2)),
                When(panel__lt=MINIMUM_PANEL, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("supplier", "window__framework")
        .order_by("stage", "submitted_at", "pk")
    )


def applications_to_progress(user, now: datetime) -> wq.Queue:
    """Submitted applications short of a panel or ready to moderate, and evaluated ones to decide."""
    # Only what a row shows: the applications in progress are grouped to count their evaluators, and each
    # column read is one more to compose, group and read.
    applications = to_progress(user).only(
        "submitted_at", "supplier__legal_name", "window__title", "window__framework__title"
    )
    labels = [NEEDS_EVALUATORS, NEEDS_MODERATION, NEEDS_DECISION]
    return wq.Queue.of(
        applications,
        lambda application: wq.QueueItem(
            title=f"{application.supplier.legal_name}: {application.window.framework.title}",
            url=reverse("frameworks:officer_application", args=[application.pk]),
            detail=application.window.title,
            when=application.submitted_at,
            when_label="Submitted at",
            tag=labels[application.stage],
            tag_colour="yellow" if application.stage == 0 else "blue",
        ),
        key="applications",
        heading="Applications needing evaluators, moderation or a decision",
        urgency=wq.ACTION,
        see_all_url=reverse("frameworks:officer_frameworks"),
        see_all_label="See your frameworks",
    )


# Evaluators ---------------------------------------------------------------------------------------


def evaluation_queue(tasks, *, key: str, heading: str, title, url_name: str, detail: str, **queue) -> wq.Queue:
    """An evaluator's assignments still to do (`EvaluationAssignmentBase` rows): not started (to declare)
    first, then those being scored; oldest assignment first in each. `title` makes an item's title from
    an assignment; `queue` holds the queue's other fields (see-all link, empty text)."""
    tasks = (
        tasks.filter(Q(has_conflict__isnull=True) | Q(has_conflict=False, submitted_at__isnull=True))
        .annotate(started=Case(When(has_conflict__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("started", "assigned_at", "pk")
    )
    return wq.Queue.of(
        tasks,
        lambda task: wq.QueueItem(
            title=title(task),
            url=reverse(url_name, args=[task.pk]),
            detail=detail,
            when=task.assigned_at,
            when_label="Assigned at",
            tag="Not started" if task.has_conflict is None else "In progress",
            tag_colour="grey" if task.has_conflict is None else "light-blue",
        ),
        key=key,
        heading=heading,
        urgency=wq.ACTION,
        **queue,
    )


def evaluator_tasks(user, now: datetime) -> wq.Queue:
    return evaluation_queue(
        selectors.assignments_for_evaluator(user),
        key="application-tasks",
        heading="Applications to evaluate",
        title=lambda task: f"{task.application.supplier.legal_name}: {task.application.window.framework.title}",
        url_name="frameworks:evaluate",
        detail="Application",
        empty="You have no applications waiting for you.",
    )


# Providers ----------------------------------------------------------------------------------------


def provider_windows(user, now: datetime) -> wq.Queue:
    """Open application windows, with whether the organisation has started an application to each."""
    supplier_id = getattr(getattr(user, "supplier_membership", None), "supplier_id", None)
    windows = (
        selectors.open_windows(now)
        .prefetch_related(None)
        .annotate(mine=Count("applications", filter=Q(applications__supplier_id=supplier_id)))
        .order_by("closes_at", "pk")
    )
    return wq.Queue.of(
        windows,
        lambda window: wq.QueueItem(
            title=window.framework.title,
            url=reverse("frameworks:opportunities"),
            detail=window.title,
            when=window.closes_at,
            when_label="Closes at",
            tag="Application started" if window.mine else "",
            tag_colour="light-blue",
        ),
        key="open-windows",
        heading="Frameworks open for applications",
        urgency=wq.SOON,
        see_all_url=reverse("frameworks:opportunities"),
        see_all_label="See the open opportunities",
        empty="No frameworks are open for applications at the moment.",
    )


# Partners -----------------------------------------------------------------------------------------

# Pages seen within this long of each other are one visit: reloading the home page does not hide what
# changed since the visit before.
ONE_VISIT = timedelta(minutes=30)


def partner_changes(user, now: datetime) -> wq.Queue | None:
    """Suppliers added to or changed on the lists shared with the partner's authority since their last
    visit (recorded by `record_visit`); on a first visit, those of the last 30 days. A supplier suspended or
    removed since is listed too, as no longer on the list: the partner must not call off from it."""
    if not user.authority_id:
        return None
    visit = HomeVisit.objects.filter(user=user).first()
    first_look = now - timedelta(days=30)
    if visit is None:
        since = first_look
    elif now - visit.seen_at > ONE_VISIT:  # a new visit: what changed since the last one
        since = visit.seen_at
    else:  # the same visit, reloaded: still since the visit before
        since = visit.previous_at or first_look
    today = timezone.localdate(now)
    history = Appointment.history.model.objects.filter(id=OuterRef("pk"))
    listed = partner_selectors.current_appointments(today).filter(pk=OuterRef("pk"))
    # Appointments with a change since, found through the history's index on its date: not the latest
    # change of every appointment shared, worked out and then filtered.
    changed_since = Appointment.history.model.objects.filter(history_date__gt=since).values("id")
    changed = (
        Appointment.objects.shared_with(user.authority_id)
        .filter(pk__in=changed_since, lot__framework__term_end__gte=today)
        .annotate(
            changed_at=Subquery(history.order_by("-history_date").values("history_date")[:1]),
            added=Exists(history.filter(history_type="+", history_date__gt=since)),
            listed=Exists(listed),
        )
        .filter(changed_at__gt=since)
        # Gone from the list: news only if it was there to be seen (not added and gone since).
        .filter(Q(listed=True) | Q(added=False))
        .select_related("supplier", "lot__framework")
        .order_by("-changed_at", "pk")
    )
    return wq.Queue.of(
        changed,
        lambda appointment: wq.QueueItem(
            title=f"{appointment.supplier.legal_name}: {appointment.lot.framework.reference} lot "
            f"{appointment.lot.number}",
            url=reverse("approved_list:shared_frameworks"),
            detail=appointment.lot.title
            if appointment.listed
            else f"{appointment.lot.title}. No longer on the list: do not call off from this supplier",
            when=appointment.changed_at,
            when_label="Changed at",
            tag=_change_tag(appointment),
            tag_colour="green" if appointment.added else ("blue" if appointment.listed else "red"),
        ),
        key="supplier-changes",
        heading="Suppliers added or changed since your last visit",
        urgency=wq.ACTION,
        see_all_url=reverse("approved_list:shared_frameworks"),
        see_all_label="See the shared frameworks",
        empty="No suppliers have been added or changed since your last visit.",
    )


def _change_tag(appointment) -> str:
    if not appointment.listed:
        return appointment.get_status_display() if appointment.status != Appointment.Status.ACTIVE else "Ended"
    return "Added" if appointment.added else "Changed"


def record_visit(user, now: datetime) -> None:
    """The partner opened their home page: an access record, the one thing a GET may write. A page seen
    again within ONE_VISIT is the same visit."""
    visit, created = HomeVisit.objects.get_or_create(user=user, defaults={"seen_at": now})
    if created:
        return
    if now - visit.seen_at > ONE_VISIT:
        visit.previous_at = visit.seen_at
    visit.seen_at = now
    visit.save(update_fields=["seen_at", "previous_at"])


def register() -> None:
    wq.register("public", "open-windows", open_windows)
    wq.register("public", "published-lists", published_lists)
    wq.register("officer", "applications", applications_to_progress)
    wq.register("evaluator", "application-tasks", evaluator_tasks)
    wq.register("provider", "open-windows", provider_windows)
    wq.register("partner", "supplier-changes", partner_changes)
