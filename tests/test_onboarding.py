"""A manager creates an organization and invites people; a worker joins in one tap."""

import re

from bot.db import orgs as records
from bot.db import users
from bot.services import orgs
from tests.conftest import MENU_EN, MENU_ZH


def invite_code(text: str) -> str:
    return re.search(r"start=([\w-]+)", text).group(1)


async def create_org(user, name: str, lang: str = "zh") -> None:
    """First start: pick the language, create an organization, continue to the menu."""
    await user.send("/start")
    await user.press("简体中文" if lang == "zh" else "English")
    await user.press("🏭 创建组织" if lang == "zh" else "🏭 Create an organization")
    await user.send(name)
    await user.press("继续 ➡️" if lang == "zh" else "Continue ➡️")


# Who an invite is for, as the role is named elsewhere → its button (workers: 14 days).
INVITE_BUTTONS = {
    "worker": "Workers · 14 days",
    "manager": "One manager · 3 days",
    "admin": "One admin · 3 days",
    "员工": "员工 · 14 天",
    "主管": "一位主管 · 3 天",
    "管理员": "一位管理员 · 3 天",
}


async def new_invite(user, role_label: str, team_label: str | None = None, zh: bool = True):
    """A new invite (workers: the default 14 days); returns the code its link carries."""
    await user.send("/invite")
    await user.press("➕ 新建邀请" if zh else "➕ New invite")
    await user.press(INVITE_BUTTONS.get(role_label, role_label))
    if team_label:
        await user.press(team_label)
    return invite_code(user.text())


async def test_first_start_offers_language_then_three_ways(local):
    user = local.user(2001, language_code="zh-hans", first_name="陈工")
    await user.send("/start")
    assert user.text().startswith("欢迎使用认证通！")
    assert user.buttons() == ["English", "✅ 简体中文"]  # pre-selected from Telegram
    await user.press("✅ 简体中文")
    assert user.buttons() == ["🔑 加入我的公司", "🏭 创建组织", "🧭 先自己看看"]
    await user.press("🧭 先自己看看")
    assert user.buttons() == MENU_ZH
    assert users.onboarded(local.db, user.id)
    await user.send("/start")  # the second time: straight to the menu
    assert user.buttons() == MENU_ZH
    await user.press("🏭 组织")
    assert "您还没有加入任何组织" in user.text()  # a solo user is told what needs one
    assert user.buttons() == ["🔑 用邀请码加入", "🏭 创建组织", "⬅️ 返回"]


