"""The page numbers of one edition, iterated until they settle.

An edition's HTML is cut into parts (``press/pdf/parts.py``). A part's
layout is fixed by its own HTML and the edition's styles; its rendering
also needs its first page number and the page numbers of what it refers to
in other parts (the contents; cross-references). Those come from the
layouts of the parts before it and of the parts it refers to, so:

1. plan with what is known: parts laid out in this build, then what the
   cache remembers of a part with the same layout key (its page count and
   anchors), then of the same part before its last edit or a change of
   styles, then an estimate from the length of its HTML;
2. a part whose rendering key (layout key + first page + referenced page
   numbers) is cached is reused; the others are laid out, those whose
   numbers are all known first (*exact*), the rest only when a worker would
   otherwise wait: a first layout, which gives the part's page count, and
   once more with the numbers of the moment, after every other kind of work
   (*speculative*: cached, and reused if the guess was right);
3. with each result, plan again; the edition is settled when every part has
   been laid out with the numbers the others' layouts give. A part laid out
   more than ``MAX_RENDERS`` times with certain numbers means the numbers do
   not settle (a contents that changes length with its own numbers): an error;
   so is one laid out more than ``MAX_TRIES`` times in all (a cache that loses
   what workers write), so that a plan always ends.

A part must begin on a page of a forced side (``parts.py``); when a laid-out
part shows that it did not, it is joined to the part before it, and the
cache remembers that boundary for the next build.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..content.model import Edition
from ..errors import Problem, RenderError
from ..pdf import parts as cut
from ..pdf.partdata import FORCED, PartLayout, PartTask
from .cache import CorruptEntry, Store

MAX_RENDERS = 4
MAX_TRIES = 3 * MAX_RENDERS  # guesses and results the cache lost included: a plan always ends
DEFAULT_CHARS_PER_PAGE = 2600  # of HTML (the shipped guide: 2,620), before any part is laid out
# What a tag (start or end) costs to lay out, in characters of text: measured on the shipped guide, a
# list of 800 short references takes three times as long as a practice of half its length.
ELEMENT_COST = 170


def layout_cost(html: str) -> int:
    """What laying out ``html`` is expected to cost, in characters: its length and its tags."""
    return len(html) + ELEMENT_COST * html.count("<")


def whole_spreads(pages: float) -> int:
    """The even page count nearest to ``pages``, at least 2. A part that opens on a right-hand page
    ends on a left-hand one, so the pages of the sample an estimate is made from are whole spreads,
    and so is the estimate: rounding to pages and then up to an even count guessed 8 for a practice
    of 6.8 pages' worth, where 6 is right (one part in three of the shipped editions was misplaced)."""
    return 2 * max(1, math.floor(pages / 2 + 0.5))


