"""Stage 1: load ``content/`` (guide.yaml and chapter files) into a validated Guide.

Every problem found is collected with its file and line; loading stops once,
at the end, with all of them (``ContentError``).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from babel import Locale

from .. import sandbox
from ..errors import Collector, ContentError, Problem
from . import chartdata, markdown
from . import text as hygiene
from .model import (
    CHAPTER_TYPES,
    Chapter,
    FactSheet,
    Guide,
    Period,
    Population,
    Publisher,
    Source,
    ThematicArea,
)
from .schema import Reader
from .yamlsafe import Mapping, Sequence, load_yaml, load_yaml_file

GUIDE_KEYS = (
    "languages", "source_language", "title", "short_title", "subtitle", "year", "published",
    "keywords", "publishers", "licence", "colophon", "chapters", "thematic_areas", "regions",
)  # fmt: skip
CHAPTER_KEYS = ("id", "type", "title")
CHAPTER_OPTIONAL = ("short_title", "sources", "translation_of")
PRACTICE_KEYS = ("countries", "organisations", "period", "thematic_areas", "key_lesson")
PRACTICE_OPTIONAL = ("population",)
SOURCE_KEYS = ("id", "author", "title")
SOURCE_OPTIONAL = ("year", "publisher", "url", "lang")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COUNTRIES = frozenset(str(code) for code in Locale("en").territories if re.fullmatch(r"[A-Z]{2}", str(code)))


def load_guide(root: Path) -> Guide:
    """Read and validate all of ``root/content``; raise ContentError listing every problem."""
    sandbox.check_project(root)  # links out of the project, devices, FIFOs: refused before anything is read
    content = root / "content"
    path = content / "guide.yaml"
    problems = Collector()
    read = Reader(problems, path)
    data = read.mapping(load_yaml_file(path), 1, "guide.yaml")
    if data is None:
        problems.raise_if_any()
        raise AssertionError
    read.keys(data, "guide.yaml", GUIDE_KEYS)
    langs = read.strings(data, "languages", "guide.yaml")
    source_lang = read.text(data, "source_language", "guide.yaml") or (langs[0] if langs else "")
    if langs and source_lang not in langs:
        read.error(data.line_of("source_language"), f"source_language {source_lang!r} is not in languages")
    areas = _thematic_areas(read, data, langs)
    order = read.mapping(data.get("chapters"), data.line_of("chapters"), "chapters") or Mapping()
    read.keys(order, "chapters", ("front", "practices", "back"))
    guide = Guide(
        root=root,
        source_lang=source_lang,
        languages=langs,
        title=read.texts(data, "title", "guide.yaml", langs),
        short_title=read.texts(data, "short_title", "guide.yaml", langs),
        subtitle=read.texts(data, "subtitle", "guide.yaml", langs),
        year=read.integer(data, "year", "guide.yaml") or 0,
        published=_date(read, data, "published"),
        keywords=_keywords(read, data, langs),
        publishers=_publishers(read, data, langs),
        licence=read.texts(data, "licence", "guide.yaml", langs),
        colophon=read.texts(data, "colophon", "guide.yaml", langs),
        front=read.strings(order, "front", "chapters"),
        practices=read.strings(order, "practices", "chapters"),
        back=read.strings(order, "back", "chapters"),
        thematic_areas=areas,
        regions=_regions(read, data),
    )
    unread: set[str] = set()  # languages with a chapter file that could not be read
    for lang in langs:
        guide.chapters[lang] = _load_language(guide, content / lang, lang, problems, unread)
    _check_order(guide, data, read, unread)
    for lang in langs:
        _check_figures(guide.chapters[lang], problems)
    _check_chart_data(guide, problems)
    problems.raise_if_any()
    return guide


def _check_chart_data(guide: Guide, problems: Collector) -> None:
    """Every chart's data file is valid and labelled in every language of the guide."""
    names: set[str] = set()
    for chapters in guide.chapters.values():
        for chapter in chapters.values():
            for token in markdown.parse(chapter):
                if token.type == "fence" and token.info.strip() == "chart":
                    names.add(str(markdown.chart_spec(token.content).get("data", "")))
    names.discard("")
    for name in sorted(names):
        path = guide.root / "content" / "data" / f"{name}.yaml"
        if path.is_file():
            try:
                chartdata.load(path, guide.languages)
            except ContentError as error:
                problems.problems.extend(error.problems)


