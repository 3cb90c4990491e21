"""Fixtures: tiny complete projects under tests/projects/, copied to tmp_path.

A test project holds its own ``content/``; a ``BASE`` file names a project
whose files are copied first, so a broken-* variant holds only what it breaks.
It (and may hold ``locales/``,
``templates/`` or ``styles/`` to override the shipped ones); everything else
comes from the repository, so tests exercise the real templates and styles.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from press.pdf.fonts import CACHE as FONT_CACHE
from press.pdf.fonts import prepare

REPO = Path(__file__).resolve().parent.parent
PROJECTS = Path(__file__).resolve().parent / "projects"
SHARED = ("templates", "styles", "locales", "pyproject.toml")


def make_project(name: str, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    base = PROJECTS / name / "BASE"
    if base.is_file():  # a variant: its base project, then its own files over it
        make_project(base.read_text().strip(), target)
    else:
        _shared(target)
    shutil.copytree(PROJECTS / name, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("BASE"))
    fonts = REPO / FONT_CACHE
    if fonts.is_dir():  # trimmed once per machine (the test projects use the same characters); checked on use
        shutil.copytree(fonts, target / FONT_CACHE, dirs_exist_ok=True)
    return target


def _shared(target: Path) -> None:
    for item in SHARED:
        source = REPO / item
        if source.is_dir():
            shutil.copytree(source, target / item, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
        else:
            shutil.copy2(source, target / item)


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    """``project("bilingual")`` → a fresh copy of that test project."""
    return lambda name: make_project(name, tmp_path / name)


@pytest.fixture(scope="session", autouse=True)
def trimmed_fonts() -> None:
    """Trim the shipped fonts once for the whole session (into the project's own .cache)."""
    prepare(REPO)


@pytest.fixture(scope="session")
def shipped_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def guide_builds() -> dict[str, Any]:
    """The shipped guide-es and guide-en, laid out once for the session (test_guide.py, test_proof.py)."""
    from press.build.publish import render_built
    from press.content.editions import load_editions
    from press.content.load import load_guide

    guide = load_guide(REPO)
    editions = load_editions(guide)
    return {lang: render_built(guide, editions[f"guide-{lang}"], strict=True) for lang in ("es", "en")}


@pytest.fixture
def assert_no_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """WeasyPrint must log no warning or error during the test."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert messages == []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/visual/golden/*.png from this run")


# A real browser, for test_web.py and test_serve.py: one per session (Playwright allows one).

CHROMIUM = Path(os.environ.get("PRESS_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(os.environ.get("PRESS_AXE", Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"))


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PRESS_CHROMIUM)"
    if not AXE.is_file():
        return f"no axe-core at {AXE} (npm install axe-core --prefix tests/browser, or set PRESS_AXE)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("PRESS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PRESS_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()
