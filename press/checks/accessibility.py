"""Preflight for the screen profile: the PDF/UA-1 checks of the Matterhorn Protocol that concern this press.

Read from the written PDF with pikepdf, as a validator would; each rule is
named by its Matterhorn checkpoint (``CHECKPOINTS``, listed in the README).
A failure names the page and, when the element came from a chapter, the
chapter's file and line (``/PressSource``, written by ``pdf/tagging.py`` and
removed once the checks ran), with a short excerpt of its text.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..pdf.tagging import STANDARD, kept_elements, reachable_marks, walk

CHECKPOINTS = {
    "01-003": "content marked as artifact inside tagged content",
    "01-004": "tagged content inside content marked as artifact",
    "01-005": "content neither tagged nor an artifact",
    "01-007": "the Suspects entry is true",
    "02-001": "a structure type that is neither standard nor role-mapped to a standard one",
    "06-001": "no XMP metadata stream",
    "06-002": "the metadata has no PDF/UA identifier",
    "06-003": "the metadata has no dc:title",
    "07-001": "the viewer does not show the document title (DisplayDocTitle)",
    "09-004": "a table structure element where it may not be",
    "09-005": "a list structure element where it may not be",
    "09-006": "a table-of-contents structure element where it may not be",
    "10-001": "a character with no Unicode mapping",
    "11-001": "the natural language of the text cannot be determined (no valid /Lang)",
    "13-004": "a Figure without alternative text",
    "14-002": "the first heading is not H1",
    "14-003": "a heading level skipped",
    "15": "a table row with a different number of cells than the others (group 15, tables)",
    "19-003": "a Note without an ID",
    "19-004": "a Note whose ID is not unique",
    "28-008": "a page with annotations and no /Tabs /S",
    "28-011": "a link annotation not nested in a Link structure element",
    "28-012": "a link annotation without an alternate description (/Contents)",
    "31": "a font not embedded (group 31, fonts)",
}

PAINTING = frozenset(["Tj", "TJ", "'", '"', "Do", "sh", "BI", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s"])
LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TABLE_KIDS = {"Table": {"TR", "THead", "TBody", "TFoot", "Caption"}, "THead": {"TR"}, "TBody": {"TR"},
              "TFoot": {"TR"}, "TR": {"TH", "TD"}}  # fmt: skip
LIST_KIDS = {"L": {"LI", "L", "Caption", "NonStruct"}, "LI": {"Lbl", "LBody"}}
TOC_KIDS = {"TOC": {"TOCI", "TOC", "Caption"}, "TOCI": {"Lbl", "Reference", "NonStruct", "P", "TOC", "Link"}}
TABLE_PARENTS = {"TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"},
                 "THead": {"Table"}, "TBody": {"Table"}, "TFoot": {"Table"}}  # fmt: skip
LIST_PARENTS = {"LI": {"L"}, "LBody": {"LI"}}
TOC_PARENTS = {"TOCI": {"TOC"}}
RULES = ((TABLE_KIDS, TABLE_PARENTS, "09-004"), (LIST_KIDS, LIST_PARENTS, "09-005"), (TOC_KIDS, TOC_PARENTS, "09-006"))
SOURCE = "/PressSource"


@dataclass
class Finding:
    checkpoint: str
    message: str
    page: int | None = None  # 1-based
    source: str = ""  # "content/es/practices/10-kind.md:12"

    def __str__(self) -> str:
        where = f"page {self.page}: " if self.page else ""
        source = f" ({self.source})" if self.source else ""
        return f"PDF/UA {self.checkpoint}: {where}{self.message}{source}"


@dataclass
class _Tree:
    pages: dict[tuple[int, int], int] = field(default_factory=dict)  # page object → 1-based number
    role_map: dict[str, str] = field(default_factory=dict)

    def type_of(self, element: Any) -> str:
        kind = str(element.S)[1:]
        for _ in range(8):
            if kind in STANDARD or kind not in self.role_map:
                break
            kind = self.role_map[kind]
        return kind

    def page_of(self, element: Any) -> int | None:
        page = element.get("/Pg")
        return self.pages.get(page.objgen) if isinstance(page, Dictionary) else None


def check(pdf: pikepdf.Pdf) -> list[Finding]:
    """Every covered checkpoint that ``pdf`` fails."""
    tree = _tree(pdf)
    if tree is None:
        return [Finding("01-005", "the PDF has no structure tree")]
    found, headings = _elements(pdf, tree)
    found += _sequence(headings) + _annotations(pdf, tree)
    return _document(pdf) + _pages(pdf, list(pdf.pages)) + _fonts(pdf) + found


def check_part(
    pdf: pikepdf.Pdf, keep: int, parsed: dict[tuple[int, int], list[Any]] | None = None
) -> dict[str, list[list[Any]]]:
    """The checks that concern a part's first ``keep`` pages alone, made in its worker on the
    tree assembly keeps of them (``tagging.kept_elements``), pages numbered from 1 in the part:
    ``{"findings": [[checkpoint, message, page, source]], "headings": [[level, page, source, excerpt]]}``.
    ``check_book`` makes the rest on the assembled book. ``parsed``: the pages' content, parsed
    (``tagging.finish`` gives it)."""
    tree = _tree(pdf)
    if tree is None:
        return {"findings": [["01-005", "the PDF has no structure tree", None, ""]], "headings": []}
    pages = list(pdf.pages[:keep])
    top = kept_elements(pdf, pages)
    found, headings = _elements(pdf, tree, top)
    found += _pages(pdf, pages, top, parsed)
    return {
        "findings": [[f.checkpoint, f.message, f.page, f.source] for f in found],
        "headings": [[h.level, h.page, h.source, h.excerpt] for h in headings],
    }


def check_book(pdf: pikepdf.Pdf, parts: list[tuple[dict[str, list[list[Any]]], int]]) -> list[Finding]:
    """An assembled book's checks: the document's and its fonts' and links', with each part's own
    (``check_part``; ``parts``: its results and the number of pages before it) and the order of
    the headings across parts."""
    tree = _tree(pdf)
    if tree is None:
        return [Finding("01-005", "the PDF has no structure tree")]
    found = _document(pdf) + _fonts(pdf) + _annotations(pdf, tree)
    headings: list[_Heading] = []
    for checks, before in parts:
        found += [Finding(c, m, _moved(page, before), source) for c, m, page, source in checks["findings"]]
        headings += [
            _Heading(level, _moved(page, before), source, text) for level, page, source, text in checks["headings"]
        ]
    return found + _sequence(headings)


def _moved(page: int | None, before: int) -> int | None:
    return page + before if page else None


def _tree(pdf: pikepdf.Pdf) -> _Tree | None:
    structure = pdf.Root.get("/StructTreeRoot")
    if structure is None:
        return None
    tree = _Tree({page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)})
    role_map = structure.get("/RoleMap", Dictionary())
    tree.role_map = {str(k)[1:]: str(v)[1:] for k, v in role_map.items()}
    return tree


def strip_sources(pdf: pikepdf.Pdf, top: list[Any] | None = None) -> None:
    """Remove the chapter locations the checks needed: they are not for readers."""
    for element in walk(pdf, top):
        if SOURCE in element:
            del element[SOURCE]


def _document(pdf: pikepdf.Pdf) -> list[Finding]:
    found = []
    lang = pdf.Root.get("/Lang")
    if lang is None or not LANG.match(str(lang)):
        found.append(Finding("11-001", f"the document language {str(lang) if lang else ''!r} is not a language tag"))
    mark = pdf.Root.get("/MarkInfo", Dictionary())
    if mark.get("/Suspects") is True:
        found.append(Finding("01-007", "the MarkInfo says the tags are suspect"))
    preferences = pdf.Root.get("/ViewerPreferences", Dictionary())
    if preferences.get("/DisplayDocTitle") is not True:
        found.append(Finding("07-001", "ViewerPreferences /DisplayDocTitle is not true"))
    if "/Metadata" not in pdf.Root:
        return [*found, Finding("06-001", "there is no XMP metadata stream")]
    xmp = pdf.Root.Metadata.read_bytes()
    if b"pdfuaid:part" not in xmp:
        found.append(Finding("06-002", "the XMP metadata does not say pdfuaid:part 1"))
    if b"<dc:title>" not in xmp:
        found.append(Finding("06-003", "the XMP metadata has no dc:title"))
    return found


def _pages(
    pdf: pikepdf.Pdf,
    pages: list[pikepdf.Page],
    top: list[Any] | None = None,
    parsed: dict[tuple[int, int], list[Any]] | None = None,
) -> list[Finding]:
    """Each page's marked content (``parsed``: already parsed, by page object)."""
    found: list[Finding] = []
    reachable = reachable_marks(pdf, top)
    for number, page in enumerate(pages, 1):
        instructions = (parsed or {}).get(page.obj.objgen) or pikepdf.parse_content_stream(page)
        marks = _claimed(pdf, page) & reachable.get(page.obj.objgen, set())
        found += [Finding(c, m, number) for c, m in _marked_content(instructions, marks)]
    return found


