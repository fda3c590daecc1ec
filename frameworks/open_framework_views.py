"""Officers award a framework, or re-award an open framework after a reopening window: one form, one
service (`open_frameworks.award_framework`), which keeps every current appointee and gives the new award
its own Procurement Act notices."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from commissioning.access import permission_required
from commissioning.dates import long_date
from commissioning.forms import GDSFormMixin, RealDateField
from commissioning.views.form_pages import simple_form_page

from . import open_frameworks
from .models import ApplicationWindow
from .views import RUN, _officer_framework


class FrameworkAwardForm(GDSFormMixin, forms.Form):
    starts_on = RealDateField(label="The award starts on", help_text="For example 1 7 2026.", require_all_fields=False)
    window = forms.ModelChoiceField(
        label="The window whose applicants it admits",
        queryset=ApplicationWindow.objects.none(),
        required=False,
        empty_label="None",
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = framework.windows.order_by("-opens_at")


@permission_required(RUN)
def award_framework(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _officer_framework(request, pk)
    form = FrameworkAwardForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        try:
            award = open_frameworks.award_framework(
                framework=framework,
                starts_on=form.cleaned_data["starts_on"],
                window=form.cleaned_data["window"],
                by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"Award {award.sequence} of {framework.reference} starts on {long_date(award.starts_on)}. Its "
                "notices are listed under Notices.",
            )
            return redirect("frameworks:officer_frameworks")
    awards = list(framework.awards.order_by("sequence"))
    back = reverse("frameworks:officer_frameworks")
    return simple_form_page(
        request,
        form,
        title="Award the framework" if not awards else "Re-award the open framework",
        caption=framework.reference,
        intro="Everyone already appointed stays on the list. "
        + (
            f"Award {awards[-1].sequence} ends the day before the new one starts."
            if awards
            else "The framework's first award starts the scheme."
        ),
        button="Record the award",
        crumbs=[("Frameworks", back), ("Award", None)],
        cancel_url=back,
    )
