"""The Python files of one submission: a folder, a zip, an export's member, a file.

Nothing is extracted: a folder is walked, a zip is read with ``zipfile`` from
the file (only the entries needed), and a zip inside either is read into memory
and opened the same way, one level deep (a Moodle-style folder holding the
student's upload). ``zips`` makes every zip safe to read; anything it refuses,
or that cannot be read at all, is a one-line ``SubmissionError`` for this
submission only.

Inside a submission, virtual environments and tool folders are skipped with the
rules of ``scan.walk`` (a folder holding ``pyvenv.cfg``, any ``site-packages``
or ``dist-packages``, ``.git``, ``__pycache__``, ``node_modules``...), applied
to zip entry paths too. The virtual environments skipped are listed; the Python
files inside them are counted only when asked (``count_skipped_files``), since
that means listing every folder of every venv.
"""

from __future__ import annotations

import io
import os
import stat
from typing import TYPE_CHECKING, NamedTuple

from flake8_secret_key.config_files import MAX_CONFIG, config_kind
from flake8_secret_key.engine.loads import candidates
from flake8_secret_key.escape import printable
from flake8_secret_key.scan import PY_SUFFIXES, count_python, read_file, walk
from flake8_secret_key.submissions import (
    IsAnExport,
    SourceFile,
    Submission,
    SubmissionError,
    members_of,
    safe_text,
)
from flake8_secret_key.zips import (
    MAX_FILE,
    ZIP_ERRORS,
    Budget,
    check_entry,
    corrupt,
    mb,
    open_zip,
    plan_zip,
    read_entry,
)

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Callable, Iterator, Sequence

    from flake8_secret_key.engine.loads import Load


class _Place(NamedTuple):
    """Where the files being yielded come from: a folder on disk (``root``), or the
    entries under ``prefix`` in ``zf``; ``shown`` starts the paths they are shown as."""

    shown: str
    root: str | None
    zf: zipfile.ZipFile | None = None
    prefix: str = ""


