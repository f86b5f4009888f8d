"""Reading a cohort: a folder whose children are student submissions.

A submission is a folder, a ``.zip`` or a lone ``.py`` file. A zip whose top
level holds nothing but zips, or nothing but two or more folders, is a learning
platform's "download all" export: each of those zips or folders is one
submission, named ``export.zip/child``. Zips found inside a submission (a
Moodle-style folder holding the student's upload) are read as part of it, one
level deep.

Zips are read in memory, never extracted: plain ones (most uploads) by
``zipread``, any other by ``zipfile``, with the same results. A zip is refused,
as a one-line ``SubmissionError`` for that submission only, when an entry has an absolute
path or ``..``, is a symbolic link, or when what would be read breaks a cap:
``MAX_TOTAL`` uncompressed bytes per submission, or a compression ratio above
``MAX_RATIO`` (checked from the headers, then again while reading with a
bounded read).

Inside a submission, virtual environments and tool folders are skipped with the
rules of ``scan.walk`` (a folder holding ``pyvenv.cfg``, any ``site-packages``
or ``dist-packages``, ``.git``, ``__pycache__``, ``node_modules``...), applied
to zip entry paths too. The virtual environments skipped are listed; the Python
files inside them are counted only when asked (``count_skipped_files``), since
that means listing every folder of every venv.
"""

from __future__ import annotations

import os
import stat

from flake8_secret_key import zipread
from flake8_secret_key.scan import (
    JUNK_DIRS,
    PACKAGE_DIRS,
    PY_SUFFIXES,
    SKIP_DIRS,
    count_python,
    read_file,
    walk,
)
from flake8_secret_key.tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # zipfile is imported only when a zip is not plain
    from collections.abc import Callable, Iterator, Sequence
    from typing import IO, Protocol
    from zipfile import ZipFile

    class EntryInfo(Protocol):
        """What is read of a zip entry: ``zipfile.ZipInfo`` and ``zipread.Entry`` have it."""

        @property
        def filename(self) -> str: ...
        @property
        def file_size(self) -> int: ...
        @property
        def compress_size(self) -> int: ...
        @property
        def external_attr(self) -> int: ...


#: Most uncompressed bytes read from the zips of one submission.
MAX_TOTAL = 200 * 1024 * 1024
#: Highest compression ratio accepted for an entry that is read.
MAX_RATIO = 100
#: Entries smaller than this are not held to the ratio (they cannot hurt).
RATIO_MIN_SIZE = 64 * 1024
#: Largest single Python file read; larger ones are a file error, not read.
MAX_FILE = 20 * 1024 * 1024
#: Largest zip file read whole into memory (for ``zipread``); larger ones are
#: read through ``zipfile``, which reads only the entries it needs.
WHOLE_ZIP_MAX = 32 * 1024 * 1024

#: Control characters, shown escaped (compiled on first use: most names have none).
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
_CHUNK = 1 << 20


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


class SourceFile(NamedTuple):
    """One Python file of a submission: its bytes, or why they were not read."""

    path: str  # relative to the submission, "/"-separated; "inner.zip/app.py"
    data: bytes
    error: str | None = None


def safe_text(text: str) -> str:
    """A file name as text that can always be written (undecodable bytes -> U+FFFD)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def printable(text: str) -> str:
    """``text`` on one line: control characters shown as ``\\xNN`` escapes."""
    if text.isascii() and text.isprintable():  # most text: nothing to escape
        return text
    import re  # only for names that need escapes

    return re.sub(_CONTROL, lambda m: f"\\x{ord(m.group()):02x}", text)


# ------------------------------------------------------------------ the cohort


def list_submissions(root: str, split_exports: bool = True) -> list[Submission]:
    """The submissions under ``root``, sorted by name.

    Hidden entries and ``__MACOSX`` are ignored; anything else that is not a
    folder, a zip or a Python file is still listed (and marked as an error)
    so that the teacher sees it. Without ``split_exports`` a zip is listed
    unopened, as one submission: ``export_members`` splits it later (``report``
    does it in its worker processes, while it reads the zip anyway).
    """
    found: list[Submission] = []
    with os.scandir(root) as entries:
        children = sorted(entries, key=lambda e: e.name)
    for entry in children:
        if entry.name.startswith(".") or entry.name in JUNK_DIRS:
            continue
        if split_exports and entry.name.lower().endswith(".zip") and entry.is_file():
            found.extend(export_members(entry.path, safe_text(entry.name)))
        else:
            found.append(Submission(safe_text(entry.name), entry.path, None, _is_folder(entry)))
    return sort_submissions(found)


def _is_folder(entry: os.DirEntry[str]) -> bool | None:
    """``os.path.isdir(entry.path)``, from the listing when it can tell (a link: asks)."""
    try:
        return entry.is_dir()
    except OSError:
        return None


def sort_submissions(subs: list[Submission]) -> list[Submission]:
    """The report's one order: by name, case-insensitively, then exactly."""
    return sorted(subs, key=lambda s: sort_key(s.name))


