"""One part of an edition laid out alone: its PDF and what assembly needs to know.

Runs in a worker process. A worker keeps one ``Renderer`` per edition (parsed
stylesheets, loaded fonts), so the second chapter it lays out costs only
its own layout, and the last parts it laid out (``Kept``), so that a part
asked for again with other page numbers — laid out on a guess of where it
falls, or shared by an edition where it falls elsewhere — is renumbered
(``renumber.py``) instead of laid out again. What comes back is plain data
(bytes, numbers, strings): it is cached on disk and sent between processes.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf

from ..checks import accessibility, preflight
from ..content.model import Edition
from . import renumber, tagging
from .colours import masked
from .fonts import FontSet
from .pagesetup import sheets
from .partdata import PartLayout, PartTask
from .parts import LEAD, STUB
from .weasy import Rendered, Renderer, write_pdf

_renderers: dict[tuple[Path, Edition, str], Renderer] = {}
KEEP_PAGES = 160  # laid-out pages a worker keeps for renumbering (a 374-page book: 150 MB more at most)
_observers: list[Callable[[Any], None]] = []


@contextmanager
def observed(callback: Callable[[Any], None]) -> Iterator[None]:
    """Hand ``callback`` the laid-out document (``weasyprint.Document``) of each part laid out in
    this process while the block runs (``--jobs 1``): checks on layout, without laying out again."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def renderer(root: Path, edition: Edition, fonts: FontSet | None, styles_key: str) -> Renderer:
    key = (root, edition, styles_key)
    if key not in _renderers:
        if len(_renderers) >= 4:  # a worker serves a few editions at a time: keep memory flat
            _renderers.pop(next(iter(_renderers)))
        _renderers[key] = Renderer(root, edition, fonts, masked=masked(root, edition, sheets(edition)))
    return _renderers[key]


def forget_renderers() -> None:
    """Drop the parsed stylesheets (a build ends, in a process that outlives it): WeasyPrint reports an
    invalid value met through ``var()`` once per parsed stylesheet, so the next build, strict or
    not, must parse them again to be told of it."""
    _renderers.clear()


class Kept:
    """A part laid out in this process, kept to be renumbered: its pages, the numbers its rules
    set (``parts.document``: the first or lead page's, then each anchor page's) and its warnings."""

    def __init__(self, rendered: Rendered, numbers: list[int]) -> None:
        self.rendered, self.numbers, self.warnings = rendered, numbers, list(rendered.warnings)
        self.metadata = copy.deepcopy(rendered.document.metadata)  # before a PDF is written from it


_kept: OrderedDict[tuple[str, str, str], Kept] = OrderedDict()
COUNTER_SET = re.compile(r"counter-set: page (-?\d+)")


def forget_kept(layout_keys: set[str] | None = None, collect: bool = True) -> None:
    """Drop the kept parts with these layout keys (an edition is being finished: assembly needs
    the memory), or every kept part (a build ends: the next one must not see this one's pages).
    Laid-out boxes refer to each other, so only the collector frees them: at once with ``collect``,
    else in its own time."""
    dropped = [i for i in _kept if layout_keys is None or i[0] in layout_keys]
    for identity in dropped:
        del _kept[identity]
    if dropped and collect:
        gc.collect()


def _identity(task: PartTask) -> tuple[tuple[str, str, str], list[int]]:
    """What must be equal for one part's layout to be another's renumbered: its layout, its HTML
    and its extra CSS but for the numbers it sets. Of those, the first (its first or lead page's)
    moves the part; the anchor pages' only matter to a part that prints them, and such a part is
    never kept."""
    numbers = [int(n) for n in COUNTER_SET.findall(task.css)]
    shape = COUNTER_SET.sub("counter-set: page N", task.css)
    return (task.layout_key, hashlib.sha256(task.html.encode()).hexdigest(), shape), numbers


def _renumbered(task: PartTask, identity: tuple[str, str, str], numbers: list[int]) -> Rendered | None:
    """The kept layout of this part, at the task's numbers, if it can be had without a layout."""
    kept = _kept.get(identity)
    if kept is None or not numbers or len(numbers) != len(kept.numbers):
        return None
    delta = numbers[0] - kept.numbers[0]
    if delta % 2:  # an odd move changes the part's sides: not the same layout
        return None
    _kept.move_to_end(identity)
    if delta:
        del _kept[identity]  # renumbered in place: kept again only once that succeeded
        try:
            kept.rendered.document = renumber.renumber(
                kept.rendered.document, kept.rendered.context, delta, kept.metadata
            )
        except Exception:
            return None
        kept.numbers = numbers
        _kept[identity] = kept
    return Rendered(kept.rendered.document, list(kept.warnings), kept.rendered.context)


def _keep(identity: tuple[str, str, str], rendered: Rendered, numbers: list[int]) -> None:
    _kept[identity] = Kept(rendered, numbers)
    _kept.move_to_end(identity)
    while len(_kept) > 1 and sum(len(k.rendered.document.pages) for k in _kept.values()) > KEEP_PAGES:
        _kept.popitem(last=False)


