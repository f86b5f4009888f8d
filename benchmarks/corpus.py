"""A cohort of 2,000 student submissions built from real public Flask projects.

``build_corpus()`` makes it (``cohort.py`` measures on it); run this file alone to
build it and print what it holds::

    python benchmarks/corpus.py                      # 2,000 submissions
    python benchmarks/corpus.py --submissions 200    # the --quick cohort

Where the projects come from
----------------------------
``REPOSITORIES`` lists public repositories: student "buggy racing" editors (a
university course's Flask coursework, one repository per student) and small
Flask apps (flaskr and microblog tutorial clones, student and hobby apps). Their
files are read from local snapshots under ``--mirror`` (default ``/work/.mirror``),
one per repository at ``MIRROR/owner+name/repo``: a bare git repository, or a
work tree whose ``.git`` folder is read (``git ls-tree``/``cat-file``; nothing is
checked out). Nothing fetched is ever committed to this project: only this list.

A repository missing from the mirror is skipped with a note, and the cohort is
built from the others (the recipe, hence the cache key, names the ones used). To
add it, put a clone of it there (``git clone --bare URL MIRROR/owner+name/repo``)
and run again. Fewer than ``MIN_PROJECTS`` found is an error.

From each snapshot (``HEAD``, or the ref after ``@``) every file up to 256 kB is
taken, except what no student submits on purpose and the tool never reads:
``.git``, ``__pycache__``, ``node_modules``, and committed virtual environments
(a folder holding ``pyvenv.cfg``, anything under ``site-packages`` or
``lib/pythonX.Y``): the cohort's venvs are made separately, below.

How a submission is made (seeded, so every build is the same)
-------------------------------------------------------------
Submission ``i`` is project ``i mod P`` (P projects, in a seeded order): its files
under a folder ``student0042_<repository>``. A project with more than
``MAX_PY`` Python files contributes a window of them that moves on at each of its
submissions (cycling through its files), always with the files that spell a
setting name and its ``app.py``/``__init__.py``; other files (templates, static,
README, requirements) likewise, at most ``MAX_OTHER``.

Keys: the submissions keep the keys their project has. Half of those whose
files spell no setting name get one line appended to their main module, drawn
from the key lines found in the projects (``app.secret_key = "..."``,
``app.config['SECRET_KEY'] = os.environ.get(...)``, ``SECRET_KEY = 'dev'``,
``JWT_SECRET_KEY = ...``, ``SECURITY_PASSWORD_SALT = ...``,
``app.config.from_prefixed_env()``...): the mix of styles of real projects.

Every 25th submission (``i % 25 == 0``) has a committed virtualenv (``venv/``,
``env/``, ``.venv/``, ``myenv/`` in turn): ``pyvenv.cfg``, ``bin/``, and
``VENV_FILES`` ``.py`` files hard-linked from the base interpreter's site-packages
and standard library.
A quarter of the submissions (500 of 2,000, drawn from the others) are zipped,
as ``student....zip``, half with the submission's folder at the zip's top and
half without (when a file sits at the top: a zip of folders alone would read as a
platform's "download all" export), as students zip them.

The cohort is built under ``~/.cache/flake8-secret-key-bench/`` (``--cache``) in
a folder named by a hash of its recipe (this file's ``RECIPE``, the count, the
repositories found and their commits, the venv template) and reused while that
holds; older ones are removed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple

#: Public repositories, ``owner/name`` or ``owner/name@ref``, read from the mirror.
REPOSITORIES: tuple[str, ...] = (
    # Student editors for the "buggy racing" Flask coursework, one per student.
    "felixwri/CS1999-buggy-race-editor",
    "LeonardoLoureiro/CS1999-buggy-race-editor",
    "Davidk20/CS1999-buggy-race-editor",
    "aisha-rhul/CS1999-buggy-race-editor",
    "Sergio7595a/CS1999-buggy-race-editor",
    "gigaiDX/CS1999-buggy-race-editor",
    "SHaines2021/CS1999-buggy-race-editor",
    "mosfiratnasreen/CS1999-buggy-race-editor",
    "HarryWolton1/CS1999-buggy-race-editor",
    "Aamnanana/CS1999-buggy-race-editor",
    "Celeritas1/CS1999-buggy-race-editor",
    "E-gonito/CS1999-buggy-race-editor",
    "jmmae/CS1999-buggy-race-editor",
    "Alelentini2001/CS1999-buggy-race-editor",
    "AndreeaGardelean/CS1999-buggy-race-editor",
    "Qasim-b/CS1999-buggy-race-editor",
    "peterjfgill/CS1999-buggy-race-editor",
    "whcas/CS1999-buggy-race-editor",
    "zhac311/CS1999-buggy-race-editor",
    "Azzurre/CS1999-buggy-race-editor",
    "Charkin01/CS1999-buggy-race-editor",
    "HasanM01/CS1999-buggy-race-editor",
    "JoelRoy1/CS1999-buggy-race-editor",
    "MassiveMyatt/CS1999-buggy-race-editor",
    "TaranHarmer/CS1999-buggy-race-editor",
    # Flask tutorial clones: flaskr and the microblog of the Flask Mega-Tutorial.
    "whwong-sit/info9117_flaskr",
    "ignamv/flaskr",
    "tbrlpld/flaskr",
    "chestnutpang/flaskr",
    "dariuszewski/flaskr_blog",
    "stigsanek/flaskr",
    "jacoboisaza/flaskr",
    "pzpluz/microblog@master",
    "cco/microblog",
    "volitilov/Flask_microblog",
    # Student and hobby Flask apps: logins, JWT, Flask-Security, CSRF, config classes.
    "ashishpapanai/pyBhushan",
    "whendershot/flask_mysql",
    "nail685/python-project-83",
    "marcojalenyu/agcwder",
    "nilfm/nba-betting-simulator",
    "Peace3B/Education-for-all",
    "rropppe/Flask-weather-app",
    "civictechdc/us-congress-pizza-flag-tracker",
    "kmoore1616/Web_Dev_Investment_App",
    "SammySheu/autoSubtitle",
    "FEP-Python/Eventora",
    "TheMoyCarl/trabajodeandres",
    "ili444/flaskapp",
    "henry-oberholtzer/beyondtipping",
    "kohliaryan/Hospital-management-system",
    "ozhiwei/SmartProxyPool",
    "abhirup2565/Authentication",
    "byiringiroscar/Flask-authentication-with-jwt",
    "Casyfill/Capstone_dashboard",
    "afranck64/ultimatum",
    "Nathan-Etave/FestiutO",
    "SpyralC/klarrio",
    "alvesgfelipe/mommy",
)

#: Bump when the way submissions are made changes (the cache is rebuilt).
RECIPE = 2
SEED = 20240612
SUBMISSIONS = 2000
MIN_PROJECTS = 5
MAX_PY = 30  # Python files per submission, at most
MAX_OTHER = 25  # other files per submission, at most
MAX_BYTES = 256 * 1024  # larger files are left out
VENV_EVERY = 25
VENV_NAMES = ("venv", "env", ".venv", "myenv")
VENV_FILES = 3000
ZIPPED_SHARE = 4  # one submission in 4 is zipped

#: What a setting must spell (the plugin's default names, and from_prefixed_env).
SETTING_WORDS = (
    "SECRET_KEY",  # also in JWT_SECRET_KEY, WTF_CSRF_SECRET_KEY, SECRET_KEY_FALLBACKS
    "secret_key",
    "SECURITY_PASSWORD_SALT",
    "from_prefixed_env",
)
SETTING_BYTES = tuple(word.encode() for word in SETTING_WORDS)

#: Folders never taken from a snapshot.
PRUNED = frozenset({".git", "__pycache__", "node_modules", "site-packages", "dist-packages"})
LIB_PYTHON = re.compile(r"^(lib|Lib)/python\d")

DEFAULT_CACHE = Path.home() / ".cache" / "flake8-secret-key-bench"
DEFAULT_MIRROR = Path("/work/.mirror")


class Project(NamedTuple):
    """The files taken from one repository's snapshot, sorted by path."""

    repo: str  # owner/name
    commit: str
    py: list[tuple[str, bytes]]
    other: list[tuple[str, bytes]]


