"""Run every rule over an edition's laid-out pages, then apply content/proof.yaml's acceptances."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import lines, pages, placement
from .findings import Context, Finding
from .settings import Acceptance, Settings


@dataclass
class Proof:
    edition: str
    pages: list[pages.Page]
    findings: list[Finding]
    used: set[Acceptance] = field(default_factory=set)  # the acceptances that matched something

    @property
    def open(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.accepted is None]


def proof(document: Any, edition: str, lang: str, notes: str, files: dict[str, str], settings: Settings) -> Proof:
    """The problems of one laid-out edition (``files``: chapter id → file, relative to the project)."""
    read = pages.read(document)
    ctx = Context(edition, lang, notes, files, settings, read)
    found: list[Finding] = []
    for rule in (*lines.RULES, *placement.RULES):
        found.extend(rule(read, ctx))
    found.sort(key=lambda finding: (finding.page, finding.rects[0][1] if finding.rects else 0, finding.rule))
    result = Proof(edition, read, _unique(found))
    for finding in result.findings:
        for acceptance in settings.accept:
            if finding.file and acceptance.matches(finding.rule, finding.file, finding.line, finding.excerpt, edition):
                finding.accepted = acceptance.reason
                result.used.add(acceptance)
                break
    return result


def stale(settings: Settings, proofs: list[Proof], files: dict[str, set[str]]) -> list[Acceptance]:
    """Acceptances that could apply to a proofed edition (its edition, one of its files) and matched nothing."""
    used = set().union(*(proof.used for proof in proofs)) if proofs else set()
    proofed = {proof.edition for proof in proofs}
    return [
        acceptance
        for acceptance in settings.accept
        if acceptance not in used
        and any(acceptance.file in files[name] for name in proofed if acceptance.edition in (None, name))
    ]


def _unique(found: list[Finding]) -> list[Finding]:
    seen: set[tuple[object, ...]] = set()
    result = []
    for finding in found:
        key = (finding.rule, finding.page, finding.file, finding.line, finding.excerpt)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result
