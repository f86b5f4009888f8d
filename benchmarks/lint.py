"""The linting paths: flake8 with and without the plugin, ``check`` vs ruff and flake8.

Usage::

    python benchmarks/lint.py             # every row (about 5 minutes on 2 cores)
    python benchmarks/lint.py --quick     # smoke run: few rounds (under a minute)
    python benchmarks/lint.py --rows 2,6  # some rows only

Rows of issue 12's table (row 1, the cohort, is ``benchmarks/cohort.py``):

2. editor: ``flake8 --stdin-display-name app.py -`` on a 60-line Flask app with a
   hardcoded key (``APP`` below, on stdin), with the plugin vs without.
   Goal: the median of the per-round differences is at most +10 ms.
3. flake8's CPU time on 150 standard-library files (spread evenly over the
   sorted list of its ``.py`` files, test code left out), with the plugin vs
   without, ``--jobs 1`` (CPU time is about the same at any job count, and one
   process is less noisy). Goal: the median of the per-round ratios <= 1.03.
4. ``flake8-secret-key check --include-tests STDLIB`` vs ``ruff check --isolated
   --no-cache --select S105,S106,S107 STDLIB``: the standard library's folder, each
   tool skipping ``site-packages`` itself (``--include-tests``: ruff checks test
   code, so check reads the same files). Goal: check's median wall time at most
   1.0x ruff's. ruff with its cache warm is printed too, for information.
5. ``flake8-secret-key check app.py`` vs ``python -m flake8 --select SKY app.py``
   (one file, ``APP``). Goal: at most 0.6x.
6. the exponential file: ``x0 = "k"``, ``x1 = x0 + x0`` ... ``x29 = x28 + x28``,
   ``app.secret_key = x29`` through ``python -m flake8``, under a timeout
   (``--timeout``, 60 s; 10 s with ``--quick``): "timed out" rather than a hang.
   Goal: under 0.5 s.
7. editor, published key (issue 14): row 2 with the app's key replaced by one that
   is only in flask-unsign's wordlist (``"dev key"``, SKY101), so the wordlist's
   table is read and searched; row 2's key is published nowhere (SKY100), which
   reads the table too. Goal: +<= 10 ms, as row 2.

With and without the plugin
---------------------------
Deselecting the codes is not "without the plugin": flake8 runs every installed
tree plugin whatever ``--select`` says and filters the results afterwards. So both
variants run flake8 through the same small wrapper (``python -c WRAPPER on|off``)
that replaces ``flake8.plugins.finder.find_plugins`` with a filter: "off" drops the
``SKY`` entry point before flake8 loads it (its module is never imported, its
options never added); "on" keeps everything. Same interpreter, flake8, arguments
(``--isolated``), and wrapper. The script checks that the filter works
(``--version`` lists the plugin in "on" only) before timing, and times plain
``python -m flake8`` beside them in row 2, to show the wrapper adds nothing.

Every command runs from a temporary folder (no configuration file is found), as
installed: the console script beside this interpreter, ``python -m flake8``, the
ruff installed with the test extras. Rounds alternate the order of the commands
(A B, B A ...); medians, ratios of medians and medians of per-round ratios are
printed, then PASS/FAIL per goal.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from timing import (
    ENV,
    FLAKE8,
    TOOL,
    Command,
    Run,
    Verdict,
    describe_machine,
    interleave,
    median,
    paired,
    print_verdicts,
    run,
    seconds,
    verdict,
    warm_up,
)

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

#: A student's Flask app, 60 lines, with a hardcoded key (SKY100) on line 9.
APP = textwrap.dedent(
    '''\
    """A small shop: log in, list the products, add one to the basket."""
    import os
    import sqlite3

    from flask import Flask, flash, g, redirect, render_template, request, session, url_for
    from werkzeug.security import check_password_hash, generate_password_hash

    app = Flask(__name__)
    app.secret_key = "my-super-secret-key-2024"
    app.config["DATABASE"] = os.path.join(app.root_path, "shop.db")


    def get_db():
        if "db" not in g:
            g.db = sqlite3.connect(app.config["DATABASE"])
            g.db.row_factory = sqlite3.Row
        return g.db


    @app.teardown_appcontext
    def close_db(error):
        db = g.pop("db", None)
        if db is not None:
            db.close()


    @app.route("/")
    def index():
        products = get_db().execute("SELECT * FROM products ORDER BY name").fetchall()
        return render_template("index.html", products=products, user=session.get("user"))


    @app.route("/register", methods=["GET", "POST"])
    def register():
        if request.method == "POST":
            password = generate_password_hash(request.form["password"])
            get_db().execute(
                "INSERT INTO users (name, password) VALUES (?, ?)",
                (request.form["name"], password),
            )
            get_db().commit()
            flash("Registered: please log in")
            return redirect(url_for("login"))
        return render_template("register.html")


    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            name = request.form["name"]
            row = get_db().execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
            if row is not None and check_password_hash(row["password"], request.form["password"]):
                session["user"] = name
                return redirect(url_for("index"))
            flash("Wrong name or password")
        return render_template("login.html")


    if __name__ == "__main__":
        app.run(debug=True)
    '''
)

#: The exponential file: each line doubles the value's expression tree.
EXPONENTIAL = (
    'x0 = "k"\n'
    + "".join(f"x{n} = x{n - 1} + x{n - 1}\n" for n in range(1, 30))
    + "app.secret_key = x29\n"
)

RUFF = str(Path(sys.executable).parent / "ruff")


def flake8_variant(variant: str, *args: str) -> list[str]:
    return [sys.executable, "-c", WRAPPER, variant, "--isolated", *args]


def check_variants() -> str | None:
    """Why the on/off wrapper does not do what it should, or None."""
    for variant, expected in (("on", True), ("off", False)):
        proc = subprocess.run(
            flake8_variant(variant, "--version"), capture_output=True, text=True, env=ENV
        )
        if ("flake8-secret-key" in proc.stdout) is not expected or "pyflakes" not in proc.stdout:
            return f"the {variant!r} variant loads the wrong plugins: {proc.stdout}{proc.stderr}"
    return None


def stdlib_files(limit: int) -> list[Path]:
    """``limit`` of the standard library's non-test .py files, spread evenly, sorted."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if {"site-packages", "dist-packages", "test", "tests", "idle_test"} & set(parts):
            continue
        if re.match(r"(test_.*|.*_test|conftest)\.py$", parts[-1]):
            continue
        files.append(path)
    step = len(files) / limit
    return [files[int(i * step)] for i in range(min(limit, len(files)))]


