"""Stage 1b: ``content/editions.yaml`` → Edition objects.

An edition is data: a language, a selection of chapters, a profile and a
paper. An edition may ``inherit`` another and override only what differs;
``defaults`` apply to all. Unknown keys and bad values are errors with
file:line, collected and reported together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Collector, EditionError
from .model import PAPERS_MM, Edition, Guide
from .schema import Reader
from .yamlsafe import Mapping, Sequence, load_yaml_file

KEYS = (
    "inherits", "lang", "profile", "output", "front", "practices", "back", "extra_front", "paper",
    "notes", "pdf_variant", "accent", "subtitle", "isbn", "caliper_mm", "title_suffix", "site_url",
)  # fmt: skip
PROFILES = ("screen", "print", "web")
PDF_PROFILES = ("screen", "print")  # ``web`` is a static site (press/web/), not a PDF
NOTES = ("footnotes", "chapter", "book")
VARIANTS = {"screen": ("pdf/ua-1",), "print": ("pdf/x-4", "pdf/x-1a", "pdf/x-3"), "web": ()}
PAPERS = tuple(PAPERS_MM)


def load_editions(guide: Guide, path: Path | None = None) -> dict[str, Edition]:
    path = path or guide.root / "content" / "editions.yaml"
    problems = Collector()
    read = Reader(problems, path)
    data = read.mapping(load_yaml_file(path), 1, "editions.yaml") or Mapping()
    read.keys(data, "editions.yaml", ("editions",), ("defaults",))
    defaults = read.mapping(data.get("defaults", Mapping()), data.line_of("defaults"), "defaults") or Mapping()
    raw = read.mapping(data.get("editions"), data.line_of("editions"), "editions") or Mapping()
    editions: dict[str, Edition] = {}
    for name in raw:
        entry = read.mapping(raw[name], raw.line_of(name), f"edition {name!r}")
        if entry is None:
            continue
        merged = _resolve(read, raw, name, [])
        values = {**defaults, **merged}
        edition = _edition(guide, read, name, values, entry)
        if edition is not None:
            editions[name] = edition
    outputs: dict[str, str] = {}
    for edition in editions.values():
        if edition.output in outputs:
            read.error(raw.line_of(edition.name), f"edition {edition.name!r} writes {edition.output!r} like "
                       f"edition {outputs[edition.output]!r}")  # fmt: skip
        outputs[edition.output] = edition.name
    problems.raise_if_any(EditionError)
    return editions


def _resolve(read: Reader, raw: Mapping, name: str, chain: list[str]) -> dict[str, Any]:
    """The edition's own keys over those of the editions it inherits from."""
    entry = raw.get(name)
    if not isinstance(entry, Mapping):
        return {}
    parent = entry.get("inherits")
    if parent is None:
        return dict(entry)
    if parent in [*chain, name]:
        read.error(entry.line_of("inherits"), f"edition {name!r} inherits from itself through {parent!r}")
        return dict(entry)
    if parent not in raw:
        read.error(entry.line_of("inherits"), f"edition {name!r} inherits from unknown edition {parent!r}",
                   "known: " + ", ".join(raw))  # fmt: skip
        return dict(entry)
    inherited = _resolve(read, raw, str(parent), [*chain, name])
    own = {key: value for key, value in entry.items() if key != "inherits"}
    return {**inherited, **own}


