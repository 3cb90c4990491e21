"""``python build.py export CHAPTER --lang es``: a chapter (or an edition) → a .docx for review.

The chapter's Markdown is parsed by pandoc into its AST, which is then given the guide's shape
for Word: the title as Word's Title, the fact sheet as a table, each part as a Heading 2 with
its catalog name, figures with their captions, notes as Word footnotes, cross-references as a
link with the catalog word. The chapter id and language go in the file's properties, so that
``import`` finds the chapter again.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, cast

from ..content.editions import load_editions
from ..content.model import Chapter, Guide
from ..errors import ContentError, Problem
from ..render.i18n import BODY_WORDS, Formatter, translations
from . import reference
from .docx_in import WordError

READER = "commonmark+footnotes+fenced_divs+attributes+pipe_tables"  # the project's dialect, nothing more
Block = dict[str, Any]
NO_ATTR: list[Any] = ["", [], []]


def export(guide: Guide, lang: str, chapter_id: str | None, edition: str | None, output: Path | None) -> int:
    import docx
    import pypandoc

    if edition:
        editions = load_editions(guide)
        if edition not in editions:
            raise WordError(f"unknown edition {edition!r} (known: {', '.join(editions)})")
        lang = editions[edition].lang
        chapters = [guide.chapters[lang][cid] for cid in editions[edition].chapters if cid in guide.chapters[lang]]
        title, name = guide.title[lang], edition
    else:
        if not chapter_id or chapter_id not in guide.chapters.get(lang, {}):
            known = ", ".join(sorted(guide.chapters.get(lang, {})))
            raise ContentError([Problem(None, None, f"no chapter {chapter_id!r} in {lang!r}", f"known: {known}")])
        chapters = [guide.chapters[lang][chapter_id]]
        title, name = chapters[0].title, f"{chapter_id}-{lang}"
    blocks: list[Block] = []
    for chapter in chapters:
        blocks += chapter_blocks(guide, chapter, heading=edition is not None)
    ast = {"pandoc-api-version": [1, 23, 1, 1], "meta": {"title": {"t": "MetaInlines", "c": _inlines(title)}},
           "blocks": blocks}  # fmt: skip
    target = (output or guide.root / "output" / f"{name}.docx").resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="press-word-") as tmp:
        styles = reference.build(guide.root, Path(tmp) / "reference.docx")
        written = Path(tmp) / "out.docx"
        pypandoc.convert_text(json.dumps(ast), "docx", format="json", outputfile=str(written),
                              extra_args=[f"--reference-doc={styles}",
                                          f"--resource-path={guide.root / 'content'}"])  # fmt: skip
        document = docx.Document(str(written))
        props = document.core_properties
        props.identifier = "" if edition else chapters[0].id
        props.language, props.title = lang, title
        props.subject = "" if edition else chapters[0].type
        document.save(str(written))
        temporary = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(written, temporary)  # then moved into place: never a half-written .docx
        os.replace(temporary, target)
    where = target.relative_to(guide.root) if target.is_relative_to(guide.root) else target
    print(
        f"wrote {where}: {len(chapters)} chapter(s) in {lang}; after review: "
        f"python build.py import {where} --lang {lang}" + ("" if edition else f" --id {chapters[0].id}")
    )
    return 0


def chapter_blocks(guide: Guide, chapter: Chapter, heading: bool = False) -> list[Block]:
    """One chapter as pandoc blocks, shaped for Word."""
    import pypandoc

    words = translations(guide.root, chapter.lang)
    ast = json.loads(pypandoc.convert_text(chapter.body, "json", format=READER))
    blocks: list[Block] = []
    if heading:
        blocks.append({"t": "Header", "c": [1, NO_ATTR, _inlines(chapter.title)]})
    if chapter.factsheet is not None:
        blocks.append(factsheet(guide, chapter))
    return blocks + _shape(ast["blocks"], words)


def _shape(blocks: list[Block], words: Any) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        kind, c = block["t"], block.get("c", [])
        c = cast(Any, c)
        if kind == "Div" and c[0][1][:1] and c[0][1][0] in ("context", "challenges", "lessons", "recommendations"):
            label = words.gettext(BODY_WORDS[f"part:{c[0][1][0]}"])
            out.append({"t": "Header", "c": [2, NO_ATTR, _inlines(label)]})
            out += _shape(c[1], words)
        elif kind == "Para" and len(c) == 1 and c[0]["t"] == "Image":
            attr, alt, (src, caption) = c[0]["c"]
            image = {"t": "Image", "c": [NO_ATTR, alt, [src, ""]]}
            out.append({"t": "Figure", "c": [[attr[0], [], []], [None, [{"t": "Plain", "c": _inlines(caption)}]],
                                             [{"t": "Plain", "c": [image]}]]})  # fmt: skip
        else:
            out.append(_walk(block, words.gettext(BODY_WORDS["figure-ref"])))
    return out


def _walk(node: Any, figure_word: str) -> Any:
    """Give an empty cross-reference link the catalog word ("figura"), so that Word shows it."""
    if isinstance(node, list):
        return [_walk(item, figure_word) for item in node]
    if isinstance(node, dict):
        if node.get("t") == "Link" and not node["c"][1] and node["c"][2][0].startswith("#"):
            return {"t": "Link", "c": [node["c"][0], _inlines(figure_word), node["c"][2]]}
        return {key: _walk(value, figure_word) for key, value in node.items()}
    return node


def factsheet(guide: Guide, chapter: Chapter) -> Block:
    """The fact sheet as a two-column table, labels from the catalog, values as the PDF shows them."""
    sheet = chapter.factsheet
    assert sheet is not None
    words: Any
    words, fmt = translations(guide.root, chapter.lang), Formatter(chapter.lang)
    period = (f"{sheet.period.start}–{sheet.period.end}" if sheet.period.end
              else words.gettext("Since %(year)d") % {"year": sheet.period.start})  # fmt: skip
    areas = [
        guide.thematic_areas[a].label[chapter.lang] if a in guide.thematic_areas else a for a in sheet.thematic_areas
    ]
    rows = [
        (words.ngettext("Country", "Countries", len(sheet.countries)), [fmt.countries(sheet.countries)]),
        (words.ngettext("Implementing organisation", "Implementing organisations", len(sheet.organisations)),
         list(sheet.organisations)),
        (words.gettext("Period"), [period]),
        (words.gettext("Thematic areas"), [fmt.join(areas)]),
    ]  # fmt: skip
    if sheet.population:
        value = fmt.number(sheet.population.value, "integer")
        rows.append((words.gettext("Population reached"), [f"{value} — {sheet.population.description}"]))
    rows.append((words.gettext("Key lesson"), [sheet.key_lesson]))
    body = [[NO_ATTR, [_cell([label]), _cell(values)]] for label, values in rows]
    widths = [
        [{"t": "AlignDefault"}, {"t": "ColWidth", "c": 0.28}],
        [{"t": "AlignDefault"}, {"t": "ColWidth", "c": 0.72}],
    ]
    return {"t": "Table", "c": [NO_ATTR, [None, []], widths, [NO_ATTR, []], [[NO_ATTR, 0, [], body]], [NO_ATTR, []]]}


def _cell(paragraphs: list[str]) -> list[Any]:
    return [NO_ATTR, {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": _inlines(text)} for text in paragraphs]]


def _inlines(text: str) -> list[Block]:
    out: list[Block] = []
    for index, word in enumerate(text.split()):
        if index:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out
