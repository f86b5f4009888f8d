"""Marking a cohort: ``report`` and ``check`` on 2,000 real-project submissions, vs a floor.

Usage::

    python benchmarks/cohort.py            # 2,000 submissions, 7 rounds (about 2 minutes, cached)
    python benchmarks/cohort.py --quick    # 200 submissions, 2 rounds (smoke run)

The cohort is ``corpus.build_corpus()``'s (see ``benchmarks/corpus.py``: student
Flask editors and Flask apps from public repositories, a quarter zipped, every
25th with a committed virtualenv), built once into a cache folder.

Measured side by side, each round in alternating order, each a child process
(wall time, CPU time with its workers, peak memory of its largest process):

* ``flake8-secret-key report COHORT`` (the console script, output thrown away)
* ``flake8-secret-key check COHORT``
* the floor: one Python process that lists the tree (pruning venvs: folders
  holding ``pyvenv.cfg``, ``site-packages``, ``.git``, ``__pycache__``,
  ``node_modules``), reads every ``.py`` file and every ``.py`` member of every
  zip, and parses (``ast.parse``) each one that spells a setting name
  (SECRET_KEY, secret_key, JWT_SECRET_KEY, WTF_CSRF_SECRET_KEY,
  SECURITY_PASSWORD_SALT, SECRET_KEY_FALLBACKS, from_prefixed_env): the least
  work a one-process Python tool can do on this cohort, with no analysis at all.
  It reads test files too, which the tool skips by default.
* the read-only pass: the floor without the parsing (list and read).

Goals (issue 12): report and check take at most 0.5x the floor's wall time, and
use every core: their CPU time over their wall time (the cores they kept busy) is
at least 1.5 times the floor's on 2 cores (1 + (cores - 1) / 2). Relative to the
floor's, because on a shared machine one process does not get a whole core: the
floor, one process, shows what one got at the time. The ratio to the
read-only pass is printed too (report was at 3.2x it).

The cohort is built from a few dozen projects, so most of its files that spell a
setting name are copies (the script prints how many are distinct), as a real
cohort's starter files are: report and check analyse each distinct content once
per process (``scan.Seen``), which is most of their lead over the floor; without
that memo, on this cohort and 2 shared cores, report took 0.72x the floor and
check 0.52x.

On a shared machine seconds move from one minute to the next; ratios measured in
one run, side by side, move much less. Run twice and compare the ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from corpus import DEFAULT_CACHE, DEFAULT_MIRROR, REPOSITORIES, build_in_child, describe
from timing import (
    TOOL,
    Command,
    Run,
    describe_machine,
    interleave,
    median,
    print_verdicts,
    seconds,
    verdict,
    warm_up,
)

FLOOR = r"""
import ast, os, sys, zipfile
PRUNE = {".git", ".hg", ".svn", "__pycache__", "node_modules", "site-packages",
         "dist-packages", "__MACOSX"}
WORDS = (b"SECRET_KEY", b"secret_key", b"SECURITY_PASSWORD_SALT", b"from_prefixed_env")
MODE = sys.argv[2]  # "parse", "read", or "distinct" (count, untimed)
files = parsed = 0
distinct = set()

def consider(data):
    global files, parsed
    files += 1
    if MODE != "read" and any(word in data for word in WORDS):
        parsed += 1
        if MODE == "distinct":
            distinct.add(data)
            return
        try:
            ast.parse(data)
        except (SyntaxError, ValueError):
            pass

def read_zip(path):
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        venvs = [i.filename[:-10] for i in infos if i.filename.endswith("pyvenv.cfg")]
        for info in infos:
            name = info.filename
            if (name.endswith(".py") and not PRUNE.intersection(name.split("/"))
                    and not any(name.startswith(v) for v in venvs)):
                consider(zf.read(info))

for top, dirs, names in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if d not in PRUNE
               and not os.path.isfile(os.path.join(top, d, "pyvenv.cfg"))]
    for name in names:
        if name.endswith(".py"):
            with open(os.path.join(top, name), "rb") as handle:
                consider(handle.read())
        elif name.endswith(".zip"):
            read_zip(os.path.join(top, name))