def digest(*items: str) -> str:
    hasher = hashlib.sha256()
    for item in items:
        hasher.update(item.encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


@dataclass
class Done:
    key: str  # the rendering key it was laid out with
    path: Path  # its cache entry
    layout: PartLayout


@dataclass
class Want:
    """A part to lay out, and the task that does it."""

    edition: str
    index: int
    layout_key: str
    key: str
    exact: bool  # laid out with numbers that are all certain
    placed: bool  # its first page number is certain (only numbers it may print are not)
    task: PartTask
    wait: bool = False  # a guess for a part laid out before: its page count is known, wait for the numbers
    again: bool = False  # a second guess, with the numbers of now: only for a worker with nothing else to do
    numbers: dict[str, int] = field(default_factory=dict)  # the page number given to each of its refs
    size: int = 0  # what its layout is expected to cost (``layout_cost``)


@dataclass
class EditionPlan:
    edition: Edition
    root: Path
    book: cut.Book
    base_key: str  # styles, fonts, settings and versions: everything but the HTML
    store: Store
    strict: bool
    fonts: object  # FontSet | None, passed to workers
    whole: bool = False  # lay out as one part (no assembly)
    first_page_rules: bool = False  # the stylesheets style the book's first page (parts need a lead)
    starts: set[int] = field(default_factory=set)
    parts: list[cut.Part] = field(default_factory=list)
    layout_keys: list[str] = field(default_factory=list)
    done: dict[int, Done] = field(default_factory=dict)
    renders: dict[str, int] = field(default_factory=dict)  # layout key → times laid out with certain numbers
    tries: dict[str, int] = field(default_factory=dict)  # layout key → times laid out at all (guesses too)
    laid_out: int = 0  # layouts made in this build (a part may be laid out again when its numbers move)
    renumbered: int = 0  # of those, parts renumbered by the worker that kept them (``renumber.py``)
    reused: int = 0  # parts taken from the cache
    notes: dict[str, PartLayout | None] = field(default_factory=dict)  # the cache's notes, read once a build
    missing: set[str] = field(default_factory=set)  # rendering keys the cache did not hold when asked
    guessed_again: set[str] = field(default_factory=set)  # layout keys given their one second guess
    colours: tuple[str, ...] = ()  # the real colour of each stand-in its parts are laid out with (``pdf/colours.py``)

    def __post_init__(self) -> None:
        skeleton = "\n".join(unit.start_tag for unit in self.book.units)
        self.bounds_key = "bounds-" + digest(self.base_key, skeleton)
        # Where the edition could not be cut with other styles: a cut the styles now allow is
        # then not made (a larger part, laid out right all the same), one they refuse is found.
        self.bounds_hint_key = "bounds-hint-" + digest(self.edition.name, skeleton)
        if self.whole:
            self.starts = {0}
        else:
            refused = self.store.get_json(self.bounds_key)
            if refused is None:
                refused = self.store.get_json(self.bounds_hint_key)
            self.starts = set(range(len(self.book.units))) - set(refused or [])
        self._regroup()

    def _regroup(self) -> None:
        self.parts = cut.group(self.book, self.starts)
        self.layout_keys = []
        for part in self.parts:
            html, _, _ = cut.document(self.book, part, self.parts, 0, {}, self.first_page_rules)
            self.layout_keys.append(digest(self.base_key, html))
        self.done = {}

    # What is known of each part's layout: this build's, the cache's notes, or an estimate.
    def _known(self, index: int) -> tuple[PartLayout | None, bool]:
        done = self.done.get(index)
        if done is not None:
            return done.layout, True
        key = self.layout_keys[index]
        if key not in self.notes:
            note = self.store.get_json("count-" + key) or self.store.get_json(self._hint_key(index))
            self.notes[key] = None if note is None else PartLayout.from_json(note)
        return self.notes[key], False

    def _hint_key(self, index: int) -> str:
        """The part as a person knows it (edition, first element, length in elements), whatever its
        text and styles: its last layout is the best guess of its page count after an edit, until
        the part is laid out again (a guess only: every part is laid out with its real numbers)."""
        part = self.parts[index]
        return "hint-" + digest(self.edition.name, self.book.units[part.first].start_tag, str(part.last - part.first))

    def numbers(self) -> tuple[list[int], dict[str, int], list[bool]]:
        """Each part's first page, every anchor's page, and whether a part's first page is certain."""
        offsets, anchors, certain = [], {}, []
        offset, sure = 1, True
        for index, part in enumerate(self.parts):
            offsets.append(offset)
            certain.append(sure)
            layout, exact = self._known(index)
            if layout is None:
                sure = False
                pages = self._estimate(index)
                for name in part.ids:
                    anchors[name] = offset
            else:
                sure = sure and exact
                pages = layout.pages
                for name, page in layout.anchors.items():
                    anchors[name] = offset + page
            offset += pages
        return offsets, anchors, certain

    def _estimate(self, index: int) -> int:
        """A part's page count before its first layout: as long, per character, as the parts
        laid out so far that open with the same kind of element (a practice like a practice),
        else with the same element and first class (a practice like a front chapter), else as
        long as the default (a cover or a divider says nothing of a contents)."""
        done = [(len(self.parts[i].body), d.layout.pages, self._kind(i)) for i, d in self.done.items()]
        kind = self._kind(index)
        for alike in (lambda k: k == kind, lambda k: k.split()[:2] == kind.split()[:2]):
            sample = [(c, n) for c, n, k in done if alike(k)]
            if sample:
                per_page = sum(c for c, _ in sample) / max(1, sum(n for _, n in sample))
                break
        else:
            per_page = DEFAULT_CHARS_PER_PAGE
        return whole_spreads(len(self.parts[index].body) / per_page)

    def _kind(self, index: int) -> str:
        """The start tag of a part's first element without its id: ``<section class="chapter practice"``."""
        return self.book.units[self.parts[index].first].start_tag.split(" id=")[0]

    def wants(self) -> list[Want]:
        """The parts still to lay out, with the numbers known now (none when settled)."""
        offsets, anchors, certain = self.numbers()
        owner = {name: i for i, part in enumerate(self.parts) for name in part.ids}
        wants = []
        for index, part in enumerate(self.parts):
            known, _ = self._known(index)
            numbered = None if known is None else set(known.numbered)
            html, css, lead, key = self._document(index, offsets[index], anchors, numbered)
            done = self.done.get(index)
            if done is not None and done.key == key:
                continue
            cached = None if key in self.missing else self.store.get_part(key)
            if cached is None:
                self.missing.add(key)  # asked again each turn while the part is being laid out
            else:
                self.reused += 1
                self._accept(index, key, *cached)
                return self.wants()  # what it teaches may change the numbers of the parts after it
            printed = part.refs if numbered is None else [r for r in part.refs if r in numbered]
            exact = certain[index] and all(r in owner and owner[r] in self.done for r in printed)
            task = PartTask(
                root=self.root,
                edition=self.edition,
                fonts=self.fonts,  # type: ignore[arg-type]
                html=html,
                css=css,
                strict=self.strict,
                lead=lead,
                refs=part.refs,
                unit_tag=self.book.units[part.first].tag,
                offset=offsets[index],
                styles_key=self.base_key,
                cache=self.store.folder,
                layout_key=self.layout_keys[index],
                colours=self.colours,
            )
            # Guess a first layout: it gives the part's page count, and it is kept if right. A part laid
            # out before is guessed once more, at the numbers of now, by a worker that would otherwise
            # wait (the notes of a book while its contents is laid out: right unless the contents grows).
            again = not exact and done is not None
            wait = again and self.layout_keys[index] in self.guessed_again
            numbers = {r: anchors.get(r, offsets[index]) for r in part.refs}
            want = Want(
                self.edition.name,
                index,
                self.layout_keys[index],
                key,
                exact,
                certain[index],
                task,
                wait,
                again and not wait,
                numbers,
                layout_cost(part.body),
            )
            wants.append(want)
        return wants

    def _document(
        self, index: int, offset: int, anchors: dict[str, int], numbered: set[str] | None
    ) -> tuple[str, str, bool, str]:
        """The part's document and its rendering key. Anchors it only links to (not printing
        their page numbers) go on an anchor page numbered like its own first page, so that
        their numbers do not enter the key: a part's links change nothing of its pages."""
        part = self.parts[index]
        view = {r: anchors.get(r, offset) if numbered is None or r in numbered else offset for r in part.refs}
        html, css, lead = cut.document(self.book, part, self.parts, offset, view, self.first_page_rules)
        return html, css, lead, digest(self.layout_keys[index], css)

    def accept(self, want: Want, path: Path, layout: PartLayout) -> None:
        """A laid-out part came back (it is already in the cache at ``path``)."""
        if want.index >= len(self.parts) or self.layout_keys[want.index] != want.layout_key:
            return  # the parts were regrouped meanwhile: this result belongs to an older plan
        self.laid_out += not layout.renumbered
        self.renumbered += layout.renumbered
        count = self.renders[want.layout_key] = self.renders.get(want.layout_key, 0) + want.exact
        tries = self.tries[want.layout_key] = self.tries.get(want.layout_key, 0) + 1
        if count > MAX_RENDERS or tries > MAX_TRIES:
            where = self.book.units[self.parts[want.index].first].start_tag
            if count > MAX_RENDERS:
                message = f"edition {self.edition.name!r}: the page numbers do not settle around {where!r}"
                hint = "a contents or cross-reference changes length with its own numbers; build with --whole"
            else:
                message = f"edition {self.edition.name!r}: laid out {where!r} {tries} times, and the cache lost it"
                hint = "check that .cache/parts is writable and not shared with another machine; --whole avoids it"
            raise RenderError([Problem(None, None, message, hint)])
        # Its key, now that it is known which refs' numbers it prints: the same part laid out
        # again with other numbers for links only would give the same pages.
        _, _, _, key = self._document(want.index, layout.offset, want.numbers, set(layout.numbered))
        if key != want.key:
            try:
                path = self.store.rekey_part(path, want.key, key)
            except (OSError, CorruptEntry):
                return  # the entry went bad meanwhile: the part is laid out again
        self._accept(want.index, key, path, layout)

    def cache_changed(self) -> None:
        """A worker wrote to the cache: what it lacked before may be there now (a part two editions share)."""
        self.missing.clear()
        self.notes = {key: note for key, note in self.notes.items() if note is not None}

    def forget(self, path: Path) -> None:
        """A cache entry this plan relied on turned out bad: lay that part out again."""
        self.done = {index: done for index, done in self.done.items() if done.path != path}

    def _accept(self, index: int, key: str, path: Path, layout: PartLayout) -> None:
        expected = cut.expected_first_index(layout.offset, layout.lead)
        if index > 0 and (layout.forced not in FORCED or layout.first_index != expected):
            # It did not open on a forced side: it depends on where the part before it ends.
            self.starts.discard(self.parts[index].first)
            refused = sorted(set(range(len(self.book.units))) - self.starts)
            self.store.put_json(self.bounds_key, refused)
            self.store.put_json(self.bounds_hint_key, refused)
            self._regroup()
            return
        self.done[index] = Done(key, path, layout)
        self.store.put_json("count-" + self.layout_keys[index], layout.to_json())
        self.store.put_json(self._hint_key(index), layout.to_json())

    def settled(self) -> bool:
        return len(self.done) == len(self.parts) and not self.wants()

    def pages(self) -> int:
        return sum(d.layout.pages for d in self.done.values())