class Reader:
    """The Python files of one submission, and the virtual environments skipped.

    ``venvs`` lists the skipped venvs (paths as shown in the report). With
    ``count_skipped_files``, ``skipped_files`` counts the Python files in them.
    ``wants(path)``: whether a Python file is scanned; the others are not read.
    """

    def __init__(
        self,
        submission: Submission,
        budget: Budget | None = None,
        count_skipped_files: bool = False,
        split_exports: bool = False,
        wants: Callable[[str], bool] | None = None,
    ) -> None:
        self.submission = submission
        self.wants = wants
        self.split_exports = split_exports  # a zip that is an export raises IsAnExport
        self.budget = budget or Budget()
        self.count_skipped_files = count_skipped_files
        self.venvs: list[str] = []
        self.skipped_files = 0
        #: The env and config files read (``config_files``), filled in by ``files()``
        #: and by ``read_loaded`` (those, shown path: format, in ``loaded``).
        self.configs: list[SourceFile] = []
        self.loaded: dict[str, str] = {}
        self._place: _Place | None = None  # where the file just yielded came from

    def files(self) -> Iterator[SourceFile]:
        """Each Python file, in a stable order; raises ``SubmissionError``."""
        sub = self.submission
        if sub.parts:
            yield from self._parts(sub)
        elif sub.member is not None:
            yield from self._export_member(sub.path, sub.member)
        elif refuse_special(sub.path):  # a folder (else a regular file)
            yield from self._folder(sub.path)
        elif sub.path.lower().endswith(".zip"):
            yield from self._zip_file(sub.path)
        elif sub.path.endswith(PY_SUFFIXES):
            rel = os.path.basename(sub.path)
            if self.wants is None or self.wants(rel):
                self._place = None
                yield _read_file(sub.path, rel)
        else:
            raise SubmissionError("not a folder, a .zip or a Python file: open it by hand")

    # -- folders

    def _folder(self, root: str) -> Iterator[SourceFile]:
        found = walk(root, hostile=True, zips=True, configs=True)
        prefix = os.path.join(root, "")
        self._folder_configs(root, prefix, found.configs)
        self.venvs.extend(_rel(venv, root, prefix) for venv in found.venvs)
        if self.count_skipped_files:
            self.skipped_files += sum(count_python(venv) for venv in found.venvs)
        wants = self.wants
        place = _Place("", root)
        for full in found.files:
            rel = _rel(full, root, prefix)
            if wants is None or wants(rel):
                self._place = place
                yield _read_file(full, rel)
        for full in found.zips:
            rel = _rel(full, root, prefix)
            try:
                with open_zip(full, rel + "/") as zf:
                    yield from self._zip_entries(zf, "", rel + "/", 1)
            except OSError as exc:
                raise SubmissionError(f"{rel}: cannot read: {exc.strerror or exc}") from None

    def _folder_configs(self, root: str, prefix: str, configs: tuple[str, ...]) -> None:
        """Read the config files, but those git ignores and does not track when the
        submission is a git repository of its own (asked in one call)."""
        wanted = [c for c in configs if self.wants is None or self.wants(_rel(c, root, prefix))]
        if wanted and os.path.lexists(os.path.join(root, ".git")):
            from flake8_secret_key.gitcmd import ignored_in

            ignored = ignored_in(root, wanted)
            wanted = [c for c in wanted if c not in ignored]
        for full in wanted:
            self.configs.append(_read_file(full, _rel(full, root, prefix), MAX_CONFIG))

    def read_loaded(self, module: str, loads: Sequence[Load]) -> None:
        """Read the config files that ``module``, the file ``files()`` just yielded,
        loads (``engine.loads``), from its own folder or zip, where Flask looks for
        them (``loads.candidates``); a file read already, git-ignored and untracked,
        a link, or outside that folder or zip is not."""
        place = self._place
        if place is None or not module.startswith(place.shown):
            return  # a submission that is one .py file: its neighbours are not its own
        for load in loads:
            for rel in candidates(module[len(place.shown) :], load.name):
                shown = place.shown + rel
                if shown in self.loaded:
                    break
                read = any(config.path == shown for config in self.configs)
                found = True if read else self._at(place, rel)
                if found is None:
                    continue
                wanted = self.wants is None or self.wants(shown)
                if wanted and not rel.endswith(PY_SUFFIXES):
                    self.loaded[shown] = load.format  # read as the call says
                    if not isinstance(found, bool):
                        self.configs.append(found._replace(path=shown))
                break

    def _at(self, place: _Place, rel: str) -> SourceFile | bool | None:
        """The file ``rel`` of ``place``, not read yet: None if it is not there, False
        if it is not to be read (a link, git-ignored and untracked), else its bytes or
        error."""
        if place.zf is not None:
            try:
                info = place.zf.getinfo(place.prefix + rel)
                check_entry(info, info.filename)
            except (KeyError, SubmissionError):
                return None
            if info.is_dir() or info.file_size > MAX_CONFIG:
                return False
            try:
                return SourceFile(rel, read_entry(place.zf, info, self.budget, place.shown))
            except ZIP_ERRORS as exc:
                raise corrupt(exc, place.shown) from None
        assert place.root is not None
        full = os.path.join(place.root, *rel.split("/"))
        try:
            mode = os.lstat(full).st_mode
        except OSError:
            return None
        if not stat.S_ISREG(mode):
            return False  # a link (never followed in a submission) or a folder
        if os.path.lexists(os.path.join(place.root, ".git")):
            from flake8_secret_key.gitcmd import ignored_in

            if ignored_in(place.root, [full]):
                return False
        return _read_file(full, rel, MAX_CONFIG)

    # -- a platform export's files of one student (``layouts``)

    def _parts(self, sub: Submission) -> Iterator[SourceFile]:
        """The student's files and folders, in the export folder or zip at ``sub.path``."""
        if sub.folder:
            for rel, shown in sub.parts:
                yield from self._disk_part(sub.path, rel, shown)
            return
        current = ""
        try:
            with open_zip(sub.path, "") as zf:
                for current, shown in sub.parts:
                    if current.endswith("/"):
                        yield from self._zip_entries(zf, current, "", 0)
                    else:
                        yield from self._zip_part(zf, zf.getinfo(current), shown)
        except (SubmissionError, KeyError, OSError, *ZIP_ERRORS) as exc:
            raise _export_error(exc, current) from None

    def _zip_part(
        self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str
    ) -> Iterator[SourceFile]:
        """One file of the export zip, shown as ``shown`` (a zip: read one level deep)."""
        check_entry(info, info.filename)
        if self.wants is not None and not self.wants(shown):
            return
        if shown.endswith(PY_SUFFIXES):
            if info.file_size > MAX_FILE:
                yield SourceFile(shown, b"", f"larger than {mb(MAX_FILE)}, not read")
            else:
                self._place = None
                yield SourceFile(shown, read_entry(zf, info, self.budget, ""))
        elif shown.lower().endswith(".zip"):
            data = read_entry(zf, info, self.budget, "")
            with open_zip(io.BytesIO(data), shown) as inner:
                yield from self._zip_entries(inner, "", shown + "/", 1)
        elif config_kind(shown) is not None and info.file_size <= MAX_CONFIG:
            self.configs.append(SourceFile(shown, read_entry(zf, info, self.budget, "")))

    def _disk_part(self, root: str, rel: str, shown: str) -> Iterator[SourceFile]:
        """One file or folder of the export folder: never through a link, never a FIFO."""
        full = os.path.join(root, rel.rstrip("/"))
        if rel.endswith("/"):
            yield from self._folder(full)
            return
        is_py = shown.endswith(PY_SUFFIXES)
        try:
            regular = stat.S_ISREG(os.lstat(full).st_mode)
        except OSError as exc:
            if is_py:
                yield SourceFile(shown, b"", f"cannot read: {exc.strerror or exc}")
            return
        if (self.wants is not None and not self.wants(shown)) or not regular:
            if is_py and not regular:
                yield SourceFile(shown, b"", "not a regular file (a link?): not read")
            return
        if is_py:
            self._place = None
            yield _read_file(full, shown)
        elif shown.lower().endswith(".zip"):
            try:
                with open_zip(full, shown + "/") as zf:
                    yield from self._zip_entries(zf, "", shown + "/", 1)
            except OSError as exc:
                why = exc.strerror or exc
                raise SubmissionError(f"{printable(shown)}: cannot read: {why}") from None
        elif config_kind(shown) is not None:
            self.configs.append(_read_file(full, shown, MAX_CONFIG))

    # -- zips

    def _zip_file(self, path: str) -> Iterator[SourceFile]:
        try:
            with open_zip(path, "") as zf:
                if self.split_exports:
                    members = members_of(zf.namelist(), path, self.submission.name)
                    if any(m.member is not None for m in members):  # not just this zip
                        raise IsAnExport(members)
                yield from self._zip_entries(zf, "", "", 0)
        except OSError as exc:
            raise SubmissionError(f"cannot read: {exc.strerror or exc}") from None

    def _export_member(self, path: str, member: str) -> Iterator[SourceFile]:
        try:
            with open_zip(path, "") as zf:
                if member.endswith("/"):
                    yield from self._zip_entries(zf, member, "", 0)
                    return
                info = zf.getinfo(member)  # the last entry of that name, if several
                check_entry(info, info.filename)
                data = read_entry(zf, info, self.budget, "")
                with open_zip(io.BytesIO(data), member) as inner:
                    yield from self._zip_entries(inner, "", "", 1)
        except (SubmissionError, KeyError, OSError, *ZIP_ERRORS) as exc:
            raise _export_error(exc, member) from None

    def _zip_entries(
        self, zf: zipfile.ZipFile, prefix: str, shown: str, depth: int
    ) -> Iterator[SourceFile]:
        """The Python files under ``prefix`` in ``zf`` (and in its zips, if depth allows).

        ``shown`` prefixes the paths in messages and results (``"inner.zip/"``).
        """
        plan = plan_zip(zf.infolist(), prefix, shown)
        self.venvs.extend(shown + venv for venv in plan.venvs)
        self.skipped_files += plan.skipped_files if self.count_skipped_files else 0
        wants = self.wants
        place = _Place(shown, None, zf, prefix)
        try:
            for rel, info in plan.python:
                if wants is not None and not wants(shown + rel):
                    continue
                if info.file_size > MAX_FILE:
                    yield SourceFile(shown + rel, b"", f"larger than {mb(MAX_FILE)}, not read")
                    continue
                self._place = place
                yield SourceFile(shown + rel, read_entry(zf, info, self.budget, shown))
            for rel, info in plan.configs:  # but those read already (read_loaded)
                if (wants is None or wants(shown + rel)) and shown + rel not in self.loaded:
                    data = read_entry(zf, info, self.budget, shown)
                    self.configs.append(SourceFile(shown + rel, data))
            for rel, info in plan.zips:
                if depth >= 1:
                    continue  # one level of nesting: deeper zips are not opened
                data = read_entry(zf, info, self.budget, shown)
                with open_zip(io.BytesIO(data), shown + rel) as inner:
                    yield from self._zip_entries(inner, "", shown + rel + "/", depth + 1)
        except SubmissionError:
            raise
        except ZIP_ERRORS as exc:
            raise corrupt(exc, shown) from None


