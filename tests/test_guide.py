"""The shipped guide, end to end: a strict build of both language editions."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest

from press.build.publish import Built
from press.checks.parity import structure_problems
from press.content.load import load_guide
from tests.pdfinspect import bookmarks, fonts, headings_at_foot, page_texts, reader

REPO = Path(__file__).resolve().parent.parent
# Markers in capitals only: "todo" is a Spanish word.
PLACEHOLDERS = re.compile(r"(?i:\blorem\b|\bipsum\b)|\b(TODO|TBD|XXX|FIXME)\b|\[\.\.\.\]")


@pytest.fixture(scope="module")
def guide_pdfs(guide_builds: dict[str, Built], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("output")
    paths = {}
    for lang, built in guide_builds.items():
        paths[lang] = out / f"guide-{lang}.pdf"
        paths[lang].write_bytes(built.data)
    return paths


def test_every_chapter_exists_in_both_languages_with_the_same_structure():
    guide = load_guide(REPO)
    assert set(guide.chapters["es"]) == set(guide.chapters["en"])
    assert structure_problems(guide) == []
    assert len(guide.practices) == 11
    for lang in guide.languages:
        for chapter_id in guide.practices:
            assert guide.chapter(lang, chapter_id).factsheet is not None


def test_no_placeholder_text_in_the_content():
    for path in sorted((REPO / "content").rglob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not PLACEHOLDERS.search(line), f"{path.relative_to(REPO)}:{number}: {line[:80]}"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_guide_is_a_complete_book(guide_pdfs, lang):
    pdf = reader(guide_pdfs[lang])
    guide = load_guide(REPO)
    assert 90 <= len(pdf.pages) <= 110, len(pdf.pages)
    assert pdf.trailer["/Root"]["/Lang"] == lang
    assert pdf.metadata.title == guide.title[lang]
    marks = bookmarks(pdf)
    practices = [title for level, title, _ in marks if level == 2]
    assert practices == [guide.chapter(lang, cid).title for cid in guide.practices]
    used = fonts(pdf)
    assert all(used.values()) and all("Charis" in name or "Inter" in name for name in used)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_contents_page_numbers_match_the_real_pages(guide_pdfs, lang):
    pdf = reader(guide_pdfs[lang])
    texts = page_texts(pdf)
    toc_title = {"es": "Índice", "en": "Contents"}[lang]
    toc_page = next(i for i, text in enumerate(texts) if text.lstrip().startswith(toc_title))
    toc = re.sub(r"[ .]*\.{2,}[ .]*", " ", texts[toc_page])  # dot leaders
    flat = " ".join(toc.split()).casefold()
    start = 0
    for _, title, page in bookmarks(pdf):
        words = " ".join(title.split()).casefold()
        position = flat.find(words, start)
        assert position >= 0, title
        start = position + len(words)
        number = flat[start:].split()[0]
        assert number == str(page), (title, number, page)
        opener = " ".join(texts[page - 1].split()).casefold()
        assert words[:30] in opener, (title, page)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_heading_is_the_last_line_of_a_page(guide_builds, lang):
    assert headings_at_foot(guide_builds[lang].document) == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_screen_guide_passes_every_covered_pdf_ua_checkpoint(guide_builds, lang):
    """Read back as a validator would: tags, artifacts, languages, figures, links, fonts (README list)."""
    import pikepdf

    from press.checks import accessibility
    from press.pdf.tagging import walk

    with pikepdf.open(BytesIO(guide_builds[lang].data)) as pdf:
        assert accessibility.check(pdf) == []
        elements = list(walk(pdf))
        kinds = {str(e.S) for e in elements}
        assert {"/TOC", "/TOCI", "/Note", "/Reference", "/Figure", "/Table", "/L"} <= kinds
        foreign = {str(e.Lang) for e in elements if "/Lang" in e}
        assert {"es": "en", "en": "es"}[lang] in foreign and lang not in foreign, foreign  # titles, names
        assert all("/PressSource" not in e for e in elements)  # the chapter locations are not shipped
        figures = [e for e in elements if str(e.S) == "/Figure"]
        assert figures and all(str(e.Alt).strip() for e in figures)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_figure_is_numbered_and_referenced_with_its_page(guide_pdfs, lang):
    texts = " ".join(page_texts(reader(guide_pdfs[lang]))).replace("\u00a0", " ")
    figure = {"es": "figura", "en": "figure"}[lang]
    assert re.search(rf"{figure.capitalize()} 1\.", texts)  # the caption
    assert re.search(rf"{figure} 1 \(p\. \d+\)", texts)  # the reference, with the figure's page
