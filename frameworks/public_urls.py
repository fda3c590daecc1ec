"""Public pages of the frameworks: the published approved list of each framework.

The open opportunities page lists competitions as well as application windows, so it lives in
`contracts.public_views`; `contracts.public_urls` includes these routes under the same "public"
namespace (frameworks cannot import contracts: dependencies point one way).
"""

from django.urls import path

from . import public_views as views

app_name = "public"

urlpatterns = [
    path("frameworks/<str:reference>/suppliers/", views.framework_suppliers, name="framework_suppliers"),
]
