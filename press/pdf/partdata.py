"""A part to lay out and the record of its layout: plain data, sent between processes and cached."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..content.model import Edition
from .fonts import FontSet

FORCED = ("right", "left", "recto", "verso")


@dataclass(frozen=True)
class PartTask:
    """Everything a worker needs to lay out one part (picklable)."""

    root: Path
    edition: Edition
    fonts: FontSet | None
    html: str
    css: str
    strict: bool
    lead: bool  # the document starts with a lead page (every part but the first)
    refs: tuple[str, ...]  # ids of the anchor pages, after the part's own pages
    unit_tag: str  # tag of the part's first element
    offset: int  # the number its first page gets
    styles_key: str  # names the stylesheets' contents: a worker's parsed styles are reused only for the same
    cache: Path | None = None  # the part cache's folder, if not the project's (``--verify``'s second build)
    layout_key: str = ""  # names the part's layout whatever its numbers: a kept layout is renumbered only for the same
    colours: tuple[str, ...] = ()  # the real colour of each stand-in (``colours.py``): what its errors name


@dataclass
class PartLayout:
    """What the assembler needs of a laid-out part; ``start``/``stop`` are its pages in ``pdf``."""

    offset: int  # the number of its first page
    lead: bool  # laid out after a lead page
    first_index: int  # where its first page fell in its document (checks that it opened on a forced side)
    start: int
    stop: int
    forced: str  # computed break-before of its first element
    anchors: dict[str, int]  # id → page index within the part's own pages
    bookmarks: list[list[Any]]  # per own page: [level, label, x, y, state] ...
    heights: list[float]  # per own page, CSS px
    blanks: list[int]  # own pages that are blank pages
    numbered: list[str] = field(default_factory=list)  # refs whose page number it prints (target-counter())
    warnings: list[str] = field(default_factory=list)
    checks: dict[str, list[list[Any]]] | None = None  # PDF/UA checks of a tagged part (layout.finish_tags)
    renumberable: bool = False  # its worker keeps it and can renumber it (``renumber.py``)
    renumbered: bool = field(default=False, compare=False)  # it was: its pages are a fresh layout's all the same

    @property
    def pages(self) -> int:
        return self.stop - self.start

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PartLayout:
        return cls(**data)
