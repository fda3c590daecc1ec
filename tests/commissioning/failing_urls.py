"""A URLconf with a view that fails, to check what a server error shows."""

from django.urls import path

from commissioning.access import public


@public
def boom(request):
    return 1 / 0


urlpatterns = [path("boom/", boom)]
handler500 = "django.views.defaults.server_error"
