"""Static information pages every user can reach from the footer."""

from django.shortcuts import render

from ..access import public


@public
def accessibility(request):
    return render(request, "pages/accessibility.html")


@public
def privacy(request):
    return render(request, "pages/privacy.html")


@public
def healthz(request):
    """For load balancers and the benchmark's baseline: no database, no template."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
