"""QR codes as PNG, for invite links printed and hung on the shop floor."""

import io

import segno


def qr_png(text: str, scale: int = 12) -> bytes:
    """A PNG of ``text`` as a QR code, large enough to print on A4 and scan from a metre away."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
