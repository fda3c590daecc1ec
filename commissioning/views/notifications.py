"""Every signed-in user's own notifications: each e-mail we sent them, read or unread, and where to act
on it. Reading a page changes nothing; marking as read is a POST. Another user's notification is a 404,
so its existence is not revealed."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..access import signed_in
from ..models import Notification
from ..notifications import mark_all_read, mark_read, notifications_for
from ..pagination import paginate

EMAIL_TAGS = {
    Notification.Status.QUEUED: "govuk-tag--grey",
    Notification.Status.CLAIMED: "govuk-tag--blue",
    Notification.Status.SENT: "govuk-tag--green",
    Notification.Status.FAILED: "govuk-tag--red",
}


@signed_in
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = notifications_for(request.user).only(
        "pk", "subject", "url", "status", "read_at", "created_at", "recipient_id"
    )
    page = paginate(request, mine)
    for notification in page.object_list:
        notification.tag_class = EMAIL_TAGS[notification.status]
    unread = notifications_for(request.user).filter(read_at__isnull=True).count()
    return render(request, "commissioning/notification_list.html", {"page": page, "unread": unread})


@signed_in
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    notification.tag_class = EMAIL_TAGS[notification.status]
    return render(request, "commissioning/notification_detail.html", {"notification": notification})


@signed_in
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    mark_read(notification=notification, by=request.user)
    return redirect(_back(request, default=reverse("notification_detail", args=[notification.pk])))


@signed_in
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = mark_all_read(by=request.user)
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked as read.")
    return redirect(_back(request, default=reverse("notifications")))


def _back(request: HttpRequest, *, default: str) -> str:
    """Back to the page of the list the button was on; only ever a path on this site."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