class Corpus(NamedTuple):
    """A built cohort and what it holds."""

    path: Path  # the folder whose children are the submissions
    stats: dict[str, int]
    repositories: list[str]  # the ones used
    missing: list[str]  # listed but not in the mirror


# ------------------------------------------------------------------ reading the mirror


def git_dir(mirror: Path, repo: str) -> Path | None:
    """The git directory of ``repo``'s snapshot in the mirror, or None."""
    owner, name = repo.split("/")
    base = mirror / f"{owner}+{name}" / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def git(gitdir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={gitdir}", *args], input=stdin, capture_output=True, check=True
    ).stdout


def wanted(path: str, venv_folders: Sequence[str]) -> bool:
    """Whether a snapshot's file is taken (no venvs, caches, tool folders)."""
    parts = PurePosixPath(path).parts
    if PRUNED.intersection(parts) or LIB_PYTHON.match(path):
        return False
    return not any(path.startswith(folder) for folder in venv_folders)


def read_project(repo_spec: str, mirror: Path) -> Project | None:
    """The files of one repository's snapshot, or None when the mirror lacks it."""
    repo, _, ref = repo_spec.partition("@")
    gitdir = git_dir(mirror, repo)
    if gitdir is None:
        return None
    try:
        commit = git(gitdir, "rev-parse", f"{ref or 'HEAD'}^{{commit}}").decode().strip()
        listing = git(gitdir, "ls-tree", "-r", "-l", "-z", commit)
    except subprocess.CalledProcessError:
        return None
    entries: list[tuple[str, str, int]] = []  # (path, blob, size)
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, object_id, size = meta.split()
        if kind != b"blob" or mode not in (b"100644", b"100755") or not size.isdigit():
            continue  # links, submodules, files the snapshot lacks (size "BAD")
        if int(size) > MAX_BYTES:
            continue
        entries.append((raw_path.decode("utf-8", "replace"), object_id.decode(), int(size)))
    venv_folders = [p[: -len("pyvenv.cfg")] for p, _, _ in entries if p.endswith("pyvenv.cfg")]
    entries = [e for e in entries if wanted(e[0], venv_folders)]
    blobs = read_blobs(gitdir, [blob for _, blob, _ in entries])
    py: list[tuple[str, bytes]] = []
    other: list[tuple[str, bytes]] = []
    for path, blob, _ in sorted(entries):
        if blob in blobs:  # else absent from the snapshot
            (py if path.endswith(".py") else other).append((path, blobs[blob]))
    return Project(repo, commit, py, other)


