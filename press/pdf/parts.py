"""An edition's HTML cut into parts that WeasyPrint can lay out on their own.

A part is a run of the body's top-level elements (the cover and contents, a
chapter, a divider, the back cover) that starts on a page of a forced side:
a chapter opens on a right-hand page, so its pages do not depend on where
the previous chapter ended, only their numbers do. Each part is laid out in
a document of its own that reproduces exactly what surrounds it in the book:

* the page counter set so that the part's first page gets its real number;
  a part that opens on a left-hand page (or stylesheets that style the
  book's first page) needs a *lead* page before it (not kept), so that it
  also gets its real side;
* after it, a *stub* of the next part's first element (its tag and
  attributes, no content), so that the blank page the book has before the
  next part is laid out here, as the book lays it out;
* *anchor pages* holding the elements of other parts this part refers to
  (``href="#x"``), one page per page number, in the order the part first
  refers to them, each with the page counter of that real page, so that
  ``target-counter()`` in the contents and in cross-references gives the
  real numbers, and links resolve by name once the parts are assembled.
  (One page per element made the Notes chapter of a book, which links
  back to 166 calls, a document of 174 pages and 167 page rules: 2 s.)
  The CSS names the elements of each anchor page, so the cache key, made
  from it, tells groupings apart. A part that prints none of those
  numbers has all its anchors on one page at its own first number (its
  plan knows this after its first layout), so its document is the same at
  other numbers, and its worker renumbers it (``renumber.py``).

The part's own pages are those between the lead and the stub; whether the
part really started with a forced side is checked on its laid-out pages
(``first_page_index``); if it did not, the assembler joins it to the part
before it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
LEAD, STUB = "press-lead", "press-stub"
HREF = re.compile(r"""href="#([^"]+)\"""")
ID = re.compile(r"""\sid="([^"]+)\"""")
HEAD_WORDS = re.compile(r"\s*<title>.*?</title>|\s*<meta\s(?![^>]*charset)[^>]*>", re.S)


@dataclass(frozen=True)
class Unit:
    """One top-level element of the body: its text span and its start tag."""

    start: int
    end: int
    tag: str
    start_tag: str


@dataclass(frozen=True)
class Book:
    html: str
    head: str  # everything up to and including <body ...>
    tail: str  # </body> and what follows
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Part:
    index: int
    first: int  # index of its first unit
    last: int  # index of its last unit (inclusive)
    body: str
    ids: frozenset[str]
    refs: tuple[str, ...]  # anchors of other parts this one points at, in first-use order


class _Splitter(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.stack: list[str] = []
        self.body_start = self.body_end = -1
        self.units: list[Unit] = []
        self._open: tuple[int, str, str] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        end = self.html.index(">", start) + 1
        if tag == "body" and self.body_start < 0:
            self.body_start = end
            self.stack = ["body"]
            return
        if self.stack == ["body"]:
            self._open = (start, tag, self.html[start:end])
        if tag not in VOID:
            self.stack.append(tag)
        elif self.stack == ["body"] and self._open:
            self._close(end)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        end = self.html.index(">", start) + 1
        if self.stack == ["body"]:
            self._open = (start, tag, self.html[start:end])
            self._close(end)

    def handle_endtag(self, tag: str) -> None:
        start = self._offset()
        end = self.html.index(">", start) + 1
        if tag == "body" and self.stack[:1] == ["body"]:
            self.body_end = start
            self.stack = []
            return
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:  # closes what HTML leaves implicit (<p>, <li>)
                pass
            if self.stack == ["body"] and self._open:
                self._close(end)

    def _close(self, end: int) -> None:
        assert self._open is not None
        start, tag, start_tag = self._open
        self.units.append(Unit(start, end, tag, start_tag))
        self._open = None


def split(html: str) -> Book:
    """The body's top-level elements, with the text around them."""
    parser = _Splitter(html)
    parser.feed(html)
    parser.close()
    if parser.body_start < 0 or parser.body_end < 0 or not parser.units:
        raise ValueError("the document has no <body> with elements in it")
    return Book(html, html[: parser.body_start], html[parser.body_end :], tuple(parser.units))


