"""Rules about where things land: headings and labels, notes, short pages, figures, references."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from .findings import Context, Finding
from .pages import Block, Page, Where, forced_break, text_of

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6", "dt")
LABELS = ("key-lesson-label", "factsheet-title", "part-title")


def _introduces(block: Block) -> bool:
    classes = (block.element.get("class") or "").split()
    return block.tag in HEADINGS or any(name in LABELS for name in classes)


def _next_starts_forced(page: Page | None) -> bool:
    """Whether the page's flow begins with a forced break (a new chapter, part or opener)."""
    if page is None or not page.blocks:
        return True
    first = page.blocks[0].element
    for element, box, _ in page.starts:
        if forced_break(box):
            return True
        if element is first:
            break
    return False


def keep_with_next(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    if not ctx.on("keep-with-next"):
        return
    for page in pages:
        after = pages[page.index + 1] if page.index + 1 < len(pages) else None
        if page.blocks and _introduces(page.blocks[-1]) and not _next_starts_forced(after):
            block = page.blocks[-1]
            yield ctx.at_block(
                "keep-with-next", block, f"the {block.tag} is the last thing on the page, its text overleaf"
            )
    figures: dict[int, tuple[Any, int]] = {}
    for page in pages:
        for block in page.blocks:
            if block.tag == "figure":
                figures.setdefault(id(block.element), (block.element, page.index))
            elif block.tag == "figcaption":
                for element, first in figures.values():
                    if any(child is block.element for child in element.iter("figcaption")) and first != page.index:
                        yield ctx.at_block("keep-with-next", block, "the caption is on another page than its figure")


def notes(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    if not ctx.on("note-placement") or ctx.notes != "footnotes":
        return  # endnotes sit after their calls by construction
    bodies: dict[int, int] = {}
    for page in pages:
        for element, _ in page.notes:
            bodies.setdefault(id(element), page.index)
    most = ctx.setting("note-placement", "max_after")
    for page in pages:
        for element, rect in page.calls:
            at = bodies.get(id(element))
            where = Where(page.lines[0].where.chapter if page.lines else None)
            where = _where_of(page, rect) or where
            text = text_of(element)
            if at is None:
                yield ctx.at("note-placement", page, where, text, [rect], "the note's text is on no page")
            elif at < page.index:
                message = f"the note's text is on page {at + 1}, before its call"
                yield ctx.at("note-placement", page, where, text, [rect], message)
            elif at - page.index > most:
                after = at - page.index
                message = f"the note's text is {after} page{'s' if after > 1 else ''} after its call (at most {most})"
                yield ctx.at("note-placement", page, where, text, [rect], message)


def _where_of(page: Page, rect: tuple[float, float, float, float]) -> Where | None:
    """The line a call sits on (calls are inline: the line box that holds them)."""
    for line in page.lines:
        _x, y, _width, height = line.rect
        if line.flow and y - 1 <= rect[1] <= y + height + 1:
            return line.where
    return None


def short_pages(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    if not ctx.on("short-page"):
        return
    least = ctx.setting("short-page", "min_fill")
    for page, after in itertools.pairwise(pages):
        if not page.blocks or not after.blocks or page.blocks[-1].where.chapter != after.blocks[0].where.chapter:
            continue  # the end of a chapter (or of the front matter): a page may end short there
        if not page.blocks[-1].where.chapter or not _next_starts_forced(after):
            continue
        _, top, _, height = page.content
        _x, y, _width, tall = page.blocks[-1].rect
        fill = (y + tall - top + page.footnote_height) / height
        if fill < least:
            message = f"the page is {fill:.0%} full before a forced page break (at least {least:.0%})"
            yield ctx.at_block("short-page", page.blocks[-1], message)


def figures_and_references(pages: list[Page], ctx: Context) -> Iterator[Finding]:
    targets: dict[str, tuple[int, Any, Where]] = {}
    references: list[tuple[Page, Any, Any, Where]] = []
    for page in pages:
        for element, box, where in page.starts:
            if element.get("id"):
                targets.setdefault(element.get("id"), (page.index, element, where))
            if element.tag == "a" and "xref" in (element.get("class") or "").split():
                references.append((page, element, box, where))
    first_reference: dict[str, int] = {}
    for page, element, box, where in references:
        target = (element.get("href") or "").lstrip("#")
        first_reference.setdefault(target, page.index)
        found = targets.get(target)
        if found and found[0] == page.index and ctx.on("xref-same-page"):
            rect = (box.position_x, box.position_y, box.margin_width(), box.margin_height())
            message = f"the reference gives the page it is printed on ({page.folio or page.index + 1})"
            yield ctx.at("xref-same-page", page, where, text_of(element), [rect], message,
                         hint="say 'below' or 'above' in the text, or let the figure move")  # fmt: skip
    if not ctx.on("figure-distance"):
        return
    most = ctx.setting("figure-distance", "max_pages")
    for target, at in first_reference.items():
        found = targets.get(target)
        if found is None or found[1].tag != "figure":
            continue
        index, element, where = found
        if abs(index - at) > most:
            page = pages[index]
            block = next((b for b in page.blocks if b.element is element), None)
            rects = [block.rect] if block else []
            message = f"the figure is {abs(index - at)} pages from its first reference (page {at + 1}; at most {most})"
            yield ctx.at("figure-distance", page, where, text_of(element), rects, message)


RULES: tuple[Any, ...] = (keep_with_next, notes, short_pages, figures_and_references)
