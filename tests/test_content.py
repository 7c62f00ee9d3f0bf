"""Content sources: the shipped set is valid and complete; each kind of mistake is caught."""

import textwrap

import pytest

from bot import CONTENT_DIR
from bot.db import content as repo
from bot.services import content, library

FACTS_CLAUSES = [
    "4",
    "4.1",
    "4.2",
    "4.3",
    "4.4",
    "5",
    "5.1",
    "5.1.1",
    "5.1.2",
    "5.2",
    "5.2.1",
    "5.2.2",
    "5.3",
    "6",
    "6.1",
    "6.2",
    "6.3",
    "7",
    "7.1",
    "7.1.1",
    "7.1.2",
    "7.1.3",
    "7.1.4",
    "7.1.5",
    "7.1.5.1",
    "7.1.5.2",
    "7.1.6",
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "7.5.1",
    "7.5.2",
    "7.5.3",
    "8",
    "8.1",
    "8.2",
    "8.2.1",
    "8.2.2",
    "8.2.3",
    "8.2.4",
    "8.3",
    "8.3.1",
    "8.3.2",
    "8.3.3",
    "8.3.4",
    "8.3.5",
    "8.3.6",
    "8.4",
    "8.4.1",
    "8.4.2",
    "8.4.3",
    "8.5",
    "8.5.1",
    "8.5.2",
    "8.5.3",
    "8.5.4",
    "8.5.5",
    "8.5.6",
    "8.6",
    "8.7",
    "9",
    "9.1",
    "9.1.1",
    "9.1.2",
    "9.1.3",
    "9.2",
    "9.3",
    "9.3.1",
    "9.3.2",
    "9.3.3",
    "10",
    "10.1",
    "10.2",
    "10.3",
]


def test_shipped_content_is_valid():
    items, problems = content.read(CONTENT_DIR)
    assert problems == []
    clauses = [i.id for i in items if i.kind == "clause"]
    assert clauses == FACTS_CLAUSES  # every clause of the map, in the standard's order


def test_clause_titles_match_the_standard(db):
    assert library.clause(db, "10.2", "en").texts["title"] == "Nonconformity and corrective action"
    assert library.clause(db, "10.2", "zh").texts["title"] == "不合格和纠正措施"
    assert library.clause(db, "7.5", "zh").texts["title"] == "成文信息"
    assert library.clause(db, "9.3", "zh").texts["title"] == "管理评审"


def test_library_covers_the_brief(db):
    text = {
        lang: "\n".join(
            a.texts["title"] + a.texts["body"] for a in repo.listing(db, "article", lang)
        )
        for lang in ("en", "zh")
    }
    for needle in (
        "ISO 9004",
        "ISO 19011",
        "TC 176",
        "GB/T 19001",
        "CNAS",
        "CNCA",
        "Stage 2",
        "management review",
        "internal audit",
        "training",
        "culture",
    ):
        assert needle in text["en"], needle
    for needle in ("GB/T 19011", "推荐性", "国家认监委", "全员积极参与", "循证决策", "纠正措施"):
        assert needle in text["zh"], needle
    for wrong in ("ISO900 1", "ISO1901 ", "形成文件的信息"):
        assert wrong not in text["en"] + text["zh"]


def write(tmp_path, name: str, body: str):
    (tmp_path / name).write_text(textwrap.dedent(body), encoding="utf-8")


