"""Fixtures: tiny complete projects under tests/projects/, copied to tmp_path.

A test project holds its own ``content/``; a ``BASE`` file names a project
whose files are copied first, so a broken-* variant holds only what it breaks.
It (and may hold ``locales/``,
``templates/`` or ``styles/`` to override the shipped ones); everything else
comes from the repository, so tests exercise the real templates and styles.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

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


@pytest.fixture
def assert_no_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """WeasyPrint must log no warning or error during the test."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert messages == []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/visual/golden/*.png from this run")
