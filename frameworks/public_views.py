"""Public pages, no sign-in: each framework's lots and published suppliers. (The open opportunities
page is in `contracts.public_views`, since it lists competitions too.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from commissioning.access import public

from . import partner_selectors as selectors


@public
def framework_suppliers(request: HttpRequest, reference: str) -> HttpResponse:
    framework = get_object_or_404(selectors.public_frameworks(), reference=reference)
    return render(
        request,
        "frameworks/public/framework_suppliers.html",
        {"framework": framework, "lots": selectors.published_lots(framework)},
    )
