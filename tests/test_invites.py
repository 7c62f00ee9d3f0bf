"""Invites from paper: a code read off a wall and typed on a phone, a sheet that says what it is
for and until when, an expiry the manager picks, and the codes of the previous version."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw

from bot.db import orgs as records
from bot.db import users
from bot.qr import _font, invite_sheet
from bot.services import orgs
from tests.conftest import MONTH_END
from tests.test_onboarding import create_org, new_invite

LINK = re.compile(r"https://t\.me/certready_local_bot\?start=([\w-]+)")


@pytest.fixture
def next_codes(monkeypatch):
    """The codes the next invites get, in order (real ones are random)."""

    def use(*codes: str) -> None:
        characters = iter("".join(codes))
        monkeypatch.setattr(orgs, "secrets", SimpleNamespace(choice=lambda _: next(characters)))

    return use


async def open_code_input(person, zh: bool) -> None:
    """A newcomer chooses to join with a code."""
    await person.send("/start")
    await person.press("✅ 简体中文" if zh else "✅ English")
    await person.press("🔑 加入我的公司" if zh else "🔑 Join my company")


def welcomed(person, org: str, role: str) -> bool:
    """The person was welcomed to ``org`` in their language, with their ``role``."""
    text = person.text()
    return text.startswith("🎉") and org in text and role in text


def sheet(local, person) -> tuple[dict, list[str], bytes]:
    """The last sheet sent to ``person``: the message, the lines drawn under the QR, the PNG."""
    sent = [m for m in person.messages() if "document" in m][-1]
    png = local.api.files[sent["document"]["file_id"]].data
    return sent, Image.open(io.BytesIO(png)).text["Description"].split("\n"), png


# ----- codes --------------------------------------------------------------------------------
def test_new_codes_are_twelve_crockford_characters_shown_in_groups(db):
    users.seen(db, 1, "Boss", None, "en")
    orgs.create_organization(db, 1, "Acme", "Asia/Shanghai", "en")
    codes = {orgs.create_invite(db, 1, "worker").code for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", code)  # no I, L, O, U: 60 bits
        assert re.fullmatch(r"(\w{4})-(\w{4})-(\w{4})", orgs.grouped(code))
    assert orgs.grouped("aB3-xY_9kLmN0pQr") == "aB3-xY_9kLmN0pQr"  # an old code, as it is


async def test_a_worker_types_the_code_off_the_wall_in_lower_case_with_spaces(local, next_codes):
    next_codes("K7M2QX4P9TRD")
    boss = local.user(3001, language_code="zh", first_name="陈经理")
    await create_org(boss, "华东精密制造")
    assert await new_invite(boss, "员工") == "K7M2-QX4P-9TRD"  # the link carries it grouped
    assert "邀请码：K7M2-QX4P-9TRD\n" in boss.text()

    worker = local.user(3002, language_code="zh", first_name="小李")
    await open_code_input(worker, zh=True)
    await worker.send("k7m2 qx4p 9trd")
    assert welcomed(worker, "华东精密制造", "员工")


async def test_o_is_read_as_zero_and_i_or_l_as_one_full_width_too(local, next_codes):
    next_codes("10K7M20QX4P1", "Z0Z0Z0Z1Z1Z1")
    boss = local.user(3003, language_code="en", first_name="Ann")
    await create_org(boss, "Kappa Foods", lang="en")
    assert await new_invite(boss, "worker", zh=False) == "10K7-M20Q-X4P1"
    assert await new_invite(boss, "worker", zh=False) == "Z0Z0-Z0Z1-Z1Z1"

    first = local.user(3004, language_code="en", first_name="Olga")
    await open_code_input(first, zh=False)
    await first.send("lok7-m2oq-x4pi")  # what one reads off a smudged sheet
    assert first.text() == "🎉 Welcome to Kappa Foods! Your role: worker."

    second = local.user(3005, language_code="zh", first_name="阿强")
    await open_code_input(second, zh=True)
    await second.send(
        "ｚｏｚｏ－ＺＯＺＩ—ｚｌｚｌ"
    )  # a Chinese keyboard's full-width letters, dashes
    assert welcomed(second, "Kappa Foods", "员工")


async def test_a_pasted_link_a_pasted_sentence_and_start_with_the_code(local, next_codes):
    next_codes("ABCD2345EFGH")
    boss = local.user(3006, language_code="en", first_name="Dana")
    await create_org(boss, "Delta Valves", lang="en")
    code = await new_invite(boss, "worker", zh=False)
    link = LINK.search(boss.text()).group(0)
    assert link == "https://t.me/certready_local_bot?start=ABCD-2345-EFGH"

    pasted = local.user(3007, language_code="en", first_name="Paste")
    await open_code_input(pasted, zh=False)
    await pasted.send(f"Join us: {link}")
    assert pasted.text() == "🎉 Welcome to Delta Valves! Your role: worker."

    sentence = local.user(3008, language_code="zh", first_name="小王")
    await open_code_input(sentence, zh=True)
    await sentence.send("邀请码：abcd 2345 efgh，谢谢")
    assert welcomed(sentence, "Delta Valves", "员工")

    # The sheet says "send /start CODE": with the dashes, without, in any case.
    for user_id, typed in ((3009, code), (3010, "abcd2345efgh"), (3011, "abcd 2345 efgh")):
        person = local.user(user_id, language_code="en")
        await person.send(f"/start {typed}")
        assert person.text() == "🎉 Welcome to Delta Valves! Your role: worker."

    stranger = local.user(3012, language_code="en")
    await stranger.send("/start ABCD-2345-EFGX")  # one character off
    assert "I don't know that invite code" in stranger.transcript(3)
    assert orgs.membership(local.db, stranger.id) is None


async def test_a_code_from_the_previous_version_works_exactly_as_before(local, clock):
    clock(MONTH_END)
    boss = local.user(3013, language_code="zh", first_name="周总")
    await create_org(boss, "星河电子")
    org_id = orgs.membership(local.db, boss.id).org_id
    old = "aB3-xY_9kLmN0pQr"  # secrets.token_urlsafe(12), stored as the previous version did
    local.db["invites"].insert(
        {
            "code": old,
            "org_id": org_id,
            "role": "worker",
            "team_id": None,
            "created_by": boss.id,
            "created_at": "2026-11-01T00:00:00+00:00",
            "expires_at": "2026-12-07T15:30:00+00:00",
            "max_uses": 100,
            "uses": 0,
        }
    )
    await boss.send("/invite")
    await boss.press(f"🔗 员工 · {old} · 0/100")
    assert "邀请码：aB3-xY_9kLmN0pQr\n" in boss.text()
    assert f"https://t.me/certready_local_bot?start={old}" in boss.text()

    typed_wrong = local.user(3014, language_code="zh")
    await typed_wrong.send(f"/start {old.lower()}")  # old codes are case-sensitive, as before
    assert "找不到这个邀请码" in typed_wrong.transcript(3)

    by_link = local.user(3015, language_code="zh")
    await by_link.send(f"/start {old}")
    assert welcomed(by_link, "星河电子", "员工")
    by_typing = local.user(3016, language_code="en")
    await open_code_input(by_typing, zh=False)
    await by_typing.send(f"  {old}  ")
    assert by_typing.text() == "🎉 Welcome to 星河电子! Your role: worker."
    pasted = local.user(3017, language_code="en")
    await open_code_input(pasted, zh=False)
    await pasted.send(f"https://t.me/certready_bot?start={old}")
    assert pasted.text() == "🎉 Welcome to 星河电子! Your role: worker."
    assert records.invite(local.db, old).uses == 3


# ----- expiry ---------------------------------------------------------------------------
async def test_the_manager_picks_how_long_a_worker_invite_works(local, clock, next_codes):
    clock(MONTH_END)  # 30 Nov 2026, 23:30 in Shanghai
    next_codes("AAAA1111BBBB", "CCCC2222DDDD", "EEEE3333FFFF", "GGGG4444HHHH")
    boss = local.user(3020, language_code="en", first_name="Ma")
    await create_org(boss, "Omega Parts", lang="en")
    users.set_timezone(local.db, boss.id, "Europe/Berlin")  # the screen shows the viewer's zone

    async def invite(kind: str) -> str:
        await boss.send("/invite")
        await boss.press("➕ New invite")
        await boss.press(kind)
        return boss.text()

    screen = await invite("Workers · 14 days")
    assert "Used 0 of 100 times · valid until Dec 14, 2026, 16:30 UTC+1." in screen
    screen = await invite("Workers · 90 days")
    assert "Used 0 of 1000 times · valid until Feb 28, 2027, 16:30 UTC+1." in screen
    screen = await invite("Workers · until withdrawn")
    assert "Used 0 of 1000 times · valid until withdrawn." in screen
    screen = await invite("One manager · 3 days")  # handing over power stays short and single
    assert "Used 0 of 1 times · valid until Dec 3, 2026, 16:30 UTC+1." in screen

    async def joins(user_id: int, code: str) -> str:
        person = local.user(user_id, language_code="zh")
        await person.send(f"/start {code}")
        return person.transcript(3)

    clock.shift(days=14)
    assert "这个邀请已过期" in await joins(3021, "AAAA-1111-BBBB")
    assert "Omega Parts！" in await joins(3022, "CCCC-2222-DDDD")
    clock(datetime(2036, 6, 1, tzinfo=UTC))  # years later, the sheet is still on the wall
    assert "这个邀请已过期" in await joins(3023, "cccc2222dddd")
    assert "Omega Parts！" in await joins(3024, "eeee 3333 ffff")
    await boss.send("/invite")
    assert boss.buttons()[0] == "🔗 worker · EEEE-3333-FFFF · 1/1000"
    await boss.press("🔗 worker · EEEE-3333-FFFF · 1/1000")
    assert "valid until withdrawn." in boss.text()
    await boss.press("⛔ Withdraw")
    assert "这个邀请已被撤回" in await joins(3025, "EEEE-3333-FFFF")


def test_an_unknown_term_or_a_long_privileged_invite_is_refused_or_kept_short(db):
    users.seen(db, 1, "Boss", None, "en")
    orgs.create_organization(db, 1, "Acme", "Asia/Shanghai", "en")
    now = datetime(2026, 11, 24, tzinfo=UTC)
    with pytest.raises(orgs.NotAllowed):
        orgs.create_invite(db, 1, "worker", term="forever", now=now)
    manager = orgs.create_invite(db, 1, "manager", term="withdrawn", now=now)
    assert (manager.max_uses, manager.expires_at) == (1, "2026-11-27T00:00:00+00:00")
    assert not orgs.until_withdrawn(manager)


# ----- the sheet -----------------------------------------------------------------------------
def decoded(png: bytes, tmp_path) -> str | None:
    """What a phone reads from the sheet's QR code (None where zbarimg is not installed)."""
    if shutil.which("zbarimg") is None:
        return None
    path = tmp_path / "sheet.png"
    path.write_bytes(png)
    found = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    return found.stdout.strip()


