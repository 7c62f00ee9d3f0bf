"""Both languages complete: every UI string in the code is translated, placeholders intact."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot import LOCALES_DIR, ROOT
from bot.config import LANGUAGES
from bot.i18n import catalog_problems, make_i18n

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


def forms(value) -> list[str]:
    """A message's text, or each of a plural message's forms (Chinese has one)."""
    return list(value) if isinstance(value, tuple) else [value]


def test_chinese_is_complete_and_well_formed():
    for message in catalog("zh"):
        if not message.id:
            continue
        source = forms(message.id)[-1]  # the plural form carries the same placeholders
        for string in forms(message.string):
            assert string, f"untranslated: {message.id!r}"
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(source)), message.id
            assert sorted(TAG.findall(string)) == sorted(TAG.findall(source)), message.id
        assert not message.fuzzy, f"fuzzy: {message.id!r}"


def test_chinese_uses_standard_terms():
    text = "\n".join(s for m in catalog("zh") if m.id for s in forms(m.string))
    assert "形成文件的信息" not in text
    assert not re.search(r"[\u4e00-\u9fff][,:;?!]", text), "half-width punctuation after Chinese"


# The greeting on the main menu, and what a translator's slip does to it.
GREETING = "<b>CertReady</b> — your assistant for ISO 9001 certification.\n\nHello, {name}!"
TYPO = "<b>认证通 CertReady</b>：您的 ISO 9001 认证助手。\n\n您好，{nme}！"


def copy_with(tmp_path, **zh_changes) -> Path:
    """``locales/`` copied under ``tmp_path``, with ``zh_changes(catalog)`` applied to the
    Chinese one: the real .po files are never touched."""
    root = tmp_path / "locales"
    for lang in LANGUAGES:
        changed = catalog(lang)
        if lang == "zh":
            for change in zh_changes.values():
                change(changed)
        (root / lang / "LC_MESSAGES").mkdir(parents=True)
        with (root / lang / "LC_MESSAGES" / "messages.po").open("wb") as po:
            write_po(po, changed)
    return root


def translate(msgid: str, text: str):
    def change(changed):
        changed[msgid].string = text

    return change


def test_the_shipped_catalogs_pass_the_start_up_check():
    assert catalog_problems() == []


def test_each_fault_is_one_line_naming_the_language_the_message_and_the_fault(tmp_path):
    root = copy_with(
        tmp_path,
        typo=translate(GREETING, TYPO),
        brace=translate("⚙️ Settings", "⚙️ 设置 {"),
        fuzzy=lambda changed: changed["🌐 Language"].flags.add("fuzzy"),
        empty=translate("🏭 Organization", ""),
        tag=translate("⚙️ Organization settings", "<b>⚙️ 组织设置"),
    )

    assert sorted(catalog_problems(root)) == sorted(
        [
            'catalog zh, msgid "<b>CertReady</b> — your assistant for I…": '
            "placeholders {nme} instead of {name}",
            'catalog zh, msgid "⚙️ Settings": unbalanced braces in the translation '
            "(Single '{' encountered in format string)",
            'catalog zh, msgid "🌐 Language": marked fuzzy: check the translation, then remove '
            "the flag",
            'catalog zh, msgid "🏭 Organization": not translated',
            'catalog zh, msgid "⚙️ Organization settings": HTML tags <b> instead of the msgid\'s',
        ]
    )


def test_ascii_punctuation_in_chinese_is_a_fault_naming_the_mark_and_its_place(tmp_path):
    root = copy_with(
        tmp_path,
        colon=translate("Role: {role}", "角色:{role}"),
        comma=translate(
            "Done: I will write in this group in {language}.", "好的,以后用{language}。"
        ),
        tag=translate(
            "<b>🗂 Reports</b>: {count}\nSeverity: {severity} · Area: {area}",
            "<b>🗂 问题报告</b>: {count}\n严重程度：{severity} · 区域：{area}",
        ),
        spaced=translate("Report a problem", "上报问题 (可附照片)"),
        latin=translate("Please type it in words.", "请用文字输入 ISO 9001:条款"),
    )

    assert sorted(catalog_problems(root)) == sorted(
        [
            "catalog zh, msgid \"Role: {role}\": ASCII ':' in Chinese text (…角色:{role}…): "
            "write '：'",
            "catalog zh, msgid \"Done: I will write in this group in {la…\": ASCII ',' in Chinese "
            "text (…好的,以后用{lang…): write '，'",
            "catalog zh, msgid \"<b>🗂 Reports</b>: {count} Severity: {se…\": ASCII ':' in Chinese "
            "text (…🗂 问题报告: {count}…): write '：'",
            "catalog zh, msgid \"Report a problem\": ASCII '(' in Chinese text "
            "(…上报问题 (可附照片)…): write '（'",
            "catalog zh, msgid \"Report a problem\": ASCII ')' in Chinese text "
            "(…问题 (可附照片)…): write '）'",
            "catalog zh, msgid \"Please type it in words.\": ASCII ':' in Chinese text "
            "(…ISO 9001:条款…): write '：'",
        ]
    )


def test_ascii_stays_fine_in_latin_runs_urls_commands_placeholders_tags_and_times(tmp_path):
    root = copy_with(
        tmp_path,
        times=translate("Valid until {moment}", "有效期至 {moment}，每天 08:30 提醒"),
        edition=translate("Please type it in words.", "请按 ISO 9001:2015 作答，e.g., i.e. 照写。"),
        link=translate(
            "Scan with Telegram, or open t.me/{bot} and send /start {code}",
            "用 Telegram 扫码，或打开 https://t.me/{bot}?start={code} 并发送 /start {code}",
        ),
        fields=translate(
            "<b>{name}: {overall}</b>\n\n{clauses}", "<b>{name}:{overall}</b>\n\n{clauses}"
        ),
        command=translate("Report a problem", "上报问题（/report, /mytasks）"),
    )
    assert catalog_problems(root) == []


def test_a_missing_catalog_is_named(tmp_path):
    root = copy_with(tmp_path)
    (root / "zh" / "LC_MESSAGES" / "messages.po").unlink()
    assert catalog_problems(root) == [
        f"catalog zh: {root / 'zh' / 'LC_MESSAGES' / 'messages.po'} cannot be read "
        "(No such file or directory)"
    ]


def test_english_is_the_source_and_may_stay_empty_but_not_wrong(tmp_path):
    root = copy_with(tmp_path)
    english = catalog("en")
    english["⚙️ Settings"].string = "⚙️ Preferences {x}"
    with (root / "en" / "LC_MESSAGES" / "messages.po").open("wb") as po:
        write_po(po, english)
    assert catalog_problems(root) == [
        'catalog en, msgid "⚙️ Settings": placeholders {x} instead of none'
    ]


def test_catalogs_are_compiled_in_memory_so_a_read_only_install_works(tmp_path):
    root = copy_with(tmp_path, typo=translate("⚙️ Settings", "⚙️ 系统设置"))
    i18n = make_i18n("en", root)
    assert i18n.gettext("⚙️ Settings", locale="zh") == "⚙️ 系统设置"
    assert i18n.gettext(GREETING, locale="zh").format(name="王芳").endswith("您好，王芳！")
    assert list(root.rglob("*.mo")) == []  # nothing written next to the sources


def broken_checkout(tmp_path) -> Path:
    """The code and content as they are, with the greeting's typo in the Chinese catalog."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for folder in ("bot", "dialogs"):  # copied: bot/ finds its data next to where it is
        shutil.copytree(ROOT / folder, checkout / folder, ignore=shutil.ignore_patterns("*.pyc"))
    (checkout / "content").symlink_to(ROOT / "content")
    copy_with(checkout, typo=translate(GREETING, TYPO)).rename(checkout / "locales")
    return checkout


@pytest.mark.slow
@pytest.mark.parametrize("command", ["migrate", "chat", "run"])
def test_the_bot_refuses_to_start_on_a_broken_catalog(tmp_path, command):
    """A typo that compiles would be a KeyError on /menu for every Chinese user."""
    checkout = broken_checkout(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "DATABASE_", "EVIDENCE_", "TELEGRAM_", "WEBHOOK_"))
    }
    env |= {
        "PYTHONPATH": str(checkout),
        "BOT_TOKEN": "123456:ABCDEFGHIJ_klmnopqrs-tuvwxyz012345678",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",  # never reached: refused before
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", command],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        input="",
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if "catalog zh" in line]
    assert len(problems) == 1, result.stderr
    assert problems[0].endswith(
        'catalog zh, msgid "<b>CertReady</b> — your assistant for I…": '
        "placeholders {nme} instead of {name}"
    )
    assert list(tmp_path.rglob("*.sqlite3")) == []  # refused before the database
