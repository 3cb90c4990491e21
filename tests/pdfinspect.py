"""What a reader sees in a PDF: text per page, bookmarks, fonts, contents numbers."""

from __future__ import annotations

import hashlib
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from pypdf import PdfReader

from press.checks.preflight import fonts_of


def reader(pdf: bytes | Path) -> PdfReader:
    return PdfReader(BytesIO(pdf) if isinstance(pdf, bytes) else pdf)


_TEXTS: dict[str, list[str]] = {}  # pypdf takes 8 s to read the guide's text: once per PDF a session


def page_texts(pdf: PdfReader) -> list[str]:
    pdf.stream.seek(0)
    key = hashlib.sha256(pdf.stream.read()).hexdigest()
    if key not in _TEXTS:
        _TEXTS[key] = [page.extract_text() or "" for page in pdf.pages]
    return list(_TEXTS[key])


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


def links(pdf: PdfReader) -> list[list[tuple[tuple[int, ...], str]]]:
    """Per page: every link's rectangle (rounded to points) and its target (a name or a URI)."""
    result = []
    for page in pdf.pages:
        found = []
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            rect = tuple(round(float(v)) for v in annot["/Rect"])
            action = annot.get("/A")
            target = str(annot["/Dest"]) if "/Dest" in annot else str(action.get_object()["/URI"]) if action else ""
            found.append((rect, target))
        result.append(found)
    return result


def destinations(pdf: PdfReader) -> dict[str, int]:
    """Named destination → 1-based page."""
    return {str(name): pdf.get_destination_page_number(dest) + 1 for name, dest in pdf.named_destinations.items()}


def structure(data: bytes) -> list[str]:
    """The structure elements' types (and languages), in reading order, as a screen reader meets them."""
    with pikepdf.open(BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return []
        found: list[str] = []
        stack = _kids(tree)
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
                continue
            found.append(str(element.S) + (f"[{element.Lang}]" if "/Lang" in element else ""))
            stack.extend(_kids(element))
        return found


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
    return list(reversed(kids))


def _marked(page: pikepdf.Page) -> set[int]:
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    return {int(m) for stream in streams for m in re.findall(rb"/MCID (\d+)", stream.read_bytes())}


def parent_tree_problems(data: bytes) -> list[str]:
    """What a validator would find wrong with the parent tree: a page whose marked content is
    not mapped one to one, or a link annotation whose structure element does not own it."""
    problems = []
    with pikepdf.open(BytesIO(data)) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number, page in enumerate(pdf.pages, 1):
            mapped = entries.get(int(page.obj.StructParents))
            # an MCID made an artifact (a running head, a folio) leaves a null in its place
            count = len([e for e in mapped if isinstance(e, pikepdf.Dictionary)]) if mapped is not None else 0
            if mapped is None or count != len(_marked(page)):
                problems.append(f"page {number}: {len(_marked(page))} marked contents, {count} mapped")
            for annot in page.obj.get("/Annots", []):
                owner = entries.get(int(annot.get("/StructParent", -1)))
                kids = list(owner.K) if owner is not None and isinstance(owner.K, pikepdf.Array) else []
                if not any(isinstance(k, pikepdf.Dictionary) and k.get("/Obj") == annot for k in kids):
                    problems.append(f"page {number}: a link its structure element does not own")
    return problems
