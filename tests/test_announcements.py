"""Announcements with acknowledgement (ISO 9001 7.3): a manager writes in both languages, each
person gets theirs and confirms with one tap, the manager sees who has, reminds the rest and
exports the record; nobody confirms for someone else; a linked group gets a copy in its
language(s); every screen fits Telegram's limits with 120 people and texts at their limit."""

import copy
import io
from datetime import datetime

from openpyxl import load_workbook

from bot.db import users
from bot.localapi.user import find_button
from bot.services import announce, orgs
from dialogs.org.announce_notices import Acknowledge
from tests.conftest import SHANGHAI
from tests.test_groups_privacy import bot_joins
from tests.test_onboarding import create_org, new_invite

NINE = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
POLICY_EN = "Our quality policy is updated: <every> defect is stopped & reported at once."
POLICY_ZH = "质量方针已更新：发现任何缺陷，立即停线并上报。"
GROUP = {"id": -1004001, "type": "supergroup", "title": "Acme all hands"}


async def add_team(boss, name: str, zh: bool = False) -> None:
    await boss.send("/org")
    await boss.press("📍 区域和班组" if zh else "📍 Areas and teams")
    await boss.press("➕ 添加班组" if zh else "➕ Add a team")
    await boss.send(name)


async def link_group(local, boss, chat: dict, language_button: str, team: str = "") -> None:
    """The manager adds the bot to a group they administer and links it (to a team, or to
    the whole organization), then picks its language(s)."""
    local.api.group_admins[chat["id"]] = {boss.id}
    in_group = local.user(boss.id, language_code="en", first_name="Alice", chat=chat)
    await bot_joins(local, chat, in_group.profile)
    await in_group.send(f"/link {team}".strip())
    await in_group.press(language_button)
    return in_group


async def open_announcements(boss, zh: bool = False) -> None:
    await boss.send("/org")
    await boss.press("📣 公告" if zh else "📣 Announcements")


def sent_to(person) -> list[str]:
    return [person.text(m) for m in person.messages()]


async def acme(local) -> tuple:
    """Acme (English): admin Alice; 小李 (Chinese) in team Line 3; Wu (English), no team."""
    boss = local.user(5001, language_code="en", first_name="Alice")
    await create_org(boss, "Acme", lang="en")
    await add_team(boss, "Line 3")
    li = local.user(5002, language_code="zh", first_name="小李")
    await li.send("/start " + await new_invite(boss, "worker", "Line 3", zh=False))
    wu = local.user(5003, language_code="en", first_name="Wu")
    await wu.send("/start " + await new_invite(boss, "worker", "Whole organization", zh=False))
    return boss, li, wu


