"""How a team quiz reads in a linked group: a line announcing it, then one Telegram quiz
poll per question, in the group's language — one bilingual poll where it reads both, so
nobody answers (and scores) twice. Polls are plain text: no parse mode."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.db import orgs as orgs_repo
from bot.outbox import Media, renders
from bot.services import groups, quiz, team_quiz
from bot.services.content import bilingual_option, bilingual_text
from bot.services.people import User
from dialogs.common import esc
from dialogs.training.practice import topic_name


@renders("quiz.intro")
def quiz_intro(db, person: User | None, params: dict):
    found = team_quiz.run(db, int(params.get("run", 0)))
    if person is not None or found is None:
        return None
    org_id, topic, questions = found
    org = orgs_repo.organization(db, org_id)
    count = ngettext(
        "🎓 <b>Team quiz</b>: {n} question", "🎓 <b>Team quiz</b>: {n} questions", len(questions)
    ).format(n=len(questions))
    about = f" · {topic_name(topic)}" if topic else ""
    rules = _(
        "Answer in the polls below. Right answers of {org}'s members count for /leaderboard."
    ).format(org=esc(org["name"]))
    return f"{count}{about}\n{rules}", None


@renders("quiz.poll")
def quiz_poll(db, person: User | None, params: dict):
    if person is not None:
        return None
    chat_id = int(params.get("chat", 0))
    run_id, position = int(params.get("run", 0)), int(params.get("position", 0))
    found = team_quiz.run(db, run_id)
    group = orgs_repo.group_chat(db, chat_id)
    if found is None or group is None or position >= len(found[2]):
        return None
    langs = groups.languages(group)
    asked = [quiz.question(db, found[2][position], lang) for lang in langs]
    if None in asked:
        return None  # removed from the bank since
    if len(asked) == 2:
        zh, en = asked
        question = bilingual_text(zh.text, en.text)
        options = [bilingual_option(z, e) for z, e in zip(zh.options, en.options, strict=True)]
        explanation = bilingual_text(zh.explanation, en.explanation)
    else:
        question, options, explanation = asked[0].text, asked[0].options, asked[0].explanation
    right = asked[0].correct

    async def send(bot, to_chat: int):
        extra = (
            {"correct_option_id": right[0]} if len(right) == 1 else {"correct_option_ids": right}
        )
        return await bot.send_poll(
            to_chat,
            question,
            options,
            type="quiz",
            is_anonymous=False,
            explanation=explanation,
            question_parse_mode=None,
            explanation_parse_mode=None,
            **extra,
        )

    def after(db, message) -> None:
        team_quiz.sent(db, message.poll.id, run_id, position, message.chat.id)

    return Media(send, after)
