"""What the award stage's pages share: the permissions they check, the officer's competition looked up
through a scoped selector and breadcrumbs (the one-question form page is `commissioning.views.form_pages`)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning.forms import service_refusals_on
from commissioning.views.form_pages import simple_form_page
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
    return officer_crumbs(
        (competition.reference, reverse("awards:officer_competition", args=[competition.pk])), (page, None)
    )


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


def posted_to_competition(
    request: HttpRequest, competition: Competition, form, act: Callable[[dict], str]
) -> HttpResponse | None:
    """The POST half of a form under an officer's competition: for a valid form, `act` calls the service
    with the form's data and says what was done, and the officer goes back to the competition. None when
    the form is to be shown (again, with the service's refusal on it)."""
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form):
            messages.success(request, act(form.cleaned_data))
            return redirect("awards:officer_competition", competition.pk)
    return None


def competition_form(
    request: HttpRequest,
    competition: Competition,
    form,
    act: Callable[[dict], str],
    template: str,
    crumb: str,
    **context,
) -> HttpResponse:
    """A form page of its own (`template`) under an officer's competition, posted as `posted_to_competition`."""
    posted = posted_to_competition(request, competition, form, act)
    return posted or competition_page(request, template, competition, crumb, form=form, **context)


def competition_form_page(
    request: HttpRequest, competition: Competition, form, act: Callable[[dict], str], *, crumb: str, **page
) -> HttpResponse:
    """A one-question form page (`simple_form_page`) under an officer's competition, posted as
    `posted_to_competition`, with a Cancel link back to the competition."""
    return posted_to_competition(request, competition, form, act) or simple_form_page(
        request,
        form,
        crumbs=competition_crumbs(competition, crumb),
        cancel_url=reverse("awards:officer_competition", args=[competition.pk]),
        **page,
    )
