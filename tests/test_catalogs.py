"""Both languages complete: every UI string in the code is translated, placeholders intact."""

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import LOCALES_DIR, ROOT
from bot.config import LANGUAGES

PLACEHOLDER = re.compile(r"\{(\w+)\}")
TAG = re.compile(r"</?[a-z-]+>")


def catalog(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def strings_in_code() -> set[str]:
    found = set()
    for folder in ("bot", "dialogs"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")],
            keywords={"T": None, "N_": None, "_": None},
        ):
            found.add(message)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_string_the_code_uses(lang):
    ids = {m.id for m in catalog(lang) if m.id}
    missing = strings_in_code() - ids
    assert not missing, f"run pybabel extract + update; missing in {lang}: {sorted(missing)}"


def test_chinese_is_complete_and_well_formed():
    for message in catalog("zh"):
        if not message.id:
            continue
        assert message.string, f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), (
            message.id
        )
        assert sorted(TAG.findall(message.string)) == sorted(TAG.findall(message.id)), message.id


def test_chinese_uses_standard_terms():
    text = "\n".join(m.string for m in catalog("zh") if m.id)
    assert "形成文件的信息" not in text
    assert not re.search(r"[\u4e00-\u9fff][,:;?!]", text), "half-width punctuation after Chinese"