def sort_key(name: str) -> tuple[str, str]:
    return name.casefold(), name


def export_members(path: str, name: str) -> list[Submission]:
    """The per-student members of an export zip, or ``[Submission(name, path)]``."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return _members(zf.namelist(), path, name)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return [Submission(name, path, None, False)]  # reported as an error when marked


def _members(names: list[str], path: str, name: str) -> list[Submission]:
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


# ------------------------------------------------------------------ one submission


class Budget:
    """Bytes one submission may still decompress from its zips."""

    def __init__(self, total: int | None = None) -> None:
        self.cap = MAX_TOTAL if total is None else total
        self.left = self.cap

    def spend(self, size: int) -> None:
        if size > self.left:
            raise SubmissionError(
                f"refused: more than {_mb(self.cap)} uncompressed to read "
                f"(cap {_mb(self.cap)}): a zip bomb?"
            )
        self.left -= size


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

    def files(self) -> Iterator[SourceFile]:
        """Each Python file, in a stable order; raises ``SubmissionError``."""
        sub = self.submission
        if sub.member is not None:
            yield from self._export_member(sub.path, sub.member)
        elif sub.folder if sub.folder is not None else os.path.isdir(sub.path):
            yield from self._folder(sub.path)
        elif sub.path.lower().endswith(".zip"):
            yield from self._zip_file(sub.path)
        elif sub.path.endswith(PY_SUFFIXES):
            rel = os.path.basename(sub.path)
            if self.wants is None or self.wants(rel):
                yield _read_file(sub.path, rel)
        elif not os.path.exists(sub.path):
            raise SubmissionError("not found (removed while the report ran?)")
        else:
            raise SubmissionError("not a folder, a .zip or a Python file: open it by hand")

    # -- folders

    def _folder(self, root: str) -> Iterator[SourceFile]:
        found = walk(root, hostile=True, zips=True)
        prefix = os.path.join(root, "")
        self.venvs.extend(_rel(venv, root, prefix) for venv in found.venvs)
        if self.count_skipped_files:
            self.skipped_files += sum(count_python(venv) for venv in found.venvs)
        wants = self.wants
        for full in found.files:
            rel = _rel(full, root, prefix)
            if wants is None or wants(rel):
                yield _read_file(full, rel)
        for full in found.zips:
            rel = _rel(full, root, prefix)
            try:
                with _load_zip(full, rel + "/") as archive:
                    yield from self._zip_entries(archive, "", rel + "/", 1)
            except OSError as exc:
                raise SubmissionError(f"{rel}: cannot read: {exc.strerror or exc}") from None

    # -- zips

    def _zip_file(self, path: str) -> Iterator[SourceFile]:
        try:
            with _load_zip(path, "") as archive:
                if self.split_exports:
                    members = _members(archive.namelist(), path, self.submission.name)
                    if any(m.member is not None for m in members):  # not just this zip
                        raise IsAnExport(members)
                yield from self._zip_entries(archive, "", "", 0)
        except OSError as exc:
            raise SubmissionError(f"cannot read: {exc.strerror or exc}") from None

    def _export_member(self, path: str, member: str) -> Iterator[SourceFile]:
        try:
            with _load_zip(path, "") as archive:
                if member.endswith("/"):
                    yield from self._zip_entries(archive, member, "", 0)
                    return
                info = archive.getinfo(member)
                check_entry(info, info.filename)
                data = self._read_entry(archive, info, "")
                with Archive(data, None, member) as inner:
                    yield from self._zip_entries(inner, "", "", 1)
        except SubmissionError:
            raise
        except KeyError:
            raise SubmissionError(f"{printable(member)} is missing from the export") from None
        except OSError as exc:
            raise SubmissionError(f"cannot read: {exc.strerror or exc}") from None
        except zip_errors() as exc:
            raise SubmissionError(f"corrupt zip: {_reason(exc)}") from None

    def _zip_entries(
        self, archive: Archive, prefix: str, shown: str, depth: int
    ) -> Iterator[SourceFile]:
        """The Python files under ``prefix`` in ``archive`` (and in its zips, if depth
        allows).

        ``shown`` prefixes the paths in messages and results (``"inner.zip/"``).
        """
        plan = plan_zip(archive.infolist(), prefix, shown)
        self.venvs.extend(shown + venv for venv in plan.venvs)
        self.skipped_files += plan.skipped_files if self.count_skipped_files else 0
        wants = self.wants
        try:
            for rel, info in plan.python:
                if wants is not None and not wants(shown + rel):
                    continue
                if info.file_size > MAX_FILE:
                    yield SourceFile(shown + rel, b"", f"larger than {_mb(MAX_FILE)}, not read")
                    continue
                yield SourceFile(shown + rel, self._read_entry(archive, info, shown))
            for rel, info in plan.zips:
                if depth >= 1:
                    continue  # one level of nesting: deeper zips are not opened
                data = self._read_entry(archive, info, shown)
                with Archive(data, None, shown + rel) as inner:
                    yield from self._zip_entries(inner, "", shown + rel + "/", depth + 1)
        except SubmissionError:
            raise
        except zip_errors() as exc:
            where = f"{printable(shown.rstrip('/'))}: " if shown else ""
            raise SubmissionError(f"{where}corrupt zip: {_reason(exc)}") from None

    def _read_entry(self, archive: Archive, info: EntryInfo, shown: str) -> bytes:
        """An entry's bytes, never more than its header says nor than the budget."""
        check_ratio(info, shown + info.filename)
        limit = min(info.file_size, self.budget.left) + 1
        data = None
        # zipread inflates the whole entry at once: only when that stays within the
        # ratio cap (check_ratio said so, but it is the bounded read's job to hold).
        if not _over_ratio(info.file_size, info.compress_size):
            data = archive.read_plain(info, limit)
        if data is None:
            data = _read_bounded(archive, info, limit, shown)
        if len(data) > info.file_size:
            raise SubmissionError(
                f"refused: {printable(shown + info.filename)} is larger than its header "
                "says: a zip bomb?"
            )
        self.budget.spend(len(data))
        return data