def _check_figures(chapters: dict[str, Chapter], problems: Collector) -> None:
    """Every figure is referenced in the text, and every reference finds its figure."""
    outlines = {chapter.id: markdown.outline(chapter) for chapter in chapters.values()}
    figures = {figure: cid for cid, found in outlines.items() for figure in found.figures}
    cited = {target for found in outlines.values() for target in found.xrefs}
    for figure, cid in figures.items():
        if figure not in cited:
            problems.add(chapters[cid].path, None, f"figure '#{figure}' is never referenced",
                         f"refer to it in the text with [](#{figure})")  # fmt: skip
    for cid, found in outlines.items():
        for target in found.xrefs:
            if target not in figures:
                problems.add(chapters[cid].path, None, f"cross-reference '#{target}' points at no figure")


def _date(read: Reader, data: Mapping, key: str) -> date:
    value = data.get(key)
    if isinstance(value, date):
        return value
    read.error(data.line_of(key), f"{key!r} must be a date like 2024-02-26")
    return date(1970, 1, 1)


def _keywords(read: Reader, data: Mapping, langs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    mapping = read.mapping(data.get("keywords"), data.line_of("keywords"), "keywords") or Mapping()
    return {lang: read.strings(mapping, lang, "keywords") for lang in langs}


def _publishers(read: Reader, data: Mapping, langs: tuple[str, ...]) -> tuple[Publisher, ...]:
    items = data.get("publishers")
    if not isinstance(items, Sequence) or not items:
        read.error(data.line_of("publishers"), "publishers must be a list with at least one entry")
        return ()
    result = []
    for index, item in enumerate(items):
        entry = read.mapping(item, items.line_of(index), "publisher")
        if entry is None or not read.keys(entry, "publisher", ("id", "name", "unit")):
            continue
        name = read.texts(entry, "name", "publisher", langs)
        result.append(Publisher(str(entry["id"]), name, read.texts(entry, "unit", "publisher", langs)))
    return tuple(result)


def _thematic_areas(read: Reader, data: Mapping, langs: tuple[str, ...]) -> dict[str, ThematicArea]:
    areas = read.mapping(data.get("thematic_areas"), data.line_of("thematic_areas"), "thematic_areas")
    result: dict[str, ThematicArea] = {}
    for area_id, value in (areas or {}).items():
        entry = read.mapping(value, areas.line_of(area_id) if areas else 0, f"thematic area {area_id!r}")
        if entry is None or not read.keys(entry, f"thematic area {area_id!r}", ("icon", *langs)):
            continue
        labels = {lang: str(entry[lang]) for lang in langs}
        result[area_id] = ThematicArea(area_id, str(entry["icon"]), labels)
    return result


def _regions(read: Reader, data: Mapping) -> dict[str, tuple[str, ...]]:
    regions = read.mapping(data.get("regions"), data.line_of("regions"), "regions") or Mapping()
    result = {}
    for name in regions:
        codes = read.strings(regions, name, f"region {name!r}")
        for code in codes:
            if code not in COUNTRIES:
                read.error(regions.line_of(name), f"region {name!r}: {code!r} is not an ISO 3166 country code")
        result[name] = codes
    return result


def _load_language(guide: Guide, folder: Path, lang: str, problems: Collector, unread: set[str]) -> dict[str, Chapter]:
    chapters: dict[str, Chapter] = {}
    if not folder.is_dir():
        problems.add(folder, None, f"no content folder for language {lang!r}", f"create content/{lang}/")
        return chapters
    for path in sorted(folder.rglob("*.md")):
        chapter = load_chapter(guide, path, lang, problems)
        if chapter is None:
            unread.add(lang)
            continue
        if chapter.id in chapters:
            other = chapters[chapter.id].path
            problems.add(path, 2, f"chapter id {chapter.id!r} is also used by {other}", "ids must be unique")
            continue
        chapters[chapter.id] = chapter
    return chapters


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter, body, first body line) of a chapter file."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError([Problem(path, 1, "a chapter file must start with '---' and YAML front matter")])
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise ContentError([Problem(path, 1, "front matter is not closed by a '---' line")])


