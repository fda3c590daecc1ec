"""One GOV.UK table shell for every page: a page names its columns and writes its rows, and the scrolling region,
the caption, the header row and the body around them are drawn the same way everywhere."""

from dataclasses import dataclass

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.loader import get_template

from commissioning.search import Header

register = template.Library()

_SUFFIXES = ("numeric", "hidden")
_OPTIONS = ("label", "caption", "caption_class", "id", "table_class")


@dataclass(frozen=True)
class TableColumn:
    """A column heading: numeric ones are right-aligned; a hidden one (an actions column) is read out only."""

    label: str
    numeric: bool = False
    hidden: bool = False


def _column(value) -> TableColumn | Header:
    """'Budget:numeric' and 'Actions:hidden' as well as a plain 'Round'; a sortable Header is kept as it is."""
    if isinstance(value, Header):
        return value
    label, _, suffix = str(value).rpartition(":")
    if suffix in _SUFFIXES and label:
        return TableColumn(label, numeric=suffix == "numeric", hidden=suffix == "hidden")
    return TableColumn(str(value))


class HeaderRowNode(template.Node):
    """Header cells a page writes itself (a column a year, a column shown only to some), drawn after the columns."""

    def __init__(self, cells: NodeList):
        self.cells = cells

    def render(self, context) -> str:
        return ""


class GovukTableNode(template.Node):
    def __init__(self, columns: list[FilterExpression], options: dict[str, FilterExpression], body: NodeList):
        self.columns, self.options = columns, options
        self.header_row = next((node for node in body if isinstance(node, HeaderRowNode)), None)
        self.rows = NodeList(node for node in body if node is not self.header_row)

    def render(self, context) -> str:
        options = {name: value.resolve(context) for name, value in self.options.items()}
        return get_template("includes/govuk_table.html").render(
            {
                "columns": [_column(column.resolve(context)) for column in self.columns],
                "header_cells": self.header_row.cells.render(context) if self.header_row else "",
                "rows": self.rows.render(context),
                **options,
            }
        )


@register.tag
def govuk_table(parser: Parser, token: Token) -> GovukTableNode:
    """{% govuk_table "Round" "Budget:numeric" headers.status label="…" caption="…" caption_class="…" id="…"
    table_class="…" %} rows {% endgovuk_table %}

    Columns come first: text, with ':numeric' or ':hidden' after it, or a sortable header
    (commissioning.search.Sorting.headers). Header cells that need a loop or a condition go in the body, in
    {% header_row %} … {% endheader_row %}: they follow the columns. `label` names the scrolling region the
    table sits in (without it the table stands on its own); `caption` and its extra `caption_class`
    ("govuk-table__caption--m", "govuk-visually-hidden") are optional, as are the table's `id` and extra
    `table_class`.
    """
    bits = token.split_contents()[1:]
    columns, options = [], {}
    for bit in bits:
        name, equals, value = bit.partition("=")
        if equals and name.isidentifier():
            if name not in _OPTIONS:
                raise template.TemplateSyntaxError(f"govuk_table has no option {name!r}: {', '.join(_OPTIONS)}")
            options[name] = parser.compile_filter(value)
        elif options:
            raise template.TemplateSyntaxError("govuk_table takes its columns before its options")
        else:
            columns.append(parser.compile_filter(bit))
    if "id" in options:
        options["table_id"] = options.pop("id")
    body = parser.parse(("endgovuk_table",))
    parser.delete_first_token()
    return GovukTableNode(columns, options, body)


@register.tag
def header_row(parser: Parser, token: Token) -> HeaderRowNode:
    """{% header_row %}<th …>…</th>…{% endheader_row %} in a govuk_table's body: header cells after its columns."""
    cells = parser.parse(("endheader_row",))
    parser.delete_first_token()
    return HeaderRowNode(cells)
