"""What a rule finds, and what the rules know of the edition they proof."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .pages import Block, Line, Page, Rect, Where, text_of
from .settings import Settings

EXCERPT = 60  # characters


@dataclass
class Finding:
    rule: str
    page: int  # 0-based, physical
    folio: str  # the printed number, "" when the page prints none
    file: str | None  # the chapter file, relative to the project
    line: int | None
    excerpt: str
    message: str
    rects: list[Rect]  # on the page, in CSS pixels, to draw on the thumbnail
    hint: str = ""
    accepted: str | None = None  # the reason, when content/proof.yaml accepts it

    @property
    def location(self) -> str:
        if self.file is None:
            return "(template)"
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def page_label(self) -> str:
        """``p. 21 [21]``: the printed folio and the page of the PDF; ``[1]`` alone when none is printed."""
        return f"p. {self.folio} [{self.page + 1}]" if self.folio else f"[{self.page + 1}]"


@dataclass
class Context:
    edition: str
    lang: str
    notes: str  # footnotes | chapter | book
    files: dict[str, str]  # chapter id → its file, relative to the project
    settings: Settings
    pages: list[Page] = field(default_factory=list)

    def on(self, rule: str) -> bool:
        return self.settings.on(rule)

    def setting(self, rule: str, key: str) -> Any:
        return self.settings.get(rule, key)

    def at(self, rule: str, page: Page, where: Where, text: str, rects: list[Rect], message: str,
           hint: str = "") -> Finding:  # fmt: skip
        file = self.files.get(where.chapter) if where.chapter else None
        excerpt = _excerpt(text)
        return Finding(rule, page.index, page.folio, file, where.line, excerpt, message, rects, hint)

    def at_lines(self, rule: str, lines: list[Line], message: str, hint: str = "") -> Finding:
        first = lines[0]
        rects = [line.rect for line in lines if line.page == first.page]
        return self.at(rule, self.pages[first.page], first.where, " ".join(line.text for line in lines), rects,
                       message, hint)  # fmt: skip

    def at_block(self, rule: str, block: Block, message: str, hint: str = "") -> Finding:
        return self.at(rule, self.pages[block.page], block.where, text_of(block.element), [block.rect], message, hint)


def _excerpt(text: str) -> str:
    flat = " ".join(text.replace("\u00ad", "").split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"
