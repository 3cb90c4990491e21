"""A laid-out part given other page numbers without laying it out again.

A part opens on a page of a forced side, so where it falls in the book
changes only the numbers of its pages, never where its lines and pages
break: unless it prints page numbers in its own text (a contents, "see
page 41"), its pages at first page 43 are its pages at 41 with other
folios and running heads. WeasyPrint makes the margin boxes last, from
the page counters its layout recorded (``layout_document``); this module
keeps what that needs — the layout context — with the document, and to
renumber a part moves every page counter by the difference and makes the
margin boxes again. The PDF written from the renumbered pages is the one a
fresh layout at the new number writes, byte for byte (``tests/test_renumber.py``
compares them for every part of the shipped guide).

This reaches into WeasyPrint's layout (pinned to one major version in
``pyproject.toml``), so it refuses whenever that would not hold:
``renumberable`` is false when the part's text, bookmarks or named strings
use page-based counters or targets (WeasyPrint then keeps a lookup to
resolve them), when a margin box prints a target's number, or when the
stylesheets set the page counter themselves. The worker then lays the part
out again, as without this module.
"""

from __future__ import annotations

import copy
from typing import Any

import weasyprint.document
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.page import make_margin_boxes

_original_layout_document = weasyprint.document.layout_document
_contexts: list[Any] = []


def _recording_layout_document(html: Any, root_box: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
    _contexts.append(context)
    return _original_layout_document(html, root_box, context, *args, **kwargs)


weasyprint.document.layout_document = _recording_layout_document  # Document._render calls it by this name

TARGETS = ("target-counter()", "target-counters()", "target-text()")


def take_context() -> Any:
    """The layout context of the document just rendered in this process (``HTML.render``)."""
    context = _contexts.pop() if _contexts else None
    _contexts.clear()
    return context


def page_numbers(context: Any, pages: int) -> list[int] | None:
    """The page counter of each page, as the margin boxes print it (None: not a single counter)."""
    numbers = []
    for index in range(pages):
        values = context.page_maker[index + 1][3][1].get("page")
        if not values or len(values) != 1:
            return None
        numbers.append(values[0])
    return numbers


def renumberable(document: Document, context: Any, expected: list[int]) -> bool:
    """Whether moving every page counter by the same amount gives the part's pages at another
    first page: ``expected`` is what the press's own rules give each page (lead, part, anchor
    pages), so any other rule on the page counter shows as a difference."""
    if context is None or context.target_collector.counter_lookup_items:
        return False
    if page_numbers(context, len(document.pages)) != expected:
        return False
    for page in document.pages:
        for box in page._page_box.children:
            if isinstance(box, MarginBox) and _uses_targets(box.style["content"]):
                return False
    return True


def _uses_targets(value: Any) -> bool:
    if isinstance(value, str):
        return value in TARGETS
    if isinstance(value, tuple | list):
        return any(_uses_targets(item) for item in value)
    return False


def renumber(document: Document, context: Any, delta: int, metadata: Any) -> Document:
    """The document's pages with every page number moved by ``delta`` (in place: the old
    numbering is gone). Margin boxes are made again; nothing else is laid out. ``metadata`` is
    the document's as it was laid out: writing a PDF fills in its dates and ids."""
    for entry in context.page_maker:
        counters = entry[3][1]
        if "page" in counters:
            counters["page"] = [value + delta for value in counters["page"]]
    pages = []
    for index, page in enumerate(document.pages):
        box = page._page_box
        kept = tuple(child for child in box.children if not isinstance(child, MarginBox))
        context.current_page = index + 1  # what make_margin_boxes reads, as in layout_document
        box.children = kept + tuple(make_margin_boxes(context, box, context.page_maker[index + 1][3]))
        layout_backgrounds(box, context.get_image_from_uri)
        pages.append(Page(box))
    renumbered = Document(
        pages,
        copy.deepcopy(metadata),
        document.url_fetcher,
        document.font_config,
        document.color_profiles,
        document.output_intent,
    )
    renumbered._html = getattr(document, "_html", None)  # type: ignore[attr-defined]
    return renumbered
