"""How much flake8-secret-key adds to a flake8 run. Target: at most 3% of wall time.

Usage::

    python benchmarks/plugin_overhead.py              # all 740 files, 5 rounds: ~5 min, 2 cores
    python benchmarks/plugin_overhead.py --quick      # smoke run (seconds)
    python benchmarks/plugin_overhead.py --files 300 --rounds 9

The corpus is real code gathered here: the ``.py`` files of the running
interpreter's standard library (``sysconfig.get_paths()["stdlib"]``), read in
place, never written. ``site-packages`` is left out (it is not the standard
library), and so are the files the plugin skips as test code (``test_*.py``,
anything under ``test/``...): every corpus file reaches the plugin, so the
measured overhead is not diluted by files it never looks at. ``--files N`` takes N
files spread evenly over the sorted list (a fixed, repeatable subset).

With and without the plugin
---------------------------
Deselecting the codes is *not* "without the plugin": flake8 7 runs every
installed tree plugin whatever ``--select``/``--ignore`` say and filters the
results afterwards (only a plugin class with ``off_by_default`` is skipped, in
``flake8.plugins.finder._classify_plugins``; checked: with ``--select E`` the
plugin's ``run()`` is still called for every file). So both variants run flake8
through the same small wrapper (``python -c WRAPPER``) that replaces
``flake8.plugins.finder.find_plugins`` with a filter: variant "off" drops the
``SKY`` entry point before flake8 loads, imports or registers it, so its module
is never imported, its options never added; variant "on" keeps everything.
Same interpreter, same flake8, same arguments (``--isolated --exit-zero``, output
to /dev/null), same wrapper cost. Under ``--jobs`` > 1 the workers are forked
and inherit the filtered plugin list. The script checks the filter works
(``--version`` lists the plugin in "on" only) before timing.

Runs alternate in counterbalanced pairs (on/off, off/on, on/off, ...) so that
drift in machine load or caches does not favour either side; the report gives
the median wall time of each variant, the ratio of the medians and the median
of the per-round ratios (paired, less sensitive to drift), for ``--jobs 1``
(less noise) and for flake8's default job count. Wall time is what the target
is about; the CPU time of flake8 and its workers (``getrusage``) is printed too,
because on a shared machine other processes inflate wall time at random: when
the two disagree, the machine was busy, and more ``--rounds`` (or a quiet
machine) settle it. The minimum of each side is printed as well. Run-to-run
noise on a 2-core machine is about +-2%, close to the 3% target: a single
round's ratio means little, the median over rounds does.

The summary ends with an in-process floor: the plugin's measured ``run()`` time
on the corpus plus its import time, as a share of flake8's time. That is what
the plugin itself costs; the rest of a measured difference is flake8 calling one
more plugin per file, or noise.

It also reports the engine's own time per 1,000 lines, in process: through the
plugin's ``run()`` on the corpus as it is (the text prefilter turns away files
without a setting name), and on the same files with a setting appended (so the
tree is walked: the cost for a file that holds a name); and the plugin's import
time (``-X importtime``, cold and after flake8), checking that ``libcst`` is not
imported by the plugin (only ``fix`` needs it).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import resource
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

TARGET = 0.03  # the plugin adds at most 3% to flake8's wall time

WRAPPER = """\
import sys
from flake8.plugins import finder
keep = sys.argv.pop(1) == "on"
real = finder.find_plugins
def find_plugins(cfg, opts):
    return [p for p in real(cfg, opts) if keep or p.entry_point.name != "SKY"]
finder.find_plugins = find_plugins
from flake8.main.cli import main
main(sys.argv[1:])
"""

#: Appended to each file to measure the walk a file holding a setting costs.
SETTING = '\nSECRET_KEY = os.environ["SECRET_KEY"]\n'


# --------------------------------------------------------------------------- corpus


def gather(limit: int | None) -> list[Path]:
    """The standard library's .py files the plugin checks, sorted; ``limit`` spread evenly."""
    from flake8_secret_key.options import is_test_path

    root = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in {"site-packages", "dist-packages"})
        for name in sorted(names):
            path = Path(folder, name)
            if name.endswith(".py") and not is_test_path(path.relative_to(root).as_posix()):
                files.append(path)
    if limit is not None and 0 < limit < len(files):
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def count_lines(files: Sequence[Path]) -> int:
    return sum(p.read_bytes().count(b"\n") for p in files)


