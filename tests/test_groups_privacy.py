"""Team group chats linked by a manager; people's own data: a copy, and erasure."""

import json

from bot import outbox
from bot.db import orgs as records
from bot.db import users
from bot.services import nc, orgs
from tests.test_onboarding import create_org, new_invite

GROUP = {"id": -1002001, "type": "supergroup", "title": "Line 3 team"}


async def bot_joins(local, chat: dict, added_by: dict) -> None:
    """Telegram tells the bot it was added to a group."""
    me = {"id": local.api.me["id"], "is_bot": True, "first_name": "CertReady"}
    await local.feed(
        {
            "update_id": local.api.new_update_id(),
            "my_chat_member": {
                "chat": chat,
                "from": added_by,
                "date": 1795500000,
                "old_chat_member": {"status": "left", "user": me},
                "new_chat_member": {"status": "member", "user": me},
            },
        }
    )


async def bot_removed(local, chat: dict, by: dict) -> None:
    me = {"id": local.api.me["id"], "is_bot": True, "first_name": "CertReady"}
    await local.feed(
        {
            "update_id": local.api.new_update_id(),
            "my_chat_member": {
                "chat": chat,
                "from": by,
                "date": 1795500000,
                "old_chat_member": {"status": "member", "user": me},
                "new_chat_member": {"status": "kicked", "user": me, "until_date": 0},
            },
        }
    )


