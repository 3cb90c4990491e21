"""Keep every worker busy until every edition is settled and finished.

The parent holds one ``EditionPlan`` per edition and a process pool. Each
turn it asks every plan what it still needs, sends the parts whose first
page number is certain first (from any edition), then, while workers
would otherwise wait, parts laid out on a guess (``plan.py``), one task per
part at a time. A
settled edition is finished in a worker too: assembly, the cover
spread, preflight. With one job everything runs in this process, in the
same order.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import PressError, Problem, RenderError
from .cache import CorruptEntry
from .limits import LimitExceeded, Limits
from .plan import EditionPlan, Want
from .tasks import Finished, FinishTask, finish, lay_out_part, warm


class InlineExecutor(Executor):
    """Runs each task at once, here: ``--jobs 1``, and tracebacks in the debugger."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future, like a pool does
            future.set_exception(error)
        return future


@contextmanager
def executor(jobs: int) -> Iterator[Executor]:
    if jobs <= 1:
        yield InlineExecutor()
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for _ in range(jobs):  # start the workers now: they load WeasyPrint while this process plans
            pool.submit(warm)
        yield pool


@dataclass
class Outcome:
    finished: dict[str, Finished]
    failed: dict[str, PressError]


def run(
    pool: Executor,
    jobs: int,
    plans: dict[str, EditionPlan],
    finish_task: Callable[[EditionPlan], FinishTask],
    on_finished: Callable[[str, Finished], None],
) -> Outcome:
    """Lay out, settle and finish every plan; ``on_finished`` sees each edition as it is done."""
    pending: dict[Future[Any], tuple[str, Want | None]] = {}
    finishing: set[str] = set()
    outcome = Outcome({}, {})
    patience = Limits.from_environment().seconds * 1.5 + 30  # workers stop themselves well before

    def fail(name: str, error: PressError) -> None:
        outcome.failed[name] = error

    while True:
        busy = {(name, task.index) for name, task in pending.values() if task is not None}
        exact: list[Want] = []
        guesses: list[Want] = []
        for name, plan in plans.items():
            if name in outcome.failed or name in finishing:
                continue
            try:
                wants = plan.wants()
                if not wants:
                    finishing.add(name)
                    pending[pool.submit(finish, finish_task(plan))] = (name, None)
                    continue
            except PressError as error:
                fail(name, error)
                continue
            for want in wants:
                if (name, want.index) not in busy and not want.wait:
                    (exact if want.placed else guesses).append(want)
        free = max(0, jobs - len(pending))
        # Guesses fill every worker that no certain part needs: a chain of chapters behind a contents
        # whose numbers are not known yet would otherwise leave a worker idle (measured: 2 s of 17 s).
        room = free - len(exact)
        for want in exact[:free] + sorted(guesses, key=lambda w: w.index)[: max(0, room)]:
            _trace(f"send {want.edition} part {want.index} exact={want.exact} offset={want.task.offset}")
            pending[pool.submit(lay_out_part, want.task, want.key)] = (want.edition, want)
        if not pending:
            return outcome
        done, _ = wait(pending, timeout=patience, return_when=FIRST_COMPLETED)
        if not done:  # a worker stuck where its own alarm cannot reach it (inside a C library)
            _stop_workers(pool)
            for name, _ in pending.values():
                message = f"edition {name!r}: no answer from a worker in {patience:.0f} s; stopped"
                fail(name, LimitExceeded([Problem(None, None, message, "--time-limit raises the cap")]))
            return outcome
        for future in done:
            name, sent = pending.pop(future)
            _trace(f"back {name} part {sent.index if sent else 'finish'}")
            if name in outcome.failed or (sent is not None and name in finishing):
                continue  # a guess that came back after its edition settled
            try:
                result = future.result()
                if sent is None:
                    outcome.finished[name] = result
                    on_finished(name, result)
                else:
                    plans[name].accept(sent, *result)
                    for plan in plans.values():
                        plan.cache_changed()
            except CorruptEntry as error:  # a part's cache entry went bad before assembly: lay it out again
                plans[name].forget(error.path)
                finishing.discard(name)
            except PressError as error:
                fail(name, error)
            except BrokenProcessPool:  # killed (by the kernel when out of memory, or by a signal)
                for other in {name, *(n for n, _ in pending.values()), *plans} - set(outcome.finished):
                    fail(other, RenderError([Problem(None, None, f"edition {other!r}: a worker process stopped "
                                                     "abruptly (out of memory, or killed)",
                                                     "--memory-limit sets the cap per worker")]))  # fmt: skip
                return outcome


def _stop_workers(pool: Executor) -> None:
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


_TRACE = os.environ.get("PRESS_TRACE")
_START = time.perf_counter()


def _trace(message: str) -> None:
    if _TRACE:
        print(f"{time.perf_counter() - _START:7.2f} {message}", file=sys.stderr, flush=True)
