"""The management review minutes as a DOCX (python-docx): headings and tables for every input
of ISO 9001 9.3.2 a)–f) and the outputs 9.3.3 a)–c), charts embedded, Chinese text set in an
East Asian font. The caller passes the words already translated (``labels``); this module
only lays them out, so it can run in a worker thread."""

import io

from bot.services import charts
from bot.services.export import cell_text

CJK_FONT = "Microsoft YaHei"  # Word's usual Chinese font; others fall back to their own


def docx(body: dict, labels: dict, lang: str) -> bytes:
    from docx import Document  # on first use: most updates never write a document
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    # Chinese text (all of it in Chinese minutes, names and areas in English ones) in a
    # Chinese font: the headings' theme font would win, so it goes.
    for name in ("Normal", "Heading 1", "Heading 2", "Title"):
        fonts = document.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), CJK_FONT)

    def say(text) -> str:
        return cell_text(str(text if text is not None else ""))

    def table(headings: list[str], rows: list[list]) -> None:
        grid = document.add_table(rows=1, cols=len(headings))
        grid.style = "Table Grid"
        for cell, heading in zip(grid.rows[0].cells, headings, strict=True):
            cell.text = say(heading)
        for row in rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = say(value)

    def picture(png: bytes) -> None:
        document.add_picture(io.BytesIO(png), width=Inches(6))

    document.add_heading(say(labels["title"]), level=0)
    document.add_paragraph(say(labels["meta"]))
    for heading, content in labels["sections"]:
        document.add_heading(say(heading), level=1)
        if isinstance(content, str):
            document.add_paragraph(say(content))
        else:
            for part in content:
                kind = part[0]
                if kind == "text":
                    document.add_paragraph(say(part[1]))
                elif kind == "table":
                    table(part[1], part[2])
                elif kind == "bars" and part[2]:
                    picture(
                        charts.bar_chart(part[1], [p[0] for p in part[2]], [p[1] for p in part[2]])
                    )
                elif kind == "trend" and part[2]:
                    picture(
                        charts.trend_chart(
                            part[1],
                            [p for p, _v in part[2]],
                            [v for _p, v in part[2]],
                            part[3],
                            part[4],
                        )
                    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
