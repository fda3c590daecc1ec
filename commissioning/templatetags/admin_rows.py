"""The rows of a read-only admin list (no actions, no editable columns), with what each column is worked out
once a page. Django's `result_list` works out every cell's field, display method and change link anew: for
the audit trail's fifty events that was a third of its page. The cells are the same as Django's (the test
compares them); a column this does not recognise is looked up per cell as Django does."""

from collections.abc import Callable, Iterator
from datetime import date, time

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _value_of(cl: ChangeList, name: str) -> tuple[models.Field | None, Callable]:
    """The column's model field (None for a display method) and how to read a row's value for it."""
    display = getattr(cl.model_admin, name, None)
    if callable(display):
        return None, display
    try:
        field = cl.model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.concrete and not field.is_relation:
        return field, lambda obj: getattr(obj, field.attname)
    return None, None  # anything else: Django's own lookup, a cell at a time


def _change_url(cl: ChangeList) -> Callable[[models.Model], str]:
    """A row's change link, as Django writes it (with the list's filters kept): for an integer key, the first
    row's link with each row's key put in its place, rather than a `reverse` a row."""
    preserve = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}

    def reversed_each(obj: models.Model) -> str:
        return add_preserved_filters(preserve, cl.url_for_result(obj))

    first = cl.result_list[0]
    path, key = cl.url_for_result(first), f"/{first.pk}/change/"
    if not isinstance(first.pk, int) or not path.endswith(key):
        return reversed_each
    prefix, suffix = path.removesuffix(key) + "/", "/change/" + reversed_each(first)[len(path) :]
    return lambda obj: f"{prefix}{obj.pk}{suffix}"


def rows(cl: ChangeList) -> Iterator[list[SafeString]]:
    """Each row's cells, as Django's `items_for_result` writes them for a list without a form, joined into one
    string (the results template writes a row's items one after the other: one item is one variable to render
    instead of one a column)."""
    if not cl.result_list:
        return
    empty = cl.model_admin.get_empty_value_display()
    links = set(cl.list_display_links or [])
    columns = [(name, *_value_of(cl, name)) for name in cl.list_display]
    change_url = _change_url(cl)
    for obj in cl.result_list:
        cells, linked = [], False
        for name, field, read in columns:
            classes = f"field-{name}"
            if read is None:
                field, attr, value = lookup_field(name, obj, cl.model_admin)
            else:
                value = read(obj)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if field is None:
                shown = display_for_value(value, empty)
                if isinstance(value, date | time):
                    classes += " nowrap"
            else:
                shown = display_for_field(value, field, empty, avoid_link=name in links)
                if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
                    classes += " nowrap"
            if name in links:
                tag, linked = "td" if linked else "th", True
                link = f'<a href="{escape(change_url(obj))}">{conditional_escape(shown)}</a>'
                cells.append(f'<{tag} class="{classes}">{link}</{tag}>')
            else:
                cells.append(f'<td class="{classes}">{conditional_escape(shown)}</td>')
        yield [mark_safe("".join(cells))]  # noqa: S308 - every value in it escaped above


def read_only_result_list(context, cl: ChangeList) -> dict:
    """`result_list`'s context, its rows written by `rows`; a list with actions or a form is left to Django."""
    if getattr(cl, "formset", None) is not None or cl.is_popup or context.get("action_form"):
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(rows(cl)),
    }


@register.tag(name="read_only_result_list")
def read_only_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=read_only_result_list, template_name="change_list_results.html", takes_context=True
    )
