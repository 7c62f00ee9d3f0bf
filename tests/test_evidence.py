"""Evidence survives: a photo that cannot be archived yet is owed work, shown on the report and
retried until it is; a photo Telegram has forgotten is shown from its archived copy."""

from pathlib import Path

from bot.services import nc
from tests.conftest import MONTH_END, make_settings
from tests.test_cases import PNG
from tests.test_onboarding import create_org, new_invite


async def report_with_photo(local, base: int):
    boss = local.user(base, language_code="en", first_name="Al")
    await create_org(boss, "Evidence Ltd", lang="en")
    worker = local.user(base + 1, language_code="en", first_name="Wu")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.send("/report")
    await worker.send_photo(PNG + b"crack")
    await worker.press("➡️ Next")
    await worker.send("Crack in the housing")
    await worker.press("⏭ Skip")
    await worker.press("Product")
    await worker.press("🟢 Minor")
    await worker.press("✅ Submit")
    return boss, worker


async def test_a_photo_that_cannot_be_archived_yet_is_retried_and_shown_as_waiting(tmp_path, clock):
    clock(MONTH_END)
    from bot.db import open_db
    from bot.local import LocalBot
    from bot.services import library

    blocker = tmp_path / "evidence"
    blocker.write_text("a file where the evidence folder should be")
    settings = make_settings(evidence_path=str(blocker / "photos"))
    local = await LocalBot(settings, open_db(None)).start()
    assert library.load(local.db) == []
    boss, worker = await report_with_photo(local, 9601)
    assert "Saved as" in worker.text(worker.keyboard_message())  # saved all the same
    report = nc.mine(local.db, worker.id)[0]
    await boss.press("👀 Open the report", boss.messages()[-1])
    assert "📷 1 photo(s) not yet archived." in boss.text()
    error = local.db.execute("SELECT last_error, attempts FROM nc_photos").fetchone()
    assert error[1] >= 1 and error[0]  # why it failed is kept

    blocker.unlink()  # the operator fixes the folder; the next pass archives the photo
    await local.work()
    assert not (blocker / "photos").exists()  # not yet: it waits out a pause first
    clock.shift(minutes=1)
    await local.work()
    archived = blocker / "photos" / str(report.org_id) / report.reference / "1.jpg"
    assert archived.read_bytes() == PNG + b"crack"
    await boss.send("/reports")
    await boss.press(f"🟢 {report.reference} · new")
    assert "not yet archived" not in boss.text()
    await local.stop()


async def test_a_photo_telegram_forgot_is_shown_from_the_archive(local, settings):
    boss, worker = await report_with_photo(local, 9701)
    report = nc.mine(local.db, worker.id)[0]
    assert Path(settings.evidence_path, str(report.org_id), report.reference, "1.jpg").exists()
    local.api.files.clear()  # as after another Telegram server, or an earlier console run
    await boss.press("👀 Open the report", boss.messages()[-1])
    before = len(boss.messages())
    await boss.press("📷 Photos (1)")
    shown = [m for m in boss.messages()[before:] if "photo" in m]
    assert len(shown) == 1
    data = local.api.files[shown[0]["photo"][-1]["file_id"]].data
    assert data == PNG + b"crack"  # the archived copy
    assert not any("Sorry" in m.get("text", "") for m in boss.messages())


async def test_voice_notes_and_videos_are_evidence_and_other_files_are_refused(local, settings):
    boss = local.user(9801, language_code="en", first_name="Al")
    await create_org(boss, "Noisy Floor", lang="en")
    worker = local.user(9802, language_code="zh", first_name="阿强")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.press("继续 ➡️")
    await worker.send("/report")
    await worker.send_voice(b"OggS voice: the press is leaking again")
    await worker.send_video(b"\x00\x00\x00\x18ftypmp4 video of the leak")
    await worker.send_document(b"%PDF-1.4 manual", "manual.pdf", "application/pdf")
    assert "“manual.pdf”是一个文件，不是照片、语音或视频" in worker.transcript(2)
    await worker.send_document(PNG + b"scan", "scan.png", "image/png")  # an image as a file
    await worker.send_photo(PNG + b"blurry")
    screen = worker.text(worker.keyboard_message())
    assert "已收到 2 张照片" in screen and "🎤 语音：1 条 · 🎬 视频：1 段" in screen
    await worker.press("🗑 4 📷")  # the blurry photo goes again
    assert "已收到 1 张照片" in worker.text(worker.keyboard_message())
    await worker.press("➡️ 下一步")
    await worker.send("3号压力机漏油")
    await worker.press("⏭ 跳过")
    await worker.press("设备")
    await worker.press("🟠 严重")
    await worker.press("✅ 提交")
    report = nc.mine(local.db, worker.id)[0]
    folder = Path(settings.evidence_path) / str(report.org_id) / report.reference
    assert sorted(p.name for p in folder.iterdir()) == ["1.ogg", "2.mp4", "3.jpg"]

    await boss.press("👀 Open the report", boss.messages()[-1])
    before = len(boss.messages())
    await boss.press("📎 Photos and recordings (3)")
    shown = boss.messages()[before:]
    assert [k for m in shown for k in ("photo", "voice", "video") if k in m] == [
        "photo",
        "voice",
        "video",
    ]


async def test_a_voice_note_sent_on_the_menu_is_offered_as_a_report(local):
    boss = local.user(9851, language_code="en", first_name="Al")
    await create_org(boss, "Voice Ltd", lang="en")
    await boss.send("/menu")
    await boss.send_voice(b"OggS the conveyor makes a grinding noise")
    assert boss.text() == "Report this as a problem?"
    await boss.press("⚠️ Yes, report it")
    assert "🎤 Voice notes: 1 · 🎬 Videos: 0" in boss.text()
