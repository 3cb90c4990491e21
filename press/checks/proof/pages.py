"""The laid-out pages, read once into plain records the rules can look at.

WeasyPrint's page boxes know their HTML element (``box.element``), and the
chapter HTML carries the source line of every Markdown block (``data-line``,
``render/body.py``) and each chapter's id on its section; this module walks
each page's boxes once, with those ancestors in hand, and gives per page its
lines of text, its flow blocks, its footnotes and the elements that start on it.
Coordinates are CSS pixels from the page's top left corner (the trim box).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Rect = tuple[float, float, float, float]  # x, y, width, height

FORCED = ("page", "left", "right", "recto", "verso")


@dataclass
class Where:
    """What a box belongs to: its chapter, its source line, its block, its language."""

    chapter: str | None = None
    line: int | None = None
    block: Any = None  # the nearest element with a data-line (a paragraph, item, heading ...)
    lang: str | None = None
    classes: tuple[str, ...] = ()  # of the ancestors, nearest last


@dataclass
class Line:
    page: int
    element: Any  # the block element the line box belongs to
    where: Where
    text: str
    rect: Rect
    limit: tuple[float, float]  # left and right of the column the line sits in
    ends: str  # the last character of the line's text
    hyphen: str  # the character automatic hyphenation adds on this line (hyphenate-character)
    texts: list[tuple[str, str | None]] = field(default_factory=list)  # (text, language) of its pieces
    flow: bool = True  # False: in the footnote area
    tag: str = ""  # of the block the line box belongs to


@dataclass
class Block:
    """A box of the page flow: a paragraph, a heading, a figure, a table ..."""

    page: int
    element: Any
    tag: str
    where: Where
    rect: Rect
    box: Any


@dataclass
class Page:
    index: int  # 0-based, physical
    folio: str  # the printed page number, "" when none is printed
    width: float
    height: float
    content: Rect  # the page area inside its margins
    blank: bool
    lines: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)  # leaf blocks of the flow, in order
    notes: list[tuple[Any, Rect]] = field(default_factory=list)  # footnote elements in the footnote area
    calls: list[tuple[Any, Rect]] = field(default_factory=list)  # footnote calls in the text
    boxes: list[tuple[Any, Rect, Where]] = field(default_factory=list)  # text and replaced boxes, for trim
    starts: list[tuple[Any, Any, Where]] = field(default_factory=list)  # elements whose first box is here
    footnote_height: float = 0
    bleed: tuple[float, float, float, float] = (0, 0, 0, 0)  # top, right, bottom, left: the PDF page is larger


BLOCK_TAGS = frozenset(("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "figcaption", "pre", "td", "th"))


def read(document: Any) -> list[Page]:
    seen: set[int] = set()
    pages = []
    for index, page in enumerate(document.pages):
        box = page._page_box
        result = Page(
            index, "", box.margin_width(), box.margin_height(), _content(box), bool(getattr(box, "blank", False))
        )
        bleed = getattr(page, "bleed", None) or {}
        result.bleed = tuple(float(bleed.get(side, 0)) for side in ("top", "right", "bottom", "left"))  # type: ignore[assignment]
        for child in box.children:
            kind = type(child).__name__
            if kind == "MarginBox":
                text = _text(child).strip()
                if text and len(text) <= 6 and text.isalnum() and ("bottom" in child.at_keyword):
                    result.folio = text
            elif kind == "FootnoteAreaBox":
                result.footnote_height = child.margin_height()
                for note in child.children:
                    result.notes.append((note.element, _rect(note)))
                _walk(child, Where(), result, seen, flow=False)
            else:
                _walk(child, Where(), result, seen, flow=True)
        pages.append(result)
    return pages


def _walk(box: Any, where: Where, page: Page, seen: set[int], flow: bool, column: Any = None) -> None:
    element = getattr(box, "element", None)
    kind = type(box).__name__
    if element is not None and not _pseudo(box):
        where = _enter(where, element, box)
        if id(element) not in seen and kind not in ("LineBox", "TextBox") and box.element_tag != "html":
            seen.add(id(element))
            page.starts.append((element, box, where))
    if _pseudo(box) == "footnote-call" and kind != "TextBox":  # the call's box, not its number's text too
        page.calls.append((element, _rect(box)))
    if kind == "LineBox":  # its pieces too: inline elements start, footnotes are called, text may bleed
        _line(box, where, page, column, flow)
    if kind in ("TextBox",) or "Replaced" in kind:
        page.boxes.append((box, _rect(box), where))
    if flow and "Block" in kind and box.element_tag in BLOCK_TAGS | {"figure", "table"} and _leafish(box):
        page.blocks.append(Block(page.index, element, box.element_tag, where, _rect(box), box))
    if "Block" in kind or "Table" in kind or "Cell" in kind:
        column = box
    for child in getattr(box, "children", []):
        _walk(child, where, page, seen, flow, column)


def _pseudo(box: Any) -> str:
    """The pseudo-element a box was made for ("footnote-call", "marker", "before" ...), "" for an element's own.

    WeasyPrint names such boxes ``tag::pseudo`` in ``element_tag`` (``span::footnote-call``,
    ``li::marker``); its boxes have no ``pseudo_type``.
    """
    return str(getattr(box, "element_tag", "") or "").partition("::")[2]


def _leafish(box: Any) -> bool:
    """A block whose children are lines (a paragraph), or a figure or table, taken whole."""
    if box.element_tag in ("figure", "table"):
        return True
    return any(type(child).__name__ == "LineBox" for child in box.children)


def _enter(where: Where, element: Any, box: Any) -> Where:
    line = element.get("data-line")
    classes = tuple((element.get("class") or "").split())
    chapter = where.chapter
    if element.tag == "section" and "chapter" in classes:
        chapter = element.get("id")
    return Where(
        chapter,
        int(line) if line and line.isdigit() else where.line,
        element if line else where.block,
        element.get("lang") or where.lang,
        where.classes + classes,
    )


def _line(box: Any, where: Where, page: Page, column: Any, flow: bool) -> None:
    pieces = list(_leaves(box, where))
    texts = [(child.text, lang) for child, lang in pieces if type(child).__name__ == "TextBox"]
    text = "".join(piece for piece, _ in texts)
    right = max((c.position_x + c.margin_width() for c, _ in pieces), default=box.position_x)
    left = min((c.position_x for c, _ in pieces), default=box.position_x)
    x0 = column.padding_box_x() if column is not None else box.position_x  # the number of a contents
    limit = (x0, x0 + (column.padding_width() if column is not None else box.width))  # line hangs in it
    hyphen = str(box.style["hyphenate_character"])
    rect = (left, box.position_y, right - left, box.margin_height())
    ends = text.rstrip()[-1:]
    page.lines.append(
        Line(page.index, box.element, where, text, rect, limit, ends, hyphen, texts, flow, box.element_tag)
    )


def _leaves(box: Any, where: Where) -> Iterator[tuple[Any, str | None]]:
    for child in getattr(box, "children", []):
        element = getattr(child, "element", None)
        lang = where.lang
        if element is not None and not _pseudo(child):
            lang = element.get("lang") or lang
        if _pseudo(child) in ("footnote-call", "marker"):
            continue  # a list's marker hangs in the margin by design
        if type(child).__name__ == "TextBox" or "Replaced" in type(child).__name__:
            yield child, lang
        else:
            yield from _leaves(child, Where(where.chapter, where.line, where.block, lang))


def _text(box: Any) -> str:
    if type(box).__name__ == "TextBox":
        return str(box.text)
    return "".join(_text(child) for child in getattr(box, "children", []))


def _rect(box: Any) -> Rect:
    return (box.position_x, box.position_y, box.margin_width(), box.margin_height())


def _content(page: Any) -> Rect:
    return (page.content_box_x(), page.content_box_y(), page.width, page.height)


def text_of(element: Any) -> str:
    """An element's text, as the HTML has it (for excerpts)."""
    return " ".join("".join(element.itertext()).split())


def forced_break(box: Any) -> bool:
    return str(box.style["break_before"]) in FORCED
