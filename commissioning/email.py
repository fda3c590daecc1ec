"""Sending portal email: a plain-text and an HTML part from one template pair, after the transaction
commits so nothing is sent for work that was rolled back."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def render_pair(template: str, context: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies of `<template>.txt` and `<template>.html`, with the portal's name,
    address and support email available to both."""
    full = {
        "portal_name": settings.PORTAL_NAME,
        "base_url": settings.PORTAL_BASE_URL,
        "support_email": settings.SUPPORT_EMAIL,
        **context,
    }
    return render_to_string(f"{template}.txt", full), render_to_string(f"{template}.html", full)


def build_email(*, to: Iterable[str], subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    """`template` names a pair: email/<template>.txt and email/<template>.html."""
    text, html = render_pair(f"email/{template}", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=sorted(set(to)))
    message.attach_alternative(html, "text/html")
    return message


def send_after_commit(*, to: Iterable[str], subject: str, template: str, context: dict) -> None:
    recipients = [address for address in to if address]
    if not recipients:
        return
    message = build_email(to=recipients, subject=subject, template=template, context=context)
    transaction.on_commit(message.send)
