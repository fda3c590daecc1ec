"""The one-question form page every app uses (`layouts/simple_form.html`): a title over the form, an
optional caption and introduction, one button (red for something that cannot be undone) and a Cancel
link back."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def simple_form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    crumbs: list,
    button: str = "",
    intro: str = "",
    warning: bool = False,
    cancel_url: str | None = None,
    caption: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """`button` left empty reads "Save and continue"; `multipart` for a form with a file upload."""
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": title,
            "button": button,
            "crumbs": crumbs,
            "intro": intro,
            "warning_button": warning,
            "cancel_url": cancel_url,
            "caption": caption,
            "multipart": multipart,
        },
    )
