"""Structure of an imported document: its title, the four parts of a practice, the fact sheet.

Parts are recognised by their headings in any language of the guide (the catalog words the
templates print, a few common variants, and what ``content/word.yaml`` adds); the fact sheet
is read from a two-column table or ``Label: value`` lines before the first part.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from ..content.model import PRACTICE_PARTS
from ..content.yamlsafe import load_yaml_file
from ..errors import ContentError, Problem
from ..render.i18n import BODY_WORDS, catalog_path, read_catalog
from .markdown_out import Block, text_of

MAPPING_FILE = "content/word.yaml"
# Headings authors commonly write, besides the catalog words (matched without accents or case).
PART_VARIANTS = {
    "context": ("Contexto", "Context", "Contexto de la implementación", "Antecedentes", "Background"),
    "challenges": ("Retos", "Desafíos y obstáculos", "Obstacles"),
    "lessons": ("Lecciones", "Lessons", "Aprendizajes"),
    "recommendations": ("Recomendaciones", "Recommendations", "Recomendaciones para la replicación"),
}
FACT_MSGIDS = {
    "countries": ("Country", "Countries"),
    "organisations": ("Implementing organisation", "Implementing organisations"),
    "period": ("Period",),
    "thematic_areas": ("Thematic areas",),
    "population": ("Population reached",),
    "key_lesson": ("Key lesson",),
}
FACT_VARIANTS = {
    "countries": ("Países", "País"),
    "organisations": ("Organisations", "Organizations", "Organization", "Organizaciones", "Organización",
                      "Implementing organizations", "Organizaciones ejecutoras", "Organizaciones implementadoras"),
    "period": ("Periodo", "Years", "Años"),
    "thematic_areas": ("Thematic area", "Área temática", "Themes", "Temas"),
    "population": ("Population", "Población", "Beneficiaries", "Beneficiarios"),
    "key_lesson": ("Lesson", "Lección"),
    "short_title": ("Short title", "Título corto"),
}  # fmt: skip


def norm(text: str) -> str:
    """A heading or label as compared: no accents, case, numbering, trailing colon or extra spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"^\s*(\d+|[ivx]+)[.)]\s+", "", text)
    return " ".join(text.strip(" :.\t").split())


