"""A return's fields (`return_number_field`, `return_text_field`, `breakdown_row`) are written as the included
templates wrote them: with and without a hint, a label class and errors (one or two), values typed or saved, and
text that needs escaping. The form itself is checked end to end in the return's view and browser tests."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

from django.template import Context, Template

from monitoring.templatetags.returns_tags import breakdown_row, return_number_field, return_text_field

# The templates the tags replaced: monitoring/includes/number_field.html, monitoring/includes/text_field.html
# and the row of a breakdown's table in monitoring/provider/edit.html.
NUMBER_FIELD = """<div class="govuk-form-group{% if entry.errors %} govuk-form-group--error{% endif %}">
  <label class="govuk-label{% if label_class %} {{ label_class }}{% endif %}" for="{{ entry.id }}">{{ entry.label }}</label>
  {% if hint %}<div id="{{ entry.id }}-hint" class="govuk-hint">{{ hint }}</div>{% endif %}
  {% for error_id, error in entry.error_ids %}<p id="{{ error_id }}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {{ error }}</p>{% endfor %}
  <input class="govuk-input govuk-input--width-5{% if entry.errors %} govuk-input--error{% endif %}" id="{{ entry.id }}" name="{{ entry.name }}" type="text" inputmode="{{ entry.inputmode }}" spellcheck="false" autocomplete="off" value="{{ entry.value }}"{% if hint or entry.errors %} aria-describedby="{% if hint %}{{ entry.id }}-hint{% endif %}{% for error_id, error in entry.error_ids %} {{ error_id }}{% endfor %}"{% endif %}>
</div>"""  # noqa: E501
TEXT_FIELD = """<div class="govuk-form-group{% if entry.errors %} govuk-form-group--error{% endif %}">
  <label class="govuk-label govuk-label--s" for="{{ entry.id }}">{{ entry.label }}</label>
  {% if entry.help_text %}<div id="{{ entry.id }}-hint" class="govuk-hint">{{ entry.help_text }}</div>{% endif %}
  {% for error_id, error in entry.error_ids %}<p id="{{ error_id }}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {{ error }}</p>{% endfor %}
  <textarea class="govuk-textarea{% if entry.errors %} govuk-textarea--error{% endif %}" id="{{ entry.id }}" name="{{ entry.name }}" rows="{{ rows|default:5 }}"{% if entry.help_text or entry.errors %} aria-describedby="{% if entry.help_text %}{{ entry.id }}-hint{% endif %}{% for error_id, error in entry.error_ids %} {{ error_id }}{% endfor %}"{% endif %}>{{ entry.value }}</textarea>
</div>"""  # noqa: E501
BREAKDOWN_ROW = """            <tr class="govuk-table__row">
              <th scope="row" class="govuk-table__header govuk-!-font-weight-regular"><label class="govuk-label" for="{{ entry.id }}">{{ entry.label }}</label></th>
              <td class="govuk-table__cell">
                <div class="govuk-form-group govuk-!-margin-bottom-0{% if entry.errors %} govuk-form-group--error{% endif %}">
                  {% for error_id, error in entry.error_ids %}<p id="{{ error_id }}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {{ error }}</p>{% endfor %}
                  <input class="govuk-input govuk-input--width-5{% if entry.errors %} govuk-input--error{% endif %}" id="{{ entry.id }}" name="{{ entry.name }}" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value="{{ entry.value }}"{% if entry.errors %} aria-describedby="{% for error_id, error in entry.error_ids %}{{ error_id }} {% endfor %}"{% endif %}>
                </div>
              </td>
            </tr>"""  # noqa: E501


def entries():
    """Entries as `ReturnForm.entry` gives them, one for each combination of errors, values and help text."""
    errors = [[], ["Enter a whole number"], ["Enter a number <= 10", "It must add up to the total & more"]]
    values = ["", "12", Decimal("12.50"), 0, "1<2 & 3"]
    help_texts = ["", "How many people started support in the quarter."]
    for n, (errs, value, help_text) in enumerate(itertools.product(errors, values, help_texts)):
        field_id = f"id_ind_{n}"
        yield {
            "id": field_id,
            "name": f"ind_{n}",
            "label": "Referrals <received> & accepted" if n % 2 else "Referrals received",
            "help_text": help_text,
            "value": value,
            "inputmode": "decimal" if n % 3 == 0 else "numeric",
            "errors": errs,
            "error_ids": [
                (f"{field_id}-error-{i}" if i > 1 else f"{field_id}-error", e) for i, e in enumerate(errs, 1)
            ],
        }


def normalised(html: str) -> str:
    """Whitespace next to tags taken out, other runs made one space: the templates' indentation is not compared."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def test_number_fields_are_written_as_the_template_wrote_them():
    template = Template(NUMBER_FIELD)
    cases = itertools.product(entries(), ["", "Count each person once."], ["", "govuk-label--s"])
    for entry, hint, label_class in cases:
        expected = template.render(Context({"entry": entry, "hint": hint, "label_class": label_class}))
        assert normalised(return_number_field(entry, hint, label_class)) == normalised(expected), (entry, hint)


def test_text_fields_are_written_as_the_template_wrote_them():
    template = Template(TEXT_FIELD)
    for entry, rows in itertools.product(entries(), [4, 6, None]):
        expected = template.render(Context({"entry": entry, "rows": rows}))
        assert normalised(return_text_field(entry, rows)) == normalised(expected), (entry, rows)


def test_breakdown_rows_are_written_as_the_template_wrote_them():
    template = Template(BREAKDOWN_ROW)
    for entry in entries():
        expected = template.render(Context({"entry": entry}))
        assert normalised(breakdown_row(entry)) == normalised(expected), entry


def test_what_a_provider_typed_and_the_messages_are_escaped():
    entry = next(e for e in entries() if e["value"] == "1<2 & 3" and len(e["errors"]) == 2 and e["help_text"])
    for written in (return_number_field(entry, "Hint <b>"), return_text_field(entry, 4), breakdown_row(entry)):
        assert "1&lt;2 &amp; 3" in written
        assert "It must add up to the total &amp; more" in written
        assert "<b>" not in written and "1<2" not in written
    # A textarea's content is its value, so nothing may stand between the tags and what was typed.
    assert re.search(r'rows="4"[^>]*>1&lt;2 &amp; 3</textarea></div>$', return_text_field(entry, 4))
    described = re.search(r'aria-describedby="([^"]*)"', return_number_field(entry, "A hint"))
    assert described.group(1).split() == [f"{entry['id']}-hint", f"{entry['id']}-error", f"{entry['id']}-error-2"]
