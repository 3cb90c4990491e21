"""Accessibility of the screen editions: the PDF/UA checks, languages of parts, contrast.

The checks read the written PDF as a validator would (press/checks/accessibility.py);
here they run on tiny documents that break one checkpoint each, on a test
project, and (slow) on the shipped guides.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest

from press.checks import accessibility, contrast, languages
from press.cli import main
from press.content.load import load_guide
from press.content.markdown import parser
from press.pdf import tagging
from press.pdf.tagging import walk

PAGE = "<style>@page { size: A6; margin: 15mm; @bottom-center { content: counter(page) } }</style>"


def _tagged(body: str, lang: str = "es") -> pikepdf.Pdf:
    """``body`` written by WeasyPrint as PDF/UA-1 with the press's tagging, finished."""
    from weasyprint import HTML

    html = f'<html lang="{lang}"><head><title>Prueba</title>{PAGE}</head><body>{body}</body></html>'
    with tagging.semantic_tags():
        data = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    assert data is not None
    pdf = pikepdf.open(BytesIO(data))
    tagging.finish(pdf)
    return pdf


def _checkpoints(pdf: pikepdf.Pdf) -> list[str]:
    return sorted({finding.checkpoint for finding in accessibility.check(pdf)})


def test_a_clean_document_passes_every_covered_checkpoint() -> None:
    pdf = _tagged(
        '<h1>Título</h1><h2>Parte</h2><p>Texto con un <a href="https://example.org">enlace</a>.</p>'
        "<ul><li>uno</li><li>dos</li></ul>"
        "<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
    )
    assert accessibility.check(pdf) == []


def test_running_heads_and_folios_are_artifacts_not_untagged_content() -> None:
    pdf = _tagged("<h1>Título</h1><p>Texto.</p>")
    operators = [str(op) for _, op in pikepdf.parse_content_stream(pdf.pages[0])]
    operands = [ops for ops, op in pikepdf.parse_content_stream(pdf.pages[0]) if str(op) == "BMC"]
    assert "BMC" in operators and all(ops[0] == pikepdf.Name.Artifact for ops in operands)
    assert "01-005" not in _checkpoints(pdf)


def test_untouched_weasyprint_tags_fail_what_the_press_fixes() -> None:
    """Without ``finish``, the folio's marked content belongs to no element of the tree."""
    from weasyprint import HTML

    html = f'<html lang="es"><head><title>T</title>{PAGE}</head><body><h1>T</h1><p>x</p></body></html>'
    pdf = pikepdf.open(BytesIO(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1") or b""))
    assert "01-005" in _checkpoints(pdf)


def test_a_skipped_heading_level_and_a_figure_without_alt_are_reported() -> None:
    svg = '<svg width="20" height="20"><rect width="20" height="20"/></svg>'
    pdf = _tagged(f"<h1>Título</h1><h3>Detalle</h3>{svg}")
    found = {f.checkpoint: str(f) for f in accessibility.check(pdf)}
    assert found["14-003"].startswith("PDF/UA 14-003: page 1: H3 follows H1")
    assert found["13-004"] == "PDF/UA 13-004: page 1: a Figure has no /Alt"


def test_hidden_art_is_an_artifact_and_foreign_passages_carry_their_language() -> None:
    svg = '<svg aria-hidden="true" width="20" height="20"><rect width="20" height="20"/></svg>'
    pdf = _tagged(f'<h1>Título</h1>{svg}<p>La organización <span lang="en">Kids in Need of Defense</span>.</p>')
    assert accessibility.check(pdf) == []
    kinds = [str(e.S) for e in walk(pdf)]
    assert "/Figure" not in kinds
    assert {str(e.Lang) for e in walk(pdf) if "/Lang" in e} == {"en"}  # one element per line it spans


def test_contents_notes_and_links_get_their_structure() -> None:
    pdf = _tagged(
        '<h1>Índice</h1><ol data-pdf-tag="TOC"><li data-pdf-tag="TOCI"><a href="#a">Capítulo <b>uno</b></a></li></ol>'
        '<h2 id="a">Uno</h2><p>Texto<span class="n" id="n1" data-pdf-tag="Note">Nota.</span></p>'
        "<style>.n { float: footnote }</style>"
    )
    assert accessibility.check(pdf) == []
    kinds = [str(e.S) for e in walk(pdf)]
    assert "/TOC" in kinds and "/TOCI" in kinds and "/Note" in kinds and "/Reference" in kinds
    note = next(e for e in walk(pdf) if str(e.S) == "/Note")
    assert str(note.ID) == "n1"
    links = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
    assert [str(a.Contents) for a in links] == ["Capítulo uno"]  # one annotation per link, its text
    assert pdf.pages[0].obj.get("/Tabs") == pikepdf.Name.S


def test_inline_and_block_language_syntax() -> None:
    html = parser().render("Hola [Kids in Need of Defense]{lang=en}.\n\n{lang=pt}\n> Operação Acolhida\n")
    assert '<span lang="en">Kids in Need of Defense</span>' in html
    assert '<blockquote lang="pt">' in html


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Texto [x]{lang=xx1}.", "{lang=xx1} is not a language tag"),
        ("Texto `c`{style=color:red}.", "attribute {style=...} is not allowed here"),
        ("Texto [x]{.big}.", "attribute {.class} is not allowed here"),
        ("### Detalle", "'###' heading skips a level after '#'"),
    ],
)
def test_markup_that_is_not_meaning_is_refused(project: Callable[[str], Path], line: str, message: str) -> None:
    root = project("bilingual")
    path = root / "content/es/front/intro.md"
    path.write_text(path.read_text().replace("Una de cada cuatro", f"{line}\n\nUna de cada cuatro"))
    with pytest.raises(Exception) as raised:
        load_guide(root)
    assert any(message in p.message for p in raised.value.problems)  # type: ignore[attr-defined]


