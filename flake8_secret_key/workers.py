"""Running one function over many items in worker processes, for ``check`` and ``report``.

On Linux the workers are forked children that get chunk numbers through a pipe
and send their results back through another. Starting one costs about a
millisecond; a ``ProcessPoolExecutor`` costs some 40 ms of imports and start-up,
which is more than ``check`` takes on a whole small project. The children
inherit the items and the function, so nothing but the results is sent, as
plain values written by ``marshal`` (a ``codec`` turns records into such values
and back). marshal is loaded already; ``_pickle`` loads ``functools`` and
``collections``, 3% of a ``report``.
Elsewhere (no ``fork``, or macOS, where forking is unsafe for system
libraries) ``concurrent.futures.ProcessPoolExecutor`` does the same job.

A worker that dies (a crash in C code, the out-of-memory killer) costs only its
own items: each item of the chunk it held is run again alone, and an item that
kills its process a second time gets ``lost(item)`` as its result.
"""

from __future__ import annotations

import marshal
import os
import select
import struct
import sys

from flake8_secret_key.tuples import TYPE_CHECKING

if TYPE_CHECKING:  # typeshed knows signal, not _signal; the type variables are for it too
    from collections.abc import Callable, Sequence
    from signal import SIG_DFL, SIGINT, SIGKILL
    from signal import signal as set_handler
    from typing import Any, TypeVar

    A = TypeVar("A")
    T = TypeVar("T")
    R = TypeVar("R")
    _Done = Callable[[range, Sequence[R]], None]
    #: ``(encode, decode)``: a result as values ``marshal`` writes (str, bytes, int,
    #: float, None, bool, and tuples, lists, sets and dicts of them), and back.
    Codec = tuple[Callable[[R], Any], Callable[[Any], R]]
else:  # the C half of signal, without the Python half's enums
    try:
        from _signal import SIG_DFL, SIGINT, SIGKILL
        from _signal import signal as set_handler
    except ImportError:  # pragma: no cover  (an interpreter without the C module)
        from signal import SIG_DFL, SIGINT, SIGKILL
        from signal import signal as set_handler

#: A result message: chunk number and the length of the marshalled results after it.
_HEADER = struct.Struct("!II")
#: A task message: a chunk number; ``_STOP`` asks the worker to exit.
_TASK = struct.Struct("!I")
_STOP = 0xFFFFFFFF


def can_fork() -> bool:
    """Whether the cheap forked workers are used (Linux), not a process pool."""
    return sys.platform == "linux" and hasattr(os, "fork")


def run(
    func: Callable[[A, T], R],
    shared: A,
    items: Sequence[T],
    jobs: int,
    lost: Callable[[T], R],
    chunk: int = 1,
    on_done: Callable[[int], None] | None = None,
    fork: bool | None = None,
    codec: Codec[R] | None = None,
) -> list[R]:
    """``[func(shared, item) for item in items]``, in up to ``jobs`` processes.

    A raise in ``func`` counts as a crash of that item. Items go to the
    workers up to ``chunk`` at a time (see ``split``); ``on_done(n)`` is called
    as each chunk of ``n`` items is done. ``fork`` picks the backend (default:
    ``can_fork()``). Forked workers send results as ``marshal`` writes them,
    through ``codec`` (see ``Codec``) if given; a result that cannot be sent is lost.
    """
    chunks = split(len(items), chunk, jobs)
    results: dict[int, R] = {}

    def done(indexes: range, values: Sequence[R]) -> None:
        results.update(zip(indexes, values, strict=True))
        if on_done is not None:
            on_done(len(indexes))

    jobs = max(1, min(jobs, len(chunks)))
    forked = can_fork() if fork is None else fork
    if forked:
        crashed = _run_forked(func, shared, items, chunks, jobs, done, codec)
    else:
        crashed = _run_pool(func, shared, items, chunks, jobs, done)
    for index in sorted(crashed):
        alone = _run_alone(func, shared, items[index], forked, codec)
        done(range(index, index + 1), [lost(items[index]) if alone is None else alone])
    return [results[i] for i in range(len(items))]


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


# ------------------------------------------------------------------ forked workers


class _Worker:
    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid = pid
        self.tasks = tasks  # write end: chunk numbers to the worker
        self.results = results  # read end: results from the worker
        self.chunk: int | None = None  # the chunk it is working on


