"""Small typed readers over line-aware YAML, used by content and edition loading.

Each reader checks one value, records a problem with its file and line when it
is wrong, and returns ``None`` so validation can go on and report everything
at once. Unknown keys are errors: a misspelt key must never be ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Collector
from .yamlsafe import Mapping, Sequence


class Reader:
    def __init__(self, problems: Collector, path: Path) -> None:
        self.problems = problems
        self.path = path

    def error(self, line: int | None, message: str, hint: str = "") -> None:
        self.problems.add(self.path, line, message, hint)

    def mapping(self, value: Any, line: int, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.error(line, f"{what} must be a mapping of keys to values")
        return None

    def keys(self, data: Mapping, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        """Check ``data`` has every required key and no unknown one."""
        ok = True
        allowed = required + optional
        for key in data:
            if key not in allowed:
                ok = False
                self.error(
                    data.line_of(key),
                    f"unknown key {key!r} in {what}",
                    "allowed: " + ", ".join(allowed),
                )
        for key in required:
            if key not in data:
                ok = False
                self.error(data.line, f"{what} is missing {key!r}")
        return ok

    def text(self, data: Mapping, key: str, what: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required and key in data:
                self.error(data.line_of(key), f"{what}: {key!r} is empty")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(data.line_of(key), f"{what}: {key!r} must be a text")
            return None
        return value.strip()

    def integer(self, data: Mapping, key: str, what: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(data.line_of(key), f"{what}: {key!r} must be a whole number, not {value!r}")
            return None
        return value

    def number(self, data: Mapping, key: str, what: str) -> float | None:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if value is not None:
                self.error(data.line_of(key), f"{what}: {key!r} must be a number, not {value!r}")
            return None
        return value

    def texts(self, data: Mapping, key: str, what: str, langs: tuple[str, ...]) -> dict[str, str]:
        """A text given once per language: ``{es: ..., en: ...}``."""
        value = data.get(key)
        mapping = self.mapping(value, data.line_of(key), f"{what}: {key!r}")
        if mapping is None:
            return {}
        result: dict[str, str] = {}
        self.cut_by_a_comma(mapping, mapping.line, f"{what}: {key}")
        for lang in langs:
            text = self.text(mapping, lang, f"{what}: {key}")
            if text is None and lang not in mapping:
                self.error(mapping.line, f"{what}: {key!r} has no text for language {lang!r}")
            elif text is not None:
                result[lang] = text
        return result

    def cut_by_a_comma(self, texts: Mapping, line: int, what: str) -> bool:
        """Whether a text per language ({es: …, en: …}) lost its end: in an unquoted {…}, YAML ends
        a text at a comma and makes the rest a key without a value."""
        cut = [key for key, value in texts.items() if value is None]
        for key in cut:
            self.error(line, f"{what} has {key!r} as a language: a comma ended the text before it",
                       'quote the text: {es: "…, …"}')  # fmt: skip
        return bool(cut)

    def strings(self, data: Mapping, key: str, what: str, required: bool = True) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            if required:
                self.error(data.line_of(key), f"{what}: {key!r} must be a list")
            return ()
        if not isinstance(value, Sequence):
            self.error(data.line_of(key), f"{what}: {key!r} must be a list, like [a, b]")
            return ()
        result = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip():
                self.error(value.line_of(index), f"{what}: {key!r} item {item!r} must be a text")
            else:
                result.append(str(item).strip())
        return tuple(result)
