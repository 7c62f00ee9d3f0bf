"""Team quizzes in a linked group, and the answers to their polls.

/quiz [n] [topic] — a manager sends n quiz polls now (default 5, at most 10);
/quiz weekly mon 10:00 [n] [topic] | /quiz weekly off — the group's weekly challenge;
/leaderboard — right answers this week and in all, of the team (or organization) and per team.
``poll_answer`` updates (they carry no chat) are scored by the poll's stored id.
"""

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.command import CommandObject
from aiogram.types import Message, PollAnswer
from aiogram.utils.i18n import I18n

from bot import clock
from bot.db import orgs as orgs_repo
from bot.filters import in_group
from bot.groups import ANONYMOUS, MANAGERS_ONLY, NOT_LINKED
from bot.i18n import N_, format_moment, in_languages, zone_name
from bot.services import groups, people, team_quiz, tips
from bot.services.content import QUIZ_TOPICS
from bot.services.orgs import NotAllowed
from bot.services.text import shorten
from dialogs.common import esc

QUIZ_USAGE = N_(
    "A team quiz: /quiz for {default} questions, /quiz 3 for three, /quiz 5 audit for five on "
    "one topic ({topics}). Every week: /quiz weekly mon 10:00 5, or /quiz weekly off."
)
NO_QUESTIONS = N_("There are no questions on that topic yet.")
WEEKLY_ON = N_("Done: a team quiz of {n} questions every {day} at {time} ({zone}). Next: {next}.")
WEEKLY_OFF = N_("Done: no weekly quiz in this group.")
WEEKLY_NONE = N_("No weekly quiz here yet.")
DAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
BOARD_TITLE = N_("🏆 <b>Leaderboard · {name}</b>")
BOARD_WEEK = N_("This week:")
BOARD_ALL = N_("All time:")
BOARD_TEAMS = N_("Teams this week:")
BOARD_EMPTY = N_("No right answers yet: /quiz starts a team quiz, /practice in a private chat.")
POINTS = N_("{name} — {n}")


def group_quiz_router() -> Router:
    router = Router(name="group_quiz")
    router.message.filter(in_group)

    @router.message(Command("quiz", ignore_case=True))
    async def quiz_command(
        message: Message, command: CommandObject, db, user, i18n: I18n, settings
    ) -> None:
        here = groups.languages(groups.group(db, message.chat.id))
        words = (command.args or "").lower().split()
        if words[:1] == ["weekly"]:
            await _weekly(message, words[1:], db, user, i18n, here, settings)
            return
        size, topic = _size_and_topic(words)
        if size is None:
            await message.reply(_usage(i18n, here))
            return
        if user is None:
            await message.reply(in_languages(i18n, ANONYMOUS, here))
            return
        # The same update delivered twice starts one quiz (the date tells console runs apart).
        key = f"manual:{message.chat.id}:{message.message_id}:{int(message.date.timestamp())}"
        try:
            found = team_quiz.start(db, user.id, message.chat.id, size, topic, key)
        except NotAllowed:
            await message.reply(in_languages(i18n, MANAGERS_ONLY, here))
            return
        if found is None:
            linked = groups.group(db, message.chat.id)
            await message.reply(in_languages(i18n, NO_QUESTIONS if linked else NOT_LINKED, here))
        # The quiz itself comes through the outbox: the announcement, then the polls.

    @router.message(Command("leaderboard", ignore_case=True))
    async def leaderboard(message: Message, db, i18n: I18n) -> None:
        group = groups.group(db, message.chat.id)
        here = groups.languages(group)
        if group is None or not group.active:
            await message.reply(in_languages(i18n, NOT_LINKED, here))
            return
        await message.reply(board_text(db, i18n, group, here))

    return router


def poll_answers_router() -> Router:
    router = Router(name="poll_answers")

    @router.poll_answer()
    async def poll_answer(answer: PollAnswer, db) -> None:
        if answer.user is not None:  # an answer on behalf of a channel scores nothing
            team_quiz.answered(db, answer.poll_id, answer.user.id, list(answer.option_ids))

    return router


def _size_and_topic(words: list[str]) -> tuple[int | None, str | None]:
    size, topic = team_quiz.DEFAULT_SIZE, None
    for word in words:
        if word.isdecimal() and word.isascii() and 1 <= int(word) <= team_quiz.MAX_SIZE:
            size = int(word)
        elif (found := team_quiz.topic_of(word)) is not None:
            topic = found
        else:
            return None, None
    return size, topic


