"""Colour contrast of the screen tokens: every declared text/field pair meets WCAG 2.2 AA.

The pairs are data, next to the tokens: a comment in ``styles/tokens.css`` lists
them on ``text:``, ``large:`` and ``graphics:`` lines as ``colour/field`` token
names. Each pair is measured with WCAG's relative luminance, for the tokens as
shipped and with each screen or web edition's accent in place of ``--accent``.
Print tokens (``print.css``, CMYK) are exempt: contrast is a screen measure.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import sandbox
from ..content.model import Edition
from ..errors import ContentError, Problem

TOKENS = Path("styles/tokens.css")
MINIMUM = {"text": 4.5, "large": 3.0, "graphics": 3.0}
WHAT = {"text": "for text", "large": "for large text", "graphics": "for graphics"}
DECLARATION = re.compile(r"--([a-z][a-z0-9-]*)\s*:\s*([^;]+);")
PAIRS = re.compile(r"^\s*(text|large|graphics):\s*(.*?)\s*(?:\*/)?\s*$")
HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def check(root: Path, editions: dict[str, Edition]) -> None:
    """Raise ContentError listing every pair below its minimum."""
    problems = problems_of(root, editions)
    if problems:
        raise ContentError(problems)


def problems_of(root: Path, editions: dict[str, Edition]) -> list[Problem]:
    path = root / TOKENS
    if not path.is_file():
        return []
    text = sandbox.read_text(root, path)
    values = {name: (value.strip(), text.count("\n", 0, m.start()) + 1)
              for m in DECLARATION.finditer(text) for name, value in [m.groups()]}  # fmt: skip
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if match := PAIRS.match(line.lstrip("/* ")):
            kind, listed = match.groups()
            pairs += [(kind, item, number) for item in listed.split()]
    problems: list[Problem] = []
    accents = {"": values.get("accent", ("", 0))[0]}
    accents |= {e.name: e.accent for e in editions.values() if e.profile != "print" and e.accent}
    for edition, accent in accents.items():
        for kind, item, number in pairs:
            names = item.split("/")
            if len(names) != 2:
                problems.append(Problem(path, number, f"contrast pair {item!r} is not colour/field", "write ink/paper"))
                continue
            colours = []
            for name in names:
                value = accent if name == "accent" else values.get(name, (None, 0))[0]
                if value is None:
                    problems.append(Problem(path, number, f"contrast pair {item!r}: no token --{name}"))
                elif not HEX.match(value):
                    message = f"contrast pair {item!r}: --{name} is {value!r}, not a #rrggbb colour"
                    problems.append(Problem(path, number, message, "the screen tokens are written as hex colours"))
                else:
                    colours.append(value)
            if len(colours) != 2 or (edition and "accent" not in names):
                continue
            measured = ratio(*colours)
            if measured < MINIMUM[kind]:
                where = f"edition {edition!r}: " if edition else ""
                message = (f"{where}--{names[0]} ({colours[0]}) on --{names[1]} ({colours[1]}) has a contrast of "
                           f"{measured:.2f}:1, below {MINIMUM[kind]}:1 {WHAT[kind]} (WCAG 2.2 AA)")  # fmt: skip
                problems.append(Problem(path, values.get(names[0], (None, number))[1] or number, message,
                                        "darken the colour or lighten the field (or the other way round)"))  # fmt: skip
    return problems


def ratio(one: str, two: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, 1 to 21."""
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
