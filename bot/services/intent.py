"""What a few words typed with nothing to answer mean: small talk, or perhaps a problem seen.

A worker who types 你好 or "ok" on the menu wants the menu back, not "Report this as a
problem?". The rule is plain on purpose, so it can be read and tested: leaving out punctuation,
emoji and case, a text is small talk when it is made only of the greetings, thanks and
acknowledgements below (in either language, with a few polite fillers such as 啊 or "there"),
when nothing is left of it (👍, ？), or when it is one or two Latin letters or a short number.
Anything else may describe a problem ("3号线漏油", "leak") and is offered as a report.
"""

import unicodedata
from functools import cache
from typing import Literal

SmallTalk = Literal["greeting", "thanks", "ack"]

GREETINGS = (
    # English
    "hi", "hello", "hey", "heya", "hiya", "howdy", "yo", "hallo", "hullo", "greetings",
    "good morning", "good afternoon", "good evening", "good day", "morning", "evening",
    "whats up", "sup", "how are you", "how are u", "how r u", "hows it going", "gm",
    # Chinese
    "你好", "您好", "你们好", "大家好", "嗨", "哈喽", "哈啰", "哈罗", "哈囉", "喂", "在吗",
    "在么", "在嘛", "在不在", "在嗎", "早", "早上好", "早安", "上午好", "中午好", "下午好",
    "晚上好", "早晨", "你好吗", "您好吗", "妳好", "老师好", "师傅好", "各位好",
)  # fmt: skip
THANKS = (
    "thanks", "thank you", "thankyou", "thx", "thnx", "tks", "ty", "tysm", "cheers",
    "many thanks", "much appreciated", "appreciated", "3q",
    "谢谢", "多谢", "感谢", "谢了", "谢啦", "辛苦了", "辛苦", "麻烦了", "謝謝", "多謝", "感謝",
)  # fmt: skip
ACKNOWLEDGEMENTS = (
    "ok", "okay", "okey", "okie", "kk", "alright", "all right", "sure", "got it", "noted",
    "understood", "roger", "yes", "yep", "yeah", "no", "nope", "fine", "good", "great", "cool",
    "nice", "done", "bye", "goodbye", "see you", "good night", "no problem", "no worries", "np",
    "menu", "main menu", "start",
    "好", "好的", "好滴", "好哒", "好嘞", "在", "没关系", "行", "可以", "嗯", "嗯嗯", "嗯呢", "哦",
    "噢", "喔", "知道了", "明白", "明白了", "收到", "了解", "没问题", "沒問題", "对", "是", "是的",
    "没事", "没事了", "不用了", "再见", "拜拜", "晚安", "菜单", "主菜单", "开始", "選單", "開始",
)  # fmt: skip
# Words said around the above that carry no problem: "hi there", "谢谢老师", "你好啊".
FILLERS = (
    "there", "all", "everyone", "everybody", "guys", "folks", "team", "bot", "certready",
    "again", "so", "much", "very", "a", "lot", "for", "your", "the", "help", "dear", "friend",
    "mate", "u", "you", "sir", "madam", "and", "oh", "ah", "haha", "lol",
    "啊", "呀", "哈", "哈哈", "啦", "吧", "呢", "吗", "嘛", "么", "哇", "呐", "哟", "喲", "咯",
    "你", "您", "大家", "各位", "老师", "师傅", "亲", "机器人", "小助手", "助手", "认证通",
    "您的", "你的", "帮助", "帮忙", "了", "很", "非常",
)  # fmt: skip
PRIORITY: tuple[SmallTalk, ...] = ("thanks", "greeting", "ack")  # what "ok thanks" is answered as
LONGEST = 60  # longer texts say something: they are never small talk


def normalize(text: str) -> str:
    """Compatible forms (ＯＫ → ok), lower case, apostrophes dropped, punctuation, symbols and
    emoji turned into single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = []
    for char in text:
        if char in "'’‘`":
            continue
        category = unicodedata.category(char)
        kept.append(" " if category[0] in "PSZC" or category == "Mn" else char)
    return " ".join("".join(kept).split())


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


@cache
def _phrases() -> dict[str, tuple[tuple[str, SmallTalk | None], ...]]:
    """Every phrase with its kind (None: a filler), by first character, longest first;
    "thank you" also as "thankyou", since people run the words together."""
    found: dict[str, SmallTalk | None] = {}
    for kind, words in (
        ("thanks", THANKS),
        ("greeting", GREETINGS),
        ("ack", ACKNOWLEDGEMENTS),
        (None, FILLERS),
    ):
        for word in words:
            phrase = normalize(word)
            for form in (phrase, phrase.replace(" ", "")):
                found.setdefault(form, kind)
    by_first: dict[str, list[tuple[str, SmallTalk | None]]] = {}
    for phrase, kind in sorted(found.items(), key=lambda item: -len(item[0])):
        by_first.setdefault(phrase[0], []).append((phrase, kind))
    return {first: tuple(phrases) for first, phrases in by_first.items()}


def _kinds_if_only_small_talk(text: str) -> set[str] | None:
    """The kinds of phrase ``text`` is made of, or None if anything else is in it.

    A word break over the phrase list (no regular expression: one could backtrack for long
    on 哈哈哈…x); a Latin phrase must stand as a whole word ("ok" is not in "okra")."""
    reached: dict[int, set[str]] = {0: set()}
    for start in range(len(text) + 1):
        if start not in reached:
            continue
        kinds = reached[start]
        if start == len(text):
            return kinds
        if text[start] == " ":
            reached.setdefault(start + 1, set(kinds))
            continue
        for phrase, kind in _phrases().get(text[start], ()):
            if not text.startswith(phrase, start):
                continue
            end = start + len(phrase)
            latin = _latin(phrase[0])
            if latin and start > 0 and _latin(text[start - 1]):
                continue
            if latin and end < len(text) and _latin(text[end]):
                continue
            reached.setdefault(end, set()).update(kinds | ({kind} if kind else set()))
    return None


def small_talk(typed: str) -> SmallTalk | None:
    """What kind of small talk ``typed`` is, or None if it may describe a problem."""
    text = normalize(typed)
    if len(text) > LONGEST:
        return None
    kinds = _kinds_if_only_small_talk(text)
    if kinds is not None:
        return next((kind for kind in PRIORITY if kind in kinds), "ack")
    bare = text.replace(" ", "")
    if bare.isascii() and bare.isalpha() and len(bare) <= 2:
        return "ack"  # "k", "?": nothing a report could be made of
    if bare.isascii() and bare.isdigit() and len(bare) <= 3:
        return "ack"  # "1": a habit from numbered menus
    return None
