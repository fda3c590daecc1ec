"""A text put together in the template, kept under a name: for an argument to a tag (a table's label) that
mixes words and values, which a tag's arguments cannot spell themselves."""

from django import template
from django.template.base import NodeList, Parser, Token

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, name: str, nodelist: NodeList):
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        context[self.name] = self.nodelist.render(context).strip()
        return ""


@register.tag
def capture(parser: Parser, token: Token) -> CaptureNode:
    """{% capture as name %}Suppliers on lot {{ lot.number }}{% endcapture %}: `name` holds the text, trimmed."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("capture takes 'as name'")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(bits[2], nodelist)
