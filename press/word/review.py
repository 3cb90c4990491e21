"""What a reviewed Word file changes in a chapter: a diff an editor can read.

Chapter files hold one paragraph a line, so a line diff names the paragraphs that changed;
inside each changed paragraph the words removed and added are marked ``[-old-]{+new+}``.
"""

from __future__ import annotations

import difflib
import re

WORDS = re.compile(r"\S+|\s+")


def changes(old: str, new: str, label: str) -> list[str]:
    """The diff as lines: ``@@ line N`` then ``~ paragraph with [-old-]{+new+} words``, ``- removed``, ``+ added``."""
    a, b = old.splitlines(), new.splitlines()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out.append(f"@@ {label}:{j1 + 1}")
        if tag == "replace" and i2 - i1 == j2 - j1:
            out += ["~ " + words(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            continue
        out += ["- " + line for line in a[i1:i2]]
        out += ["+ " + line for line in b[j1:j2]]
    return out


def words(old: str, new: str) -> str:
    """One paragraph with its changed words marked."""
    x, y = WORDS.findall(old), WORDS.findall(new)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append("".join(x[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(x[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(y[j1:j2]) + "+}")
    return "".join(out)


def show(old: str, new: str, label: str) -> bool:
    """Print what changed; True if anything did."""
    lines = changes(old, new, label)
    if lines:
        count = sum(line.startswith("@@") for line in lines)
        print(f"{label}: {count} change(s) from the Word file:")
        for line in lines:
            print("  " + line)
    return bool(lines)
