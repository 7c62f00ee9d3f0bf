"""What people type, made safe to store and show, without losing a visible character.

Invisible characters can make a name look blank (zero-width spaces) or flip the text around
it in every message that quotes it (right-to-left overrides). They are removed; control
characters other than line breaks and tabs too, because spreadsheets and documents refuse
them. The zero-width joiner stays: emoji such as 👩‍🔧 are built with it.
"""

import re
import unicodedata

# Zero-width space / non-joiner, word joiner, BOM, Mongolian vowel separator; bidi marks,
# embeddings, overrides and isolates.
INVISIBLE = re.compile(
    "[\u200b\u200c\u2060\ufeff\u180e\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)
# Control characters, lone surrogates and the two non-characters XML (XLSX, DOCX) refuses.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` with invisible and control characters removed, ends stripped, in NFC."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return CONTROL.sub("", INVISIBLE.sub("", text)).strip()


def visible(text: str) -> bool:
    """Whether ``text`` shows anything at all (not only spaces, joiners or marks)."""
    return any(
        not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Mn", "Me", "Cc") for ch in text
    )


def clean_line(text: str) -> str:
    """A one-line name: cleaned, with runs of whitespace (line breaks too) made one space."""
    return " ".join(clean(text).split())


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _fit(text: str, size: int) -> int:
    """How many characters of ``text`` fit in ``size`` UTF-16 units."""
    if len(text) * 2 <= size or units(text) <= size:
        return len(text)
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > size:
            return index
    return len(text)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` units, cut at a word or line where one is near, with "…"."""
    if units(text) <= limit:
        return text
    cut = text[: _fit(text, limit - 1)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > len(cut) * 0.7:
        cut = cut[:space]
    return cut.rstrip() + "…"


def parts(text: str, size: int = 4096) -> list[str]:
    """``text`` in pieces of at most ``size`` UTF-16 units, split at a line break or space
    where one is near the end (as Telegram's apps do with a long message)."""
    pieces = []
    while units(text) > size:
        fits = _fit(text, size)
        cut = text.rfind("\n", 0, fits)
        if cut < fits * 0.5:
            cut = text.rfind(" ", 0, fits)
        if cut < fits * 0.5:
            pieces.append(text[:fits])
            text = text[fits:]
            continue
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    return [*pieces, text] if text else pieces
