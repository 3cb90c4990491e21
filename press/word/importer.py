"""``python build.py import FILE.docx --lang es``: a Word file → a chapter file (and its media), checked.

The draft is checked as ``check`` would (front matter, fact sheet, Markdown, figures, parity)
before anything is written; every problem is printed with its line in the chapter file, and
what Word held that could not be converted with its paragraph. An existing chapter is never
overwritten without ``--force``: its changes are shown as a diff (``review.py``) instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from ..checks import parity
from ..content import markdown
from ..content.load import load_chapter, split_front_matter
from ..content.media import SUFFIXES
from ..content.model import PRACTICE_PARTS, Chapter, Guide
from ..errors import Collector, Problem
from . import docx_in, frontmatter, practice, review
from .markdown_out import Writer, text_of

FIGURE_RE = re.compile(r"!\[[^\]]*\]\((media/[^ )]+)[^)]*\)\{#([\w-]+)\}")


def import_docx(guide: Guide, file: Path, lang: str, chapter_id: str | None = None, kind: str | None = None,
                into: Path | None = None, force: bool = False) -> int:  # fmt: skip
    root = guide.root
    if lang not in guide.languages:
        raise docx_in.WordError(f"--lang {lang!r} is not a language of the guide ({', '.join(guide.languages)})")
    report, props = docx_in.inspect(file)
    chapter_id = chapter_id or props["identifier"] or None
    existing = guide.chapters[lang].get(chapter_id) if chapter_id else None
    source = _source(guide, lang, chapter_id)
    with tempfile.TemporaryDirectory(prefix="press-word-") as tmp:
        ast = docx_in.read_ast(file, Path(tmp))
        title, blocks = practice.title_of(ast["blocks"], text_of(ast["meta"].get("title", {}).get("c", [])))
        parts_words, fact_words = practice.vocabulary(root, guide.languages)
        if kind is None:
            kind = existing.type if existing else source.type if source else _guess(blocks, parts_words, into)
        todo: list[str] = []
        rows: dict[str, list[str]] = {}
        if kind == "practice":
            rows, blocks = practice.split_factsheet(blocks, fact_words)
            blocks, found, notes = practice.practice_parts(blocks, parts_words)
            todo += notes
            missing = [part for part in PRACTICE_PARTS if part not in found]
            todo += [f"part {part!r} not found: give it a heading such as {_label(part)!r}" for part in missing]
        else:
            blocks = practice.chapter_headings(blocks)
        chapter_id = chapter_id or _slug(title) or "imported-chapter"
        media = _Media(root, chapter_id, existing)
        writer = Writer(media.name)
        if existing is not None:
            writer.remember(existing.body)
        body = writer.body(blocks)
        meta, unmapped = frontmatter.facts(rows, guide, lang)
        todo += unmapped
        target = _target(guide, lang, chapter_id, kind, existing, source, into)
        text, final = _file_text(guide, lang, chapter_id, kind, title or frontmatter.TODO, meta, body, existing, source)
        if isinstance(final.get("population"), dict) and final["population"].get("source") == frontmatter.TODO:
            todo.append("population: write the id of its source (one of sources) in population.source")
        if kind == "practice" and not final.get("sources"):
            todo.append("sources: list the works the notes cite (id, author, title, year, url)")
        if not title:
            todo.append(
                "title: no Title paragraph or single first heading in the Word file; write it in the front matter"
            )
        if existing is not None and not force:
            changed = review.show(existing.path.read_text(encoding="utf-8"), text, _rel(target, root))
            written = False
        else:
            if target.exists() and not force:
                raise docx_in.WordError([Problem(target, None, "exists already (not a chapter of this language?)",
                                                 "choose another --id or --into, or use --force")])  # fmt: skip
            if existing is not None:
                review.show(existing.path.read_text(encoding="utf-8"), text, _rel(target, root))
            media.copy()
            changed, written = True, True
        problems = _check(guide, lang, target, text)
        if written:
            _write(target, text)
    for problem in report.dropped:
        print(f"not converted: {problem.format(root)}")
    for item in writer.dropped + media.dropped:
        print(f"not converted: {item}")
    for item in todo:
        print(f"to fill in: {_rel(target, root)}: {item}")
    for problem in problems:
        print(f"error: {problem.format(root)}")
    if written:
        print(f"wrote {_rel(target, root)} ({kind} {chapter_id!r}, {len(writer.notes)} notes, "
              f"{len(media.copies)} image(s) in content/media/)")  # fmt: skip
        if chapter_id not in guide.order:
            where = "practices" if kind == "practice" else "front or back"
            print(f"next: add {chapter_id} to chapters.{where} in content/guide.yaml to put it in the editions")
    elif changed:
        print(f"not written: {_rel(target, root)} exists; run again with --force to accept these changes")
    else:
        print(f"{_rel(target, root)}: no changes")
    return 1 if problems or (changed and not written) else 0


def _source(guide: Guide, lang: str, chapter_id: str | None) -> Chapter | None:
    """The same chapter in another language (the source language first): what this one translates."""
    if not chapter_id:
        return None
    for other in (guide.source_lang, *guide.languages):
        if other != lang and chapter_id in guide.chapters.get(other, {}):
            return guide.chapters[other][chapter_id]
    return None


def _guess(blocks: list[Any], parts: dict[str, str], into: Path | None) -> str:
    heads = {parts.get(practice.norm(text_of(b))) for b in blocks if b["t"] == "Header"} - {None}
    return "practice" if len(heads) >= 2 or (into is not None and "practices" in into.parts) else "chapter"


def _label(part: str) -> str:
    return practice.PART_VARIANTS[part][0]


def _slug(text: str, words: int = 6) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain)[:words])


def _target(guide: Guide, lang: str, chapter_id: str, kind: str, existing: Chapter | None, source: Chapter | None,
            into: Path | None) -> Path:  # fmt: skip
    root = guide.root
    if existing is not None:
        return existing.path
    if source is not None and into is None:
        return root / "content" / lang / source.path.relative_to(root / "content" / source.lang)
    folder = (
        (into if into.is_absolute() else Path.cwd() / into).resolve()
        if into
        else (root / "content" / lang / ("practices" if kind == "practice" else "front"))
    )
    if not folder.is_relative_to((root / "content" / lang).resolve()):
        raise docx_in.WordError(f"--into {into} is not inside content/{lang}/")
    numbers = [int(m.group(1)) for p in folder.glob("*.md") if (m := re.match(r"^(\d+)-", p.name))]
    return folder / (f"{max(numbers) + 1:02d}-{chapter_id}.md" if numbers else f"{chapter_id}.md")


def _file_text(guide: Guide, lang: str, chapter_id: str, kind: str, title: str, drafted: dict[str, Any], body: str,
               existing: Chapter | None, source: Chapter | None) -> tuple[str, dict[str, Any]]:  # fmt: skip
    if existing is None:
        meta: dict[str, Any] = {"id": chapter_id, "type": kind, "title": title, **drafted}
        if source is not None and lang != guide.source_lang and source.lang == guide.source_lang:
            meta["translation_of"] = parity.source_hash(source.path)
        return frontmatter.dump(meta) + "\n" + body, meta
    head, _, _ = split_front_matter(existing.path.read_text(encoding="utf-8"), existing.path)
    values = yaml.safe_load(head) or {}
    meta = frontmatter.merge(values, {"title": title, **drafted} if title != frontmatter.TODO else drafted)
    return frontmatter.dump(meta, frontmatter.key_blocks(head), values) + "\n" + body, meta


def _check(guide: Guide, lang: str, target: Path, text: str) -> list[Problem]:
    """What ``check`` would say of the chapter with this text, at its lines in ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.word-draft")  # not *.md: no build reads it meanwhile
    problems = Collector()
    try:
        draft.write_text(text, encoding="utf-8")
        chapter = load_chapter(guide, draft, lang, problems)
        if chapter is not None:
            chapter = dataclasses.replace(chapter, path=target)
            found = markdown.outline(chapter)
            cited = {x for c in guide.chapters[lang].values() if c.id != chapter.id for x in markdown.outline(c).xrefs}
            for figure in found.figures:
                if figure not in cited | set(found.xrefs):
                    problems.add(target, None, f"figure '#{figure}' is never referenced",
                                 f"refer to it in the text with [](#{figure})")  # fmt: skip
            chapters = {code: dict(by_id) for code, by_id in guide.chapters.items()}
            chapters[lang][chapter.id] = chapter
            copy = dataclasses.replace(guide, chapters=chapters)
            for problem in parity.structure_problems(copy):
                same = problem.file == target or (problem.file and chapter.id in _ids_of(copy, problem.file))
                if same and "translation" not in problem.message and "source" not in problem.message:
                    problems.problems.append(problem)
    finally:
        draft.unlink(missing_ok=True)
    return [dataclasses.replace(p, file=target) if p.file == draft else p for p in problems.problems]


