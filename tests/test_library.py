"""Browsing and searching the library, in Chinese and in English."""

import pytest


async def open_library(user, label: str) -> None:
    await user.send("/menu")
    await user.press(label)


async def test_chinese_user_browses_to_10_2_and_finds_it_by_search(zh_user):
    await open_library(zh_user, "📚 资料库")
    assert zh_user.text().startswith("资料库")
    assert "GB/T 19001-2016" in zh_user.text()  # the edition note, from content
    await zh_user.press("📖 ISO 9001 条款地图")
    assert zh_user.buttons()[:7] == [
        "4 组织环境",
        "5 领导作用",
        "6 策划",
        "7 支持",
        "8 运行",
        "9 绩效评价",
        "10 改进",
    ]
    await zh_user.press("10 改进")
    assert "10 改进" in zh_user.text()
    await zh_user.press("10.2 不合格和纠正措施")
    screen = zh_user.text()
    assert "ISO 9001 › 10 改进" in screen
    assert "10.2 不合格和纠正措施" in screen
    assert "条款要求" in screen and "审核员关注什么" in screen
    assert "纠正措施" in screen
    # Back retraces the path: 10.2 → 10 → map.
    await zh_user.press("⬅️ 返回")
    assert "<b>" not in zh_user.text() and "10 改进" in zh_user.text()
    assert "10.2 不合格和纠正措施" in zh_user.buttons()

    await zh_user.send("/search")
    assert "搜索资料库" in zh_user.text()
    await zh_user.send("纠正措施")
    assert "“纠正措施”的搜索结果" in zh_user.text()
    assert "§ 10.2 不合格和纠正措施" in zh_user.buttons()
    await zh_user.press("§ 10.2 不合格和纠正措施")
    assert "10.2 不合格和纠正措施" in zh_user.text()


async def test_english_search_for_corrective_action_finds_10_2(en_user):
    await open_library(en_user, "📚 Library")
    await en_user.press("🔎 Search")
    await en_user.send("Corrective Action")  # case does not matter
    assert "Results for “Corrective Action”" in en_user.text()
    assert en_user.buttons()[0] == "§ 10.2 Nonconformity and corrective action"
    await en_user.press("§ 10.2 Nonconformity and corrective action")
    assert "What an auditor looks for" in en_user.text()
    await en_user.press("⬅️ Back")  # back to the results, not to the start
    assert "Results for" in en_user.text()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("审核", "§ 9.2 Internal audit"),  # two Chinese characters: below trigram length
        ("9.2", "§ 9.2 Internal audit"),  # a clause number
        ("管理评审", "§ 9.3 Management review"),  # Chinese query, English screen
        ("CNAS", "📄 CNCA, CNAS and CCAA: who does what"),
    ],
)
async def test_search_in_either_language(en_user, query, expected):
    await en_user.send(f"/search {query}")
    assert expected in en_user.buttons()


async def test_broad_search_shows_the_best_eight_and_says_so(zh_user):
    await zh_user.send("/search ISO")
    assert "这里列出最相关的 8 条" in zh_user.text()
    assert len([b for b in zh_user.buttons() if b.startswith(("§", "📄"))]) == 8


async def test_search_nothing_found_and_bad_input(en_user):
    await en_user.send("/search")
    await en_user.send("zzqx")
    assert "Nothing found for “zzqx”" in en_user.text()
    await en_user.send("x" * 101)
    assert "at most 100 characters" in en_user.transcript(2)
    await en_user.send_photo(b"\x89PNG fake")
    assert "Please type the words to search for." in en_user.transcript(2)
    await en_user.send("<b>audit</b> & more")  # HTML in a query is shown, not parsed
    assert "“<b>audit</b> & more”" in en_user.text()


async def test_sections_and_articles(en_user):
    await open_library(en_user, "📚 Library")
    assert en_user.buttons()[:4] == [
        "The ISO 9000 family",
        "Quality management principles",
        "Certification in practice",
        "China: GB/T standards and the law",
    ]
    await en_user.press("The ISO 9000 family")
    await en_user.press("ISO 9001: the standard you are certified against")
    text = en_user.text()
    assert "ISO 9001" in text and "ISO900 1" not in text
    await en_user.press("⬅️ Back")
    await en_user.press("ISO 19011: guidelines for auditing")
    assert "ISO 19011" in en_user.text() and "ISO1901 " not in en_user.text()


async def test_article_links_to_its_clauses(zh_user):
    await open_library(zh_user, "📚 资料库")
    await zh_user.press("认证实务")
    await zh_user.press("纠正措施实务")
    assert "§ 10.2 不合格和纠正措施" in zh_user.buttons()
    await zh_user.press("§ 10.2 不合格和纠正措施")
    assert "10.2 不合格和纠正措施" in zh_user.text()
    await zh_user.press("⬅️ 返回")
    assert zh_user.text().startswith("纠正措施实务")


BACK = {"en": "⬅️ Back", "zh": "⬅️ 返回"}
CLAUSE_MAP = {"en": "📖 ISO 9001 clause map", "zh": "📖 ISO 9001 条款地图"}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_article_and_clause_opens(local, db, lang):
    """Click through every article and every clause, as a curious reader would."""
    user = local.user(3000 + len(lang), language_code=lang)
    await user.send("/library")
    seen_articles = 0
    for section in user.buttons()[:4]:
        await user.press(section)
        for article in user.buttons()[:-1]:
            await user.press(article)
            assert len(user.text()) > 300
            await user.press(BACK[lang])
            seen_articles += 1
        await user.press(BACK[lang])
    assert seen_articles == db["content_items"].count_where("kind = 'article'")

    seen_clauses = []

    async def visit() -> None:
        for child in [b for b in user.buttons() if b[0].isdigit()]:
            await user.press(child)
            seen_clauses.append(child.split()[0])
            assert child in user.text()
            await visit()
            await user.press(BACK[lang])

    await user.press(CLAUSE_MAP[lang])
    await visit()
    assert len(seen_clauses) == db["content_items"].count_where("kind = 'clause'")