def _read_bounded(archive: Archive, info: EntryInfo, limit: int, shown: str) -> bytes:
    """At most ``limit`` bytes of an entry, through zipfile, held to the ratio cap."""
    parts: list[bytes] = []
    got = 0
    with archive.open(info) as fh:
        while got < limit:
            chunk = fh.read(min(_CHUNK, limit - got))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
            if _over_ratio(got, info.compress_size):
                raise _ratio_error(shown + info.filename)
    return b"".join(parts)


class Archive:
    """One zip: read by ``zipread`` when it is plain and in memory, else by ``zipfile``.

    ``data`` is the whole zip (or None, and ``handle`` an open file to read it
    from, which the Archive closes on exit, or at once if zipfile cannot open
    it). Raises ``SubmissionError`` when zipfile cannot open it.
    """

    def __init__(self, data: bytes | None, handle: IO[bytes] | None, shown: str) -> None:
        self.data = data
        self.entries = None if data is None else zipread.read_directory(data)
        self._zipfile: ZipFile | None = None
        self._by_name: dict[str, zipread.Entry] | None = None
        self._handle = handle
        if self.entries is None:
            source = handle if data is None else _bytes_io(data)
            assert source is not None, "an Archive needs data or a handle"
            try:
                self._zipfile = _open_zipfile(source, shown)
            except BaseException:
                self.__exit__()
                raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zipfile is not None:
            self._zipfile.close()
        if self._handle is not None:
            self._handle.close()

    def infolist(self) -> Sequence[EntryInfo]:
        return self.entries if self.entries is not None else self._zip().infolist()

    def namelist(self) -> list[str]:
        return [info.filename for info in self.infolist()]

    def getinfo(self, name: str) -> EntryInfo:
        """The entry called ``name`` (the last, if several are); raises KeyError."""
        if self.entries is None:
            return self._zip().getinfo(name)
        if self._by_name is None:
            self._by_name = {e.filename: e for e in self.entries}
        return self._by_name[name]

    def read_plain(self, info: EntryInfo, limit: int) -> bytes | None:
        """The entry's bytes, if ``zipread`` can read them exactly; else None."""
        if self.data is None or not isinstance(info, zipread.Entry):
            return None
        return zipread.read_entry(self.data, info, limit)

    def open(self, info: EntryInfo) -> IO[bytes]:
        """The entry as a file, through zipfile."""
        zf = self._zip()
        if isinstance(info, zipread.Entry):
            return zf.open(zf.infolist()[info.position])
        return zf.open(info)  # type: ignore[arg-type]  # a ZipInfo of this very zipfile

    def _zip(self) -> ZipFile:
        if self._zipfile is None:
            assert self.data is not None  # else it was opened in __init__
            self._zipfile = _open_zipfile(_bytes_io(self.data), "")
        return self._zipfile


