"""pandoc's AST → the project's Markdown: CommonMark, ``[^n]`` notes, ``:::`` parts, figures with ``{#id}``.

Written here rather than by pandoc's own writers, so that the output is exactly the dialect
``content/markdown.py`` reads: no raw HTML ever, one line a paragraph, notes numbered in the
order they are first cited (a note whose text repeats another's is the same note), and Word's
formatting without meaning (fonts, colours, underline, manual line breaks) dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

Block = dict[str, Any]
ESCAPED = re.compile(r"([\\`*_\[\]<>])")
ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=[-\s])|\d{1,9}(?=[.)](?:\s|$))|:::|=+\s*$)")
CAPTION_STYLES = ("caption", "image caption", "table caption", "figure caption")
CAPTION_NUMBER = re.compile(r"^\s*(figura|figure|fig\.|gráfico|imagen|image)\s*\d+\s*[.:—–-]?\s*", re.I)
NOTE_TEXT = re.compile(r"^\[\^([^\]]+)\]: (.*)$", re.M)
NOTE_CALL = re.compile(r"\[\^([^\]]+)\](?!:)")
MARKS = {"Emph": "*", "Strong": "**"}
PLAIN = ("Underline", "SmallCaps", "Strikeout", "Superscript", "Subscript", "Span", "Cite")


@dataclass
class Figure:
    src: str  # the extracted file, renamed by the caller (``media``)
    alt: str
    caption: str


@dataclass
class Writer:
    """One document's Markdown; ``media(src, alt, caption)`` gives an image's ``media/…`` name and figure id."""

    media: Callable[[str, str, str], tuple[str, str]]
    notes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    # Notes that share a text but are distinct in the chapter being re-imported: text → its
    # labels in the order they are cited there, so that each Word footnote finds its own again.
    repeats: dict[str, list[str]] = field(default_factory=dict)
    keys: list[tuple[str, str]] = field(default_factory=list)

    def remember(self, body: str) -> None:
        """Learn, from the chapter's current Markdown, which notes share a text yet are distinct."""
        texts = dict(NOTE_TEXT.findall(body))
        labels: dict[str, list[str]] = {}
        for label in NOTE_CALL.findall(body):
            labels.setdefault(texts.get(label, ""), []).append(label)
        self.repeats = {text: calls for text, calls in labels.items() if text and len(set(calls)) > 1}

    def body(self, blocks: list[Block]) -> str:
        text = self.blocks(blocks)
        if self.notes:
            lines = [
                f"[^{n}]: {note.replace(chr(10) * 2, chr(10) * 2 + '    ')}" for n, note in enumerate(self.notes, 1)
            ]
            text += "\n\n" + "\n".join(lines)
        return text.strip() + "\n"

    # Blocks

    def blocks(self, blocks: list[Block]) -> str:
        out: list[str] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            caption = _caption(following)
            image = _lone_image(block)
            if image is not None:
                out.append(("\n\n" if out else "") + self.figure(image, caption))
                index += 2 if caption is not None else 1
                continue
            text = self.block(block)
            if text.strip():
                tight = out and (out[-1].lstrip("\n").startswith("::: ") or text == ":::")
                out.append(("\n" if tight else "\n\n") + text if out else text)
            index += 1
        return "".join(out)

    def block(self, block: Block) -> str:
        kind, c = block["t"], block.get("c", [])
        c = cast(Any, c)
        if kind in ("Para", "Plain"):
            return self.paragraph(c)
        if kind == "Header":
            return "#" * min(6, c[0]) + " " + self.inlines(c[2]).strip()
        if kind == "PartOpen":
            return f"::: {c}"
        if kind == "PartClose":
            return ":::"
        if kind in ("BulletList", "OrderedList"):
            return self.listing(block)
        if kind == "BlockQuote":
            return "\n".join(("> " + line).rstrip() for line in self.blocks(c).splitlines())
        if kind == "Div":
            return self.blocks(c[1])
        if kind == "Figure":
            images = [i for b in c[2] if (i := _lone_image(b)) is not None]
            caption = _text_of(c[1][1])
            return "\n\n".join(self.figure(image, caption) for image in images)
        if kind == "Table":
            return self.table(c)
        if kind == "CodeBlock":
            info = "chart" if re.search(r"^id:.*$", c[1], re.M) and re.search(r"^data:", c[1], re.M) else ""
            return f"```{info}\n{c[1].rstrip()}\n```"
        if kind == "LineBlock":
            return "\n\n".join(self.paragraph(line) for line in c)
        if kind == "DefinitionList":
            return "\n\n".join(f"**{self.inlines(term).strip()}**: " + " ".join(self.blocks(d) for d in defs)
                               for term, defs in c)  # fmt: skip
        if kind == "HorizontalRule":
            return ""
        if kind == "RawBlock":
            self.dropped.append(f"raw {c[0]} dropped")
            return ""
        return ""

    def paragraph(self, inlines: list[Block]) -> str:
        text = re.sub(r"[ \t]+", " ", self.inlines(inlines)).strip()
        digits = LINE_START.match(text)
        if digits and digits.group()[0].isdigit():
            return digits.group() + "\\" + text[digits.end() :]  # "2018. Then" is not a list
        return "\\" + text if digits else text

    def listing(self, block: Block) -> str:
        ordered = block["t"] == "OrderedList"
        items = block["c"][1] if ordered else block["c"]
        start = block["c"][0][0] if ordered else 1
        out = []
        for number, item in enumerate(items, start):
            marker = f"{number}. " if ordered else "- "
            text = ""
            for part in item:  # a list inside an item follows its text without a blank line (tight)
                rendered = self.blocks([part])
                if rendered:
                    text += ("\n" if _is_list(part) else "\n\n") + rendered if text else rendered
            lines = text.splitlines() or [""]
            pad = " " * len(marker)
            out.append(marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:]))
        return "\n".join(out)

    def table(self, c: list[Any]) -> str:
        head = [row[1] for row in c[3][1]]
        body = [row[1] for b in c[4] for row in (*b[2], *b[3])] + [row[1] for row in c[5][1]]
        rows = [[self.cell(cell) for cell in row] for row in head + body]
        if any(cell[3] > 1 or cell[2] > 1 for row in head + body for cell in row):
            self.dropped.append("table: merged cells split (check the table)")
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|" + "|".join("-" * max(3, len(cell) + 2) for cell in rows[0]) + "|")
        caption = _text_of(c[1][1])
        return ("\n".join(lines)) + (f"\n\n{caption}" if caption else "")

    def cell(self, cell: list[Any]) -> str:
        parts = []
        for block in cell[4]:
            if block["t"] in ("Para", "Plain"):
                parts.append(self.paragraph(block["c"]))
            else:
                self.dropped.append(f"table cell: {block['t']} flattened to text")
                parts.append(" ".join(self.blocks([block]).split()))
        return " ".join(p for p in parts if p).replace("|", "\\|")

    def figure(self, image: Block, caption: str | None) -> str:
        alt = _text_of(image["c"][1]).strip()
        title = image["c"][2][1]
        caption = CAPTION_NUMBER.sub("", caption or title or "").strip()
        name, figure_id = self.media(image["c"][2][0], alt, caption)
        if not caption:
            self.dropped.append(f"image {name}: no caption (write one under the image in Word, style Caption)")
        quoted = caption.replace("\\", "\\\\").replace('"', '\\"')
        return f'![{_escape(alt)}]({name} "{quoted}"){{#{figure_id}}}'

    # Inlines

    def inlines(self, inlines: list[Block]) -> str:
        return "".join(self.inline(item) for item in inlines)

    def inline(self, item: Block) -> str:
        kind, c = item["t"], item.get("c", [])
        c = cast(Any, c)
        if kind == "Str":
            return _escape(c)
        if kind in ("Space", "SoftBreak", "LineBreak"):
            return " "
        if kind in MARKS:
            return _wrap(self.inlines(c), MARKS[kind])
        if kind in PLAIN:
            return self.inlines(c[1] if kind in ("Span", "Cite") else c)
        if kind == "Quoted":
            opening, closing = ("“", "”") if c[0]["t"] == "DoubleQuote" else ("‘", "’")
            return opening + self.inlines(c[1]) + closing
        if kind == "Code":
            return "`" + c[1].replace("`", "'") + "`"
        if kind == "Math":
            return _escape(c[1])
        if kind == "Link":
            return self.link(c)
        if kind == "Note":
            return self.note(c)
        if kind == "Image":
            self.dropped.append("an image inside a line of text was moved to a paragraph of its own")
            return ""
        if kind == "RawInline":
            self.dropped.append(f"raw {c[0]} dropped")
        return ""

    def link(self, c: list[Any]) -> str:
        text, url = self.inlines(c[1]).strip(), c[2][0]
        if url.startswith("#"):
            target = url[1:]
            return f"[](#{target})" if target.startswith(("fig-", "chart-")) else text
        if url.startswith("www."):
            url = "https://" + url
        if not url.startswith(("https://", "http://", "mailto:")):
            self.dropped.append(f"link to {url[:40]!r} dropped (only web and e-mail links)")
            return text
        url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{text}]({url})" if text else f"[{_escape(url)}]({url})"

    def note(self, blocks: list[Block]) -> str:
        sub = Writer(self.media, self.notes, self.dropped, self.repeats, self.keys)
        text = sub.blocks(_strip_note_mark(blocks)).strip()
        queue = self.repeats.get(text)
        label = queue.pop(0) if queue else next((k[1] for k in reversed(self.keys) if k[0] == text), "")
        if (text, label) not in self.keys:
            self.keys.append((text, label))
            self.notes.append(text)
        return f"[^{self.keys.index((text, label)) + 1}]"


