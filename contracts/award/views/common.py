"""What the award stage's pages share: the permissions they check, the officer's competition looked up
through a scoped selector, breadcrumbs and the one-question form page."""

from __future__ import annotations

from django.http import Http404
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


def simple_form_page(request, form, *, title, button, crumbs, intro="", warning=False, cancel_url=None, caption=""):
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": title,
            "button": button,
            "crumbs": crumbs,
            "intro": intro,
            "warning_button": warning,
            "cancel_url": cancel_url,
            "caption": caption,
        },
    )
