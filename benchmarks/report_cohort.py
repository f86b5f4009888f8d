"""Benchmark: ``report`` and ``check`` on a generated cohort, against flake8 and a floor.

Generates (in a temporary folder) a cohort of student-style submissions, each a
small Flask app: a third plain folders, a third with a committed virtualenv
(a few thousand files hard-linked from this interpreter's site-packages, under
the names students use: venv/, env/, .venv/, myenv/), a third zipped. Then
runs, in alternating order over several rounds, each as a child process (the
fast commands ``--repeat`` times a round, interleaved, flake8 once):

* ``flake8-secret-key report COHORT``
* ``flake8-secret-key report COHORT --count-skipped-files`` (lists every venv's folders)
* ``flake8-secret-key check COHORT``
* ``flake8 --select SKY COHORT`` with the venvs excluded by hand (``--extend-exclude``)
* a floor: a bare Python script that only walks the folders (pruning venvs)
  and reads every file
* the floor plus listing the venvs' folders (what ``--count-skipped-files`` adds)

and prints medians, ratios to the floor and to flake8, throughput in Python
files per second, and each command's peak memory (the largest resident set of
any one of its processes, from ``getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper).

    python benchmarks/report_cohort.py            # 300 submissions, 7 rounds of 3
    python benchmarks/report_cohort.py --quick    # 60 submissions, 2 rounds (smoke run)

The machines this runs on are shared: from one minute to the next the same
command takes 45 or 70 ms. The medians of report, check and the floor are of 21
runs each, taken side by side, so that a spell of noise moves all three alike.

Targets: check and report within 2x of the floor, at least 5x faster than
flake8 with the venvs excluded, peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

VENV_NAMES = ("venv", "env", ".venv", "myenv")
KEYS = (
    'app.secret_key = "dev"',  # published example key
    'app.config["SECRET_KEY"] = "my-super-secret-{i}"',
    'app.secret_key = os.environ.get("SECRET_KEY", "fallback-{i}")',
    'app.secret_key = os.environ["SECRET_KEY"]',
    "app.config.from_prefixed_env()",
    "app.secret_key = os.urandom(24)",
    "pass  # no key at all",
)

FLOOR = r"""
import os, sys
SKIP = {".git", "__pycache__", "node_modules", "site-packages", "dist-packages"}
files = size = 0
for top, dirs, names in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if d not in SKIP
               and not os.path.isfile(os.path.join(top, d, "pyvenv.cfg"))]
    for name in names:
        with open(os.path.join(top, name), "rb") as handle:
            size += len(handle.read())
        files += 1
print(files, size)
"""

#: The floor, plus listing (not reading) the venvs: what ``report
#: --count-skipped-files`` must do to count the Python files in them.
FLOOR_LISTING = FLOOR.replace(
    "print(files, size)",
    """skipped = 0
for top, dirs, names in os.walk(sys.argv[1]):
    if "pyvenv.cfg" in names or os.path.basename(top) in ("site-packages", "dist-packages"):
        skipped += sum(n.endswith(".py") for _, _, ns in os.walk(top) for n in ns)
        dirs[:] = []
    dirs[:] = [d for d in dirs if d not in (".git", "__pycache__", "node_modules")]
print(files, size, skipped)""",
)

MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "peak_kb": peak, "rc": proc.returncode,
                  "stderr": proc.stderr.decode(errors="replace")[-300:]}))
"""


# ------------------------------------------------------------------ the cohort


def app_files(i: int) -> dict[str, str]:
    """A small Flask app, different enough from one student to the next."""
    key = KEYS[i % len(KEYS)].format(i=i)
    body = "\n".join(
        f"def helper_{n}(value):\n    return str(value) * {n + 1}\n" for n in range(12)
    )
    return {
        "app.py": textwrap.dedent(
            f"""\
            import os
            from flask import Flask, render_template, request, session
            from models import db, User
            import routes

            app = Flask(__name__)
            {key}
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///student{i}.db"
            db.init_app(app)

            if __name__ == "__main__":
                app.run(debug=True)
            """
        ),
        "models.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
        + "\n".join(
            f"class Model{n}(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
            f"    name = db.Column(db.String(80))\n"
            for n in range(8)
        )
        + "\nUser = Model0\n",
        "routes.py": "from flask import Blueprint, render_template\n\nbp = Blueprint('m', "
        "__name__)\n\n"
        + "\n".join(
            f"@bp.route('/page{n}')\ndef page{n}():\n    return render_template('p.html', n={n})\n"
            for n in range(15)
        ),
        "forms.py": "from wtforms import Form, StringField\n\n\n"
        + "\n".join(f"class Form{n}(Form):\n    name = StringField('n{n}')\n" for n in range(6)),
        "utils/helpers.py": body,
        "utils/__init__.py": "",
        "tests/test_app.py": "def test_index(client):\n    assert client.get('/').status_code"
        " == 200\n",
        "templates/index.html": "<html><body>{{ message }}</body></html>\n" * 5,
        "static/style.css": "body { font-family: sans-serif; }\n" * 20,
        "requirements.txt": "flask\nflask-sqlalchemy\nwtforms\n",
        "README.md": f"# Student {i}\n\nMy coursework.\n",
    }


