"""An edition assembled from parts laid out alone gives a reader what a whole-document render gives.

Page count, the text of every page (contents numbers, running heads, folios,
cross-references and notes included), bookmarks with their targets, named
destinations, link targets, page labels, and for tagged editions the
structure tree, element by element, with a parent tree a validator accepts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from press.build.publish import render
from press.content.editions import load_editions
from press.content.load import load_guide
from tests.conftest import FONT_CACHE
from tests.pdfinspect import bookmarks, destinations, links, page_texts, parent_tree_problems, reader, structure

REPO = Path(__file__).resolve().parent.parent


def what_a_reader_gets(data: bytes) -> dict[str, object]:
    pdf = reader(data)
    root = pdf.trailer["/Root"]
    return {
        "pages": len(pdf.pages),
        "text": page_texts(pdf),
        "bookmarks": bookmarks(pdf),
        "destinations": destinations(pdf),
        "links": links(pdf),
        "page labels": root.get("/PageLabels"),
        "language": root.get("/Lang"),
        "title": (pdf.metadata or {}).get("/Title"),
        "structure": structure(data),
    }


def both_ways(root: Path, name: str) -> tuple[dict[str, object], dict[str, object], bytes]:
    guide = load_guide(root)
    edition = load_editions(guide)[name]
    whole, _, _ = render(guide, edition, whole=True, force=True)
    assembled, _, _ = render(guide, edition, force=True)
    return what_a_reader_gets(whole), what_a_reader_gets(assembled), assembled


def assert_same(whole: dict[str, object], assembled: dict[str, object]) -> None:
    for key in whole:
        if key == "text":
            for number, (a, b) in enumerate(zip(whole[key], assembled[key], strict=True), 1):  # type: ignore[call-overload]
                assert a == b, f"page {number} differs"
        else:
            assert whole[key] == assembled[key], key


def copy_of_the_guide(tmp_path: Path) -> Path:
    root = tmp_path / "guide"
    for name in ("content", "templates", "styles", "locales"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    if (REPO / FONT_CACHE).is_dir():  # trimmed once per machine; checked on use
        shutil.copytree(REPO / FONT_CACHE, root / FONT_CACHE)
    return root


@pytest.mark.slow
def test_the_spanish_guide_assembled_from_chapters_is_the_whole_document(tmp_path, guide_builds):
    """Laid out afresh part by part, against the whole-document render of the session (``guide_builds``)."""
    root = copy_of_the_guide(tmp_path)
    guide = load_guide(root)
    data, _, _ = render(guide, load_editions(guide)["guide-es"], force=True, jobs=2)
    whole, assembled = what_a_reader_gets(guide_builds["es"].data), what_a_reader_gets(data)
    assert whole["pages"] == 108
    assert_same(whole, assembled)
    assert len(assembled["structure"]) > 1000 and assembled["structure"][0] == "/Document"  # type: ignore[arg-type]
    assert parent_tree_problems(data) == []


def test_a_print_edition_with_gathered_notes_is_the_whole_document(project):
    # Regional practices, a foreword, notes gathered in a Notes chapter that links to every call.
    whole, assembled, _ = both_ways(project("regional"), "south-america")
    assert_same(whole, assembled)


def test_a_tagged_edition_keeps_one_valid_structure_tree(project):
    whole, assembled, data = both_ways(project("bilingual"), "guide-en")
    assert_same(whole, assembled)
    assert parent_tree_problems(data) == []
