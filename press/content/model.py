"""The typed model the pipeline passes between stages: Guide, Chapter, Edition.

Everything here is a frozen dataclass built by ``content.py`` (the guide) and
``editions.py`` (the editions) after validation, so later stages can trust it.
Texts that differ per language are ``dict[str, str]`` keyed by language code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

Texts = dict[str, str]

# Trimmed page sizes (width, height) in millimetres, by the name editions use.
PAPERS_MM = {
    "letter": (215.9, 279.4),
    "a4": (210.0, 297.0),
    "a5": (148.0, 210.0),
    "legal": (215.9, 355.6),
    "6x9": (152.4, 228.6),
}
PRACTICE_PARTS = ("context", "challenges", "lessons", "recommendations")
CHAPTER_TYPES = ("chapter", "practice", "references", "notes")


@dataclass(frozen=True)
class Source:
    id: str
    author: str
    title: str
    year: int | None = None
    publisher: str | None = None
    url: str | None = None
    lang: str | None = None  # the title's language, when it is not the chapter's
    line: int | None = field(default=None, compare=False)  # of its title, in the chapter file


@dataclass(frozen=True)
class Period:
    start: int
    end: int | None = None


@dataclass(frozen=True)
class Population:
    value: float
    description: str
    source: str


@dataclass(frozen=True)
class FactSheet:
    countries: tuple[str, ...]
    organisations: tuple[str, ...]
    period: Period
    thematic_areas: tuple[str, ...]
    key_lesson: str
    population: Population | None = None


@dataclass(frozen=True)
class Chapter:
    """One chapter file in one language."""

    id: str
    lang: str
    type: str
    title: str
    short_title: str
    body: str
    path: Path
    body_line: int
    sources: tuple[Source, ...] = ()
    factsheet: FactSheet | None = None
    translation_of: str | None = None
    translation_line: int | None = None  # line of translation_of in the file, for messages


@dataclass(frozen=True)
class Publisher:
    id: str
    name: Texts
    unit: Texts


@dataclass(frozen=True)
class ThematicArea:
    id: str
    icon: str
    label: Texts


@dataclass(frozen=True)
class Guide:
    root: Path
    source_lang: str
    languages: tuple[str, ...]
    title: Texts
    short_title: Texts
    subtitle: Texts
    year: int
    published: date
    keywords: dict[str, tuple[str, ...]]
    publishers: tuple[Publisher, ...]
    licence: Texts
    colophon: Texts
    front: tuple[str, ...]
    practices: tuple[str, ...]
    back: tuple[str, ...]
    thematic_areas: dict[str, ThematicArea]
    regions: dict[str, tuple[str, ...]]
    chapters: dict[str, dict[str, Chapter]] = field(default_factory=dict)

    @property
    def order(self) -> tuple[str, ...]:
        return self.front + self.practices + self.back

    def chapter(self, lang: str, chapter_id: str) -> Chapter:
        return self.chapters[lang][chapter_id]


@dataclass(frozen=True)
class Edition:
    """One output: a language, a selection of chapters, a profile and a paper (a PDF), or a web site."""

    name: str
    lang: str
    profile: str  # "screen" or "print" (PDF), or "web" (a static site in output/web/<name>/)
    output: str
    front: tuple[str, ...]
    practices: tuple[str, ...]
    back: tuple[str, ...]
    extra_front: tuple[str, ...] = ()
    paper: str = "letter"
    notes: str = "footnotes"  # footnotes | chapter | book
    pdf_variant: str | None = None
    accent: str | None = None
    subtitle: str | None = None
    isbn: str | None = None
    caliper_mm: float = 0.1
    title_suffix: str | None = None
    site_url: str | None = None  # web: the address its folder is published at (sitemap, OpenGraph)

    @property
    def is_web(self) -> bool:
        return self.profile == "web"

    @property
    def chapters(self) -> tuple[str, ...]:
        return self.extra_front + self.front + self.practices + self.back
