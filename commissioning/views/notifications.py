"""Every signed-in user's own notifications: what we emailed them and where to act on it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import signed_in
from ..models import Notification
from ..notifications import notifications_for
from ..pagination import paginate

STATUS_TAGS = {
    Notification.Status.SENT: "govuk-tag--green",
    Notification.Status.CLAIMED: "govuk-tag--blue",
    Notification.Status.FAILED: "govuk-tag--red",
}


@signed_in
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, notifications_for(request.user))
    for notification in page.object_list:
        notification.tag_class = STATUS_TAGS[notification.status]
    return render(request, "commissioning/notification_list.html", {"page": page})
