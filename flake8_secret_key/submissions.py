"""A cohort: a folder whose children are student submissions.

A submission is a folder, a ``.zip`` or a lone ``.py`` file. A zip whose top
level holds nothing but zips, or nothing but two or more folders, is a learning
platform's "download all" export: each of those zips or folders is one
submission, named ``export.zip/child``.

This module lists the submissions and holds what the rest shares: the records,
the one-line ``SubmissionError``, and how untrusted names are shown. ``reading``
reads a submission's Python files; ``zips`` reads its zips safely.
"""

from __future__ import annotations

import os
import zipfile
from typing import TYPE_CHECKING, NamedTuple

from flake8_secret_key.scan import JUNK_DIRS

if TYPE_CHECKING:
    from flake8_secret_key.layouts import Identity


class SubmissionError(ValueError):
    """A submission that cannot be marked; ``str()`` is a one-line reason."""


class IsAnExport(Exception):  # not an error: what the reader found
    """Raised by a ``Reader`` told to ``split_exports`` when its zip is an export."""

    def __init__(self, members: list[Submission]) -> None:
        super().__init__(f"a download-all export of {len(members)} submissions")
        self.members = members


class Submission(NamedTuple):
    """One student's work, as found in the cohort folder."""

    name: str  # shown in the report: "alice", "alice.zip", "export.zip/bob.zip"
    path: str  # the folder, zip or file on disk
    member: str | None = None  # inside an export zip: "bob.zip" or "bob/"
    folder: bool | None = None  # whether ``path`` is a folder, from the listing (None: ask)
    #: A platform export's files of one student (``layouts``): (path inside the export
    #: folder or zip at ``path``, the name shown); a path ending in "/" is a folder.
    parts: tuple[tuple[str, str], ...] = ()
    identity: Identity | None = None  # the student, as the platform wrote them


class SourceFile(NamedTuple):
    """One Python file of a submission: its bytes, or why they were not read."""

    path: str  # relative to the submission, "/"-separated; "inner.zip/app.py"
    data: bytes
    error: str | None = None


# ------------------------------------------------------------------ names


def safe_text(text: str) -> str:
    """A file name as text that can always be written (undecodable bytes -> U+FFFD)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def unsafe_name(name: str) -> str | None:
    """Why a zip entry name must not be trusted, or None."""
    # Most names hold none of what is looked for below: answered without a split.
    if not ("\x00" in name or ".." in name or name[:1] in "/\\" or name[1:2] == ":"):
        return None
    norm = name.replace("\\", "/")
    if "\x00" in norm:
        return "has a NUL byte in its name"
    if norm.startswith("/") or (norm[1:2] == ":" and norm[:1].isascii() and norm[:1].isalpha()):
        return "has an absolute path"
    if ".." in norm.split("/"):
        return "goes up with '..'"
    return None


# ------------------------------------------------------------------ the cohort


def list_submissions(root: str, split_exports: bool = True) -> list[Submission]:
    """The submissions under ``root``, sorted by name.

    Hidden entries and ``__MACOSX`` are ignored; anything else that is not a
    folder, a zip or a Python file is still listed (and marked as an error)
    so that the teacher sees it: links (never followed, not even to ask what
    they point to), FIFOs, sockets and devices among them. Without
    ``split_exports`` a zip is listed unopened, as one submission:
    ``export_members`` splits it later (``report`` does it in its worker
    processes, while it reads the zip anyway).
    """
    found: list[Submission] = []
    with os.scandir(root) as entries:
        children = sorted(entries, key=lambda e: e.name)
    for entry in children:
        if entry.name.startswith(".") or entry.name in JUNK_DIRS:
            continue
        zip_file = entry.name.lower().endswith(".zip") and _is_regular(entry)
        if split_exports and zip_file:
            found.extend(export_members(entry.path, safe_text(entry.name)))
        else:
            found.append(Submission(safe_text(entry.name), entry.path, None, _is_folder(entry)))
    return sort_submissions(found)


def _is_folder(entry: os.DirEntry[str]) -> bool | None:
    """Whether the entry is a folder (not a link to one), from the listing when it can tell."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return None


def _is_regular(entry: os.DirEntry[str]) -> bool:
    """A regular file, not a link to one (a FIFO named ``x.zip`` would block its reader)."""
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def sort_submissions(subs: list[Submission]) -> list[Submission]:
    """The report's one order: by name, case-insensitively, then exactly."""
    return sorted(subs, key=lambda s: sort_key(s.name))


def sort_key(name: str) -> tuple[str, str]:
    return name.casefold(), name


def export_members(path: str, name: str) -> list[Submission]:
    """The per-student members of an export zip, or ``[Submission(name, path)]``."""
    try:
        with zipfile.ZipFile(path) as zf:
            return members_of(zf.namelist(), path, name)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return [Submission(name, path, None, False)]  # reported as an error when marked


def members_of(names: list[str], path: str, name: str) -> list[Submission]:
    """``export_members`` from the entry names of the zip at ``path``."""
    tops: dict[str, bool] = {}  # first component -> is a folder
    for entry in (n.replace("\\", "/") for n in names):
        head, sep, _ = entry.partition("/")
        if head in tops:  # checked already
            tops[head] = tops[head] or bool(sep)
            continue
        if unsafe_name(head) is not None or (not head and sep):
            return [Submission(name, path, None, False)]  # not one student's: refused whole
        if not head or head in JUNK_DIRS or head.startswith("."):
            continue
        tops[head] = tops.get(head, False) or bool(sep)
    folders = [t for t, is_dir in tops.items() if is_dir]
    files = [t for t, is_dir in tops.items() if not is_dir]
    if files and not folders and all(f.lower().endswith(".zip") for f in files):
        return [Submission(f"{name}/{f}", path, f, False) for f in files]
    if len(folders) >= 2 and not files:
        return [Submission(f"{name}/{d}", path, d + "/", False) for d in folders]
    return [Submission(name, path, None, False)]
