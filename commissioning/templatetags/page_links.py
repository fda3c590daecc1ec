"""Links between the pages of a list that keep the rest of the query (filters, sorting, the other list's page)."""

from urllib.parse import quote

from django import template

register = template.Library()


def _encoded(value) -> str:
    """As the urlencode filter writes it."""
    return quote(str(value), safe="/")


@register.simple_tag(takes_context=True)
def page_query(context, param: str, value) -> str:
    """'?' and the current query string with `param` set to `value` (last), every other parameter kept."""
    kept = [(key, v) for key, values in context["request"].GET.lists() if key != param for v in values]
    return "?" + "&".join(f"{_encoded(key)}={_encoded(v)}" for key, v in [*kept, (param, value)])