def _export_error(exc: Exception, member: str) -> SubmissionError:
    """Why reading ``member`` of a platform's export zip failed, in one line."""
    if isinstance(exc, SubmissionError):
        return exc
    if isinstance(exc, KeyError):
        return SubmissionError(f"{printable(member)} is missing from the export")
    if isinstance(exc, OSError):
        return SubmissionError(f"cannot read: {exc.strerror or exc}")
    return corrupt(exc, "")


# ------------------------------------------------------------------ files

#: What ``refuse_special`` calls what is neither a file nor a folder.
_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def refuse_special(path: str) -> bool:
    """Whether ``path`` is a folder (else a regular file); raises ``SubmissionError``
    for anything else.

    A submission that is a symbolic link is not followed: it could point anywhere on
    the disk (``carol.py -> /etc/passwd``, ``dave.py -> /dev/zero``, a folder outside
    the cohort). A FIFO, socket or device is never opened: opening a FIFO blocks
    until someone writes to it. Asked with ``lstat``, which opens nothing.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise SubmissionError("not found (removed while the report ran?)") from None
    except OSError as exc:
        raise SubmissionError(f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return stat.S_ISDIR(mode)
    if stat.S_ISLNK(mode):
        raise SubmissionError(
            "a symbolic link: not followed (a submission is a folder, a .zip or a .py file)"
        )
    what = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
    raise SubmissionError(f"{what}, not a file or a folder: not opened")


def _read_file(full: str, rel: str, limit: int | None = None) -> SourceFile:
    limit = MAX_FILE if limit is None else limit
    try:
        data = read_file(full, limit)
    except OSError as exc:
        return SourceFile(rel, b"", f"cannot read: {exc.strerror or exc}")
    if len(data) > limit:
        return SourceFile(rel, b"", f"larger than {mb(limit)}, not read")
    return SourceFile(rel, data)


def _rel(full: str, root: str, prefix: str) -> str:
    """``full`` (found by walking ``root``; ``prefix``: ``os.path.join(root, "")``)
    relative to ``root``, with ``/``."""
    rel = full[len(prefix) :] if full.startswith(prefix) else os.path.relpath(full, root)
    return safe_text(rel if os.sep == "/" else rel.replace(os.sep, "/"))
