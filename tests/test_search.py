"""Searching the library as people type: spellings, abbreviations and shop-floor words find
the page a person means, first, in either language, through /search and at service level."""

import pytest

from bot.db import open_db
from bot.db.content import search_form
from bot.services import library

ISO_9001 = {
    "en": "📄 ISO 9001: the standard you are certified against",
    "zh": "📄 ISO 9001：认证所依据的标准",
}
CERTIFICATION = {
    "en": "📄 How certification works: stages and the cycle",
    "zh": "📄 认证怎么走：两阶段审核与认证周期",
}
CA_ARTICLE = {"en": "📄 Corrective action in practice", "zh": "📄 纠正措施实务"}
CLAUSE_10_2 = {"en": "§ 10.2 Nonconformity and corrective action", "zh": "§ 10.2 不合格和纠正措施"}
CLAUSE_9_2 = {"en": "§ 9.2 Internal audit", "zh": "§ 9.2 内部审核"}
CLAUSE_9_3 = {"en": "§ 9.3 Management review", "zh": "§ 9.3 管理评审"}

# what a person types → the page that must come first
FIRST = {
    "ISO9001": ISO_9001,
    "ISO-9001": ISO_9001,
    "iso 9001": ISO_9001,
    "ＩＳＯ９００１": ISO_9001,  # typed with a Chinese input method in full-width mode
    "ISO 9001认证": CERTIFICATION,
    "5why": CA_ARTICLE,
    "5 whys": CA_ARTICLE,
    "5-Why": CA_ARTICLE,
    "CAPA": CLAUSE_10_2,
    "纠正预防": CLAUSE_10_2,
    "8D": CA_ARTICLE,
    "内审": CLAUSE_9_2,
    "internal audit": CLAUSE_9_2,
    "管审": CLAUSE_9_3,
    "Management Review": CLAUSE_9_3,
}


@pytest.fixture(scope="module")
def content_db():
    """One database with the shipped content for the service-level tests (loading takes a while)."""
    db = open_db(None)
    assert library.load(db) == []
    return db


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_what_people_type_finds_the_page_they_mean_first(local, lang):
    user = local.user(4000 + len(lang), language_code=lang)
    for query, first in FIRST.items():
        await user.send(f"/search {query}")
        assert user.buttons()[0] == first[lang], (query, user.buttons()[:3])


async def test_a_chinese_worker_searches_for_internal_audit_the_way_colleagues_say_it(zh_user):
    await zh_user.send("/search")
    await zh_user.send("内审")
    assert "“内审”的搜索结果" in zh_user.text()
    assert zh_user.buttons()[0] == "§ 9.2 内部审核"
    await zh_user.press("§ 9.2 内部审核")
    assert "9.2 内部审核" in zh_user.text() and "审核员关注什么" in zh_user.text()
    await zh_user.press("⬅️ 返回")  # back to the results
    await zh_user.send("8D报告")  # a new search from the results screen
    assert zh_user.buttons()[0] == "📄 纠正措施实务"


@pytest.mark.parametrize("typed", ["!!!", "……？！", "🙂👍"])
async def test_punctuation_or_emoji_alone_asks_for_words(en_user, typed):
    await en_user.send("/search")
    await en_user.send(typed)
    assert "Please type the words to search for." in en_user.transcript(
        2
    )  # said, then the search screen again
    await en_user.send("CAPA")  # still on the search screen: the next words are searched
    assert en_user.buttons()[0] == CLAUSE_10_2["en"]


async def test_search_command_with_only_emoji_opens_the_search_screen(zh_user):
    await zh_user.send("/search 🙂")
    assert "搜索资料库" in zh_user.text()


async def test_a_long_list_of_words_still_answers(en_user):
    words = "how do we plan an internal audit checklist for our warehouse team next month"
    await en_user.send(f"/search {words}")
    assert en_user.buttons()[0] == CLAUSE_9_2["en"]  # no page has every word: the best of any
    await en_user.send("/search " + " ".join("abcdefghijklmnopqrstuvwxyz"))
    assert "Nothing found for" in en_user.text()


