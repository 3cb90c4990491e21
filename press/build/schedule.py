"""Keep every worker busy until every edition is settled and finished.

The parent holds one ``EditionPlan`` per edition and a process pool. Each
turn it asks every plan what it still needs, sends the parts whose first
page number is certain first (from any edition), then, while workers
would otherwise wait, parts laid out on a guess (``plan.py``), one task per
part at a time. A
settled edition is finished in a worker too: assembly and preflight, and
a print edition's cover spread at the same time in another worker. Parts
laid out on an old guess get a second guess only when nothing else is
left to send. With one job everything runs in this process, in the same
order.

Each worker is a lane of its own (a one-process pool), so that a part
asked for again with other page numbers goes back to the worker that laid
it out and keeps it, which renumbers it instead of laying it out again
(``press/pdf/layout.py``, ``renumber.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import PressError, Problem, RenderError
from .cache import CorruptEntry
from .limits import LimitExceeded, Limits
from .plan import EditionPlan, Want
from .tasks import Finished, FinishTask, cover, finish, lay_out_part, warm
from .trace import trace


class InlineExecutor(Executor):
    """Runs each task at once, here: ``--jobs 1``, and tracebacks in the debugger."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future, like a pool does
            future.set_exception(error)
        return future


class Lanes(Executor):
    """Worker processes that tasks can be sent to by number (``submit_to``), or to the least busy."""

    def __init__(self, jobs: int, scratch: Path | None = None) -> None:
        self.lanes: list[Executor] = (
            [InlineExecutor()]
            if jobs <= 1
            else [
                ProcessPoolExecutor(max_workers=1, initializer=_use_scratch, initargs=(scratch,)) for _ in range(jobs)
            ]
        )
        self.queued = [0] * len(self.lanes)

    def __len__(self) -> int:
        return len(self.lanes)

    def submit_to(self, lane: int, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.queued[lane] += 1
        future = self.lanes[lane].submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self._done(lane))
        return future

    def _done(self, lane: int) -> None:
        self.queued[lane] -= 1

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.submit_to(self.queued.index(min(self.queued)), fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for lane in self.lanes:
            lane.shutdown(wait=wait, cancel_futures=cancel_futures)


def _use_scratch(scratch: Path | None) -> None:
    """A worker's temporary files go to the build's scratch folder, which the parent removes.

    WeasyPrint writes each font it loads into a folder of its own and removes it when the font
    configuration is collected, which never happens in a worker: it ends without collecting."""
    if scratch is not None:
        tempfile.tempdir = str(scratch)


SCRATCH = re.compile(r"press-build-(\d+)-[^/]+")
ABANDONED_AFTER_S = 24 * 3600  # a build's own folder changes at least this often while it runs


def _remove_abandoned(folder: Path) -> None:
    """Remove the scratch folders of builds killed outright (SIGKILL: nothing of theirs could
    clean up): folders of ours, named for a process that is gone, and not changed for a day (the
    process may live in another process namespace that shares the temporary folder)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        found = SCRATCH.fullmatch(entry.name)
        if found is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        ours = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
        if ours and time.time() - info.st_mtime > ABANDONED_AFTER_S and not _running(int(found[1])):
            shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


@contextmanager
def executor(jobs: int) -> Iterator[Lanes]:
    _remove_abandoned(Path(tempfile.gettempdir()))
    scratch = Path(tempfile.mkdtemp(prefix=f"press-build-{os.getpid()}-")) if jobs > 1 else None
    lanes = Lanes(jobs, scratch)
    try:
        if jobs > 1:
            for lane in range(jobs):  # start the workers now: they load WeasyPrint while this process plans
                lanes.submit_to(lane, warm)
        yield lanes
    finally:
        lanes.shutdown()
        if jobs <= 1:
            from ..pdf.layout import forget_kept, forget_renderers

            forget_kept()  # the parts this process kept belong to this build only
            forget_renderers()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


@dataclass
class Outcome:
    finished: dict[str, Finished]
    failed: dict[str, PressError]


def run(
    pool: Lanes,
    jobs: int,
    plans: dict[str, EditionPlan],
    finish_task: Callable[[EditionPlan], FinishTask],
    on_finished: Callable[[str, Finished], None],
) -> Outcome:
    """Lay out, settle and finish every plan; ``on_finished`` sees each edition as it is done."""
    pending: dict[Future[Any], tuple[str, Want | None]] = {}  # a part, or (None) an edition's finish
    covers: dict[Future[Any], tuple[str, int]] = {}  # a print edition's cover spread (for N pages), made
    # beside its finish; then the book whose cover is not back yet, and the cover whose book is not
    halves: dict[str, Finished] = {}
    made: dict[str, tuple[int, bytes]] = {}
    lane_of: dict[Future[Any], int] = {}
    holder: dict[str, int] = {}  # layout key → the lane that keeps that part laid out
    finishing: set[str] = set()
    outcome = Outcome({}, {})
    patience = Limits.from_environment().seconds * 1.5 + 30  # workers stop themselves well before

    def fail(name: str, error: PressError) -> None:
        outcome.failed[name] = error

    def complete(name: str) -> None:
        """Hand on an edition once its book, and its cover when made apart, are both done (a
        cover made before its edition was finished again, for another page count, is not its)."""
        if name not in halves or (name in awaited and name not in made):
            return
        done = halves.pop(name)
        if name in awaited:
            pages, spread = made.pop(name)
            if pages != done.pages:
                if all(other != name for other, _ in covers.values()):
                    message = f"edition {name!r}: its cover was made for {pages} pages, the book has {done.pages}"
                    fail(name, RenderError([Problem(None, None, message, "run the build again")]))
                else:
                    halves[name] = done  # the cover for this page count is on its way
                return
            done = replace(done, cover=spread)
        outcome.finished[name] = done
        on_finished(name, done)

    awaited: set[str] = set()  # editions whose cover is made apart

    while True:
        busy = {(name, task.index) for name, task in pending.values() if task is not None}
        exact: list[Want] = []
        guesses: list[Want] = []
        again: list[Want] = []
        for name, plan in plans.items():
            if name in outcome.failed or name in finishing:
                continue
            try:
                wants = plan.wants()
                if not wants:
                    finishing.add(name)
                    task = finish_task(plan)
                    free = _free_lanes(len(pool), lane_of)
                    lane = free[0] if free else pool.queued.index(min(pool.queued))
                    if task.cover_html is not None and len(pool) > 1:  # the cover on another worker, at once
                        others = [n for n in range(len(pool)) if n != lane]
                        beside = free[1] if len(free) > 1 else min(others, key=pool.queued.__getitem__)
                        future = pool.submit_to(beside, cover, task)
                        covers[future], lane_of[future] = (name, task.pages), beside
                        awaited.add(name)
                        task = replace(task, cover_html=None)
                    future = pool.submit_to(lane, finish, task)
                    pending[future], lane_of[future] = (name, None), lane
                    continue
            except PressError as error:
                fail(name, error)
                continue
            for want in wants:
                if (name, want.index) not in busy and not want.wait:
                    (exact if want.placed and not want.again else again if want.again else guesses).append(want)
        free = _free_lanes(len(pool), lane_of)
        # Guesses fill every worker that no certain part needs: a chain of chapters behind a contents
        # whose numbers are not known yet would otherwise leave a worker idle (measured: 2 s of 17 s).
        for want in exact + _guess_order(guesses, jobs) + again:
            if not free:
                break
            keeper = holder.get(want.layout_key)
            if keeper is not None and keeper not in free and want.placed:
                continue  # its worker renumbers it in a fraction of a layout: wait for that worker
            lane = keeper if keeper in free else free[0]
            free.remove(lane)
            if want.again:
                plans[want.edition].guessed_again.add(want.layout_key)
            trace(f"send {want.edition} part {want.index} exact={want.exact} offset={want.task.offset} lane={lane}")
            future = pool.submit_to(lane, lay_out_part, want.task, want.key)
            pending[future], lane_of[future] = (want.edition, want), lane
        if not pending and not covers:
            return outcome
        done, _ = wait([*pending, *covers], timeout=patience, return_when=FIRST_COMPLETED)
        if not done:  # a worker stuck where its own alarm cannot reach it (inside a C library)
            _stop_workers(pool)
            for name in {e for e, _ in pending.values()} | {e for e, _ in covers.values()}:
                message = f"edition {name!r}: no answer from a worker in {patience:.0f} s; stopped"
                fail(name, LimitExceeded([Problem(None, None, message, "--time-limit raises the cap")]))
            return outcome
        for future in done:
            sent: Want | None = None
            if made_apart := future in covers:
                name, pages = covers.pop(future)
            else:
                name, sent = pending.pop(future)
            lane = lane_of.pop(future)
            trace(f"back {name} part {'cover' if made_apart else sent.index if sent else 'finish'} lane={lane}")
            if name in outcome.failed or (sent is not None and name in finishing):
                continue  # a guess that came back after its edition settled
            try:
                result = future.result()
                if sent is None:
                    if made_apart:
                        made[name] = (pages, result)
                    else:
                        halves[name] = result
                    complete(name)
                else:
                    if result[1].renumberable:
                        holder[sent.layout_key] = lane
                    plans[name].accept(sent, *result)
                    for plan in plans.values():
                        plan.cache_changed()
            except CorruptEntry as error:  # a part's cache entry went bad before assembly: lay it out again
                plans[name].forget(error.path)
                finishing.discard(name)
            except PressError as error:
                fail(name, error)
            except BrokenProcessPool:  # killed (by the kernel when out of memory, or by a signal)
                running = {e for e, _ in pending.values()} | {e for e, _ in covers.values()}
                for other in {name, *running, *plans} - set(outcome.finished):
                    fail(other, RenderError([Problem(None, None, f"edition {other!r}: a worker process stopped "
                                                     "abruptly (out of memory, or killed)",
                                                     "--memory-limit sets the cap per worker")]))  # fmt: skip
                return outcome


def _guess_order(guesses: list[Want], jobs: int) -> list[Want]:
    """Parts to lay out on a guess, in reading order (so that most are placed by the parts before
    them), but the largest first once it is as large as what the other workers have left to do beside it:
    started last, it alone would decide when the book is done."""
    ordered = sorted(guesses, key=lambda w: (w.edition, w.index))
    if len(ordered) > 1:
        largest = max(ordered, key=lambda w: w.size)
        if largest.size * max(1, jobs - 1) >= sum(w.size for w in ordered) - largest.size:
            ordered.remove(largest)
            ordered.insert(0, largest)
    return ordered


def _free_lanes(lanes: int, lane_of: dict[Future[Any], int]) -> list[int]:
    busy = set(lane_of.values())
    return [lane for lane in range(lanes) if lane not in busy]


def _stop_workers(pool: Lanes) -> None:
    for lane in pool.lanes:
        processes = getattr(lane, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
