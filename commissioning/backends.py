"""Signing in by email and password (Django's model backend), loading the user with what every page
shows: the header names the user's organisation, so the authority or supplier comes in the same query.
While an address is locked from a client (see `signin`), no password is even checked.

What a person may do is decided by their role, through the `rules` predicates (`commissioning.rules`), and
nothing else: the portal never writes Django's user and group permission tables, so this backend grants
nothing from them, and reading them (two queries on every page that asks a question the rules answer no)
is not done."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import signin


class PortalBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if signin.locked_until(request, username or kwargs.get(get_user_model().USERNAME_FIELD)):
            raise PermissionDenied("Too many failed sign-ins from here: locked for now.")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("authority", "supplier_membership__supplier").get(
                pk=user_id
            )
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()
