"""The front matter of an imported chapter: fact-sheet rows → values, and the YAML written.

Country names and thematic-area labels are matched in every language of the guide (longest
name first, so "Trinidad y Tobago" stays one country); what cannot be matched is listed. When
the chapter exists already, its front matter is the starting point and a key whose value did
not change keeps its text, so that the review diff shows only what the reviewer changed.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from ..content.load import COUNTRIES
from ..content.model import Guide
from .practice import norm

ORDER = ("id", "type", "title", "short_title", "translation_of", "countries", "organisations", "period",
         "thematic_areas", "population", "key_lesson", "sources")  # fmt: skip
SEPARATORS = re.compile(r"^(\s*[,;/·•]\s*|(y|e|and|et|&)\s+|\s+)", re.I)
TODO = "TODO"


def facts(rows: dict[str, list[str]], guide: Guide, lang: str) -> tuple[dict[str, Any], list[str]]:
    """Front-matter values from the fact-sheet rows, and what could not be mapped (for the user)."""
    meta: dict[str, Any] = {}
    unmapped: list[str] = []
    for key, values in rows.items():
        text = " ; ".join(values)
        if key.startswith("?"):
            unmapped.append(f"fact sheet row {key[1:]!r} is not a fact-sheet field: {text[:60]!r}")
        elif key == "countries":
            meta[key], missed = _match(text, _countries(guide))
            unmapped += [f"country {name!r} not recognised: write its ISO code in countries" for name in missed]
        elif key == "thematic_areas":
            areas = {norm(a.id): a.id for a in guide.thematic_areas.values()}
            areas.update({norm(label): a.id for a in guide.thematic_areas.values() for label in a.label.values()})
            meta[key], missed = _match(text, areas)
            unmapped += [f"thematic area {name!r} not recognised (known: {', '.join(guide.thematic_areas)})"
                         for name in missed]  # fmt: skip
        elif key == "organisations":
            meta[key] = [part.strip() for value in values for part in value.split(";") if part.strip()]
        elif key == "period":
            years = [int(y) for y in re.findall(r"\b(1[89]\d\d|2\d\d\d)\b", text)]
            if years:
                meta[key] = {"start": years[0], **({"end": years[1]} if len(years) > 1 else {})}
            else:
                unmapped.append(f"period {text!r}: no year found")
        elif key == "population":
            meta[key] = _population(text, lang)
        else:
            meta[key] = text
    return meta, unmapped


def _countries(guide: Guide) -> dict[str, str]:
    names = {norm(code): code for code in COUNTRIES}
    for lang in {*guide.languages, "en", "es"}:
        for code, name in Locale.parse(lang).territories.items():
            if code in COUNTRIES:
                names[norm(name)] = code
    return names


def _match(text: str, names: dict[str, str]) -> tuple[list[str], list[str]]:
    """Greedy longest matches of known names in a list written by a person ("Perú, Chile y Colombia")."""
    rest = norm(text)
    found: list[str] = []
    missed: list[str] = []
    longest = sorted(names, key=len, reverse=True)
    while rest:
        sep = SEPARATORS.match(rest)
        if sep and sep.end():
            rest = rest[sep.end() :]
            continue
        name = next((n for n in longest if rest.startswith(n) and not rest[len(n) : len(n) + 1].isalnum()), None)
        if name is None:
            word = re.split(r"\s*[,;/]\s*|\s+(?:y|e|and)\s+", rest, maxsplit=1)[0]
            missed.append(word)
            rest = rest[len(word) :]
        else:
            if names[name] not in found:
                found.append(names[name])
            rest = rest[len(name) :]
    return found, missed


def _population(text: str, lang: str) -> dict[str, Any]:
    number = re.match(r"\s*([\d][\d\s.,\u00a0\u202f]*)", text)
    value: float = 0
    if number:
        digits = number.group(1).strip(" .,")
        try:
            value = float(parse_decimal(digits.replace("\u202f", "\u00a0"), locale=lang, strict=False))
        except NumberFormatError:
            value = float(re.sub(r"\D", "", digits) or 0)
    description = text[number.end() :] if number else text
    description = re.sub(r"^\s*[—–:-]\s*", "", description).strip()
    return {"value": int(value) if value == int(value) else value, "description": description, "source": TODO}


def merge(existing: dict[str, Any], drafted: dict[str, Any]) -> dict[str, Any]:
    """The chapter's front matter, with what the Word file states; a population keeps its source."""
    merged = dict(existing)
    for key, value in drafted.items():
        if key == "population" and isinstance(existing.get(key), dict):
            value = {**value, "source": existing[key].get("source", TODO)}
        merged[key] = value
    return merged


def dump(meta: dict[str, Any], keep: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> str:
    """The front matter as YAML; a key whose value equals ``values[key]`` keeps its text ``keep[key]``."""
    first = [k for k in (keep or {}) if k in meta]  # an existing file keeps its order of keys
    keys = (
        first + [k for k in ORDER if k in meta and k not in first] + [k for k in meta if k not in ORDER + tuple(first)]
    )
    out = []
    for key in keys:
        if keep and values and key in keep and _same(values.get(key), meta[key]):
            out.append(keep[key])
            continue
        out.append(_yaml(key, meta[key]))
    return "---\n" + "\n".join(out) + "\n---\n"


def _yaml(key: str, value: Any) -> str:
    """``countries: [CO, PE]`` and ``period: {start: 2019}`` on one line; text and lists of works as blocks."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
    flow = items is not None and all(not isinstance(item, (dict, list)) for item in items)
    if flow:
        text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100, default_flow_style=True)
        return f"{key}: {text.strip()}"
    dumped = yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return dumped.rstrip("\n")


def _same(a: Any, b: Any) -> bool:
    return yaml.safe_dump(a, sort_keys=True) == yaml.safe_dump(b, sort_keys=True)


def key_blocks(head: str) -> dict[str, str]:
    """The text of each top-level key of a front matter (its line and the indented lines under it)."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in head.splitlines():
        match = re.match(r"^([A-Za-z_][\w-]*):", line)
        if match:
            current = match.group(1)
            blocks[current] = [line]
        elif current is not None:
            blocks[current].append(line)
    return {key: "\n".join(lines).rstrip() for key, lines in blocks.items()}