def group(book: Book, starts: set[int]) -> list[Part]:
    """Parts beginning at the units in ``starts`` (unit 0 always begins one)."""
    begins = sorted({0, *(s for s in starts if 0 < s < len(book.units))})
    parts: list[Part] = []
    for index, first in enumerate(begins):
        last = (begins[index + 1] if index + 1 < len(begins) else len(book.units)) - 1
        body = book.html[book.units[first].start : book.units[last].end]
        ids = frozenset(ID.findall(body))
        refs = tuple(dict.fromkeys(ref for ref in HREF.findall(body) if ref not in ids))
        parts.append(Part(index, first, last, body, ids, refs))
    return parts


MARGIN_BOXES = (
    "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "right-top", "right-middle",
    "right-bottom", "bottom-right-corner", "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
    "left-bottom", "left-middle", "left-top",
)  # fmt: skip
NO_MARGIN_BOXES = " ".join(f"@{name} {{ content: none; }}" for name in MARGIN_BOXES)  # anchor pages: nothing to draw
FIRST_PAGE = re.compile(r":first\b(?!-)")


def uses_first_page(stylesheets: list[str]) -> bool:
    """Whether a page rule selects the document's first page (``@page :first``)."""
    return any(FIRST_PAGE.search(text) for text in stylesheets)


def needs_lead(offset: int, first_page_rules: bool) -> bool:
    """A part that opens on a right-hand page can be its document's first page, unless the
    stylesheets style the book's first page (``:first``); one on a left-hand page cannot."""
    return offset % 2 == 0 or first_page_rules


def lead_counter(offset: int) -> int:
    """The page counter of the lead page, so that the part's first page is ``offset``.

    The lead is the document's first page, a right-hand page; a part that
    opens on a right-hand page (odd number) comes after it and a blank page,
    one that opens on a left-hand page right after it.
    """
    return offset - 2 if offset % 2 else offset - 1


def expected_first_index(offset: int, lead: bool) -> int:
    """Where the part's first page falls in its document."""
    if not lead:
        return 0
    return 2 if offset % 2 else 1


def document(
    book: Book, part: Part, parts: list[Part], offset: int, anchors: dict[str, int], first_page_rules: bool = False
) -> tuple[str, str, bool]:
    """The HTML and the extra CSS of the document that lays out ``part`` alone, and whether it has a lead."""
    css: list[str] = []
    pieces: list[str] = []
    head = book.head if part.index == 0 else HEAD_WORDS.sub("", book.head)  # metadata comes from part 0
    lead = part.index > 0 and needs_lead(offset, first_page_rules)
    if lead:
        pieces.append(f'<div id="{LEAD}" class="{LEAD}"></div>')
        css.append(f".{LEAD} {{ page: {LEAD}; }} @page {LEAD} {{ counter-set: page {lead_counter(offset)}; }}")
    elif part.index > 0:
        css.append(f"@page :first {{ counter-set: page {offset}; }}")
    pieces.append(part.body)
    if part.index + 1 < len(parts):
        following = book.units[parts[part.index + 1].first]
        start_tag = ID.sub("", following.start_tag)
        start_tag = start_tag[: len(following.tag) + 1] + f' id="{STUB}"' + start_tag[len(following.tag) + 1 :]
        pieces.append(f"{start_tag}</{following.tag}>" if following.tag not in VOID else start_tag)
    held: dict[int, list[str]] = {}  # one anchor page per page number, with the elements it holds
    for name in part.refs:
        held.setdefault(anchors.get(name, offset), []).append(name)
    for number, (page, names) in enumerate(held.items()):
        pieces.append(f'<div class="press-anchor press-anchor-{number}">'
                      + "".join(f'<div id="{name}"></div>' for name in names) + "</div>")  # fmt: skip
        which = hashlib.sha256(" ".join(names).encode()).hexdigest()[:16]  # the CSS names the page's elements
        css.append(
            f"/* {which} */ .press-anchor-{number} {{ page: press-anchor-{number}; }} "
            f"@page press-anchor-{number} {{ counter-set: page {page}; {NO_MARGIN_BOXES} }}"
        )
    return head + "\n".join(pieces) + book.tail, "\n".join(css), lead
