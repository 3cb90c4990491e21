"""Colours at layout: parts laid out with stand-ins, the real colours painted in at assembly.

A colour change must cost an assembly, not a layout, and give what a build with
the colours written in gives: the same pixels, the same bytes as a forced build.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from PIL import ImageChops
from weasyprint import CSS, HTML

from press.build.publish import build_many
from press.content.editions import load_editions
from press.content.load import load_guide
from press.errors import PressError, RenderError
from press.pdf.colours import SIGNATURE, Unpainted, masked, paint, sentinel, unmasked
from press.pdf.pagesetup import sheets


def editions_of(root: Path) -> dict:
    return load_editions(load_guide(root))


def test_every_colour_token_is_a_stand_in_and_nothing_else_changes(project):
    root = project("bilingual")
    edition = editions_of(root)["guide-es"]
    laid = masked(root, edition, sheets(edition))
    for name, text in laid.sheets:
        assert unmasked(text, laid.real) == (root / "styles" / name).read_text(encoding="utf-8"), name
    tokens = dict(laid.sheets)["tokens.css"]
    assert "#" not in tokens.split("--font-text")[0].split(":root", 1)[1]  # every colour token of the palette
    assert '--font-text: "Charis SIL", serif;' in tokens  # other tokens as written
    assert laid.colours["secondary"] in tokens and laid.colours["secondary"].startswith("color(srgb")


def test_only_opaque_srgb_and_cmyk_colours_get_stand_ins(project):
    root = project("bilingual")
    edition = editions_of(root)["guide-es"]
    (root / "styles" / "tokens.css").write_text(
        ":root { --accent: #e0792b; --b: var(--accent); --c: rgba(0, 0, 0, 0.5); --d: transparent;\n"
        "  --e: device-cmyk(0 0.6 0.85 0.05); --f: lab(50% 40 20); --g: hsl(10 50% 50%); /* --h: #fff; */ }\n",
        encoding="utf-8",
    )
    laid = masked(root, edition, ("tokens.css",))
    assert laid.real == ("#e0792b", "device-cmyk(0 0.6 0.85 0.05)", "hsl(10 50% 50%)", "#e0792b")  # last: the accent
    text = dict(laid.sheets)["tokens.css"]
    for kept in ("var(--accent)", "rgba(0, 0, 0, 0.5)", "transparent", "lab(50% 40 20)", "/* --h: #fff; */"):
        assert kept in text
    assert laid.colours["accent"] in laid.edition_rules


def test_a_colour_change_changes_the_colours_not_the_stylesheets_laid_out(project):
    root = project("bilingual")
    edition = editions_of(root)["guide-es"]
    before = masked(root, edition, sheets(edition))
    tokens = root / "styles" / "tokens.css"
    tokens.write_text(tokens.read_text(encoding="utf-8").replace("#1f8383", "#206060"), encoding="utf-8")
    after = masked(root, edition, sheets(edition))
    assert (after.sheets, after.edition_rules, after.colours) == (before.sheets, before.edition_rules, before.colours)
    assert "#206060" in after.real and "#1f8383" not in after.real


HTML_PAGE = """<html><body>
<h1 style="color: var(--a); border-bottom: 3px solid var(--b)">Colours</h1>
<p style="color: var(--c); background: var(--d)">Text on a field, <a href="#x" style="color: var(--e)">a link</a>.</p>
<div style="height: 60px; background: linear-gradient(90deg, var(--a), var(--b))"></div>
<svg width="80" height="40"><rect width="40" height="40" fill="{fill}"/>
<circle cx="60" cy="20" r="15" stroke="{stroke}" stroke-width="4" fill="none"/></svg>
<p id="x" style="color: var(--f)">Semi-transparent ink</p>
</body></html>"""
TOKENS = (
    ":root { --a: #e0792b; --b: #123c63; --c: #1f2430; --d: #eef2f6; --e: hsl(200 60% 35%);\n"
    "  --f: rgba(31, 36, 48, 0.6); --g: device-cmyk(0.85 0.15 0.45 0.15); }\n"
)


def pixels(pdf: bytes) -> list:
    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=2).to_pil().convert("RGB") for page in document]


def test_painted_stand_ins_give_the_pixels_of_the_colours_written_in(project):
    """Text, borders, fields, a gradient, an SVG drawn from the palette (RGB and CMYK): once
    painted, the page is the page laid out with the colours themselves, pixel for pixel."""
    root = project("bilingual")
    edition = editions_of(root)["guide-es"]
    (root / "styles" / "tokens.css").write_text(TOKENS, encoding="utf-8")
    laid = masked(root, edition, ("tokens.css",))
    real = HTML(string=HTML_PAGE.format(fill="#e0792b", stroke="device-cmyk(0.85 0.15 0.45 0.15)")).write_pdf(
        stylesheets=[CSS(string=TOKENS)]
    )
    stand_ins = HTML(string=HTML_PAGE.format(fill=laid.colours["a"], stroke=laid.colours["g"])).write_pdf(
        stylesheets=[CSS(string=dict(laid.sheets)["tokens.css"])]
    )
    pdf = pikepdf.open(BytesIO(stand_ins))
    assert SIGNATURE[0].encode() in pdf.pages[0].Contents.read_bytes()
    paint(pdf, laid.real)
    out = BytesIO()
    pdf.save(out)
    for got, want in zip(pixels(out.getvalue()), pixels(real), strict=True):
        assert ImageChops.difference(got, want).getbbox() is None
    assert SIGNATURE[0].encode() not in pdf.pages[0].Contents.read_bytes()


def test_a_stand_in_left_where_it_cannot_be_painted_stops_the_build():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(b"0.000456 0.000789 rg 0 0 10 10 re f")
    with pytest.raises(Unpainted) as raised:
        paint(pdf, ("#000000",))
    assert isinstance(raised.value, RenderError)


def build(root: Path, names: list[str], force: bool = False) -> dict:
    return {r.edition: r for r in build_many(root, names, root / "output", True, 1, force=force)}


def test_an_edition_that_differs_only_in_its_accent_lays_out_nothing_of_its_own(project):
    root = project("bilingual")
    editions = root / "content" / "editions.yaml"
    editions.write_text(
        editions.read_text(encoding="utf-8") + '  guide-es-teal: {inherits: guide-es, accent: "#1a7373"}\n',
        encoding="utf-8",
    )
    first = build(root, ["guide-es"])["guide-es"]
    teal = build(root, ["guide-es-teal"])["guide-es-teal"]
    assert first.laid_out >= 3 and teal.laid_out == 0 and teal.reused >= 3
    parent, child = (
        (root / "output" / "guide-es.pdf").read_bytes(),
        (root / "output" / "guide-es-teal.pdf").read_bytes(),
    )
    assert [page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(parent)] == [
        page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(child)
    ]
    assert any(ImageChops.difference(a, b).getbbox() for a, b in zip(pixels(parent), pixels(child), strict=True))
    book = pikepdf.open(BytesIO(child))
    written = b"".join(page.Contents.read_bytes() for page in book.pages)
    assert b"0.101961 0.45098 0.45098 rg" in written  # #1a7373, as WeasyPrint writes it
    build(root, ["guide-es-teal"], force=True)
    assert (root / "output" / "guide-es-teal.pdf").read_bytes() == child


def test_a_message_about_a_colour_names_the_colour_written_not_its_stand_in(project):
    root = project("bilingual")
    components = root / "styles" / "components.css"
    components.write_text(components.read_text(encoding="utf-8") + "\np { width: var(--secondary); }\n")
    with pytest.raises(PressError) as raised:
        build(root, ["guide-es"])
    messages = [problem.format(root) for problem in raised.value.problems]
    assert any("Ignored `width: #1f8383`" in message for message in messages), messages
    assert not any(SIGNATURE[0] in message for message in messages)
    tokens = root / "styles" / "tokens.css"  # the same stylesheets as laid out: this process reuses them
    tokens.write_text(tokens.read_text(encoding="utf-8").replace("#1f8383", "#206060"), encoding="utf-8")
    with pytest.raises(PressError) as raised:
        build(root, ["guide-es"])
    assert any("Ignored `width: #206060`" in problem.format(root) for problem in raised.value.problems)


def test_a_stylesheet_message_counts_its_column_in_the_line_as_written(project):
    root = project("bilingual")
    tokens = root / "styles" / "tokens.css"
    text = tokens.read_text(encoding="utf-8").replace("--secondary: #1f8383;", "--secondary: #1f8383; colr: red;")
    tokens.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "colr" in row)
    column = text.splitlines()[line - 1].index("colr") + 1
    with pytest.raises(PressError) as raised:
        build(root, ["guide-es"])
    messages = [problem.format(root) for problem in raised.value.problems]
    assert any(f"styles/tokens.css:{line}:{column}: Ignored `colr: red`" in message for message in messages), messages


def test_stand_ins_in_a_message_are_given_back_their_colours():
    real = ("#1f8383", "device-cmyk(0 0.6 0.85 0.05)")
    message = f"Ignored `margin: {sentinel(1, False)} {sentinel(2, True)} {sentinel(3, False)}` at 3:4, invalid value."
    assert unmasked(message, real) == (
        f"Ignored `margin: #1f8383 device-cmyk(0 0.6 0.85 0.05) {sentinel(3, False)}` at 3:4, invalid value."
    )
