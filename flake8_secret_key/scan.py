"""Finding the Python files worth scanning, and scanning one file's bytes.

Discovery skips what nobody wants scanned: ``.git``, ``__pycache__``,
``node_modules``, and virtual environments wherever they sit and whatever they
are called (a folder holding ``pyvenv.cfg``, or any ``site-packages`` /
``dist-packages`` folder). Students commit ``venv/``, ``env/``, ``.venv/``,
``myenv/``, Windows-style ``venv/Lib/site-packages``: all pruned, not walked.

``analyze_bytes`` is the one place where a file's bytes become observations for
``check`` and ``report`` (``fix`` also decodes through ``source.decode``).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from flake8_secret_key.detect import (
    Observation,
    SourceError,
    may_hold_setting_bytes,
    observe_text,
)
from flake8_secret_key.options import Config
from flake8_secret_key.source import decode

#: Folder names never descended into.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", "node_modules", "site-packages",
     "dist-packages", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)  # fmt: skip

#: What flake8 checks by default (``--filename=*.py``), so ``check`` agrees with it.
PY_SUFFIXES = (".py",)


class FileResult(NamedTuple):
    """What scanning one file gave: observations, or a one-line error."""

    path: str
    observations: list[Observation]
    error: str | None = None


class Walk(NamedTuple):
    """Python files found under a root, and how many were skipped (in venvs)."""

    files: list[str]
    skipped_venv_files: int


def is_venv(path: str) -> bool:
    """A virtual environment: holds ``pyvenv.cfg`` (or is a site-packages folder)."""
    base = os.path.basename(os.path.normpath(path))
    if base in {"site-packages", "dist-packages"}:
        return True
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def excluded(path: str, patterns: Sequence[str]) -> bool:
    """flake8-style ``--exclude``: a glob matches the base name or the whole path."""
    if not patterns:
        return False
    base = os.path.basename(path)
    norm = path.replace(os.sep, "/")
    return any(fnmatch.fnmatch(base, p) or fnmatch.fnmatch(norm, p) for p in patterns)


def walk(root: str, exclude: Sequence[str] = (), count_skipped: bool = False) -> Walk:
    """Python files under ``root`` (sorted), pruning venvs and ``exclude`` globs.

    With ``count_skipped``, the Python files inside pruned virtual environments
    are counted (``report`` shows it); that costs a walk of the venv's names,
    never a read.
    """
    if os.path.isfile(root):
        return Walk([root], 0)
    found: list[str] = []
    skipped = 0
    for dirpath, dirnames, filenames in os.walk(root):
        keep = []
        for d in dirnames:
            full = os.path.join(dirpath, d)
            if d in SKIP_DIRS or excluded(full, exclude) or os.path.islink(full):
                if count_skipped and d in {"site-packages", "dist-packages"}:
                    skipped += count_python(full)
                continue
            if is_venv(full):
                if count_skipped:
                    skipped += count_python(full)
                continue
            keep.append(d)
        dirnames[:] = sorted(keep)
        for f in filenames:
            if f.endswith(PY_SUFFIXES):
                full = os.path.join(dirpath, f)
                if not excluded(full, exclude) and _openable(full):
                    found.append(full)
    found.sort()
    return Walk(found, skipped)


def _openable(path: str) -> bool:
    """A regular file, or a dangling link (reported as unreadable, as flake8 does).

    Never a FIFO, socket or device, even through a link: opening a FIFO named
    ``x.py`` would block the scan forever.
    """
    return os.path.isfile(path) or (os.path.islink(path) and not os.path.exists(path))


def count_python(path: str) -> int:
    """Python files under ``path``, counted from directory listings (nothing is read).

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


def iter_python_files(paths: Sequence[str], exclude: Sequence[str] = ()) -> Iterator[str]:
    """Every Python file under each path, in a stable order, without duplicates."""
    seen: set[str] = set()
    for path in paths:
        for found in walk(path, exclude).files:
            if found not in seen:
                seen.add(found)
                yield found


def analyze_bytes(data: bytes, path: str, config: Config) -> FileResult:
    """Observations for one file's bytes; never raises on any input."""
    if not config.wants(path) or not may_hold_setting_bytes(data, config.engine):
        return FileResult(path, [])  # not even decoded: it spells no name
    try:
        text = decode(data).text
        return FileResult(path, observe_text(text, config.engine, path))
    except SourceError as exc:
        return FileResult(path, [], str(exc))
    except Exception as exc:  # a bug of ours must not abort a whole scan
        return FileResult(path, [], f"internal error ({type(exc).__name__}): please report")


def read_bytes(path: str) -> bytes:
    """A file's bytes; raises ``SourceError`` with a one-line reason."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
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