# --------------------------------------------------------------------------- flake8 runs


def flake8_argv(variant: str, files: Sequence[Path], jobs: str | None) -> list[str]:
    argv = [sys.executable, "-c", WRAPPER, variant, "--isolated", "--exit-zero"]
    argv += ["--output-file", os.devnull]
    if jobs is not None:
        argv += ["--jobs", jobs]
    return argv + [str(p) for p in files]


class Timing(NamedTuple):
    wall: float  # seconds, what the target is about
    cpu: float  # user + system seconds of flake8 and its workers: less sensitive to load


def run_once(variant: str, files: Sequence[Path], jobs: str | None) -> Timing:
    argv = flake8_argv(variant, files, jobs)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or "Traceback" in proc.stderr:
        sys.exit(f"flake8 ({variant}) failed with status {proc.returncode}:\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(elapsed, cpu)


def check_variants() -> None:
    """The filter really removes the plugin, and only it."""
    for variant, expected in (("on", True), ("off", False)):
        argv = [sys.executable, "-c", WRAPPER, variant, "--version"]
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        if ("flake8-secret-key" in out) is not expected or "pyflakes" not in out:
            sys.exit(f"the {variant!r} variant does not load what it should:\n{out}")


def compare(
    files: Sequence[Path], rounds: int, jobs: str | None, label: str
) -> tuple[float, float]:
    """Alternate on/off runs; print medians and ratios.

    Returns the median paired wall-time overhead and the median wall time without.
    """
    on: list[Timing] = []
    off: list[Timing] = []
    for i in range(rounds):
        order = ("on", "off") if i % 2 == 0 else ("off", "on")
        times = {variant: run_once(variant, files, jobs) for variant in order}
        on.append(times["on"])
        off.append(times["off"])
        a, b = times["on"], times["off"]
        print(
            f"  round {i + 1}/{rounds}: wall with {a.wall:.2f} s, without {b.wall:.2f} s "
            f"({a.wall / b.wall - 1:+.1%}); cpu {a.cpu:.2f} s vs {b.cpu:.2f} s "
            f"({a.cpu / b.cpu - 1:+.1%})",
            flush=True,
        )
    print(f"{label}:")
    result = (0.0, 0.0)
    for what in ("wall", "cpu"):
        x = [getattr(t, what) for t in on]
        y = [getattr(t, what) for t in off]
        med_on, med_off = statistics.median(x), statistics.median(y)
        paired = statistics.median(a / b - 1 for a, b in zip(x, y, strict=True))
        print(
            f"  {what:4}: median without {med_off:.2f} s, with {med_on:.2f} s; ratio of medians "
            f"{med_on / med_off:.3f} ({med_on / med_off - 1:+.1%}), median paired "
            f"{paired:+.1%}, min without {min(y):.2f} s, with {min(x):.2f} s "
            f"({min(x) / min(y) - 1:+.1%})"
        )
        if what == "wall":
            result = (paired, med_off)
    verdict = "met" if result[0] <= TARGET else "NOT met"
    print(f"  target (wall, median paired) at most +{TARGET:.0%}: {verdict}")
    print(f"  load average now: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return result


# --------------------------------------------------------------------------- engine time


def engine_time(files: Sequence[Path], repeat: int) -> float:
    """The plugin's run() per 1,000 lines, in process: as is, and with a setting appended.

    Returns the median seconds of run() over the corpus as it is.
    """
    from flake8_secret_key.checker import SecretKeyChecker
    from flake8_secret_key.detect import SourceError, split_lines
    from flake8_secret_key.source import decode

    plain: list[tuple[ast.AST, str, list[str]]] = []
    named: list[tuple[ast.AST, str, list[str]]] = []
    for path in files:
        try:
            text = decode(path.read_bytes()).text
            trees = ast.parse(text), ast.parse(text + SETTING)
        except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # flake8 reports E999; the plugin never sees these files
        plain.append((trees[0], path.name, split_lines(text)))
        named.append((trees[1], path.name, split_lines(text + SETTING)))
    as_is = 0.0
    for label, corpus in (
        ("as is (the text prefilter turns away files without a setting name)", plain),
        ("with a setting appended to each file (every tree is walked)", named),
    ):
        lines = sum(len(item[2]) for item in corpus)
        totals = []
        reported = 0
        for _ in range(repeat):
            start = time.perf_counter()
            for tree, name, file_lines in corpus:
                reported += sum(1 for _ in SecretKeyChecker(tree, name, file_lines).run())
            totals.append(time.perf_counter() - start)
        best, med = min(totals), statistics.median(totals)
        as_is = as_is or med
        per_k = med / lines * 1000 * 1000
        print(f"  {label}:")
        print(
            f"    {len(corpus)} files, {lines:,} lines: median {med:.3f} s (best {best:.3f} s) "
            f"= {per_k:.3f} ms per 1,000 lines; {reported // repeat} findings"
        )
    return as_is


# --------------------------------------------------------------------------- import time

IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


def import_time(prelude: str, repeat: int) -> float:
    """Median cumulative import time (ms) of the plugin's modules after ``prelude``."""
    code = f"{prelude}; import flake8_secret_key.checker"
    samples = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
        total = 0
        for line in proc.stderr.splitlines():
            match = IMPORTTIME.match(line)
            # Top-level entries only (their cumulative time includes what they import).
            if match and not match[3] and match[4].startswith("flake8_secret_key"):
                total += int(match[2])
        samples.append(total / 1000)
    return statistics.median(samples)


def libcst_imported(prelude: str) -> bool:
    code = (
        f"{prelude}; import flake8_secret_key.checker, sys; "
        "print(any(m.partition('.')[0] == 'libcst' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=None, help="corpus size (default: all)")
    parser.add_argument("--rounds", type=int, default=5, help="on/off pairs (default: 5)")
    parser.add_argument(
        "--parallel-rounds",
        type=int,
        default=4,
        help="pairs at flake8's default job count (default: 4; 0 to skip)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 60 files, 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.files, args.rounds, args.parallel_rounds = args.files or 60, 2, 1

    files = gather(args.files)
    lines = count_lines(files)
    print(f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    print(f"corpus: {len(files)} standard library files, {lines:,} lines")
    print(f"load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    check_variants()

    print(f"flake8 --jobs 1, {args.rounds} rounds:", flush=True)
    results = {"--jobs 1": compare(files, args.rounds, "1", "flake8 --jobs 1")}
    if args.parallel_rounds > 0:
        jobs = f"default --jobs ({os.cpu_count()})"
        print(f"flake8 {jobs}, {args.parallel_rounds} rounds:")
        results[jobs] = compare(files, args.parallel_rounds, None, f"flake8 {jobs}")

    print("engine time, the plugin's run() in process:", flush=True)
    run_seconds = engine_time(files, repeat=1 if args.quick else 3)

    repeat = 3 if args.quick else 7
    print("import time of the plugin (median of -X importtime, cumulative):")
    cold = import_time("import sys", repeat)
    warm = import_time("import flake8.main.cli", repeat)
    print(f"  cold interpreter:       {cold:.1f} ms")
    print(f"  after flake8 is loaded: {warm:.1f} ms")
    for prelude in ("import sys", "import flake8.main.cli"):
        if libcst_imported(prelude):
            print(f"  FAIL: importing the plugin imports libcst ({prelude})")
            return 1
    print("  libcst imported by the plugin: no")

    print("summary:")
    for label, (paired, _) in results.items():
        verdict = "met" if paired <= TARGET else "NOT met"
        print(
            f"  flake8 {label}: median paired wall-time overhead {paired:+.1%} "
            f"(target at most +{TARGET:.0%}: {verdict})"
        )
    serial = results["--jobs 1"][1]
    floor = (run_seconds + warm / 1000) / serial
    print(
        f"  in-process floor: run() {run_seconds * 1000:.0f} ms + import {warm:.1f} ms = "
        f"{floor:+.2%} of flake8 --jobs 1 ({serial:.2f} s); measured differences well above "
        f"this are machine noise or flake8's own per-plugin bookkeeping"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