def read_blobs(gitdir: Path, blobs: Sequence[str]) -> dict[str, bytes]:
    """The contents of ``blobs``, through one ``git cat-file --batch``."""
    out = git(gitdir, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in blobs).encode())
    found: dict[str, bytes] = {}
    at = 0
    while at < len(out):
        header_end = out.index(b"\n", at)
        header = out[at:header_end].decode().split()
        if header[-1] == "missing":
            at = header_end + 1
            continue
        blob, _, size = header
        start = header_end + 1
        found[blob] = out[start : start + int(size)]
        at = start + int(size) + 1  # the newline after each object
    return found


def read_projects(mirror: Path) -> tuple[list[Project], list[str]]:
    """The projects found in the mirror (with at least one Python file), and the missing."""
    projects: list[Project] = []
    missing: list[str] = []
    for spec in REPOSITORIES:
        project = read_project(spec, mirror)
        if project is None or not project.py:
            missing.append(spec)
        else:
            projects.append(project)
    return projects, missing


# ------------------------------------------------------------------ keys as projects write them

#: ``target =`` or ``target: type =`` at the start of a line (not ``==``).
ASSIGNED = re.compile(r"^([\w.\[\]'\"]+)\s*(:\s*\w+\s*)?=(?!=)")


def key_lines(projects: Sequence[Project]) -> list[str]:
    """The one-line settings found in the projects, as written: a sorted, unique list."""
    found: set[str] = set()
    for project in projects:
        for _, data in project.py:
            if not any(word in data for word in SETTING_BYTES):
                continue
            for line in data.decode("utf-8", "replace").splitlines():
                line = line.strip()
                if not any(w in line for w in SETTING_WORDS) or len(line) > 120 or line[-1] == ",":
                    continue
                assigned = ASSIGNED.match(line)
                sets = assigned and any(word in assigned[1] for word in SETTING_WORDS)
                if sets or line.endswith(".from_prefixed_env()"):
                    try:
                        compile(line, "<key>", "exec", dont_inherit=True)
                    except (SyntaxError, ValueError):
                        continue
                    found.add(line)
    return sorted(found)


# ------------------------------------------------------------------ making submissions


def spells_setting(data: bytes) -> bool:
    return any(word in data for word in SETTING_BYTES)


def window(items: Sequence[tuple[str, bytes]], keep: int, turn: int) -> list[tuple[str, bytes]]:
    """``keep`` of ``items``, starting further on at each ``turn`` (all when fewer)."""
    if len(items) <= keep:
        return list(items)
    start = (turn * keep) % len(items)
    return [items[(start + k) % len(items)] for k in range(keep)]


def is_main(path: str) -> bool:
    return PurePosixPath(path).name in ("app.py", "__init__.py", "main.py", "run.py")