def _expected_numbers(pages: list[Any], refs: tuple[str, ...], numbers: list[int]) -> list[int]:
    """The page counter the press's rules give each page: counting from the first (lead) page's
    number, each anchor page at its own."""
    expected, anchors, value = [], iter(numbers[1:]), numbers[0] - 1
    for page in pages:
        if any(ref in page.anchors for ref in refs) and STUB not in page.anchors:
            value = next(anchors, value + 1)
        else:
            value += 1
        expected.append(value)
    return expected


def lay_out(task: PartTask) -> tuple[bytes, PartLayout]:
    """Lay out and write one part; raise RenderError/PreflightError for bad input."""
    identity, numbers = _identity(task)
    rendered = _renumbered(task, identity, numbers)
    fresh = rendered is None
    if rendered is None:
        rendered = renderer(task.root, task.edition, task.fonts, task.styles_key).layout(
            task.html, task.strict, task.css, task.colours
        )
    pages = rendered.document.pages
    for observer in _observers:
        observer(rendered.document)
    if task.edition.profile == "print":
        preflight.check_image_resolution(rendered.document, task.edition, task.root)
    first = 0
    if task.lead:
        first = next((i for i in range(1, len(pages)) if not pages[i]._page_box.page_type.blank), len(pages))
    ends = [i for i, page in enumerate(pages) if STUB in page.anchors or any(r in page.anchors for r in task.refs)]
    stop = min(ends) if ends else len(pages)
    own = pages[first:stop]
    # Written: its own pages, then the anchor pages, which its links need to find their names.
    anchor_pages = [page for page in pages[stop:] if any(r in page.anchors for r in task.refs)]
    forced = _first_break(pages[first], task.unit_tag) if first < len(pages) else "auto"
    anchors: dict[str, int] = {}
    for index, page in enumerate(own):
        for name in page.anchors:
            if name not in (LEAD, STUB):
                anchors.setdefault(name, index)
    layout = PartLayout(
        offset=task.offset,
        lead=task.lead,
        first_index=first,
        start=0,
        stop=len(own),
        forced=forced,
        anchors=anchors,
        bookmarks=[[[lvl, label, x, y, state] for lvl, label, (x, y), state in page.bookmarks] for page in own],
        heights=[page.height for page in own],
        blanks=[i for i, page in enumerate(own) if page._page_box.page_type.blank],
        numbered=sorted(_numbered(own) & set(task.refs)),
    )
    movable = task.lead or "@page :first" in task.css  # not the book's first part: it never moves
    if fresh and movable and renumber.renumberable(rendered.document, rendered.context,
                                                   _expected_numbers(pages, task.refs, numbers)):  # fmt: skip
        _keep(identity, rendered, numbers)
    layout.renumberable = identity in _kept
    layout.renumbered = not fresh
    data = write_pdf(rendered, task.edition, task.strict, own + anchor_pages, task.fonts, placeholders=True)
    layout.warnings = [w for w in rendered.warnings if w not in layout.warnings]
    if task.edition.profile == "screen":
        data, layout.checks = finish_tags(data, len(own), "p" + hashlib.sha256(task.html.encode()).hexdigest()[:8])
    return data, layout


def finish_tags(data: bytes, keep: int, prefix: str) -> tuple[bytes, dict[str, list[list[Any]]]]:
    """A tagged part finished alone, in its worker: ``tagging.finish`` on the pages assembly keeps,
    its ids prefixed to stay unique in the book, the PDF/UA checks that concern the part alone
    (``accessibility.check_part``), then the chapter locations the checks needed removed."""
    with pikepdf.open(BytesIO(data)) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return data, accessibility.check_part(pdf, keep)
        parsed = tagging.finish(pdf, keep)
        top = tagging.kept_elements(pdf, list(pdf.pages[:keep]))
        tagging.unique_ids(top, prefix + "-")
        checks = accessibility.check_part(pdf, keep, parsed)
        accessibility.strip_sources(pdf, top)
        output = BytesIO()
        pdf.save(output, compress_streams=False, deterministic_id=True, fix_metadata_version=False)
        return output.getvalue(), checks


def _first_break(page: Any, tag: str) -> str:
    """The computed ``break-before`` of the part's first element, on its first page."""
    for box in page._page_box.descendants():
        if getattr(box, "element_tag", None) == tag and box.element is not None:
            return str(box.style["break_before"])
    return "auto"


TARGET_FUNCTIONS = ("target-counter()", "target-counters()", "target-text()")


def _numbered(pages: list[Any]) -> set[str]:
    """Anchors whose page number or text the pages print (``target-counter()`` and the like):
    the others are only link targets, whose page numbers do not change this part."""
    found: set[str] = set()
    for page in pages:
        for box in page._page_box.descendants():
            style = getattr(box, "style", None)
            if style is None or box.element is None:
                continue
            for prop in ("content", "string_set", "bookmark_label"):
                found |= set(_targets(style[prop], box.element))
    return found


def _targets(value: Any, element: Any) -> list[str]:
    if not isinstance(value, tuple | list):
        return []
    if len(value) == 2 and value[0] in TARGET_FUNCTIONS:
        anchor = value[1][0]
        if anchor[0] == "attr()":
            target = str(element.get(anchor[1][0], ""))
        elif anchor[0] == "url" and anchor[1][0] == "internal":
            target = "#" + str(anchor[1][1])
        else:
            target = str(anchor[1])
        return [target[1:]] if target.startswith("#") else []
    return [name for item in value for name in _targets(item, element)]