def venv_template(root: Path, want: int) -> list[Path]:
    """About ``want`` files copied from installed packages (hard links are made from these)."""
    site = Path(sysconfig.get_paths()["purelib"])
    dest = root / "lib" / "python3" / "site-packages"
    copied: list[Path] = []
    for package in sorted(site.iterdir()):
        if len(copied) >= want:
            break
        if not package.is_dir() or package.name.startswith(("_", "flake8_secret_key")):
            continue
        for path in sorted(package.rglob("*")):
            if path.is_file() and len(copied) < want and "__pycache__" not in path.parts:
                target = dest / package.name / path.relative_to(package)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                copied.append(target)
    return copied


def add_venv(where: Path, template: Path, files: list[Path]) -> None:
    where.mkdir()
    (where / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    for path in files:
        target = where / path.relative_to(template)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)


def make_cohort(root: Path, count: int, venv_files: int) -> dict[str, int]:
    """The cohort under ``root / "cohort"``; returns counts for the throughput."""
    template = root / "template"
    files = venv_template(template, venv_files)
    cohort = root / "cohort"
    cohort.mkdir()
    stats = {"submissions": count, "python_files": 0, "venv_files": 0, "zips": 0}
    for i in range(count):
        name = f"student{i:03d}"
        sub = cohort / name
        for rel, text in app_files(i).items():
            path = sub / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            stats["python_files"] += rel.endswith(".py")
        if i % 3 == 1:
            add_venv(sub / VENV_NAMES[i % len(VENV_NAMES)], template, files)
            stats["venv_files"] += len(files)
        elif i % 3 == 2:
            with zipfile.ZipFile(f"{sub}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(sub.rglob("*")):
                    zf.write(path, f"{name}/{path.relative_to(sub)}")
            shutil.rmtree(sub)
            stats["zips"] += 1
    return stats


# ------------------------------------------------------------------ running


#: The environment of every measured command. Without PYTHONDONTWRITEBYTECODE
#: (some machines set it), so that the warm-up run leaves the .pyc files an
#: installed tool has (pip compiles them at install); with it, every run of
#: check and report would compile their modules again, and the floor imports none.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True, env=ENV
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def commands(cohort: Path, jobs: int | None) -> dict[str, list[str] | None]:
    bindir = Path(sys.executable).parent
    tool = str(bindir / "flake8-secret-key")
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    has_check = importlib.util.find_spec("flake8_secret_key.cmd_check") is not None
    excludes = ",".join(VENV_NAMES)
    flake8_jobs = ["--jobs", str(jobs)] if jobs else []
    return {
        "report": [tool, "report", str(cohort), "--format", "csv", *jobs_args],
        "report --count-skipped-files": [
            tool,
            "report",
            str(cohort),
            "--format",
            "csv",
            "--count-skipped-files",
            *jobs_args,
        ],
        "check": [tool, "check", str(cohort), *jobs_args] if has_check else None,
        "flake8 --select SKY (venvs excluded)": [
            str(bindir / "flake8"),
            "--select",
            "SKY",
            "--extend-exclude",
            excludes,
            *flake8_jobs,
            str(cohort),
        ],
        "floor (walk + read)": [sys.executable, "-c", FLOOR, str(cohort)],
        "floor + listing venvs": [sys.executable, "-c", FLOOR_LISTING, str(cohort)],
    }


def print_install_notes() -> None:
    """What about this install moves the ratios: an old pip's console script, and an
    editable install, whose import hook every Python started here runs (floor too)."""
    launcher = Path(sys.executable).parent / "flake8-secret-key"
    if launcher.exists() and "\nimport re\n" in launcher.read_text(errors="replace"):
        print(f"note: {launcher} (written by an old pip) imports re, some 5 ms of every "
              "run of report and check; `pip install -U pip`, then reinstall")  # fmt: skip
    site = Path(sysconfig.get_paths()["purelib"])
    if any(site.glob("__editable__*flake8_secret_key*.pth")):
        print("note: an editable install: its import hook runs at every Python start here, "
              "the floor's too, which\n  makes the ratios smaller than in a plain install "
              "(`pip install .`)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 submissions, 2 rounds")
    parser.add_argument("--submissions", type=int, help="default 300 (60 with --quick)")
    parser.add_argument("--rounds", type=int, help="default 7 (2 with --quick)")
    parser.add_argument(
        "--repeat", type=int, help="runs of each fast command a round (default 3, 1 with --quick)"
    )
    parser.add_argument("--venv-files", type=int, default=3000, help="files per venv")
    parser.add_argument("--jobs", type=int, help="passed to report/check/flake8")
    parser.add_argument("--keep", action="store_true", help="keep the generated cohort")
    args = parser.parse_args()
    count = args.submissions or (60 if args.quick else 300)
    rounds = args.rounds or (2 if args.quick else 7)
    repeat = args.repeat or (1 if args.quick else 3)

    tmp = Path(tempfile.mkdtemp(prefix="sky-cohort-"))
    try:
        start = time.perf_counter()
        stats = make_cohort(tmp, count, args.venv_files)
        print(
            f"cohort: {stats['submissions']} submissions ({stats['zips']} zipped), "
            f"{stats['python_files']} Python files of their own, {stats['venv_files']} files "
            f"in committed venvs; generated in {time.perf_counter() - start:.1f}s in {tmp}"
        )
        print(f"cores: {os.cpu_count()}, rounds: {rounds} (alternating order; the fast "
              f"commands {repeat} times a round), Python {sys.version.split()[0]}")  # fmt: skip
        cmds = commands(tmp / "cohort", args.jobs)
        runnable = {name: cmd for name, cmd in cmds.items() if cmd is not None}
        for name, cmd in cmds.items():
            if cmd is None:
                print(f"skipped {name}: flake8_secret_key.cmd_check is not there yet")
        print_install_notes()
        for cmd in runnable.values():  # warm the disk cache and the .pyc files
            measure(cmd)
        walls: dict[str, list[float]] = {name: [] for name in runnable}
        cpus: dict[str, list[float]] = {name: [] for name in runnable}
        peaks: dict[str, int] = dict.fromkeys(runnable, 0)
        codes: dict[str, tuple[object, str]] = {}
        slow = [name for name in runnable if name.startswith("flake8")]
        fast = [name for name in runnable if name not in slow]
        for r in range(rounds):
            order = [*(fast if r % 2 == 0 else fast[::-1]) * repeat, *slow]
            for name in order:
                result = measure(runnable[name])
                walls[name].append(float(str(result["wall"])))
                cpus[name].append(float(str(result["cpu"])))
                peaks[name] = max(peaks[name], int(str(result["peak_kb"])))
                codes[name] = (result["rc"], str(result["stderr"]))
        print_table(walls, cpus, peaks, codes, stats)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def print_table(
    walls: dict[str, list[float]],
    cpus: dict[str, list[float]],
    peaks: dict[str, int],
    codes: dict[str, tuple[object, str]],
    stats: dict[str, int],
) -> None:
    med = {name: statistics.median(w) for name, w in walls.items()}
    floor = med["floor (walk + read)"]
    flake8 = med["flake8 --select SKY (venvs excluded)"]
    files = stats["python_files"]
    print()
    listing = med["floor + listing venvs"]
    print(f"{'command':<38} {'median s':>9} {'cpu s':>6} {'x floor':>8} {'x floor+ls':>10} "
          f"{'flake8/x':>9} {'files/s':>9} {'peak MB':>8}  exit")  # fmt: skip
    for name, wall in med.items():
        rc = codes[name][0]
        cpu = statistics.median(cpus[name])
        print(
            f"{name:<38} {wall:>9.3f} {cpu:>6.2f} {wall / floor:>8.2f} {wall / listing:>10.2f} "
            f"{flake8 / wall:>9.1f} {files / wall:>9.0f} {peaks[name] / 1024:>8.1f}  {rc}"
        )
    print()
    print("targets: report/check <= 2.0x floor, >= 5x faster than flake8, peak < 200 MB")
    print("  (x floor+ls: against a floor that also lists the venvs' folders, as report")
    print("   --count-skipped-files must to count the Python files in them)")
    for name in ("report", "check"):
        if name not in med:
            continue
        verdicts = [
            ("<= 2x floor", med[name] / floor <= 2.0),
            (">= 5x faster than flake8", flake8 / med[name] >= 5.0),
            ("peak < 200 MB", peaks[name] / 1024 < 200),
        ]
        shown = ", ".join(f"{label}: {'yes' if ok else 'NO'}" for label, ok in verdicts)
        print(f"  {name}: {shown}")
    for name, value in codes.items():
        if value[0] not in (0, 1) and value[1]:
            print(f"  {name} stderr: {value[1].strip()}")
    print(f"  (runs: {', '.join(f'{n}={len(w)}' for n, w in walls.items())})")


if __name__ == "__main__":
    sys.exit(main())
