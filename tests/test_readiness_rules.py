"""Readiness that cannot flatter: Not applicable only where ISO 9001 allows it, chapter results
labelled as such and compared like with like, nothing a person answered ever set aside."""

import io

import pytest
import sqlite_utils
from openpyxl import load_workbook

from bot.db import migrations, users
from bot.db.migrations import MIGRATIONS, migrate
from bot.localapi.user import find_button
from bot.services import library, readiness
from bot.services.orgs import NotAllowed
from tests.test_onboarding import create_org
from tests.test_readiness import EN_ANSWERS, ZH_ANSWERS


def allowed(db) -> set[str]:
    return set(readiness.na_allowed(db))


async def test_not_applicable_is_offered_only_where_iso_9001_allows_it(local, db):
    boss = local.user(5101, language_code="en", first_name="Nora")
    await create_org(boss, "Acme", lang="en")
    await boss.send("/readiness")
    total = len(readiness.questions(db, "all", "en"))
    await boss.press(f"📝 Full assessment ({total} questions)")
    assert EN_ANSWERS["na"] not in boss.buttons()  # 4.1: context can never be excluded
    # A crafted "Not applicable" (the button is not there) is refused, not recorded.
    screen = boss.keyboard_message()
    yes = find_button(screen, EN_ANSWERS["yes"])["callback_data"]
    answer = await boss.press_data(yes.replace("a_yes", "a_na"), screen)
    assert answer["text"] == "ISO 9001 does not allow this requirement to be excluded."
    assessment = readiness.in_progress(db, boss.id)[0]
    assert readiness.answers(db, boss.id, assessment.id) == {}

    # N/A wherever offered, never Yes: gaps everywhere else, never "100%, no gaps".
    offered = 0
    for _ in range(total):
        if EN_ANSWERS["na"] in boss.buttons():
            offered += 1
            await boss.press(EN_ANSWERS["na"])
        else:
            await boss.press(EN_ANSWERS["partly"])
    result = boss.text()
    assert offered == len(allowed(db)) >= 3
    assert result.startswith("🎯 Readiness: 50%") and "No gaps found" not in result
    assert "Declared not applicable (your scope statement, 4.3, must justify each):" in result
    assert "➖ 8.3 Design and development of products and services" in result
    with pytest.raises(NotAllowed):
        readiness.record(db, boss.id, assessment.id, "q-4-1-context", "na")


async def test_a_chapter_result_says_so_everywhere_and_is_compared_with_the_same_chapter(local):
    user = local.user(5102, language_code="zh", first_name="林")
    await create_org(user, "华东精密")
    await user.send("/readiness")
    count = len(readiness.questions(local.db, "all", "zh"))
    await user.press(f"📝 完整自评（{count} 题）")
    await user.press(ZH_ANSWERS["yes"])  # one answer, then pause the full assessment
    await user.press("⏸ 暂停")
    await user.press("📂 按章自评")
    await user.press(user.buttons()[3])  # clause 7
    chapter = len(readiness.questions(local.db, "7", "zh"))
    for _ in range(chapter):
        await user.press(ZH_ANSWERS["no"])
    text = user.text()
    assert text.startswith("🎯 第 7 章 支持：0%") and "仅为单章结果，并非总体就绪度。" in text
    assert "自上次" not in text  # no earlier result of clause 7: nothing to compare with

    await user.press("📊 图表")
    photo = [m for m in user.messages() if "photo" in m][-1]
    assert photo["caption"] == "仅第 7 章：并非总体就绪度"
    await user.press("📥 电子表格")
    document = [m for m in user.messages() if "document" in m][-1]
    book = load_workbook(io.BytesIO(local.api.files[document["document"]["file_id"]].data))
    labels = [row[1] for row in book["汇总"].iter_rows(values_only=True)]
    assert "仅第 7 章：并非总体就绪度" in labels and "总体就绪度" not in labels

    # The full assessment paused before is still there, with its answer.
    await user.send("/readiness")
    assert f"▶️ 继续：完整自评（1/{count}）" in user.buttons()
    assert "• 仅第 7 章 支持：<b>0%</b>" not in user.text()  # HTML is rendered, not shown
    assert "仅第 7 章 支持：0%" in user.text() and "完整自评：" not in user.text()
    await user.press(f"▶️ 继续：完整自评（1/{count}）")
    assert user.text().startswith(f"2/{count}")


def test_an_assessment_set_aside_by_the_previous_version_is_open_again(tmp_path):
    """Before m009, starting a chapter closed an open full assessment without a score."""
    db = sqlite_utils.Database(tmp_path / "old.sqlite3")
    db.execute("PRAGMA foreign_keys = ON")
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for name, fn in MIGRATIONS:
        if name == "m009_readiness_keeps_everything":
            break
        with migrations.write(db):
            fn(db)
            db["_migrations"].insert({"name": name, "applied_at": "2026-11-01T00:00:00+00:00"})
    users.seen(db, 1, "Old", None, "en")
    users.seen(db, 2, "Older", None, "en")
    db.execute(
        "INSERT INTO assessments (id, user_id, scope, started_at, finished_at, score)"
        " VALUES (1, 1, 'all', '2026-11-01', '2026-11-02', NULL),"
        " (2, 1, '7', '2026-11-02', NULL, NULL),"
        # user 2: a finished result, then one set aside with three answers, then a new one
        " (10, 2, 'all', '2026-10-01', '2026-10-02', 0.5),"
        " (11, 2, 'all', '2026-10-05', '2026-10-06', NULL),"
        " (12, 2, 'all', '2026-10-07', NULL, NULL)"
    )
    db.execute(
        "INSERT INTO answers VALUES (11, 'q-4-1-context', 'yes', NULL, '2026-10-05'),"
        " (11, 'q-4-2-parties', 'yes', NULL, '2026-10-05'),"
        " (11, 'q-4-3-scope', 'yes', NULL, '2026-10-05')"
    )
    db.execute(
        "INSERT INTO answers VALUES (1, 'q-4-1-context', 'yes', 'kept', '2026-11-01'),"
        " (1, 'q-4-2-parties', 'no', NULL, '2026-11-01')"
    )
    assert migrate(db)[0] == "m009_readiness_keeps_everything"
    assert library.load(db) == []
    assert {a.scope for a in readiness.in_progress(db, 1)} == {"all", "7"}
    assert readiness.answers(db, 1, 1) == {"q-4-1-context": "yes", "q-4-2-parties": "no"}
    assert readiness.notes(db, 1, 1) == {"q-4-1-context": "kept"}
    readiness.note(db, 1, 1, "q-4-3-scope", "a note before its answer")  # now possible
    assert readiness.notes(db, 1, 1)["q-4-3-scope"] == "a note before its answer"
    assert "q-4-3-scope" not in readiness.answers(db, 1, 1)
    # Three answers set aside are not a "100%" result (m011): the finished one still is.
    assert readiness.latest_results(db, 2)["all"].id == 10