def load_chapter(guide: Guide, path: Path, lang: str, problems: Collector) -> Chapter | None:
    read = Reader(problems, path)
    try:
        head, body, body_line = split_front_matter(hygiene.read(path), path)
        meta = load_yaml(head, path, line_offset=1)
    except ContentError as error:
        problems.problems.extend(error.problems)
        return None
    meta = read.mapping(meta, 2, "front matter")
    if meta is None:
        return None
    kind = meta.get("type")
    if kind not in CHAPTER_TYPES:
        read.error(meta.line_of("type"), f"type must be one of {', '.join(CHAPTER_TYPES)}, not {kind!r}")
        return None
    is_practice = kind == "practice"
    required = CHAPTER_KEYS + (PRACTICE_KEYS if is_practice else ())
    read.keys(meta, "front matter", required, CHAPTER_OPTIONAL + (PRACTICE_OPTIONAL if is_practice else ()))
    chapter_id = read.text(meta, "id", "front matter") or ""
    if chapter_id and not ID_RE.match(chapter_id):
        read.error(meta.line_of("id"), f"id {chapter_id!r} must be lowercase words joined by '-'")
    title = read.text(meta, "title", "front matter") or ""
    sources = _sources(read, meta)
    factsheet = _factsheet(guide, read, meta, sources) if is_practice else None
    chapter = Chapter(
        id=chapter_id,
        lang=lang,
        type=str(kind),
        title=title,
        short_title=read.text(meta, "short_title", "front matter", required=False) or title,
        body=body,
        path=path,
        body_line=body_line,
        sources=sources,
        factsheet=factsheet,
        translation_of=read.text(meta, "translation_of", "front matter", required=False),
        translation_line=meta.line_of("translation_of") if "translation_of" in meta else None,
    )
    for problem in markdown.inspect(chapter):
        problems.problems.append(problem)
    return chapter


def _sources(read: Reader, meta: Mapping) -> tuple[Source, ...]:
    items = meta.get("sources")
    if items is None:
        return ()
    if not isinstance(items, Sequence):
        read.error(meta.line_of("sources"), "sources must be a list of works")
        return ()
    result: list[Source] = []
    for index, item in enumerate(items):
        entry = read.mapping(item, items.line_of(index), "source")
        if entry is None or not read.keys(entry, "source", SOURCE_KEYS, SOURCE_OPTIONAL):
            continue
        url = read.text(entry, "url", "source", required=False)
        if url and not url.startswith(("https://", "http://")):
            read.error(entry.line_of("url"), f"source url {url!r} must start with https://")
        source = Source(
            id=read.text(entry, "id", "source") or "",
            author=read.text(entry, "author", "source") or "",
            title=read.text(entry, "title", "source") or "",
            year=read.integer(entry, "year", "source"),
            publisher=read.text(entry, "publisher", "source", required=False),
            url=url,
            lang=_source_lang(read, entry),
            line=entry.line_of("title"),
        )
        if any(s.id == source.id for s in result):
            read.error(entry.line_of("id"), f"source id {source.id!r} is listed twice")
        result.append(source)
    return tuple(result)


def _source_lang(read: Reader, entry: Mapping) -> str | None:
    """The language of a work's title, when it is not the chapter's (``lang: en``)."""
    lang = read.text(entry, "lang", "source", required=False)
    if lang is not None and not markdown.known_language(lang):
        read.error(entry.line_of("lang"), f"source lang {lang!r} is not a language tag (en, es, pt, fr …)")
        return None
    return lang


