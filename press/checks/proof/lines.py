"""Rules about lines of text: widows and orphans, hyphens, overflow, the trim box, language.

Each rule takes the pages (``pages.py``) and the proof's context and yields
``Finding`` records; ``proof.py`` runs them and applies the acceptances.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby, pairwise
from typing import Any

from .findings import Context, Finding
from .language import other_language
from .pages import Line, Page

PARAGRAPHS = ("p", "li", "dd", "blockquote")
PT = 96 / 72  # CSS pixels per point


def paragraphs(pages: list[Page]) -> list[list[Line]]:
    """The lines of each paragraph of the flow, in order, across pages."""
    found: dict[int, list[Line]] = {}
    for page in pages:
        for line in page.lines:
            if line.flow and line.tag in PARAGRAPHS:
                found.setdefault(id(line.element), []).append(line)
    return list(found.values())


def widows_and_orphans(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    for lines in paragraphs(pages):
        runs = [list(run) for _, run in groupby(lines, key=lambda line: line.page)]
        if len(runs) < 2:
            continue
        first, last = runs[0], runs[-1]
        if ctx.on("orphan") and len(first) < ctx.setting("orphan", "min_lines"):
            yield ctx.at_lines("orphan", first, f"{len(first)} line(s) of a paragraph alone at the foot of the page")
        if ctx.on("widow") and len(last) < ctx.setting("widow", "min_lines"):
            yield ctx.at_lines("widow", last, f"{len(last)} line(s) of a paragraph alone at the top of the page")


def _hyphenated(line: Line) -> bool:
    end = line.text.rstrip()
    return bool(end) and (end.endswith(line.hyphen) or end.endswith(("-", "\u2010", "\u00ad")))


def hyphens(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    for lines in paragraphs(pages):
        if ctx.on("hyphen-ladder"):
            most = ctx.setting("hyphen-ladder", "max")
            for ending, run in groupby(lines[:-1], key=_hyphenated):  # the last line of a paragraph ends it
                ladder = list(run)
                if ending and len(ladder) > most:
                    message = f"{len(ladder)} consecutive lines end with a hyphen (at most {most})"
                    yield ctx.at_lines("hyphen-ladder", ladder, message)
        if ctx.on("hyphen-page-turn"):
            for line, after in pairwise(lines):
                if after.page != line.page and _hyphenated(line):
                    word = line.text.split()[-1] + after.text.split()[0] if after.text.split() else ""
                    yield ctx.at_lines("hyphen-page-turn", [line], f"the word {word!r} is cut across the page turn")


def overflow(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    tolerance = ctx.setting("overflow", "tolerance_pt") * PT if ctx.on("overflow") else 0
    for page in pages:
        if ctx.on("overflow"):
            for line in page.lines:
                x, _, width, _ = line.rect
                _left, right = line.limit
                if line.flow and x + width > right + tolerance:  # a hanging indent may start left of it
                    past = (x + width - right) / PT
                    yield ctx.at_lines("overflow", [line], f"the line runs {past:.1f} pt past its column")
            cx, _, cwidth, _ = page.content
            for block in page.blocks:
                x, _, width, _ = block.rect
                if x + width > cx + cwidth + tolerance or x < cx - tolerance:
                    past = max(x + width - cx - cwidth, cx - x) / PT
                    yield ctx.at_block("overflow", block, f"the {block.tag} runs {past:.1f} pt past the text area")
        if ctx.on("outside-trim"):
            limit = ctx.setting("outside-trim", "tolerance_pt") * PT
            for box, (x, y, width, height), where in page.boxes:
                if x < -limit or y < -limit or x + width > page.width + limit or y + height > page.height + limit:
                    text = str(getattr(box, "text", "")) or f"<{box.element_tag}>"
                    yield ctx.at(
                        "outside-trim", page, where, text, [(x, y, width, height)], "text or image past the trim box"
                    )


def foreign(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    if not ctx.on("foreign-language"):
        return
    min_words, min_share = ctx.setting("foreign-language", "min_words"), ctx.setting("foreign-language", "min_share")
    blocks: dict[int, list[Line]] = {}
    for page in pages:
        for line in page.lines:
            if line.flow and line.where.chapter:  # the templates' own words come from the catalog
                blocks.setdefault(id(line.where.block if line.where.block is not None else line.element), []).append(
                    line
                )
    for lines in blocks.values():
        text = " ".join(_unhyphenated(line, ctx.lang) for line in lines).replace("\u2010 ", "")
        found = other_language(text, ctx.lang, min_words, min_share)
        if found:
            language, share = found
            message = f"reads as {language!r} ({share:.0%} of its words are {language} function words), not marked"
            yield ctx.at_lines("foreign-language", lines[:1], message, hint=_hint(language))


def _unhyphenated(line: Line, lang: str) -> str:
    """The line's text in the edition's language (a marked passage left out), a hyphenated end joined."""
    text = "".join(piece for piece, language in line.texts if language in (None, lang))
    return text[: -len(line.hyphen)] + "\u2010" if line.hyphen and text.endswith(line.hyphen) else text


def _hint(language: str) -> str:
    return f"mark it with its language ({{lang={language}}}), or accept it in content/proof.yaml"


RULES: tuple[Any, ...] = (widows_and_orphans, hyphens, overflow, foreign)