def _escape(text: str) -> str:
    return ENTITY.sub("\\&", ESCAPED.sub(r"\\\1", text))


def _wrap(text: str, mark: str) -> str:
    """``**bold **`` is not bold in CommonMark: spaces go outside the marks."""
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _is_list(block: Block) -> bool:
    while block["t"] == "Div" and len(block["c"][1]) == 1:
        block = block["c"][1][0]
    return block["t"] in ("BulletList", "OrderedList")


def _lone_image(block: Block | None) -> Block | None:
    if block is None:
        return None
    if block["t"] == "Div" and len(block["c"][1]) == 1:
        return _lone_image(block["c"][1][0])
    if block["t"] not in ("Para", "Plain"):
        return None
    items = [i for i in block["c"] if i["t"] not in ("Space", "SoftBreak", "LineBreak")]
    return items[0] if len(items) == 1 and items[0]["t"] == "Image" else None


def _caption(block: Block | None) -> str | None:
    """The text of a paragraph in a caption style, as Word writes one under a picture."""
    if block is None or block["t"] != "Div":
        return None
    style = dict(block["c"][0][2]).get("custom-style", "").casefold()
    return _text_of(block["c"][1]) if style in CAPTION_STYLES else None


def _strip_note_mark(blocks: list[Block]) -> list[Block]:
    """Word starts a note's text with its own reference mark (and a space): not part of the text."""

    def clean(block: Block) -> Block:
        if block["t"] == "Div":
            return {"t": "Div", "c": [block["c"][0], [clean(b) for b in block["c"][1]]]}
        if block["t"] in ("Para", "Plain"):
            items = list(block["c"])
            while items and (
                items[0]["t"] in ("Space", "SoftBreak") or (items[0]["t"] == "Span" and not items[0]["c"][1])
            ):
                items.pop(0)
            return {"t": block["t"], "c": items}
        return block

    return [clean(blocks[0]), *blocks[1:]] if blocks else blocks


def _text_of(node: Any) -> str:
    """Plain text of any AST fragment (for alt text, captions and headings)."""
    if isinstance(node, list):
        return "".join(_text_of(item) for item in node)
    if not isinstance(node, dict):
        return ""
    kind, c = node.get("t"), node.get("c", [])
    c = cast(Any, c)
    if kind == "Str":
        return str(c)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Note", "Image"):
        return ""
    if kind in ("Link", "Span", "Cite", "Quoted", "Div"):
        return _text_of(c[1])
    if kind in ("Header",):
        return _text_of(c[2])
    if kind in ("Code", "Math"):
        return str(c[1])
    return _text_of(c) if isinstance(c, list) else ""


text_of = _text_of