# ----- service level ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "form"),
    [
        ("ISO9001", "iso 9001"),
        ("ISO-9001", "iso 9001"),
        ("ＩＳＯ９００１", "iso 9001"),
        ("ISO 9001认证", "iso 9001 认证"),
        ("ISO 9001 认证", "iso 9001 认证"),
        ("ISO 9001:2015", "iso 9001 2015"),
        ("5-Whys", "5 whys"),
        ("8D", "8 d"),
        ("条款8.5.2的要求", "条款 8.5.2 的要求"),  # a clause number stays whole
        ("GB/T 19001—2016", "gb t 19001 2016"),
        ("纠正措施，内审。", "纠正措施 内审"),
        ("🙂!!!", ""),
    ],
)
def test_query_and_index_share_one_search_form(typed, form):
    assert search_form(typed) == form


@pytest.mark.parametrize(("query", "first"), FIRST.items())
def test_service_puts_the_right_page_first(content_db, query, first):
    result = library.search(content_db, query, "zh")
    hit = result.best[0]
    label = (
        f"§ {hit.id} {hit.texts['title']}" if hit.kind == "clause" else f"📄 {hit.texts['title']}"
    )
    assert label == first["zh"]


def test_abbreviations_match_whole_words_only(content_db, tmp_path):
    """CAPA is not the start of "capacity", nor 8D of "8 days"."""
    capa = {e.id for e in library.search(content_db, "CAPA", "en", limit=50).best}
    assert "7.1.1" not in capa  # "capacity", which a plain substring search found first
    assert {"10.2", "corrective-action"} <= capa

    root = tmp_path / "content"
    root.mkdir()
    (root / "sections.yaml").write_text(SECTIONS, encoding="utf-8")
    (root / "articles.yaml").write_text(ARTICLES, encoding="utf-8")
    (root / "synonyms.yaml").write_text(SYNONYMS, encoding="utf-8")
    db = open_db(None)
    assert library.load(db, root) == []
    assert [e.id for e in library.search(db, "8D", "en").best] == ["eight-d"]
    assert [e.id for e in library.search(db, "8d报告", "zh").best] == ["eight-d"]
    assert [e.id for e in library.search(db, "8 days", "en").best] == ["deadline"]


SECTIONS = "kind: section\nitems:\n  - id: s\n    title: {en: Tools, zh: 工具}\n"
ARTICLES = """kind: article
items:
  - id: deadline
    section: s
    title: {en: Deadlines, zh: 期限}
    body: {en: Answer within 8 days., zh: 8 天内答复。}
  - id: eight-d
    section: s
    title: {en: Reports, zh: 报告}
    body: {en: Write an 8D report., zh: 写一份 8D 报告。}
"""
SYNONYMS = """kind: synonym
items:
  - id: eight-d
    term: {en: problem solving, zh: 问题解决}
    variants: {en: [8D], zh: [8D 报告]}
    pages: [eight-d]
"""


def test_a_synonym_also_finds_pages_that_only_use_the_standard_term(content_db):
    inner = {e.id for e in library.search(content_db, "内审", "zh", limit=50).best}
    assert "9.2" in inner
    formal = {e.id for e in library.search(content_db, "内部审核", "zh", limit=50).best}
    assert formal <= inner  # 内审 finds everything 内部审核 finds


def test_two_letter_chinese_and_clause_numbers_still_work(content_db):
    assert "9.2" in [e.id for e in library.search(content_db, "审核", "en").best]
    assert library.search(content_db, "9.2", "en").best[0].id == "9.2"
    assert library.search(content_db, "8.5.2", "zh").best[0].id == "8.5.2"


@pytest.mark.parametrize("typed", ["!!!", "🙂", "  ", "。，、"])
def test_nothing_to_search_for_is_said_so(content_db, typed):
    assert library.parse_query(typed)[1] == "empty"
    assert library.search(content_db, typed, "en") == library.SearchResult([], 0)


def test_a_word_list_at_the_length_limit_is_searched(content_db):
    words = ("quality audit records supplier training calibration " * 3)[: library.MAX_QUERY]
    assert library.parse_query(words)[1] is None
    assert library.search(content_db, words, "en").best  # any of the words, best first