# ------------------------------------------------------------------ the rows


def row_editor(tmp: Path, rounds: int, row: str = "2 editor", app: str = APP) -> list[Verdict]:
    print(f"\nrow {row}: flake8 on a 60-line app on stdin, with the plugin vs without")
    args = ["--stdin-display-name", "app.py", "-"]
    stdin = app.encode()
    cmds = {
        "with": Command(flake8_variant("on", *args), stdin=stdin),
        "without": Command(flake8_variant("off", *args), stdin=stdin),
        "python -m flake8 (no wrapper)": Command([*FLAKE8, "--isolated", *args], stdin=stdin),
    }
    runs, failed = measure(cmds, rounds, tmp)
    goal = "+<= 10 ms, median of per-round differences"
    if not runs["with"] or not runs["without"]:
        return [verdict(row, goal, failed_reason(failed), None)]
    show(runs)
    diff = paired(runs["with"], runs["without"], lambda r: r.wall, "diff")
    of_medians = median(r.wall for r in runs["with"]) - median(r.wall for r in runs["without"])
    cpu = paired(runs["with"], runs["without"], lambda r: r.cpu, "diff")
    print(
        f"  difference of the medians: {of_medians * 1000:+.1f} ms; median of the per-round "
        f"CPU time differences: {cpu * 1000:+.1f} ms (steadier on a busy machine)"
    )
    print_import_time()
    measured = f"{diff * 1000:+.1f} ms (difference of medians {of_medians * 1000:+.1f} ms)"
    return [verdict(row, goal, measured, diff <= 0.010)]


def print_import_time(repeat: int = 5) -> None:
    """The plugin's import time after flake8's, and whether it imports libcst."""
    code = (
        "import flake8.main.cli, sys; import flake8_secret_key.checker; "
        "print(any(m.partition('.')[0] == 'libcst' for m in sys.modules))"
    )
    pattern = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (\S+)$")
    samples, libcst = [], "?"
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
        )
        libcst = proc.stdout.strip()
        total = 0
        for line in proc.stderr.splitlines():
            match = pattern.match(line)  # top-level entries only (cumulative)
            if match and match[2].startswith("flake8_secret_key"):
                total += int(match[1])
        samples.append(total / 1000)
    print(
        f"  the plugin's import time after flake8's (-X importtime): best {min(samples):.1f} ms, "
        f"median {median(samples):.1f} ms of {repeat}; libcst imported: {libcst}"
    )


