"""Spreadsheets: the pre-filled return a provider downloads, fills in and uploads, and the half-year
aggregate export for grant returns.

The return workbook has four sheets: About (which contract and quarter it is for, and the warning about
victims' identities), Figures (one row per indicator), Breakdowns (one row per category) and Narrative.
The reader maps every cell it reads to the field names the checks use (see `figures`), so each problem
is reported with its sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from commissioning.dates import Quarter, long_date
from commissioning.exports import safe_workbook_bytes
from commissioning.uploads import echo
from contracts.models import Contract

from . import figures as checks
from .models import ContractIndicator, Question, Unit

ABOUT, FIGURES, BREAKDOWNS, NARRATIVE = "About", "Figures", "Breakdowns", "Narrative"
FIGURE_HEADINGS = ["Code", "Indicator", "RBA question", "Unit", "Target", "Figure", "Numerator", "Denominator", "Notes"]
FIGURE_COL = {"code": 1, "value": 6, "num": 7, "den": 8}
BREAKDOWN_HEADINGS = ["Code", "Indicator", "Breakdown", "Category", "Count"]
NARRATIVE_ROWS = [
    ("achievements", "Achievements"),
    ("challenges", "Challenges"),
    ("risks", "Risks"),
    ("emerging_themes", "Emerging themes"),
    ("case_study", "Case study"),
]
WARNING = (
    "Never enter anything that could identify a victim: no names, initials, dates of birth, addresses, "
    "case or crime reference numbers, or details of a case that someone could recognise. Figures are totals only."
)
HEADING = Font(bold=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF7BF")
LOCKED_FILL = PatternFill("solid", fgColor="F3F2F1")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MAX_PROBLEMS = 50
UNREADABLE = "The file could not be read as a spreadsheet. Download the return again and use that"


class SpreadsheetErrors(ValidationError):
    """Everything wrong with an uploaded spreadsheet, each message naming its sheet, row and column: the
    first MAX_PROBLEMS of them, so that a sheet of thousands of wrong rows gets a page, not a book."""

    def __init__(self, messages: list[str]):
        shown = messages[:MAX_PROBLEMS]
        if len(messages) > MAX_PROBLEMS:
            shown.append(f"and {len(messages) - MAX_PROBLEMS:,} more problems. Download the return again and use that")
        super().__init__(shown)
        self.problems = shown


def _cell_text(value) -> str:
    """A cell's text, cut to the most a cell may hold (the upload gate refuses more before it is read)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)[: settings.SPREADSHEET_MAX_CELL_CHARACTERS].strip()


def _rows(sheet, *, columns: int, first: int = 1, last: int | None = None):
    """A sheet's rows as values, at most SPREADSHEET_MAX_ROWS of them: a sheet can claim a million empty
    rows, and reading them all would keep the server busy for nothing."""
    last = min(last or settings.SPREADSHEET_MAX_ROWS, settings.SPREADSHEET_MAX_ROWS)
    return sheet.iter_rows(min_row=first, max_row=last, max_col=columns, values_only=True)


def _unlock(cell) -> None:
    cell.protection = Protection(locked=False)
    cell.fill = INPUT_FILL


def _widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _heading_row(sheet, headings: list[str]) -> None:
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = HEADING
    sheet.freeze_panes = "A2"


def _target_text(indicator: ContractIndicator) -> str:
    if indicator.target is None:
        return ""
    text = indicator.format_value(indicator.target)
    if indicator.target_due_on:
        return f"{text} in all by {long_date(indicator.target_due_on)}"
    return text


