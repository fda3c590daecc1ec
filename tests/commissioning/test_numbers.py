"""Numbers are written with the digits 0 to 9 (finding 4: `٣` was accepted as a figure in returns), with
commas or spaces between thousands where a field allows them, in forms and in uploaded files alike."""

from __future__ import annotations

import importlib
import io
import pkgutil
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from commissioning import numbers
from commissioning.dates import Quarter
from contracts.forms import MoneyField
from monitoring.models import QuarterlyReturn
from tests.factories.files import ARABIC_THREE
from tests.factories.monitoring import make_monitored_contract, valid_raw

pytestmark = pytest.mark.django_db
APPS = ("commissioning", "suppliers", "frameworks", "contracts", "monitoring")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("224", Decimal("224")),
        ("1,234", Decimal("1234")),
        ("1 234 567", Decimal("1234567")),
        ("1\u00a0234", Decimal("1234")),
        ("-12.50", Decimal("-12.50")),
        ("", None),
        ("  ", None),
        (224, Decimal("224")),
        (8.5, Decimal("8.5")),
    ],
)
def test_numbers_in_ascii_digits_are_read(text, number):
    assert numbers.parse_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        ARABIC_THREE,
        "1" + ARABIC_THREE,
        "²",
        "３",
        "3_000",
        "1e3",
        "NaN",
        "Infinity",
        "12,34",
        "1,234 567",
        "+5",
        "0x1F",
    ],
)
def test_anything_else_is_not_a_number(text):
    with pytest.raises(numbers.NotANumber):
        numbers.parse_number(text)
    with pytest.raises(numbers.NotANumber):
        numbers.parse_number(float("nan"))


def test_pounds_and_percentages_where_the_field_says_so():
    assert numbers.parse_number("£296,973.00", pounds=True) == Decimal("296973.00")
    assert numbers.parse_number("88%", percent=True) == Decimal("88")
    with pytest.raises(numbers.NotANumber):
        numbers.parse_number("£296,973.00")
    with pytest.raises(numbers.NotANumber):
        numbers.parse_number("1,000", thousands=False)


@pytest.mark.parametrize(
    "field", [numbers.IntegerField(), numbers.DecimalField(max_digits=12, decimal_places=2), MoneyField()]
)
def test_number_fields_refuse_unicode_digits_and_take_thousands(field):
    with pytest.raises(forms.ValidationError):
        field.clean(ARABIC_THREE)
    assert field.clean("1,000") == 1000


def _form_classes():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in module.name.split(".") for part in ("migrations", "settings", "management")):
                continue
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return [cls for cls in subclasses(forms.BaseForm) if cls.__module__.split(".")[0] in APPS]


def test_every_number_field_of_every_form_reads_ascii_digits_only():
    """Forms declared with their fields, ModelForms with the fields their models give them; forms that add
    fields as they are built use the project's fields (checked in the source below)."""
    number_fields = (forms.IntegerField, forms.DecimalField, forms.FloatField)
    found = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, number_fields) and not isinstance(field, numbers.AsciiDigitsMixin):
                found.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert found == []
    root = Path(__file__).resolve().parents[2]
    sources = [path for app in APPS for path in (root / app).rglob("*.py") if "migrations" not in path.parts]
    plain = [
        str(path.relative_to(root))
        for path in sources
        if any(f"forms.{kind}(" in path.read_text() for kind in ("IntegerField", "DecimalField", "FloatField"))
    ]
    assert plain == []


def test_the_admin_forms_read_ascii_digits_only(rf):
    from django.contrib import admin

    from commissioning.models import ReminderRule
    from contracts.models import Contract
    from tests.factories import make_user

    request = rf.get("/admin/")
    request.user = make_user("officer")
    for model, name in ((ReminderRule, "escalate_after_days"), (Contract, "annual_value")):
        form = admin.site._registry[model].get_form(request)
        if name in form.base_fields:
            field = form.base_fields[name]
            assert isinstance(field, numbers.AsciiDigitsMixin), f"{model.__name__}.{name}"
            with pytest.raises(forms.ValidationError):
                field.clean(ARABIC_THREE)


def test_a_return_with_unicode_digits_is_refused_and_nothing_is_saved(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    referrals = next(i for i in m.indicators if i.code == "REF")
    data = valid_raw(m) | {f"v{referrals.pk}": ARABIC_THREE}
    response = client.post(reverse("monitoring:edit_return", args=[m.contract.pk, 2025, 1]), data)
    assert response.status_code == 200
    assert "must be a number" in response.content.decode()
    assert not QuarterlyReturn.objects.exists()


def test_a_return_spreadsheet_with_unicode_digits_is_refused(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    args = [m.contract.pk, Quarter(2025, 1).financial_year, 1]
    book = load_workbook(io.BytesIO(client.get(reverse("monitoring:download_spreadsheet", args=args)).content))
    figures = book["Figures"]
    row = next(r[0].row for r in figures.iter_rows(min_row=2) if r[0].value == "REF")
    figures.cell(row, 6).value = "22" + ARABIC_THREE
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        reverse("monitoring:upload_spreadsheet", args=args),
        {"spreadsheet": SimpleUploadedFile("return.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 200
    assert f"Figures sheet, row {row}, column F" in response.content.decode()
    assert not QuarterlyReturn.objects.exists()