VALID_SECTION = """
    kind: section
    items:
      - id: family
        title: {en: Family, zh: 族}
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "kind: clause\nitems:\n  - id: '4'\n    title: {en: Context, zh: 组织环境}\n"
            "    asks: {en: Asks}\n    evidence: {en: E, zh: 证据}\n",
            "bad.yaml:5: 4: 'asks' has no zh text",
        ),
        (
            "kind: clause\nitems:\n  - id: '4.1'\n    title: {en: A, zh: 甲}\n"
            "    asks: {en: A, zh: 甲}\n    evidence: {en: E, zh: 证据}\n",
            "bad.yaml:3: 4.1: parent clause '4' does not exist",
        ),
        (
            "kind: article\nitems:\n  - id: x\n    section: nowhere\n    title: {en: A, zh: 甲}\n"
            "    body: {en: B, zh: 乙}\n",
            "bad.yaml:4: x: 'section' points to unknown section 'nowhere'",
        ),
        (
            "kind: article\nitems:\n  - id: x\n    section: family\n    title: {en: A, zh: 甲}\n"
            "    body: {en: B, zh: 乙}\n    clauses: ['11.1']\n",
            "bad.yaml:7: x: 'clauses' points to unknown clause '11.1'",
        ),
        (
            "kind: article\nitems:\n  - id: x\n    title: {en: A, zh: 甲}\n"
            "    body: {en: B, zh: 乙}\n",
            "bad.yaml:3: x: needs 'section'",
        ),
        (
            "kind: section\nitems:\n  - id: family\n    title: {en: A, zh: 甲}\n",
            "sections.yaml:4: family: duplicate section id (first in content/bad.yaml)",
        ),
        (
            "kind: section\nitems:\n  - id: Big Id\n    title: {en: A, zh: 甲}\n",
            "bad.yaml:3: Big Id: id may hold only",
        ),
        (
            "kind: section\nitems:\n  - id: s\n    title: {en: '" + "x" * 101 + "', zh: 甲}\n",
            "bad.yaml:4: s: 'title' (en) is 101 characters; the limit is 100",
        ),
        (
            "kind: article\nitems:\n  - id: x\n    section: family\n    title: {en: A, zh: 甲}\n"
            "    body: {en: '" + "y" * 3501 + "', zh: 乙}\n",
            "bad.yaml:6: x: 'body' (en) is 3501 characters; the limit is 3500",
        ),
        (
            "kind: article\nitems:\n  - id: x\n    section: family\n    title: {en: A, zh: 甲}\n"
            "    body: {en: See ISO1901., zh: 乙}\n",
            "bad.yaml:6: x: 'body' (en) says 'ISO1901'; write 'ISO 19011'",
        ),
        (
            "kind: article\nitems:\n  - id: x\n    section: family\n    title: {en: A, zh: 甲}\n"
            "    body: {en: B, zh: 保持形成文件的信息}\n",
            "bad.yaml:6: x: 'body' (zh) says '形成文件的信息'; write '成文信息'",
        ),
        (
            "kind: section\nitems:\n  - id: s\n    title: {en: A, zh: 甲, fr: B}\n",
            "bad.yaml:4: s: 'title' has an unknown language 'fr'",
        ),
        (
            "kind: section\nitems:\n  - id: s\n    title: {en: A, zh: 甲}\n    colour: red\n",
            "bad.yaml:5: s: unknown field(s): colour",
        ),
        ("kind: poem\nitems: []\n", "bad.yaml: -: needs 'kind:' set to one of"),
        ("kind: section\nitems: [\n", "bad.yaml:3: -: not valid YAML"),
        (
            "kind: section\nitems:\n  - title: {en: A, zh: 甲}\n",
            "bad.yaml:3: #1: item needs an 'id'",
        ),
    ],
)
def test_each_kind_of_mistake_is_reported_with_file_line_and_item(tmp_path, source, expected):
    root = tmp_path / "content"
    root.mkdir()
    write(root, "sections.yaml", VALID_SECTION)
    (root / "bad.yaml").write_text(source, encoding="utf-8")
    _items, problems = content.read(root)
    messages = [str(p).removeprefix("content/") for p in problems]
    assert any(m.startswith(expected) for m in messages), messages


def test_invalid_sources_are_not_loaded(tmp_path, db):
    before = db["content_items"].count
    root = tmp_path / "content"
    root.mkdir()
    write(root, "sections.yaml", VALID_SECTION.replace("zh: 族", "zh: ''"))
    assert library.load(db, root)
    assert db["content_items"].count == before  # the old content stays in service


def test_content_reloads_only_when_sources_change(tmp_path, db):
    root = tmp_path / "content"
    root.mkdir()
    write(root, "sections.yaml", VALID_SECTION)
    assert library.ensure_loaded(db, root) == []
    assert [s.texts["title"] for s in library.sections(db, "zh")] == ["族"]
    write(root, "sections.yaml", VALID_SECTION.replace("zh: 族", "zh: 家族"))
    assert library.ensure_loaded(db, root) == []
    assert [s.texts["title"] for s in library.sections(db, "zh")] == ["家族"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "kind: clause\nitems:\n  - id: 7.10\n    title: {en: A, zh: 甲}\n"
            "    asks: {en: A, zh: 甲}\n    evidence: {en: E, zh: 证据}\n",
            "id must be text: quote it",
        ),
        (
            "kind: section\nitems:\n  - id: " + "a" * 41 + "\n    title: {en: A, zh: 甲}\n",
            "at most 40",
        ),
        (
            "kind: article\nitems:\n  - id: x\n    section: family\n    title: {en: A, zh: 甲}\n"
            "    body: {en: B, zh: 乙}\n    clauses: [10.2]\n",
            "'clauses' must hold text",
        ),
        (
            "kind: clause\nitems:\n  - id: '4'\n    title: {en: A, zh: 甲}\n"
            "    asks: {en: '"
            + "a" * 3000
            + "', zh: 甲}\n    evidence: {en: '"
            + "e" * 900
            + "', zh: 证据}\n",
            "its texts (en) add up to 3901 characters on one screen",
        ),
    ],
)
def test_limits_that_would_break_a_screen_are_caught(tmp_path, source, expected):
    root = tmp_path / "content"
    root.mkdir()
    write(root, "sections.yaml", VALID_SECTION)
    (root / "bad.yaml").write_text(source, encoding="utf-8")
    _items, problems = content.read(root)
    assert any(expected in str(p) for p in problems), [str(p) for p in problems]


async def test_a_screen_whose_content_was_removed_says_so(tmp_path, local, en_user):
    await en_user.send("/library")
    await en_user.press("The ISO 9000 family")
    listing = en_user.keyboard_message()
    root = tmp_path / "content"
    root.mkdir()
    write(root, "sections.yaml", VALID_SECTION.replace("id: family", "id: other"))
    assert (
        library.load(local.db, root) == []
    )  # a new content set: that section and its articles gone
    await en_user.press("ISO 9004: guidance for sustained success", listing)
    assert en_user.text() == "This article is no longer in the library."
    await en_user.press("⬅️ Back")
    assert en_user.text() == "This section is no longer in the library."
    await en_user.press("⬅️ Back")
    assert en_user.buttons()[0] == "Family"


# ----- files, lines, Chinese text, synonyms -------------------------------------------------
def problems_in(tmp_path, files: dict[str, str]) -> list[str]:
    """Problems of a content folder holding the valid section plus ``files``."""
    root = tmp_path / "content"
    root.mkdir(exist_ok=True)
    write(root, "sections.yaml", VALID_SECTION)
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    _items, problems = content.read(root)
    return [str(p).removeprefix("content/") for p in problems]


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("library/extra.yml", "rename it to .yaml"),
        ("notes.txt", "move it out of content/"),
        ("library/titles.tsv", "move it out of content/"),  # tables live in reference/
        ("reference/draft.yaml~", "move it out of content/"),
    ],
)
def test_a_stray_file_is_a_problem_naming_it(tmp_path, name, advice):
    messages = problems_in(tmp_path, {name: VALID_SECTION.replace("family", "other")})
    assert messages == [
        f"{name}: -: not a content file: content/ holds *.yaml sources and reference/*.tsv "
        f"tables only; {advice}"
    ]


def test_a_stray_file_is_reported_at_start_too(tmp_path, db):
    root = tmp_path / "content"
    root.mkdir()
    write(root, "sections.yaml", VALID_SECTION)
    assert library.ensure_loaded(db, root) == []
    (root / "more.yml").write_text("kind: section\nitems: []\n", encoding="utf-8")
    assert [p.source for p in library.ensure_loaded(db, root)] == ["content/more.yml"]


def test_a_table_in_reference_is_not_a_stray_file(tmp_path):
    assert problems_in(tmp_path, {"reference/glossary.tsv": "a\tb\tc\n"}) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "kind: section\nitems:\n  - id: a\n    title: {en: A, zh: 甲}\n   - id: b\n",
            "bad.yaml:5: -: not valid YAML: while parsing a block collection, expected <block end>",
        ),
        (
            "kind: section\nitems:\n  - id: a\n\ttitle: {en: A, zh: 甲}\n",
            "bad.yaml:4: -: not valid YAML: while scanning for the next token, found character "
            "'\\t' that cannot start any token",
        ),
        (
            "kind: section\nitems:\n  - id: a\n    title: {en: A, zh: 甲}\n    title: {en: B}\n",
            "bad.yaml:5: -: 'title' is written twice (first on line 4)",
        ),
        (
            "kind: section\nitems:\n  - id: a\n    title:\n      en: A\n      zh: 甲\n"
            "  - id: b\n    title:\n      en: B\n",
            "bad.yaml:8: b: 'title' has no zh text",  # the field's line: no zh under it
        ),
        (
            "kind: section\nitems:\n  - id: a\n    title: {en: A, zh: 甲}\n"
            "  - id: b\n    title:\n      en: B\n      zh: 乙,丙\n",
            "bad.yaml:8: b: 'title' (zh) has ASCII ','",  # the language's own line
        ),
    ],
)
def test_yaml_mistakes_name_file_and_line(tmp_path, source, expected):
    messages = problems_in(tmp_path, {"bad.yaml": source})
    assert any(m.startswith(expected) for m in messages), messages


@pytest.mark.parametrize(
    ("zh", "expected"),
    [
        ("Internal audit", "has no Chinese character"),
        ("9.2", "has no Chinese character"),
        ("中文,中文", "has ASCII ',' in Chinese text (…中文,中文…): write '，'"),
        ("中文:中文", "has ASCII ':' in Chinese text (…中文:中文…): write '：'"),
        ("中文 , 中文", "has ASCII ','"),
        ("问题(不合格)", "has ASCII '('"),
        ("见下文.", "has ASCII '.'"),
        ("审核员问;记录", "has ASCII ';'"),
        ("中文-中文", "has ASCII '-' in Chinese text (…中文-中文…): use Chinese punctuation"),
        ('他说"好"', "has ASCII '\"'"),
    ],
)
def test_chinese_text_that_is_not_written_in_chinese_is_flagged(tmp_path, zh, expected):
    source = f"kind: section\nitems:\n  - id: s\n    title:\n      en: A\n      zh: '{zh}'\n"
    messages = problems_in(tmp_path, {"bad.yaml": source})
    assert any(m.startswith(f"bad.yaml:6: s: 'title' (zh) {expected}") for m in messages), messages


@pytest.mark.parametrize(
    "zh",
    [
        "依据 ISO 9001:2015 建立体系",  # a standard's name with its year
        "见 8.5.2，以及 8.1 e) 的要求",  # clause numbers and a list item
        "详见 https://www.cnca.gov.cn/zl/index.html，并下载",  # a URL
        "GB/T 19001-2016 等同采用 ISO 9001:2015",
        "5 Why 简单好用，例如 e.g. 与 i.e. 的写法",  # ASCII inside Latin runs
        "第 4～10 章（FDIS）",
    ],
)
def test_ascii_in_latin_runs_urls_and_clause_numbers_is_fine(tmp_path, zh):
    source = f"kind: section\nitems:\n  - id: s\n    title:\n      en: A\n      zh: '{zh}'\n"
    assert problems_in(tmp_path, {"bad.yaml": source}) == []


ARTICLE = """kind: article
items:
  - id: corrective-action
    section: family
    title: {en: Corrective action, zh: 纠正措施}
    body: {en: Remove the cause., zh: 消除原因。}
