"""``workers.run``: the same results as a loop, in order, whatever dies or is interrupted."""

from __future__ import annotations

import os
import sys
from typing import NamedTuple

import pytest

from flake8_secret_key import workers

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the tests kill processes")

BACKENDS = pytest.mark.parametrize(
    "fork",
    [
        pytest.param(True, marks=pytest.mark.skipif(not workers.can_fork(), reason="no fork")),
        False,
    ],
    ids=["forked", "pool"],
)


def square(offset: int, item: int) -> tuple[int, int]:
    return item, item * item + offset


def dies_on_13(offset: int, item: int) -> tuple[int, int]:
    if item == 13:
        os._exit(7)  # as a crash in C code would: no exception, no cleanup
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


@BACKENDS
@pytest.mark.parametrize(("jobs", "chunk"), [(1, 1), (2, 1), (3, 4), (8, 64)])
def test_same_results_in_the_same_order(fork: bool, jobs: int, chunk: int) -> None:
    items = list(range(50))
    done: list[int] = []
    got = workers.run(square, 1, items, jobs, lost, chunk, done.append, fork=fork)
    assert got == [square(1, i) for i in items]
    assert sum(done) == len(items)
    assert no_children_left()


@BACKENDS
def test_nothing_to_do(fork: bool) -> None:
    assert workers.run(square, 0, [], 4, lost, fork=fork) == []


@BACKENDS
def test_a_dying_worker_costs_only_the_item_that_killed_it(fork: bool) -> None:
    items = list(range(40))
    got = workers.run(dies_on_13, 0, items, 2, lost, chunk=4, fork=fork)
    assert got == [(13, -1) if i == 13 else square(0, i) for i in items]
    assert no_children_left()


@BACKENDS
def test_an_exception_counts_as_a_crash_and_prints_nothing(
    capfd: pytest.CaptureFixture[str], fork: bool
) -> None:
    got = workers.run(raises_on_5, 0, list(range(10)), 2, lost, chunk=3, fork=fork)
    assert got == [(5, -1) if i == 5 else square(0, i) for i in range(10)]
    assert capfd.readouterr() == ("", "")


def test_an_interrupted_run_leaves_no_process_behind() -> None:
    if not workers.can_fork():
        pytest.skip("no fork")

    def interrupt(n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        workers.run(square, 0, list(range(100)), 3, lost, 1, interrupt, fork=True)
    assert no_children_left()


def test_results_larger_than_a_pipe_buffer() -> None:
    if not workers.can_fork():
        pytest.skip("no fork")
    big = workers.run(_big, 300_000, list(range(6)), 2, lambda i: "", fork=True)
    assert [len(b) for b in big] == [300_000 + i for i in range(6)]


def _big(size: int, item: int) -> str:
    return "x" * (size + item)


def test_when_no_process_can_be_started_the_work_is_done_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not workers.can_fork():
        pytest.skip("no fork")

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    items = list(range(20))
    got = workers.run(raises_on_5, 0, items, 3, lost, chunk=4, fork=True)
    assert got == [(5, -1) if i == 5 else square(0, i) for i in items]


def test_a_worker_that_cannot_be_replaced_leaves_its_work_to_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not workers.can_fork():
        pytest.skip("no fork")
    real_fork = os.fork
    forks: list[int] = []

    def third_fork_fails() -> int:  # the replacement of the worker that died
        forks.append(1)
        if len(forks) == 3:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", third_fork_fails)
    items = list(range(40))
    got = workers.run(dies_on_13, 0, items, 2, lost, chunk=2, fork=True)
    assert got == [(13, -1) if i == 13 else square(0, i) for i in items]
    # Two workers, then a failed fork: the dead worker's replacement, or (when the other
    # worker had already emptied the queue) item 12's lone rerun, which is then run here.
    assert len(forks) in (4, 5)
    assert no_children_left()


class Point(NamedTuple):
    x: int
    y: int


def point(offset: int, item: int) -> Point:
    if item == 13:
        os._exit(7)
    return Point(item, item * item + offset)


@BACKENDS
def test_a_codec_carries_records_through_marshal(fork: bool) -> None:
    """Results come back as the records they were, also from an item's lone rerun."""
    items = list(range(30))
    got = workers.run(point, 1, items, 2, lost_point, chunk=4, fork=fork, codec=CODEC)
    assert got == [Point(13, -1) if i == 13 else Point(i, i * i + 1) for i in items]
    assert all(type(p) is Point for p in got)
    assert no_children_left()


CODEC = (tuple, Point._make)


def lost_point(item: int) -> Point:
    return Point(item, -1)


def test_a_result_the_codec_cannot_write_is_lost_not_fatal(
    capfd: pytest.CaptureFixture[str],
) -> None:
    if not workers.can_fork():
        pytest.skip("no fork")
    unwritable = (lambda p: p, Point._make)  # marshal refuses a tuple subclass
    got = workers.run(point, 0, [1, 2, 3], 2, lost_point, fork=True, codec=unwritable)
    assert got == [Point(1, -1), Point(2, -1), Point(3, -1)]
    assert capfd.readouterr() == ("", "")
    assert no_children_left()


@pytest.mark.parametrize(
    ("count", "chunk", "jobs"),
    [(0, 16, 2), (1, 16, 2), (300, 16, 2), (50, 4, 3), (7, 1, 1), (40, 64, 8)],
)
def test_chunks_cover_every_item_in_order_and_shrink_at_the_end(
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
