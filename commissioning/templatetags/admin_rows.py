"""The rows of a read-only admin list (no actions, no editable columns), with what each column is worked out
once a page. Django's `result_list` works out every cell's field, display method and change link anew: for
the audit trail's fifty events that was a third of its page. The cells are the same as Django's (the test
compares them); a list with a column this does not handle is written by Django."""

from collections.abc import Callable, Iterator
from datetime import date, time

from django import template
from django.contrib.admin.templatetags.admin_list import items_for_result, result_headers, result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters, admin_urlname
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import display_for_field, display_for_value
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from commissioning.row_urls import row_url

register = template.Library()


def _column(cl: ChangeList, name) -> tuple[models.Field | None, Callable] | None:
    """How to read a row's value for the column, with its model field (None for a display method), looked up
    in Django's order (the model's field first); None for a column Django's own row writer must handle (a
    relation, a callable, a boolean or its own empty value, a property)."""
    if not isinstance(name, str) or name == "__str__":
        return None
    try:
        field = cl.model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None:
        if field.concrete and not field.is_relation and field.attname == name:
            return field, lambda obj: getattr(obj, field.attname)
        return None
    display = getattr(cl.model_admin, name, None)
    if callable(display) and not getattr(display, "boolean", False) and not hasattr(display, "empty_value_display"):
        return None, display
    return None


def _change_url(cl: ChangeList) -> Callable[[models.Model], str]:
    """A row's change link, as Django writes it (with the list's filters kept): its address from `row_url`
    (reversed once for the page), the filters the same for every row; where `row_url` would not give the
    admin's own address, each row's is reversed."""
    preserve = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}

    def reversed_each(obj: models.Model) -> str:
        return add_preserved_filters(preserve, cl.url_for_result(obj))

    first = cl.result_list[0]
    name, path = admin_urlname(cl.opts, "change"), cl.url_for_result(first)
    if row_url(name, first.pk) != path:
        return reversed_each
    filters = reversed_each(first)[len(path) :]
    return lambda obj: row_url(name, obj.pk) + filters


def rows(cl: ChangeList) -> Iterator[list[SafeString]]:
    """Each row's cells, as Django's `items_for_result` writes them for a list without a form, joined into one
    string (the results template writes a row's items one after the other: one item is one variable to render
    instead of one a column). A list with a column `_column` leaves to Django is written by Django."""
    if not cl.result_list:
        return
    columns = [(name, _column(cl, name)) for name in cl.list_display]
    try:
        change_url = _change_url(cl)
    except NoReverseMatch:
        change_url = None
    if change_url is None or any(column is None for _, column in columns):
        for obj in cl.result_list:
            yield [mark_safe("".join(items_for_result(cl, obj, None)))]  # noqa: S308 - Django's own cells
        return
    empty = cl.model_admin.get_empty_value_display()
    links = set(cl.list_display_links or [])
    for obj in cl.result_list:
        cells, linked = [], False
        for name, (field, read) in columns:
            classes = f"field-{name}"
            try:
                value = read(obj)
            except ObjectDoesNotExist:
                shown = empty
            else:
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                if field is None:
                    shown = display_for_value(value, empty)
                    if isinstance(value, date | time):
                        classes += " nowrap"
                else:
                    shown = display_for_field(value, field, empty, avoid_link=name in links)
                    if isinstance(field, models.DateField | models.TimeField):
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