def _ids_of(guide: Guide, path: Path) -> set[str]:
    return {c.id for by_id in guide.chapters.values() for c in by_id.values() if c.path == path}


def _write(target: Path, text: str) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


class _Media:
    """Names the extracted images: an identical file already in content/media/ is reused (with the
    figure id its chapter gave it), else ``<chapter>-<alt text>.<ext>``; copied only on write."""

    def __init__(self, root: Path, chapter_id: str, existing: Chapter | None) -> None:
        self.folder = root / "content" / "media"
        self.chapter_id = chapter_id
        self.copies: list[tuple[Path, Path]] = []
        self.dropped: list[str] = []
        self.known = {_digest(p): p for p in self.folder.glob("*") if p.is_file()} if self.folder.is_dir() else {}
        self.ids = dict(FIGURE_RE.findall(existing.body)) if existing else {}
        self.used: set[str] = set()

    def name(self, src: str, alt: str, caption: str) -> tuple[str, str]:
        path = Path(src)
        suffix = ".jpg" if path.suffix.lower() == ".jpeg" else path.suffix.lower()
        if suffix not in SUFFIXES:
            self.dropped.append(f"image {path.name}: {suffix} cannot be used; save it as PNG or JPEG in Word")
        same = self.known.get(_digest(path)) if path.is_file() else None
        if same is not None:
            name = f"media/{same.name}"
        else:
            stem = f"{self.chapter_id}-{_slug(alt or caption, 5) or 'image'}"
            name, n = f"media/{stem}{suffix}", 1
            while name in self.used or (self.folder / name[6:]).exists():
                n += 1
                name = f"media/{stem}-{n}{suffix}"
            self.copies.append((path, self.folder / name[6:]))
        self.used.add(name)
        figure = self.ids.get(name) or f"fig-{_slug(caption or alt, 4) or self.chapter_id}"
        while figure in self.ids.values() and self.ids.get(name) != figure:
            figure += "-2"
        self.ids[name] = figure
        return name, figure

    def copy(self) -> None:
        for source, target in self.copies:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
