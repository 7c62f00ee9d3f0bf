"""Team quizzes in a linked group: Telegram quiz polls in the group's languages, scored from
``poll_answer`` updates (members of the organization only), the leaderboard, and the weekly
challenge picked up by the scheduler's tick."""

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook

from bot.services import quiz, team_quiz
from tests.conftest import SHANGHAI
from tests.test_groups_privacy import GROUP, bot_joins
from tests.test_onboarding import create_org, new_invite

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


async def team_group(local):
    """华东精密 with a team 三号线, two workers in it, its group linked in both languages."""
    boss = local.user(6001, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    await boss.send("/org")
    await boss.press("📍 区域和班组")
    await boss.press("➕ 添加班组")
    await boss.send("三号线")
    workers = []
    for uid, name in ((6002, "小李"), (6003, "Tom")):
        person = local.user(uid, language_code="zh", first_name=name)
        await person.send("/start " + await new_invite(boss, "员工", "三号线"))
        workers.append(person)
    local.api.group_admins[GROUP["id"]] = {boss.id}
    in_group = {
        uid: local.user(uid, language_code="zh", first_name=name, chat=GROUP)
        for uid, name in ((6001, "王经理"), (6002, "小李"), (6003, "Tom"), (6099, "Stranger"))
    }
    await bot_joins(local, GROUP, in_group[6001].profile)
    await in_group[6001].send("/link 三号线")
    await in_group[6001].press("中文 + English")
    return boss, workers, in_group


def bank_question(db, poll: dict) -> quiz.Question:
    """The bank's question a bilingual poll asks (its question starts with the Chinese)."""
    found = [q for q in quiz.bank(db, "zh") if poll["question"].startswith(q.text + "\n")]
    assert len(found) == 1
    return found[0]


async def test_a_manager_runs_five_questions_in_the_bilingual_team_group(local, clock):
    clock(MONDAY)
    boss, (li, tom), group = await team_group(local)
    await group[6002].send("/quiz 5")
    assert "只有组织的主管" in group[6002].text()  # workers cannot start one
    await group[6001].send("/quiz 5")
    intro = next(m for m in group[6001].messages() if "🎓" in m.get("text", ""))
    assert "班组知识问答：5 道题" in intro["text"] and "Team quiz: 5 questions" in intro["text"]
    polls = group[6001].polls()
    assert len(polls) == 5
    for poll in polls:
        assert poll["type"] == "quiz" and poll["is_anonymous"] is False
        assert len(poll["question"]) <= 300 and all(len(o["text"]) <= 100 for o in poll["options"])
        asked = bank_question(local.db, poll)
        english = quiz.question(local.db, asked.id, "en")
        assert poll["question"] == f"{asked.text}\n{english.text}"  # one poll, both languages
        assert poll["options"][0]["text"] == f"{asked.options[0]} / {english.options[0]}"
        assert poll["correct_option_ids"] == asked.correct

    # Li answers all five right, Tom two right and three wrong; a manager of another company
    # answering a forwarded poll, and Li's second try, score nothing.
    await create_org(local.user(6099, language_code="en", first_name="Stranger"), "Rival Ltd")
    for n, poll in enumerate(polls):
        right = bank_question(local.db, poll).correct[0]
        wrong = next(i for i in range(len(poll["options"])) if i != right)
        await group[6002].answer_poll(poll["id"], right)
        await group[6003].answer_poll(poll["id"], right if n < 2 else wrong)
        await group[6099].answer_poll(poll["id"], right)
    await group[6002].answer_poll(polls[0]["id"], 0)  # a quiz takes one answer
    rows = local.db.execute(
        "SELECT user_id, SUM(correct), COUNT(*) FROM quiz_answers WHERE source = 'group'"
        " GROUP BY user_id ORDER BY user_id"
    ).fetchall()
    assert rows == [(6002, 5, 5), (6003, 2, 5)]
    assert local.db.execute("SELECT team_name FROM quiz_answers").fetchone()[0] == "三号线"

    await group[6003].send("/leaderboard")
    board = group[6003].text()
    assert "🏆 排行榜 · 华东精密 · 三号线" in board and "🏆 Leaderboard" in board
    assert "本周：\n1. 小李 — 5\n2. Tom — 2" in board
    assert "This week:\n1. 小李 — 5\n2. Tom — 2" in board
    await tom.send("/leaderboard")  # privately: the organization's, with its teams
    assert (
        "本周：\n1. 小李 — 5\n2. Tom — 2" in tom.text() and "本周各班组：\n三号线 — 7" in tom.text()
    )
    # Answers in the group count for personal practice too: the missed come back tomorrow.
    assert quiz.due_count(local.db, 6003, MONDAY + timedelta(days=1, minutes=1)) == 3

    # The manager's view and the training record an auditor accepts (7.2, 7.3).
    await boss.send("/training")
    overview = boss.text()
    assert "本周：3 名成员中有 2 人练习 · 答题 10 道，正确率 70%" in overview
    assert "• 三号线：本周 2 人中 2 人练习 · 正确率 70%" in overview
    await boss.press("👥 人员")
    assert "三号线 · 小李：本周 5 道，累计 5 道，正确率 100%" in boss.text()
    await boss.press("⬅️ 返回")
    await boss.press("📊 培训记录（XLSX）")
    sent = next(m for m in reversed(boss.messages()) if "document" in m)
    book = load_workbook(io.BytesIO(local.api.files[sent["document"]["file_id"]].data))
    answers = list(book["回答明细"].iter_rows(values_only=True))
    assert answers[0][:4] == ("时间（Asia/Shanghai）", "姓名", "班组", "方式")
    assert len(answers) == 11 and {row[1] for row in answers[1:]} == {"小李", "Tom"}
    assert {row[3] for row in answers[1:]} == {"班组问答"}
    assert sum(row[8] == "是" for row in answers[1:]) == 7
    people = {row[0]: row for row in book["人员"].iter_rows(values_only=True)}
    assert people["Tom"][2:4] == (5, 2) and people["王经理"][2] == 0
    await li.send("/training")
    assert "只有主管" in li.text() or "主管" in li.text()  # managers only


async def test_the_weekly_challenge_runs_once_each_week_from_the_tick(local, clock):
    clock(MONDAY - timedelta(days=1))
    _boss, _workers, group = await team_group(local)
    await group[6001].send("/quiz weekly mon 10:00 3")
    assert "每周一 10:00（UTC+8）" in group[6001].text()
    await group[6001].send("/quiz weekly")
    assert "Monday at 10:00" in group[6001].text()
    clock(MONDAY + timedelta(minutes=59))  # 09:59: not yet
    await local.tick()
    assert group[6001].polls() == []
    clock(MONDAY + timedelta(hours=1, minutes=1))
    await local.tick()
    await local.tick()  # twice: owed once
    assert len(group[6001].polls()) == 3
    clock(MONDAY + timedelta(days=7, hours=1, minutes=1))
    await local.tick()
    first_week = {p["question"] for p in group[6001].polls()[:3]}
    second_week = {p["question"] for p in group[6001].polls()[3:]}
    assert len(second_week) == 3 and not first_week & second_week  # new questions first
    await group[6001].send("/quiz weekly off")
    clock(MONDAY + timedelta(days=14, hours=1, minutes=1))
    await local.tick()
    assert len(group[6001].polls()) == 6


async def test_quiz_usage_and_topics_in_a_group(local, clock):
    clock(MONDAY)
    _boss, _workers, group = await team_group(local)
    await group[6001].send("/quiz lots")
    assert "/quiz weekly mon 10:00 5" in group[6001].text() and "audit" in group[6001].text()
    await group[6001].send("/quiz 2 内审")
    polls = group[6001].polls()
    assert len(polls) == 2 and all(bank_question(local.db, p).topic == "audit" for p in polls)


async def test_unlinking_ends_the_weekly_quiz_and_a_poll_sent_twice_scores_once(local, clock):
    clock(MONDAY - timedelta(days=1))
    _boss, _workers, group = await team_group(local)
    await group[6001].send("/quiz weekly mon 10:00 3")
    await group[6001].send("/quiz ²")  # not a number to Python's int(): the usage, no crash
    assert "/quiz weekly mon 10:00 5" in group[6001].text()

    # A crash between Telegram's answer and the outbox's record sends a poll twice: the
    # second copy is recorded too, and a person answering both scores once.
    await group[6001].send("/quiz 1")
    first = group[6001].polls()[-1]
    run_id, position = local.db.execute(
        "SELECT run_id, position FROM quiz_polls WHERE poll_id = ?", [first["id"]]
    ).fetchone()
    team_quiz.sent(local.db, "poll-again", run_id, position, GROUP["id"])
    local.api.polls["poll-again"] = {**local.api.polls[first["id"]], "voters": {}}
    await group[6002].answer_poll(first["id"], 0)
    await group[6002].answer_poll("poll-again", 0)
    count = "SELECT COUNT(*) FROM quiz_answers WHERE user_id = 6002 AND source = 'group'"
    assert local.db.execute(count).fetchone()[0] == 1

    await group[6001].send("/unlink")
    assert local.db.execute("SELECT COUNT(*) FROM quiz_challenges").fetchone()[0] == 0
    clock(MONDAY + timedelta(hours=1, minutes=1))
    await local.tick()
    assert len(group[6001].polls()) == 1  # no weekly quiz in a group no longer linked
