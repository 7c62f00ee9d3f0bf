"""Reviewed source files in ``content/`` → validated items ready for SQLite.

Every file is YAML: ``kind: <kind>`` and ``items: [...]``. An item has an ``id``,
its translatable fields as ``{en: ..., zh: ...}`` maps and, per kind, references
to other items. ``check`` reports every problem with its file, line and item id, so
an author can fix all of them in one pass. Any other file in ``content/`` (a
``.yml``, a stray note) is a problem too: it would otherwise be silently skipped.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.config import LANGUAGES
from bot.db.content import CJK, Item, search_form

# Telegram allows 4096 characters a message; a screen shows all of an item's texts
# together, plus headings and a path: keep their sum under this.
MAX_SCREEN = 3800
MAX_TEXT = 3500
MAX_TITLE = 100
# Ids travel in callback data (64 bytes with the dialog's own prefix).
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.\-]{0,39}$")
# Errors of the old source text and non-standard terms: GB/T 19000 wording only.
FORBIDDEN = {
    "ISO900 1": "ISO 9001",
    "ISO1901": "ISO 19011",
    "形成文件的信息": "成文信息",
    # 评审 is review, 审核 only audit (GB/T 19000): these mean a review.
    "管理审核": "管理评审",
    "管理者审核": "管理评审",
    "要求的审核": "要求的评审",
    "合同审核": "合同评审",
    "设计审核": "设计评审",
    "文件审核": "文件评审",
}
# A requirement may be declared not applicable only where that does not affect conforming
# products and services (ISO 9001 4.3): in practice parts of clause 8 and measurement
# traceability (7.1.5.2) where it is not required.
NA_CLAUSES = re.compile(r"^(8(\.\d+)*|7\.1\.5\.2)$")
TITLES_FILE = Path("reference") / "clause-titles.tsv"
# Bump when ``search_form`` changes: the fingerprint then differs and the index is rebuilt.
SEARCH_FORM_VERSION = b"search-form 1"
HAN = re.compile(f"[{CJK}]")
# Chinese text around a mark: characters and full-width punctuation, quotes, dashes, ellipses.
_ZH = f"[{CJK}\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026]"
_ASCII_MARKS = r"[!-/:-@\[-`{-~]"
# ASCII punctuation between Chinese characters (中文,中文), or closing a Chinese phrase (中文, ISO):
# ASCII stays fine inside Latin runs, URLs, clause numbers (8.5.2) and names like ISO 9001:2015.
ASCII_IN_CHINESE = re.compile(
    rf"(?<={_ZH}) ?({_ASCII_MARKS}+)(?= ?{_ZH})|(?<=[{CJK}]) ?([,.:;!?()])"
)
FULL_WIDTH = {
    ",": "，",
    ":": "：",
    ";": "；",
    "!": "！",
    "?": "？",
    "(": "（",
    ")": "）",
    ".": "。",
}


@dataclass(frozen=True)
class Kind:
    texts: tuple[str, ...]
    # attribute → kind(s) it points at (with several, a reference names one of them)
    refs: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    flags: tuple[str, ...] = ()  # optional true/false attributes
    required: tuple[str, ...] = ()  # references every item must have
    hierarchical: bool = False  # parent = id without its last dotted segment
    lists: tuple[str, ...] = ()  # {en: [...], zh: [...]}: words, not translations (attrs)
    values: tuple[str, ...] = ()  # plain attributes, checked by the kind's own rules (attrs)


KINDS = {
    "meta": Kind(texts=("text",)),
    "section": Kind(texts=("title",)),
    "clause": Kind(texts=("title", "asks", "evidence"), hierarchical=True),
    "article": Kind(
        texts=("title", "body"),
        refs={"section": "section", "clauses": "clause"},
        required=("section",),
    ),
    "question": Kind(
        texts=("question", "guidance", "evidence", "action"),
        refs={"clause": "clause"},
        required=("clause",),
        flags=("na_allowed",),
    ),
    "roadmap_step": Kind(texts=("title", "body"), refs={"clauses": "clause"}),
    # What people type (内审, CAPA, 5why) → the standard's term, searched as well, and the
    # pages (clause numbers or article ids) shown first.
    "synonym": Kind(texts=("term",), refs={"pages": ("clause", "article")}, lists=("variants",)),
    # One practical habit a day, with a button into the library page it comes from.
    "tip": Kind(texts=("text",), refs={"page": ("clause", "article")}, required=("page",)),
    # A quiz question, sent as a Telegram quiz poll: options in both languages, in the same
    # order; ``correct`` holds the right options' positions (from 0).
    "quiz": Kind(
        texts=("question", "explanation"),
        refs={"page": ("clause", "article")},
        required=("page",),
        lists=("options",),
        values=("topic", "difficulty", "correct"),
    ),
}
# A tip is read on a phone at the start of a shift: a few lines, not an article.
MAX_TIP = 480
QUIZ_TOPICS = (
    "principles",
    "clauses",
    "documents",
    "nonconformity",
    "audit",
    "iso9004",
    "certification",
    "shop_floor",
)
# Telegram's quiz polls: a question of at most 300 characters, 2–12 options of at most 100
# (we keep 2–6), an explanation of at most 200 with at most 2 line feeds. A group that reads
# both languages gets one poll with both, so the bilingual forms must fit too:
# question "zh\nen", each option "zh / en", explanation "zh\nen".
POLL_QUESTION, POLL_OPTION, POLL_EXPLANATION = 300, 100, 200
MIN_OPTIONS, MAX_OPTIONS = 2, 6


@dataclass(frozen=True)
class Problem:
    source: str
    item_id: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.item_id}: {self.message}"


def content_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def source_files(root: Path) -> list[Path]:
    return [p for p in content_files(root) if p.suffix == ".yaml"]


def _is_known(path: Path, root: Path) -> bool:
    relative = path.relative_to(root)
    return relative.suffix == ".yaml" or (
        relative.parent == TITLES_FILE.parent and relative.suffix == ".tsv"
    )


def fingerprint(root: Path) -> str:
    """Changes with any file under ``root`` (a stray one too: it is then reported at start)."""
    digest = hashlib.sha256(SEARCH_FORM_VERSION)
    for path in content_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read(root: Path) -> tuple[list[Item], list[Problem]]:
    """Parse and validate every source file under ``root``."""
    items: list[Item] = []
    problems: list[Problem] = []
    for path in content_files(root):
        name = str(path.relative_to(root.parent))
        if not _is_known(path, root):
            hint = "rename it to .yaml" if path.suffix == ".yml" else "move it out of content/"
            problems.append(
                Problem(
                    name,
                    "-",
                    f"not a content file: content/ holds *.yaml sources and "
                    f"{TITLES_FILE.parent}/*.tsv tables only; {hint}",
                )
            )
        elif path.suffix == ".yaml":
            file_items, file_problems = _read_file(path, name)
            items += file_items
            problems += file_problems
    problems += _check_references(items)
    problems += _check_synonyms(items)
    if any(item.kind == "clause" for item in items):
        problems += _check_titles(items, root / TITLES_FILE, str(TITLES_FILE))
    return items, problems


def official_titles(path: Path) -> dict[str, dict[str, str]]:
    """clause number → {"en": title, "zh": title}, from the table kept in ``content/``."""
    titles = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            number, en, zh = line.split("\t")
            titles[number] = {"en": en, "zh": zh}
    return titles


def _check_titles(items: list[Item], path: Path, name: str) -> list[Problem]:
    """Every clause of the map carries the standard's own title, in full, in both languages."""
    if not path.is_file():
        return [Problem(name, "-", "the table of official clause titles is missing")]
    official = official_titles(path)
    problems = []
    for item in items:
        if item.kind != "clause":
            continue
        if item.id not in official:
            problems.append(Problem(item.source, item.id, f"not a clause in {name}", item.line))
            continue
        for lang, title in item.texts.get("title", {}).items():
            if title != official[item.id][lang]:
                problems.append(
                    Problem(
                        item.source,
                        item.id,
                        f"title ({lang}) {title!r} is not the official {official[item.id][lang]!r}",
                        item.field_lines.get("title", item.line),
                    )
                )
    return problems


