"""Approved pages: a small record per edition, and what changed since.

``approved/<edition>/pages.json`` holds, per page, a perceptual fingerprint
(a difference hash of a small grey render, ``pictures.py``) and the page's
text; ``approved/<edition>/thumbnails.jpg`` is one grey sprite of every page,
``THUMB`` pixels wide, for the diff report. Pages are matched by content with
a sequence alignment over their text (folios left out), so a page inserted in
chapter 3 marks that page as added, not every later page as changed.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from PIL import Image

from ...errors import PressError, Problem
from . import pictures

THUMB = 100  # pixels wide, each page in the sprite
COLUMNS = 12  # pages per row of the sprite
CHANGED_BITS = 10  # fingerprint bits (of 256) that may differ on a page whose text did not change
VERSION = 1
FOLIO = re.compile(r"^\s*[0-9ivxlcdm]{1,6}\s*$", re.IGNORECASE | re.MULTILINE)  # a number alone on its line


@dataclass
class PageRecord:
    text: str
    hash: str

    @property
    def key(self) -> str:
        """What aligns pages: the text, without folios (which move when a page is added before)."""
        flat = " ".join(FOLIO.sub("", self.text).split())
        return hashlib.sha256(flat.encode()).hexdigest()[:16]


@dataclass
class Change:
    kind: str  # changed | added | removed
    old: int | None  # 0-based page of the approved record
    new: int | None  # 0-based page of the new build


def pages_of(pdf: bytes) -> tuple[list[PageRecord], list[Image.Image]]:
    records, images = [], []
    for image, text in pictures.rasterise(pdf, THUMB * 2, grey=True):
        small = image.resize((THUMB, round(image.height * THUMB / image.width)), Image.Resampling.LANCZOS)
        records.append(PageRecord(" ".join(text.split()), pictures.difference_hash(image)))
        images.append(small)
    return records, images


def write(folder: Path, edition: str, pdf: bytes) -> tuple[int, int]:
    """Record ``pdf`` as the approved pages of ``edition``; gives the page count and the bytes written."""
    records, images = pages_of(pdf)
    folder.mkdir(parents=True, exist_ok=True)
    data = {"version": VERSION, "edition": edition, "thumb": THUMB, "columns": COLUMNS,
            "pages": [{"hash": r.hash, "text": r.text} for r in records]}  # fmt: skip
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    (folder / "pages.json").write_text(text, encoding="utf-8")
    sprite = _sprite(images)
    buffer = io.BytesIO()
    sprite.save(buffer, "JPEG", quality=60, optimize=True)
    (folder / "thumbnails.jpg").write_bytes(buffer.getvalue())
    return len(records), len(text.encode()) + len(buffer.getvalue())


def read(folder: Path) -> tuple[list[PageRecord], list[Image.Image]]:
    path = folder / "pages.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        records = [PageRecord(page["text"], page["hash"]) for page in data["pages"]]
        sprite = Image.open(folder / "thumbnails.jpg")
        sprite.load()
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PressError([Problem(path, None, f"the approved record cannot be read ({error})",
                                  "approve the edition again: python build.py approve EDITION")]) from None  # fmt: skip
    height = sprite.height // max(1, -(-len(records) // data["columns"]))
    thumbs = []
    for index in range(len(records)):
        x, y = (index % data["columns"]) * data["thumb"], (index // data["columns"]) * height
        thumbs.append(sprite.crop((x, y, x + data["thumb"], y + height)))
    return records, thumbs


def compare(old: list[PageRecord], new: list[PageRecord]) -> list[Change]:
    """The pages that changed, were added or removed, pages matched by their text."""
    matcher = difflib.SequenceMatcher(None, [p.key for p in old], [p.key for p in new], autojunk=False)
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if pictures.distance(old[i].hash, new[j].hash) > CHANGED_BITS:
                    changes.append(Change("changed", i, j))
            continue
        paired = min(i2 - i1, j2 - j1)
        changes += [Change("changed", i1 + k, j1 + k) for k in range(paired)]
        changes += [Change("removed", i, None) for i in range(i1 + paired, i2)]
        changes += [Change("added", None, j) for j in range(j1 + paired, j2)]
    return changes


def summary(changes: list[Change]) -> str:
    if not changes:
        return "no page changed"
    counts = {kind: sum(c.kind == kind for c in changes) for kind in ("changed", "added", "removed")}
    return ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)


def label(change: Change) -> str:
    old = f"approved page {change.old + 1}" if change.old is not None else ""
    new = f"new page {change.new + 1}" if change.new is not None else ""
    return f"{change.kind}: " + " → ".join(part for part in (old, new) if part)


def _sprite(images: list[Image.Image]) -> Image.Image:
    height = max(image.height for image in images)
    rows = -(-len(images) // COLUMNS)
    sprite = Image.new("L", (COLUMNS * THUMB, rows * height), 255)
    for index, image in enumerate(images):
        sprite.paste(image, ((index % COLUMNS) * THUMB, (index // COLUMNS) * height))
    return sprite


STYLE = """body { font: 15px/1.45 system-ui, sans-serif; color: #1d2733; margin: 2rem auto; max-width: 70rem;
padding: 0 1.5rem; } h1 { font-size: 1.6rem; } .change { border-top: 1px solid #dde2e8; padding: 1rem 0; }
.change h2 { font-size: 1rem; margin: 0 0 .6rem; } .row { display: flex; gap: 1.5rem; }
figure { margin: 0; } figure img { width: 200px; box-shadow: 0 1px 4px #0003; background: white; }
figcaption { color: #55606d; font-size: .85rem; } .none { width: 200px; height: 258px; border: 1px dashed #bbb; }
.ok { color: #1f7a3a; font-weight: 600; } .bad { color: #b42323; font-weight: 600; }"""


def html(edition: str, changes: list[Change], old: list[Image.Image], new: list[Image.Image], pages: int) -> str:
    verdict = (
        "<span class='ok'>no page changed</span>" if not changes else f"<span class='bad'>{summary(changes)}</span>"
    )
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Diff: {escape(edition)}</title>"
             f"<style>{STYLE}</style></head><body><h1>{escape(edition)} against its approved pages</h1>"
             f"<p>{pages} pages · {verdict}</p>"]  # fmt: skip
    for change in changes:
        before = old[change.old] if change.old is not None else None
        after = new[change.new] if change.new is not None else None
        cells = [_figure(before, "approved"), _figure(after, "new")]
        if before is not None and after is not None:
            cells.append(_figure(pictures.difference(before, after), "difference (red: changed)"))
        parts.append(f"<section class='change'><h2>{escape(label(change))}</h2><div class='row'>{''.join(cells)}"
                     "</div></section>")  # fmt: skip
    return "\n".join([*parts, "</body></html>"])


def _figure(image: Image.Image | None, caption: str) -> str:
    if image is None:
        return f"<figure><div class='none'></div><figcaption>{escape(caption)}: none</figcaption></figure>"
    return f"<figure><img src='{pictures.data_url(image)}' alt=''><figcaption>{escape(caption)}</figcaption></figure>"
