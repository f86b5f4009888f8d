"""``workers.run``: the same results as a loop, in order, whatever dies or raises."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from flake8_secret_key import workers

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the tests kill processes")


def square(offset: int, item: int) -> tuple[int, int]:
    return item, item * item + offset


def exits_on_13(offset: int, item: int) -> tuple[int, int]:
    if item == 13:
        os._exit(7)  # as a crash in C code would: no exception, no cleanup
    return square(offset, item)


def killed_on_13_and_29(offset: int, item: int) -> tuple[int, int]:
    if item in (13, 29):
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return square(offset, item)


def raises_on_5(offset: int, item: int) -> tuple[int, int]:
    if item == 5:
        raise RuntimeError("a bug")
    return square(offset, item)


def lost(item: int) -> tuple[int, int]:
    return item, -1


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize(("jobs", "chunk"), [(1, 1), (2, 1), (3, 4), (8, 64)])
def test_same_results_in_the_same_order(jobs: int, chunk: int) -> None:
    items = list(range(50))
    done: list[int] = []
    got = workers.run(square, 1, items, jobs, lost, chunk, done.append)
    assert got == [square(1, i) for i in items]
    assert sum(done) == len(items)
    assert no_children_left()


def test_nothing_to_do() -> None:
    assert workers.run(square, 0, [], 4, lost) == []


@pytest.mark.parametrize("func", [exits_on_13, killed_on_13_and_29])
def test_a_dying_worker_costs_only_the_items_that_killed_it(
    func: Callable[[int, int], tuple[int, int]],
) -> None:
    items = list(range(40))
    done: list[int] = []
    got = workers.run(func, 0, items, 2, lost, chunk=4, on_done=done.append)
    killers = {13} if func is exits_on_13 else {13, 29}
    assert got == [(i, -1) if i in killers else square(0, i) for i in items]
    assert sum(done) == len(items)  # every item counted once, lost ones too
    assert no_children_left()


def test_an_exception_costs_only_its_item_and_prints_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    done: list[int] = []
    got = workers.run(raises_on_5, 0, list(range(10)), 2, lost, chunk=3, on_done=done.append)
    assert got == [(5, -1) if i == 5 else square(0, i) for i in range(10)]
    assert sum(done) == 10
    assert capfd.readouterr() == ("", "")


def test_an_interrupted_run_leaves_no_process_behind() -> None:
    def interrupt(n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        workers.run(square, 0, list(range(100)), 3, lost, 1, interrupt)
    assert no_children_left()


def test_results_larger_than_a_pipe_buffer() -> None:
    big = workers.run(_big, 300_000, list(range(6)), 2, lambda i: "")
    assert [len(b) for b in big] == [300_000 + i for i in range(6)]


def _big(size: int, item: int) -> str:
    return "x" * (size + item)


@pytest.mark.parametrize(
    ("count", "chunk", "jobs"),
    [(0, 16, 2), (1, 16, 2), (300, 16, 2), (50, 4, 3), (7, 1, 1), (40, 64, 8)],
)
def test_chunks_cover_every_item_once_in_order_and_shrink_at_the_end(
    count: int, chunk: int, jobs: int
) -> None:
    chunks = workers.split(count, chunk, jobs)
    assert [i for c in chunks for i in c] == list(range(count))
    sizes = [len(c) for c in chunks]
    assert all(1 <= s <= chunk for s in sizes)
    assert sizes == sorted(sizes, reverse=True)  # full chunks first, smaller ones after
    if count >= 2 * jobs * chunk:
        assert sizes[0] == chunk and sizes[-1] == 1


def test_the_last_chunks_are_small_enough_for_the_workers_to_end_together() -> None:
    sizes = [len(c) for c in workers.split(300, 16, 2)]
    assert sizes[:15] == [16] * 15
    # From then on each is a quarter of what is left: no worker waits long for another.
    assert sizes[15:] == [15, 11, 8, 6, 5, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1]


def test_no_process_can_be_started_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    # fork fails with EAGAIN when the user's process limit is reached: the run goes on
    # in this process rather than ending with a misleading error.
    submitted = 0
    real_submit = workers.ProcessPoolExecutor.submit

    def submit_then_fail(self: object, *args: object, **kwargs: object) -> object:
        nonlocal submitted
        submitted += 1
        if submitted > 2:  # the first tasks run in workers, then fork fails
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real_submit(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workers.ProcessPoolExecutor, "submit", submit_then_fail)
    items = list(range(40))
    done: list[int] = []
    got = workers.run(raises_on_5, 1, items, 2, lost, 4, done.append)
    assert got == [lost(i) if i == 5 else square(1, i) for i in items]
    assert sum(done) == len(items)
    assert no_children_left()


def remember(seen: list[int], item: int) -> tuple[int, int]:
    seen.append(item)
    return os.getpid(), len(seen)


def test_shared_reaches_each_worker_once_and_lasts_from_chunk_to_chunk() -> None:
    # What a worker keeps in ``shared`` (scan's memo keys on the options object)
    # must outlive a chunk: were ``shared`` sent with every chunk, each chunk would
    # start from an empty list.
    items = list(range(40))
    got = workers.run(remember, [], items, 2, lost, 2)
    handled: dict[int, int] = {}
    for pid, _ in got:
        handled[pid] = handled.get(pid, 0) + 1
    for pid, count in handled.items():
        assert max(n for p, n in got if p == pid) == count
    assert max(n for _, n in got) > 2  # a worker ran several chunks


def test_a_pool_that_breaks_between_two_submissions_loses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worker can die between ``wait`` and the next ``submit``, which then raises
    # BrokenProcessPool: the task it was given was never sent, and must still run.
    calls = []

    class BreaksOnThirdSubmit(ProcessPoolExecutor):
        def submit(self, *args: object, **kwargs: object) -> Future[object]:  # type: ignore[override]
            calls.append(1)
            if len(calls) == 3:
                raise BrokenProcessPool("a child process terminated abruptly")
            return super().submit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "ProcessPoolExecutor", BreaksOnThirdSubmit)
    items = list(range(30))
    done: list[int] = []
    got = workers.run(square, 2, items, 2, lost, chunk=3, on_done=done.append)
    assert got == [square(2, i) for i in items]
    assert sum(done) == len(items)
    assert len(calls) > 3
    assert no_children_left()