def row_cpu(tmp: Path, rounds: int, count: int) -> list[Verdict]:
    files = [str(p) for p in stdlib_files(count)]
    print(
        f"\nrow 3: flake8 --jobs 1 on {len(files)} standard-library files, CPU time, "
        "with the plugin vs without"
    )
    args = ["--jobs", "1", "--exit-zero", *files]
    cmds = {
        "with": Command(flake8_variant("on", *args)),
        "without": Command(flake8_variant("off", *args)),
    }
    runs, failed = measure(cmds, rounds, tmp)
    goal = "<= 1.03x, median of per-round CPU ratios"
    if not runs["with"] or not runs["without"]:
        return [verdict("3 flake8 CPU", goal, failed_reason(failed), None)]
    show(runs)
    ratio = paired(runs["with"], runs["without"], lambda r: r.cpu, "ratio")
    wall = paired(runs["with"], runs["without"], lambda r: r.wall, "ratio")
    of_medians = median(r.cpu for r in runs["with"]) / median(r.cpu for r in runs["without"])
    plugin = plugin_run_time([Path(f) for f in files])
    if plugin is not None:
        without = median(r.cpu for r in runs["without"])
        print(
            f"  in process, the plugin's run() on these files takes {seconds(plugin)}: "
            f"{plugin / without:.2%} of flake8's CPU time without it (a steadier estimate of "
            "what it adds, import aside)"
        )
    measured = f"{ratio:.3f}x (ratio of median CPU {of_medians:.3f}x; wall {wall:.3f}x)"
    return [verdict("3 flake8 CPU", goal, measured, ratio <= 1.03)]


def plugin_run_time(files: Sequence[Path], repeat: int = 3) -> float | None:
    """The plugin's ``run()`` over ``files``, in this process (best of ``repeat``), as flake8
    calls it: the class built with the arguments it asks for (tree, filename, lines)."""
    try:
        import ast
        import inspect
        import time
        import tokenize

        from flake8_secret_key.checker import SecretKeyChecker

        wants = set(inspect.signature(SecretKeyChecker).parameters)
        calls: list[dict[str, Any]] = []
        for path in files:
            try:
                with tokenize.open(path) as handle:
                    text = handle.read()
                tree = ast.parse(text)
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue  # flake8 reports E902/E999 and calls no plugin
            given = {"tree": tree, "filename": str(path), "lines": text.splitlines(True)}
            calls.append({k: v for k, v in given.items() if k in wants})
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for kwargs in calls:
                for _ in SecretKeyChecker(**kwargs).run():
                    pass
            best = min(best, time.perf_counter() - start)
        return best
    except Exception as error:  # the package may be mid-rewrite: say so, go on
        print(f"  (the plugin's run() could not be timed in process: {error!r})")
        return None


def row_ruff(tmp: Path, rounds: int) -> list[Verdict]:
    stdlib = sysconfig.get_paths()["stdlib"]
    print(f"\nrow 4: check on the standard library ({stdlib}) vs ruff S105-S107")
    goal = "<= 1.0x ruff's wall time"
    if not Path(RUFF).exists() and shutil.which("ruff") is None:
        return [verdict("4 check vs ruff", goal, "ruff is not installed", None)]
    ruff = RUFF if Path(RUFF).exists() else "ruff"
    ruff_args = [ruff, "check", "--isolated", "--select", "S105,S106,S107", "--exit-zero"]
    listed = subprocess.run(
        [*ruff_args, "--show-files", stdlib], capture_output=True, text=True, cwd=tmp
    )
    print(f"  ruff checks {listed.stdout.count(chr(10))} files there")
    cmds = {
        "check --include-tests": Command([TOOL, "check", "--include-tests", stdlib]),
        "ruff --no-cache": Command([*ruff_args, "--no-cache", stdlib]),
        "ruff, cache warm (information)": Command([*ruff_args, stdlib]),
    }
    runs, failed = measure(cmds, rounds, tmp)
    return ratio_verdict("4 check vs ruff", goal, 1.0, runs, failed, "check --include-tests",
                         "ruff --no-cache")  # fmt: skip


def row_one_file(tmp: Path, rounds: int) -> list[Verdict]:
    print("\nrow 5: check on one file vs flake8 --select SKY on it")
    (tmp / "app.py").write_text(APP)
    cmds = {
        "check app.py": Command([TOOL, "check", "app.py"]),
        "flake8 --select SKY app.py": Command(
            [*FLAKE8, "--isolated", "--select", "SKY", "app.py"]
        ),
    }
    runs, failed = measure(cmds, rounds, tmp)
    return ratio_verdict("5 check, one file", "<= 0.6x", 0.6, runs, failed, "check app.py",
                         "flake8 --select SKY app.py")  # fmt: skip


