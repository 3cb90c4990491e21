"""What WeasyPrint's PDF/UA tags lack, added from the HTML while a part is written, then finished.

WeasyPrint 70 maps HTML elements to structure elements (``weasyprint/pdf/tags.py``)
but knows nothing of the document's intent. While a part is written,
``semantic_tags()`` wraps its tree builder so that, read from the HTML:

* ``aria-hidden="true"`` (icons beside labels, cover art, rules): the element's
  structure is left out of the tree; ``finish`` then marks its content as an
  artifact;
* ``lang`` that differs from its parent's: ``/Lang`` on the structure element;
* ``data-pdf-tag="TOC"`` (any standard type): the structure type, on the
  element's own box only (not on the anonymous boxes it makes); an element with
  an ``id`` keeps it as ``/ID`` (notes need one);
* ``::footnote-call`` markers become ``Reference``;
* a link's annotation gets ``/Contents``: its ``aria-label`` or its text;
* a block rendered from a chapter gets ``/PressSource`` (file:line) for the
  preflight's messages, removed before the file is written.

``finish`` (on each part of a screen edition, in its worker, before assembly:
``pdf/layout.py``; or on a whole PDF): every marked
content sequence whose structure element is not in the tree (margin boxes:
running heads and folios; hidden elements) becomes an ``/Artifact``, its
parent-tree entry goes, and pages with annotations get ``/Tabs /S``; a link
keeps one annotation (WeasyPrint adds one per inline box inside it), and the
``LBody`` of a contents entry becomes ``NonStruct`` (``TOCI`` holds no ``LBody``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

# The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4).
STANDARD = frozenset(
    [
        "Document",
        "Part",
        "Art",
        "Sect",
        "Div",
        "BlockQuote",
        "Caption",
        "TOC",
        "TOCI",
        "Index",
        "NonStruct",
        "Private",
        "P",
        "H",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "THead",
        "TBody",
        "TFoot",
        "Span",
        "Quote",
        "Note",
        "Reference",
        "BibEntry",
        "Code",
        "Link",
        "Annot",
        "Ruby",
        "RB",
        "RT",
        "RP",
        "Warichu",
        "WT",
        "WP",
        "Figure",
        "Formula",
        "Form",
    ]
)


def _own(box: Any, element: Any, stack: list[Any]) -> bool:
    """Whether ``box`` is the element's own box, not an anonymous box or pseudo-element made from it."""
    return element is not None and not (stack and stack[-1] is element) and "::" not in (box.element_tag or "")


SOURCE_ATTRIBUTES = ("data-source", "data-file")  # on a chapter's element: its file, relative to the project


def _source(element: Any, ancestors: list[Any]) -> str:
    """``file:line`` of a block rendered from a chapter (``data-line``), for preflight messages;
    ``checks/accessibility.strip_sources`` removes it before the file is written."""
    line = element.get("data-line")
    if not line:
        return ""
    for ancestor in reversed(ancestors):  # ElementTree elements know no parent: the boxes being tagged do
        if ancestor is None:
            continue
        for name in SOURCE_ATTRIBUTES:
            if ancestor.get(name):
                return f"{ancestor.get(name)}:{line}"
    return ""


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


