"""Checking the figures of a return. One set of rules for the web form and the uploaded spreadsheet.

Input is a flat mapping of strings keyed by the names below (what the web form posts and what the
spreadsheet reader builds), so both get the same messages:

- `v<pk>`: the value of indicator <pk> (a count, a percentage, days or pounds);
- `v<pk>_num`, `v<pk>_den`: the numerator and denominator of a percentage entered as counts;
- `b<pk>_<breakdown>_<category>`: one category of a breakdown.

A breakdown's own error (it does not add up) is keyed `b<pk>_<breakdown>`.

Drafts get the per-figure checks (whole numbers, 0 or more, 0 to 100, numerator not over denominator);
submitting and uploading also need every figure and every breakdown, and each breakdown must add up to
its total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from commissioning import numbers

from .models import BREAKDOWNS, NOT_KNOWN, ContractIndicator, Unit, lower_first

MAX_COUNT = 10_000_000
MAX_AMOUNT = Decimal("10000000000")
HUNDRED = Decimal("100")


@dataclass
class Figure:
    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    breakdowns: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.numerator is None and self.denominator is None and not self.breakdowns


@dataclass(frozen=True)
class FigureError:
    key: str
    message: str


def value_key(indicator: ContractIndicator) -> str:
    return f"v{indicator.pk}"


def numerator_key(indicator: ContractIndicator) -> str:
    return f"v{indicator.pk}_num"


def denominator_key(indicator: ContractIndicator) -> str:
    return f"v{indicator.pk}_den"


def breakdown_key(indicator: ContractIndicator, breakdown: str) -> str:
    return f"b{indicator.pk}_{breakdown}"


def category_key(indicator: ContractIndicator, breakdown: str, category: str) -> str:
    return f"b{indicator.pk}_{breakdown}_{category}"


def categories(breakdown: str, areas: Iterable) -> list[tuple[str, str]]:
    """The categories of a breakdown. For areas: the contract's areas (by code), then "Not known"."""
    if breakdown == "area":
        return [(area.code, area.name) for area in areas] + [NOT_KNOWN]
    return list(BREAKDOWNS[breakdown].categories)


