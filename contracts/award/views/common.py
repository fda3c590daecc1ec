"""What the award stage's pages share: the permissions they check, the officer's competition looked up
through a scoped selector and breadcrumbs (the one-question form page is `commissioning.views.form_pages`)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

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
