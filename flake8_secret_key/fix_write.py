"""Writing a fixed source file safely: atomically, keeping its mode and owner.

``refusal`` is asked first, for every file, before anything is written (the
env file included), so that a read-only file is an error up front and is
never counted or reported as fixed. ``write_atomic`` then writes a temporary
file in the same folder and ``os.replace``\\ s the target: a reader sees the
old file or the new one, never half of one, and a failure leaves the old file
and no temporary file. Errors are one line, without a traceback.

``create_private`` makes a new file that only its owner can read (an env
file holding a key).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


def refusal(path: str) -> str | None:
    """Why ``path`` must not be rewritten (one line), or None.

    A read-only file (no write bit) is refused even when the user could
    replace it (root, or a writable folder): read-only means "do not touch".
    A folder the temporary file cannot be made in is refused too, so that
    ``fix --check`` knows it and ``fix`` says it before anything is written.
    """
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}; left untouched"
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        return "the file is read-only; left untouched (make it writable to fix it)"
    folder = os.path.dirname(target)
    # Windows ignores a folder's read-only attribute when files are made in it.
    if os.name == "posix" and not os.access(folder, os.W_OK | os.X_OK):
        return (f"cannot write in {folder} (the folder is read-only); left untouched "
                "(make it writable to fix it)")  # fmt: skip
    return None


def write_atomic(path: str, data: bytes) -> str | None:
    """Replace ``path``'s content atomically; a one-line error, or None."""
    error = refusal(path)
    if error is not None:
        return error
    target = os.path.realpath(path)  # a symlink stays a link to the fixed file
    try:
        st = os.stat(target)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}; left untouched"
    folder = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                   suffix=".tmp")  # fmt: skip
    except OSError as exc:
        return f"cannot write in {folder}: {exc.strerror or exc}; left untouched"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return f"cannot write: {exc.strerror or exc}; left untouched"
    return None


def create_private(path: str, data: bytes) -> None:
    """A new file only its owner can read (the key must not be world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)
