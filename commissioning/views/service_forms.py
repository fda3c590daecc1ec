"""A form page whose valid POST asks one service to act: the service called under its refusals, a success
message, and on to the next page; otherwise the form, shown again with the refusal on it. Every app's
form views share this instead of each repeating the POST branch."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from commissioning.forms import service_refusals_on

from .form_pages import simple_form_page


def posted_form(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict], str],
    to: str,
    *,
    refused: type[Exception] | tuple[type[Exception], ...] = ValidationError,
) -> HttpResponse | None:
    """For a valid POST, `act` calls the service with the form's data and says what was done, and the user
    goes on to `to`; a refusal (`refused`) goes on the form. None when the form is to be shown (again)."""
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form, refused=refused):
            messages.success(request, act(form.cleaned_data))
            return redirect(to)
    return None


def service_form_page(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict], str],
    *,
    back: str,
    refused: type[Exception] | tuple[type[Exception], ...] = ValidationError,
    **page,
) -> HttpResponse:
    """A one-question form page (`simple_form_page`, whose arguments `page` carries) posted as
    `posted_form`: the user goes back to `back`, where its Cancel link leads too."""
    posted = posted_form(request, form, act, back, refused=refused)
    return posted or simple_form_page(request, form, cancel_url=back, **page)
