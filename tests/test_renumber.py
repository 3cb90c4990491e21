"""A part renumbered in its worker is the part laid out afresh at its new page numbers, byte for byte.

Each test lays a part out on a wrong first page (two or four pages off, as
a guess is), asks for it at its real one, and checks both that no layout
happened the second time and that the bytes and the layout record equal a
fresh layout at the real numbers in a process that kept nothing.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
import weasyprint.pdf.pdfx

from press.build import publish
from press.build.cache import Store
from press.build.plan import EditionPlan
from press.content.editions import load_editions
from press.content.load import load_guide
from press.pdf import fonts as font_prep
from press.pdf import layout
from press.pdf.partdata import PartTask
from press.pdf.weasy import Renderer

REPO = Path(__file__).resolve().parent.parent


def edition_plan(root: Path, name: str) -> EditionPlan:
    guide = load_guide(root)
    edition = load_editions(guide)[name]
    fonts = font_prep.prepare(root)
    plan, _ = publish._plan(guide, edition, Store(root, read=False), True, fonts, False, {})
    return plan


def task_at(plan: EditionPlan, index: int, offset: int) -> PartTask:
    """The part's task with its first page at ``offset`` and the book's own numbers for its refs."""
    _, anchors, _ = plan.numbers()
    html, css, lead, _ = plan._document(index, offset, anchors, None)
    part = plan.parts[index]
    return PartTask(
        root=plan.root, edition=plan.edition, fonts=plan.fonts,  # type: ignore[arg-type]
        html=html, css=css, strict=True, lead=lead, refs=part.refs, unit_tag=plan.book.units[part.first].tag,
        offset=offset, styles_key=plan.base_key, layout_key=plan.layout_keys[index],
    )  # fmt: skip


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the documents WeasyPrint lays out; starts and ends with nothing kept."""
    calls: list[str] = []
    original = Renderer.layout

    def counting(self: Renderer, html: str, *args: object) -> object:
        calls.append(html)
        return original(self, html, *args)

    monkeypatch.setattr(Renderer, "layout", counting)
    # A PDF/X part is stamped with the time it is written (assembly dates the book): one time for all.
    monkeypatch.setattr(weasyprint.pdf.pdfx, "localtime", lambda: time.gmtime(0))
    layout.forget_kept()
    yield calls
    layout.forget_kept()


def assert_renumbered_is_fresh(plan: EditionPlan, index: int, wrong: int, calls: list[str]) -> None:
    real = plan.numbers()[0][index]
    guessed, _ = layout.lay_out(task_at(plan, index, wrong))
    assert guessed  # laid out, kept
    renumbered, renumbered_layout = layout.lay_out(task_at(plan, index, real))
    assert len(calls) == 1, "the second request must be renumbered, not laid out"
    layout.forget_kept()
    fresh, fresh_layout = layout.lay_out(task_at(plan, index, real))
    assert len(calls) == 2
    assert renumbered == fresh
    assert renumbered_layout == fresh_layout
    assert renumbered_layout.offset == real and renumbered_layout.renumberable


def test_every_chapter_of_a_small_project_renumbers_to_its_fresh_bytes(project, layouts):
    """Every part but the first (which never moves) and those that print page numbers (their
    contents, a cross-reference): those are laid out again, as ``renumber.renumberable`` says."""
    plan = edition_plan(project("bilingual"), "guide-es")
    renumbered = 0
    for index in range(1, len(plan.parts)):
        layouts.clear()
        layout.forget_kept()
        real = plan.numbers()[0][index]
        _, first = layout.lay_out(task_at(plan, index, real + 4))
        if not first.renumberable:  # it prints page numbers (its contents, a "see page 3"): laid out again
            assert first.numbered or "target-counter" in (plan.root / "styles" / "components.css").read_text()
            continue
        layout.forget_kept()
        layouts.clear()
        assert_renumbered_is_fresh(plan, index, real + 4, layouts)
        renumbered += 1
    assert renumbered >= 2, f"{renumbered} of {len(plan.parts)} parts renumbered"


@pytest.mark.slow
@pytest.mark.parametrize("unit_id", ["legal-framework", "argentina-health-access", "references"])
def test_shipped_chapters_renumber_to_their_fresh_bytes(layouts, unit_id):
    """A front chapter, a practice (sources, a chart, notes) and the references, two pages off."""
    plan = edition_plan(REPO, "guide-es")
    index = next(p.index for p in plan.parts if f'id="{unit_id}"' in plan.book.units[p.first].start_tag)
    real = plan.numbers()[0][index]
    assert_renumbered_is_fresh(plan, index, real - 2 if real > 3 else real + 2, layouts)


@pytest.mark.parametrize("name", ["print-es", "guide-en"])  # PDF/X with crop-mark boxes; notes by chapter
def test_other_profiles_and_notes_renumber_to_their_fresh_bytes(project, layouts, name):
    plan = edition_plan(project("regional"), name)
    index = next(p.index for p in plan.parts if "chapter practice" in plan.book.units[p.first].start_tag)
    real = plan.numbers()[0][index]
    assert_renumbered_is_fresh(plan, index, real + 2, layouts)


def test_the_contents_prints_page_numbers_and_is_laid_out_again(project, layouts):
    plan = edition_plan(project("bilingual"), "guide-es")
    index = next(p.index for p in plan.parts if 'class="toc"' in plan.book.units[p.first].start_tag)
    real = plan.numbers()[0][index]
    _, first = layout.lay_out(task_at(plan, index, real + 2))
    assert not first.renumberable
    layout.lay_out(task_at(plan, index, real))
    assert len(layouts) == 2


def test_a_part_whose_page_counter_is_set_by_other_rules_is_laid_out_again(project, layouts):
    """Builds refuse such stylesheets (``publish.whole_only``); the worker checks it again itself."""
    plan = edition_plan(project("bilingual"), "guide-es")
    index = next(p.index for p in plan.parts if 'id="alpha"' in plan.book.units[p.first].start_tag)  # a practice
    real = plan.numbers()[0][index]
    rule = "\n@page :nth(2) { counter-increment: page 5; }"
    _, first = layout.lay_out(replace(task_at(plan, index, real + 2), css=task_at(plan, index, real + 2).css + rule))
    assert not first.renumberable
    layout.lay_out(replace(task_at(plan, index, real), css=task_at(plan, index, real).css + rule))
    assert len(layouts) == 2


def test_an_odd_move_is_laid_out_again(project, layouts):
    """One page off puts the part on the other side: another layout, not a renumbering."""
    plan = edition_plan(project("bilingual"), "guide-es")
    index = next(p.index for p in plan.parts if 'id="alpha"' in plan.book.units[p.first].start_tag)
    real = plan.numbers()[0][index]
    assert layout.lay_out(task_at(plan, index, real + 4))[1].renumberable
    layout.lay_out(task_at(plan, index, real + 1))
    assert len(layouts) == 2
