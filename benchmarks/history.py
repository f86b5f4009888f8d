"""``check --history`` on a real Flask project's whole history vs ``git log -p HEAD``.

Usage::

    python benchmarks/history.py            # pallets/flask, 7 rounds (about a minute)
    python benchmarks/history.py --quick    # 2 rounds (smoke run)
    python benchmarks/history.py --repo PATH_OR_URL

Issue 15's goal: ``flake8-secret-key check --history`` on the full history of a
public Flask project with thousands of commits takes at most 2x the wall time of
``git log -p HEAD`` over the same history (its output thrown away): reading every
change of every commit once, which any history scanner must at least match.

The project is ``pallets/flask`` (5,500 commits, Python 2 and 3 eras, keys in its
old examples and tests) read from its snapshot under ``--mirror`` (default
``/work/.mirror``: ``MIRROR/pallets+flask/repo``, a bare repository or a work
tree) or ``--repo`` (a path or URL), cloned once, whole (not shallow), into
``~/.cache/flake8-secret-key-bench/history-<name>`` with a work tree, as CI's
checkout has. Nothing fetched is committed to this project.

Both commands run in the clone, side by side in alternating order, as
``timing.interleave`` does; medians over rounds and the median of the per-round
ratios are printed, then PASS or FAIL. ``check --history`` exits 1 (it finds the
keys of Flask's old examples); the distinct keys it reports are printed once.

Then, for information (no goal): ``report --history`` vs ``report`` on a cohort of
200 git submissions (``--cohort``; 0 skips it): ``benchmarks/corpus.py``'s cohort,
each folder made a repository of two commits (its files, then one more line); every
fourth one also commits ``old_settings.py`` with a key and deletes it in the second
commit (the verdict in-history). Built once beside the cohort.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from timing import (
    TOOL,
    Command,
    describe_machine,
    interleave,
    median,
    paired,
    print_verdicts,
    seconds,
    verdict,
    walls,
    warm_up,
)

DEFAULT_MIRROR = Path("/work/.mirror")
DEFAULT_CACHE = Path.home() / ".cache" / "flake8-secret-key-bench"
DEFAULT_REPOSITORY = "pallets/flask"
GOAL = 2.0

CHECK = "check --history"
GIT_LOG = "git log -p HEAD"


def clone(source: str, cache: Path) -> Path:
    """A whole clone of ``source`` with a work tree, made once under ``cache``."""
    parts = source.rstrip("/").removesuffix(".git").split("/")
    name = (parts[-2] if parts[-1] == "repo" and len(parts) > 1 else parts[-1]).split("+")[-1]
    target = cache / f"history-{name}"
    if not (target / ".git").exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"cloning {source} into {target} ...", flush=True)
        subprocess.run(["git", "clone", "-q", source, str(target)], check=True)
    return target


def source_of(args: argparse.Namespace) -> str:
    if args.repo:
        return str(args.repo)
    snapshot = args.mirror / DEFAULT_REPOSITORY.replace("/", "+") / "repo"
    if not snapshot.exists():
        sys.exit(f"no snapshot of {DEFAULT_REPOSITORY} at {snapshot}: give --repo PATH_OR_URL")
    return str(snapshot)


def describe_repository(repo: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()

    commits = git("rev-list", "--count", "HEAD")
    head = git("log", "-1", "--format=%h %cs")
    print(f"{repo}: {commits} commits, HEAD {head}")
    found = subprocess.run(
        [TOOL, "check", "--history", "--select", "SKY120"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = found.stdout.splitlines()
    print(f"check --history reports {len(lines)} distinct keys in the history:")
    for line in lines:
        path, _, rest = line.partition(" SKY120 ")
        print(f"  {path} {rest.split(';')[0]}")


def git_cohort(count: int, mirror: Path, cache: Path) -> Path:
    """``corpus.py``'s cohort of ``count``, each folder a git repository (see above)."""
    import shutil

    from corpus import build_in_child

    corpus = build_in_child(count, mirror=mirror, cache=cache)
    target = cache / f"history-{corpus.path.parent.name}"
    if (target / "done").exists():
        return target / "cohort"
    shutil.rmtree(target, ignore_errors=True)
    print(f"making {count} git submissions in {target} ...", flush=True)
    shutil.copytree(corpus.path, target / "cohort", symlinks=True)
    env = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for i, sub in enumerate(sorted((target / "cohort").iterdir())):
        if not sub.is_dir():
            continue  # a zip: no history

        def git(*args: str, sub: Path = sub) -> None:
            subprocess.run(["git", *env, *args], cwd=sub, check=True, capture_output=True)

        git("init", "-q")
        old = sub / "old_settings.py"
        if i % 4 == 0:
            old.write_text(f'SECRET_KEY = "removed-key-{i:04d}-8f3a9c1d2e"\n')
        git("add", ".")
        git("commit", "-q", "-m", "submission")
        if old.exists():
            old.unlink()
        with (sub / "REVIEWED.txt").open("a") as handle:
            handle.write("reviewed\n")
        git("add", "-A", ".")
        git("commit", "-q", "-m", "review")
    (target / "done").write_text("")
    return target / "cohort"