async def test_manager_creates_org_prints_qr_and_a_worker_joins_in_one_tap(local):
    boss = local.user(2002, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密制造")
    assert "您在华东精密制造的角色：管理员。" in boss.text()

    await boss.press("🏭 组织")
    await boss.press("🔗 邀请成员")
    await boss.press("➕ 新建邀请")
    assert boss.buttons() == [
        "员工 · 14 天",
        "员工 · 90 天",
        "员工 · 长期有效（直到撤回）",
        "一位主管 · 3 天",
        "一位管理员 · 3 天",
        "⬅️ 返回",
    ]
    await boss.press("员工 · 14 天")
    screen = boss.text()
    assert "邀请：员工" in screen and "已使用 0/100 次" in screen
    code = re.search(r"邀请码：(\w{4}-\w{4}-\w{4})", screen).group(1)
    link = re.search(r"https://t\.me/certready_local_bot\?start=[\w-]+", screen).group(0)
    await boss.press("🖨 打印用二维码")
    sent = [m for m in boss.messages() if "document" in m][-1]
    png = local.api.files[sent["document"]["file_id"]].data
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 500
    assert sent["document"]["file_name"] == f"certready-invite-{code}.png"
    assert "扫码加入认证通上的华东精密制造（角色：员工）" in sent["caption"]
    assert link in sent["caption"]
    assert boss.text(boss.messages()[-1]).startswith("邀请：员工")  # the screen stays below it

    worker = local.user(2003, language_code="en", first_name="Ming")
    await worker.send("/start " + invite_code(link))  # what opening the link sends
    assert worker.text() == "🎉 Welcome to 华东精密制造! Your role: worker."
    assert orgs.membership(local.db, worker.id).role == "worker"
    await worker.press("Continue ➡️")
    assert "Your role at 华东精密制造: worker." in worker.text()
    assert worker.buttons() == MENU_EN


async def test_admin_promotes_a_second_manager_who_can_then_invite(local):
    boss = local.user(2004, language_code="en", first_name="Alice")
    await create_org(boss, "Acme Plastics", lang="en")
    code = await new_invite(boss, "worker", zh=False)
    bob = local.user(2005, language_code="zh", first_name="Bob")
    await bob.send(f"/start {code}")
    await boss.send("/org")
    await boss.press("👥 Members")
    assert boss.buttons()[:2] == ["👑 Alice · admin", "👷 Bob · worker"]
    await boss.press("👷 Bob · worker")
    assert "Role: worker" in boss.text()
    await boss.press("🧭 Make manager")
    assert "Role: manager" in boss.text()
    assert orgs.membership(local.db, bob.id).role == "manager"

    code = await new_invite(bob, "员工")  # Bob, now a manager, invites in Chinese
    assert bob.buttons()[-1] == "⬅️ 返回"
    await bob.send("/invite")
    await bob.press("➕ 新建邀请")
    # Managers do not make admins.
    assert bob.buttons() == [
        "员工 · 14 天",
        "员工 · 90 天",
        "员工 · 长期有效（直到撤回）",
        "一位主管 · 3 天",
        "⬅️ 返回",
    ]


async def test_areas_teams_and_an_invite_for_a_team(local):
    boss = local.user(2006, language_code="en", first_name="Dana")
    await create_org(boss, "Delta Valves", lang="en")
    await boss.send("/org")
    await boss.press("📍 Areas and teams")
    await boss.press("➕ Add an area")
    await boss.send("Line 3")
    await boss.press("➕ Add an area")
    await boss.send("x")
    assert "2 to 64 characters" in boss.transcript(2)
    await boss.send("Warehouse")
    await boss.press("➕ Add a team")
    await boss.send("Night shift")
    assert "• Line 3\n• Warehouse" in boss.text() and "• Night shift" in boss.text()
    await boss.press("➕ Add a team")
    await boss.send("night   SHIFT")  # the same name, whatever the case and spacing
    assert "There is one with that name already." in boss.transcript(2)
    await boss.press("⬅️ Back")
    await boss.press("⬅️ Back")

    code = await new_invite(boss, "worker", "Night shift", zh=False)
    assert "Invite: worker · Night shift" in boss.text()
    eve = local.user(2007, language_code="en", first_name="Eve")
    await eve.send(f"/start {code}")
    assert orgs.membership(local.db, eve.id).team_name == "Night shift"

    await boss.send("/org")
    await boss.press("📍 Areas and teams")
    await boss.press("🗑 Remove…")
    await boss.press("📍 Warehouse")
    assert "Warehouse" not in boss.text()


async def test_join_with_a_typed_code_and_bad_codes(local):
    boss = local.user(2008, language_code="en", first_name="Ann")
    await create_org(boss, "Kappa Foods", lang="en")
    code = await new_invite(boss, "worker", zh=False)
    newbie = local.user(2009, language_code="zh", first_name="小张")
    await newbie.send("/start")
    await newbie.press("✅ 简体中文")
    await newbie.press("🔑 加入我的公司")
    await newbie.send("not-a-code")
    assert "找不到这个邀请码" in newbie.transcript(2)
    await newbie.send(code)
    assert newbie.text() == "🎉 欢迎加入Kappa Foods！您的角色：员工。"

    # A withdrawn invite's link says so, in the user's language.
    await boss.send("/invite")
    await boss.press(f"🔗 worker · {code} · 1/100")
    await boss.press("⛔ Withdraw")
    late = local.user(2010, language_code="en", first_name="Late")
    await late.send(f"/start {code}")
    assert "This invite was withdrawn" in late.transcript(3)
    assert orgs.membership(local.db, late.id) is None


async def test_member_of_another_org_confirms_the_switch(local):
    a = local.user(2011, language_code="en", first_name="A")
    await create_org(a, "Alpha", lang="en")
    b = local.user(2012, language_code="en", first_name="B")
    await create_org(b, "Beta", lang="en")
    w = local.user(2013, language_code="en", first_name="W")
    await w.send("/start " + await new_invite(a, "worker", zh=False))
    code = await new_invite(b, "manager", zh=False)
    await w.send(f"/start {code}")
    assert "You are a member of Alpha. Join Beta instead (role: manager)?" in w.text()
    await w.press("✖️ No, stay")
    assert orgs.membership(local.db, w.id).org_name == "Alpha"
    await w.send(f"/start {code}")
    await w.press("✅ Yes, switch")
    assert w.text() == "🎉 Welcome to Beta! Your role: manager."
    assert orgs.membership(local.db, w.id).org_name == "Beta"


async def test_the_last_admin_is_asked_to_hand_over(local):
    boss = local.user(2014, language_code="zh", first_name="老板")
    await create_org(boss, "独角兽工厂")
    code = await new_invite(boss, "员工")
    await local.user(2015, language_code="zh").send(f"/start {code}")
    await boss.send("/org")
    await boss.press("🚪 退出组织")
    await boss.press("🚪 是的，退出")
    assert "您是独角兽工厂唯一的管理员" in boss.transcript(3)
    assert orgs.membership(local.db, boss.id).role == "admin"
    await boss.send("/org")
    await boss.press("👥 成员")
    await boss.press("👑 老板 · 管理员")
    assert "👷 设为员工" not in boss.buttons()  # no demoting oneself from here


async def test_a_worker_leaves(local):
    boss = local.user(2016, language_code="en", first_name="Z")
    await create_org(boss, "Omega", lang="en")
    w = local.user(2017, language_code="en", first_name="Y")
    await w.send("/start " + await new_invite(boss, "worker", zh=False))
    await w.press("Continue ➡️")
    await w.press("🏭 Organization")
    assert w.buttons() == [  # no manager buttons: what every member may read, and leave
        "🎯 Quality objectives",
        "📋 Internal audits",
        "🚪 Leave the organization",
        "⬅️ Back",
    ]
    await w.press("🚪 Leave the organization")
    await w.press("🚪 Yes, leave")
    assert "You have left Omega." in w.transcript(3)
    assert orgs.membership(local.db, w.id) is None
    assert records.count_members(local.db, orgs.membership(local.db, boss.id).org_id) == 1


async def test_team_assignment_removal_and_org_settings_in_chinese(local):
    boss = local.user(2020, language_code="zh", first_name="周总")
    await create_org(boss, "星河电子")
    await boss.send("/org")
    await boss.press("📍 区域和班组")
    await boss.press("➕ 添加班组")
    await boss.send("白班")
    w = local.user(2021, language_code="zh", first_name="阿强")
    await w.send("/start " + await new_invite(boss, "员工", "整个组织"))

    await boss.send("/org")
    await boss.press("👥 成员")
    await boss.press("👷 阿强 · 员工")
    await boss.press("👥 班组")
    await boss.press("白班")
    assert "班组：白班" in boss.text()
    await boss.press("🗑 移出组织")
    assert "确定将 <b>" not in boss.text() and "确定将阿强移出组织吗" in boss.text()
    await boss.press("🗑 是的，移出")
    assert boss.buttons()[0] == "👑 周总 · 管理员" and "👷 阿强 · 员工" not in boss.buttons()
    assert orgs.membership(local.db, w.id) is None

    await boss.send("/org")
    await boss.press("⚙️ 组织设置")
    assert "时区：上海 · UTC+8" in boss.text() and "默认语言：简体中文" in boss.text()
    await boss.press("English")
    assert "默认语言：English" in boss.text()
    await boss.press("🕒 时区")
    await boss.send("Mars/Base")
    assert "不是有效的时区" in boss.transcript(2)
    await boss.press("柏林")
    await boss.press("✏️ 重命名")
    await boss.send("星河电子（苏州）")
    org = orgs.organization(local.db, boss.id)
    assert (org["name"], org["timezone"], org["language"]) == (
        "星河电子（苏州）",
        "Europe/Berlin",
        "en",
    )


async def test_bot_admins_see_numbers_others_do_not(local, settings):
    settings.admin_ids.append(2030)
    admin = local.user(2030, language_code="en")
    await admin.send("/stats")
    assert admin.text().startswith("CertReady in numbers\nUsers: 1")
    someone = local.user(2031, language_code="en")
    await someone.send("/stats")
    assert someone.text() == "I don't know that command. Send /help to see what I can do."
