"""Finding the Python files worth scanning, and scanning one file's bytes.

Discovery skips what nobody wants scanned: ``.git``, ``__pycache__``,
``node_modules``, and virtual environments wherever they sit and whatever they
are called (a folder holding ``pyvenv.cfg``, or any ``site-packages`` /
``dist-packages`` folder). Students commit ``venv/``, ``env/``, ``.venv/``,
``myenv/``, Windows-style ``venv/Lib/site-packages``: all pruned, not walked.

``analyze_bytes`` is the one place where a file's bytes become observations for
``check`` and ``report`` (``fix`` also decodes through ``source.decode``);
``analyze_spelled`` is its second half, for a caller that ran the prefilter itself.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from flake8_secret_key.config_files import config_kind
from flake8_secret_key.engine import Observation, Options, SourceError, may_hold_setting_bytes
from flake8_secret_key.engine.loads import Load, may_load_bytes, observe_with_loads
from flake8_secret_key.options import Config
from flake8_secret_key.source import decode

#: Folders that hold installed packages: a virtual environment's, wherever they sit.
PACKAGE_DIRS = frozenset({"site-packages", "dist-packages"})

#: Folders never descended into (package folders are pruned too, and listed as venvs).
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".mypy_cache",
     ".pytest_cache", ".ruff_cache"}
) | PACKAGE_DIRS  # fmt: skip

#: Junk that archivers add (macOS resource forks), skipped in submissions.
JUNK_DIRS = frozenset({"__MACOSX"})

#: What flake8 checks by default (``--filename=*.py``), so ``check`` agrees with it.
PY_SUFFIXES = (".py",)


class FileResult(NamedTuple):
    """What scanning one file gave: observations, or a one-line error; and the config
    files it loads (``engine.loads``), which the caller reads as config files."""

    path: str
    observations: list[Observation]
    error: str | None = None
    loads: tuple[Load, ...] = ()


class Walk(NamedTuple):
    """What a walk found under a root, each list sorted."""

    files: list[str]  # Python files
    zips: list[str]  # .zip files (only when asked for)
    venvs: list[str]  # virtual environments pruned, not walked
    configs: tuple[str, ...] = ()  # env and config files (only when asked for)


def excluded(path: str, patterns: Sequence[str]) -> bool:
    """flake8-style ``--exclude``: a glob matches the base name or the whole path."""
    if not patterns:
        return False
    from fnmatch import fnmatch  # only with --exclude

    base = os.path.basename(path)
    norm = path.replace(os.sep, "/")
    return any(fnmatch(base, p) or fnmatch(norm, p) for p in patterns)


def walk(
    root: str,
    exclude: Sequence[str] = (),
    *,
    hostile: bool = False,
    zips: bool = False,
    configs: bool = False,
) -> Walk:
    """Python files under ``root``, pruning venvs, tool folders and ``exclude`` globs.

    One listing per folder and no ``stat`` per file: a folder is a virtual
    environment when its own listing holds ``pyvenv.cfg`` (so it is pruned before
    anything under it is listed), and entry types come from the listing.

    As flake8 does, links to folders are not followed, a link to a file is, and a
    dangling link is listed (reading it reports the error). With ``hostile`` (a
    student's submission, which could point anywhere on the disk) no link is
    followed at all and archiver junk (``__MACOSX``, ``._*``) is skipped. With
    ``zips``, the ``.zip`` files are listed too; with ``configs``, the env and config
    files that ``config_files.config_kind`` names.
    """
    files: list[str] = []
    found_zips: list[str] = []
    found_configs: list[str] = []
    venvs: list[str] = []
    stack = [root]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError:
            # Asked only now: a root is mostly a folder, and one stat a walk is saved.
            if top == root and os.path.isfile(root):
                return Walk([root], [], [])
            continue
        if top != root and "pyvenv.cfg" in [e.name for e in entries]:
            venvs.append(top)
            continue
        for entry in entries:
            name = entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if name in PACKAGE_DIRS:
                    venvs.append(entry.path)
                elif not (
                    name in SKIP_DIRS
                    or (hostile and name in JUNK_DIRS)
                    or excluded(entry.path, exclude)
                ):
                    stack.append(entry.path)
            elif hostile and name.startswith("._"):
                continue
            elif name.endswith(PY_SUFFIXES):
                if _openable(entry, hostile) and not excluded(entry.path, exclude):
                    files.append(entry.path)
            elif zips and name.lower().endswith(".zip"):
                if _openable(entry, hostile) and not excluded(entry.path, exclude):
                    found_zips.append(entry.path)
            elif configs and config_kind(name) is not None:
                if _openable(entry, hostile) and not excluded(entry.path, exclude):
                    found_configs.append(entry.path)
    files.sort()
    found_zips.sort()
    venvs.sort()
    return Walk(files, found_zips, venvs, tuple(sorted(found_configs)))


def _openable(entry: os.DirEntry[str], hostile: bool) -> bool:
    """A regular file (or, unless ``hostile``, a link to one, or a dangling link).

    Never a FIFO, socket or device, even through a link: opening a FIFO named
    ``x.py`` would block the scan forever.
    """
    try:
        if entry.is_symlink():
            return not hostile and (entry.is_file() or not os.path.exists(entry.path))
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def count_python(path: str) -> int:
    """Python files under ``path``, counted from folder listings (nothing is read).

    Links are never followed: a venv (or a hostile submission) may point anywhere.
    """
    count = 0
    stack = [path]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    if entry.name.endswith(PY_SUFFIXES):
                        count += 1
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return count


def special_file(path: str) -> bool:
    """Whether ``path``, named on the command line, is something other than a folder
    or a regular file (a FIFO, socket or device, or a link to one): never opened, since
    reading a FIFO blocks until someone writes to it. ``stat`` itself never blocks."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # missing or dangling: reading it reports why
    return not (stat.S_ISDIR(mode) or stat.S_ISREG(mode))


#: The one-line error for a ``special_file``.
SPECIAL_FILE = "not a regular file or folder (a FIFO, socket or device): not opened"


def iter_python_files(paths: Sequence[str], exclude: Sequence[str] = ()) -> Iterator[str]:
    """Every Python file under each path, in a stable order, without duplicates."""
    seen: set[str] = set()
    for path in paths:
        for found in walk(path, exclude).files:
            if found not in seen:
                seen.add(found)
                yield found


def analyze_bytes(data: bytes, path: str, config: Config) -> FileResult:
    """Observations for one file's bytes; never raises on any input.

    Whether the file is scanned at all (``config.wants``: test code is skipped
    unless asked for) is decided before it is read, by whoever picks the files.
    """
    if not (may_hold_setting_bytes(data, config.engine) or may_load_bytes(data)):
        return FileResult(path, [])  # not even decoded: it spells no name
    return analyze_spelled(data, path, config)


def analyze_spelled(data: bytes, path: str, config: Config) -> FileResult:
    """``analyze_bytes`` for bytes that passed its text test already
    (``may_hold_setting_bytes`` or ``may_load_bytes``).

    A content analysed before in this process is not parsed again (``_SEEN``).
    """
    seen = _SEEN.get(data, config.engine)
    if seen is None:
        seen = _analyze(data, path, config)
        _SEEN.put(data, config.engine, seen)
    observations, error, loads = seen
    return FileResult(path, list(observations), error, loads)


#: What the engine made of one content: observations, an error, the files it loads.
Analysed = tuple[list[Observation], str | None, tuple[Load, ...]]


def _analyze(data: bytes, path: str, config: Config) -> Analysed:
    try:
        observations, loads = observe_with_loads(decode(data).text, config.engine, path)
        return observations, None, tuple(loads)
    except SourceError as exc:  # but a file looked at for its loads alone is not ours
        return [], str(exc) if may_hold_setting_bytes(data, config.engine) else None, ()
    except Exception as exc:  # a bug of ours must not abort a whole scan
        return [], f"internal error ({type(exc).__name__}): please report", ()


class Seen:
    """What each content that spells a setting name gave, in this process.

    A cohort's students share their course's starter files, and a tree its vendored
    copies: one parse serves every copy. What the engine sees depends on the bytes
    and the options only (never on the path), and observations are immutable. The
    results are kept for one ``Options`` object at a time (one per run, and one per
    worker: see ``workers``), up to ``limit`` bytes of contents.
    """

    def __init__(self, limit: int = 32 << 20) -> None:
        self.limit = limit
        self.size = 0
        self.options: Options | None = None
        self.results: dict[bytes, Analysed] = {}

    def get(self, data: bytes, options: Options) -> Analysed | None:
        return self.results.get(data) if options is self.options else None

    def put(self, data: bytes, options: Options, result: Analysed) -> None:
        if options is not self.options:  # another run's options (a test, an API caller)
            self.results.clear()
            self.size = 0
            self.options = options
        if self.size + len(data) <= self.limit:
            self.results[data] = result
            self.size += len(data)


_SEEN = Seen()


def read_file(path: str, limit: int | None = None) -> bytes:
    """A file's bytes, or with ``limit`` at most its first ``limit + 1`` (one byte
    over tells the caller the file is too big); raises ``OSError``.

    With ``os.read`` on a descriptor: a file object's buffering costs more than the
    read itself on the small files a cohort is made of (6 against 12-19 us a file).
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        parts = []
        size = 0
        while limit is None or size <= limit:
            want = _CHUNK if limit is None else min(_CHUNK, limit + 1 - size)
            data = os.read(fd, want)
            if not data:
                break
            parts.append(data)
            size += len(data)
    finally:
        os.close(fd)
    return b"".join(parts)


#: What ``read_file`` asks for at a time: most source files fit in one read.
_CHUNK = 1 << 16
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_bytes(path: str) -> bytes:
    """A file's bytes; raises ``SourceError`` with a one-line reason."""
    try:
        return read_file(path)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None


def analyze_path(path: str, config: Config) -> FileResult:
    """Read and analyse one file; unreadable files give a one-line error."""
    if not config.wants(path):
        return FileResult(path, [])
    try:
        data = read_bytes(path)
    except SourceError as exc:
        return FileResult(path, [], str(exc))
    return analyze_bytes(data, path, config)
