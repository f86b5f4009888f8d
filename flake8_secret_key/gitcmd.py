"""Asking git, the command, about a folder: what it ignores, and (``history``) its past:
its blobs streamed from one ``cat-file --batch``, and files of a revision.

The folder may be a student's repository, so it is not trusted: only commands that
read are run, with the configuration that could start a program turned off
(``core.fsmonitor``, ``log.showSignature``, no pager; ``history`` also passes
``--no-ext-diff --no-textconv`` where it applies and reads blobs raw with
``cat-file``, which runs no filter). ``GIT_DIR`` and friends, set when a git hook
runs us, are dropped so that git looks at the folder asked about.

subprocess is imported here, by the runs that need git, never by the flake8 plugin.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

#: What every git command runs with: nothing that could run a program.
SAFE_CONFIG = (
    "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", "log.showSignature=false",
    "-c", "core.quotePath=false",
    "-c", "diff.external=",
)  # fmt: skip

#: Variables that would point git at another repository than the folder's.
_REPO_VARIABLES = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR",
)  # fmt: skip


def environment() -> dict[str, str]:
    """This process's environment, without what would redirect git; never prompts."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_VARIABLES}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    return env


def command(folder: str, *args: str) -> list[str]:
    """The argv of ``git args`` run in ``folder``, with ``SAFE_CONFIG``."""
    return ["git", *SAFE_CONFIG, "-C", folder, *args]


def run(
    folder: str, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in ``folder``; None when git cannot be started (not installed)."""
    try:
        return subprocess.run(
            command(folder, *args),
            input=stdin,
            capture_output=True,
            env=environment(),
            check=False,
        )
    except OSError:
        return None


def ignored_untracked(folder: str, paths: Sequence[str]) -> set[str] | None:
    """Of ``paths`` (relative to ``folder``), those that git ignores and that are not
    committed, in one ``git check-ignore`` call (it never lists a tracked file).

    None when ``folder`` is in no git work tree (or git cannot be run, or refuses the
    repository): nothing is known, so nothing is left out.
    """
    if not paths:
        return set()
    stdin = b"".join(os.fsencode(p) + b"\0" for p in paths)
    done = run(folder, "check-ignore", "-z", "--stdin", stdin=stdin)
    if done is None or done.returncode not in (0, 1):
        return None
    return {os.fsdecode(p) for p in done.stdout.split(b"\0") if p}


def ignored_in(folder: str, files: Iterable[str]) -> set[str]:
    """Of ``files`` (paths found under ``folder``), those git ignores and does not track."""
    rel = {os.path.relpath(f, folder): f for f in files}
    ignored = ignored_untracked(folder, sorted(rel))
    return {rel[r] for r in ignored or () if r in rel}


def read_blobs(folder: str, blobs: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each blob's raw bytes, in order, from one ``git cat-file --batch`` stream.

    The names go in through a temporary file, so that git's output is read as it
    comes without a thread to feed its input.
    """
    if not blobs:
        return
    with tempfile.TemporaryFile() as names:
        names.write("".join(b + "\n" for b in blobs).encode("ascii"))
        names.seek(0)
        with subprocess.Popen(
            command(folder, "cat-file", "--batch"),
            stdin=names,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=environment(),
        ) as proc:
            assert proc.stdout is not None
            _widen(proc.stdout.fileno())
            yield from _pumped(proc)


def _pumped(proc: subprocess.Popen[bytes]) -> Iterator[tuple[str, bytes]]:
    """``_batch`` read by a thread: git's output is drained while the blobs before
    are analysed (the reads wait in the kernel, without the GIL)."""
    import queue
    import threading

    assert proc.stdout is not None
    stream = proc.stdout
    items: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=256)

    def pump() -> None:
        try:
            for item in _batch(stream):
                items.put(item)
        except (OSError, ValueError):  # the stream closed under it: we are done
            pass
        finally:
            items.put(None)

    thread = threading.Thread(target=pump, name="git cat-file", daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not None:
            yield item
    finally:
        proc.kill()
        while thread.is_alive():  # let it see the end, never blocked on a full queue
            try:
                items.get(timeout=0.1)
            except queue.Empty:
                pass
        stream.close()


def _widen(fd: int) -> None:
    """A 1 MB pipe (Linux): git writes blobs ahead instead of waiting for each read."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _batch(stream: object) -> Iterator[tuple[str, bytes]]:
    from io import BufferedReader

    assert isinstance(stream, BufferedReader)
    while True:
        header = stream.readline()
        if not header:
            return
        fields = header.split()
        if len(fields) != 3:  # "<sha> missing": a shallow clone's absent object
            continue
        size = int(fields[2])
        data = stream.read(size + 1)[:size]
        yield fields[0].decode("ascii"), data


def read_revisions(folder: str, names: list[str]) -> Iterator[tuple[str, bytes]]:
    """``git cat-file --batch`` on ``rev:path`` names; a missing one is left out."""
    done = run(folder, "cat-file", "--batch", stdin="".join(n + "\n" for n in names).encode())
    if done is None or done.returncode != 0:
        return
    out, at = done.stdout, 0
    for name in names:
        end = out.find(b"\n", at)
        if end == -1:
            return
        fields = out[at:end].split()
        at = end + 1
        if len(fields) != 3 or fields[1] != b"blob":
            continue
        size = int(fields[2])
        yield name, out[at : at + size]
        at += size + 1
