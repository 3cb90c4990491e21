"""Stage 6: preflight — checks on the produced PDF before it is saved or moved into place.

Each rule reads the PDF as a printer's or a reader's software would (pikepdf),
not the HTML we meant to produce. A failure names the edition and the rule.
Nothing here changes the PDF.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pikepdf

from ..content.model import Edition
from ..errors import PreflightError, Problem
from ..pdf import images
from . import accessibility

FONT_FAMILIES = ("CharisSIL", "Inter")
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
RGB_OPERATOR = re.compile(rb"(?<![A-Za-z/])(rg|RG)(?![A-Za-z])")


def check(pdf: pikepdf.Pdf, edition: Edition, cover: bool = False, parts: list[Any] | None = None) -> None:
    """Raise PreflightError if ``pdf`` has problems for ``edition``.

    ``parts``: an assembled screen edition's parts had the PDF/UA checks that concern
    them alone made in their workers (``accessibility.check_part``); these are their
    results, with the number of pages before each."""
    problems = _fonts(pdf) + _metadata(pdf, edition)
    if edition.profile == "print":
        problems += _print_rules(pdf, pages_multiple=1 if cover else 4)
    else:
        problems += _screen_rules(pdf, edition)
    what = f"edition {edition.name!r}" + (" (cover)" if cover else "")
    found = [Problem(None, None, f"{what}: preflight: {p}") for p in problems]
    if edition.profile == "screen" and "/StructTreeRoot" in pdf.Root:
        findings = accessibility.check(pdf) if parts is None else accessibility.check_book(pdf, parts)
        found += [_located(what, finding) for finding in findings]
    if found:
        raise PreflightError(found)


def _located(what: str, finding: accessibility.Finding) -> Problem:
    """A PDF/UA finding at the chapter line its element came from, when known."""
    path, _, line = finding.source.rpartition(":")
    if path and line.isdigit():
        finding.source = ""
        return Problem(Path(path), int(line), f"{what}: preflight: {finding}")
    return Problem(None, None, f"{what}: preflight: {finding}")


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


def _resources(page: pikepdf.Page) -> Any:
    """The page's /Resources, or those it inherits from the page tree (or None)."""
    node: Any = page.obj
    for _ in range(64):  # deeper than any page tree; a /Parent loop must not hang the build
        if not isinstance(node, pikepdf.Dictionary):
            return None
        resources = node.get("/Resources")
        if resources is not None:
            return resources if isinstance(resources, pikepdf.Dictionary) else None
        node = node.get("/Parent")
    return None


def fonts_of(pdf: pikepdf.Pdf) -> dict[str, bool]:
    """Every font the pages use (a Type0 font by its descendant) → whether its file is embedded."""
    found: dict[str, bool] = {}
    for page in pdf.pages:
        resources = _resources(page)
        fonts = resources.get("/Font") if resources is not None else None
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        for _, font in fonts.items():
            if "/DescendantFonts" in font:
                descriptor = font.DescendantFonts[0].get("/FontDescriptor")
            else:
                descriptor = font.get("/FontDescriptor")
            embedded = isinstance(descriptor, pikepdf.Dictionary) and any(key in descriptor for key in FONT_FILES)
            found[str(font.get("/BaseFont"))] = embedded
    return found


def _fonts(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    for name, embedded in sorted(fonts_of(pdf).items()):
        if not embedded:
            problems.append(f"font {name} is not embedded")
        if not any(family in name.replace("-", "") for family in FONT_FAMILIES):
            problems.append(f"font {name} is not one of the shipped fonts (styles/fonts)")
    return problems


def _metadata(pdf: pikepdf.Pdf, edition: Edition) -> list[str]:
    # the trailer's /Info, not pdf.docinfo: that property adds an /Info if there is none
    info = pdf.trailer.get("/Info")
    problems = []
    if not isinstance(info, pikepdf.Dictionary) or not info.get("/Title"):
        problems.append("the document has no title")
    value = pdf.Root.get("/Lang")
    lang = None if value is None else str(value)
    if lang != edition.lang:
        problems.append(f"document language is {lang!r}, not {edition.lang!r}")
    return problems


def _print_rules(pdf: pikepdf.Pdf, pages_multiple: int) -> list[str]:
    problems = []
    count = len(pdf.pages)
    if count % pages_multiple:
        problems.append(f"page count {count} is not a multiple of {pages_multiple}")
    for number, page in enumerate(pdf.pages, 1):
        if "/TrimBox" not in page.obj or "/BleedBox" not in page.obj:
            problems.append(f"page {number} has no TrimBox or BleedBox")
            break
        media, trim = [float(v) for v in page.mediabox], [float(v) for v in page.trimbox]
        if not (media[0] < trim[0] and media[3] > trim[3]):  # left, top
            problems.append(f"page {number} has no bleed around its TrimBox")
            break
    rgb_pages = [number for number, page in enumerate(pdf.pages, 1) if _uses_rgb(page)]
    if rgb_pages:
        listed = ", ".join(str(n) for n in rgb_pages[:10])
        problems.append(f"RGB colour on page(s) {listed}: print colours must be CMYK (styles/print.css tokens)")
    intents = pdf.Root.get("/OutputIntents")
    if not intents or intents[0].get("/S") != pikepdf.Name.GTS_PDFX:
        problems.append("no PDF/X output intent")
    return problems


def _uses_rgb(page: pikepdf.Page) -> bool:
    """Whether the page's content, or a form it draws, sets an RGB colour."""
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    resources = _resources(page)
    xobjects = resources.get("/XObject") if resources is not None else None
    if isinstance(xobjects, pikepdf.Dictionary):
        for _, xobject in xobjects.items():
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == pikepdf.Name.Form:
                streams.append(xobject)
    # each stream on its own: a match cannot span two of them, as pypdf's joined streams kept it
    return any(isinstance(s, pikepdf.Stream) and RGB_OPERATOR.search(s.read_bytes()) for s in streams)


def _screen_rules(pdf: pikepdf.Pdf, edition: Edition) -> list[str]:
    root = pdf.Root
    problems = []
    if "/StructTreeRoot" not in root:
        problems.append("the PDF is not tagged (no structure tree)")
    mark = root.get("/MarkInfo")
    if not isinstance(mark, pikepdf.Dictionary) or not mark.get("/Marked"):
        problems.append("the PDF is not marked as tagged")
    if not pdf.open_outline().root:  # read only: the outline is saved back only when used as a context manager
        problems.append("the PDF has no bookmarks")
    return problems