def _load_zip(path: str, shown: str) -> Archive:
    """The zip at ``path``, read whole, unless it is large: then zipfile streams it
    from the file, which the Archive closes. Raises ``OSError``."""
    if os.stat(path).st_size <= WHOLE_ZIP_MAX:
        data = read_file(path, WHOLE_ZIP_MAX)
        if len(data) <= WHOLE_ZIP_MAX:  # else it grew meanwhile: streamed after all
            return Archive(data, None, shown)
    return Archive(None, open(path, "rb"), shown)  # the Archive closes the file


class ZipPlan(NamedTuple):
    """What to read from a zip, decided from the entry names and headers alone."""

    python: list[tuple[str, EntryInfo]]
    zips: list[tuple[str, EntryInfo]]
    venvs: list[str]  # the virtual environments skipped, as paths under the prefix
    skipped_files: int  # the Python files in them


def plan_zip(infos: Sequence[EntryInfo], prefix: str = "", shown: str = "") -> ZipPlan:
    """Check every entry under ``prefix``, then pick the files worth reading.

    Raises ``SubmissionError`` for unsafe entries and for caps broken by the headers.
    """
    entries: list[tuple[str, EntryInfo]] = []
    cut = len(prefix)
    for info in infos:
        name = info.filename
        if "\\" in name:
            name = name.replace("\\", "/")
        if not name.startswith(prefix):
            continue
        check_entry(info, shown + info.filename)
        if len(name) > cut and not name.endswith("/"):
            entries.append((name[cut:], info))
    entries.sort(key=_first)
    venvs = {rel[: -len("pyvenv.cfg")] for rel, _ in entries if _base(rel) == "pyvenv.cfg"}
    python: list[tuple[str, EntryInfo]] = []
    zips: list[tuple[str, EntryInfo]] = []
    skipped: dict[str, int] = {}  # venv -> Python files in it
    folders: dict[str, tuple[str | None, bool]] = {}  # folder -> (its venv, skipped)
    for rel, info in entries:
        folder, _, base = rel.rpartition("/")
        place = folders.get(folder)
        if place is None:
            place = folders[folder] = _place(folder, venvs)
        venv, skip = place
        is_py = base.endswith(PY_SUFFIXES)
        if venv is not None:
            skipped[venv] = skipped.get(venv, 0) + is_py
            continue
        if skip or base.startswith("._"):
            continue
        if is_py:
            python.append((rel, info))
        elif base.lower().endswith(".zip"):
            zips.append((rel, info))
    total = sum(i.file_size for _, i in python if i.file_size <= MAX_FILE)
    total += sum(i.file_size for _, i in zips)
    if total > MAX_TOTAL:
        raise SubmissionError(
            f"refused: {_mb(total)} uncompressed to read, above the cap of {_mb(MAX_TOTAL)}: "
            "a zip bomb?"
        )
    for rel, info in python + zips:
        check_ratio(info, shown + prefix + rel)
    return ZipPlan(python, zips, sorted(skipped), sum(skipped.values()))