async def test_the_sheet_in_chinese_for_a_chinese_organization(local, clock, next_codes, tmp_path):
    clock(MONTH_END)
    next_codes("K7M2QX4P9TRD")
    boss = local.user(3030, language_code="en", first_name="Wang")  # reads English himself
    await create_org(boss, "华东精密制造", lang="en")
    await boss.send("/org")
    await boss.press("⚙️ Organization settings")
    await boss.press("简体中文")  # the organization speaks Chinese
    orgs.add_place(local.db, boss.id, "teams", "夜班")
    await boss.send("/invite")
    await boss.press("➕ New invite")
    await boss.press("Workers · 14 days")
    await boss.press("夜班")
    await boss.press("🖨 QR code to print")
    sent, lines, png = sheet(local, boss)
    assert lines == [
        "华东精密制造",
        "角色：员工",
        "班组：夜班",
        "有效期至 2026年12月14日 23:30",  # the organization's own time zone
        "K7M2-QX4P-9TRD",
        "用 Telegram 扫码，或打开 t.me/certready_local_bot 并发送 /start K7M2-QX4P-9TRD",
    ]
    assert sent["document"]["file_name"] == "certready-invite-K7M2-QX4P-9TRD.png"
    assert Image.open(io.BytesIO(png)).size == (1240, 1754)  # A4 at 150 dpi
    link = "https://t.me/certready_local_bot?start=K7M2-QX4P-9TRD"
    assert decoded(png, tmp_path) in (None, link)
    assert sent["caption"] == f"Scan to join 华东精密制造 on CertReady (role: worker).\n{link}"
    assert boss.text(boss.messages()[-1]).startswith("Invite: worker · 夜班")  # stays below