def test_contrast_is_measured_as_wcag_does() -> None:
    assert round(contrast.ratio("#777777", "#ffffff"), 2) == 4.48
    assert round(contrast.ratio("#000000", "#ffffff"), 1) == 21.0


def test_the_shipped_tokens_meet_aa(shipped_root: Path) -> None:
    from press.content.editions import load_editions

    guide = load_guide(shipped_root)
    assert contrast.problems_of(shipped_root, load_editions(guide)) == []


def test_language_guess() -> None:
    assert languages.guess("Kids in Need of Defense") == "en"
    assert languages.guess("Operação Acolhida e a proteção das crianças") == "pt"
    assert languages.guess("la protección de los derechos de la niñez") == "es"
    assert languages.guess("UNICEF") is None


def test_broken_project_fails_with_a_message_for_each_problem(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """An editor's way through: each fix shows the next problem, with its file and line."""
    root = project("broken-a11y")
    intro = root / "content/es/front/intro.md"
    check = ["--root", str(root), "--strict", "check", "--no-parity"]
    assert main(check) == 1
    err = capsys.readouterr().err
    assert "content/es/front/intro.md:14: '###' heading skips a level after '#'" in err
    assert "content/es/front/intro.md:18: image 'media/mapa.png' has no alt text" in err

    intro.write_text(intro.read_text().replace("### Cifras", "## Cifras").replace("![](", "![Mapa de rutas](", 1))
    tokens = root / "styles/tokens.css"
    tokens.write_text(tokens.read_text().replace("--muted: #5a6272;", "--muted: #999999;"))
    assert main(check) == 1
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(tokens.read_text().splitlines(), 1) if "--muted:" in text)
    assert (
        f"styles/tokens.css:{line}: --muted (#999999) on --paper (#ffffff) has a contrast of 2.85:1, "
        "below 4.5:1 for text (WCAG 2.2 AA)"
    ) in err

    tokens.write_text(tokens.read_text().replace("--muted: #999999;", "--muted: #5a6272;"))
    assert main(check) == 1
    err = capsys.readouterr().err
    assert (
        "warning: content/es/front/intro.md:16: "
        "'The rights of the child are the rights of all of us, in e…' looks English" in err
    )
    assert "passages in another language are not marked" in err

    sentence = "The rights of the child are the rights of all of us, in every country."
    intro.write_text(intro.read_text().replace(sentence, f"[{sentence}]{{lang=en}}"))
    assert main(check) == 0