def build_return_workbook(
    *,
    contract: Contract,
    quarter: Quarter,
    indicators: list[ContractIndicator],
    areas: list,
    raw: dict[str, str],
    narrative: dict[str, str],
) -> bytes:
    """The return for one contract and quarter, pre-filled with what is saved so far."""
    book = Workbook()
    about = book.active
    about.title = ABOUT
    rows = [
        ("Quarterly performance return", ""),
        ("", ""),
        ("Contract reference", contract.reference),
        ("Service", contract.title),
        ("Provider", contract.supplier.legal_name),
        ("Quarter", quarter.label),
        ("Period", f"{long_date(quarter.start)} to {long_date(quarter.end)}"),
        ("Due by", long_date(quarter.return_due)),
        ("", ""),
        ("Warning", WARNING),
        ("", ""),
        (
            "How to fill it in",
            "Enter figures in the yellow cells of the Figures and Breakdowns sheets, and your "
            "narrative on the Narrative sheet. Counts are whole numbers, 0 or more. Percentages are worked out from "
            "the numerator and denominator where the sheet asks for them. Each breakdown must add up to its total. "
            "Then upload the file on the portal: nothing is saved unless everything is correct.",
        ),
    ]
    for row in rows:
        about.append(row)
    about["A1"].font = Font(bold=True, size=14)
    about["A10"].font = Font(bold=True, color="D4351C")
    for row in about.iter_rows(min_row=3, max_row=12, max_col=1):
        row[0].font = HEADING
    for row in about.iter_rows(min_row=10, max_row=12, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _widths(about, [24, 100])

    sheet = book.create_sheet(FIGURES)
    _heading_row(sheet, FIGURE_HEADINGS)
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    whole.error = "Enter a whole number, 0 or more"
    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
    percent.error = "Enter a number from 0 to 100"
    decimal = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    decimal.error = "Enter a number, 0 or more"
    for validation in (whole, percent, decimal):
        sheet.add_data_validation(validation)
    for indicator in indicators:
        notes = indicator.guidance
        if indicator.is_fraction:
            notes = f"Numerator: {indicator.numerator_label}. Denominator: {indicator.denominator_label}. {notes}"
        sheet.append(
            [
                indicator.code,
                indicator.name,
                Question(indicator.question).label,
                Unit(indicator.unit).label,
                _target_text(indicator),
                None,
                None,
                None,
                notes.strip(),
            ]
        )
        row = sheet.max_row
        if indicator.is_fraction:
            for column, key in ((7, checks.numerator_key(indicator)), (8, checks.denominator_key(indicator))):
                cell = sheet.cell(row=row, column=column, value=_as_number(raw.get(key)))
                _unlock(cell)
                whole.add(cell.coordinate)
            sheet.cell(row=row, column=6).fill = LOCKED_FILL
        else:
            cell = sheet.cell(row=row, column=6, value=_as_number(raw.get(checks.value_key(indicator))))
            _unlock(cell)
            (whole if indicator.unit == Unit.COUNT else percent if indicator.unit == Unit.PERCENTAGE else decimal).add(
                cell.coordinate
            )
            for column in (7, 8):
                sheet.cell(row=row, column=column).fill = LOCKED_FILL
        sheet.cell(row=row, column=9).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True
    _widths(sheet, [12, 48, 22, 12, 24, 12, 12, 14, 70])

    sheet = book.create_sheet(BREAKDOWNS)
    _heading_row(sheet, BREAKDOWN_HEADINGS)
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    counts.error = "Enter a whole number, 0 or more"
    sheet.add_data_validation(counts)
    for indicator in indicators:
        for breakdown in indicator.breakdown_list:
            for code, label in checks.categories(breakdown.key, areas):
                key = checks.category_key(indicator, breakdown.key, code)
                sheet.append([indicator.code, indicator.name, breakdown.label, label, _as_number(raw.get(key))])
                cell = sheet.cell(row=sheet.max_row, column=5)
                _unlock(cell)
                counts.add(cell.coordinate)
    sheet.protection.sheet = True
    _widths(sheet, [12, 48, 22, 48, 12])

    sheet = book.create_sheet(NARRATIVE)
    _heading_row(sheet, ["Section", "Your text"])
    for name, label in NARRATIVE_ROWS:
        sheet.append([label, narrative.get(name, "")])
        cell = sheet.cell(row=sheet.max_row, column=2)
        _unlock(cell)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[sheet.max_row].height = 90
    sheet.append([])
    sheet.append(["Warning", WARNING])
    sheet.protection.sheet = True
    _widths(sheet, [20, 110])

    return safe_workbook_bytes(book)


def _as_number(text: str | None):
    if text is None or text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


@dataclass
class SheetReturn:
    raw: dict[str, str] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # field name -> (sheet, first row, last row, column letter)
    cells: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)

    def locate(self, error: checks.FigureError) -> str:
        where = self.cells.get(error.key)
        if where is None:
            return error.message
        sheet, first, last, column = where
        rows = f"row {first}" if first == last else f"rows {first} to {last}"
        return f"{sheet} sheet, {rows}, column {column}: {error.message}"


