"""Dotted leaders drawn as one run (press/pdf/leaders.py) draw what WeasyPrint's copies draw."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pypdfium2
import pytest
import weasyprint.layout.inline
from PIL import Image, ImageChops
from pypdf import PdfReader

from press.pdf import leaders

HTML = """<style>
@page { size: 120mm 60mm; margin: 10mm; }
body { font: 10pt sans-serif; }
p { margin: 0 0 3mm; }
span::after { content: leader(dotted); }
b::after { content: leader("-*-"); }
</style>
<p><a><span>Prologue</span> 5</a></p>
<p><a><span>A title long enough to wrap over two lines of this narrow contents page</span> 117</a></p>
<p><a><b>Another</b> 9</a></p>"""


def leader_boxes(document: Any) -> list[Any]:
    found = []

    def walk(box: Any) -> None:
        if getattr(box, "is_leader", False):
            found.append(box)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def render(merged: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    if not merged:
        monkeypatch.setattr(weasyprint.layout.inline, "handle_leader", leaders._original_handle_leader)
    document = weasyprint.HTML(string=HTML).render()
    monkeypatch.undo()
    return document


def image(document: Any) -> Image.Image:
    pdf = pypdfium2.PdfDocument(document.write_pdf())
    return pdf[0].render(scale=300 / 72).to_pil().convert("L")


def test_each_leader_becomes_one_run_of_its_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    copies = leader_boxes(render(False, monkeypatch))
    runs = leader_boxes(render(True, monkeypatch))
    assert len(copies) == len(runs) == 3
    for copied, run in zip(copies, runs, strict=True):
        assert len(copied.children) > 10, "the test's leaders must hold many copies"
        (box,) = run.children
        assert box.text == "".join(child.text for child in copied.children)
        left = min(child.position_x for child in copied.children)
        right = max(child.position_x + child.width for child in copied.children)
        assert box.position_x == pytest.approx(left)
        assert box.position_x + box.width == pytest.approx(right, abs=leaders.TOLERANCE)
        assert box.position_y == copied.children[0].position_y


def test_the_page_reads_and_looks_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    copied, merged = render(False, monkeypatch), render(True, monkeypatch)

    def text(document: Any) -> str:
        return PdfReader(BytesIO(document.write_pdf())).pages[0].extract_text()

    assert text(merged) == text(copied)
    difference = ImageChops.difference(image(copied), image(merged))
    # anti-aliasing only: the glyphs land on the same pixels to a fraction of one at 300 dpi
    strong = difference.point(lambda value: 255 if value > 128 else 0)
    assert strong.histogram()[255] < 40


def test_copies_that_are_not_plain_repeats_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    (leader,) = leader_boxes(render(False, monkeypatch))[:1]
    children = leader.children
    moved = children[0].copy()
    moved.position_x += 1  # not one step from its neighbour: not a run WeasyPrint made
    assert leaders.merge(None, (moved, *children[1:])) is None
