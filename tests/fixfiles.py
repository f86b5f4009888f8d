"""What the ``fix`` command's tests share: files to fix, a way to run ``fix``, stdin.

Imported by name (``from fixfiles import ...``): pytest puts ``tests/`` on
``sys.path`` for its test modules (rootdir-relative imports, no package), and
this module, not named ``test_*``, is never collected itself.
"""

from __future__ import annotations

import io
import sys
import types
from pathlib import Path

import pytest

from flake8_secret_key.cli import main

#: A module with a hardcoded key and ``import os`` already: fixing it changes one value.
APP = b'import os\n\nSECRET_KEY = "hunter2-abc"\n'
APP_FIXED = b'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'


def write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """``data`` at ``path`` (its folders made), with ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def fix_cli(*args: str | Path) -> int:
    """``flake8-secret-key fix ARGS``, in this process; its exit status."""
    return main(["fix", *map(str, args)])


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Make ``data`` the bytes ``fix -`` reads."""
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
