"""Parts laid out alone → one PDF, as if WeasyPrint had laid out the whole book.

Each part's PDF holds its own pages and a few it only needed for layout
(the lead page, the stub of the next part, anchor pages: ``parts.py``).
Assembly, with pikepdf, keeps the own pages in order and rebuilds what
spans the book:

* named destinations: every anchor of every part, sorted by name as
  WeasyPrint writes them; links point at names, so they resolve across parts;
* bookmarks: one tree built by WeasyPrint's own algorithm from every
  bookmark's level and position, so levels nest across parts;
* the structure tree (tagged screen editions): WeasyPrint tags each page
  separately under one ``Document`` element, so the assembled tree is the
  parts' page elements in order, with a new parent tree (pages first, then
  link annotations, numbered as WeasyPrint numbers them); each part was
  finished alone in its worker (``layout.py``: artifacts, one annotation per
  link, ids made unique), so assembly only joins;
* fonts, colour profiles and images that several parts embed are kept
  once, and the fonts and profiles the parts only named are put in
  (``shared.py``).

The document's own metadata (title, language, XMP, output intent, viewer
preferences) come from the first part, whose head is the book's.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .fonts import FontSet
from .partdata import PartLayout
from .shared import restore
from .tagging import kept_elements


@dataclass
class Laid:
    """One part ready for assembly: its PDF and its layout record."""

    pdf: bytes
    layout: PartLayout


def assemble(parts: Sequence[Laid], tagged: bool, fonts: FontSet | None, root: Path) -> pikepdf.Pdf:
    out = pikepdf.open(BytesIO(parts[0].pdf))
    first = parts[0].layout
    own = list(out.pages[first.start : first.stop])
    dropped = [i for i in range(len(out.pages)) if not first.start <= i < first.stop]
    for index in sorted(dropped, reverse=True):
        del out.pages[index]
    elements, nums, annotations, names = [], [], [], []
    for number, part in enumerate(parts):
        # One part open at a time: its objects are copied, then it is closed, so that a long book's
        # assembly holds the book once, not twice. The copies keep their stream data: pikepdf opens
        # every Pdf with qpdf's setImmediateCopyFrom, which copies a stream's data with it.
        source = out if number == 0 else pikepdf.open(BytesIO(part.pdf))
        pages = own if source is out else list(source.pages[part.layout.start : part.layout.stop])
        copy = _copier(out, source)
        if source is not out:
            with warnings.catch_warnings():  # names and links are rebuilt below, for the whole book
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                out.pages.extend(pages)  # first: the objects copied below then refer to these copies
        if tagged:
            found = _tags(source, pages)
            for element in found.elements:  # cut the link to the part's own tree before copying
                del element["/P"]
            elements += [copy(e) for e in found.elements]
            nums += [copy(n) for n in found.page_nums]
            annotations += [(copy(annot), copy(elem)) for annot, elem in found.annotations]
        names += [(name, copy(dest)) for name, dest in _names(source, pages)]
        if source is not out:
            source.close()
    for key in ("/Outlines", "/Names", "/StructTreeRoot"):
        if key in out.Root:
            del out.Root[key]
    if names:
        flat: list[Any] = []
        for name, dest in sorted(names, key=lambda item: item[0]):
            flat += [String(name), dest]
        out.Root.Names = Dictionary(Dests=Dictionary(Names=Array(flat)))
    _outlines(out, [part.layout for part in parts])
    if tagged:
        _structure(out, elements, nums, annotations)
    _share_streams(out)
    restore(out, fonts, root)
    return out


def _copier(out: pikepdf.Pdf, source: pikepdf.Pdf) -> Callable[[Any], Any]:
    if source is out:
        return lambda obj: obj

    def copy(obj: Any) -> Any:
        if not isinstance(obj, pikepdf.Object) or not (obj.is_indirect or isinstance(obj, Dictionary | Array)):
            return obj
        return out.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))

    return copy


@dataclass
class _Tags:
    elements: list[Any]  # top-level structure elements of the kept pages
    page_nums: list[Any]  # per kept page: its MCID → element array
    annotations: list[tuple[Any, Any]]  # (annotation, its structure element)


def _tags(source: pikepdf.Pdf, pages: list[pikepdf.Page]) -> _Tags:
    """The kept pages' structure (the part was finished alone: ``tagging.finish``, ids made unique)."""
    tree = source.Root.StructTreeRoot
    elements = kept_elements(source, pages)
    nums = tree.ParentTree.Nums
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    page_nums = [entries[int(page.obj.StructParents)] for page in pages]
    annotations = []
    for page in pages:
        for annot in page.obj.get("/Annots", Array()):
            if "/StructParent" in annot:
                annotations.append((annot, entries[int(annot.StructParent)]))
    return _Tags(elements, page_nums, annotations)


