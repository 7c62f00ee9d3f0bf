"""Spreadsheets to take into the management review. The caller passes translated headings."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


def workbook(sheets: list[tuple[str, list[str], list[list[object]]]]) -> bytes:
    """An XLSX with one sheet per ``(title, headings, rows)``: bold headings, wrapped text."""
    book = Workbook()
    book.remove(book.active)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(headings)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # typed text stays text, never a formula
        for column in sheet.columns:
            longest = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, longest + 2), 60)
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
