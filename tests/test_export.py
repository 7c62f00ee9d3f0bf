"""Spreadsheets keep what people typed as text: a description is never run as a formula."""

import io

from openpyxl import load_workbook

from bot.services.export import workbook


def test_text_that_looks_like_a_formula_stays_text():
    data = workbook([("Reports", ["What happened"], [['=HYPERLINK("http://x","click")'], ["ok"]])])
    cell = load_workbook(io.BytesIO(data))["Reports"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