def _compose(text: str):
    """The document and its root node, whose marks give every item's and field's line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node else None), node
    finally:
        loader.dispose()


def _read_file(path: Path, name: str) -> tuple[list[Item], list[Problem]]:
    try:
        doc, root = _compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = ", ".join(filter(None, [error.context, error.problem]))
        return [], [Problem(name, "-", f"not valid YAML: {what}", mark.line + 1 if mark else None)]
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return [], [Problem(name, "-", f"not valid YAML: {error}")]
    if not isinstance(doc, dict) or doc.get("kind") not in KINDS:
        known = ", ".join(sorted(KINDS))
        return [], [Problem(name, "-", f"needs 'kind:' set to one of: {known}")]
    kind_name = doc["kind"]
    kind = KINDS[kind_name]
    problems = [Problem(name, "-", message, line) for line, message in _duplicate_keys(root)]
    item_nodes = _child(root, "items")
    items = []
    for position, raw in enumerate(doc.get("items") or []):
        node = item_nodes.value[position] if isinstance(item_nodes, yaml.SequenceNode) else None
        item, item_problems = _read_item(raw, kind_name, kind, name, position, _lines(node))
        problems += item_problems
        if item:
            items.append(item)
    return items, problems


def _child(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node
    return None


def _lines(node) -> dict[tuple[str, ...], int]:
    """Line of an item (key ``()``), its fields (``("title",)``) and their languages
    (``("title", "zh")``)."""
    if node is None:
        return {}
    lines = {(): node.start_mark.line + 1}
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else ():
        lines[(str(key_node.value),)] = key_node.start_mark.line + 1
        for sub_key, _sub_value in (
            value_node.value if isinstance(value_node, yaml.MappingNode) else ()
        ):
            lines[(str(key_node.value), str(sub_key.value))] = sub_key.start_mark.line + 1
    return lines


def _duplicate_keys(node) -> list[tuple[int, str]]:
    """A key written twice in one mapping: YAML keeps the last silently, the author meant both."""
    found = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in seen:
                first = seen[key_node.value]
                found.append((line, f"'{key_node.value}' is written twice (first on line {first})"))
            seen.setdefault(key_node.value, line)
            found += _duplicate_keys(value_node)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found += _duplicate_keys(child)
    return found


def _read_item(raw, kind_name: str, kind: Kind, name: str, position: int, lines=None):
    lines = lines or {}
    if not isinstance(raw, dict) or raw.get("id") is None:
        return None, [Problem(name, f"#{position + 1}", "item needs an 'id'", lines.get(()))]
    item_id = str(raw["id"])
    problems = []

    def problem(message: str, *where: str) -> None:
        """A problem, on the line of the field (and language) it is about."""
        while where and where not in lines:
            where = where[:-1]
        problems.append(Problem(name, item_id, message, lines.get(where)))

    if not isinstance(raw["id"], str):
        problem('id must be text: quote it (id: "7.10" — unquoted, 7.10 would read as 7.1)', "id")
    elif not ID_PATTERN.match(item_id):
        problem("id may hold only lowercase letters, digits, '.' and '-', at most 40 of them", "id")
    item = Item(kind=kind_name, id=item_id, source=name, position=position)
    item.line = lines.get((), 0)
    item.field_lines = {key[0]: line for key, line in lines.items() if len(key) == 1}
    for field_name in kind.texts:
        item.texts[field_name] = _read_text(raw.get(field_name), field_name, problem)
    unknown = set(raw) - {"id", *kind.texts, *kind.refs, *kind.flags, *kind.lists, *kind.values}
    if unknown:
        problem(f"unknown field(s): {', '.join(sorted(unknown))}", sorted(unknown)[0])
    for attr in kind.refs:
        if attr in raw:
            item.attrs[attr] = raw[attr]
            values = raw[attr] if isinstance(raw[attr], list) else [raw[attr]]
            if not all(isinstance(value, str) for value in values):
                problem(f"'{attr}' must hold text: quote each reference", attr)
        elif attr in kind.required:
            problem(f"needs '{attr}'")
    for field_name in kind.lists:
        item.attrs[field_name] = _read_list(raw.get(field_name), field_name, problem)
    for flag in kind.flags:
        if flag in raw:
            if not isinstance(raw[flag], bool):
                problem(f"'{flag}' must be true or false", flag)
            elif raw[flag]:
                item.attrs[flag] = True
    if item.attrs.get("na_allowed") and not NA_CLAUSES.match(str(raw.get("clause", ""))):
        problem(
            "'na_allowed' only where ISO 9001 allows a requirement to be not applicable "
            "(clause 8 or 7.1.5.2), not clause " + str(raw.get("clause")),
            "na_allowed",
        )
    for value_name in kind.values:
        if value_name in raw:
            item.attrs[value_name] = raw[value_name]
    if kind_name == "quiz":
        _check_quiz(item, problem)
    if kind_name == "tip":
        for lang, text in item.texts.get("text", {}).items():
            if len(text) > MAX_TIP:
                problem(
                    f"'text' ({lang}) is {len(text)} characters; a tip has at most {MAX_TIP}",
                    "text",
                    lang,
                )
    for lang in LANGUAGES:
        screen = sum(len(texts.get(lang, "")) for texts in item.texts.values())
        if screen > MAX_SCREEN:
            problem(
                f"its texts ({lang}) add up to {screen} characters on one screen; "
                f"the limit is {MAX_SCREEN}"
            )
    if kind.hierarchical and "." in item_id:
        item.parent = item_id.rsplit(".", 1)[0]
    return item, problems


def _check_quiz(item: Item, problem) -> None:
    """Within Telegram's quiz-poll limits, alone and as one bilingual poll."""
    attrs = item.attrs
    if attrs.get("topic") not in QUIZ_TOPICS:
        problem(f"'topic' must be one of: {', '.join(QUIZ_TOPICS)}", "topic")
    if attrs.get("difficulty") not in (1, 2, 3):
        problem("'difficulty' must be 1 (easy), 2 or 3 (hard)", "difficulty")
    options = attrs.get("options", {})
    counts = {len(options.get(lang, [])) for lang in LANGUAGES}
    if len(counts) != 1:
        problem("'options' needs the same number of options in each language", "options")
    count = min(counts)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        problem(f"'options' needs {MIN_OPTIONS} to {MAX_OPTIONS} options", "options")
    correct = attrs.get("correct")
    if (
        not isinstance(correct, list)
        or not correct
        or len(set(correct)) != len(correct)
        or not all(type(i) is int and 0 <= i < count for i in correct)
    ):
        problem(
            f"'correct' must list the right options' positions, from 0 to {count - 1}", "correct"
        )
    for lang in LANGUAGES:
        words = options.get(lang, [])
        if len(set(words)) != len(words):
            problem(f"'options' ({lang}) has the same option twice", "options", lang)
        for word in words:
            if len(word) > POLL_OPTION:
                problem(
                    f"an option ({lang}) is over {POLL_OPTION} characters: {word[:30]}…",
                    "options",
                    lang,
                )
            if lang == "zh":
                for message in _chinese_problems(word):
                    problem(f"'options' (zh) {message}", "options", lang)
    for zh, en in zip(options.get("zh", []), options.get("en", []), strict=False):
        if len(bilingual_option(zh, en)) > POLL_OPTION:
            problem(
                f"option “{zh} / {en[:20]}…” is over {POLL_OPTION} characters in a bilingual poll",
                "options",
            )
    limits = {"question": POLL_QUESTION, "explanation": POLL_EXPLANATION}
    for field_name, limit in limits.items():
        texts = item.texts.get(field_name, {})
        for lang, text in texts.items():
            if len(text) > limit:
                problem(
                    f"'{field_name}' ({lang}) is {len(text)} characters; a poll allows {limit}",
                    field_name,
                    lang,
                )
        if len(texts) == len(LANGUAGES):
            both = bilingual_text(texts["zh"], texts["en"])
            if len(both) > limit:
                problem(
                    f"'{field_name}' in both languages is {len(both)} characters; "
                    f"a poll allows {limit}",
                    field_name,
                )
            if field_name == "explanation" and both.count("\n") > 2:
                problem("'explanation' in both languages has more than 2 line feeds", field_name)


