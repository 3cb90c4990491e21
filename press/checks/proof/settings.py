"""The proofing rules' settings and the accepted problems, from ``content/proof.yaml``.

Every rule is on by default with the thresholds below; the file may turn a rule
off (``rules: {hyphen-ladder: false}``) or change a setting
(``rules: {short-page: {min_fill: 0.4}}``), and accept one problem with a reason:
``accept: [{rule, file, line | excerpt, edition?, reason}]``. An acceptance
matches by rule, chapter file and line or excerpt, never by page, so it
survives reflow; one that matches nothing is itself reported (``stale``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...content.yamlsafe import Mapping, load_yaml_file
from ...errors import PressError, Problem


class ProofError(PressError):
    """content/proof.yaml is wrong, or the proof cannot be made."""


# rule → its settings and their defaults (documented in the README, "Proofing").
DEFAULTS: dict[str, dict[str, Any]] = {
    "widow": {"min_lines": 2},  # a paragraph's last lines alone at the top of a page, fewer than this
    "orphan": {"min_lines": 2},  # a paragraph's first lines alone at the foot of a page
    "keep-with-next": {},  # a heading, fact-sheet label or caption parted from what it belongs to
    "note-placement": {"max_after": 1},  # footnote text before its call's page, or more pages after
    "overflow": {"tolerance_pt": 0.5},  # a line or block past its column or the page area
    "outside-trim": {"tolerance_pt": 0.5},  # text or an image past the trim box
    "hyphen-ladder": {"max": 2},  # more consecutive lines than this ending with a hyphen
    "hyphen-page-turn": {},  # the last line of a page ends with a hyphen, the word goes on overleaf
    "short-page": {"min_fill": 0.35},  # a page filled less than this share before a forced break
    "figure-distance": {"max_pages": 1},  # a figure this many pages or more from its first reference
    "xref-same-page": {},  # "figure 2 (p. 41)" printed on page 41
    "foreign-language": {"min_words": 12, "min_share": 0.12},  # stop words of another language
}
RULES = tuple(DEFAULTS)


@dataclass(frozen=True)
class Acceptance:
    rule: str
    file: str  # relative to the project, as the report prints it
    line: int | None
    excerpt: str | None
    reason: str
    edition: str | None
    where: int  # its line in proof.yaml
    every: bool = False  # `all: true`: every problem of the rule in the file (a bibliography in its languages)

    def matches(self, rule: str, file: str, line: int | None, excerpt: str, edition: str) -> bool:
        if rule != self.rule or file != self.file or (self.edition and edition != self.edition):
            return False
        if self.every:
            return True
        if self.line is not None and line != self.line:
            return False
        return self.excerpt is None or _flat(self.excerpt) in _flat(excerpt)


@dataclass
class Settings:
    rules: dict[str, dict[str, Any]]
    accept: list[Acceptance] = field(default_factory=list)
    check_approved: bool = False  # `check` compares the built editions with approved/ (release CI)
    path: Path | None = None

    def on(self, rule: str) -> bool:
        return rule in self.rules

    def get(self, rule: str, key: str) -> Any:
        return self.rules[rule][key]


def load(root: Path) -> Settings:
    path = root / "content" / "proof.yaml"
    rules = {name: dict(values) for name, values in DEFAULTS.items()}
    if not path.is_file():
        return Settings(rules)
    data = load_yaml_file(path)
    problems: list[Problem] = []

    def bad(line: int, message: str, hint: str = "") -> None:
        problems.append(Problem(path, line, message, hint))

    if data is None:
        return Settings(rules, path=path)
    if not isinstance(data, Mapping):
        raise ProofError([Problem(path, 1, "proof.yaml must be a mapping (rules, accept, check_approved)")])
    for key in data:
        if key not in ("rules", "accept", "check_approved"):
            bad(data.line_of(key), f"unknown key {key!r}", "known: rules, accept, check_approved")
    if data.get("rules") is not None:
        _rules(data["rules"], rules, bad)
    accept = _accept(data["accept"], bad, data.line_of("accept")) if data.get("accept") is not None else []
    approved = data.get("check_approved", False)
    if not isinstance(approved, bool):
        bad(data.line_of("check_approved"), "check_approved must be true or false")
    if problems:
        raise ProofError(problems)
    return Settings(rules, accept, bool(approved), path)


def _rules(given: Any, rules: dict[str, dict[str, Any]], bad: Any) -> None:
    if not isinstance(given, Mapping):
        bad(getattr(given, "line", 1), "rules must map rule names to false, true or their settings")
        return
    for name, value in given.items():
        line = given.line_of(name)
        if name not in DEFAULTS:
            bad(line, f"unknown rule {name!r}", f"known: {', '.join(RULES)}")
        elif value is False:
            del rules[name]
        elif value is True:
            continue
        elif isinstance(value, Mapping):
            for key, setting in value.items():
                default = DEFAULTS[name].get(key)
                if key not in DEFAULTS[name]:
                    known = ", ".join(DEFAULTS[name]) or "none"
                    bad(value.line_of(key), f"rule {name!r} has no setting {key!r}", f"its settings: {known}")
                elif not isinstance(setting, int | float) or isinstance(setting, bool) or setting < 0:
                    bad(value.line_of(key), f"{name}.{key} must be a number ≥ 0 (default {default})")
                else:
                    rules[name][key] = setting
        else:
            bad(line, f"rule {name!r}: give false, true or a mapping of its settings")


def _accept(given: Any, bad: Any, line: int) -> list[Acceptance]:
    if not isinstance(given, list):
        bad(line, "accept must be a list of {rule, file, line or excerpt, reason}")
        return []
    found = []
    for index, item in enumerate(given):
        where = given.line_of(index) if hasattr(given, "line_of") else line
        if not isinstance(item, Mapping):
            bad(where, "an acceptance is a mapping: rule, file, line or excerpt, reason")
            continue
        unknown = set(item) - {"rule", "file", "line", "excerpt", "all", "reason", "edition"}
        if unknown:
            bad(
                where,
                f"unknown key(s) {', '.join(sorted(unknown))}",
                "known: rule, file, line, excerpt, all, reason, edition",
            )
        rule, file, reason = item.get("rule"), item.get("file"), item.get("reason")
        if rule not in DEFAULTS:
            bad(where, f"accept: unknown rule {rule!r}", f"known: {', '.join(RULES)}")
        if not isinstance(file, str) or not file:
            bad(where, "accept: give the chapter file, e.g. content/es/chapters/01-intro.md")
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            bad(where, "accept: give the reason a designer accepts this problem (a sentence)")
        number, excerpt = item.get("line"), item.get("excerpt")
        every = item.get("all", False) is True
        if number is None and excerpt is None and not every:
            bad(where, "accept: give the line or an excerpt of the text (not a page: pages move), or all: true")
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            bad(where, "accept: line must be a number")
        edition = item.get("edition")
        found.append(
            Acceptance(
                str(rule),
                str(file),
                number,
                None if excerpt is None else str(excerpt),
                str(reason),
                None if edition is None else str(edition),
                where,
                every,
            )
        )
    return found


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split()).casefold()
