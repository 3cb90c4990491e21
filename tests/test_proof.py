"""Proofing: the rules on laid-out pages, acceptances, approved pages and their diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from press.build import proofing
from press.build.publish import render
from press.checks.proof import approved, settings
from press.checks.proof.proof import Proof, proof, stale
from press.content.editions import load_editions
from press.content.load import load_guide
from press.errors import PressError
from press.pdf import images, weasy
from press.render.html import build_html
from tests.conftest import make_project

REPO = Path(__file__).resolve().parent.parent
INTRO = "content/es/front/intro.md"


def line_of(root: Path, file: str, text: str) -> int:
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def proofed(root: Path, name: str = "guide-es") -> Proof:
    guide = load_guide(root)
    edition = load_editions(guide)[name]
    html = build_html(guide, edition, lambda src: images.prepare(root, src, edition.profile).url)
    document = weasy.render_document(html, root, edition, strict=True).document
    return proof(document, name, edition.lang, edition.notes, proofing.files_of(guide, edition), settings.load(root))


@pytest.fixture(scope="module")
def problems(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Proof]:
    root = make_project("proof-problems", tmp_path_factory.mktemp("proof") / "proof-problems")
    return root, proofed(root)


def found(result: Proof, rule: str) -> list[tuple[str, str, int | None]]:
    return [(f.page_label, f.file or "", f.line) for f in result.findings if f.rule == rule]


def test_a_word_too_long_for_its_column_is_an_overflow_at_its_line(problems):
    root, result = problems
    line = line_of(root, INTRO, "4815162342")
    [(page, file, at)] = found(result, "overflow")
    assert (file, at) == (INTRO, line) and page.startswith(("[", "p. "))
    finding = next(f for f in result.findings if f.rule == "overflow")
    assert finding.rects and "4815162342" in finding.excerpt


def test_a_paragraph_in_another_language_is_reported(problems):
    root, result = problems
    line = line_of(root, INTRO, "The children who cross")
    assert [(file, at) for _, file, at in found(result, "foreign-language")] == [(INTRO, line)]
    assert "'en'" in next(f.message for f in result.findings if f.rule == "foreign-language")


def test_a_reference_to_a_figure_on_its_own_page(problems):
    root, result = problems
    line = line_of(root, INTRO, "muestra la proporción")
    assert [(file, at) for _, file, at in found(result, "xref-same-page")] == [(INTRO, line)]


def test_nothing_else_is_reported_on_a_plain_project(problems):
    _, result = problems
    assert {f.rule for f in result.findings} == {"overflow", "outside-trim", "foreign-language", "xref-same-page"}
    line = line_of(problems[0], INTRO, "4815162342")
    assert [(file, at) for _, file, at in found(result, "outside-trim")] == [(INTRO, line)]  # past the page edge too


def test_acceptances_match_by_line_or_excerpt_and_stale_ones_are_reported(problems):
    root, _ = problems
    line = line_of(root, INTRO, "4815162342")
    (root / "content" / "proof.yaml").write_text(
        "accept:\n"
        f'  - {{rule: overflow, file: {INTRO}, line: {line}, reason: "a file number, as the registry gives it"}}\n'
        f"  - {{rule: foreign-language, file: {INTRO}, excerpt: children who cross, reason: quoted as said}}\n"
        f'  - {{rule: widow, file: {INTRO}, line: 3, reason: "an old problem, fixed since"}}\n',
        encoding="utf-8",
    )
    again = proofed(root)
    assert {f.rule for f in again.open} == {"xref-same-page", "outside-trim"}
    files = {"guide-es": {INTRO}}
    assert [(a.rule, a.where) for a in stale(settings.load(root), [again], files)] == [("widow", 4)]
    (root / "content" / "proof.yaml").unlink()


def test_settings_turn_rules_off_and_name_their_mistakes(tmp_path):
    (tmp_path / "content").mkdir()
    path = tmp_path / "content" / "proof.yaml"
    path.write_text("rules:\n  overflow: false\n  short-page: {min_fill: 0.5}\n", encoding="utf-8")
    loaded = settings.load(tmp_path)
    assert not loaded.on("overflow") and loaded.get("short-page", "min_fill") == 0.5
    path.write_text("rules:\n  overflw: false\n  widow: {lines: 2}\naccept:\n  - {rule: widow, file: x.md}\n")
    with pytest.raises(settings.ProofError) as error:
        settings.load(tmp_path)
    lines = sorted(p.line or 0 for p in error.value.problems)
    assert lines[:2] == [2, 3] and len(error.value.problems) == 4  # unknown rule, setting; no reason, no line


def test_pages_are_matched_by_content_so_an_inserted_page_is_added():
    def page(text: str, folio: int) -> approved.PageRecord:
        return approved.PageRecord(f"{text}\n{folio}", "0" * 64)

    old = [page(f"the text of page {i}", i) for i in range(1, 7)]
    new = [*old[:3], page("a new page", 4), *(page(f"the text of page {i}", i + 1) for i in range(4, 7))]
    changes = approved.compare(old, new)
    assert [(c.kind, c.old, c.new) for c in changes] == [("added", None, 3)]


def test_an_edited_paragraph_changes_only_the_pages_it_moved(tmp_path):
    root = make_project("bilingual", tmp_path / "bilingual")
    guide = load_guide(root)
    edition = load_editions(guide)["guide-es"]
    before, _, _ = render(guide, edition)
    approved.write(root / "approved" / "guide-es", "guide-es", before)
    chapter = root / "content" / "es" / "practices" / "01-alpha.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("Contexto de prueba.", "Contexto de prueba, más largo. " * 60), encoding="utf-8")
    after, _, _ = render(load_guide(root), edition)
    old, _ = approved.read(root / "approved" / "guide-es")
    new, _ = approved.pages_of(after)
    changes = approved.compare(old, new)
    pages_of_practice = [i for i, p in enumerate(new) if "Contexto de prueba" in p.text]
    assert changes and all(c.new in pages_of_practice or c.kind == "removed" for c in changes)
    assert {c.new for c in changes if c.new is not None} <= set(pages_of_practice) | {pages_of_practice[-1] + 1}
    assert len(changes) < len(new) // 2  # not every later page
    html = approved.html("guide-es", changes, approved.read(root / "approved" / "guide-es")[1], _thumbs(after), 1)
    assert "difference" in html


def _thumbs(pdf: bytes) -> list[Any]:
    return approved.pages_of(pdf)[1]


def test_diff_without_approved_pages_says_how_to_approve(tmp_path):
    root = make_project("bilingual", tmp_path / "bilingual")
    with pytest.raises(PressError, match="no approved pages"):
        proofing.diff(load_guide(root), "guide-es", tmp_path / "out", 1)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_shipped_guide_proofs_clean(guide_builds, lang):
    guide = load_guide(REPO)
    edition = load_editions(guide)[f"guide-{lang}"]
    proofs = proof(guide_builds[lang].document, edition.name, lang, edition.notes,
                   proofing.files_of(guide, edition), settings.load(REPO))  # fmt: skip
    assert [(f.rule, f.page_label, f.location, f.excerpt) for f in proofs.open] == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_shipped_guide_is_as_approved(guide_builds, lang):
    old, _ = approved.read(REPO / "approved" / f"guide-{lang}")
    new, _ = approved.pages_of(guide_builds[lang].data)
    assert approved.compare(old, new) == [], f"run: python build.py diff guide-{lang}"
