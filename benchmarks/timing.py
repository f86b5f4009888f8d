"""What the benchmark scripts share: timing a command, interleaving, medians and verdicts.

A command runs as a child process with its output thrown away; ``os.wait4`` gives
its wall time, its CPU time (user + system, its waited-for children included: a
process pool's workers) and its peak memory (the largest resident set of it or
any of those children). No wrapper process sits between the script and the
command, so nothing is added to what is measured.

Commands are measured side by side: each round runs every command once, in
alternating order (A B C, then C B A...), so that a spell of load on a shared
machine moves all of them alike. The scripts report medians over rounds, and
ratios of medians; where two commands form a pair (with and without the plugin),
the median of the per-round ratios or differences too.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

#: The environment of every measured command. Without PYTHONDONTWRITEBYTECODE
#: (some machines set it), so that the warm-up run leaves the .pyc files that an
#: installed tool has (pip compiles them at install); with it, every run would
#: compile the tool's modules again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

BIN = Path(sys.executable).parent
TOOL = str(BIN / "flake8-secret-key")
FLAKE8 = [sys.executable, "-m", "flake8"]


class Run(NamedTuple):
    """One run of a command."""

    wall: float  # seconds
    cpu: float  # user + system seconds, its waited-for children included
    peak_mb: float  # largest resident set of the command or any of its children
    returncode: int
    stderr: str  # its last lines, for a failure's message
    timed_out: bool = False


def run(
    argv: Sequence[str],
    *,
    cwd: str | Path | None = None,
    stdin: bytes | None = None,
    timeout: float | None = None,
) -> Run:
    """Run ``argv`` once, its stdout thrown away, and measure it.

    Past ``timeout`` seconds the command's whole process group is killed and the
    run says ``timed_out``: a hang costs the benchmark its timeout, not the machine.
    """
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=ENV,
            stdin=inp if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout is not None else None
        if timer is not None:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if timer is not None:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        if killed.is_set():  # workers it left behind die with their group
            kill()
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        returncode=proc.returncode,
        stderr=tail,
        timed_out=killed.is_set(),
    )


class Command(NamedTuple):
    """A command to measure, and the exit codes that mean it worked."""

    argv: list[str]
    ok_codes: frozenset[int] = frozenset({0, 1})  # 1: findings (flake8, check, ruff)
    stdin: bytes | None = None
    timeout: float | None = None


def failure(name: str, result: Run, cmd: Command) -> str | None:
    """A one-line reason why ``result`` is no measurement of ``cmd``, or None."""
    if result.timed_out:
        return f"{name}: timed out after {cmd.timeout:.0f} s"
    if result.returncode not in cmd.ok_codes or "Traceback (most recent call last)" in (
        result.stderr
    ):
        last = result.stderr.strip().splitlines()[-1:] or ["(no message)"]
        return f"{name}: exit status {result.returncode}: {last[0][:200]}"
    return None


def interleave(
    commands: Mapping[str, Command],
    rounds: int,
    *,
    cwd: str | Path | None = None,
    repeat: Mapping[str, int] | None = None,
    progress: bool = True,
) -> tuple[dict[str, list[Run]], dict[str, str]]:
    """Run every command once per round (``repeat[name]`` times), alternating the order.

    Returns the runs of each command and, for each command that failed (a crash,
    an exit status it should not have, a timeout), the reason; a command that
    failed is not run again, the others go on.
    """
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    failed: dict[str, str] = {}
    names = list(commands)
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            for _ in range((repeat or {}).get(name, 1)):
                if name in failed:
                    break
                cmd = commands[name]
                result = run(cmd.argv, cwd=cwd, stdin=cmd.stdin, timeout=cmd.timeout)
                reason = failure(name, result, cmd)
                if reason is not None:
                    failed[name] = reason
                    print(f"  {reason}", flush=True)
                else:
                    runs[name].append(result)
        if progress:
            print(f"  round {r + 1}/{rounds} done", flush=True)
    return runs, failed


def warm_up(commands: Mapping[str, Command], cwd: str | Path | None = None) -> None:
    """One untimed run of each command: the disk cache and the .pyc files."""
    for cmd in commands.values():
        run(cmd.argv, cwd=cwd, stdin=cmd.stdin, timeout=cmd.timeout)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def walls(runs: Sequence[Run]) -> list[float]:
    return [r.wall for r in runs]


def cpus(runs: Sequence[Run]) -> list[float]:
    return [r.cpu for r in runs]


def paired(a: Sequence[Run], b: Sequence[Run], what: Callable[[Run], float], how: str) -> float:
    """The median over rounds of ``a / b`` (``how="ratio"``) or ``a - b`` (``"diff"``)."""
    pairs = zip(map(what, a), map(what, b), strict=False)
    if how == "ratio":
        return median(x / y for x, y in pairs)
    return median(x - y for x, y in pairs)


class Verdict(NamedTuple):
    row: str
    goal: str
    measured: str
    ok: bool | None  # None: not measured (a command failed or timed out)


def verdict(row: str, goal: str, measured: str, ok: bool | None) -> Verdict:
    """Print and return one goal's verdict: PASS, FAIL, or NOT MEASURED."""
    word = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[ok]
    print(f"{word:<12} {row}: {measured} (goal: {goal})", flush=True)
    return Verdict(row, goal, measured, ok)


def print_verdicts(verdicts: Sequence[Verdict], quick: bool = False) -> int:
    """The closing summary; 0 when every goal was met, else 1."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print()
    print(f"summary (load average now {load}):")
    if quick:
        print("  (--quick: a smoke run on less data, fewer rounds; judge the goals on a full run)")
    for v in verdicts:
        word = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[v.ok]
        print(f"  {word:<12} {v.row}: {v.measured} (goal: {v.goal})")
    return 0 if all(v.ok for v in verdicts) else 1


def describe_machine() -> None:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"Python {sys.version.split()[0]} ({sys.executable}), {os.cpu_count()} cores, "
        f"load average {load}"
    )
    print_install_notes()


def print_install_notes() -> None:
    """What about this install moves the figures: an old pip's console script, and an
    editable install, whose import hook every Python started here runs."""
    launcher = Path(TOOL)
    if not launcher.exists():
        print(f"note: {launcher} is missing: install the project (pip install -e .)")
    elif "\nimport re\n" in launcher.read_text(errors="replace"):
        print(
            f"note: {launcher} (written by an old pip) imports re, some 5 ms of every run; "
            "`pip install -U pip`, then reinstall"
        )
    site = Path(sysconfig.get_paths()["purelib"])
    if any(site.glob("__editable__*flake8_secret_key*.pth")):
        print(
            "note: an editable install: its import hook runs at every Python start here, "
            "the other commands' too"
        )


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
