"""What Telegram accepts: HTML, lengths, button data. Broken input gets Telegram's own errors."""

import re
from html.parser import HTMLParser

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
# Quiz polls (Bot API 10.0): question 1–300, 2–12 options of 1–100, explanation ≤ 200 with
# at most 2 line feeds.
MAX_POLL_QUESTION, MAX_POLL_OPTION, MAX_POLL_OPTIONS, MAX_POLL_EXPLANATION = 300, 100, 12, 200
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def parameters(self) -> dict:
        """Telegram's ``ResponseParameters``: what the bot should do about the refusal."""
        found = {"retry_after": self.retry_after, "migrate_to_chat_id": self.migrate_to_chat_id}
        return {key: value for key, value in found.items() if value is not None}


class _HtmlText(HTMLParser):
    """Telegram's HTML: a few tags, properly nested; the user sees the text only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br" or tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected </{tag}>")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    if (parse_mode or "").upper() != "HTML":
        return text
    if re.search(r"<(?!/?[a-zA-Z])", text):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped '<'")
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise ApiError(400, f"Bad Request: can't parse entities: <{parser.open[-1]}> not closed")
    return "".join(parser.parts)


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def checked_text(value, parse_mode, limit: int) -> str:
    text = plain_text(str(value or ""), parse_mode).strip()  # Telegram trims, too
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text.encode("utf-16-le")) // 2 > limit:  # Telegram counts UTF-16 code units
        raise ApiError(400, "Bad Request: message is too long")
    return text


def checked_markup(markup: dict | None) -> dict | None:
    if not markup or "inline_keyboard" not in markup:
        return None
    if sum(len(row) for row in markup["inline_keyboard"]) > MAX_BUTTONS:
        raise ApiError(400, "Bad Request: reply markup is too long")
    for row in markup["inline_keyboard"]:
        for button in row:
            if not str(button.get("text", "")):  # a lone space is fine (calendar gaps)
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def public(message: dict) -> dict:
    return {key: value for key, value in message.items() if not key.startswith("_")}
