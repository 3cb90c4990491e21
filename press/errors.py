"""Errors for people: every problem names a file, a line where known, and what to do.

The pipeline collects :class:`Problem` records while it validates, then raises
one :class:`PressError` subclass carrying all of them. The command line catches
``PressError`` once, prints each problem as ``file:line: message`` and exits
non-zero; tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where."""

    file: Path | None
    line: int | None
    message: str
    hint: str = ""
    column: int | None = None  # from 1, in characters

    def location(self, root: Path | None = None) -> str:
        if self.file is None:
            return ""
        path = self.file
        real = self.file.parent.resolve() / self.file.name  # the file itself may be a link out: not followed
        if root is not None and real.is_relative_to(root.resolve()):
            path = real.relative_to(root.resolve())
        if self.line and self.column:
            return f"{path}:{self.line}:{self.column}"
        return f"{path}:{self.line}" if self.line else f"{path}"

    def format(self, root: Path | None = None) -> str:
        where = self.location(root)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def __str__(self) -> str:
        return self.format()


class PressError(Exception):
    """Base of every error the press reports to a person."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(None, None, problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[object, ...]:  # from worker processes, with every problem
        return (type(self), (self.problems,))


class ContentError(PressError):
    """The content (guide.yaml, chapters, data) is wrong."""


class EditionError(PressError):
    """editions.yaml is wrong, or names something that does not exist."""


class RenderError(PressError):
    """Templates, styles or WeasyPrint failed, or warned under --strict."""


class PreflightError(PressError):
    """The produced PDF breaks a rule of its profile."""


class Collector:
    """Gathers problems during a validation pass, then raises them all at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: Path | None, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(file, line, message, hint))

    def raise_if_any(self, kind: type[PressError] = ContentError) -> None:
        if self.problems:
            raise kind(sorted(self.problems, key=_order))


def _order(problem: Problem) -> tuple[str, int]:
    return (str(problem.file or ""), problem.line or 0)
