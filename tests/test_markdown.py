"""Markdown → HTML: safety, notes in three modes, figures, charts, cross-references."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from press.content import markdown
from press.content.model import Chapter
from press.render import body, i18n

COLOURS = {"ink": "#111", "muted": "#555", "primary": "#123", "secondary": "#1f8383", "rule": "#ccc"}
WORDS = {"figure": "Figure", "figure-ref": "figure", "page-abbr": "p.", "part:context": "Context"}


def chapter(text: str, tmp_path: Path, kind: str = "chapter") -> Chapter:
    path = tmp_path / "content" / "en" / "front" / "x.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "content" / "media").mkdir(exist_ok=True)
    path.write_text(text)
    return Chapter("x", "en", kind, "X", "X", text, path, body_line=5)


def render(text: str, tmp_path: Path, notes: str = "footnotes", figures: dict[str, int] | None = None) -> body.Rendered:
    context = body.RenderContext(
        lang="en", notes=notes, figures=figures or {}, words=lambda key: WORDS.get(key, key),
        number=i18n.Formatter("en").number, image_url=lambda src: src, content_dir=tmp_path / "content",
        colours=COLOURS,
    )  # fmt: skip
    return body.render(chapter(text, tmp_path), context)


def problems(text: str, tmp_path: Path, kind: str = "chapter") -> list[str]:
    return [f"{p.line}: {p.message}" for p in markdown.inspect(chapter(text, tmp_path, kind))]


def test_raw_html_is_an_error_and_is_escaped_anyway(tmp_path):
    text = "Hello <script>alert(1)</script>\n\n<div onclick='x'>block</div>\n"
    assert problems(text, tmp_path) == [
        "5: raw HTML is not allowed: '<script>'",
        "5: raw HTML is not allowed: '</script>'",
        "7: raw HTML is not allowed: \"<div onclick='x'>block</div>\"",
    ]
    html = render(text, tmp_path).html
    assert "<script>" not in html and "<div onclick" not in html
    assert "&lt;script&gt;" in html


def test_links_must_be_web_mail_or_internal(tmp_path):
    assert problems("[a](other.md) [b](mailto:a@b.org) [c](https://x.org) [d](#fig-a)", tmp_path) == [
        "5: link 'other.md' must start with https://, mailto: or #",
    ]
    html = render("[a](javascript:alert(1)) [b](file:///etc/passwd)", tmp_path).html
    assert "href" not in html  # markdown-it refuses these schemes: they stay text


def test_footnotes_mode_puts_the_note_at_its_call(tmp_path):
    html = render("Text.[^1] Again.[^1]\n\n[^1]: The *note*.\n", tmp_path).html
    assert '<span class="footnote" id="nr-x-1" data-pdf-tag="Note">The <em>note</em>.</span>' in html
    assert '<span class="noteref noteref-again">1</span>' in html


@pytest.mark.parametrize("mode", ["chapter", "book"])
def test_endnote_modes_link_call_and_note(tmp_path, mode):
    rendered = render("One.[^a] Two.[^b]\n\n[^a]: First.\n[^b]: Second.\n", tmp_path, notes=mode)
    assert '<a class="noteref" id="nr-x-1" href="#n-x-1">1</a>' in rendered.html
    assert [(n.number, n.html, n.anchor, n.call) for n in rendered.notes] == [
        (1, "First.", "n-x-1", "nr-x-1"),
        (2, "Second.", "n-x-2", "nr-x-2"),
    ]


def test_uncited_and_undefined_notes_are_errors(tmp_path):
    assert problems("Text.[^2]\n\n[^1]: Never cited.\n", tmp_path) == [
        "5: note [^2] has no text",
        "None: note [^1] is never cited",
    ]


def test_practice_parts_are_checked_in_order(tmp_path):
    text = "Lead.\n\n::: lessons\nL\n:::\n\n::: context\nC\n:::\n"
    assert problems(text, tmp_path, "practice") == [
        "5: missing part(s): challenges, recommendations",
    ]
    full = "".join(f"::: {p}\nx\n:::\n\n" for p in ("context", "challenges", "recommendations", "lessons"))
    assert problems(full, tmp_path, "practice") == [
        "5: parts are out of order: context, challenges, recommendations, lessons",
    ]


def test_figures_need_media_alt_caption_and_id(tmp_path):
    (tmp_path / "content" / "media").mkdir(parents=True)
    Image.new("RGB", (4, 4)).save(tmp_path / "content" / "media" / "a.png")  # checked: a real PNG
    assert problems('![Alt](media/a.png "Caption"){#fig-a}', tmp_path) == []
    assert problems("![](../secret.png)", tmp_path) == [
        "5: image '../secret.png' must be in media/",
        "5: image '../secret.png' has no alt text",
    ]
    html = render('![A map](media/a.png "Routes"){#fig-a}', tmp_path, figures={"fig-a": 3}).html
    assert '<figure class="figure" id="fig-a"><img src="media/a.png" alt="A map">' in html
    assert '<span class="figure-label">Figure 3.</span> Routes' in html


def test_cross_reference_names_the_figure_and_asks_for_its_page(tmp_path):
    html = render("See [](#fig-a).", tmp_path, figures={"fig-a": 2}).html
    assert '<a class="xref" href="#fig-a" data-page="p.">figure 2</a>' in html


def test_chart_is_inline_svg_with_localized_numbers(tmp_path):
    data = tmp_path / "content" / "data"
    data.mkdir(parents=True)
    (data / "d.yaml").write_text(
        "type: bar\nformat: decimal\nvalue_label: {en: Millions}\nsource: {en: 'Source: test'}\n"
        "items:\n  - label: {en: Children}\n    value: 16.4\n"
    )
    html = render("```chart\nid: fig-d\ndata: d\ncaption: Needs\n```\n", tmp_path, figures={"fig-d": 1}).html
    assert '<figure class="figure chart" id="fig-d" data-line="5"><svg class="chart-svg"' in html
    assert ".chart-bar{fill:#1f8383}" in html  # the edition's palette
    assert ">16.4</text>" in html and ">Children</text>" in html and "Source: test" in html


def test_bar_labels_fit_left_of_the_bars_in_the_shipped_font():
    """The labels' room comes from an estimate of Inter's widths; measured with the shipped font,
    every label of every shipped chart, in every language, ends inside the drawing."""
    import re

    from fontTools.ttLib import TTFont

    from press.content import chartdata
    from press.render import charts

    repo = Path(__file__).resolve().parent.parent
    font = TTFont(repo / "styles" / "fonts" / "Inter-Regular.otf")
    cmap, advances, em = font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm
    measured = 0
    for path in sorted((repo / "content" / "data").glob("*.yaml")):
        chart = chartdata.load(path, ("es", "en"))
        if chart.type == "column":
            continue
        for lang in ("es", "en"):
            drawing = charts.svg(
                chart,
                lang,
                lambda value, _: str(value),
                dict.fromkeys(("ink", "muted", "primary", "secondary", "rule"), "#000"),
            )
            for x, label in re.findall(r'<text class="chart-label" x="([\d.]+)"[^>]*>([^<]+)</text>', drawing):
                width = sum(advances[cmap[ord(c)]][0] for c in label.replace("&amp;", "&")) / em * charts.FONT_PX
                assert float(x) - width >= 0, (path.name, lang, label)
                measured += 1
    assert measured >= 10