def _usage(i18n: I18n, here) -> str:
    return "\n\n".join(
        i18n.gettext(QUIZ_USAGE, locale=lang).format(
            default=team_quiz.DEFAULT_SIZE, topics=", ".join(QUIZ_TOPICS)
        )
        for lang in here
    )


async def _weekly(message: Message, words, db, user, i18n: I18n, here, settings) -> None:
    """/quiz weekly — what is set; /quiz weekly off; /quiz weekly mon 10:00 [n] [topic]."""
    chat_id, fallback = message.chat.id, settings.default_timezone
    if not words:
        current = team_quiz.weekly(db, chat_id)
        if current is None:
            await message.reply(in_languages(i18n, WEEKLY_NONE, here) + "\n\n" + _usage(i18n, here))
            return
        weekday, at, size, _topic, next_at = current
        await message.reply(
            _weekly_text(db, i18n, here, chat_id, weekday, at, size, next_at, fallback)
        )
        return
    off = words == ["off"]
    weekday = None if off else tips.WEEKDAYS.get(words[0])
    at = tips.parse_time(words[1]) if not off and len(words) > 1 else None
    size, topic = (None, None) if off else _size_and_topic(words[2:])
    if not off and (weekday is None or at is None or size is None):
        await message.reply(_usage(i18n, here))
        return
    if user is None:
        await message.reply(in_languages(i18n, ANONYMOUS, here))
        return
    try:
        following = team_quiz.set_weekly(db, user.id, chat_id, weekday, at, size, topic, fallback)
    except NotAllowed:
        await message.reply(in_languages(i18n, MANAGERS_ONLY, here))
        return
    if following is False:
        await message.reply(in_languages(i18n, NOT_LINKED, here))
    elif following is None:
        await message.reply(in_languages(i18n, WEEKLY_OFF, here))
    else:
        text = _weekly_text(db, i18n, here, chat_id, weekday, at, size, following, fallback)
        await message.reply(text)


def _weekly_text(db, i18n: I18n, here, chat_id, weekday, at, size, following, fallback) -> str:
    zone = tips.zone_of(db, chat_id, fallback)
    moment = clock.local(following, zone)
    return "\n\n".join(
        i18n.gettext(WEEKLY_ON, locale=lang).format(
            n=size,
            day=i18n.gettext(DAYS[weekday], locale=lang),
            time=at,
            zone=zone_name(zone, lang),
            next=format_moment(moment, lang, zone),
        )
        for lang in here
    )


def board_text(db, i18n: I18n, group, here) -> str:
    """The leaderboard in the group's language(s): the team's people (or the organization's,
    for a group linked without a team), this week and in all, and the teams this week."""
    org = orgs_repo.organization(db, group.org_id)
    team = orgs_repo.team_name(db, group.org_id, group.team_id)
    board = team_quiz.leaderboard(db, group.org_id, team, clock.now())
    name = f"{org['name']} · {team}" if team else org["name"]
    return "\n\n".join(_board(db, i18n, lang, board, name, team is None) for lang in here)


def organization_board(db, i18n: I18n, org_id: int, lang: str) -> str:
    """The whole organization's leaderboard, with its teams, in one language."""
    org = orgs_repo.organization(db, org_id)
    board = team_quiz.leaderboard(db, org_id, None, clock.now())
    return _board(db, i18n, lang, board, org["name"], True)


def _board(db, i18n: I18n, lang: str, board, name: str, with_teams: bool) -> str:
    def say(msgid: str) -> str:
        return i18n.gettext(msgid, locale=lang)

    lines = [say(BOARD_TITLE).format(name=esc(name))]
    for title, ranking in ((BOARD_WEEK, board.week), (BOARD_ALL, board.all_time)):
        if ranking:
            lines += ["", say(title)]
            lines += [
                f"{n}. " + say(POINTS).format(name=esc(shorten(people.name(db, uid), 32)), n=score)
                for n, (uid, score) in enumerate(ranking, 1)
            ]
    if board.teams and with_teams:
        lines += ["", say(BOARD_TEAMS)]
        lines += [say(POINTS).format(name=esc(shorten(t, 32)), n=score) for t, score in board.teams]
    if not board.all_time:
        lines += ["", say(BOARD_EMPTY)]
    return "\n".join(lines)
