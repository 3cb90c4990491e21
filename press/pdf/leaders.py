"""Dotted leaders drawn as one run of text instead of one text box per dot.

WeasyPrint fills a ``leader()`` with copies of its pattern, one text box
each, placed from the end of the line back to the text: a contents line of
the guide holds about a hundred of them, and each is shaped, drawn, written
and tagged on its own (the contents' two pages cost more than a chapter's
eight, two thirds of it in its dots). After WeasyPrint places the copies,
this module puts them back as one text box whose text is the pattern that
many times, at the place of the leftmost copy: the same glyphs at the same
places, drawn in one go. Where shaping the run would move a glyph (the
pattern kerns against itself, say), the copies stay as WeasyPrint made them.

Reaches into WeasyPrint's inline layout (pinned to one major version in
``pyproject.toml``) and is installed once, on import, in every process that
lays out (``weasy.py``): a whole render and a part's render draw the same.
"""

from __future__ import annotations

from typing import Any

import weasyprint.layout.inline
from weasyprint.formatting_structure import boxes
from weasyprint.layout.leader import leader_index
from weasyprint.text.line_break import split_first_line

_original_handle_leader = weasyprint.layout.inline.handle_leader
TOLERANCE = 0.01  # CSS px: how far the run's end may fall from where the last copy ended


def _handle_leader(context: Any, line: Any, containing_block: Any) -> None:
    _original_handle_leader(context, line, containing_block)
    _, leader = leader_index(line)
    if leader is not None and len(leader.children) > 1:
        merged = merge(context, leader.children)
        if merged is not None:
            leader.children = (merged,)


def merge(context: Any, copies: tuple[Any, ...]) -> Any | None:
    """One text box drawing ``copies`` (WeasyPrint's, rightmost first, each the pattern), or None
    when they are not plain equal copies or one run would not place its glyphs where they were."""
    first = copies[-1]  # the leftmost
    if not all(isinstance(box, boxes.TextBox) and box.text == first.text for box in copies):
        return None
    step = first.width
    for left, right in zip(copies[::-1], copies[-2::-1], strict=False):
        if abs(right.position_x - left.position_x - step) > TOLERANCE:
            return None
    text = first.text * len(copies)
    layout, length, resume, width, _, _ = split_first_line(
        text, first.style, context, None, first.justification_spacing, is_line_start=False
    )
    if length != len(text.encode()) or resume is not None or abs(width - step * len(copies)) > TOLERANCE:
        return None
    box = first.copy_with_text(text)
    box.pango_layout, box.width = layout, width
    box.position_x, box.position_y = first.position_x, first.position_y
    return box


weasyprint.layout.inline.handle_leader = _handle_leader  # iter_line_boxes calls it by this name
