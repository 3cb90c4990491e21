"""Fonts trimmed once per project, embedded whole: fast without HarfBuzz-Subset.

WeasyPrint subsets every font it embeds, on every build. With the optional
``libharfbuzz-subset`` that is quick; without it fontTools reads the full
Charis SIL and Inter files (750 KB each, thousands of glyphs) and subsets
them again and again, which made a build 60 % slower, and stamped the time
into every subset, so two builds never gave the same bytes.

So the press prepares the shipped fonts once: each file in ``styles/fonts``
is trimmed with fontTools to the characters a project can use (Latin, its
punctuation and symbols, plus every character found in content, templates
and catalogs), keeping every OpenType layout feature (kerning, ligatures,
old-style figures) and dropping hinting, into ``.cache/fonts/``. The shipped
files stay untouched (their OFL licence allows modified copies for
embedding; the trimmed copies keep the fonts' names, so preflight still
sees only the shipped families). The sandboxed fetcher serves the trimmed
copy whenever a stylesheet asks for the shipped file, and WeasyPrint embeds
it whole instead of subsetting it again (``shared.py``): widths and
Unicode maps are still written for exactly the glyphs used.

A trimmed file is trusted only if its SHA-256 matches the record written
with it; anything else is thrown away and trimmed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from .. import sandbox
from ..errors import Problem, RenderError

FONT_SUFFIXES = (".ttf", ".otf")
CACHE = Path(".cache") / "fonts"
VERSION = "1"  # bump when the trimming changes
# Always kept, so that ordinary edits (a new accented name, a dash, a euro)
# never change the trimmed fonts: Basic Latin, Latin-1, Latin Extended-A,
# general punctuation, and a few symbols. Anything else a project uses is
# found in its files.
BASE_RANGES = ((0x0020, 0x007E), (0x00A0, 0x017F), (0x2000, 0x206F))
BASE_SYMBOLS = "€™№←↑→↓↩−×÷≤≥≠±°"
# Where a project's own characters may come from.
TEXT_SOURCES = (("content", ("*.md", "*.yaml")), ("templates", ("*.html", "*.svg")), ("locales", ("*.po",)))


@dataclass(frozen=True)
class Trimmed:
    """One shipped font file and its trimmed copy in the cache."""

    source: Path  # styles/fonts/..., resolved
    path: Path  # .cache/fonts/<key><suffix>
    sha256: str


@dataclass(frozen=True)
class FontSet:
    """Shipped font → trimmed copy, for the fetcher; ``key`` names the set."""

    fonts: tuple[Trimmed, ...]
    key: str

    def substitutes(self) -> dict[Path, Trimmed]:
        return {font.source: font for font in self.fonts}


def characters(root: Path) -> str:
    """The characters kept in trimmed fonts: the base ranges and the project's own."""
    found = {chr(code) for start, end in BASE_RANGES for code in range(start, end + 1)} | set(BASE_SYMBOLS)
    for folder, patterns in TEXT_SOURCES:
        for pattern in patterns:
            for path in sorted((root / folder).rglob(pattern)):
                if path.is_file() and not path.is_symlink():
                    found |= set(path.read_text(encoding="utf-8", errors="ignore"))
    return "".join(sorted(c for c in found if c.isprintable() or c in "\u00a0\u00ad\u200b\u202f"))


def shipped(root: Path) -> list[Path]:
    folder = root / "styles" / "fonts"
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())


def prepare(
    root: Path, run: Callable[[Callable[..., Trimmed], Iterable[tuple]], Iterator[Trimmed]] | None = None
) -> FontSet:
    """Trim every shipped font that has no valid trimmed copy yet; ``run`` maps the work
    (e.g. over a process pool's ``starmap``-like function); by default it runs here."""
    chars = characters(root)
    stamp = f"{VERSION}:{version('fonttools')}:".encode() + chars.encode()
    jobs = []
    for source in shipped(root):
        key = hashlib.sha256(stamp + sandbox.read_bytes(root, source)).hexdigest()[:32]
        jobs.append((str(source.resolve()), str(root / CACHE / f"{key}{source.suffix.lower()}"), chars))
    ready = {job[1]: _valid(Path(job[1]), Path(job[1] + ".json")) for job in jobs}
    todo = [job for job in jobs if not ready[job[1]]]
    made = {t.path: t for t in (run(trim, todo) if run and todo else (trim(*job) for job in todo))}
    results = [
        made.get(Path(target)) or Trimmed(Path(source), Path(target), str(ready[target])) for source, target, _ in jobs
    ]
    digest = hashlib.sha256("".join(f"{t.path.name}{t.sha256}" for t in results).encode()).hexdigest()[:32]
    return FontSet(tuple(results), digest)


def trim(source: str, target: str, chars: str) -> Trimmed:
    """The trimmed copy of ``source`` at ``target``, made unless a valid one is there."""
    path, record = Path(target), Path(target + ".json")
    valid = _valid(path, record)
    if valid:
        return Trimmed(Path(source), path, valid)
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = False
    options.drop_tables = ["DSIG", "Silt", "Glat", "Gloc", "Feat", "Sill"]  # Graphite tables: unused by HarfBuzz
    try:
        font = TTFont(source, recalcTimestamp=False)  # keeps head.modified: same bytes every time
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
    except Exception as error:  # fontTools raises many kinds for a damaged or foreign file
        message = f"is not a font that can be read ({type(error).__name__}: {error})"
        raise RenderError(
            [Problem(Path(source), None, message, "put the font file back as its makers ship it")]
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".trim-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            font.save(stream)
        data = Path(temporary).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    _write_record(record, {"source": Path(source).name, "sha256": digest, "version": VERSION})
    return Trimmed(Path(source), path, digest)


def _valid(path: Path, record: Path) -> str | None:
    """The file's SHA-256 if it is a regular file matching its record, else None (and both are removed)."""
    try:
        expected = json.loads(record.read_text(encoding="utf-8"))["sha256"]
        if path.is_symlink() or not path.is_file():
            raise ValueError
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            raise ValueError
        return str(expected)
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        record.unlink(missing_ok=True)
        return None


def _write_record(record: Path, data: dict[str, str]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".record-", dir=record.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream)
    os.replace(temporary, record)