async def test_both_languages_read_confirm_remind_and_export(local, clock):
    clock(NINE)
    boss, li, wu = await acme(local)
    group = await link_group(local, boss, GROUP, "中文 + English")

    await open_announcements(boss)
    assert boss.text().startswith("📣 Announcements (0)")
    await boss.press("➕ New announcement")
    assert "To: the whole organization (2 people; not you)" in boss.text()
    assert "👀 Preview" not in boss.buttons()  # nothing written yet
    await boss.press("✏️ English text")
    await boss.send(POLICY_EN)
    await boss.press("✏️ Chinese text")
    await boss.send(POLICY_ZH)
    assert "English: 76 characters: Our quality policy" in boss.text()
    await boss.press("⬜ Copy to group chats (1)")
    assert "☑️ Copy to group chats (1)" in boss.buttons()
    before = len(boss.messages())
    await boss.press("👀 Preview")
    preview = boss.messages()[before:]
    assert preview[0]["text"] == (
        "📣 Announcement from Alice · Acme\n\n"
        f"{POLICY_EN}\n\nPlease read it, then tap “✅ Read and understood”."
    )
    assert preview[1]["text"].startswith(f"📣 公告（Alice · Acme）\n\n{POLICY_ZH}")
    assert POLICY_ZH in preview[2]["text"] and POLICY_EN in preview[2]["text"]  # the group's
    assert "(English: 1, Chinese: 1)" in preview[3]["text"]
    answer = await boss.press("✅ Read and understood", preview[0])
    assert answer["text"].startswith("This is the preview")
    await boss.press("📣 Send")
    assert boss.text().startswith("📣 Sent to 2 people.\n💬 And to 1 group chat(s).")

    # Each gets theirs, from Alice at Acme, with the button.
    letter_li, letter_wu = li.messages()[-1], wu.messages()[-1]
    assert letter_li["text"].startswith(f"📣 公告（Alice · Acme）\n\n{POLICY_ZH}\n\n")
    assert letter_wu["text"].startswith(f"📣 Announcement from Alice · Acme\n\n{POLICY_EN}")
    assert li.buttons(letter_li) == ["✅ 已阅读并理解"]
    copy_text = group.text()
    assert "reply_markup" not in group.last()
    assert copy_text.index(POLICY_ZH) < copy_text.index(POLICY_EN)  # Chinese first
    assert "请在私聊中" in copy_text and "privately" in copy_text

    clock.shift(minutes=5)
    answer = await li.press("✅ 已阅读并理解", letter_li)
    assert answer["text"] == "✅ 谢谢，已记录。"
    assert li.text(letter_li).endswith("✅ 您已确认阅读并理解：2026年11月30日 09:05 UTC+8。")
    assert "reply_markup" not in letter_li
    answer = await li.press_data(Acknowledge(id=1).pack(), letter_li)  # a second time
    assert answer["text"] == "您已确认过：2026年11月30日 09:05 UTC+8。"

    await open_announcements(boss)
    assert boss.buttons()[1].startswith("Nov 30, 2026 · ✅ 1/2 · Our quality policy")
    await boss.press("✅ 1/2")
    assert "✅ Read and understood: 1/2" in boss.text()
    await boss.press("✅ Confirmed (1)")
    assert "• 小李 · Line 3 — Nov 30, 2026, 09:05" in boss.text()
    assert "(Asia/Shanghai)" in boss.text()
    await boss.press("⬅️ Back")
    await boss.press("⏳ Not yet (1)")
    assert "• Wu" in boss.text() and "小李" not in boss.text()
    await boss.press("⬅️ Back")

    screen = copy.deepcopy(boss.keyboard_message())
    clock.shift(hours=3)
    answer = await boss.press("🔔 Remind the rest (1)")
    assert answer["text"] == "🔔 Reminded 1 people who have not confirmed yet."
    reminder = wu.messages()[-1]
    assert reminder["text"].startswith("🔔 Reminder: please confirm this announcement from Alice")
    answer = await boss.press("🔔 Remind the rest (1)", screen)  # a double tap
    assert answer["text"] == "They were reminded a moment ago."
    assert sum(m["text"].startswith("🔔") for m in wu.messages()) == 1
    assert li.messages()[-1] is not None and not li.text().startswith("🔔")

    await wu.press("✅ Read and understood", reminder)
    assert wu.text(reminder).endswith("✅ You confirmed that you read and understood it: "
                                      "Nov 30, 2026, 12:05 UTC+8.")
    await boss.send("/org")
    await boss.press("📣 Announcements")
    await boss.press("✅ 2/2")
    assert "🔔 Remind the rest" not in " ".join(boss.buttons())
    await boss.press("📊 Export XLSX")
    document = [m for m in boss.messages() if "document" in m][-1]
    assert document["document"]["file_name"] == "certready-announcement-1.xlsx"
    book = load_workbook(io.BytesIO(local.api.files[document["document"]["file_id"]].data))
    head, row = list(book["Announcement"].iter_rows(values_only=True))
    assert head[3] == "Sent (Asia/Shanghai)" and row[:4] == (
        "Acme",
        "whole organization",
        "Alice",
        datetime(2026, 11, 30, 9, 0),
    )
    assert row[4:] == (POLICY_EN, POLICY_ZH, 2, 2)
    people = list(book["Recipients"].iter_rows(values_only=True))
    assert people[0] == (
        "Name",
        "Team",
        "Role",
        "Delivered (Asia/Shanghai)",
        "Read and understood (Asia/Shanghai)",
        "Note",
    )
    assert people[1] == ("小李", "Line 3", "worker", NINE.replace(tzinfo=None),
                         datetime(2026, 11, 30, 9, 5), None)
    assert people[2] == ("Wu", None, "worker", NINE.replace(tzinfo=None),
                         datetime(2026, 11, 30, 12, 5), None)
    assert book["Recipients"]["D2"].is_date