"""


def synonyms(body: str) -> dict[str, str]:
    return {"articles.yaml": ARTICLE, "synonyms.yaml": "kind: synonym\nitems:\n" + body}


def test_a_synonym_table_loads_and_is_searched(tmp_path, db):
    files = synonyms(
        "  - id: capa\n"
        "    term: {en: corrective action, zh: 纠正措施}\n"
        "    variants: {en: [CAPA], zh: [纠正预防]}\n"
        "    pages: [corrective-action]\n"
    )
    assert problems_in(tmp_path, files) == []
    assert library.load(db, tmp_path / "content") == []
    assert [e.id for e in library.search(db, "capa", "zh").best] == ["corrective-action"]
    assert [e.id for e in library.search(db, "纠正预防", "en").best] == ["corrective-action"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "  - id: capa\n    term: {en: corrective action}\n    variants: {en: [CAPA]}\n",
            "synonyms.yaml:4: capa: 'term' has no zh text",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: corrective action}\n"
            "    variants: {en: [CAPA]}\n",
            "synonyms.yaml:4: capa: 'term' (zh) has no Chinese character",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n",
            "synonyms.yaml:3: capa: needs 'variants': the words people type for this term",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: [CAPA, Corrective-Action]}\n",
            "synonyms.yaml:5: capa: variant 'Corrective-Action' is the same as 'corrective action' "
            "once normalized: drop it",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: [ISO 9001, ISO9001]}\n",
            "synonyms.yaml:5: capa: variant 'ISO9001' is the same as 'ISO 9001' once normalized",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: [CAPA]}\n"
            # a shared term is fine, a shared variant is not
            "  - id: eight-d\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: [8D, capa]}\n",
            "synonyms.yaml:8: eight-d: variant 'capa' is already 'CAPA' of 'capa' "
            "(content/synonyms.yaml)",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: [CAPA]}\n"
            "  - id: cause\n    term: {en: root cause, zh: 根本原因}\n"
            "    variants: {zh: [纠正措施]}\n",
            "synonyms.yaml:8: cause: variant '纠正措施' is the term of 'capa'",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: [CAPA, '!!!']}\n",
            "synonyms.yaml:5: capa: variant '!!!' has no letter, digit or Chinese character",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: CAPA}\n",
            "synonyms.yaml:5: capa: 'variants' (en) must be a list of words",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: []}\n",
            "synonyms.yaml:5: capa: 'variants' holds no words",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {fr: [CAPA]}\n",
            "synonyms.yaml:5: capa: 'variants' has an unknown language 'fr'",
        ),
        (
            "  - id: capa\n    term: {en: corrective action, zh: 纠正措施}\n"
            "    variants: {en: [CAPA]}\n    pages: ['10.2', corrective-action]\n",
            "synonyms.yaml:6: capa: 'pages' points to unknown clause or article '10.2'",
        ),
    ],
)
def test_each_kind_of_synonym_mistake_is_reported(tmp_path, body, expected):
    messages = problems_in(tmp_path, synonyms(body))
    assert any(m.startswith(expected) for m in messages), messages


def test_the_shipped_synonym_table_covers_how_people_type():
    items, _ = content.read(CONTENT_DIR)
    words = set()
    for item in items:
        if item.kind == "synonym":
            words |= set(item.texts["term"].values())
            for listed in item.attrs["variants"].values():
                words |= set(listed)
    assert {"内审", "管审", "CAPA", "纠正预防", "8D", "5 Whys", "认证"} <= words


def test_the_authoring_guide_shows_a_valid_example_of_every_kind(tmp_path):
    guide = (CONTENT_DIR.parent / "docs" / "content.md").read_text(encoding="utf-8")
    examples = [block.split("```")[0] for block in guide.split("```yaml\n")[1:]]
    shown = set()
    for number, example in enumerate(examples):
        path = tmp_path / f"example{number}.yaml"
        path.write_text(example, encoding="utf-8")
        items, problems = content._read_file(path, path.name)
        assert problems == [], example
        shown |= {item.kind for item in items}
    assert shown == set(content.KINDS)


# ----- quiz questions: Telegram's quiz-poll limits, alone and as one bilingual poll ---------
QUIZ = """\
kind: quiz
items:
  - id: quiz-test
    page: family
    topic: nonconformity
    difficulty: 2
    correct: [1]
    question:
      en: What removes the cause of a nonconformity?
      zh: 什么能消除不合格的原因？
    options:
      en: [A correction, A corrective action, A concession]
      zh: [纠正, 纠正措施, 让步]
    explanation:
      en: A corrective action removes the cause so that it does not happen again.
      zh: 纠正措施消除原因，防止再发生。
