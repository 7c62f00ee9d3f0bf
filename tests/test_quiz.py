"""Quizzes: personal practice with spaced repetition (FSRS) in both languages, across a
restart and into the next day."""

from datetime import datetime, timedelta

import pytest

from bot.db import open_db
from bot.local import LocalBot
from bot.services import library, quiz
from tests.conftest import SHANGHAI

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def exact_intervals(monkeypatch):
    monkeypatch.setattr(quiz, "FUZZ", False)


def shown_question(db, user, lang: str) -> quiz.Question:
    """The bank's question on the person's screen now."""
    screen = user.text()
    found = [q for q in quiz.bank(db, lang) if q.text in screen]
    assert len(found) == 1, screen
    return found[0]


async def answer(db, user, lang: str, right: bool) -> str:
    """Press a right or a wrong option; returns the question's id."""
    found = shown_question(db, user, lang)
    index = (
        found.correct[0]
        if right
        else next(i for i in range(len(found.options)) if i not in found.correct)
    )
    await user.press("ABCDEF"[index])
    return found.id


def test_a_missed_question_comes_back_sooner_than_a_known_one(db):
    first, second = (q.id for q in quiz.bank(db, "en")[:2])
    db.execute(
        "INSERT INTO users (id, first_name, active, created_at, updated_at)"
        " VALUES (7, 'Li', 1, '2026-11-01', '2026-11-01')"
    )
    assert quiz.answer(db, 7, first, quiz.question(db, first, "en").correct[0], "k1", TUESDAY)
    wrong = next(i for i in range(6) if i not in quiz.question(db, second, "en").correct)
    assert quiz.answer(db, 7, second, wrong, "k2", TUESDAY) is False
    missed, known = quiz.due_at(db, 7, second), quiz.due_at(db, 7, first)
    assert missed - TUESDAY == timedelta(days=1)  # not in ten minutes: a daily quiz
    assert known - TUESDAY == timedelta(days=2)
    # Known again two days later: the interval grows; missed again: back the next day.
    quiz.answer(db, 7, first, quiz.question(db, first, "en").correct[0], "k3", known)
    assert quiz.due_at(db, 7, first) - known > timedelta(days=4)
    quiz.answer(db, 7, second, wrong, "k4", missed)
    assert quiz.due_at(db, 7, second) - missed == timedelta(days=1)
    # The same step recorded twice (a double tap) counts once.
    quiz.answer(db, 7, second, wrong, "k4", missed)
    assert db.execute("SELECT COUNT(*) FROM quiz_answers WHERE user_id = 7").fetchone()[0] == 4


async def test_a_worker_practises_ten_in_chinese_and_the_missed_come_back_first(
    settings, tmp_path, clock
):
    clock(TUESDAY)
    path = tmp_path / "bot.sqlite3"
    local = await LocalBot(settings, open_db(path)).start()
    assert library.load(local.db) == []
    wang = local.user(5001, language_code="zh", first_name="王")
    await wang.send("/start")
    await wang.press("简体中文")
    await wang.press("🧭 先自己看看")
    await wang.send("/practice")
    assert "每次十道题；答错的题第二天会再出现。" in wang.text()
    await wang.press("▶️ 做十道题")
    missed = []
    for n in range(10):
        assert f"第 {n + 1} 题，共 10 题" in wang.text()
        wrong = n in (1, 4, 8)
        asked = await answer(local.db, wang, "zh", right=not wrong)
        if wrong:
            missed.append(asked)
            assert wang.text().startswith("❌ 不对。正确答案：")
        else:
            assert wang.text().startswith("✅ 答对了！")
        assert any(b.startswith("📖") for b in wang.buttons())  # into the library page
        if n == 4:  # a restart in the middle: the session goes on where it was
            await local.stop()
            local = await LocalBot(settings, open_db(path), local.api).start()
        await wang.press("➡️ 下一题" if n < 9 else "🏁 查看结果")
    summary = wang.text()
    assert "本轮答对 7 题，共 10 题。" in summary and "这些题明天会再出现：" in summary

    clock(TUESDAY + timedelta(days=1))
    await wang.send("/practice")
    assert "🔁 待复习（3）" in wang.buttons()
    assert "已连续" not in wang.text()  # one day so far
    await wang.press("🔁 待复习（3）")
    first_three = []
    for _ in range(3):
        first_three.append(await answer(local.db, wang, "zh", right=True))
        await wang.press("➡️ 下一题")
    assert sorted(first_three) == sorted(missed)
    await wang.press("✖️ 结束")
    assert "🔥 已连续练习 2 天" in wang.text()
    await local.stop()


async def test_practice_in_english_by_topic_with_the_library_page(local, clock, en_user):
    clock(TUESDAY)
    await en_user.send("/practice")
    topic = next(b for b in en_user.buttons() if b.startswith("Nonconformity"))
    await en_user.press(topic)
    asked = shown_question(local.db, en_user, "en")
    assert asked.topic == "nonconformity"
    assert "Question 1 of 10 · Nonconformity and corrective action" in en_user.text()
    await answer(local.db, en_user, "en", right=True)
    assert en_user.text().startswith("✅ Right!")
    page = next(b for b in en_user.buttons() if b.startswith("📖"))
    await en_user.press(page)
    assert page.removeprefix("📖 ")[:20] in en_user.text()  # the page the answer comes from
    await en_user.press("⬅️ Back")
    assert en_user.text().startswith("✅ Right!")  # back where one was
    await en_user.press("✖️ Stop")
    assert "You got 1 of 1 right." in en_user.text()
    await en_user.send("/practice")
    assert "Answered: 1 · right: 100% · learned: 1" in en_user.text()
