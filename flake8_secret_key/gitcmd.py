"""Asking git, the command, about a folder: what it ignores, and (``history``) its past.

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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

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
