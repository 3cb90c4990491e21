"""Text hygiene: the one way the press reads a content file as text.

Chapters, YAML files and message catalogs are read with :func:`read`, which
gives their text or raises a ``ContentError`` naming the line and column of
each thing to change (the first ``MAX_REPORTED`` refused characters, then how
many more). ``yamlsafe.load_yaml`` runs the same check on any YAML text it is
given. Columns count characters (code points) from 1, a tab as one. What is
decided, character by character:

- the file must be valid UTF-8; the error names the first bad byte;
- normalised: a byte order mark at the very start is dropped, and CRLF line
  ends become LF (a CR anywhere else is refused);
- refused: control characters other than tab and line feed (C0, DEL, C1);
  bidirectional embeddings, overrides and isolates (U+202A–U+202E,
  U+2066–U+2069, the "Trojan Source" characters that make text display in
  another order than it is stored); lone surrogates (they can only arrive
  through escapes such as YAML's "\\ud800", so loaded values are checked
  too, with :func:`value_problems`); noncharacters (U+FFFE, U+FDD0 …);
  U+2028 and U+2029, which some tools count as line breaks and others not,
  so that lines would be numbered differently;
- refused as invisible and never needed in the guide's languages: ZERO
  WIDTH SPACE U+200B, WORD JOINER U+2060 and U+FEFF anywhere but at the
  start (a no-break space U+00A0 keeps words together; a soft hyphen
  U+00AD marks where a word may break);
- allowed: tab; ZERO WIDTH NON-JOINER U+200C and ZERO WIDTH JOINER U+200D (some
  scripts and emoji sequences need them), the bidirectional marks U+200E,
  U+200F and U+061C (they reorder nothing by themselves), and SOFT HYPHEN
  U+00AD (a legitimate hyphenation hint).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .. import sandbox
from ..errors import ContentError, Problem

MAX_REPORTED = 10  # refused characters listed per file; the rest are counted
BOM = "\ufeff"
_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
REFUSED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069"
    f"\ufeff\ufdd0-\ufdef{_NONCHARACTERS}]"
)
BIDI = "bidirectional controls can make text display in another order than it is stored: delete it"
HINTS = {
    "\r": "a carriage return alone is not a line end: save the file with LF or CRLF line ends",
    BOM: "a byte order mark belongs only at the very start of a file: delete it",
    "\u200b": "delete this invisible character; a soft hyphen U+00AD marks where a word may break",
    "\u2060": "delete this invisible character; a no-break space U+00A0 keeps words together",
    "\u2028": "use an ordinary line break",
    "\u2029": "use an ordinary line break; an empty line starts a paragraph",
}


def read(path: Path) -> str:
    """The checked text of a content file (BOM dropped, LF line ends), or a ContentError."""
    if not path.exists():
        raise ContentError([Problem(path, None, "file not found")])
    text = decode(sandbox.read_bytes(None, path), path)  # a regular file, not blocking, size capped
    found = problems(text, path)
    if found:
        raise ContentError(found)
    return text


def decode(data: bytes, path: Path) -> str:
    """``data`` as text: strict UTF-8, a leading BOM dropped, CRLF → LF."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        prefix = data[start : error.start].decode("utf-8")
        column = len(prefix.removeprefix(BOM) if start == 0 else prefix) + 1
        message = f"byte 0x{data[error.start]:02x} is not valid UTF-8"
        raise ContentError([Problem(path, line, message, "save the file with UTF-8 encoding", column)]) from None
    return text.removeprefix(BOM).replace("\r\n", "\n")


def problems(text: str, path: Path, line_offset: int = 0) -> list[Problem]:
    """Every refused character of ``text`` (the first MAX_REPORTED listed), with line and column."""
    found: list[Problem] = []
    for count, match in enumerate(REFUSED.finditer(text)):
        start = text.rfind("\n", 0, match.start()) + 1
        line = text.count("\n", 0, match.start()) + 1 + line_offset
        column = match.start() - start + 1
        if count == MAX_REPORTED:
            more = len(REFUSED.findall(text, match.start()))
            message = f"{more} more refused characters from here on are not listed"
            found.append(Problem(path, line, message, "fix the ones listed, then check again", column))
            break
        found.append(_problem(path, line, column, match.group(), ""))
    return found


def value_problems(value: str, path: Path, line: int, column: int) -> list[Problem]:
    """Refused characters in a loaded value (an escape can make them), at the value's position."""
    return [_problem(path, line, column, char, " in this value") for char in dict.fromkeys(REFUSED.findall(value))]


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``; characters without a name get what they are."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if name:
        return f"{code} {name}"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"{code} (a lone surrogate)"
    if unicodedata.category(char) == "Cc":
        return f"{code} (a control character)"
    return f"{code} (a noncharacter)"


def _problem(path: Path, line: int, column: int, char: str, where: str) -> Problem:
    message = f"character {describe(char)}{where} is not allowed"
    return Problem(path, line, message, _hint(char), column)


def _hint(char: str) -> str:
    if char in HINTS:
        return HINTS[char]
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return BIDI
    if "\ud800" <= char <= "\udfff":
        return "write the character itself, not half of a \\u escape pair"
    if unicodedata.category(char) == "Cc":
        return "delete it: only tab and line breaks are allowed"
    return "delete it"