def cohort_rows(cohort: Path, rounds: int) -> None:
    """``report --history`` vs ``report`` on the git cohort, printed (no goal)."""
    cmds = {
        "report --history": Command([TOOL, "report", "--history", str(cohort)], timeout=900),
        "report": Command([TOOL, "report", str(cohort)], timeout=900),
    }
    warm_up(cmds)
    runs, failed = interleave(cmds, rounds, progress=False)
    if failed or not all(runs.values()):
        print(f"  report rows not measured: {failed}")
        return
    with_history, without = (median(walls(runs[name])) for name in cmds)
    per_round = paired(runs["report --history"], runs["report"], lambda r: r.wall, "ratio")
    print(
        f"report --history on {len(list(cohort.iterdir()))} git submissions: "
        f"{seconds(with_history)} vs report {seconds(without)}: "
        f"{with_history / without:.2f}x (median of per-round ratios {per_round:.2f}x)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    parser.add_argument("--rounds", type=int, help="default 7 (2 with --quick)")
    parser.add_argument("--repo", help="a repository (path or URL) instead of pallets/flask")
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--cohort", type=int, default=200, help="git submissions (0: none)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 7)

    describe_machine()
    repo = clone(source_of(args), args.cache)
    describe_repository(repo)
    cmds = {
        CHECK: Command([TOOL, "check", "--history"], timeout=600),
        GIT_LOG: Command(["git", "log", "-p", "HEAD"], ok_codes=frozenset({0}), timeout=600),
    }
    print(f"{rounds} rounds, alternating order; warming up ...", flush=True)
    warm_up(cmds, cwd=repo)
    runs, failed = interleave(cmds, rounds, cwd=repo)

    print()
    print(f"{'command':<18} {'wall':>10} {'cpu':>10} {'peak MB':>8}")
    for name, results in runs.items():
        if results:
            wall = seconds(median(walls(results)))
            cpu = seconds(median(r.cpu for r in results))
            peak = max(r.peak_mb for r in results)
            print(f"{name:<18} {wall:>10} {cpu:>10} {peak:>8.0f}")
    print("  (median wall and CPU time; cpu includes git's child processes)")
    print()
    if runs[CHECK] and runs[GIT_LOG]:
        ours, theirs = median(walls(runs[CHECK])), median(walls(runs[GIT_LOG]))
        per_round = paired(runs[CHECK], runs[GIT_LOG], lambda r: r.wall, "ratio")
        measured = (
            f"{ours / theirs:.2f}x ({seconds(ours)} vs {seconds(theirs)}); "
            f"median of per-round ratios {per_round:.2f}x"
        )
        result = verdict(
            f"{CHECK} vs {GIT_LOG}", f"<= {GOAL:.1f}x", measured, ours / theirs <= GOAL
        )
    else:
        why = failed.get(CHECK) or failed.get(GIT_LOG, "no run")
        result = verdict(f"{CHECK} vs {GIT_LOG}", f"<= {GOAL:.1f}x", why, None)
    if args.cohort:
        print()
        cohort_rows(git_cohort(args.cohort, args.mirror, args.cache), rounds)
    return print_verdicts([result], quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())