def _marked_content(instructions: Any, marks: set[int]) -> list[tuple[str, str]]:
    """Every painting operator inside a tagged sequence or an artifact, never both (once per checkpoint)."""
    found: dict[str, str] = {}
    stack: list[str] = []  # "tag" | "artifact" | "other", innermost last
    for operands, operator in instructions:
        op = str(operator)
        if op in ("BDC", "BMC"):
            kind = _kind(operands, op)
            if kind == "artifact" and "tag" in stack:
                found.setdefault("01-003", "an artifact inside tagged content")
            if kind == "tag" and "artifact" in stack:
                found.setdefault("01-004", "tagged content inside an artifact")
            if kind == "tag" and int(operands[1].MCID) not in marks:
                mcid = int(operands[1].MCID)
                found.setdefault("01-005", f"marked content {mcid} belongs to no structure element in the tree")
            stack.append(kind)
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op in PAINTING and not any(kind in ("tag", "artifact") for kind in stack):
            found.setdefault("01-005", f"content drawn ({op}) outside tagged content and artifacts")
    return list(found.items())


def _kind(operands: Any, op: str) -> str:
    if operands and operands[0] == Name.Artifact:
        return "artifact"
    if op == "BDC" and len(operands) > 1 and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
        return "tag"
    return "other"


