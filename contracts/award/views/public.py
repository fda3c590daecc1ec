"""The public open opportunities page: frameworks open for applications and expressions of interest
open to any supplier. Here rather than in frameworks because it lists competitions, which frameworks
cannot import (dependencies point one way)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commissioning.access import public
from contracts.award import selectors as award_selectors
from frameworks import partner_selectors


@public
def opportunities(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "contracts/award/public/opportunities.html",
        {
            "windows": partner_selectors.open_opportunities(now),
            "competitions": award_selectors.open_expressions_of_interest(now),
            "frameworks": partner_selectors.public_frameworks(),
        },
    )
