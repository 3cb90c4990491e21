"""The web edition: the site's files and links, then the pages in a real browser.

The first tests read the built files (fast, no browser). The browser tests open
the sites in headless Chromium through Playwright, served over HTTP from the
output folder under a path (as a publisher would serve it), at phone and
desktop widths: every internal link and anchor resolves, the language
switcher reaches the same chapter, images and fonts load, and
axe-core finds no serious or critical accessibility violation. A few
screenshots are compared with goldens in ``tests/visual/golden/web-*.png``
with the tolerance of the PDF pages (``test_design.py``); regenerate them
after an intended design change with

    python -m pytest tests/test_web.py --update-goldens

They skip when Chromium, Playwright or axe-core is missing, unless
``PRESS_REQUIRE_BROWSER=1`` (as in CI), where they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from PIL import Image

from press.build.publish import build_many
from press.cli import main
from press.content.editions import load_editions
from press.content.load import load_guide
from press.errors import EditionError, PressError
from press.web.publish import build_web
from tests.conftest import AXE
from tests.test_design import assert_matches_golden

WEB_EDITIONS = "  web-es: {lang: es, profile: web}\n  web-en: {inherits: web-es, lang: en}\n"
FIGURE = {
    "es": '![Un patio de escuela con niñas y niños](media/patio.png "Un patio de escuela"){#fig-patio}',
    "en": '![A school yard with girls and boys](media/patio.png "A school yard"){#fig-patio}',
}
XREF = {"es": "Véase la [](#fig-patio).", "en": "See [](#fig-patio)."}


def with_web(root: Path) -> Path:
    """The bilingual project with two web editions, a photo in its introduction and a
    cross-reference to it from the practice (another page)."""
    with (root / "content" / "editions.yaml").open("a", encoding="utf-8") as stream:
        stream.write(WEB_EDITIONS)
    media = root / "content" / "media"
    media.mkdir(exist_ok=True)
    photo = Image.linear_gradient("L").resize((1800, 1200)).convert("RGB")
    photo.save(media / "patio.png")
    for lang in ("es", "en"):
        intro = root / "content" / lang / "front" / "intro.md"
        text = intro.read_text(encoding="utf-8")
        intro.write_text(text.replace("\n[^1]:", f"\n{FIGURE[lang]}\n\n[^1]:"), encoding="utf-8")
        practice = root / "content" / lang / "practices" / "01-alpha.md"
        text = practice.read_text(encoding="utf-8")
        practice.write_text(text.replace("\n::: context", f"\n{XREF[lang]}\n\n::: context", 1), encoding="utf-8")
    return root


def built(root: Path) -> Path:
    """``root`` built whole (PDF and web editions); gives its output folder."""
    assert main(["--root", str(root), "--strict", "--jobs", "1"]) == 0
    return root / "output"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bilingual project with web editions, built once for the tests that only read it."""
    from tests.conftest import make_project

    return built(with_web(make_project("bilingual", tmp_path_factory.mktemp("web") / "bilingual")))


# The site's files, without a browser.


class Page(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, dict[str, str]]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if name in values:
                self.links.append((values[name], values))
        if "srcset" in values:
            self.links += [(item.split()[0], values) for item in values["srcset"].split(",")]


def pages_of(folder: Path) -> dict[Path, Page]:
    return {path: Page(path.read_text(encoding="utf-8")) for path in sorted(folder.rglob("*.html"))}


def broken_links(output: Path) -> list[str]:
    """Every relative link of every page that leads to no file, or to no element with its id."""
    pages = pages_of(output / "web")
    broken = []
    for path, page in pages.items():
        for url, _ in page.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto"):  # a source's address
                continue
            assert not parts.scheme and not url.startswith("/"), f"{path.name}: {url} is not relative"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file():
                broken.append(f"{path.relative_to(output)}: {url} (no file)")
            elif parts.fragment and parts.fragment not in pages[target].ids:
                broken.append(f"{path.relative_to(output)}: {url} (no such id)")
    return broken


def test_the_web_editions_are_listed(project, capsys):
    root = with_web(project("bilingual"))
    assert main(["--root", str(root), "--list"]) == 0
    assert "web-es                       es  web    -       1 practices  → web/web-es/" in capsys.readouterr().out


def test_a_build_writes_every_page_with_relative_links_only(site):
    folder = site / "web" / "web-es"
    names = sorted(path.name for path in folder.glob("*.html"))
    assert names == ["alpha.html", "contents.html", "index.html", "intro.html", "references.html"]
    assert {"style.css", "sitemap.xml"} <= {path.name for path in folder.iterdir()}
    assert (folder / "fonts" / "CharisSIL-Regular.ttf").is_file()
    assert broken_links(site) == []
    for path, page in pages_of(site / "web").items():
        html = dict(page.tags)["html"]
        assert html["lang"] == path.parent.name[-2:]
        assert not any(tag == "script" for tag, _ in page.tags), "no page needs JavaScript"