def _claimed(pdf: pikepdf.Pdf, page: pikepdf.Page) -> set[int]:
    """The MCIDs of the page that its parent-tree entry gives a structure element."""
    structure = pdf.Root.StructTreeRoot
    nums = structure.ParentTree.get("/Nums", Array())
    key = page.obj.get("/StructParents")
    for i in range(0, len(nums), 2):
        if key is not None and int(nums[i]) == int(key):
            entries = nums[i + 1]
            return {mcid for mcid, entry in enumerate(entries) if isinstance(entry, Dictionary)}
    return set()


@dataclass
class _Heading:
    level: int
    page: int | None
    source: str
    excerpt: str

    def finding(self, checkpoint: str, message: str) -> Finding:
        return Finding(checkpoint, _with_excerpt(message, self.excerpt), self.page, self.source)


def _with_excerpt(message: str, excerpt: str) -> str:
    return f"{message}{f': {excerpt!r}' if excerpt else ''}"


def _elements(pdf: pikepdf.Pdf, tree: _Tree, top: list[Any] | None = None) -> tuple[list[Finding], list[_Heading]]:
    """The checks of each element reachable from the root (or from ``top``), and the headings in order."""
    found: list[Finding] = []
    headings: list[_Heading] = []
    note_ids: Counter[str] = Counter()

    def add(checkpoint: str, message: str, element: Any) -> None:
        text = _with_excerpt(message, _excerpt(element))
        found.append(Finding(checkpoint, text, tree.page_of(element), str(element.get(SOURCE, ""))))

    for element in walk(pdf, top):
        kind = tree.type_of(element)
        if kind not in STANDARD:
            add("02-001", f"structure type {kind!r} is not standard nor role-mapped", element)
        if kind == "Figure" and not (str(element.get("/Alt", "")).strip() or element.get("/ActualText")):
            add("13-004", "a Figure has no /Alt", element)
        if (lang := element.get("/Lang")) and not LANG.match(str(lang)):
            add("11-001", f"/Lang {str(lang)!r} is not a language tag", element)
        if re.fullmatch(r"H[1-6]", kind):
            source = str(element.get(SOURCE, ""))
            headings.append(_Heading(int(kind[1]), tree.page_of(element), source, _excerpt(element)))
        if kind == "Note":
            if "/ID" not in element:
                add("19-003", "a Note has no /ID", element)
            else:
                note_ids[str(element.ID)] += 1  # unique in the book: ids are prefixed part by part
        for kid in _kids(element):
            kid_kind = tree.type_of(kid)
            for rules, parents, checkpoint in RULES:
                allowed = rules.get(kind)
                if (allowed is not None and kid_kind not in allowed) or kind not in parents.get(kid_kind, {kind}):
                    add(checkpoint, f"{kid_kind} inside {kind}", kid)
        if kind == "Table":
            found += _irregular(element, tree, add)
    for note, count in note_ids.items():
        if count > 1:
            found.append(Finding("19-004", f"the Note ID {note!r} is used {count} times"))
    return found, headings