"""


def quiz_problems(tmp_path, old: str = "", new: str = "") -> list[str]:
    source = QUIZ.replace(old, new, 1) if old else QUIZ
    return [m for m in problems_in(tmp_path, {"quiz.yaml": source}) if "references" not in m]


def test_a_valid_quiz_question_loads(tmp_path):
    assert [m for m in quiz_problems(tmp_path) if "page" not in m] == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("topic: nonconformity", "topic: gossip", "'topic' must be one of"),
        ("difficulty: 2", "difficulty: 4", "'difficulty' must be 1"),
        ("correct: [1]", "correct: [3]", "'correct' must list the right options' positions"),
        ("correct: [1]", "correct: []", "'correct' must list"),
        ("zh: [纠正, 纠正措施, 让步]", "zh: [纠正, 纠正措施]", "the same number of options"),
        (
            "en: [A correction, A corrective action, A concession]",
            "en: [A correction]",
            "the same number of options",
        ),
        ("zh: [纠正, 纠正措施, 让步]", "zh: [纠正, 纠正, 让步]", "the same option twice"),
        ("zh: [纠正, 纠正措施, 让步]", "zh: [纠正, 纠正措施, 让步(批准)]", "ASCII '('"),
        (
            "A concession]",
            "A concession that " + "x" * 90 + "]",
            "over 100 characters",
        ),
        (
            "A concession]",
            "A concession granted " + "x" * 75 + "]",
            "over 100 characters in a bilingual poll",
        ),
        (
            "What removes",
            "x" * 260 + " What removes",
            "'question' in both languages is",
        ),
        (
            "A corrective action removes",
            "x" * 201 + " A corrective action removes",
            "'explanation' (en) is",
        ),
        (
            "A corrective action removes",
            "x" * 150 + " A corrective action removes",
            "'explanation' in both languages is",
        ),
    ],
)
def test_quiz_limits_are_each_caught(tmp_path, old, new, expected):
    messages = quiz_problems(tmp_path, old, new)
    assert any(expected in m for m in messages), messages