async def test_the_sheet_in_english_until_withdrawn(local, clock, next_codes, tmp_path):
    clock(MONTH_END)
    next_codes("W0RKSH0P2026")
    boss = local.user(3031, language_code="zh", first_name="Lee")
    await create_org(boss, "Delta Valves", lang="zh")
    await boss.send("/org")
    await boss.press("⚙️ 组织设置")
    await boss.press("English")  # the organization speaks English; its manager Chinese
    await boss.send("/invite")
    await boss.press("➕ 新建邀请")
    await boss.press("员工 · 长期有效（直到撤回）")
    assert "已使用 0/1000 次 · 长期有效，直到撤回。" in boss.text()
    await boss.press("🖨 打印用二维码")
    sent, lines, png = sheet(local, boss)
    assert lines[:4] == ["Delta Valves", "Role: worker", "Valid until withdrawn", "W0RK-SH0P-2026"]
    assert " ".join(lines[4:]) == (
        "Scan with Telegram, or open t.me/certready_local_bot and send /start W0RK-SH0P-2026"
    )
    assert sent["caption"].startswith("扫码加入认证通") and "Delta Valves" in sent["caption"]
    assert decoded(png, tmp_path) in (None, "https://t.me/certready_local_bot?start=W0RK-SH0P-2026")


def test_the_sheet_draws_chinese_with_a_real_cjk_font():
    font = _font("Noto Sans CJK SC", 40)
    assert font.getname() == ("Noto Sans CJK SC", "Regular")

    def glyph(char: str) -> bytes:
        image = Image.new("L", (48, 48), 255)
        ImageDraw.Draw(image).text((4, 0), char, font=font, fill=0)
        return image.tobytes()

    assert glyph("角") != glyph("色") != glyph("□")  # tofu would draw one box for all
    _png, drawn = invite_sheet("https://t.me/x?start=A", "质量部" * 30, [], "A", "n")
    *heading, code, note = drawn
    assert len(heading) > 1 and "".join(heading) == "质量部" * 30  # wrapped to fit the page
    assert all(font.getlength(line) <= 1240 - 2 * 90 for line in heading)
    assert (code, note) == ("A", "n")
