"""Announcements with acknowledgement (ISO 9001 7.3): a manager writes in both languages, each
person gets theirs and confirms with one tap, the manager sees who has, reminds the rest and
exports the record; nobody confirms for someone else; a linked group gets a copy in its
language(s); every screen fits Telegram's limits with 120 people and texts at their limit."""

import copy
import io
from datetime import datetime

from openpyxl import load_workbook

from bot.db import users
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
    assert "To: the whole organization · 👤 2 (you excepted)" in boss.text()
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
    assert boss.text().startswith("📣 Sent. Recipients: 2.\n💬 And to 1 group chat(s).")

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
    assert answer["text"] == "🔔 Reminder sent to everyone who has not confirmed yet: 1."
    reminder = wu.messages()[-1]
    assert reminder["text"].startswith("🔔 Reminder: please confirm this announcement from Alice")
    answer = await boss.press("🔔 Remind the rest (1)", screen)  # a double tap
    assert answer["text"] == "They were reminded a moment ago."
    assert sum(m["text"].startswith("🔔") for m in wu.messages()) == 1
    assert li.messages()[-1] is not None and not li.text().startswith("🔔")

    await wu.press("✅ Read and understood", reminder)
    assert wu.text(reminder).endswith(
        "✅ You confirmed that you read and understood it: Nov 30, 2026, 12:05 UTC+8."
    )
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
    assert people[1] == (
        "小李",
        "Line 3",
        "worker",
        NINE.replace(tzinfo=None),
        datetime(2026, 11, 30, 9, 5),
        None,
    )
    assert people[2] == (
        "Wu",
        None,
        "worker",
        NINE.replace(tzinfo=None),
        datetime(2026, 11, 30, 12, 5),
        None,
    )
    assert book["Recipients"]["D2"].is_date


def crowd(local, boss, count: int, team_id: int | None = None, first_id: int = 60000) -> list:
    """``count`` workers joined through an invite (every third reads Chinese), names at
    Telegram's 64-character limit."""
    code = orgs.create_invite(local.db, boss.id, "worker", team_id, term="90d").code
    people = []
    for number in range(count):
        lang = "zh" if number % 3 == 0 else "en"
        name = f"{number:03d} " + ("Ü" * 60 if lang == "en" else "王" * 60)
        users.seen(local.db, first_id + number, name, None, lang)
        assert orgs.join(local.db, first_id + number, code).status == "ok"
        people.append(local.user(first_id + number, language_code=lang, first_name=name))
    return people


async def paste(user, text: str) -> None:
    """Paste a long text: Telegram's app may send it in parts; tap "That's all" if asked."""
    await user.send(text)
    for label in ("✅ That's all", "✅ 输入完毕"):
        if label in user.buttons():
            await user.press(label)


def refused(local) -> list:
    """What Telegram refused, but for "not modified" and aiogram-dialog's second answer to a
    callback our handler already answered with a message (see AnswerOnceMessageManager)."""
    return [
        r
        for r in local.api.refusals
        if "not modified" not in r[1] and r[0] != "answercallbackquery"
    ]