def ratio_verdict(
    row: str,
    goal: str,
    limit: float,
    runs: dict[str, list[Run]],
    failed: dict[str, str],
    tool: str,
    other: str,
) -> list[Verdict]:
    """PASS when ``tool``'s median wall time is at most ``limit`` times ``other``'s."""
    a, b = runs[tool], runs[other]
    if not a or not b:
        return [verdict(row, goal, failed_reason(failed), None)]
    show(runs)
    ratio = median(r.wall for r in a) / median(r.wall for r in b)
    pairs = paired(a, b, lambda r: r.wall, "ratio")
    measured = f"{ratio:.2f}x (median of per-round ratios {pairs:.2f}x)"
    return [verdict(row, goal, measured, ratio <= limit)]


def row_exponential(tmp: Path, rounds: int, timeout: float) -> list[Verdict]:
    lines = EXPONENTIAL.count("\n")
    print(f"\nrow 6: the exponential file ({lines} lines) through flake8, timeout {timeout:.0f} s")
    (tmp / "exponential.py").write_text(EXPONENTIAL)
    goal = "< 0.5 s"
    probe = run([*FLAKE8, "--isolated", "exponential.py"], cwd=tmp, timeout=timeout)
    if probe.timed_out:
        print(f"  with the plugin: timed out after {timeout:.0f} s")
        return [verdict("6 exponential file", goal, f"timed out ({timeout:.0f} s)", False)]
    cmds = {
        "python -m flake8": Command([*FLAKE8, "--isolated", "exponential.py"], timeout=timeout),
        "without the plugin": Command(flake8_variant("off", "exponential.py"), timeout=timeout),
    }
    runs, failed = interleave(cmds, rounds, cwd=tmp, progress=False)
    if not runs["python -m flake8"]:
        return [verdict("6 exponential file", goal, failed_reason(failed), False)]
    show(runs)
    wall = median(r.wall for r in runs["python -m flake8"])
    return [verdict("6 exponential file", goal, seconds(wall), wall < 0.5)]


# ------------------------------------------------------------------ helpers


def measure(
    cmds: dict[str, Command], rounds: int, tmp: Path
) -> tuple[dict[str, list[Run]], dict[str, str]]:
    warm_up(cmds, cwd=tmp)
    return interleave(cmds, rounds, cwd=tmp, progress=False)


def failed_reason(failed: dict[str, str]) -> str:
    return "; ".join(failed.values()) or "no run"


def show(runs: dict[str, list[Run]]) -> None:
    for name, results in runs.items():
        if results:
            wall = median(r.wall for r in results)
            cpu = median(r.cpu for r in results)
            print(
                f"  {name:<32} median {seconds(wall):>9} wall, {seconds(cpu):>9} cpu "
                f"(min {seconds(min(r.wall for r in results))}, {len(results)} runs)"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: a few rounds")
    parser.add_argument("--rows", default="2,3,4,5,6,7", help="rows to run (default: all)")
    parser.add_argument("--files", type=int, default=150, help="row 3's files (default 150)")
    parser.add_argument("--timeout", type=float, help="row 6 (default 60 s, 10 with --quick)")
    args = parser.parse_args(argv)
    rows = {int(r) for r in args.rows.split(",")}
    quick = args.quick
    timeout = args.timeout or (10.0 if quick else 60.0)

    describe_machine()
    problem = check_variants()
    if problem:
        print(f"error: {problem}")
        return 1
    verdicts: list[Verdict] = []
    with tempfile.TemporaryDirectory(prefix="sky-lint-") as name:
        tmp = Path(name)
        if 2 in rows:
            verdicts += row_editor(tmp, 7 if quick else 41)
        if 3 in rows:
            verdicts += row_cpu(tmp, 3 if quick else 9, args.files)
        if 4 in rows:
            verdicts += row_ruff(tmp, 3 if quick else 11)
        if 5 in rows:
            verdicts += row_one_file(tmp, 5 if quick else 21)
        if 6 in rows:
            verdicts += row_exponential(tmp, 3 if quick else 9, timeout)
        if 7 in rows:
            published = APP.replace('"my-super-secret-key-2024"', '"dev key"')
            verdicts += row_editor(tmp, 7 if quick else 41, "7 editor, published key", published)
    return print_verdicts(verdicts, quick=quick)


if __name__ == "__main__":
    sys.exit(main())