async def test_manager_links_a_team_group_and_picks_its_language(local):
    boss = local.user(4001, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    await boss.send("/org")
    await boss.press("📍 区域和班组")
    await boss.press("➕ 添加班组")
    await boss.send("三号线")
    worker = local.user(4002, language_code="zh", first_name="小李")
    await worker.send("/start " + await new_invite(boss, "员工", "三号线"))

    local.api.group_admins[GROUP["id"]] = {boss.id}  # Wang administers the Telegram group
    in_group = local.user(4001, language_code="zh", first_name="王经理", chat=GROUP)
    worker_in_group = local.user(4002, language_code="zh", first_name="小李", chat=GROUP)
    await bot_joins(local, GROUP, in_group.profile)
    hello = in_group.text()
    assert "大家好！我是认证通" in hello and "Hello! I am CertReady" in hello  # both languages

    await worker_in_group.send("/link")
    assert "只有本群管理员" in worker_in_group.text()
    assert records.group_chat(local.db, GROUP["id"]) is None

    await in_group.send("/link 夜班")
    assert "没有名为“夜班”的班组。现有班组：三号线" in in_group.text()
    await in_group.send("/link 三号线")
    linked = in_group.text()
    assert (
        linked == "本群已关联到华东精密的三号线班组。我在本群该用哪种语言？"
    )  # the org's language
    assert in_group.buttons() == ["中文", "English", "中文 + English"]

    answer = await worker_in_group.press("English")  # a worker cannot choose for the group
    assert answer["show_alert"] and "只有组织的主管" in answer["text"]
    assert records.group_chat(local.db, GROUP["id"]).language == "zh"
    await in_group.press("中文 + English")
    both = (
        "好的，以后我在本群用中英文发消息。\n"
        "本群接收哪些消息由管理者决定：/reports（新报告），/tips（每日班组提示），"
        "/digest（每周一的质量简报）。\n\n"
        "Done: I will write in this group in Chinese and English.\nManagers choose what this "
        "group receives: /reports (new reports), /tips (a daily team tip), /digest (the weekly "
        "digest on Mondays)."
    )
    assert in_group.text() == both
    group = records.group_chat(local.db, GROUP["id"])
    assert (group.language, group.team_id is not None, group.active) == ("both", True, True)

    await in_group.send("随便聊聊")  # ordinary group talk is left alone
    assert in_group.text().startswith("好的")

    await bot_removed(local, GROUP, in_group.profile)
    assert records.group_chat(local.db, GROUP["id"]).active is False

    # Added again: the group keeps its organization, team and languages.
    await bot_joins(local, GROUP, in_group.profile)
    back = in_group.text()
    assert back.startswith("我回来了。本群已重新关联到华东精密的三号线班组。")
    assert "This group is linked to 华东精密, team 三号线, again." in back
    group = records.group_chat(local.db, GROUP["id"])
    assert (group.language, group.active) == ("both", True)

    # Forms live in private chats: /report in the group points there, with a button.
    await worker_in_group.send("/REPORT")
    reply = worker_in_group.messages()[-1]
    assert "请在私聊中打开我" in reply["text"] and "open me in a private chat" in reply["text"]
    button = reply["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "打开认证通 · Open CertReady"
    assert button["url"] == "https://t.me/certready_local_bot?start=report"
    await worker.send("/start report")  # what tapping it sends in the private chat
    assert worker.text().startswith("⚠️ 上报问题")


async def test_another_organizations_manager_cannot_take_over_a_group(local):
    a = local.user(4003, language_code="en", first_name="A")
    await create_org(a, "Alpha", lang="en")
    b = local.user(4004, language_code="en", first_name="B")
    await create_org(b, "Beta", lang="en")
    chat = {"id": -1002002, "type": "group", "title": "Shared"}
    local.api.group_admins[chat["id"]] = {a.id, b.id}  # both administer the Telegram group
    a_here = local.user(4003, language_code="en", first_name="A", chat=chat)
    b_here = local.user(4004, language_code="en", first_name="B", chat=chat)
    await a_here.send("/link")
    await b_here.send("/link")
    assert b_here.text() == (
        "This group is linked to another organization. Its manager must send /unlink first."
    )
    answer = await b_here.press("English")
    assert "Only a manager" in answer["text"]
    await b_here.send("/unlink")
    assert "Only a manager" in b_here.text()
    alpha = orgs.membership(local.db, a.id).org_id
    assert records.group_chat(local.db, chat["id"]).org_id == alpha
    await a_here.send("/unlink")
    assert b_here.text() == "This group is no longer linked to Alpha."
    await a_here.send("/unlink")
    assert a_here.text().endswith("This group is not linked to an organization.")
    await b_here.send("/link")  # now Beta may have it
    assert records.group_chat(local.db, chat["id"]).org_id != alpha


async def test_anonymous_admins_are_asked_to_show_themselves(local):
    chat = {"id": -1002003, "type": "supergroup", "title": "Anon"}
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
    local.api.chats[chat["id"]] = chat
    await local.feed(
        {
            "update_id": local.api.new_update_id(),
            "message": {
                "message_id": 1,
                "date": 1795500000,
                "chat": chat,
                "from": anonymous,
                "sender_chat": chat,
                "text": "/link",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
    )
    reply = local.api.bot_messages(chat["id"])[-1]["text"]
    assert "Remain anonymous" in reply


async def test_my_data_and_erasing_it(local):
    boss = local.user(4005, language_code="en", first_name="Erin")
    await create_org(boss, "Gamma", lang="en")
    worker = local.user(4006, language_code="zh", first_name="小周")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.send("/tip")  # counts as seen
    await worker.send("/settings")
    await worker.press("💡 每日提示")
    await worker.press("🔔 开启")
    report = {"description": "地面有油", "category": "equipment", "severity": "minor"}
    nc.report(local.db, worker.id, report, [], "k")
    outbox.owe(local.db, "hello", worker.id, "你好")

    await worker.send("/mydata")
    sent = worker.messages()[-1]
    assert sent["document"]["file_name"] == "certready-my-data.json"
    data = json.loads(local.api.files[sent["document"]["file_id"]].data)
    assert data["profile"]["first_name"] == "小周"
    assert data["membership"][0]["organization"] == "Gamma"
    assert data["reports_written"][0]["description"] == "地面有油"
    assert data["daily_tips"][0]["subscribed"] == 1
    assert sent["caption"] == "认证通保存的关于您的全部数据（JSON 格式）。"

    await worker.send("/deleteme")
    assert "这将删除您的姓名" in worker.text()
    await worker.press("✖️ 不用了，保留数据")
    assert users.get(local.db, worker.id) is not None
    await worker.send("/deleteme")
    await worker.press("🗑 是的，删除我的数据")
    assert "您的数据已删除" in worker.transcript(2)
    assert users.get(local.db, worker.id) is None
    assert orgs.membership(local.db, worker.id) is None
    left = local.db.execute("SELECT COUNT(*) FROM fsm WHERE key LIKE ?", [f"%{worker.id}%"])
    assert left.fetchone()[0] == 0
    for table in ("tip_subscriptions", "tips_seen", "outbox"):  # no more tips, no letters
        left = local.db.execute(f"SELECT COUNT(*) FROM {table} WHERE chat_id = ?", [worker.id])
        assert left.fetchone()[0] == 0, table

    await boss.send("/deleteme")  # the last admin, with others... not any more: alone now
    await boss.press("🗑 Yes, erase my data")
    assert users.get(local.db, boss.id) is None


async def test_the_last_admin_cannot_erase_while_others_depend_on_them(local):
    boss = local.user(4007, language_code="en", first_name="Finn")
    await create_org(boss, "Delta", lang="en")
    worker = local.user(4008, language_code="en", first_name="Gus")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await boss.send("/deleteme")
    await boss.press("🗑 Yes, erase my data")
    assert "You are the last admin of your organization" in boss.transcript(3)
    assert users.get(local.db, boss.id) is not None


async def test_help_has_a_privacy_note_in_both_languages(local):
    for lang, needle in (("en", "/deleteme erases it"), ("zh", "发送 /deleteme 可将其删除")):
        user = local.user(4010 + len(lang), language_code=lang)
        await user.send("/help")
        assert needle in user.text()


async def test_switching_or_erasing_warns_a_lone_member_that_the_org_closes(local):
    solo = local.user(4020, language_code="en", first_name="Solo")
    await create_org(solo, "Lonely Works", lang="en")
    other = local.user(4021, language_code="en", first_name="Other")
    await create_org(other, "Busy Co", lang="en")
    await solo.send("/start " + await new_invite(other, "worker", zh=False))
    assert "leaving closes Lonely Works for good" in solo.text()
    await solo.press("✖️ No, stay")
    await solo.send("/deleteme")
    assert "You are the only member of Lonely Works: erasing your data closes it" in solo.text()


async def test_my_data_leaves_out_invite_codes(local):
    boss = local.user(4022, language_code="en", first_name="Ivy")
    await create_org(boss, "Iota", lang="en")
    code = await new_invite(boss, "worker", zh=False)
    await boss.send("/mydata")
    data = json.loads(local.api.files[boss.messages()[-1]["document"]["file_id"]].data)
    assert data["invites_created"] and all("code" not in row for row in data["invites_created"])
    assert code not in json.dumps(data["invites_created"]) and "dialog_state" in data