def _names(source: pikepdf.Pdf, pages: list[pikepdf.Page]) -> list[tuple[str, Any]]:
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    wanted = {page.obj.objgen for page in pages}
    flat = names.Dests.Names
    return [(str(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2) if flat[i + 1][0].objgen in wanted]


def _structure(out: pikepdf.Pdf, elements: list[Any], nums: list[Any], annotations: list[tuple[Any, Any]]) -> None:
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array(elements)))
    for element in elements:
        element.P = document
    parent_tree: list[Any] = []
    for number, (page, page_nums) in enumerate(zip(out.pages, nums, strict=True)):
        page.obj.StructParents = number
        parent_tree += [number, page_nums]
    for number, (annot, element) in enumerate(annotations, start=len(out.pages)):
        annot.StructParent = number
        parent_tree += [number, element]
    root.ParentTree = out.make_indirect(Dictionary(Nums=Array(parent_tree)))
    root.K = Array([document])
    out.Root.StructTreeRoot = root


def _outlines(out: pikepdf.Pdf, layouts: list[PartLayout]) -> None:
    """The bookmark tree of the whole book, nested by WeasyPrint's own rules."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    scale = 0.75  # PDF points per CSS px
    root: list[Any] = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    number = 0
    for layout in layouts:
        for marks, height in zip(layout.bookmarks, layout.heights, strict=True):
            page = SimpleNamespace(bookmarks=[(lvl, label, (x, y), state) for lvl, label, x, y, state in marks])
            matrix = Matrix(a=scale, d=-scale, f=height * scale)
            previous = make_page_bookmark_tree(page, skipped, last_by_depth, previous, number, matrix)
            number += 1
    if not root:
        return
    pages = [page.obj for page in out.pages]

    def add(items: list[Any], parent: Any) -> tuple[list[Any], int]:
        count = len(items)
        made: list[Any] = []
        for title, (page, x, y), children, state in items:
            item = out.make_indirect(Dictionary(Title=String(title), Dest=Array([pages[page], Name.XYZ, x, y, 0])))
            kids, kids_count = add(children, item)
            item.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                item.Prev = made[-1]
                made[-1].Next = item
            if kids:
                item.First, item.Last = kids[0], kids[-1]
            item.Parent = parent
            made.append(item)
        return made, count

    outlines = out.make_indirect(Dictionary())
    top, count = add(root, outlines)
    outlines.Count, outlines.First, outlines.Last = count, top[0], top[-1]
    out.Root.Outlines = outlines


def _share_streams(out: pikepdf.Pdf) -> None:
    """Embed once the fonts, ICC profiles and images several parts embedded."""
    seen: dict[str, Any] = {}

    def shared(stream: Any) -> Any:
        if not isinstance(stream, pikepdf.Stream):
            return stream
        extra = sorted((str(k), repr(v)) for k, v in stream.items() if k != "/Length")
        key = hashlib.sha256(repr(extra).encode() + stream.read_raw_bytes()).hexdigest()
        return seen.setdefault(key, stream)

    done: set[tuple[int, int]] = set()
    for page in out.pages:
        resources = page.obj.get("/Resources")
        if resources is None or resources.objgen in done:
            continue
        done.add(resources.objgen)
        for font in resources.get("/Font", Dictionary()).values():
            for descendant in font.get("/DescendantFonts", Array([font])):
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None:
                    continue
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        descriptor[key] = shared(descriptor[key])
        spaces: Any = resources.get("/ColorSpace", Dictionary())
        for name, space in spaces.items():
            if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
                spaces[name] = Array([Name.ICCBased, shared(space[1])])
        xobjects = resources.get("/XObject", Dictionary())
        for name, xobject in list(xobjects.items()):
            if xobject.get("/Subtype") == Name.Image:
                xobjects[name] = shared(xobject)
    intents = out.Root.get("/OutputIntents")
    for intent in intents if isinstance(intents, Array) else []:
        if "/DestOutputProfile" in intent:
            intent.DestOutputProfile = shared(intent.DestOutputProfile)