def test_pages_link_their_translation_notes_and_figures(site):
    es = (site / "web" / "web-es" / "intro.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="en" href="../web-en/intro.html">' in es
    assert 'href="../web-en/intro.html" hreflang="en" lang="en">English</a>' in es
    # the note: a call linked to the note at the end of the page, and back
    assert '<a class="noteref" id="nr-intro-1" href="#n-intro-1">1</a>' in es
    assert re.search(r'<li id="n-intro-1" value="1">.*<a class="backref" href="#nr-intro-1"', es)
    # the photo, resized for the web, with its alt text and caption
    assert 'alt="Un patio de escuela con niñas y niños"' in es
    assert re.search(r'srcset="media/patio-\w+-480.jpg 480w, media/patio-\w+-960.jpg 960w, '
                     r'media/patio-\w+-1600.jpg 1600w"', es)  # fmt: skip
    assert '<span class="figure-label">Figura 2.</span> Un patio de escuela' in es
    assert 'class="chart-svg"' in es and "Figura 1." in es  # the chart, drawn as SVG
    with Image.open(next((site / "web" / "web-es" / "media").glob("patio-*-960.jpg"))) as image:
        assert image.size == (960, 640)
    # a cross-reference to a figure of another page links to that page
    practice = (site / "web" / "web-es" / "alpha.html").read_text(encoding="utf-8")
    assert '<a class="xref" href="intro.html#fig-patio" data-page="p.">figura 2</a>' in practice
    assert 'class="factsheet"' in practice and "Colombia y Perú" in practice


def test_the_landing_page_links_the_pdfs_of_its_language(site):
    index = (site / "web" / "web-en" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../guide-en.pdf" type="application/pdf" download' in index
    assert "guide-es.pdf" not in index
    assert '<meta property="og:title" content="Test guide">' in index
    assert '<meta name="description" content="A test subtitle">' in index
    assert 'href="alpha.html"' in index  # the contents
    sitemap = (site / "web" / "web-en" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>alpha.html</loc>" in sitemap and 'hreflang="es" href="../web-es/alpha.html"' in sitemap


def test_an_unchanged_web_edition_is_not_built_again(project, capsys):
    site = built(with_web(project("bilingual")))
    root = site.parent
    capsys.readouterr()
    assert main(["--root", str(root), "-e", "web-es", "--jobs", "1"]) == 0
    assert "web-es" in capsys.readouterr().out
    guide = load_guide(root)
    editions = load_editions(guide)
    assert [r.status for r in build_web(guide, editions, ["web-es"], site)] == ["up to date"]
    chapter = root / "content" / "es" / "front" / "intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("proporción.", "parte."), encoding="utf-8")
    guide = load_guide(root)
    assert [r.status for r in build_web(guide, load_editions(guide), ["web-es"], site)] == ["built"]
    assert "muestra la parte." in (site / "web" / "web-es" / "intro.html").read_text(encoding="utf-8")
    assert not [p for p in (site / "web").iterdir() if p.name.startswith(".")], "no temporary folder left"


def test_a_web_edition_is_no_pdf(project):
    root = with_web(project("bilingual"))
    with pytest.raises(PressError, match="a web edition is no PDF"):
        build_many(root, ["web-es"], root / "output", strict=True, jobs=1)
    assert main(["--root", str(root), "--verify", "-e", "web-es"]) == 1


def test_web_keys_are_checked(project):
    root = project("bilingual")
    (root / "content" / "editions.yaml").write_text(
        "editions:\n"
        "  web-es: {lang: es, profile: web, pdf_variant: pdf/ua-1}\n"
        "  guide-es: {lang: es, site_url: 'https://example.org/guide/'}\n",
        encoding="utf-8",
    )
    with pytest.raises(EditionError) as error:
        load_editions(load_guide(root))
    assert [p.message for p in error.value.problems] == [
        "edition 'web-es': pdf_variant 'pdf/ua-1' does not fit the web profile",
        "edition 'guide-es': site_url must be the https:// address where a web edition's folder is published",
    ]


# In a real browser.

# The `browser` fixture (Chromium through Playwright, or a skip) is in conftest.py: test_serve.py shares it.
WIDTHS = (360, 1280)
SHOTS = {"web-index-360": ("web-es/index.html", 360), "web-index-1280": ("web-en/index.html", 1280),
         "web-practice-360": ("web-en/alpha.html", 360)}  # fmt: skip


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve(folder)`` → the http:// address of ``folder``, served on 127.0.0.1 for the test."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def crawl(browser: Any, base: str, start: list[str], width: int) -> dict[str, list[str]]:
    """Open every page reachable from ``start`` inside ``base``; gives the problems per page."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.url} {response.status}"))
    seen: dict[str, dict[str, Any]] = {}
    todo = [urljoin(base, name) for name in start]
    problems: dict[str, list[str]] = {}
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        failed.clear()
        page.goto(url)
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        page.evaluate(  # lazy images: load them all now, to see each one decodes
            "() => Promise.all([...document.images].map(i => {i.loading = 'eager'; return i.decode().catch(() => 0)}))"
        )
        info = page.evaluate(
            """() => ({
              lang: document.documentElement.lang,
              ids: [...document.querySelectorAll('[id]')].map(e => e.id),
              links: [...document.querySelectorAll('a[href], link[href]')].map(a => a.href),
              images: [...document.images].map(i => [i.currentSrc, i.complete && i.naturalWidth > 0]),
              overflow: document.documentElement.scrollWidth > window.innerWidth,
              fonts: [...document.fonts].filter(f => f.status === 'error').map(f => f.family),
            })"""
        )
        found = problems.setdefault(url, [])
        found += [f"failed: {item}" for item in failed]
        found += [f"image not shown: {src}" for src, ok in info["images"] if not ok]
        found += [f"font not loaded: {family}" for family in info["fonts"]]
        if info["overflow"]:
            found.append(f"wider than the {width} px window")
        seen[url] = info
        for link in info["links"]:
            target = link.split("#")[0]
            if target.startswith(base) and target.endswith(".html") and target not in seen:
                todo.append(target)
    for url, info in seen.items():
        for link in info["links"]:
            target, _, anchor = link.partition("#")
            if anchor and target in seen and unquote(anchor) not in seen[target]["ids"]:
                problems[url].append(f"no id for {link}")
    context.close()
    return {url: found for url, found in problems.items() if found}


def axe_violations(browser: Any, urls: list[str], width: int) -> dict[str, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for url in urls:
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""
        )
        if violations:
            found[url] = violations
    context.close()
    return found


def check_switcher(browser: Any, base: str, pages: list[str]) -> list[str]:
    """From each page, the language link opens the same chapter in the other language."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    problems = []
    for name in pages:
        edition, file = name.split("/")
        page.goto(urljoin(base, name))
        lang = page.evaluate("document.documentElement.lang")
        switch = page.locator("a.language")
        other = switch.get_attribute("hreflang")
        switch.click()
        page.wait_for_load_state("load")
        expected = urljoin(base, f"web-{other}/{file}")
        if page.url != expected or page.evaluate("document.documentElement.lang") != other:
            problems.append(f"{name}: the {other} link opened {page.url}")
        elif page.locator(f'a.language[hreflang="{lang}"]').get_attribute("href") != f"../{edition}/{file}":
            problems.append(f"{name}: the {other} page does not link back")
    context.close()
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_the_test_site_reads_in_a_browser(site, browser, serve, width):
    base = serve(site)
    starts = ["web/web-es/index.html", "web/web-en/index.html"]
    assert crawl(browser, base, starts, width) == {}
    pages = [f"{base}web/web-{lang}/{name}" for lang in ("es", "en") for name in ("index.html", "intro.html",
             "alpha.html", "references.html", "contents.html")]  # fmt: skip
    assert axe_violations(browser, pages, width) == {}


def test_the_language_switcher_reaches_the_same_chapter(site, browser, serve):
    base = serve(site / "web")
    names = [f"web-{lang}/{name}" for lang in ("es", "en") for name in ("index.html", "intro.html", "alpha.html")]
    assert check_switcher(browser, base, names) == []


def test_a_screen_reader_and_keyboard_user_can_skip_to_the_text(site, browser, serve):
    base = serve(site / "web")
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(urljoin(base, "web-es/alpha.html"))
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, getComputedStyle(document.activeElement).top]")
    assert focused[0] == "skip-link" and focused[1] != "-64px", "the skip link comes first and shows when focused"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.querySelectorAll('header, nav, main, footer').length") >= 4
    page.close()


@pytest.mark.parametrize("name", list(SHOTS))
def test_web_page_matches_its_golden_screenshot(site, browser, serve, name, request):
    base = serve(site / "web")
    path, width = SHOTS[name]
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(urljoin(base, path))
    page.evaluate("document.fonts.ready")
    shot = Image.open(BytesIO(page.screenshot())).convert("RGB")
    page.close()
    assert_matches_golden(shot, name, request, __file__)


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped guide's web editions, built into a temporary output folder (the PDFs are not
    built: their links are checked by name)."""
    from tests.conftest import REPO

    output = tmp_path_factory.mktemp("shipped") / "output"
    guide = load_guide(REPO)
    editions = load_editions(guide)
    build_web(guide, editions, ["web-es", "web-en"], output)
    for edition in editions.values():
        if not edition.is_web:
            (output / edition.output).write_bytes(b"%PDF-1.7 placeholder")  # the landing page links these
    return output


@pytest.mark.slow
def test_the_shipped_web_editions_have_no_broken_link(shipped_site):
    assert broken_links(shipped_site) == []


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_the_shipped_web_editions_read_in_a_browser(shipped_site, browser, serve, width):
    base = serve(shipped_site)
    assert crawl(browser, base, ["web/web-es/index.html", "web/web-en/index.html"], width) == {}
    names = sorted(path.relative_to(shipped_site).as_posix() for path in (shipped_site / "web").rglob("*.html"))
    assert axe_violations(browser, [base + name for name in names], width) == {}


@pytest.mark.slow
def test_the_shipped_language_switcher(shipped_site, browser, serve):
    names = sorted(f"{p.parent.name}/{p.name}" for p in (shipped_site / "web").rglob("*.html"))
    assert check_switcher(browser, serve(shipped_site / "web"), names) == []
