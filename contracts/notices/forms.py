"""Recording a notice's publication on Find a Tender."""

from __future__ import annotations

from django import forms

from commissioning.forms import GDSFormMixin, RealDateField


class PublishNoticeForm(GDSFormMixin, forms.Form):
    fts_number = forms.CharField(
        label="Find a Tender notice number",
        help_text="As Find a Tender shows it, for example 041267-2026.",
        max_length=30,
        error_messages={"required": "Enter the Find a Tender notice number"},
    )
    published_on = RealDateField(
        label="Publication date",
        help_text="The day Find a Tender published the notice, for example 2 12 2025.",
        require_all_fields=False,
    )