@contextmanager
def semantic_tags() -> Iterator[None]:
    """While a tagged PDF is written: structure from the HTML's intent (see the module docstring)."""
    import pydyf
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    stack: list[Any] = []  # the HTML elements of the boxes being tagged, outermost first
    langs: list[str] = []

    def build(box: Any, parent: Any, pdf: Any, page: int, nums: Any, annotations: Any, marks: Any) -> Any:
        inner = box._box if isinstance(box, AbsolutePlaceholder) else box
        element = inner.element
        own = _own(inner, element, stack)
        if own and element.get("aria-hidden") == "true" and not inner.link_annotation:
            tuple(original(box, parent, pdf, page, nums, annotations, marks))  # its marks, left out of the tree
            return
        lang = element.get("lang") if own and element is not None else None
        inherited = langs[-1] if langs else None
        stack.append(element)
        if lang:
            langs.append(lang)
        try:
            made = list(original(box, parent, pdf, page, nums, annotations, marks))
        finally:
            stack.pop()
            if lang:
                langs.pop()
        if element is None or inner.element_tag in ("html", "body"):
            yield from made
            return
        for struct in made:
            if inner.element_tag.endswith("::footnote-call"):
                struct["S"] = "/Reference"
            if not own:
                continue
            wanted = element.get("data-pdf-tag")
            if wanted in STANDARD:
                struct["S"] = f"/{wanted}"
                if element.get("id"):
                    struct["ID"] = pydyf.String(element.get("id"))
            if lang and lang != inherited:
                struct["Lang"] = pydyf.String(lang)
            if source := _source(element, stack):
                struct["PressSource"] = pydyf.String(source)
            if inner.link_annotation is not None:
                label = element.get("aria-label") or _text(element)
                inner.link_annotation["Contents"] = pydyf.String(label)
        yield from made

    tags._build_box_tree = build
    try:
        yield
    finally:
        tags._build_box_tree = original


def finish(pdf: pikepdf.Pdf, keep: int | None = None) -> dict[tuple[int, int], list[Any]]:
    """Artifacts for the marked content outside the tree; the parent tree to match; tab order.

    ``keep``: the number of pages, from the first, that assembly keeps of a part's
    PDF (``pdf/layout.py``); only their tree and content are finished, and the
    tree is the one assembly keeps (``kept_elements``), so a part finished alone
    reads as it would in the finished book. Gives each finished page's content, parsed, by its page
    object, for the checks that read it next."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return {}
    parsed: dict[tuple[int, int], list[Any]] = {}
    pages = list(pdf.pages) if keep is None else list(pdf.pages[:keep])
    top = None if keep is None else kept_elements(pdf, pages)
    _one_annotation_per_link(pdf, top)
    for element in walk(pdf, top):  # an <li> tagged TOCI keeps the LBody WeasyPrint made for its text
        if element.S == Name.TOCI:
            for kid in _kids(element):
                if str(kid.S) == "/LBody":
                    kid.S = Name.NonStruct
    reachable = reachable_marks(pdf, top)
    nums = tree.ParentTree.Nums
    by_page = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pages:
        if "/Annots" in page.obj and len(page.obj.Annots):
            page.obj.Tabs = Name.S
        kept = reachable.get(page.obj.objgen, set())
        instructions: list[Any] = list(pikepdf.parse_content_stream(page))
        changed = False
        for index, instruction in enumerate(instructions):
            operands, operator = instruction.operands, instruction.operator
            if str(operator) != "BDC" or len(operands) < 2 or not isinstance(operands[1], Dictionary):
                continue
            marked = operands[1].get("/MCID")
            if marked is not None and int(marked) not in kept:
                instructions[index] = pikepdf.ContentStreamInstruction([Name.Artifact], pikepdf.Operator("BMC"))
                changed = True
        if changed:
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        parsed[page.obj.objgen] = instructions
        entries: Any = by_page.get(int(page.obj.get("/StructParents", -1)))
        if isinstance(entries, Array):
            for mcid in range(len(entries)):
                if mcid not in kept:
                    entries[mcid] = None
    return parsed


def kept_elements(pdf: pikepdf.Pdf, pages: list[pikepdf.Page]) -> list[Any]:
    """The top-level structure elements of ``pages`` (WeasyPrint tags page by page, under one Document)."""
    document = pdf.Root.StructTreeRoot.K[0]
    wanted = {page.obj.objgen for page in pages}
    return [e for e in document.K if e.Pg.objgen in wanted]


def unique_ids(elements: list[Any], prefix: str) -> None:
    """Prefix the /ID of each element, and the table headers that name them: WeasyPrint names
    table headers after object numbers, which repeat across parts."""
    stack = list(elements)
    while stack:
        element = stack.pop()
        if not isinstance(element, Dictionary) or element.get("/Type") not in (Name.StructElem, None):
            continue
        if "/ID" in element:
            element.ID = String(prefix + str(element.ID))
        attributes = element.get("/A")
        if isinstance(attributes, Dictionary) and "/Headers" in attributes:
            attributes.Headers = Array([String(prefix + str(h)) for h in attributes.Headers])
        kids = element.get("/K")
        if isinstance(kids, Array):
            stack.extend(k for k in kids if isinstance(k, Dictionary))


def _one_annotation_per_link(pdf: pikepdf.Pdf, top: list[Any] | None) -> None:
    """WeasyPrint gives each inline box inside a link its own annotation, tagged on that box's
    Span; the Link element's own annotation covers them, so theirs go (one link, read once)."""
    doomed: set[tuple[int, int]] = set()
    for element in walk(pdf, top):
        if Name.Link != element.S:
            continue
        target = _target(element)
        stack = [k for k in _kids(element) if k.get("/S") != Name.Link]
        while stack:
            kid = stack.pop()
            kids = kid.get("/K")
            if not isinstance(kids, Array):
                continue
            for item in list(kids):
                if isinstance(item, Dictionary) and item.get("/Type") == Name.OBJR and _target_of(item.Obj) == target:
                    doomed.add(item.Obj.objgen)
            kid.K = Array([k for k in kids if not (isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR
                                                   and k.Obj.objgen in doomed)])  # fmt: skip
            stack.extend(k for k in _kids(kid) if k.get("/S") != Name.Link)
    if not doomed:
        return
    keys: set[int] = set()
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, Array):
            keys |= {int(a.StructParent) for a in annots if a.objgen in doomed and "/StructParent" in a}
            page.obj.Annots = Array([a for a in annots if a.objgen not in doomed])
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for i in range(0, len(nums), 2):
        if int(nums[i]) in keys:
            nums[i + 1] = None


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    return [k for k in (kids if isinstance(kids, Array) else [kids]) if isinstance(k, Dictionary) and "/S" in k]


