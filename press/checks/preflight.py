"""Stage 6: preflight — checks on the produced PDF before it is moved into place.

Each rule reads the PDF as a printer's or a reader's software would (pypdf),
not the HTML we meant to produce. A failure names the edition and the rule.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import IndirectObject

from ..content.model import Edition
from ..errors import PreflightError, Problem
from ..pdf import images

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its notes on WeasyPrint's xref size are noise
FONT_FAMILIES = ("CharisSIL", "Inter")
RGB_OPERATOR = re.compile(rb"(?<![A-Za-z/])(rg|RG)(?![A-Za-z])")


def check(pdf: bytes, edition: Edition, cover: bool = False) -> list[str]:
    """Problems with ``pdf`` for ``edition``; raise PreflightError if any."""
    reader = PdfReader(BytesIO(pdf))
    problems = _fonts(reader) + _metadata(reader, edition)
    if edition.profile == "print":
        problems += _print_rules(reader, pages_multiple=1 if cover else 4)
    else:
        problems += _screen_rules(reader, edition)
    if problems:
        what = f"edition {edition.name!r}" + (" (cover)" if cover else "")
        raise PreflightError([Problem(None, None, f"{what}: preflight: {p}") for p in problems])
    return problems


def check_image_resolution(document: Any, edition: Edition, root: Path) -> None:
    """Print rule checked on the laid-out pages, before writing: every raster
    image at least ``images.PRINT_MIN_DPI`` at its printed size."""
    low = images.low_resolution(document)
    if low:
        raise PreflightError([
            Problem(root / src, None, f"edition {edition.name!r}: preflight: image printed at {dpi} dpi, "
                    f"below {images.PRINT_MIN_DPI}", "use a larger image, or print it smaller")
            for src, dpi in low
        ])  # fmt: skip


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def fonts_of(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use → whether its file is embedded."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        resources = _resolve(page.get("/Resources")) or {}
        fonts = _resolve(resources.get("/Font")) or {}
        for ref in fonts.values():
            font = _resolve(ref)
            descriptor = None
            if "/DescendantFonts" in font:
                descendant = _resolve(_resolve(font["/DescendantFonts"])[0])
                descriptor = _resolve(descendant.get("/FontDescriptor"))
            else:
                descriptor = _resolve(font.get("/FontDescriptor"))
            embedded = bool(descriptor) and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded
    return found


def _fonts(reader: PdfReader) -> list[str]:
    problems = []
    for name, embedded in sorted(fonts_of(reader).items()):
        if not embedded:
            problems.append(f"font {name} is not embedded")
        if not any(family in name.replace("-", "") for family in FONT_FAMILIES):
            problems.append(f"font {name} is not one of the shipped fonts (styles/fonts)")
    return problems


def _root(reader: PdfReader) -> Any:
    return _resolve(reader.trailer["/Root"])


def _metadata(reader: PdfReader, edition: Edition) -> list[str]:
    info: Any = reader.metadata or {}
    problems = []
    if not info.get("/Title"):
        problems.append("the document has no title")
    lang = _root(reader).get("/Lang")
    if lang != edition.lang:
        problems.append(f"document language is {lang!r}, not {edition.lang!r}")
    return problems


def _print_rules(reader: PdfReader, pages_multiple: int) -> list[str]:
    problems = []
    count = len(reader.pages)
    if count % pages_multiple:
        problems.append(f"page count {count} is not a multiple of {pages_multiple}")
    for number, page in enumerate(reader.pages, 1):
        if "/TrimBox" not in page or "/BleedBox" not in page:
            problems.append(f"page {number} has no TrimBox or BleedBox")
            break
        media, trim = page.mediabox, page.trimbox
        if not (media.left < trim.left and media.top > trim.top):
            problems.append(f"page {number} has no bleed around its TrimBox")
            break
    rgb_pages = [number for number, page in enumerate(reader.pages, 1) if _uses_rgb(page)]
    if rgb_pages:
        listed = ", ".join(str(n) for n in rgb_pages[:10])
        problems.append(f"RGB colour on page(s) {listed}: print colours must be CMYK (styles/print.css tokens)")
    intents = _root(reader).get("/OutputIntents")
    if not intents or _resolve(_resolve(intents)[0]).get("/S") != "/GTS_PDFX":
        problems.append("no PDF/X output intent")
    return problems


def _uses_rgb(page: Any) -> bool:
    """Whether the page's content, or a form it draws, sets an RGB colour."""
    streams = [page.get_contents()]
    resources = _resolve(page.get("/Resources")) or {}
    for xobject in (_resolve(resources.get("/XObject")) or {}).values():
        form = _resolve(xobject)
        if form.get("/Subtype") == "/Form":
            streams.append(form)
    return any(stream is not None and RGB_OPERATOR.search(stream.get_data()) for stream in streams)


def _screen_rules(reader: PdfReader, edition: Edition) -> list[str]:
    root = _root(reader)
    problems = []
    if "/StructTreeRoot" not in root:
        problems.append("the PDF is not tagged (no structure tree)")
    mark = _resolve(root.get("/MarkInfo")) or {}
    if not mark.get("/Marked"):
        problems.append("the PDF is not marked as tagged")
    if not reader.outline:
        problems.append("the PDF has no bookmarks")
    return problems
