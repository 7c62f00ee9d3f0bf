"""QR codes as PNG, for invite links printed and hung on the shop floor.

``invite_sheet`` is the page a manager prints: the QR code, and under it what someone needs who
reads the sheet instead of scanning it (organization, role, team, expiry, the code in groups and
how to use it), drawn with Noto Sans CJK (a dependency of the project) so Chinese is never tofu.
Pillow comes with matplotlib; it and the 19 MB font are loaded on first use only.
"""

import io
from functools import cache

A4 = (1240, 1754)  # pixels at 150 dpi
MARGIN = 90
GAP = 18
# Sizes in pixels; the code is set in the monospaced face so 0 and Q, 1 and 7 stay apart.
STYLES = {
    "heading": ("Noto Sans CJK SC", 64),
    "detail": ("Noto Sans CJK SC", 42),
    "code": ("Noto Sans Mono CJK SC", 96),
    "note": ("Noto Sans CJK SC", 34),
}


def qr_png(text: str, scale: int = 12) -> bytes:
    """A PNG of ``text`` as a QR code, large enough to print on A4 and scan from a metre away."""
    import segno  # on first use: most updates never print a QR code

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@cache
def _font(family: str, size: int):
    """A face of the Noto Sans CJK collection, found by name (its index is not a promise)."""
    import noto_cjk_sans_otc
    from PIL import ImageFont

    path = str(noto_cjk_sans_otc.FONT_PATH)
    index = 0
    while True:
        font = ImageFont.truetype(path, size, index=index)  # OSError past the last face
        if font.getname()[0] == family:
            return font
        index += 1


def _wrapped(text: str, font, width: int) -> list[str]:
    """``text`` in lines no wider than ``width``: between words where there are spaces,
    between any two characters in Chinese."""
    lines, line = [], ""
    for char in text:
        if font.getlength(line + char) <= width or not line:
            line += char
            continue
        cut = line.rfind(" ")
        if char != " " and cut > 0:  # carry the unfinished word to the next line
            lines.append(line[:cut])
            line = line[cut + 1 :] + char
        else:
            lines.append(line)
            line = char.strip()
    return [*lines, line] if line else lines


def invite_sheet(
    link: str, heading: str, details: list[str], code: str, note: str
) -> tuple[bytes, list[str]]:
    """An A4 page (PNG): the QR code of ``link`` and, under it, ``heading`` (the organization),
    ``details`` (role, team, expiry), the ``code`` large and a one-line ``note`` on how to use it.

    Returns the PNG and the lines drawn on it, top to bottom; the PNG carries them as its
    Description too, for screen readers and for tests.
    """
    from PIL import Image, ImageDraw
    from PIL.PngImagePlugin import PngInfo

    width = A4[0] - 2 * MARGIN
    blocks = [("heading", heading), *(("detail", d) for d in details), ("code", code)]
    fonts = {style: _font(*STYLES[style]) for style in STYLES}
    family, size = STYLES["note"]
    while fonts["note"].getlength(note) > width and size > 24:  # the note stays one line
        size -= 2
        fonts["note"] = _font(family, size)
    lines = [
        (style, part)
        for style, text in [*blocks, ("note", note)]
        for part in _wrapped(text, fonts[style], width)
    ]
    heights = [fonts[style].size + GAP for style, _part in lines]
    text_height = sum(heights) + 2 * GAP  # a little more air around the code

    import segno

    symbol = segno.make(link, error="m")
    room = A4[1] - 2 * MARGIN - text_height - 40
    scale = max(4, min(24, room // symbol.symbol_size(scale=1, border=4)[0]))
    qr_buffer = io.BytesIO()
    symbol.save(qr_buffer, kind="png", scale=scale, border=4)
    qr_image = Image.open(qr_buffer).convert("L")

    page = Image.new("L", A4, 255)
    page.paste(qr_image, ((A4[0] - qr_image.width) // 2, MARGIN))
    draw = ImageDraw.Draw(page)
    y = MARGIN + qr_image.height + 40
    for (style, part), height in zip(lines, heights, strict=True):
        if style == "code":
            y += GAP
        draw.text((A4[0] // 2, y), part, font=fonts[style], fill=0, anchor="mt")
        y += height + (GAP if style == "code" else 0)

    drawn = [part for _style, part in lines]
    info = PngInfo()
    info.add_itxt("Description", "\n".join(drawn))
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", pnginfo=info, dpi=(150, 150), optimize=True)
    return buffer.getvalue(), drawn
