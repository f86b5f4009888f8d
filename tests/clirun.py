"""Running the console script in-process from a folder, as a user types it there.

Imported by name (``from clirun import ...``), as ``fixfiles``: pytest puts ``tests/``
on ``sys.path``, and this module, not named ``test_*``, is never collected itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flake8_secret_key.cli import main


def run_in(cwd: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``flake8-secret-key ARGS`` run in ``cwd``: its status, stdout and stderr."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        status = main(args)
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return status, out, err


def check_in(cwd: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``flake8-secret-key check ARGS`` run in ``cwd``: its status and stdout."""
    return run_in(cwd, ["check", *args], capsys)[:2]