def longest(text: str, size: int) -> str:
    """Sentences up to exactly ``size`` characters."""
    words = ((text + " ") * (size // len(text) + 2))[: size - 1].rstrip()
    return words + "!" * (size - len(words))


async def test_120_people_and_texts_at_their_limit_fit_every_screen(local, clock):
    clock(NINE)
    boss = local.user(5101, language_code="en", first_name="B" * 64)
    await create_org(boss, "O" * 64, lang="en")
    team = crowd(local, boss, 120)
    group = await link_group(local, boss, GROUP, "中文 + English")
    english = longest("Stop the line & report <any> defect at once.", announce.MAX_TEXT)
    chinese = longest("发现任何缺陷，立即停线并上报。", announce.MAX_TEXT)

    await open_announcements(boss)
    await boss.press("➕ New announcement")
    await boss.press("✏️ English text")
    await paste(boss, english + "x")  # one character too many: told, and given it back
    assert "That is 3001 characters; this can hold at most 3000." in boss.transcript(3)
    assert boss.messages()[-1]["text"] == english + "x"
    await paste(boss, english)
    await boss.press("✏️ Chinese text")
    await paste(boss, chinese)
    assert "English: 3,000 characters" in boss.text() and "Chinese: 3,000 characters" in boss.text()
    await boss.press("⬜ Copy to group chats (1)")
    before = len(boss.messages())
    await boss.press("👀 Preview")
    shown = [m["text"] for m in boss.messages()[before:]]
    assert english.replace("\n", " ") in shown[0] and chinese in shown[1]
    assert all(len(t) <= 4096 for t in shown)
    assert "Send it now? Recipients: 120." in shown[-1]
    await boss.press("📣 Send")
    assert boss.text().startswith("📣 Sent. Recipients: 120.")
    assert (
        local.db.execute("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'ann:1:%'").fetchone()[
            0
        ]
        == 121
    )

    await local.work()  # a delivery pass takes up to 100 letters: the rest go in the next
    zh_reader, en_reader = team[0], team[1]
    assert chinese in zh_reader.text() and english in en_reader.text()
    assert english[:1500] in group.text() and chinese[:1500] in group.text()
    assert len(group.text()) <= 4096  # both texts shortened to share one message
    for person in team[:100]:
        clock.shift(seconds=7)
        await person.press(person.buttons(person.messages()[-1])[0], person.messages()[-1])

    await open_announcements(boss)
    await boss.press("✅ 100/120")
    screen = boss.text()
    assert "✅ Read and understood: 100/120" in screen and len(screen) <= 4096
    assert "📖 Read all" in boss.buttons()
    before = len(boss.messages())
    await boss.press("📖 Read all")
    assert [m["text"] for m in boss.messages()[before:-1]] == [english, chinese]
    await boss.press("✅ Confirmed (100)")
    pages = [boss.text()]
    while "Later »" in boss.buttons():
        await boss.press("Later »")
        pages.append(boss.text())
    assert len(pages) == 5 and "page 5 of 5" in pages[-1]
    assert all(len(page) <= 4096 for page in pages)
    listed = "\n".join(pages)
    assert all(f"• {person.profile['first_name'][:10]}" in listed for person in team[:100])
    await boss.press("⬅️ Back")
    await boss.press("⏳ Not yet (20)")
    assert "page 1 of 1" in boss.text() and boss.text().count("• ") == 20
    await boss.press("⬅️ Back")
    answer = await boss.press("🔔 Remind the rest (20)")
    assert answer["text"] == "🔔 Reminder sent to everyone who has not confirmed yet: 20."
    assert all(p.text().startswith("🔔") for p in team[100:])
    assert not any(p.text().startswith("🔔") for p in team[:100])
    await boss.press("📊 Export XLSX")
    document = [m for m in boss.messages() if "document" in m][-1]
    book = load_workbook(io.BytesIO(local.api.files[document["document"]["file_id"]].data))
    rows = list(book["Recipients"].iter_rows(values_only=True))[1:]
    assert len(rows) == 120 and sum(1 for r in rows if r[4]) == 100
    assert list(book["Announcement"].iter_rows(values_only=True))[1][4:6] == (english, chinese)

    for number in range(30):  # many announcements: the list pages
        announce.send(local.db, boss.id, None, {"en": f"Notice {number}"}, False, f"k{number}")
    await open_announcements(boss)
    assert len(boss.buttons()) <= 100 and "Notice 29" in boss.buttons()[1]
    assert len(boss.text()) <= 4096
    assert refused(local) == []
    assert local.api.unanswered() == []


async def test_nobody_confirms_for_someone_else_and_workers_see_no_announcements(local, clock):
    clock(NINE)
    boss, li, wu = await acme(local)
    line3 = local.db.execute("SELECT id FROM teams WHERE name = 'Line 3'").fetchone()[0]
    sent = announce.send(local.db, boss.id, line3, {"zh": POLICY_ZH}, False, "team-only")
    assert sent.people == 1  # Line 3: 小李 only
    await local.work()
    assert POLICY_ZH in li.text() and POLICY_ZH not in "".join(sent_to(wu))
    other_boss = local.user(5201, language_code="zh", first_name="欧经理")
    await create_org(other_boss, "别家公司")

    # Wu crafts the button of an announcement that was not sent to him, in both languages.
    screen = copy.deepcopy(wu.keyboard_message())
    data = Acknowledge(id=sent.announcement_id).pack()
    answer = await wu.press_data(data, screen)
    assert answer == {
        "callback_query_id": answer["callback_query_id"],
        "text": "This announcement was not sent to you.",
        "show_alert": True,
    }
    answer = await other_boss.press_data(data, other_boss.keyboard_message())
    assert answer["text"] == "这则公告不是发给您的。"
    assert announce.recipients(local.db, boss.id, sent.announcement_id)[0].acknowledged_at is None
    for junk in ("ann:abc", "ann:", "ann:-1", "ann:99999999999"):
        assert await wu.press_data(junk, screen) is not None  # answered, nothing recorded

    # No announcements screen for a worker: no button, and a crafted one is refused.
    await li.send("/org")
    assert "📣 公告" not in li.buttons()
    org_screen = copy.deepcopy(li.keyboard_message())
    intent = org_screen["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("\x1d")[0]
    answer = await li.press_data(f"{intent}\x1dannounce", org_screen)
    assert answer["text"] == "只有本组织的主管和管理员才能进行此操作。"
    assert not any("最新的在前" in li.text(m) for m in li.messages())  # no list shown
    # Another organization's manager cannot open Acme's announcement by its id.
    await open_announcements(other_boss, zh=True)
    listing = copy.deepcopy(other_boss.keyboard_message())
    intent = listing["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("\x1d")[0]
    answer = await other_boss.press_data(
        f"{intent}\x1dannouncements:{sent.announcement_id}", listing
    )
    assert answer["text"] == "只有本组织的主管和管理员才能进行此操作。"
    assert not any(POLICY_ZH in other_boss.text(m) for m in other_boss.messages())


async def test_who_left_stays_on_record_and_can_no_longer_confirm(local, clock):
    clock(NINE)
    boss, li, wu = await acme(local)
    await open_announcements(boss)
    await boss.press("➕ New announcement")
    await boss.press("✏️ English text")
    await boss.send("Wear safety glasses in hall 2 from Monday.")
    await boss.press("👀 Preview")
    await boss.press("📣 Send")
    letter_li, letter_wu = li.messages()[-1], wu.messages()[-1]
    assert letter_li["text"].startswith("📣 公告（Alice · Acme）\n\nWear safety glasses")
    await li.press("✅ 已阅读并理解", letter_li)
    await li.send("/org")
    await li.press("🚪 退出组织")
    await li.press("🚪 是的，退出")
    await wu.send("/org")
    await wu.press("🚪 Leave the organization")
    await wu.press("🚪 Yes, leave")

    answer = await wu.press("✅ Read and understood", letter_wu)
    assert answer["show_alert"] and answer["text"].startswith("You are no longer in Acme")
    answer = await li.press_data(Acknowledge(id=1).pack(), letter_li)
    assert answer["text"].startswith("您已确认过：2026年11月30日 09:00")  # still on record

    await open_announcements(boss)
    await boss.press("✅ 1/2")
    assert "🔔 Remind the rest" not in " ".join(boss.buttons())  # nobody left to remind
    await boss.press("✅ Confirmed (1)")
    assert "• 小李 · Line 3 — Nov 30, 2026, 09:00 (left the organization)" in boss.text()
    await boss.press("⬅️ Back")
    await boss.press("⏳ Not yet (1)")
    assert "• Wu (left the organization)" in boss.text()


async def test_group_copies_in_the_groups_language_and_a_chinese_manager(local, clock):
    clock(NINE)
    boss = local.user(5301, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    await add_team(boss, "三号线", zh=True)
    worker = local.user(5302, language_code="en", first_name="Tom")
    await worker.send("/start " + await new_invite(boss, "员工", "三号线"))
    team_group = await link_group(
        local, boss, {"id": -1005001, "type": "group", "title": "三号线"}, "English", "三号线"
    )
    org_group = await link_group(
        local, boss, {"id": -1005002, "type": "group", "title": "全体"}, "中文 + English"
    )

    await open_announcements(boss, zh=True)
    assert boss.text().startswith("📣 公告（0）")
    await boss.press("➕ 新建公告")
    await boss.press("👥 更改发送对象")
    assert boss.buttons()[:2] == ["🏭 整个组织 · 👤 1", "👥 三号线 · 👤 1"]
    await boss.press("👥 三号线 · 👤 1")
    await boss.press("✏️ 中文内容")
    await boss.send("本周五进行内部审核，请准备好成文信息。")
    await boss.press("⬜ 抄送群聊（1）")
    await boss.press("👀 预览")
    assert (
        "👆 以上就是他们将收到的内容" in boss.text() and "现在发送吗？接收人数：1。" in boss.text()
    )
    press = copy.deepcopy(boss.keyboard_message())
    await boss.press("📣 发送")
    await boss.press("📣 发送", press)  # a double tap on the old screen
    assert boss.text().startswith("📣 已发送。接收人数：1。\n💬 并抄送给 1 个群聊。")
    assert local.db.execute("SELECT COUNT(*) FROM announcements").fetchone()[0] == 1

    # Tom reads English: the frame is his, the text the only one written.
    assert worker.text().startswith("📣 Announcement from 王经理 · 华东精密\n\n本周五进行内部审核")
    # The team's English group: English words around the Chinese text; the org's group: none.
    assert team_group.text().startswith("📣 Announcement from 王经理 · 华东精密\n\n本周五")
    assert "privately" in team_group.text() and "reply_markup" not in team_group.last()
    assert not any("本周五" in org_group.text(m) for m in org_group.messages())

    # To the whole organization, in English only: the group set to both gets the text once.
    canteen = {"en": "Canteen closed on Monday."}
    first = announce.send(local.db, boss.id, None, canteen, True, "org")
    again = announce.send(local.db, boss.id, None, canteen, True, "org")  # the same form
    assert (first.created, again.created, again.announcement_id) == (
        True,
        False,
        first.announcement_id,
    )
    await local.work()
    both = org_group.text()
    assert both.count("Canteen closed on Monday.") == 1
    assert both.startswith("📣 下面这则公告（王经理 · 华东精密）只有英文版。")
    assert both.endswith("please confirm it there with “✅ Read and understood”.")
    assert not any("Canteen" in team_group.text(m) for m in team_group.messages())

    # Both languages to the org group set to both: Chinese first, each its own text.
    announce.send(
        local.db, boss.id, None, {"en": "Audit on Friday.", "zh": "周五审核。"}, True, "b"
    )
    await local.work()
    both = org_group.text()
    assert both.index("周五审核。") < both.index("Audit on Friday.")
    assert both.count("周五审核。") == 1 and both.count("Audit on Friday.") == 1