def _edition(guide: Guide, read: Reader, name: str, values: dict[str, Any], entry: Mapping) -> Edition | None:
    def line(key: str) -> int:
        return entry.line_of(key)

    ok = True
    for key in values:
        if key not in KEYS:
            read.error(line(key), f"edition {name!r}: unknown key {key!r}", "allowed: " + ", ".join(KEYS))
            ok = False
    lang = values.get("lang")
    if lang not in guide.languages:
        read.error(line("lang"), f"edition {name!r}: lang {lang!r} is not a language of the guide",
                   "languages: " + ", ".join(guide.languages))  # fmt: skip
        return None
    choices = {"profile": PROFILES, "notes": NOTES, "paper": PAPERS}
    defaults = {"profile": "screen", "notes": "footnotes", "paper": "letter"}
    chosen: dict[str, str] = {}
    for key, allowed in choices.items():
        value = values.get(key, defaults[key])
        if value not in allowed:
            read.error(line(key), f"edition {name!r}: {key} {value!r} is not one of " + ", ".join(allowed))
            ok = False
        chosen[key] = str(value)
    variant = values.get("pdf_variant")
    if variant is not None and variant not in VARIANTS.get(chosen["profile"], ()):
        allowed = VARIANTS.get(chosen["profile"], ())
        hint = "use one of " + ", ".join(allowed) if allowed else "a web edition is no PDF: remove pdf_variant"
        read.error(line("pdf_variant"), f"edition {name!r}: pdf_variant {variant!r} does not fit the "
                   f"{chosen['profile']} profile", hint)  # fmt: skip
        ok = False
    web = chosen["profile"] == "web"
    site_url = values.get("site_url")
    if site_url is not None and (not web or not str(site_url).startswith("https://")):
        read.error(line("site_url"), f"edition {name!r}: site_url must be the https:// address where a web "
                   "edition's folder is published", "only web editions take it")  # fmt: skip
        ok = False
    practices = _practices(guide, read, name, values.get("practices", "all"), line("practices"))
    front = _ids(guide, read, name, values.get("front", "all"), guide.front, line("front"))
    back = _ids(guide, read, name, values.get("back", "all"), guide.back, line("back"))
    extra = _ids(guide, read, name, values.get("extra_front", []), (), line("extra_front"), lang=str(lang))
    caliper = values.get("caliper_mm", 0.1)
    if isinstance(caliper, bool) or not isinstance(caliper, (int, float)) or not 0.03 <= caliper <= 0.5:
        read.error(line("caliper_mm"), f"edition {name!r}: caliper_mm must be a paper thickness in mm (0.03–0.5)")
        ok = False
    isbn = values.get("isbn")
    if isbn is not None:
        from .isbn import isbn_problem

        problem = isbn_problem(str(isbn))
        if problem:
            read.error(line("isbn"), f"edition {name!r}: {problem}")
            ok = False
    if chosen["notes"] == "book" and not web:
        chapters = guide.chapters.get(str(lang), {})
        if not any(chapters.get(cid) and chapters[cid].type == "notes" for cid in back):
            message = f"edition {name!r}: notes: book needs a chapter of type 'notes' in its back matter"
            read.error(
                line("notes"),
                message,
                "add one (content/<lang>/back/notes.md) to chapters.back, or use notes: footnotes",
            )
            ok = False
    for key in ("subtitle", "title_suffix"):
        ok = _texts_checked(guide, read, name, key, values.get(key), line(key)) and ok
    accent = values.get("accent")
    if chosen["profile"] == "print" and accent and not str(accent).startswith("device-cmyk("):
        read.error(line("accent"), f"edition {name!r}: a print accent must be a CMYK colour",
                   'write it as "device-cmyk(C M Y K)" with values from 0 to 1')  # fmt: skip
        ok = False
    if not ok:
        return None
    return Edition(
        name=name,
        lang=str(lang),
        profile=chosen["profile"],
        output=str(values.get("output", f"web/{name}" if web else f"{name}.pdf")),
        front=front,
        practices=practices,
        back=back,
        extra_front=extra,
        paper=chosen["paper"],
        notes=chosen["notes"],
        pdf_variant=str(variant) if variant else None,
        accent=str(accent) if accent else None,
        subtitle=_text(values.get("subtitle"), str(lang)),
        isbn=str(isbn) if isbn else None,
        caliper_mm=float(caliper),
        title_suffix=_text(values.get("title_suffix"), str(lang)),
        site_url=str(site_url).rstrip("/") + "/" if site_url else None,
    )


def _texts_checked(guide: Guide, read: Reader, name: str, key: str, value: Any, line: int) -> bool:
    """A text per language ({es: …, en: …}) has only languages of the guide as keys, and text
    as values. A comma ends a value in an unquoted {…} (YAML): the rest becomes a key of its own."""
    if value is None or isinstance(value, str):
        return True
    if not isinstance(value, Mapping):
        read.error(line, f"edition {name!r}: {key} must be a text, or a text per language ({{es: …, en: …}})")
        return False
    ok = not read.cut_by_a_comma(value, line, f"edition {name!r}: {key}")
    for lang, text in value.items():
        if text is None or (lang in guide.languages and isinstance(text, str) and text.strip()):
            continue
        if lang not in guide.languages:
            read.error(line, f"edition {name!r}: {key}: {lang!r} is not a language of the guide",
                       "languages: " + ", ".join(guide.languages))  # fmt: skip
        else:
            read.error(line, f"edition {name!r}: {key} in {lang!r} must be a text")
        ok = False
    return ok


def _text(value: Any, lang: str) -> str | None:
    if isinstance(value, dict):
        return str(value.get(lang)) if value.get(lang) else None
    return str(value) if value else None


def _ids(guide: Guide, read: Reader, name: str, value: Any, default: tuple[str, ...], line: int,
         lang: str | None = None) -> tuple[str, ...]:  # fmt: skip
    if value == "all":
        return default
    if not isinstance(value, (list, Sequence)):
        read.error(line, f"edition {name!r}: expected 'all' or a list of chapter ids")
        return ()
    known = guide.chapters.get(lang or guide.source_lang, {})
    for chapter_id in value:
        if chapter_id not in known:
            read.error(line, f"edition {name!r}: unknown chapter {chapter_id!r}")
    return tuple(str(v) for v in value)


def _practices(guide: Guide, read: Reader, name: str, value: Any, line: int) -> tuple[str, ...]:
    if isinstance(value, Mapping) and set(value) == {"region"}:
        region = value["region"]
        if region not in guide.regions:
            read.error(line, f"edition {name!r}: unknown region {region!r}", "regions: " + ", ".join(guide.regions))
            return ()
        members = set(guide.regions[region])
        chapters = guide.chapters[guide.source_lang]
        return tuple(
            cid for cid in guide.practices
            if (sheet := chapters[cid].factsheet) is not None and members & set(sheet.countries)
        )  # fmt: skip
    ids = _ids(guide, read, name, value, guide.practices, line)
    for chapter_id in ids:
        if chapter_id not in guide.practices:
            read.error(line, f"edition {name!r}: {chapter_id!r} is not a practice")
    return ids
