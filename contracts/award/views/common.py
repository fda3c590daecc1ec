"""What the award stage's pages share: the permissions they check, the officer's competition looked up
through a scoped selector, breadcrumbs, and the form pages under a competition (built on
`commissioning.views.service_forms`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning.forms import refusals_of_post
from commissioning.views.service_forms import posted_form, service_form_page
from contracts.award import selectors
from contracts.award.models import (
    Competition,
)

RUN = "contracts.run_competitions"
TENDER = "contracts.tender"
EVALUATE = "contracts.evaluate_awards"


T = "contracts/award/"


def officer_competition_or_404(request, pk) -> Competition:
    try:
        return selectors.competition_detail(request.user, pk)
    except Competition.DoesNotExist as exc:
        raise Http404("No such competition") from exc


def officer_crumbs(*items):
    return [("Competitions", reverse("awards:officer_competitions")), *items]


def competition_crumbs(competition: Competition, page: str):
    """The breadcrumbs of a page under an officer's competition: the list, the competition, the page."""
    return officer_crumbs((competition.reference, competition_url(competition)), (page, None))


def competition_page(
    request, template: str, competition: Competition, crumb: str, status: int = 200, **context
) -> HttpResponse:
    """A page under an officer's competition (`template` below the award templates): the competition, and
    breadcrumbs back through it to the list."""
    return render(
        request,
        T + template,
        {"competition": competition, "crumbs": competition_crumbs(competition, crumb), **context},
        status=status,
    )


def competition_url(competition: Competition) -> str:
    return reverse("awards:officer_competition", args=[competition.pk])


def competition_form(
    request: HttpRequest,
    competition: Competition,
    form,
    act: Callable[[dict], str],
    template: str,
    crumb: str,
    **context,
) -> HttpResponse:
    """A form page of its own (`template`) under an officer's competition whose valid POST asks a service
    to act (`posted_form`) and goes back to the competition."""
    posted = posted_form(request, form, act, competition_url(competition))
    return posted or competition_page(request, template, competition, crumb, form=form, **context)


def competition_form_page(
    request: HttpRequest, competition: Competition, form, act: Callable[[dict], str], *, crumb: str, **page
) -> HttpResponse:
    """A one-question form page under an officer's competition (`service_form_page`), back to the
    competition."""
    crumbs = competition_crumbs(competition, crumb)
    return service_form_page(request, form, act, back=competition_url(competition), crumbs=crumbs, **page)


def competition_step_page(
    request: HttpRequest,
    competition: Competition,
    step: Callable[[], object],
    template: str,
    crumb: str,
    context: Callable[[], dict] = dict,
) -> HttpResponse:
    """A page under an officer's competition whose one button asks a service to act (`step`, which says
    what was done): back to the competition once it has; otherwise the page (`context` read after the
    step), with what the service refused (422)."""
    errors = refusals_of_post(request, step)
    if request.method == "POST" and not errors:
        return redirect("awards:officer_competition", competition.pk)
    return competition_page(
        request, template, competition, crumb, errors=errors, status=422 if errors else 200, **context()
    )