def bilingual_text(zh: str, en: str) -> str:
    """A quiz question or explanation in a group that reads both languages: one poll."""
    return f"{zh}\n{en}"


def bilingual_option(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def _read_text(value, field_name: str, problem) -> dict[str, str]:
    if not isinstance(value, dict):
        problem(
            f"'{field_name}' needs a text for each language: {', '.join(LANGUAGES)}", field_name
        )
        return {}
    texts = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problem(f"'{field_name}' has no {lang} text", field_name, lang)
            continue
        limit = MAX_TITLE if field_name == "title" else MAX_TEXT
        if len(text) > limit:
            problem(
                f"'{field_name}' ({lang}) is {len(text)} characters; the limit is {limit}",
                field_name,
                lang,
            )
        for wrong, right in FORBIDDEN.items():
            if wrong in text:
                problem(
                    f"'{field_name}' ({lang}) says '{wrong}'; write '{right}'", field_name, lang
                )
        if lang == "zh":
            for message in _chinese_problems(text):
                problem(f"'{field_name}' (zh) {message}", field_name, lang)
        texts[lang] = text.strip()
    for lang in set(value) - set(LANGUAGES):
        problem(f"'{field_name}' has an unknown language '{lang}'", field_name, str(lang))
    return texts


def _chinese_problems(text: str) -> list[str]:
    """What makes a zh text read as not written in Chinese."""
    if not HAN.search(text):
        return ["has no Chinese character: is it the English text, or in the wrong place?"]
    problems = []
    for found in ASCII_IN_CHINESE.finditer(text):
        mark = found.group(1) or found.group(2)
        context = text[max(found.start() - 6, 0) : found.end() + 6].replace("\n", " ")
        better = "".join(FULL_WIDTH.get(c, c) for c in mark)
        advice = f"write '{better}'" if better != mark else "use Chinese punctuation"
        problems.append(f"has ASCII '{mark}' in Chinese text (…{context}…): {advice}")
    return problems


def _read_list(value, field_name: str, problem) -> dict[str, list[str]]:
    """``{en: [..], zh: [..]}``: words in each language (either may be left out)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problem(
            f"'{field_name}' needs a list for each language: {', '.join(LANGUAGES)}", field_name
        )
        return {}
    lists = {}
    for lang, words in value.items():
        if lang not in LANGUAGES:
            problem(f"'{field_name}' has an unknown language '{lang}'", field_name, str(lang))
        elif not isinstance(words, list) or not all(
            isinstance(word, str) and word.strip() for word in words
        ):
            problem(f"'{field_name}' ({lang}) must be a list of words: [CAPA, …]", field_name, lang)
        else:
            lists[lang] = [word.strip() for word in words]
    if not any(lists.values()) and set(value) <= set(LANGUAGES):
        problem(f"'{field_name}' holds no words", field_name)
    return lists


def _check_references(items: list[Item]) -> list[Problem]:
    problems = []
    ids: dict[tuple[str, str], Item] = {}
    for item in items:
        key = (item.kind, item.id)
        if key in ids:
            first = ids[key].source
            problems.append(
                Problem(
                    item.source, item.id, f"duplicate {item.kind} id (first in {first})", item.line
                )
            )
        ids.setdefault(key, item)
    for item in items:
        kind = KINDS[item.kind]
        if item.parent and (item.kind, item.parent) not in ids:
            problems.append(
                Problem(
                    item.source,
                    item.id,
                    f"parent {item.kind} '{item.parent}' does not exist",
                    item.line,
                )
            )
        for attr, target in kind.refs.items():
            targets = (target,) if isinstance(target, str) else target
            value = item.attrs.get(attr)
            for ref in value if isinstance(value, list) else [value] if value else []:
                if not any((t, str(ref)) in ids for t in targets):
                    problems.append(
                        Problem(
                            item.source,
                            item.id,
                            f"'{attr}' points to unknown {' or '.join(targets)} '{ref}'",
                            item.field_lines.get(attr, item.line),
                        )
                    )
    return problems


def _check_synonyms(items: list[Item]) -> list[Problem]:
    """Each typed word means one thing: a variant belongs to one entry and is no entry's term
    (terms may be shared: CAPA and 8D both mean corrective action), and no two words of an
    entry are the same once normalized (ISO-9001 is already ISO 9001)."""
    problems = []
    terms: dict[str, list[Item]] = {}
    variants: dict[str, tuple[Item, str]] = {}
    synonyms = [item for item in items if item.kind == "synonym"]
    for item in synonyms:
        for text in item.texts.get("term", {}).values():
            terms.setdefault(search_form(text), []).append(item)

    def problem(item: Item, message: str) -> None:
        problems.append(
            Problem(item.source, item.id, message, item.field_lines.get("variants", item.line))
        )

    for item in synonyms:
        words = [w for ws in item.attrs.get("variants", {}).values() for w in ws]
        if not words and "variants" not in item.field_lines:  # a wrong one is said already
            problem(item, "needs 'variants': the words people type for this term")
        own = {search_form(text): text for text in item.texts.get("term", {}).values()}
        for word in words:
            form = search_form(word)
            if not form:
                problem(item, f"variant '{word}' has no letter, digit or Chinese character")
            elif form in own:
                same = own[form]
                problem(item, f"variant '{word}' is the same as '{same}' once normalized: drop it")
            elif form in variants:
                other, written = variants[form]
                problem(
                    item,
                    f"variant '{word}' is already '{written}' of '{other.id}' ({other.source})",
                )
            elif form in terms:
                other = terms[form][0]
                problem(item, f"variant '{word}' is the term of '{other.id}' ({other.source})")
            else:
                variants[form] = (item, word)
                own[form] = word
    return problems
