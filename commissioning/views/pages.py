"""Static information pages every user can reach from the footer."""

from django.shortcuts import render

from ..access import public


@public
def accessibility(request):
    return render(request, "pages/accessibility.html")


@public
def privacy(request):
    return render(request, "pages/privacy.html")
