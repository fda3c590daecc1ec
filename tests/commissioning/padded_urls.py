"""A URLconf whose keys are written padded to six digits, for tests/commissioning/test_row_urls.py."""

from django.http import HttpResponse
from django.urls import path, register_converter


class PaddedKey:
    regex = "[0-9]{6,}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:06d}"


register_converter(PaddedKey, "padded")


def _page(request, pk):
    return HttpResponse(str(pk))


urlpatterns = [path("rows/<padded:pk>/", _page, name="padded_row")]
