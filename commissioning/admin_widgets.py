"""The Django admin's own widgets, made to pass the portal's accessibility checks (WCAG 2.2 AA with
axe-core): every box has an accessible name, and no widget breaks an ARIA rule."""

from __future__ import annotations

from django import forms
from django.contrib.admin import widgets


class LabelledSplitDateTime(widgets.AdminSplitDateTime):
    """Django's date and time boxes, each with its own accessible name: the field's label points at
    neither box of the pair, so a screen reader announced two unnamed text boxes."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = "Date"
        self.widgets[1].attrs["aria-label"] = "Time"


def _name_boxes(form: forms.BaseForm) -> None:
    """A tabular inline shows its labels once, as column headings: each box gets its own name (the
    column's label and the row number), as a screen reader needs."""
    row = form.prefix.rsplit("-", 1)[-1] if form.prefix else ""
    suffix = f", row {int(row) + 1}" if row.isdigit() else ", new row"
    for name, field in form.fields.items():
        label = f"{field.label or name.replace('_', ' ')}{suffix}"
        widget = getattr(field.widget, "widget", field.widget)  # inside a related-object wrapper
        parts = getattr(widget, "widgets", None)
        if parts:
            for index, part in enumerate(parts):
                part.attrs.setdefault("aria-label", f"{label} ({'date' if index == 0 else 'time'})")
        else:
            widget.attrs.setdefault("aria-label", label)


def _labelled_tabular_formsets() -> None:
    from django.contrib.admin import TabularInline

    if getattr(TabularInline.get_formset, "names_boxes", False):
        return
    original = TabularInline.get_formset

    def get_formset(self, request, obj=None, **kwargs):
        base = original(self, request, obj, **kwargs)

        class FormSet(base):
            def add_fields(self, form, index):
                super().add_fields(form, index)  # the "Delete" box too
                _name_boxes(form)

        FormSet.__name__ = base.__name__
        return FormSet

    get_formset.names_boxes = True
    TabularInline.get_formset = get_formset


def use_in_the_admin() -> None:
    """Run once, when the app is ready (after the admin has discovered every ModelAdmin)."""
    from django.contrib import admin
    from django.contrib.admin import options
    from django.db import models

    options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(models.DateTimeField, {})["widget"] = LabelledSplitDateTime
    _labelled_tabular_formsets()
    for model_admin in admin.site._registry.values():
        overrides = model_admin.formfield_overrides.get(models.DateTimeField)
        if overrides is not None and overrides.get("widget") is widgets.AdminSplitDateTime:
            overrides["widget"] = LabelledSplitDateTime
        # Django's two-box filter widget gives its search icon an aria-label on a plain <span> (an ARIA
        # error): a labelled multiple select instead.
        model_admin.filter_horizontal = ()
        model_admin.filter_vertical = ()
