"""Public pages, no sign-in: open opportunities, and each framework's lots and published suppliers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from commissioning.access import public

from . import partner_selectors as selectors


@public
def opportunities(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "frameworks/public/opportunities.html",
        {
            "windows": selectors.open_opportunities(now),
            "frameworks": selectors.public_frameworks(),
        },
    )


@public
def framework_suppliers(request: HttpRequest, reference: str) -> HttpResponse:
    framework = get_object_or_404(selectors.public_frameworks(), reference=reference)
    return render(
        request,
        "frameworks/public/framework_suppliers.html",
        {"framework": framework, "lots": selectors.published_lots(framework)},
    )