def _first(entry: tuple[str, EntryInfo]) -> str:
    return entry[0]


def _place(folder: str, venvs: set[str]) -> tuple[str | None, bool]:
    """A folder's virtual environment (or None), and whether it is a skipped one."""
    dirs = folder.split("/") if folder else []
    skip = any(d in SKIP_DIRS or d in JUNK_DIRS for d in dirs)
    return _venv_of(dirs, venvs), skip


def _venv_of(dirs: list[str], venvs: set[str]) -> str | None:
    """The outermost virtual environment (or package folder) holding ``dirs``, or None."""
    path = ""
    for d in dirs:
        path += d + "/"
        if path in venvs or d in PACKAGE_DIRS:
            return path[:-1]
    return None


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


def check_entry(info: EntryInfo, shown: str) -> None:
    """Refuse entries that could escape or point elsewhere: absolute, ``..``, symlinks."""
    why = unsafe_name(info.filename)
    if why is None and stat.S_ISLNK(info.external_attr >> 16):
        why = "is a symbolic link"
    if why is not None:
        raise SubmissionError(f"refused: zip entry {printable(shown)!r} {why}")


def check_ratio(info: EntryInfo, shown: str) -> None:
    """Refuse an entry whose headers announce a compression ratio above the cap."""
    if _over_ratio(info.file_size, info.compress_size):
        raise _ratio_error(shown)


def _over_ratio(size: int, compressed: int) -> bool:
    """Whether ``size`` bytes (announced, or read so far) from ``compressed`` break the cap."""
    return size >= RATIO_MIN_SIZE and size > MAX_RATIO * max(compressed, 1)


def _ratio_error(shown: str) -> SubmissionError:
    return SubmissionError(
        f"refused: {printable(shown)!r} is compressed more than {MAX_RATIO}:1 "
        f"(cap {MAX_RATIO}:1): a zip bomb?"
    )


def _open_zipfile(handle: IO[bytes], shown: str) -> ZipFile:
    import zipfile

    try:
        return zipfile.ZipFile(handle)
    except zip_errors() as exc:
        where = f"{printable(shown.rstrip('/'))}: " if shown else ""
        raise SubmissionError(f"{where}corrupt zip: {_reason(exc)}") from None


def zip_errors() -> tuple[type[Exception], ...]:
    """What ``zipfile`` raises on a corrupt, truncated or unsupported archive."""
    import struct
    import zipfile
    import zlib

    return (zipfile.BadZipFile, zlib.error, struct.error, EOFError, ValueError,
            RuntimeError, NotImplementedError)  # fmt: skip


def _bytes_io(data: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(data)


# ------------------------------------------------------------------ folders


def _read_file(full: str, rel: str) -> SourceFile:
    try:
        data = read_file(full, MAX_FILE)
    except OSError as exc:
        return SourceFile(rel, b"", f"cannot read: {exc.strerror or exc}")
    if len(data) > MAX_FILE:
        return SourceFile(rel, b"", f"larger than {_mb(MAX_FILE)}, not read")
    return SourceFile(rel, data)


def _rel(full: str, root: str, prefix: str) -> str:
    """``full`` (found by walking ``root``; ``prefix``: ``os.path.join(root, "")``)
    relative to ``root``, with ``/``."""
    rel = full[len(prefix) :] if full.startswith(prefix) else os.path.relpath(full, root)
    return safe_text(rel if os.sep == "/" else rel.replace(os.sep, "/"))


def _base(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return printable(text)
