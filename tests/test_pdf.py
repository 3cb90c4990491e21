"""Rendering a tiny bilingual project to PDF: what a reader and a printer see."""

from __future__ import annotations

from pathlib import Path

import pytest

from press.build.publish import build_one, render, write_atomic
from press.content.editions import load_editions
from press.content.load import load_guide
from press.errors import RenderError
from tests.pdfinspect import bookmarks, fonts, page_texts, reader


@pytest.fixture
def bilingual(project) -> Path:
    return project("bilingual")


@pytest.mark.parametrize(("name", "lang", "title", "words"), [
    ("guide-es", "es", "Guía de prueba", ["Índice", "Ficha técnica", "Contexto de implementación", "Desafíos",
                                          "Lecciones aprendidas", "Recomendaciones para la replicación",
                                          "Colombia y Perú", "16.400", "25 %", "Figura 1"]),
    ("guide-en", "en", "Test guide", ["Contents", "Fact sheet", "Context of implementation", "Challenges",
                                      "Lessons learned", "Recommendations for replication", "Colombia and Peru",
                                      "16,400", "25%", "Figure 1"]),
])  # fmt: skip
def test_edition_pdf_has_its_language_title_text_and_bookmarks(bilingual, assert_no_logs, name, lang, title, words):
    guide = load_guide(bilingual)
    data, pages, warnings = render(guide, load_editions(guide)[name])
    pdf = reader(data)
    assert warnings == []
    assert pages == len(pdf.pages)
    assert pdf.trailer["/Root"]["/Lang"] == lang
    assert pdf.metadata.title == title
    text = "\n".join(page_texts(pdf)).casefold()  # some labels are set in capitals by CSS
    for word in words:
        assert word.casefold() in text, word
    marks = [(level, mark) for level, mark, _ in bookmarks(pdf)]
    intro = "Introducción" if lang == "es" else "Introduction"
    practices = "Buenas prácticas" if lang == "es" else "Good practices"
    assert marks[0] == (1, intro) and marks[1][1] == practices
    used = fonts(pdf)
    assert used and all(used.values()), used  # every font embedded
    assert {name.split("+")[1].split("-")[0] for name in used} == {"Charis", "Inter"}


def test_contents_numbers_are_the_real_pages(bilingual):
    guide = load_guide(bilingual)
    data, _, _ = render(guide, load_editions(guide)["guide-en"])
    pdf = reader(data)
    texts = page_texts(pdf)
    toc = next(t for t in texts if t.lstrip().startswith("Contents"))
    marks = bookmarks(pdf)
    assert len(marks) == 4
    for _, title, page in marks:
        line = next(line for line in toc.splitlines() if title.casefold() in line.casefold())
        assert line.rstrip().endswith(f" {page}"), (title, line, page)
        assert title.casefold() in texts[page - 1].casefold()


def test_failed_build_leaves_the_previous_pdf_in_place(bilingual):
    out = bilingual / "output"
    result = build_one(bilingual, "guide-en", out, strict=True)
    good = result.output.read_bytes()
    (bilingual / "styles" / "components.css").write_text(".x { colr: red; }")  # a CSS error
    with pytest.raises(RenderError, match=r"styles/components\.css:1:6: Ignored `colr: red`"):
        build_one(bilingual, "guide-en", out, strict=True)
    assert result.output.read_bytes() == good
    assert [p.name for p in out.iterdir()] == ["guide-en.pdf"]  # no temporary file left


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "a.pdf"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and len(list(tmp_path.iterdir())) == 1


def test_same_inputs_give_the_same_bytes(bilingual):
    guide = load_guide(bilingual)
    edition = load_editions(guide)["guide-es"]
    assert render(guide, edition)[0] == render(guide, edition)[0]


def test_fetcher_serves_only_regular_files_inside_the_project(tmp_path):
    from press.pdf.weasy import ProjectFetcher, RefusedURL

    root = tmp_path / "project"
    (root / "styles").mkdir(parents=True)
    (root / "styles" / "a.css").write_text("p {}")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (root / "styles" / "link.css").symlink_to(outside)
    fetcher = ProjectFetcher(root)
    assert fetcher.fetch((root / "styles" / "a.css").as_uri()).read() == b"p {}"
    for url, reason in [
        (outside.as_uri(), f"leads outside the project folder (to {outside.resolve()})"),
        ((root / "styles" / "link.css").as_uri(), f"leads outside the project folder (to {outside.resolve()})"),
        ((root / "styles" / "../../secret.txt").as_uri(), "leads outside the project folder (to "),
        ((root / "styles").as_uri(), "is a folder, not a regular file"),
        ((root / "styles" / "none.css").as_uri(), "is not found"),
        ("https://example.org/font.woff", "is not a file of the project (the network and data: URLs are not used)"),
        ("data:text/css,p{}", "is not a file of the project (the network and data: URLs are not used)"),
    ]:
        with pytest.raises(RefusedURL) as caught:
            fetcher.fetch(url)
        assert caught.value.reason.startswith(reason), url


def test_a_stylesheet_reaching_outside_the_project_stops_the_build(bilingual):
    with (bilingual / "styles" / "components.css").open("a") as css:
        css.write("\n.cover { background-image: url(/etc/hostname); }\n")
    guide = load_guide(bilingual)
    with pytest.raises(RenderError) as caught:
        render(guide, load_editions(guide)["guide-en"])
    assert str(caught.value) == (
        "edition 'guide-en': refused to load 'file:///etc/hostname': it leads outside the project folder "
        "(to /etc/hostname)"
    )


def test_source_date_epoch_sets_the_modification_date(bilingual, monkeypatch):
    guide = load_guide(bilingual)
    edition = load_editions(guide)["guide-en"]
    assert reader(render(guide, edition)[0]).metadata["/ModDate"].startswith("D:20240226")  # the publication date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    data = render(guide, edition)[0]
    assert reader(data).metadata["/ModDate"].startswith("D:20260101000000")
    assert render(guide, edition)[0] == data


CHART_ALTS = [
    ("guide-en", "Share. Children: 25%; Adults: 75%."),
    ("guide-es", "Proporción. Niñez: 25\u00a0%; Personas adultas: 75\u00a0%."),  # Babel's es percent: a no-break space
]


@pytest.mark.parametrize(("name", "alt"), CHART_ALTS)
def test_a_chart_is_a_figure_with_its_data_in_words_as_alt_text(bilingual, name, alt):
    import io

    import pikepdf

    guide = load_guide(bilingual)
    with pikepdf.open(io.BytesIO(render(guide, load_editions(guide)[name])[0])) as pdf:
        alts = [str(o.Alt) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Figure"
                and "/Alt" in o]  # fmt: skip
    assert alts == [alt]