def _run_forked(
    func: Callable[[A, T], R],
    shared: A,
    items: Sequence[T],
    chunks: Sequence[range],
    jobs: int,
    done: _Done[R],
    codec: Codec[R] | None = None,
) -> set[int]:
    """Run every chunk in forked workers; returns the items of chunks lost to a crash."""
    workers: list[_Worker] = []
    crashed: set[int] = set()
    todo = list(range(len(chunks) - 1, -1, -1))  # popped from the end: in order
    # poll, not selectors: this runs on Linux only, and selectors costs 1.5 ms to import.
    poller = select.poll()
    running: dict[int, _Worker] = {}  # by the end of its result pipe

    def start() -> bool:
        """A new worker with the next chunk; False when none can be started."""
        try:
            worker = _fork_worker(func, shared, items, chunks, workers, codec)
        except OSError:  # no more processes or pipes (EAGAIN, EMFILE): fewer workers
            return False
        workers.append(worker)
        poller.register(worker.results, select.POLLIN)
        running[worker.results] = worker
        _give(worker, todo)
        return True

    def retire(worker: _Worker) -> None:
        poller.unregister(worker.results)
        del running[worker.results]
        _close(worker)

    finished = False
    try:
        for _ in range(jobs):
            if not start():
                break
        while running:
            for fd, _ in poller.poll():  # readable, or hung up (the worker ended)
                worker = running[fd]
                message = _receive(worker.results, codec)
                if message is None:  # the worker died: its chunk is run again, item by item
                    if worker.chunk is not None:
                        crashed.update(chunks[worker.chunk])
                    retire(worker)
                    if todo:  # the rest still gets done, by a new worker if one starts
                        start()
                    continue
                number, values = message
                worker.chunk = None
                done(chunks[number], values)
                if not _give(worker, todo):
                    retire(worker)
        while todo:  # no worker could be started: done here, one item at a time
            for index in chunks[todo.pop()]:
                try:
                    value = func(shared, items[index])
                except Exception:
                    crashed.add(index)
                else:
                    done(range(index, index + 1), [value])
        finished = True
    finally:
        for worker in workers:
            _close(worker)
            _reap(worker.pid, kill=not finished)
    return crashed


def _fork_worker(
    func: Callable[[A, T], R],
    shared: A,
    items: Sequence[T],
    chunks: Sequence[range],
    others: Sequence[_Worker],
    codec: Codec[R] | None,
) -> _Worker:
    task_read, task_write = os.pipe()
    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the caller's code
        status = 1
        try:
            os.close(task_write)
            os.close(result_read)
            for other in others:  # so that each pipe's end-of-file means its worker ended
                _close(other)
            set_handler(SIGINT, SIG_DFL)
            _serve(func, shared, items, chunks, task_read, result_write, codec)
            status = 0
        finally:
            os._exit(status)
    os.close(task_read)
    os.close(result_write)
    return _Worker(pid, task_write, result_read)


def _serve(
    func: Callable[[A, T], R],
    shared: A,
    items: Sequence[T],
    chunks: Sequence[range],
    tasks: int,
    results: int,
    codec: Codec[R] | None,
) -> None:
    while True:
        data = _read_exact(tasks, _TASK.size)
        if data is None:
            return
        (number,) = _TASK.unpack(data)
        if number == _STOP:
            return
        values = [func(shared, items[i]) for i in chunks[number]]
        plain: list[Any] = values if codec is None else [codec[0](v) for v in values]
        payload = marshal.dumps(plain)
        _write_all(results, _HEADER.pack(number, len(payload)) + payload)


def _give(worker: _Worker, todo: list[int]) -> bool:
    """Send the next chunk (True), or ask the worker to stop (False)."""
    number = todo.pop() if todo else _STOP
    worker.chunk = None if number == _STOP else number
    try:
        os.write(worker.tasks, _TASK.pack(number))
    except OSError:  # it died already; its result pipe will say so
        pass
    return number != _STOP


def _receive(fd: int, codec: Codec[R] | None) -> tuple[int, list[R]] | None:
    header = _read_exact(fd, _HEADER.size)
    if header is None:
        return None
    number, size = _HEADER.unpack(header)
    payload = _read_exact(fd, size)
    if payload is None:
        return None
    values: list[Any] = marshal.loads(payload)
    return number, values if codec is None else [codec[1](v) for v in values]


def _read_exact(fd: int, size: int) -> bytes | None:
    """``size`` bytes, or None at end-of-file (the writer exited or died)."""
    parts = []
    while size:
        data = os.read(fd, min(size, 1 << 20))
        if not data:
            return None
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _close(worker: _Worker) -> None:
    for fd in (worker.tasks, worker.results):
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
    worker.tasks = worker.results = -1


def _reap(pid: int, kill: bool) -> None:
    """Wait for a worker to exit; ``kill`` it first when the caller was interrupted."""
    try:
        if kill:
            os.kill(pid, SIGKILL)
        os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass


# ------------------------------------------------------------------ elsewhere


def _run_chunk(func: Callable[[A, T], R], shared: A, batch: Sequence[T]) -> list[R]:
    return [func(shared, item) for item in batch]


def _run_pool(
    func: Callable[[A, T], R],
    shared: A,
    items: Sequence[T],
    chunks: Sequence[range],
    jobs: int,
    done: _Done[R],
) -> set[int]:
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    crashed: set[int] = set()
    with ProcessPoolExecutor(jobs) as pool:
        pending: dict[Future[list[R]], range] = {
            pool.submit(_run_chunk, func, shared, [items[i] for i in c]): c for c in chunks
        }
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                indexes = pending.pop(future)
                try:
                    values = future.result()
                except Exception:  # BrokenProcessPool, or a raise: run again, item by item
                    crashed.update(indexes)
                else:
                    done(indexes, values)
    return crashed


def _run_alone(
    func: Callable[[A, T], R], shared: A, item: T, forked: bool, codec: Codec[R] | None
) -> R | None:
    """``func(shared, item)`` in a process of its own; None if that process dies."""
    if forked:
        kept: list[R] = []
        crashed = _run_forked(
            func, shared, [item], [range(1)], 1, lambda _, v: kept.extend(v), codec
        )
        return kept[0] if kept and not crashed else None
    from concurrent.futures import ProcessPoolExecutor

    try:
        with ProcessPoolExecutor(1) as pool:
            return pool.submit(func, shared, item).result()
    except Exception:  # BrokenProcessPool (it died), or func raised
        return None
