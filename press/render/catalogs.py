"""Message catalogs: extract template words, update and compile the .po files.

Configuration is in pyproject.toml, ``[tool.press.i18n]``: which files are
read with which Babel extractor (Jinja2 templates with ``jinja2.ext.i18n``,
Python with ``N_``), and the catalog domain. ``python build.py i18n ACTION``
runs the same steps as ``pybabel extract|update|compile|init`` would.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from ..errors import ContentError, Problem
from .i18n import catalog_path, open_catalog

FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)  # keeps the .pot stable between runs


def config(root: Path) -> dict[str, Any]:
    with (root / "pyproject.toml").open("rb") as handle:
        return dict(tomllib.load(handle)["tool"]["press"]["i18n"])


def extract(root: Path) -> Catalog:
    """Every template word of the project, as a catalog template (.pot).

    Patterns under ``press/`` are read from the installed package, the rest
    (templates) from the project folder, so a project without its own copy
    of the code still gets the words the code uses.
    """
    settings = config(root)
    keywords = {**DEFAULT_KEYWORDS, **{key: None for key in settings.get("keywords", [])}}
    catalog = Catalog(project="the guide press", creation_date=FIXED_DATE, charset="utf-8")
    package = Path(__file__).resolve().parent
    for entry in settings["mapping"]:
        pattern = str(entry["pattern"])
        base, prefix = (package, "press/") if pattern.startswith("press/") else (root, "")
        method_map = [(pattern.removeprefix(prefix), entry["method"])]
        options_map = {pattern.removeprefix(prefix): entry.get("options", {})}
        found = extract_from_dir(str(base), method_map, options_map, keywords=keywords, comment_tags=("Translators:",))
        for filename, lineno, message, comments, context in found:
            catalog.add(message, None, [(prefix + filename, lineno)], auto_comments=comments, context=context)
    return catalog


def template_path(root: Path) -> Path:
    return root / "locales" / f"{config(root)['domain']}.pot"


def languages(root: Path) -> list[str]:
    return sorted(p.parent.parent.name for p in (root / "locales").glob("*/LC_MESSAGES/messages.po"))


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=88, sort_output=True, ignore_obsolete=True)


def command(root: Path, action: str, lang: str | None) -> int:
    if action == "extract":
        template = extract(root)
        _write(template_path(root), template)
        print(f"{len(template)} messages → {template_path(root).relative_to(root)}")
    elif action == "init":
        if not lang:
            raise ContentError([Problem(None, None, "i18n init needs --lang, e.g. --lang pt")])
        target = catalog_path(root, lang)
        if target.exists():
            raise ContentError([Problem(target, None, "catalog exists already", "use: i18n update")])
        catalog = Catalog(locale=lang, creation_date=FIXED_DATE, charset="utf-8")
        catalog.update(extract(root))
        _write(target, catalog)
        print(f"created {target.relative_to(root)}: translate its msgstr lines")
    elif action == "update":
        template = extract(root)
        _write(template_path(root), template)
        for code in languages(root):
            path = catalog_path(root, code)
            catalog = open_catalog(path, code)
            catalog.update(template, update_header_comment=False)
            _write(path, catalog)
            print(f"updated {path.relative_to(root)}")
    elif action == "compile":
        for code in languages(root):
            path = catalog_path(root, code)
            catalog = open_catalog(path, code)
            with path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog)
            print(f"compiled {path.with_suffix('.mo').relative_to(root)}")
    return 0


def catalog_problems(root: Path, langs: tuple[str, ...]) -> list[Problem]:
    """Untranslated, fuzzy and missing catalog entries for each language."""
    template = extract(root)
    problems = []
    for lang in langs:
        path = catalog_path(root, lang)
        if not path.is_file():
            problems.append(
                Problem(path, None, f"no message catalog for {lang!r}", f"run: python build.py i18n init --lang {lang}")
            )
            continue
        try:
            catalog = open_catalog(path, lang)
        except ContentError as error:
            problems.extend(error.problems)
            continue
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id, context=message.context)
            if entry is None:
                problems.append(
                    Problem(path, None, f"missing entry {_msgid(message.id)!r}", "run: python build.py i18n update")
                )
            elif entry.fuzzy:
                problems.append(
                    Problem(
                        path, entry.lineno, f"fuzzy entry {_msgid(entry.id)!r}", "check it and remove the fuzzy flag"
                    )
                )
            elif not _translated(entry.string):
                problems.append(Problem(path, entry.lineno, f"untranslated entry {_msgid(entry.id)!r}"))
    return problems


def _msgid(value: Any) -> str:
    return value[0] if isinstance(value, tuple) else str(value)


def _translated(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(value)
    return bool(value)