def percentage(numerator: int | None, denominator: int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _plain(raw) -> str:
    """Text as typed, without a pound sign or a percent sign, to tell a blank from a figure."""
    if raw is None:
        return ""
    text = str(raw).strip()
    text = text[1:].strip() if text.startswith("£") else text
    return text[:-1].strip() if text.endswith("%") else text


def _number(raw) -> Decimal | None:
    """A figure written with the digits 0 to 9 (commas or spaces between thousands, a pound or percent
    sign allowed), or a number the spreadsheet holds as one; ValueError for anything else."""
    return numbers.parse_number(raw, pounds=True, percent=True)


class _Checker:
    def __init__(self, errors: list[FigureError]):
        self.errors = errors

    def add(self, key: str, message: str) -> None:
        self.errors.append(FigureError(key, message))

    def number(self, key: str, raw, label: str) -> Decimal | None:
        """The figure typed, or None when blank or not a number (then an error says so). `label` starts
        the message."""
        try:
            return _number(raw)
        except ValueError:
            self.add(key, f"{label} must be a number")
            return None

    def whole(self, key: str, raw, label: str) -> int | None:
        """A whole number, 0 or more, or None when blank. `label` starts the message."""
        number = self.number(key, raw, label)
        if number is None:
            return None
        if number != number.to_integral_value():
            self.add(key, f"{label} must be a whole number")
            return None
        if number < 0:
            self.add(key, f"{label} must be 0 or more")
            return None
        if number >= MAX_COUNT:
            self.add(key, f"{label} must be less than {MAX_COUNT:,}")
            return None
        return int(number)


def check_figures(
    indicators: Iterable[ContractIndicator],
    raw: Mapping[str, object],
    *,
    areas: Iterable = (),
    complete: bool,
) -> tuple[dict[int, Figure], list[FigureError]]:
    """Parse and check every indicator's figures. Returns the figures by indicator pk, and the errors."""
    areas = list(areas)
    errors: list[FigureError] = []
    check = _Checker(errors)
    figures: dict[int, Figure] = {}
    for indicator in indicators:
        figure = Figure()
        name = indicator.name
        key = value_key(indicator)
        if indicator.is_fraction:
            num_label, den_label = indicator.numerator_label, indicator.denominator_label
            figure.numerator = check.whole(numerator_key(indicator), raw.get(numerator_key(indicator)), num_label)
            figure.denominator = check.whole(denominator_key(indicator), raw.get(denominator_key(indicator)), den_label)
            num_ok = not any(e.key == numerator_key(indicator) for e in errors)
            den_ok = not any(e.key == denominator_key(indicator) for e in errors)
            if figure.numerator is not None and figure.denominator is not None:
                if figure.numerator > figure.denominator:
                    check.add(
                        numerator_key(indicator),
                        f"{num_label} ({figure.numerator:,}) cannot be more than "
                        f"{lower_first(den_label)} ({figure.denominator:,})",
                    )
                    figure.numerator = None
                else:
                    figure.value = percentage(figure.numerator, figure.denominator)
            if complete:
                if figure.numerator is None and num_ok and raw_blank(raw, numerator_key(indicator)):
                    check.add(numerator_key(indicator), f"Enter the number of {lower_first(num_label)}")
                if figure.denominator is None and den_ok and raw_blank(raw, denominator_key(indicator)):
                    check.add(denominator_key(indicator), f"Enter the number of {lower_first(den_label)}")
        elif indicator.unit == Unit.COUNT:
            figure.value = _as_decimal(check.whole(key, raw.get(key), name))
        else:
            figure.value = _decimal_figure(check, indicator, key, raw.get(key))
        if complete and not indicator.is_fraction and figure.value is None and raw_blank(raw, key):
            check.add(key, f"Enter a figure for {lower_first(name)}")
        _check_breakdowns(check, indicator, figure, raw, areas=areas, complete=complete)
        figures[indicator.pk] = figure
    return figures, errors


def raw_blank(raw: Mapping[str, object], key: str) -> bool:
    return _plain(raw.get(key)) == ""


def _as_decimal(number: int | None) -> Decimal | None:
    return None if number is None else Decimal(number)


def _decimal_figure(check: _Checker, indicator: ContractIndicator, key: str, raw) -> Decimal | None:
    name = indicator.name
    number = check.number(key, raw, name)
    if number is None:
        return None
    if number < 0:
        check.add(key, f"{name} must be 0 or more")
        return None
    if indicator.unit == Unit.PERCENTAGE and number > HUNDRED:
        check.add(key, f"{name} must be between 0 and 100")
        return None
    if number >= MAX_AMOUNT:
        check.add(key, f"{name} must be less than {MAX_AMOUNT:,}")
        return None
    if number != number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        check.add(key, f"{name} must have no more than 2 decimal places")
        return None
    return number.quantize(Decimal("0.01"))


def _check_breakdowns(
    check: _Checker,
    indicator: ContractIndicator,
    figure: Figure,
    raw: Mapping[str, object],
    *,
    areas: list,
    complete: bool,
) -> None:
    total = figure.value
    for breakdown in indicator.breakdown_list:
        counts: dict[str, int] = {}
        entered = False
        broken = False
        for code, label in categories(breakdown.key, areas):
            key = category_key(indicator, breakdown.key, code)
            if not raw_blank(raw, key):
                entered = True
            number = check.whole(key, raw.get(key), f"{label} in the {lower_first(breakdown.label)} breakdown")
            if number is None and not raw_blank(raw, key):
                broken = True
            if number is not None:
                counts[code] = number
        if entered and not broken:
            # A blank category in a breakdown that has figures counts as none.
            figure.breakdowns[breakdown.key] = {
                code: counts.get(code, 0) for code, _label in categories(breakdown.key, areas)
            }
        if not complete or broken or total is None:
            continue
        group = breakdown_key(indicator, breakdown.key)
        noun = indicator.counted_noun
        if not entered:
            check.add(group, f"Enter the {lower_first(breakdown.label)} breakdown of the {int(total):,} {noun}")
            continue
        added = sum(counts.values())
        difference = added - int(total)
        if difference:
            side = "fewer" if difference < 0 else "more"
            check.add(
                group,
                f"{breakdown.label} adds up to {added:,}, {abs(difference):,} {side} than the {int(total):,} {noun}",
            )