def vocabulary(root: Path, langs: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """``{normalised heading: part}`` and ``{normalised label: fact-sheet key}`` for every language."""
    parts: dict[str, str] = {}
    facts: dict[str, str] = {}
    for part in PRACTICE_PARTS:
        for word in (
            BODY_WORDS[f"part:{part}"],
            *PART_VARIANTS[part],
            *_translated(root, langs, BODY_WORDS[f"part:{part}"]),
        ):
            parts[norm(word)] = part
    for key, variants in FACT_VARIANTS.items():
        words = list(variants)
        for msgid in FACT_MSGIDS.get(key, ()):
            words += [msgid, *_translated(root, langs, msgid)]
        for word in words:
            facts[norm(word)] = key
    extra = _user_mapping(root)
    for section, target, known in (("parts", parts, PRACTICE_PARTS), ("factsheet", facts, tuple(FACT_VARIANTS))):
        for key, words in (extra.get(section) or {}).items():
            if key not in known:
                raise ContentError([Problem(root / MAPPING_FILE, None, f"{section}: unknown key {key!r}",
                                            "known: " + ", ".join(known))])  # fmt: skip
            for word in words if isinstance(words, list) else [words]:
                target[norm(str(word))] = key
    return parts, facts


def _translated(root: Path, langs: tuple[str, ...], msgid: str) -> list[str]:
    words: list[str] = []
    for lang in langs:
        path = catalog_path(root, lang)
        if not path.is_file():
            continue
        for message in read_catalog(path):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if msgid in ids:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                words.extend(str(s) for s in strings if s)
    return words


def _user_mapping(root: Path) -> dict[str, Any]:
    path = root / MAPPING_FILE
    if not path.is_file():
        return {}
    data = load_yaml_file(path)
    if not isinstance(data, dict) or set(data) - {"parts", "factsheet"}:
        raise ContentError([Problem(path, 1, "word.yaml holds 'parts' and 'factsheet' mappings only",
                                    "e.g. parts: {context: [Antecedentes]}")])  # fmt: skip
    return data


def title_of(blocks: list[Block], meta_title: str) -> tuple[str, list[Block]]:
    """The chapter title: Word's Title paragraph, else a first heading of level 1 that is the only one."""
    if meta_title.strip():
        return meta_title.strip(), blocks
    headers = [b for b in blocks if b["t"] == "Header" and b["c"][0] == 1]
    if headers and blocks and blocks[0] is headers[0] and len(headers) == 1:
        return text_of(headers[0]).strip(), blocks[1:]
    return "", blocks


def practice_parts(blocks: list[Block], names: dict[str, str]) -> tuple[list[Block], list[str], list[str]]:
    """Wrap the blocks under each part heading in a part; deeper headings become ``###``.

    Returns the blocks, the parts found in order, and what could not be placed."""
    out: list[Block] = []
    found: list[str] = []
    notes: list[str] = []
    level: int | None = None
    for block in blocks:
        if block["t"] == "Header":
            part = names.get(norm(text_of(block)))
            if part is not None and (level is None or block["c"][0] <= level):
                if found:
                    out.append({"t": "PartClose"})
                out.append({"t": "PartOpen", "c": part})
                found.append(part)
                level = block["c"][0]
                continue
            if level is not None and block["c"][0] <= level:
                notes.append(f"heading {text_of(block)!r} is not one of the four parts: made a subsection")
            depth = 3 + max(0, block["c"][0] - (level or 2) - 1)
            out.append({"t": "Header", "c": [depth, block["c"][1], block["c"][2]]})
            continue
        out.append(block)
    if found:
        out.append({"t": "PartClose"})
    return out, found, notes


def chapter_headings(blocks: list[Block]) -> list[Block]:
    """The shallowest heading becomes ``##`` (the chapter title is the only ``#``)."""
    levels = [b["c"][0] for b in blocks if b["t"] == "Header"]
    shift = 2 - min(levels) if levels else 0
    return [{"t": "Header", "c": [min(6, b["c"][0] + shift), *b["c"][1:]]} if b["t"] == "Header" else b
            for b in blocks]  # fmt: skip


def split_factsheet(blocks: list[Block], labels: dict[str, str]) -> tuple[dict[str, list[str]], list[Block]]:
    """The fact-sheet rows ``{key: [values]}`` found before the first part or heading, and the other blocks.

    Rows come from a table whose first column holds labels, or from paragraphs or list items
    ``Label: value``; a row whose label is not known is kept under its own label, for the report."""
    rows: dict[str, list[str]] = {}
    rest: list[Block] = []
    for index, block in enumerate(blocks):
        if block["t"] in ("Header", "PartOpen"):
            return rows, rest + blocks[index:]
        found = _table_rows(block) if block["t"] == "Table" else _labelled(block)
        known = [label for label, _ in found if norm(label) in labels]
        if found and len(known) * 2 >= len(found):
            for label, values in found:
                rows.setdefault(labels.get(norm(label), "?" + label), []).extend(values)
        else:
            rest.append(block)
    return rows, rest


def _table_rows(block: Block) -> list[tuple[str, list[str]]]:
    c = block["c"]
    rows = [row[1] for row in c[3][1]] + [row[1] for b in c[4] for row in (*b[2], *b[3])]
    result = []
    for row in rows:
        if len(row) != 2:
            return []
        label = text_of(row[0][4]).strip()
        values = [text_of(b).strip() for b in row[1][4] if text_of(b).strip()]
        result.append((label, values))
    return result


def _labelled(block: Block) -> list[tuple[str, list[str]]]:
    while block["t"] == "Div" and len(block["c"][1]) == 1:
        block = block["c"][1][0]
    if block["t"] in ("Para", "Plain"):
        lines = [text_of(block)]
    elif block["t"] == "BulletList":
        lines = [text_of(item) for item in block["c"]]
    else:
        return []
    result = []
    for line in lines:
        label, colon, value = line.partition(":")
        if not colon or len(label) > 40:
            return []
        result.append((label.strip(), [value.strip()]))
    return result
