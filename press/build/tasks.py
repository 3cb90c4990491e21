"""What the parent sends to workers and gets back, and the functions it sends them to.

The functions only import what workers run (WeasyPrint, pikepdf) when a
worker calls them, so the parent plans a build without loading WeasyPrint,
while its workers load it (``warm``) in parallel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..content.model import Edition
from ..pdf.fonts import FontSet
from ..pdf.partdata import PartLayout, PartTask
from .trace import span


@dataclass(frozen=True)
class FinishTask:
    root: Path
    edition: Edition
    fonts: FontSet | None
    parts: tuple[tuple[Path, str], ...]  # (cache entry, key) in reading order
    layouts: tuple[PartLayout, ...]
    fingerprint: str  # names the document in its XMP id: same inputs, same bytes
    strict: bool
    cover_html: str | None  # print editions: the cover spread, made by the finish or beside it (``cover``)
    layout_keys: tuple[str, ...] = ()  # of its parts: the worker drops what it keeps of them first
    pages: int = 0  # the book's page count, padded: what the cover's spine is made for
    colours: tuple[str, ...] = ()  # painted in place of the stand-ins the parts were laid out with


@dataclass(frozen=True)
class Finished:
    pdf: bytes
    pages: int
    cover: bytes | None
    warnings: tuple[str, ...]


def _load() -> None:
    """WeasyPrint first, with its quick library search (``pdf/libraries.py``)."""
    from ..pdf.libraries import load_weasyprint

    load_weasyprint()


def warm() -> None:
    """Load what laying out and assembling need, ahead of the first task."""
    with span("worker: import"):
        _load()
        from . import workers  # noqa: F401


def warm_renderer(root: Path, edition: Edition, fonts: FontSet | None, styles_key: str) -> None:
    """Parse an edition's stylesheets and load its fonts ahead of its first part (``layout.renderer``)."""
    _load()
    from ..errors import PressError
    from ..pdf.layout import renderer
    from .limits import bounded

    try:
        with bounded(f"edition {edition.name!r}: reading the stylesheets"), span("worker: stylesheets"):
            renderer(root, edition, fonts, styles_key)
    except PressError:  # the edition's first part reports it, where it is awaited
        pass


def lay_out_part(task: PartTask, key: str) -> tuple[Path, PartLayout]:
    _load()
    from .limits import bounded
    from .workers import lay_out_part as run

    with bounded(f"edition {task.edition.name!r}: laying out {_part_name(task)}"), span(f"worker: {_part_name(task)}"):
        return run(task, key)


def finish(task: FinishTask) -> Any:
    _load()
    from .limits import bounded
    from .workers import finish as run

    with bounded(f"edition {task.edition.name!r}: assembling and checking the PDF"), span("worker: finish"):
        return run(task)


def cover(task: FinishTask) -> bytes:
    """The cover spread of a print edition, made beside its book (``finish`` then leaves it out)."""
    _load()
    from .limits import bounded
    from .workers import render_cover_pdf

    with bounded(f"edition {task.edition.name!r}: making the cover spread"), span("worker: cover"):
        return render_cover_pdf(task, task.pages)


def _part_name(task: PartTask) -> str:
    """The part as a person knows it: the id of its first element, else its first page."""
    found = re.search(r"<[a-z][a-z0-9]*\b[^>]*\bid=\"([^\"]+)\"", task.html[task.html.find("<body") :])
    return f"the part from page {task.offset}" + (f" ({found.group(1)})" if found else "")
