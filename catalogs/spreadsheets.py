"""Write text into spreadsheets so that it can never run as a formula (CSV/formula injection).

Editors type free text, and a text that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) is a live formula once Excel or WPS opens the file: a
``=HYPERLINK(...)`` in a city roll-up would travel to the province as a link that runs.
Every xlsx and csv the portal writes goes through these helpers:

- **xlsx**: the text is kept exactly, and the cell is stored as a string (``data_type "s"``);
  openpyxl would otherwise store anything starting with ``=`` as a formula.
- **csv**: a csv has no types, so, as OWASP recommends, such a text is prefixed with a single
  quote (``'=HYPERLINK(...)``), which spreadsheet programs show as text. ``csv_value_read``
  removes that quote again when a file we wrote is imported back.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value) -> str:
    """One csv field: ``None`` is empty, a text that could run as a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return str(value)  # numbers (also negative ones) are data, never formulas
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_row(values: Iterable) -> list[str]:
    return [csv_safe(value) for value in values]


def csv_value_read(text):
    """Undo ``csv_safe`` on import: ``'=…`` (a quote before a formula trigger) is ``=…``."""
    if isinstance(text, str) and len(text) > 1 and text[0] == "'" and looks_like_formula(text[1:]):
        return text[1:]
    return text


def xlsx_value(value):
    """A value openpyxl can store: text without the control characters XML cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def set_text_cell(cell, value):
    """Put ``value`` into an openpyxl cell; text is stored as text, never as a formula."""
    cell.value = xlsx_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def keep_text_as_text(worksheet) -> None:
    """Turn every formula-looking text of a filled worksheet back into plain text.

    For sheets filled with ``append`` or ``cell(value=…)``: openpyxl marks a text starting
    with ``=`` as a formula (``data_type "f"``); the portal never writes formulas.
    """
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type != "s":
                cell.data_type = "s"


def workbook_text_only(workbook) -> None:
    for worksheet in workbook.worksheets:
        keep_text_as_text(worksheet)
