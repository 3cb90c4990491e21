"""The scheduler pairs a print edition's book with the cover spread made beside it.

``schedule.run`` sends a settled edition's finish to one worker and its cover
spread, made for the book's page count, to another. These tests give it fake
plans and workers in this process, so that the pairing can be watched where a
real build cannot reach it: a cover made for a page count the book does not
have must never be published with it.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from press.build import schedule
from press.build.cache import CorruptEntry
from press.build.schedule import InlineExecutor, Lanes, run
from press.build.tasks import Finished, FinishTask


@pytest.fixture(autouse=True)
def _no_patience_overrun(monkeypatch):
    """A scheduler that waited for a future that never comes would hang the suite: cap it."""
    monkeypatch.setenv("PRESS_TIME_LIMIT_S", "5")


class SettledPlan:
    """An edition with every part laid out: it wants nothing more, only its finish."""

    def __init__(self) -> None:
        self.forgotten: list[Path] = []

    def wants(self) -> list[Any]:
        return []

    def forget(self, path: Path) -> None:
        self.forgotten.append(path)


def two_workers() -> Lanes:
    """The finish in this process, done as soon as it is sent; the cover on a thread of its own."""
    lanes = Lanes(1)
    lanes.lanes = [InlineExecutor(), ThreadPoolExecutor(max_workers=1)]
    lanes.queued = [0, 0]
    return lanes


def task(pages: int) -> FinishTask:
    return FinishTask(Path("."), None, None, (), (), "stamp", True, "<html>cover</html>", (), pages)  # type: ignore[arg-type]


def build(monkeypatch, books: list[int | Exception], covers: list[int]) -> tuple[dict, dict, SettledPlan]:
    """Run one print edition whose finishes give books of these page counts (or raise), with
    finish tasks made, one after another, for the page counts of ``covers``."""
    made = iter(covers)
    finished = iter(books)
    back = {"finish": 0, "cover": 0}  # what the scheduler has taken back so far
    changed = threading.Condition()
    asked = iter(range(len(covers)))

    def fake_finish(_: FinishTask) -> Finished:
        book = next(finished)
        if isinstance(book, Exception):
            raise book
        return Finished(b"%PDF book", book, None, ())

    def fake_cover(cover_task: FinishTask) -> bytes:
        """Every cover comes back after every finish, and each after the one before it."""
        nth = next(asked)
        with changed:
            changed.wait_for(lambda: back["finish"] == len(books) and back["cover"] == nth, 5)
        return f"cover for {cover_task.pages}".encode()

    def seen(line: str) -> None:  # the scheduler's trace: "back print-es part finish lane=0"
        if taken := re.match(r"back \S+ part (finish|cover) ", line):
            with changed:
                back[taken[1]] += 1
                changed.notify_all()

    monkeypatch.setattr(schedule, "finish", fake_finish)
    monkeypatch.setattr(schedule, "cover", fake_cover)
    monkeypatch.setattr(schedule, "trace", seen)
    plan = SettledPlan()
    got: dict[str, Finished] = {}
    pool = two_workers()
    try:
        outcome = run(pool, 2, {"print-es": plan}, lambda _: task(next(made)), got.__setitem__)  # type: ignore[dict-item]
    finally:
        pool.shutdown()
    return got, outcome.failed, plan


def test_a_book_is_published_with_the_cover_made_for_its_page_count(monkeypatch):
    got, failed, _ = build(monkeypatch, books=[108], covers=[108])
    assert not failed
    assert got["print-es"].cover == b"cover for 108"
    assert got["print-es"].pdf == b"%PDF book"


def test_a_cover_made_for_another_page_count_fails_the_edition(monkeypatch):
    got, failed, _ = build(monkeypatch, books=[112], covers=[108])
    assert not got
    (problem,) = failed["print-es"].problems
    assert "its cover was made for 108 pages, the book has 112" in problem.message


def test_a_finish_made_again_waits_for_its_own_cover(monkeypatch):
    """A cache entry that went bad under the first finish: the edition is finished again, for
    another page count, and the first cover (for the old count) is not the one published."""
    bad = CorruptEntry(Path(".cache/parts/bad"))
    got, failed, plan = build(monkeypatch, books=[bad, 112], covers=[108, 112])
    assert not failed
    assert plan.forgotten == [bad.path]
    assert got["print-es"].cover == b"cover for 112"
