"""Read a .docx: what Word holds that the press cannot take, by paragraph, then pandoc's JSON AST.

python-docx opens the package (its XML is read with lxml, never executed); pandoc (the
pypandoc-binary wheel) parses the document into its AST and extracts the images. Tracked
changes refuse the import: what the chapter says would depend on whether they are accepted.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PressError, Problem

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "v": "urn:schemas-microsoft-com:vml",
}
CHANGES = ("w:ins", "w:del", "w:moveFrom", "w:moveTo", "w:rPrChange", "w:pPrChange")
MAX_DOCX_BYTES = 64 * 1024 * 1024


class WordError(PressError):
    """A Word file cannot be imported as it is (tracked changes, not a .docx, unreadable)."""


@dataclass
class Report:
    """What the import could not convert, each with the Word paragraph it came from."""

    path: Path
    dropped: list[Problem] = field(default_factory=list)

    def add(self, paragraph: int | None, message: str, hint: str = "") -> None:
        where = f"paragraph {paragraph}: " if paragraph else ""
        self.dropped.append(Problem(self.path, None, where + message, hint))


def open_docx(path: Path) -> Any:
    """The python-docx Document, or a WordError that says why the file is not one."""
    import docx

    if not path.is_file():
        raise WordError([Problem(path, None, "no such file")])
    if path.stat().st_size > MAX_DOCX_BYTES:
        raise WordError([Problem(path, None, f"larger than {MAX_DOCX_BYTES >> 20} MB")])
    if not zipfile.is_zipfile(path):
        raise WordError([Problem(path, None, "not a .docx file", "save it from Word as 'Word Document (.docx)'")])
    try:
        return docx.Document(str(path))
    except Exception as error:  # python-docx raises several kinds for a broken package
        raise WordError([Problem(path, None, f"cannot be read as a .docx ({error})")]) from None


def inspect(path: Path) -> tuple[Report, dict[str, str]]:
    """What would be lost, by paragraph (tracked changes raise), and the document's core properties."""
    document = open_docx(path)
    report = Report(path)
    body = document.element.body
    paragraphs = [p for p in body.iter(f"{{{W}}}p") if not _x(p, "ancestor::w:txbxContent")]
    changes: list[Problem] = []
    for number, paragraph in enumerate(paragraphs, 1):
        _paragraph(paragraph, number, report, changes, path)
    for part, name in _notes_parts(document):
        for element in part.iter():
            if _tag(element) in CHANGES:
                changes.append(Problem(path, None, f"{name}: a tracked change"))
                break
    if changes:
        raise WordError([Problem(path, None, "tracked changes present: accept or reject them first",
                                 "in Word: Review → Accept (or Reject) → All Changes, save, import again"),
                         *changes[:20]])  # fmt: skip
    props = document.core_properties
    return report, {"identifier": props.identifier or "", "language": props.language or "", "title": props.title}


def _paragraph(paragraph: Any, number: int, report: Report, changes: list[Problem], path: Path) -> None:
    for element in paragraph.iter():
        tag = _tag(element)
        if tag in CHANGES:
            author = element.get(f"{{{W}}}author") or "someone"
            kind = {"w:ins": "insertion", "w:del": "deletion"}.get(tag, "change")
            changes.append(Problem(path, None, f"paragraph {number}: tracked {kind} by {author}"))
            return
    if _x(paragraph, ".//w:txbxContent") or _x(paragraph, ".//v:textbox"):
        text = "".join(_x(paragraph, ".//w:txbxContent//w:t/text()"))[:40]
        report.add(number, f"text box dropped ({text!r})", "move its text into the body")
    if _x(paragraph, ".//w:commentReference"):
        report.add(number, "comment dropped", "answer comments in the text, or note them elsewhere")
    if _x(paragraph, ".//m:oMath"):
        report.add(number, "equation kept as plain text", "check how it reads")
    if _x(paragraph, ".//w:object"):
        report.add(number, "embedded object dropped", "paste it as a picture")
    for frame in _x(paragraph, ".//wp:inline | .//wp:anchor"):
        uri = _x(frame, "string(.//a:graphicData/@uri)")
        if not uri.endswith("/picture"):
            report.add(number, "chart or drawing dropped", "paste it as a picture, or make it a chart data file")
        elif not (_x(frame, "string(wp:docPr/@descr)") or "").strip():
            hint = "in Word: right-click the image → View Alt Text, describe what it shows, import again"
            report.add(number, "image has no alt text", hint)


def _notes_parts(document: Any) -> list[tuple[Any, str]]:
    from lxml import etree

    found = []
    for rel in document.part.rels.values():
        if rel.reltype.endswith(("/footnotes", "/endnotes")) and not rel.is_external:
            name = "footnotes" if rel.reltype.endswith("/footnotes") else "endnotes"
            found.append((etree.fromstring(rel.target_part.blob), name))
    return found


def _x(element: Any, expression: str) -> Any:
    """XPath with the namespaces above (python-docx's own ``xpath`` knows fewer)."""
    from lxml import etree

    return etree._Element.xpath(element, expression, namespaces=NS)


def _tag(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.replace(f"{{{W}}}", "w:")


def read_ast(path: Path, media: Path) -> dict[str, Any]:
    """pandoc's AST of the document (styles kept as ``custom-style``), its images extracted under ``media``."""
    import pypandoc

    try:
        text = pypandoc.convert_file(str(path), "json", format="docx+styles",
                                     extra_args=[f"--extract-media={media}", "--track-changes=accept"])  # fmt: skip
    except RuntimeError as error:
        raise WordError([Problem(path, None, f"pandoc could not read it: {str(error).strip()[:200]}")]) from None
    ast: dict[str, Any] = json.loads(text)
    return ast
