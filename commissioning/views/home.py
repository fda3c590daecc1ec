"""The landing page and one home page for each role."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import work_queues
from ..access import permission_required, public

ROLE_HOMES = {
    "officer": "officer_home",
    "evaluator": "evaluator_home",
    "provider": "provider_home",
    "partner": "partner_home",
    "administrator": "admin:index",
}


@public
def home(request: HttpRequest) -> HttpResponse:
    """Signed-in users go to their role's home; everyone else sees the public start page."""
    if request.user.is_authenticated and request.user.role in ROLE_HOMES:
        return redirect(ROLE_HOMES[request.user.role])
    return render(request, "pages/start.html", {"queues": work_queues.queues_for("public")})


@permission_required("commissioning.officer_home")
def officer_home(request: HttpRequest) -> HttpResponse:
    queues = work_queues.queues_for("officer", request.user)
    to_do, more_to_do = work_queues.total(queues)
    return render(
        request,
        "commissioning/officer_home.html",
        {"queues": queues, "to_do": to_do, "more_to_do": more_to_do},
    )