def read_return(
    upload,
    *,
    contract: Contract,
    quarter: Quarter,
    indicators: Iterable[ContractIndicator],
    areas: list,
) -> SheetReturn:
    """Read a filled-in return. Structural problems (wrong contract or quarter, unknown rows, missing
    sheets) go in `errors`; figures are checked by the caller with `figures.check_figures`."""
    result = SheetReturn()
    upload.seek(0)
    try:
        book = load_workbook(upload, data_only=True, read_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same message
        result.errors.append(UNREADABLE)
        return result
    try:
        _read_sheets(book, contract=contract, quarter=quarter, indicators=indicators, areas=areas, result=result)
    except Exception:  # noqa: BLE001 - a sheet is parsed as it is read: broken XML inside it ends the reading
        return SheetReturn(errors=[UNREADABLE])
    finally:
        book.close()
    return result


def _read_sheets(book, *, contract, quarter, indicators, areas, result: SheetReturn) -> None:
    missing = [name for name in (ABOUT, FIGURES, BREAKDOWNS, NARRATIVE) if name not in book.sheetnames]
    if missing:
        result.errors.append(
            "The spreadsheet is missing the sheet"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + ". Download the return again and use that"
        )
        return
    _read_about(book[ABOUT], contract, quarter, result)
    if result.errors:
        return
    by_code = {indicator.code.upper(): indicator for indicator in indicators}
    _read_figures(book[FIGURES], by_code, result)
    _read_breakdowns(book[BREAKDOWNS], by_code, areas, result)
    _read_narrative(book[NARRATIVE], result)
    for indicator in by_code.values():
        if not any(key in result.cells for key in _value_keys(indicator)):
            result.errors.append(
                f"{FIGURES} sheet: the row for {indicator.code} ({indicator.name}) is missing. "
                "Download the return again and use that"
            )


def _value_keys(indicator: ContractIndicator) -> list[str]:
    if indicator.is_fraction:
        return [checks.numerator_key(indicator), checks.denominator_key(indicator)]
    return [checks.value_key(indicator)]


def _read_about(sheet, contract: Contract, quarter: Quarter, result: SheetReturn) -> None:
    found = {}
    for row in _rows(sheet, columns=2, last=20):
        if row and row[0]:
            found[_cell_text(row[0])] = _cell_text(row[1] if len(row) > 1 else None)
    reference, label = found.get("Contract reference", ""), found.get("Quarter", "")
    if reference != contract.reference or label != quarter.label:
        result.errors.append(
            f"{ABOUT} sheet, rows 3 and 6, column B: this spreadsheet is for "
            f"{echo(reference) or 'an unknown contract'} {echo(label) or 'and quarter'}, "
            f"not {contract.reference} {quarter.label}. "
            "Download the return for this contract and quarter"
        )


def _read_figures(sheet, by_code: dict[str, ContractIndicator], result: SheetReturn) -> None:
    seen = set()
    for index, row in enumerate(_rows(sheet, columns=8, first=2), start=2):
        code = _cell_text(row[0] if row else None).upper()
        values = [_cell_text(v) for v in (row or ())]
        if not code:
            if any(values[5:8] if len(values) >= 8 else []):
                result.errors.append(f"{FIGURES} sheet, row {index}, column A: enter the indicator's code")
            continue
        indicator = by_code.get(code)
        if indicator is None:
            result.errors.append(
                f"{FIGURES} sheet, row {index}, column A: ‘{echo(code)}’ is not an indicator of this return"
            )
            continue
        if code in seen:
            result.errors.append(f"{FIGURES} sheet, row {index}, column A: {echo(code)} appears more than once")
            continue
        seen.add(code)
        padded = list(row) + [None] * (8 - len(row))
        if indicator.is_fraction:
            for column, key in ((7, checks.numerator_key(indicator)), (8, checks.denominator_key(indicator))):
                result.raw[key] = _cell_text(padded[column - 1])
                result.cells[key] = (FIGURES, index, index, get_column_letter(column))
        else:
            key = checks.value_key(indicator)
            result.raw[key] = _cell_text(padded[5])
            result.cells[key] = (FIGURES, index, index, "F")


def _read_breakdowns(sheet, by_code: dict[str, ContractIndicator], areas: list, result: SheetReturn) -> None:
    lookup: dict[tuple[str, str, str], tuple[ContractIndicator, str, str]] = {}
    for indicator in by_code.values():
        for breakdown in indicator.breakdown_list:
            for code, label in checks.categories(breakdown.key, areas):
                lookup[(indicator.code.upper(), breakdown.label.lower(), label.lower())] = (
                    indicator,
                    breakdown.key,
                    code,
                )
    for index, row in enumerate(_rows(sheet, columns=5, first=2), start=2):
        padded = [_cell_text(v) for v in list(row or ()) + [None] * (5 - len(row or ()))]
        code, _name, breakdown_label, category_label, count = padded
        if not (code or breakdown_label or category_label or count):
            continue
        match = lookup.get((code.upper(), breakdown_label.lower(), category_label.lower()))
        if match is None:
            result.errors.append(
                f"{BREAKDOWNS} sheet, row {index}, columns A to D: "
                f"‘{echo(f'{code} {breakdown_label}: {category_label}')}’ is not a breakdown of this return"
            )
            continue
        indicator, breakdown_key, category = match
        key = checks.category_key(indicator, breakdown_key, category)
        result.raw[key] = count
        result.cells[key] = (BREAKDOWNS, index, index, "E")
        group = checks.breakdown_key(indicator, breakdown_key)
        sheet_name, first, last, column = result.cells.get(group, (BREAKDOWNS, index, index, "E"))
        result.cells[group] = (sheet_name, min(first, index), max(last, index), column)


def _read_narrative(sheet, result: SheetReturn) -> None:
    names = {label.lower(): name for name, label in NARRATIVE_ROWS}
    for index, row in enumerate(_rows(sheet, columns=2, first=2), start=2):
        label = _cell_text(row[0] if row else None).lower()
        if label in names:
            result.narrative[names[label]] = _cell_text(row[1] if len(row) > 1 else None)
            result.cells[names[label]] = (NARRATIVE, index, index, "B")


# The half-year export ------------------------------------------------------------------------------------


def build_half_year_workbook(*, title: str, sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per area (or all areas): [(sheet name, headings, rows)]."""
    book = Workbook()
    book.remove(book.active)
    for name, headings, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([])
        sheet.append(headings)
        for cell in sheet[3]:
            cell.font = HEADING
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "C4"
        _widths(sheet, [12, 50] + [14] * (len(headings) - 2))
    return safe_workbook_bytes(book)


def _cell(value):
    """A number as a spreadsheet number (whole numbers as integers), or text as it is."""
    if value is None:
        return None
    try:
        return float(value) if value != int(value) else int(value)
    except (TypeError, ValueError):
        return value


def half_year_sheet(name: str, result) -> tuple[str, list[str], list[list]]:
    """One sheet of the half-year export from a `selectors.Aggregate`: a row per indicator (with the
    numerator and denominator under each percentage worked out from counts), then the returns included."""
    from .selectors import PERIOD_COLUMNS

    headings = ["Code", "Indicator", "Unit"] + [label for _key, label, _q in PERIOD_COLUMNS]
    rows: list[list] = []
    for row in result.rows:
        indicator = row.indicator
        values = [row.cells[key].value for key, _label, _q in PERIOD_COLUMNS]
        unit = indicator.get_unit_display()
        if not indicator.is_fraction and indicator.unit not in {Unit.COUNT, Unit.MONEY}:
            unit += " (range across providers; not combined)"
            values = [row.text(key) for key, _label, _q in PERIOD_COLUMNS]
        rows.append([indicator.code, indicator.name, unit, *[_cell(v) for v in values]])
        if indicator.is_fraction:
            rows.append(
                ["", f"   numerator: {indicator.numerator_label}", "count"]
                + [row.cells[key].numerator for key, _label, _q in PERIOD_COLUMNS]
            )
            rows.append(
                ["", f"   denominator: {indicator.denominator_label}", "count"]
                + [row.cells[key].denominator for key, _label, _q in PERIOD_COLUMNS]
            )
    rows.append([])
    rows.append(
        ["", "Accepted returns included (of those due)", ""]
        + [
            f"{result.accepted.get(quarters[0], 0)} of {result.due.get(quarters[0], 0)}" if len(quarters) == 1 else ""
            for _key, _label, quarters in PERIOD_COLUMNS
        ]
    )
    if result.unattributed:
        rows.append(
            [
                "",
                f"Figures from contracts covering several areas without an area breakdown, left out: "
                f"{result.unattributed}",
                "",
            ]
        )
    return name, headings, rows
