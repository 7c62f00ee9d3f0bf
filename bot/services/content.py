"""Reviewed source files in ``content/`` → validated items ready for SQLite.

Every file is YAML: ``kind: <kind>`` and ``items: [...]``. An item has an ``id``,
its translatable fields as ``{en: ..., zh: ...}`` maps and, per kind, references
to other items. ``check`` reports every problem with its file and item id, so an
author can fix all of them in one pass.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.config import LANGUAGES
from bot.db.content import Item

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


@dataclass(frozen=True)
class Kind:
    texts: tuple[str, ...]
    refs: dict[str, str] = field(default_factory=dict)  # attribute → kind it points at
    flags: tuple[str, ...] = ()  # optional true/false attributes
    required: tuple[str, ...] = ()  # references every item must have
    hierarchical: bool = False  # parent = id without its last dotted segment


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
}


@dataclass(frozen=True)
class Problem:
    source: str
    item_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.item_id}: {self.message}"


def source_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in source_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read(root: Path) -> tuple[list[Item], list[Problem]]:
    """Parse and validate every source file under ``root``."""
    items: list[Item] = []
    problems: list[Problem] = []
    for path in source_files(root):
        name = str(path.relative_to(root.parent))
        file_items, file_problems = _read_file(path, name)
        items += file_items
        problems += file_problems
    problems += _check_references(items)
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
            problems.append(Problem(item.source, item.id, f"not a clause in {name}"))
            continue
        for lang, title in item.texts.get("title", {}).items():
            if title != official[item.id][lang]:
                problems.append(
                    Problem(
                        item.source,
                        item.id,
                        f"title ({lang}) {title!r} is not the official {official[item.id][lang]!r}",
                    )
                )
    return problems


def _read_file(path: Path, name: str) -> tuple[list[Item], list[Problem]]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return [], [Problem(name, "-", f"not valid YAML: {error}")]
    if not isinstance(doc, dict) or doc.get("kind") not in KINDS:
        known = ", ".join(sorted(KINDS))
        return [], [Problem(name, "-", f"needs 'kind:' set to one of: {known}")]
    kind_name = doc["kind"]
    kind = KINDS[kind_name]
    items, problems = [], []
    for position, raw in enumerate(doc.get("items") or []):
        item, item_problems = _read_item(raw, kind_name, kind, name, position)
        problems += item_problems
        if item:
            items.append(item)
    return items, problems


def _read_item(raw, kind_name: str, kind: Kind, name: str, position: int):
    if not isinstance(raw, dict) or raw.get("id") is None:
        return None, [Problem(name, f"#{position + 1}", "item needs an 'id'")]
    item_id = str(raw["id"])
    problems = []

    def problem(message: str) -> None:
        problems.append(Problem(name, item_id, message))

    if not isinstance(raw["id"], str):
        problem('id must be text: quote it (id: "7.10" — unquoted, 7.10 would read as 7.1)')
    elif not ID_PATTERN.match(item_id):
        problem("id may hold only lowercase letters, digits, '.' and '-', at most 40 of them")
    item = Item(kind=kind_name, id=item_id, source=name, position=position)
    for field_name in kind.texts:
        item.texts[field_name] = _read_text(raw.get(field_name), field_name, problem)
    unknown = set(raw) - {"id", *kind.texts, *kind.refs, *kind.flags}
    if unknown:
        problem(f"unknown field(s): {', '.join(sorted(unknown))}")
    for attr in kind.refs:
        if attr in raw:
            item.attrs[attr] = raw[attr]
            values = raw[attr] if isinstance(raw[attr], list) else [raw[attr]]
            if not all(isinstance(value, str) for value in values):
                problem(f"'{attr}' must hold text: quote each reference")
        elif attr in kind.required:
            problem(f"needs '{attr}'")
    for flag in kind.flags:
        if flag in raw:
            if not isinstance(raw[flag], bool):
                problem(f"'{flag}' must be true or false")
            elif raw[flag]:
                item.attrs[flag] = True
    if item.attrs.get("na_allowed") and not NA_CLAUSES.match(str(raw.get("clause", ""))):
        problem(
            "'na_allowed' only where ISO 9001 allows a requirement to be not applicable "
            "(clause 8 or 7.1.5.2), not clause " + str(raw.get("clause"))
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


def _read_text(value, field_name: str, problem) -> dict[str, str]:
    if not isinstance(value, dict):
        problem(f"'{field_name}' needs a text for each language: {', '.join(LANGUAGES)}")
        return {}
    texts = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problem(f"'{field_name}' has no {lang} text")
            continue
        limit = MAX_TITLE if field_name == "title" else MAX_TEXT
        if len(text) > limit:
            problem(f"'{field_name}' ({lang}) is {len(text)} characters; the limit is {limit}")
        for wrong, right in FORBIDDEN.items():
            if wrong in text:
                problem(f"'{field_name}' ({lang}) says '{wrong}'; write '{right}'")
        texts[lang] = text.strip()
    for lang in set(value) - set(LANGUAGES):
        problem(f"'{field_name}' has an unknown language '{lang}'")
    return texts


def _check_references(items: list[Item]) -> list[Problem]:
    problems = []
    ids: dict[tuple[str, str], Item] = {}
    for item in items:
        key = (item.kind, item.id)
        if key in ids:
            first = ids[key].source
            problems.append(
                Problem(item.source, item.id, f"duplicate {item.kind} id (first in {first})")
            )
        ids.setdefault(key, item)
    for item in items:
        kind = KINDS[item.kind]
        if item.parent and (item.kind, item.parent) not in ids:
            problems.append(
                Problem(item.source, item.id, f"parent {item.kind} '{item.parent}' does not exist")
            )
        for attr, target in kind.refs.items():
            value = item.attrs.get(attr)
            for ref in value if isinstance(value, list) else [value] if value else []:
                if (target, str(ref)) not in ids:
                    problems.append(
                        Problem(
                            item.source, item.id, f"'{attr}' points to unknown {target} '{ref}'"
                        )
                    )
    return problems
