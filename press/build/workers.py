"""What worker processes do: lay out a part, and finish an edition from its parts.

Both take and give plain data: parts travel between processes as paths of
cache entries, never as laid-out documents, so a worker stays small (one
part's pages at a time) whatever the length of the book.
"""

from __future__ import annotations

import re
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf

from ..checks import preflight
from ..errors import PreflightError, Problem, RenderError
from ..pdf.assemble import Laid, assemble
from ..pdf.colours import paint, unmasked
from ..pdf.layout import PartLayout, PartTask, forget_kept, lay_out
from ..pdf.marks import add_crop_marks, to_bytes
from ..pdf.shared import SharedChanged
from .cache import Store, read_part_pdf
from .limits import status_kb
from .tasks import Finished, FinishTask

COLLECT_ABOVE_MB = 200  # a worker this large frees the layouts it drops at once
DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def lay_out_part(task: PartTask, key: str) -> tuple[Path, PartLayout]:
    """Lay out one part and store it in the cache; its entry's path and layout come back."""
    data, layout = lay_out(task)
    return Store(task.root, folder=task.cache).put_part(key, data, layout), layout


def finish(task: FinishTask) -> Finished:
    """Assemble, finish and preflight an edition (and its cover spread)."""
    # Its parts will not be renumbered again, and assembly needs the room; a full collection (~0.25 s)
    # only when the worker has grown large (a long book), not on the way to every edition's last step.
    resident = status_kb("VmRSS")
    forget_kept(set(task.layout_keys), collect=resident is None or resident > COLLECT_ABOVE_MB * 1024)
    laid = [
        Laid(read_part_pdf(path, key), layout) for (path, key), layout in zip(task.parts, task.layouts, strict=True)
    ]
    edition = task.edition
    try:
        pdf = assemble(laid, edition.profile == "screen", task.fonts, task.root)
    except SharedChanged:
        raise RenderError([Problem(None, None, f"edition {edition.name!r}: a prepared font or colour "
                                   "profile changed during the build", "run the build again")]) from None  # fmt: skip
    paint(pdf, task.colours)
    if edition.profile == "print":
        pad_to_multiple(pdf, list(task.layouts), 4)
        add_crop_marks(pdf)
    _stable_document_id(pdf, task.fingerprint + edition.name)
    preflight.check(pdf, edition, parts=_part_checks(task.layouts) if edition.profile == "screen" else None)
    data = to_bytes(pdf)
    pages = len(pdf.pages)
    cover = None
    warnings = [unmasked(w, task.colours) for layout in task.layouts for w in layout.warnings]
    if task.cover_html is not None:
        cover = render_cover_pdf(task, pages)
    return Finished(data, pages, cover, tuple(dict.fromkeys(warnings)))


def _part_checks(layouts: tuple[PartLayout, ...]) -> list[tuple[dict[str, list[list[Any]]], int]] | None:
    """The PDF/UA checks each tagged part had in its worker, with the number of pages before it."""
    found, before = [], 0
    for layout in layouts:
        if layout.checks is None:
            return None
        found.append((layout.checks, before))
        before += layout.pages
    return found


def render_cover_pdf(task: FinishTask, pages: int) -> bytes:
    """The cover spread: laid out, crop marks added and preflighted on one open document."""
    from ..pdf.cover import cover_layout

    assert task.cover_html is not None
    data = cover_layout(task.cover_html, task.root, task.edition, pages, task.strict, task.fonts)
    with pikepdf.open(BytesIO(data)) as cover:
        add_crop_marks(cover)
        preflight.check(cover, task.edition, cover=True)
        return to_bytes(cover)


def pad_to_multiple(pdf: pikepdf.Pdf, layouts: list[PartLayout], multiple: int) -> int:
    """Insert copies of the book's first blank page before the back cover until the count divides evenly."""
    missing = -len(pdf.pages) % multiple
    if not missing:
        return 0
    offset, blank = 0, None
    for layout in layouts:
        if layout.blanks:
            blank = offset + layout.blanks[0]
            break
        offset += layout.pages
    if blank is None:
        raise PreflightError([Problem(None, None, "no blank page to pad the book to a multiple of four pages with",
                                      "let a chapter open on a right-hand page")])  # fmt: skip
    for _ in range(missing):
        pdf.pages.insert(len(pdf.pages) - 1, pdf.pages[blank])
    return missing


def _stable_document_id(pdf: pikepdf.Pdf, seed: str) -> None:
    """WeasyPrint writes a random XMP DocumentID for PDF/X; derive it from the inputs instead."""
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return
    data = metadata.read_bytes()
    if DOCUMENT_ID.search(data):
        stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}".encode()
        metadata.write(DOCUMENT_ID.sub(stable, data))
