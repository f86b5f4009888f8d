"""Students' zips, read with ``zipfile`` and never trusted.

Every check is made on the ``ZipInfo`` headers before a byte is decompressed, and
every read is bounded, so that an archive is refused (a one-line
``SubmissionError`` for its submission only) before it can cost much:

- an entry whose name has a NUL, an absolute path or ``..``, or that is a
  symbolic link (``check_entry``);
- more than ``MAX_TOTAL`` uncompressed bytes to read from the zips of one
  submission: announced by the headers (``plan_zip``), then counted as read
  (``Budget``);
- a compression ratio above ``MAX_RATIO``: announced by the headers
  (``check_ratio``), then measured while reading (``read_entry``);
- a Python file larger than ``MAX_FILE`` is not read at all (a file error).

Zips found inside a zip are read into memory (within the budget) and opened the
same way, one level deep. Virtual environments and tool folders are skipped with
the rules of ``scan.walk``, applied to the entry paths (``plan_zip``).
"""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from typing import IO, TYPE_CHECKING, NamedTuple

from flake8_secret_key.config_files import MAX_CONFIG, config_kind
from flake8_secret_key.escape import printable
from flake8_secret_key.scan import JUNK_DIRS, PACKAGE_DIRS, PY_SUFFIXES, SKIP_DIRS
from flake8_secret_key.submissions import SubmissionError, unsafe_name

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Most uncompressed bytes read from the zips of one submission.
MAX_TOTAL = 200 * 1024 * 1024
#: Highest compression ratio accepted for an entry that is read.
MAX_RATIO = 100
#: Entries smaller than this are not held to the ratio (they cannot hurt).
RATIO_MIN_SIZE = 64 * 1024
#: Largest single Python file read; larger ones are a file error, not read.
MAX_FILE = 20 * 1024 * 1024

#: What ``zipfile`` raises on a corrupt, truncated or unsupported archive.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, struct.error, EOFError, ValueError,
              RuntimeError, NotImplementedError)  # fmt: skip

_CHUNK = 1 << 20


class Budget:
    """Bytes one submission may still decompress from its zips."""

    def __init__(self, total: int | None = None) -> None:
        self.cap = MAX_TOTAL if total is None else total
        self.left = self.cap

    def spend(self, size: int) -> None:
        if size > self.left:
            raise SubmissionError(
                f"refused: more than {mb(self.cap)} uncompressed to read "
                f"(cap {mb(self.cap)}): a zip bomb?"
            )
        self.left -= size


def open_zip(file: str | IO[bytes], shown: str) -> zipfile.ZipFile:
    """The zip at a path (read as needed, never whole) or in a file object.

    Raises ``SubmissionError`` for a corrupt zip (``shown``, if any, names it) and
    ``OSError`` for a file that cannot be read.
    """
    try:
        return zipfile.ZipFile(file)
    except ZIP_ERRORS as exc:
        raise corrupt(exc, shown) from None


def corrupt(exc: BaseException, shown: str) -> SubmissionError:
    """The error for a zip that ``zipfile`` could not read (``exc``: one of ``ZIP_ERRORS``)."""
    where = f"{printable(shown.rstrip('/'))}: " if shown else ""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return SubmissionError(f"{where}corrupt zip: {printable(text)}")


# ------------------------------------------------------------------ what to read


class ZipPlan(NamedTuple):
    """What to read from a zip, decided from the entry names and headers alone."""

    python: list[tuple[str, zipfile.ZipInfo]]
    zips: list[tuple[str, zipfile.ZipInfo]]
    venvs: list[str]  # the virtual environments skipped, as paths under the prefix
    skipped_files: int  # the Python files in them
    configs: tuple[tuple[str, zipfile.ZipInfo], ...] = ()  # env and config files


def plan_zip(infos: Sequence[zipfile.ZipInfo], prefix: str = "", shown: str = "") -> ZipPlan:
    """Check every entry under ``prefix``, then pick the files worth reading.

    Raises ``SubmissionError`` for unsafe entries and for caps broken by the headers.
    """
    entries: list[tuple[str, zipfile.ZipInfo]] = []
    cut = len(prefix)
    for info in infos:
        name = info.filename.replace("\\", "/")
        if not name.startswith(prefix):
            continue
        check_entry(info, shown + info.filename)
        if len(name) > cut and not name.endswith("/"):
            entries.append((name[cut:], info))
    entries.sort(key=lambda entry: entry[0])
    venvs = {rel[: -len("pyvenv.cfg")] for rel, _ in entries if _base(rel) == "pyvenv.cfg"}
    python: list[tuple[str, zipfile.ZipInfo]] = []
    zips: list[tuple[str, zipfile.ZipInfo]] = []
    configs: list[tuple[str, zipfile.ZipInfo]] = []
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
        elif config_kind(base) is not None and info.file_size <= MAX_CONFIG:
            configs.append((rel, info))
    total = sum(i.file_size for _, i in python if i.file_size <= MAX_FILE)
    total += sum(i.file_size for _, i in zips) + sum(i.file_size for _, i in configs)
    if total > MAX_TOTAL:
        raise SubmissionError(
            f"refused: {mb(total)} uncompressed to read, above the cap of {mb(MAX_TOTAL)}: "
            "a zip bomb?"
        )
    for rel, info in python + zips + configs:
        check_ratio(info, shown + prefix + rel)
    return ZipPlan(python, zips, sorted(skipped), sum(skipped.values()), tuple(configs))


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


def _base(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


# ------------------------------------------------------------------ checks


def check_entry(info: zipfile.ZipInfo, shown: str) -> None:
    """Refuse entries that could escape or point elsewhere: absolute, ``..``, symlinks."""
    why = unsafe_name(info.filename)
    if why is None and stat.S_ISLNK(info.external_attr >> 16):
        why = "is a symbolic link"
    if why is not None:
        raise SubmissionError(f"refused: zip entry {printable(shown)!r} {why}")


def check_ratio(info: zipfile.ZipInfo, shown: str) -> None:
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


# ------------------------------------------------------------------ reading


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget, shown: str) -> bytes:
    """An entry's bytes, within the caps: checked on its header, then while reading.

    The ratio and the size the header announces are checked (and the size spent
    from the budget) before anything is decompressed; the read then stops a byte
    past that size, in chunks, measuring the ratio as it goes, so that a header
    that lies is caught before the entry fills the memory. Raises
    ``SubmissionError`` for a broken cap, one of ``ZIP_ERRORS`` for a corrupt entry.
    """
    check_ratio(info, shown + info.filename)
    budget.spend(info.file_size)
    limit = info.file_size + 1
    parts: list[bytes] = []
    got = 0
    with zf.open(info) as fh:
        while got < limit:
            want = min(_CHUNK, limit - got)
            chunk = fh.read(want)
            parts.append(chunk)
            got += len(chunk)
            if _over_ratio(got, info.compress_size):
                raise _ratio_error(shown + info.filename)
            if len(chunk) < want:  # a short read: the end of the entry
                break
    if got > info.file_size:
        raise SubmissionError(
            f"refused: {printable(shown + info.filename)} is larger than its header "
            "says: a zip bomb?"
        )
    return b"".join(parts)


def mb(size: int) -> str:
    """A size in whole megabytes, for messages."""
    return f"{size / (1024 * 1024):.0f} MB"