print(files, parsed, len(distinct))
"""

REPORT, CHECK, FLOOR_NAME, READ = "report", "check", "floor (list, read, parse)", "read only"


def commands(cohort: Path, jobs: int | None) -> dict[str, Command]:
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    return {
        REPORT: Command([TOOL, "report", str(cohort), *jobs_args]),
        CHECK: Command([TOOL, "check", str(cohort), *jobs_args]),
        FLOOR_NAME: Command([sys.executable, "-c", FLOOR, str(cohort), "parse"], frozenset({0})),
        READ: Command([sys.executable, "-c", FLOOR, str(cohort), "read"], frozenset({0})),
    }


def print_distinct(cohort: Path) -> None:
    """How many of the files the floor parses are copies: report and check parse
    each distinct content once per process (``scan.Seen``), the floor every copy."""
    out = subprocess.run(
        [sys.executable, "-c", FLOOR, str(cohort), "distinct"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    files, spelled, distinct = (int(n) for n in out)
    print(
        f"  {files:,} Python files; {spelled:,} spell a setting name, with "
        f"{distinct:,} distinct contents (the tool parses each once per process;"
        " the floor parses every copy)"
    )


def print_table(runs: dict[str, list[Run]], py_files: int) -> None:
    floor = median(r.wall for r in runs[FLOOR_NAME]) if runs[FLOOR_NAME] else None
    read = median(r.wall for r in runs[READ]) if runs[READ] else None
    print()
    print(
        f"{'command':<26} {'runs':>4} {'median':>9} {'cpu':>8} {'cores':>5} "
        f"{'x floor':>7} {'x read':>7} {'files/s':>8} {'peak MB':>7}"
    )
    for name, results in runs.items():
        if not results:
            print(f"{name:<26} {0:>4}  (no successful run)")
            continue
        wall = median(r.wall for r in results)
        cpu = median(r.cpu for r in results)
        print(
            f"{name:<26} {len(results):>4} {seconds(wall):>9} {seconds(cpu):>8} "
            f"{cpu / wall:>5.2f} {wall / floor if floor else float('nan'):>7.2f} "
            f"{wall / read if read else float('nan'):>7.2f} {py_files / wall:>8.0f} "
            f"{max(r.peak_mb for r in results):>7.0f}"
        )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("  (median wall time; cpu: median CPU time with workers; cores: cpu / wall;")
    print("   files/s: the cohort's own Python files, zips included, per second of wall time;")
    print("   peak MB: the largest resident set of the command or one of its processes, at")
    print(f"   least this script's own {own:.0f} MB, which a forked child starts from)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 submissions, 2 rounds")
    parser.add_argument("--submissions", type=int, help="default 2000 (200 with --quick)")
    parser.add_argument("--rounds", type=int, help="default 7 (2 with --quick)")
    parser.add_argument("--jobs", type=int, help="passed to report and check (default: theirs)")
    parser.add_argument(
        "--mirror",
        type=Path,
        default=DEFAULT_MIRROR,
        help=f"where the repositories' snapshots are (default {DEFAULT_MIRROR})",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"where the cohort is built (default {DEFAULT_CACHE})",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the cohort anew")
    args = parser.parse_args(argv)
    count = args.submissions or (200 if args.quick else 2000)
    rounds = args.rounds or (2 if args.quick else 7)

    describe_machine()
    corpus = build_in_child(count, mirror=args.mirror, cache=args.cache, rebuild=args.rebuild)
    print(describe(corpus))
    print(f"  from {len(corpus.repositories)} of the {len(REPOSITORIES)} listed repositories")
    print_distinct(corpus.path)
    cmds = commands(corpus.path, args.jobs)
    print(f"{rounds} rounds, alternating order; warming up ...", flush=True)
    warm_up(cmds)
    runs, failed = interleave(cmds, rounds)
    print_table(runs, corpus.stats["py_files"])

    cores = os.cpu_count() or 1
    floor = median(r.wall for r in runs[FLOOR_NAME]) if runs[FLOOR_NAME] else None
    read = median(r.wall for r in runs[READ]) if runs[READ] else None
    # The floor is one process: the share of a core it got is what the machine gave
    # one process at the time; a tool using every core gets about ``cores`` times it.
    one = median(r.cpu / r.wall for r in runs[FLOOR_NAME]) if runs[FLOOR_NAME] else None
    need = 1 + 0.5 * (cores - 1)
    core_goal = f"cpu/wall >= {need:.1f}x the floor's, on {cores} cores"
    verdicts = []
    print()
    for name in (REPORT, CHECK):
        results = runs[name]
        if not results or floor is None or one is None:
            why = failed.get(name) or failed.get(FLOOR_NAME, "no run")
            verdicts.append(verdict(f"cohort: {name} vs the floor", "<= 0.5x", why, None))
            verdicts.append(verdict(f"cohort: {name} uses every core", core_goal, why, None))
            continue
        wall = median(r.wall for r in results)
        cpu = median(r.cpu for r in results)
        ratio = wall / floor
        extra = f"; {wall / read:.2f}x the read-only pass" if read else ""
        verdicts.append(
            verdict(
                f"cohort: {name} vs the floor",
                "<= 0.5x",
                f"{ratio:.2f}x ({seconds(wall)} vs {seconds(floor)}{extra})",
                ratio <= 0.5,
            )
        )
        parallel = median(r.cpu / r.wall for r in results)
        verdicts.append(
            verdict(
                f"cohort: {name} uses every core",
                core_goal,
                f"{parallel / one:.2f}x (cpu/wall {parallel:.2f}, the floor's {one:.2f}; "
                f"{seconds(cpu)} cpu)",
                parallel / one >= need if cores > 1 else True,
            )
        )
    return print_verdicts(verdicts, quick=args.quick)


if __name__ == "__main__":
    sys.exit(main())
