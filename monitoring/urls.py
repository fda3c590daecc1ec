"""URL routes of this part of the portal."""

urlpatterns: list = []
