"""Reads of the grants route: officers' scoped to their authority, providers' to their organisation."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

from commissioning.models import User
from commissioning.providers import supplier_id_of
from commissioning.rules import acting_for_filter

from .models import GrantApplication, GrantPayment, GrantRound


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


# Providers: open rounds, and their own organisation's applications --------------------------------------


def open_rounds(day: date) -> QuerySet[GrantRound]:
    """Rounds taking applications on `day`, soonest closing first (rolling rounds last)."""
    return (
        GrantRound.objects.open_on(day)
        .select_related("authority")
        .order_by(F("closes_on").asc(nulls_last=True), "title", "pk")
    )


def round_for_provider(user: User, pk: int) -> GrantRound:
    """Any grant round, for a provider user (a round's call is public); whether it is open is for the
    page to say and for `services.submit_application` to enforce."""
    grant_round = GrantRound.objects.select_related("authority").filter(pk=pk).first()
    if supplier_id_of(user) is None or grant_round is None:
        raise Http404("No such grant round")
    return grant_round


def applications_for_provider(user: User) -> QuerySet[GrantApplication]:
    supplier_id = supplier_id_of(user)
    if supplier_id is None:
        return GrantApplication.objects.none()
    return (
        GrantApplication.objects.filter(supplier_id=supplier_id)
        .select_related("round__authority")
        .order_by("-submitted_on", "-pk")
    )


def current_application(user: User, grant_round: GrantRound) -> GrantApplication | None:
    """The provider's organisation's application to the round that is waiting or was awarded, if any (it
    may hold one at a time: `services.submit_application`)."""
    return applications_for_provider(user).filter(round=grant_round, status__in=GrantApplication.CURRENT).first()


def application_for_provider(user: User, pk: int) -> GrantApplication:
    application = applications_for_provider(user).filter(pk=pk).first()
    if application is None:
        raise Http404("No such grant application")
    return application


# Officers: applications to decide and payments, of their own authority ----------------------------------


def applications_to_decide(user: User) -> QuerySet[GrantApplication]:
    return (
        GrantApplication.objects.filter(
            acting_for_filter(user, "round__authority"), status=GrantApplication.Status.SUBMITTED
        )
        .select_related("round", "supplier", "recipient_authority")
        .order_by("submitted_on", "pk")
    )


def payments_overdue(user: User, day: date) -> QuerySet[GrantPayment]:
    """Scheduled payments of the officer's authority's grants (gone live; for a terminated grant, the periods
    it ran for) whose due date has passed unpaid."""
    return (
        GrantPayment.objects.filter(
            acting_for_filter(user, "contract__buying_authority"), paid_on__isnull=True, due_on__lt=day
        )
        .filter(
            Q(contract__terminated_on__isnull=True) | Q(period_start__lte=F("contract__terminated_on")),
            contract__activated_at__isnull=False,
        )
        .select_related("contract__supplier")
        .order_by("due_on", "pk")
    )


def payment_for_officer(user: User, pk: int) -> GrantPayment:
    """A payment of a grant the officer's authority runs: 404 for anyone else's."""
    payment = (
        GrantPayment.objects.filter(acting_for_filter(user, "contract__buying_authority"), pk=pk)
        .select_related("contract__supplier", "contract__grant_terms")
        .first()
    )
    if payment is None:
        raise Http404("No such grant payment")
    return payment