def _sequence(headings: list[_Heading]) -> list[Finding]:
    """The first heading is H1, and no level is skipped."""
    found = []
    if headings and headings[0].level != 1:
        found.append(headings[0].finding("14-002", f"the first heading is H{headings[0].level}"))
    for before, heading in itertools.pairwise(headings):
        if heading.level > before.level + 1:
            found.append(heading.finding("14-003", f"H{heading.level} follows H{before.level}"))
    return found


def _kids(element: Any) -> Iterator[Any]:
    kids = element.get("/K")
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield kid


def _irregular(table: Any, tree: _Tree, add: Callable[[str, str, Any], None]) -> list[Finding]:
    """Rows must span the same number of columns (row and column spans counted)."""
    rows = [kid for kid in _kids(table) if tree.type_of(kid) == "TR"]
    for group in _kids(table):
        if tree.type_of(group) in ("THead", "TBody", "TFoot"):
            rows += [kid for kid in _kids(group) if tree.type_of(kid) == "TR"]
    widths: list[int] = []
    carried: Counter[int] = Counter()  # row index → columns taken by cells spanning down into it
    for index, row in enumerate(rows):
        width = carried[index]
        for cell in _kids(row):
            attributes = cell.get("/A", Dictionary())
            span = int(attributes.get("/ColSpan", 1)) if isinstance(attributes, Dictionary) else 1
            down = int(attributes.get("/RowSpan", 1)) if isinstance(attributes, Dictionary) else 1
            width += span
            for below in range(1, down):
                carried[index + below] += span
        widths.append(width)
    if len(set(widths)) > 1:
        add("15", f"table rows span {sorted(set(widths))} columns", table)
    return []


def _annotations(pdf: pikepdf.Pdf, tree: _Tree) -> list[Finding]:
    found = []
    nums = pdf.Root.StructTreeRoot.ParentTree.get("/Nums", Array())
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages, 1):
        annots = page.obj.get("/Annots", Array())
        if len(annots) and page.obj.get("/Tabs") != Name.S:
            found.append(Finding("28-008", "a page with annotations has no /Tabs /S", number))
        for annot in annots:
            if annot.get("/Subtype") != Name.Link:
                continue
            element = entries.get(int(annot.get("/StructParent", -1)))
            if not isinstance(element, Dictionary) or tree.type_of(element) != "Link":
                found.append(Finding("28-011", "a link annotation is not in a Link element", number))
            if not str(annot.get("/Contents", "")).strip():
                found.append(Finding("28-012", "a link annotation has no /Contents", number))
    return found


def _fonts(pdf: pikepdf.Pdf) -> list[Finding]:
    """Every font embedded, and every glyph it holds mapped to Unicode by its ToUnicode CMap.

    The glyphs a font holds are those its widths list (``/W`` of a CID font, or
    ``FirstChar``–``LastChar``): WeasyPrint writes the widths of the glyphs shown."""
    found: list[Finding] = []
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, 1):
        fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
        for _, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            name = str(font.get("/BaseFont"))
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor", Dictionary())
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.append(Finding("31", f"font {name} is not embedded", number))
            codes = _mapped(font)
            if codes is None:
                found.append(Finding("10-001", f"font {name} has no ToUnicode map", number))
                continue
            missing = sorted(_held(font, descendant) - codes)
            if missing:
                listed = ", ".join(f"{code:04x}" for code in missing[:5])
                found.append(Finding("10-001", f"glyph(s) {listed} of font {name} have no Unicode mapping", number))
    return found


def _held(font: Any, descendant: Any) -> set[int]:
    if "/DescendantFonts" not in font:
        return set(range(int(font.get("/FirstChar", 0)), int(font.get("/LastChar", -1)) + 1))
    held: set[int] = set()
    widths = list(descendant.get("/W", Array()))
    index = 0
    while index < len(widths):
        first = int(widths[index])
        if isinstance(widths[index + 1], Array):
            held |= set(range(first, first + len(widths[index + 1])))
            index += 2
        else:
            held |= set(range(first, int(widths[index + 1]) + 1))
            index += 3
    return held


CMAP_CHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
CMAP_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])")


def _mapped(font: Any) -> set[int] | None:
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return None
    data = stream.read_bytes()
    codes: set[int] = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        codes |= {int(code, 16) for code, target in CMAP_CHAR.findall(block) if target}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, _ in CMAP_RANGE.findall(block):
            codes |= set(range(int(low, 16), int(high, 16) + 1))
    return codes


def _excerpt(element: Any) -> str:
    """A few words of what the element says (its /Alt, else the text of a link's annotation), if any."""
    for key in ("/Alt", "/ActualText", "/T"):
        if key in element:
            return str(element[key])[:50]
    return ""
