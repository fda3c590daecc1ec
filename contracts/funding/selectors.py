"""Reads of an authority's funding streams, scoped to the officer's authority."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from commissioning.models import FundingAllocation, FundingStream, User


def streams_for(user: User) -> QuerySet[FundingStream]:
    """The funding streams in the budget of the user's authority, with their allocations."""
    if not user.authority_id:
        return FundingStream.objects.none()
    return (
        FundingStream.objects.filter(authority_id=user.authority_id)
        .prefetch_related(Prefetch("allocations", queryset=FundingAllocation.objects.order_by("financial_year")))
        .order_by("name")
    )


def stream_for(user: User, pk: int) -> FundingStream:
    stream = streams_for(user).filter(pk=pk).first()
    if stream is None or not user.has_perm("contracts.change_funding_stream", stream):
        raise Http404("No such funding stream")
    return stream
