"""Translation parity, a build gate: every language matches the source language.

For each chapter of the source language, every other language must have the
chapter, with the same structure (sections, parts, notes, figures), and its
front matter must record which version of the source it translates:
``translation_of`` is the git blob hash of the source file. When the source
changes, the check names the stale translation and shows what changed, read
from git's object store; ``python build.py translation mark-current`` records
the current source as translated.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import subprocess
from pathlib import Path

from ..content.markdown import outline
from ..content.model import Chapter, Guide
from ..errors import Collector, ContentError, Problem
from ..render.catalogs import catalog_problems


def source_hash(path: Path) -> str:
    """The git blob hash of a file (``git hash-object``), without needing git."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def check(guide: Guide) -> None:
    problems = Collector()
    problems.problems.extend(structure_problems(guide))
    problems.problems.extend(catalog_problems(guide.root, guide.languages))
    problems.raise_if_any(ContentError)


def structure_problems(guide: Guide) -> list[Problem]:
    result: list[Problem] = []
    sources = guide.chapters.get(guide.source_lang, {})
    for lang in guide.languages:
        if lang == guide.source_lang:
            continue
        translated = guide.chapters.get(lang, {})
        for chapter_id, source in sources.items():
            target = translated.get(chapter_id)
            if target is None:
                result.append(Problem(source.path, None, f"chapter {chapter_id!r} has no {lang!r} translation",
                                      f"add content/{lang}/… with 'id: {chapter_id}'"))  # fmt: skip
                continue
            result.extend(_compare(source, target))
            result.extend(_staleness(guide.root, source, target))
        for chapter_id, target in translated.items():
            if chapter_id not in sources:
                result.append(Problem(target.path, None, f"chapter {chapter_id!r} has no {guide.source_lang!r} source"))
    return result


def _compare(source: Chapter, target: Chapter) -> list[Problem]:
    a, b = outline(source), outline(target)
    where = f"differ from {source.path.name} ({source.lang})"
    checks = [
        ("section headings", _levels(a.sections), _levels(b.sections)),
        ("parts", ", ".join(a.parts), ", ".join(b.parts)),
        ("notes", a.notes, b.notes),
        ("figures", ", ".join(a.figures), ", ".join(b.figures)),
        ("cross-references", ", ".join(a.xrefs), ", ".join(b.xrefs)),
        ("sources", ", ".join(s.id for s in source.sources), ", ".join(s.id for s in target.sources)),
    ]
    problems = []
    for name, theirs, ours in checks:
        if theirs != ours:
            problems.append(
                Problem(target.path, None, f"{name} {where}: {ours or 'none'} instead of {theirs or 'none'}")
            )
    if source.factsheet and target.factsheet:
        for key in ("countries", "period", "thematic_areas"):
            if getattr(source.factsheet, key) != getattr(target.factsheet, key):
                problems.append(Problem(target.path, None, f"fact sheet {key!r} values {where}"))
        # Organisations may carry their name in the edition's language (UNHCR / ACNUR): same number.
        if len(source.factsheet.organisations) != len(target.factsheet.organisations):
            problems.append(Problem(target.path, None, f"fact sheet organisations count {where}"))
        pop_a, pop_b = source.factsheet.population, target.factsheet.population
        if (pop_a and pop_a.value) != (pop_b and pop_b.value):
            problems.append(Problem(target.path, None, f"fact sheet population values {where}"))
    return problems


def _levels(levels: list[int]) -> str:
    counts = {level: levels.count(level) for level in sorted(set(levels))}
    return ", ".join(f"{count}×h{level}" for level, count in counts.items())


def _staleness(root: Path, source: Chapter, target: Chapter) -> list[Problem]:
    current = source_hash(source.path)
    recorded = target.translation_of
    hint = f"update the translation, then: python build.py translation mark-current {target.id} --lang {target.lang}"
    line = target.translation_line or 2
    if recorded is None:
        return [Problem(target.path, line, "translation does not record which source version it translates", hint)]
    if recorded == current:
        return []
    previous = _git_blob(root, recorded)
    if previous is None:
        change = "(the translated version is not in git history, so the change cannot be shown)"
    else:
        now = source.path.read_text(encoding="utf-8").splitlines()
        diff = difflib.unified_diff(
            previous.splitlines(), now, "translated version", "current source", n=0, lineterm=""
        )
        lines = [line for line in diff if not line.startswith(("---", "+++"))]
        change = "source changed:\n" + "\n".join("    " + line for line in lines[:40])
    return [Problem(target.path, line, f"stale translation of {source.path.name} ({hint}); {change}")]


def _git_blob(root: Path, blob: str) -> str | None:
    if not re.fullmatch(r"[0-9a-f]{40}", blob):
        return None
    try:
        result = subprocess.run(["git", "-C", str(root), "cat-file", "blob", blob],
                                capture_output=True, check=False, timeout=20)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None


def mark_current(guide: Guide, lang: str, chapter_ids: list[str]) -> int:
    if lang == guide.source_lang or lang not in guide.languages:
        raise ContentError([Problem(None, None, f"{lang!r} is not a translated language of the guide")])
    chapters = guide.chapters[lang]
    ids = list(chapters) if chapter_ids == ["all"] else chapter_ids
    for chapter_id in ids:
        if chapter_id not in chapters or chapter_id not in guide.chapters[guide.source_lang]:
            raise ContentError([Problem(None, None, f"no chapter {chapter_id!r} in {lang!r} and its source")])
        target = chapters[chapter_id]
        digest = source_hash(guide.chapters[guide.source_lang][chapter_id].path)
        _set_translation_of(target.path, digest)
        print(f"{target.path.relative_to(guide.root)}: translation_of {digest[:12]}")
    return 0


def _set_translation_of(path: Path, digest: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    end = lines.index("---", 1)
    line = f"translation_of: {digest}"
    for index in range(1, end):
        if lines[index].startswith("translation_of:"):
            lines[index] = line
            break
    else:
        lines.insert(end, line)
    path.write_text("\n".join(lines), encoding="utf-8")
