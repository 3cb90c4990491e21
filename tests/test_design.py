"""Design checks on page images and layout: golden pages, headings, figures.

Golden images are pages of the bilingual test project rendered with pypdfium2
and compared with a tolerance (anti-aliasing differs a little between
machines; a moved block, a changed colour or a missing element does not
pass). Regenerate them after an intended design change with:

    python -m pytest tests/test_design.py --update-goldens

and look at the new files in tests/visual/golden/ before committing them. The
same command rewrites the golden HTML of that project (normalised, one tag per
line), whose diff shows a template change in words.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat
from weasyprint import HTML

from press.build.publish import render
from press.content.editions import load_editions
from press.content.load import load_guide
from press.render.html import build_html
from tests.pdfinspect import headings_at_foot

GOLDEN = Path(__file__).parent / "visual" / "golden"
DIFF = Path(__file__).parent / "visual" / "diff"
DPI = 50
PAGES = {"cover": 1, "contents": 3, "opener": 5, "factsheet": 9}
MAX_MEAN_DIFFERENCE = 1.5  # mean of |a - b| over all pixels and channels, 0–255
MAX_CHANGED_PIXELS = 0.004  # share of pixels that differ by more than 48 in some channel


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Image.Image]:
    from tests.conftest import make_project

    root = make_project("bilingual", tmp_path_factory.mktemp("design"))
    guide = load_guide(root)
    data, _, _ = render(guide, load_editions(guide)["guide-en"])
    document = pdfium.PdfDocument(data)
    return {name: document[number - 1].render(scale=DPI / 72).to_pil().convert("RGB") for name, number in PAGES.items()}


def difference(expected: Image.Image, actual: Image.Image) -> tuple[float, float]:
    diff = ImageChops.difference(expected, actual)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    red, green, blue = (channel.point(lambda value: 255 if value > 48 else 0) for channel in diff.split())
    over = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # a pixel changed in any channel
    changed = over.histogram()[255] / (diff.width * diff.height)
    return mean, changed


@pytest.mark.parametrize("name", list(PAGES))
def test_page_matches_its_golden_image(pages, name, request):
    assert_matches_golden(pages[name], name, request, __file__)


def assert_matches_golden(actual: Image.Image, name: str, request: pytest.FixtureRequest, test_file: str) -> None:
    """``actual`` against ``tests/visual/golden/<name>.png``, within the tolerance (or rewrites it)."""
    golden = GOLDEN / f"{name}.png"
    if request.config.getoption("--update-goldens"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        actual.save(golden, optimize=True)
        pytest.skip(f"wrote {golden}")
    assert golden.is_file(), f"no golden image: run pytest {test_file} --update-goldens"
    expected = Image.open(golden).convert("RGB")
    assert expected.size == actual.size, "the image size changed"
    mean, changed = difference(expected, actual)
    if mean > MAX_MEAN_DIFFERENCE or changed > MAX_CHANGED_PIXELS:
        DIFF.mkdir(parents=True, exist_ok=True)
        actual.save(DIFF / f"{name}-actual.png")
        ImageChops.difference(expected, actual).save(DIFF / f"{name}-diff.png")
    assert mean <= MAX_MEAN_DIFFERENCE and changed <= MAX_CHANGED_PIXELS, (
        f"{name}: mean difference {mean:.2f}, {changed:.2%} of pixels changed; see {DIFF}"
    )


def test_the_comparison_sees_a_real_change(pages):
    """The tolerance lets anti-aliasing through, not a moved or missing block."""
    page = pages["opener"]
    shifted = ImageChops.offset(page, 0, 6)
    assert difference(page, page) == (0.0, 0.0)
    assert difference(page, shifted)[1] > MAX_CHANGED_PIXELS
    blanked = page.copy()
    blanked.paste((255, 255, 255), (0, 0, page.width, page.height // 4))
    assert difference(page, blanked)[1] > MAX_CHANGED_PIXELS


def _layout(heading_css: str):
    """24 one-line paragraphs fill an A6 page so that the next heading ends it."""
    style = (
        "@page { size: A6; margin: 10mm } p { margin: 0; font-size: 10pt; line-height: 14pt; orphans: 1; widows: 1 }"
        f"h2 {{ margin: 0; font-size: 14pt; {heading_css} }}"
    )
    html = f"<style>{style}</style>" + "<p>Short.</p>" * 24 + "<h2>A heading</h2>" + "<p>Text after.</p>" * 30
    return HTML(string=html).render()


def test_headings_at_the_foot_of_a_page_are_detected():
    assert headings_at_foot(_layout("break-after: auto")) == [(1, "A heading")]
    assert headings_at_foot(_layout("break-after: avoid")) == []


GOLDEN_HTML = Path(__file__).parent / "visual" / "golden" / "bilingual-guide-en.html"


def normalise_html(html: str) -> str:
    """One tag or text run per line, no trailing spaces or blank lines: diffs read well."""
    html = re.sub(r">\s*<", ">\n<", html)
    return "\n".join(line.strip() for line in html.splitlines() if line.strip()) + "\n"


def test_html_matches_its_golden_copy(project, request, monkeypatch):
    """The templates' output for the bilingual project, compared after normalising."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the modification date is in the HTML
    root = project("bilingual")
    guide = load_guide(root)
    html = normalise_html(build_html(guide, load_editions(guide)["guide-en"]))
    if request.config.getoption("--update-goldens"):
        GOLDEN_HTML.write_text(html, encoding="utf-8")
        pytest.skip(f"wrote {GOLDEN_HTML}")
    expected = GOLDEN_HTML.read_text(encoding="utf-8")
    if html != expected:
        diff = difflib.unified_diff(expected.splitlines(), html.splitlines(), "golden", "now", lineterm="", n=1)
        pytest.fail("the HTML changed (run with --update-goldens if intended):\n" + "\n".join(list(diff)[:60]))
