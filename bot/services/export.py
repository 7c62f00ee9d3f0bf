"""Spreadsheets to take into the management review. The caller passes translated headings.

Cells are what Excel expects: moments and dates are real date cells (naive, already in the
zone the heading names, since Excel has no time zones), text never becomes a formula, control
characters Excel refuses are removed, and a text longer than a cell holds (32,767 characters)
goes on in "continued" columns at the end of its row instead of being cut.
"""

import io
import re
from datetime import date, datetime

CELL_LIMIT = 32_767
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"


# openpyxl's list, written out here: importing openpyxl (and Pillow with it) costs memory
# and start-up time, and most updates never export anything.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # refused by XML, unlike openpyxl's list


def cell_text(value: str) -> str:
    return NOT_XML.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))


def _split(row: list[object]) -> tuple[list[object], list[str]]:
    """The row with each text within a cell's limit, and what did not fit, in order."""
    fitted, overflow = [], []
    for value in row:
        if isinstance(value, str):
            value = cell_text(value)
            if len(value) > CELL_LIMIT:
                overflow += [
                    value[i : i + CELL_LIMIT] for i in range(CELL_LIMIT, len(value), CELL_LIMIT)
                ]
                value = value[:CELL_LIMIT]
        fitted.append(value)
    return fitted, overflow


def workbook(
    sheets: list[tuple[str, list[str], list[list[object]]]], continued: str = "…"
) -> bytes:
    """An XLSX with one sheet per ``(title, headings, rows)``: bold headings, wrapped text.
    ``continued`` heads the extra columns of texts too long for one cell."""
    from openpyxl import Workbook  # on first use (see ILLEGAL_CHARACTERS_RE)
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(cell_text(title)[:31])
        split = [_split(row) for row in rows]
        extra = max((len(overflow) for _row, overflow in split), default=0)
        sheet.append([cell_text(h) for h in headings] + [continued] * extra)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for fitted, overflow in split:
            sheet.append(fitted + overflow)
            for cell in sheet[sheet.max_row]:
                _format(cell)
        for column in sheet.columns:
            longest = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, longest + 2), 60)
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _format(cell) -> None:
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"  # typed text stays text, never a formula
    elif isinstance(cell.value, datetime):
        cell.number_format = MOMENT_FORMAT
    elif isinstance(cell.value, date):
        cell.number_format = DATE_FORMAT
