"""Reads of the grants route, scoped to the officer's authority."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from commissioning.models import User

from .models import GrantApplication, GrantRound


def rounds_for(user: User) -> QuerySet[GrantRound]:
    if not user.authority_id:
        return GrantRound.objects.none()
    awarded = Q(applications__status=GrantApplication.Status.AWARDED)
    return (
        GrantRound.objects.filter(authority_id=user.authority_id)
        .annotate(application_count=Count("applications"), awarded=Sum("applications__amount_awarded", filter=awarded))
        .order_by("-opens_on", "reference")
    )


def round_for(user: User, pk: int) -> GrantRound:
    grant_round = GrantRound.objects.filter(pk=pk, authority_id=user.authority_id or -1).first()
    if grant_round is None:
        raise Http404("No such grant round")
    return grant_round


def application_for(user: User, pk: int) -> GrantApplication:
    application = (
        GrantApplication.objects.select_related("round", "supplier", "contract")
        .filter(pk=pk, round__authority_id=user.authority_id or -1)
        .first()
    )
    if application is None:
        raise Http404("No such grant application")
    return application
