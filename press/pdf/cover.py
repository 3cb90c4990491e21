"""The cover spread of a print edition: back, spine and front on one sheet.

The spine is as thick as the book: half the page count (leaves) times the
paper's caliper. The spread is laid out by WeasyPrint from
``templates/cover-spread.html`` on a page as wide as both covers and the
spine, with the same bleed and crop marks as the interior, and the ISBN as
an EAN-13 barcode on the back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..content.model import PAPERS_MM, Edition, Guide
from ..render import barcode
from ..render.html import common_context, environment, render_template
from .fonts import FontSet
from .marks import add_crop_marks_bytes

SPINE_TEXT_MIN_MM = 6.0  # below this, a spine carries no text


@dataclass(frozen=True)
class Spread:
    width_mm: float
    height_mm: float
    spine_mm: float
    panel_mm: float


def spine_width_mm(pages: int, caliper_mm: float) -> float:
    """Spine width of a book of ``pages`` pages (two pages a leaf), rounded to 0.1 mm."""
    return round(pages / 2 * caliper_mm, 1)


def spread(edition: Edition, pages: int) -> Spread:
    width, height = PAPERS_MM[edition.paper]
    spine = spine_width_mm(pages, edition.caliper_mm)
    return Spread(round(2 * width + spine, 1), height, spine, width)


def cover_html(guide: Guide, edition: Edition, pages: int) -> str:
    """The cover spread's HTML for a print edition whose interior has ``pages`` pages."""
    sheet = spread(edition, pages)
    env = environment(guide.root, edition.lang)
    page = common_context(guide, edition)
    page.update(
        spread=sheet,
        spine_text=sheet.spine_mm >= SPINE_TEXT_MIN_MM,
        barcode=Markup(barcode.svg(edition.isbn, page["colours"]["barcode"], page["colours"]["paper"]))
        if edition.isbn
        else None,
    )
    return render_template(env, "cover-spread.html", page)


def cover_layout(html: str, root: Path, edition: Edition, pages: int, strict: bool, fonts: FontSet | None) -> bytes:
    """The cover spread as WeasyPrint writes it, with its bleed, before crop marks; uncompressed:
    ``marks.to_bytes`` compresses it once, faster than WeasyPrint."""
    from . import weasy

    sheet = spread(edition, pages)
    size = f"@page {{ size: {sheet.width_mm}mm {sheet.height_mm}mm; }}"
    rendered = weasy.render_document(html, root, edition, strict, extra_css=size, fonts=fonts)
    return weasy.write_pdf(rendered, edition, strict, compressed=False)


def render_cover(
    guide: Guide, edition: Edition, pages: int, strict: bool = True, fonts: FontSet | None = None
) -> bytes:
    """The cover spread PDF for a print edition whose interior has ``pages`` pages."""
    return add_crop_marks_bytes(
        cover_layout(cover_html(guide, edition, pages), guide.root, edition, pages, strict, fonts)
    )