def submission_files(
    project: Project, turn: int, rng: random.Random, keys: Sequence[str]
) -> dict[str, bytes]:
    """The files of one submission made from ``project`` at its ``turn``-th use."""
    anchors = [(p, d) for p, d in project.py if spells_setting(d) or is_main(p)]
    anchors = sorted(anchors, key=lambda item: (item[0].count("/"), item[0]))[: MAX_PY // 2]
    rest = [item for item in project.py if item not in anchors]
    py = anchors + window(rest, MAX_PY - len(anchors), turn)
    files = dict(py + window(project.other, MAX_OTHER, turn))
    if not any(spells_setting(data) for _, data in py) and keys and rng.random() < 0.5:
        main = min(
            (path for path, _ in py if is_main(path)),
            key=lambda p: (p.count("/"), p),
            default=None,
        )
        if main is None:
            main = "app.py"
            files.setdefault(main, b"from flask import Flask\n\napp = Flask(__name__)\n")
        text = files[main]
        files[main] = text + (b"" if text.endswith(b"\n") or not text else b"\n")
        files[main] += rng.choice(keys).encode() + b"\n"
    return files


def write_folder(where: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = where / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def write_zip(target: Path, files: dict[str, bytes], top: str | None) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{top}/{rel}" if top else rel, (2024, 3, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def venv_sources() -> list[Path]:
    """Where a venv's files are copied from: the base interpreter's site-packages, then
    its standard library (until there are ``VENV_FILES``). Not the running venv's, so
    that every venv of one Python (a plain install, an editable one) gets one cohort."""
    base = {"base": sys.base_prefix, "platbase": sys.base_prefix}
    folders = [sysconfig.get_paths(vars=base)["purelib"], sysconfig.get_paths(vars=base)["stdlib"]]
    return list(dict.fromkeys(Path(f) for f in folders if Path(f).is_dir()))


def venv_template(root: Path, want: int) -> list[Path]:
    """``want`` .py files copied from the base interpreter's packages (sorted, so the
    same install gives the same template); each venv hard-links them."""
    dest = root / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    copied: list[Path] = []
    for source in venv_sources():
        for package in sorted(source.iterdir()):
            if package.name.startswith(("_", "flake8_secret_key")) or not package.is_dir():
                continue
            if package.name in ("site-packages", "dist-packages", "test", "tests"):
                continue
            for path in sorted(package.rglob("*.py")):
                if len(copied) >= want:
                    return copied
                target = dest / package.name / path.relative_to(package)
                if "__pycache__" in path.parts or target.exists() or not path.is_file():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                copied.append(target)
    return copied


def add_venv(where: Path, template: Path, files: Sequence[Path]) -> None:
    where.mkdir(parents=True)
    version = f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"
    (where / "pyvenv.cfg").write_text(
        f"home = /usr/bin\ninclude-system-site-packages = false\nversion = {version}\n"
    )
    (where / "bin").mkdir()
    for script in ("activate", "activate.csh", "activate.fish", "python", "pip"):
        (where / "bin" / script).write_text("# a committed venv's script\n")
    for path in files:
        target = where / path.relative_to(template)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)


def make_cohort(
    root: Path, projects: Sequence[Project], count: int, venv_files: int
) -> dict[str, int]:
    """The cohort under ``root / "cohort"``; returns what it holds."""
    rng = random.Random(SEED)
    order = list(projects)
    rng.shuffle(order)
    keys = key_lines(projects)
    template = root / "venv-template"
    venv_paths = venv_template(template, venv_files)
    cohort = root / "cohort"
    cohort.mkdir(parents=True)
    venv_ids = set(range(0, count, VENV_EVERY))
    zipped = set(rng.sample(sorted(set(range(count)) - venv_ids), count // ZIPPED_SHARE))
    stats = dict.fromkeys(
        (
            "submissions",
            "folders",
            "zips",
            "venvs",
            "py_files",
            "py_in_zips",
            "spelling",
            "other_files",
            "venv_py_files",
            "bytes",
            "key_lines",
            "projects",
        ),
        0,
    )
    stats.update(submissions=count, key_lines=len(keys), projects=len(projects))
    for i in range(count):
        project = order[i % len(order)]
        files = submission_files(project, i // len(order), rng, keys)
        name = f"student{i:04d}_{project.repo.split('/')[1]}"
        py = [data for rel, data in files.items() if rel.endswith(".py")]
        stats["py_files"] += len(py)
        stats["spelling"] += sum(map(spells_setting, py))
        stats["other_files"] += len(files) - len(py)
        stats["bytes"] += sum(map(len, files.values()))
        if i in zipped:
            # Without the folder, a zip holding only folders would read as a platform's
            # "download all" export (one submission per folder): only with a file on top.
            bare = rng.random() < 0.5 and any("/" not in rel for rel in files)
            write_zip(cohort / f"{name}.zip", files, None if bare else name)
            stats["zips"] += 1
            stats["py_in_zips"] += len(py)
            continue
        write_folder(cohort / name, files)
        stats["folders"] += 1
        if i in venv_ids:
            add_venv(cohort / name / VENV_NAMES[stats["venvs"] % 4], template, venv_paths)
            stats["venvs"] += 1
            stats["venv_py_files"] += len(venv_paths)
    return stats


# ------------------------------------------------------------------ the cache


def recipe(projects: Sequence[Project], count: int, venv_files: int) -> dict[str, object]:
    return {
        "recipe": RECIPE,
        "seed": SEED,
        "submissions": count,
        "venv_files": venv_files,
        "venv_sources": [
            sorted(p.name for p in source.iterdir() if p.is_dir()) for source in venv_sources()
        ],
        "projects": [f"{p.repo}@{p.commit}" for p in projects],
    }


def build_corpus(
    count: int = SUBMISSIONS,
    *,
    mirror: Path = DEFAULT_MIRROR,
    cache: Path = DEFAULT_CACHE,
    venv_files: int = VENV_FILES,
    rebuild: bool = False,
) -> Corpus:
    """The cohort of ``count`` submissions, built or taken from the cache."""
    projects, missing = read_projects(mirror)
    for spec in missing:
        print(
            f"note: {spec} is not in {mirror} (or has no Python file): skipped; "
            f"to use it, put a clone of it at {mirror}/{spec.split('@')[0].replace('/', '+')}"
            "/repo",
            file=sys.stderr,
        )
    if len(projects) < MIN_PROJECTS:
        sys.exit(
            f"error: only {len(projects)} of the {len(REPOSITORIES)} repositories are in "
            f"{mirror}; put clones there (see benchmarks/corpus.py) or pass --mirror"
        )
    plan = recipe(projects, count, venv_files)
    digest = hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()[:16]
    root = cache / f"cohort-{count}-{digest}"
    done = root / "recipe.json"
    if rebuild or not done.is_file():
        shutil.rmtree(root, ignore_errors=True)
        for old in cache.glob(f"cohort-{count}-*"):
            shutil.rmtree(old, ignore_errors=True)  # an older recipe's
        start = time.perf_counter()
        print(f"building the cohort in {root} ...", file=sys.stderr, flush=True)
        stats = make_cohort(root, projects, count, venv_files)
        done.write_text(json.dumps({**plan, "stats": stats}, indent=1))
        print(f"  built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    stats = json.loads(done.read_text())["stats"]
    return Corpus(root / "cohort", stats, [p.repo for p in projects], missing)


def describe(corpus: Corpus) -> str:
    s = corpus.stats
    return (
        f"cohort: {s['submissions']} submissions from {s['projects']} projects "
        f"({s['zips']} zipped, {s['venvs']} with a committed venv), {s['py_files']:,} Python "
        f"files of their own ({s['py_in_zips']:,} in zips; {s['spelling']:,} spell a setting "
        f"name), {s['other_files']:,} other files, {s['bytes'] / 1e6:.0f} MB; "
        f"{s['venv_py_files']:,} .py files in venvs; {s['key_lines']} key styles\n"
        f"  in {corpus.path}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=SUBMISSIONS)
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--rebuild", action="store_true", help="build anew, even if cached")
    parser.add_argument("--list", action="store_true", help="print the repositories and exit")
    parser.add_argument("--json", action="store_true", help="end with the corpus as JSON")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(REPOSITORIES))
        return 0
    corpus = build_corpus(
        args.submissions, mirror=args.mirror, cache=args.cache, rebuild=args.rebuild
    )
    if args.json:
        print(json.dumps({**corpus._asdict(), "path": str(corpus.path)}))
    else:
        print(describe(corpus))
    return 0


def build_in_child(count: int, *, mirror: Path, cache: Path, rebuild: bool = False) -> Corpus:
    """``build_corpus`` in a child process, so that the caller stays small: a command
    it starts is forked from it, and counts its size in its own peak memory."""
    argv = [sys.executable, __file__, "--json", "--submissions", str(count)]
    argv += ["--mirror", str(mirror), "--cache", str(cache), *(["--rebuild"] * rebuild)]
    proc = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=False)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or not lines:
        sys.exit(proc.returncode or 1)
    print("\n".join(lines[:-1]), end="\n" if len(lines) > 1 else "")
    found = json.loads(lines[-1])
    return Corpus(Path(found["path"]), found["stats"], found["repositories"], found["missing"])


if __name__ == "__main__":
    sys.exit(main())