def _factsheet(guide: Guide, read: Reader, meta: Mapping, sources: tuple[Source, ...]) -> FactSheet | None:
    countries = read.strings(meta, "countries", "fact sheet")
    for index, code in enumerate(countries):
        if code not in COUNTRIES:
            line = meta["countries"].line_of(index) if isinstance(meta.get("countries"), Sequence) else 0
            read.error(line, f"unknown country code {code!r}", "use ISO 3166-1 alpha-2 codes such as CO, MX")
    areas = read.strings(meta, "thematic_areas", "fact sheet")
    for index, area in enumerate(areas):
        if area not in guide.thematic_areas:
            line = meta["thematic_areas"].line_of(index)
            read.error(line, f"unknown thematic area {area!r}", "known: " + ", ".join(guide.thematic_areas))
    return FactSheet(
        countries=countries,
        organisations=read.strings(meta, "organisations", "fact sheet"),
        period=_period(read, meta),
        thematic_areas=areas,
        key_lesson=read.text(meta, "key_lesson", "fact sheet") or "",
        population=_population(read, meta, sources),
    )


def _period(read: Reader, meta: Mapping) -> Period:
    data = read.mapping(meta.get("period"), meta.line_of("period"), "period") or Mapping()
    read.keys(data, "period", ("start",), ("end",))
    start, end = read.integer(data, "start", "period"), read.integer(data, "end", "period")
    if start is not None and end is not None and end < start:
        read.error(data.line_of("end"), f"period ends ({end}) before it starts ({start})")
    return Period(start or 0, end)


def _population(read: Reader, meta: Mapping, sources: tuple[Source, ...]) -> Population | None:
    if "population" not in meta:
        return None
    data = read.mapping(meta["population"], meta.line_of("population"), "population") or Mapping()
    if not read.keys(data, "population", ("value", "description", "source")):
        return None
    source = read.text(data, "source", "population") or ""
    if source and source not in {s.id for s in sources}:
        read.error(data.line_of("source"), f"population source {source!r} is not in this chapter's sources")
    value = read.number(data, "value", "population")
    return Population(value or 0, read.text(data, "description", "population") or "", source)


def _order_lines(data: Mapping) -> dict[str, int]:
    """The line of each chapter id in guide.yaml's chapters lists."""
    order = data.get("chapters")
    lines: dict[str, int] = {}
    if isinstance(order, Mapping):
        for section in ("front", "practices", "back"):
            items = order.get(section)
            if isinstance(items, Sequence):
                for index, item in enumerate(items):
                    lines.setdefault(str(item), items.line_of(index))
    return lines


def _check_order(guide: Guide, data: Mapping, read: Reader, unread: set[str]) -> None:
    """Each chapter listed once, with a file in every language (unless a file there was unreadable)."""
    lines = _order_lines(data)
    seen: set[str] = set()
    for chapter_id in guide.order:
        line = lines.get(chapter_id, data.line_of("chapters"))
        if chapter_id in seen:
            read.error(line, f"chapter {chapter_id!r} is listed twice in chapters")
        seen.add(chapter_id)
        for lang in guide.languages:
            chapter = guide.chapters.get(lang, {}).get(chapter_id)
            if chapter is None and lang not in unread:  # else its file may be the one reported
                read.error(line, f"chapter {chapter_id!r} has no file in content/{lang}/",
                           f"add a .md file with 'id: {chapter_id}'")  # fmt: skip
            elif chapter is not None and (chapter_id in guide.practices) != (chapter.type == "practice"):
                where = "practices" if chapter_id in guide.practices else "front or back"
                read.error(line, f"chapter {chapter_id!r} of type {chapter.type!r} is listed in {where}")


def all_sources(chapters: list[Chapter]) -> list[Source]:
    """Every work cited by ``chapters``, once each, sorted as a bibliography."""
    found: dict[str, Source] = {}
    for chapter in chapters:
        for source in chapter.sources:
            found.setdefault(source.id, source)
    return sorted(found.values(), key=lambda s: (s.author.casefold(), s.year or 0, s.title.casefold()))
