"""What a reader sees in a PDF: text per page, bookmarks, fonts, contents numbers."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from pypdf import PdfReader

from press.checks.preflight import fonts_of


def reader(pdf: bytes | Path) -> PdfReader:
    return PdfReader(BytesIO(pdf) if isinstance(pdf, bytes) else pdf)


def page_texts(pdf: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in pdf.pages]


def bookmarks(pdf: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) for every bookmark, in order."""
    result: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                result.append((level, item.title, pdf.get_destination_page_number(item) + 1))

    walk(pdf.outline, 1)
    return result


def fonts(pdf: PdfReader | bytes | Path) -> dict[str, bool]:
    """Every font the pages use → embedded, read with pikepdf as preflight reads it."""
    if isinstance(pdf, PdfReader):  # the bytes it read
        pdf.stream.seek(0)
        pdf = pdf.stream.read()
    with pikepdf.open(BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as document:
        return fonts_of(document)


def toc_numbers(pdf: PdfReader, toc_title: str) -> dict[str, int]:
    """Page numbers printed in the contents, by the (flattened) entry text."""
    texts = page_texts(pdf)
    page = next(i for i, text in enumerate(texts) if text.lstrip().startswith(toc_title))
    entries: dict[str, int] = {}
    pending = ""
    for line in texts[page].splitlines()[1:]:
        match = re.match(r"^(.*?)[\s.]*?(\d+)$", line.strip())
        if (match and match.group(1).strip(" .")) or (match and pending):
            title = (pending + " " + match.group(1)).strip(" .")
            entries[re.sub(r"^\d+\s*", "", title)] = int(match.group(2))
            pending = ""
        else:
            pending = (pending + " " + line.strip()).strip()
    return entries


HEADINGS = ("h2", "h3", "h4")
FLOW = ("p", "li", "h2", "h3", "h4", "figure", "table", "blockquote", "aside", "dl", "pre")


def headings_at_foot(document: Any) -> list[tuple[int, str]]:
    """(page, heading text) for every page whose last block of text is a heading."""
    found = []
    for number, page in enumerate(document.pages, 1):
        html = page._page_box.children[0]  # the document flow; margin boxes and footnotes are siblings
        blocks = [b for b in html.descendants() if type(b).__name__ == "BlockBox" and b.element_tag in FLOW]
        if blocks and blocks[-1].element_tag in HEADINGS:
            text = " ".join(child.text for child in blocks[-1].descendants() if hasattr(child, "text"))
            found.append((number, text))
    return found
