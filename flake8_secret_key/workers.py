"""Running one function over many items in worker processes, for ``check`` and ``report``.

``run`` is ``[func(shared, item) for item in items]`` on a
``concurrent.futures.ProcessPoolExecutor``: the items go out in chunks, and the
results come back (pickled, as the pool sends them) in the items' order.

A worker that dies (a crash in C code, the out-of-memory killer) breaks the
whole pool, and every task then in flight fails with it, its neighbours' too.
So at most a few tasks are in flight at a time; after a break, the results
already received are kept, the tasks not yet handed out go on in a fresh pool,
and the items that were in flight are run again: one per task, then, those in
flight at a second break, one at a time. An item whose process dies even then
(or that raises) gets ``lost(item)``: it costs only itself.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

A = TypeVar("A")
T = TypeVar("T")
R = TypeVar("R")

#: Forked workers on Linux: they start in a millisecond with the modules already
#: loaded, where forkserver (the default from Python 3.14) imports them anew in
#: each. check and report run no threads when they start a pool. Elsewhere the
#: platform's default (spawn on macOS, where forking is unsafe for system libraries).
_CONTEXT = multiprocessing.get_context("fork") if sys.platform == "linux" else None


def run(
    func: Callable[[A, T], R],
    shared: A,
    items: Sequence[T],
    jobs: int,
    lost: Callable[[T], R],
    chunk: int = 1,
    on_done: Callable[[int], None] | None = None,
) -> list[R]:
    """``[func(shared, item) for item in items]``, in up to ``jobs`` processes.

    ``func`` must be picklable (a module-level function), as must ``shared``, the
    items and the results. Items go out up to ``chunk`` at a time (see ``split``);
    ``on_done(n)`` is called as ``n`` more items are done.
    """
    results: dict[int, R] = {}

    def done(task: range, values: Sequence[R]) -> None:
        results.update(zip(task, values, strict=True))
        if on_done is not None:
            on_done(len(task))

    tasks = split(len(items), chunk, jobs)
    try:
        # (processes, tasks in flight): chunks; then the items a break took down, one
        # per task; then those still failing, one at a time, so a failure is their own.
        for workers, window in ((jobs, 2 * jobs), (jobs, jobs), (1, 1)):
            failed = _run_pool(func, shared, items, tasks, workers, window, done)
            tasks = [range(index, index + 1) for index in failed]
    except OSError:  # no process could be started (EAGAIN, EMFILE): the rest here
        tasks = []
        for index in range(len(items)):
            if index not in results:
                done(range(index, index + 1), [_run_here(func, shared, items[index], lost)])
    for task in tasks:
        done(task, [lost(items[task[0]])])
    return [results[index] for index in range(len(items))]


def _run_here(func: Callable[[A, T], R], shared: A, item: T, lost: Callable[[T], R]) -> R:
    """``func(shared, item)`` in this process; ``lost(item)`` if it raises."""
    try:
        return func(shared, item)
    except Exception:
        return lost(item)


def split(count: int, chunk: int, jobs: int) -> list[range]:
    """``range(count)`` in consecutive chunks of ``chunk`` items, smaller at the end.

    Once fewer than ``2 * jobs * chunk`` items are left, each chunk is a
    ``2 * jobs``-th of what is left, down to one item: the workers run out of
    work together, instead of one waiting for the other's last full chunk.
    """
    chunk = max(chunk, 1)
    out: list[range] = []
    start = 0
    while start < count:
        size = max(1, min(chunk, (count - start) // (2 * max(jobs, 1))))
        out.append(range(start, start + size))
        start += size
    return out


def _run_pool(
    func: Callable[[A, T], R],
    shared: A,
    items: Sequence[T],
    tasks: Sequence[range],
    workers: int,
    window: int,
    done: Callable[[range, Sequence[R]], None],
) -> list[int]:
    """Run ``tasks`` in a pool of ``workers`` processes, at most ``window`` in flight.

    Returns the items of the tasks that failed: raised, or were in flight when a
    worker died. A pool that breaks is replaced for the tasks not yet handed out.
    """
    failed: list[int] = []
    todo = list(reversed(tasks))  # popped from the end: in order
    while todo:
        pool = ProcessPoolExecutor(
            min(workers, len(todo)),
            mp_context=_CONTEXT,
            initializer=_worker_start,
            initargs=(shared,),
        )
        running: dict[Future[list[R]], range] = {}
        try:
            broken = False
            while not broken and (todo or running):
                while todo and len(running) < window and not broken:
                    task = todo.pop()
                    batch = [items[index] for index in task]
                    try:
                        running[pool.submit(_run_chunk, func, batch)] = task
                    except BrokenProcessPool:  # broke since the last wait: not sent
                        todo.append(task)
                        broken = True
                finished, _ = wait(
                    running, return_when=ALL_COMPLETED if broken else FIRST_COMPLETED
                )
                if not broken and any(
                    isinstance(f.exception(), BrokenProcessPool) for f in finished
                ):
                    broken = True  # the rest in flight fails with it; some may be done
                    finished, _ = wait(running)
                for future in finished:
                    task = running.pop(future)
                    if future.exception() is None:
                        done(task, future.result())
                    else:
                        failed.extend(task)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return sorted(failed)


#: ``shared``, in a worker: it reaches each worker once (inherited when forked), not
#: pickled with every chunk, and stays one object there, so what a worker learns
#: about it (``scan``'s memo of analysed contents) lasts from chunk to chunk.
_shared: object = None


def _worker_start(shared: object) -> None:
    """Keep ``shared``. Ctrl-C ends a worker quietly (the default action), not with
    a traceback: the main process says it was interrupted."""
    global _shared
    _shared = shared
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run_chunk(func: Callable[[A, T], R], batch: Sequence[T]) -> list[R]:
    shared: A = _shared  # type: ignore[assignment]
    return [func(shared, item) for item in batch]