def _target(link: Any) -> Any:
    kids = link.get("/K")
    for item in kids if isinstance(kids, Array) else [kids]:
        if isinstance(item, Dictionary) and item.get("/Type") == Name.OBJR:
            return _target_of(item.Obj)
    return None


def _target_of(annotation: Any) -> str:
    action = annotation.get("/A")
    uri = action.get("/URI") if isinstance(action, Dictionary) else None
    return repr(annotation.get("/Dest")) + repr(uri)


def reachable_marks(pdf: pikepdf.Pdf, top: list[Any] | None = None) -> dict[tuple[int, int], set[int]]:
    """Per page (its object id), the MCIDs that structure elements reachable from the root
    (or from ``top``) claim."""
    found: dict[tuple[int, int], set[int]] = {}
    for element in walk(pdf, top):
        page = element.get("/Pg")
        kids = element.get("/K")
        for kid in kids if isinstance(kids, Array) else [kids]:
            if isinstance(kid, int) and page is not None:
                found.setdefault(page.objgen, set()).add(int(kid))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                target = kid.get("/Pg", page)
                found.setdefault(target.objgen, set()).add(int(kid.MCID))
    return found


def walk(pdf: pikepdf.Pdf, top: list[Any] | None = None) -> Iterator[Any]:
    """Every structure element reachable from the structure tree root (or from the elements
    ``top``), in document order."""
    if top is not None:
        stack = list(reversed(top))
    else:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return
        kids = tree.get("/K")
        stack = list(reversed(list(kids))) if isinstance(kids, Array) else [kids]
    seen: set[tuple[int, int]] = set()
    while stack:
        element = stack.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        yield element
        children = element.get("/K")
        if isinstance(children, Array):
            stack.extend(reversed([c for c in children if isinstance(c, Dictionary)]))
        elif isinstance(children, Dictionary):
            stack.append(children)
