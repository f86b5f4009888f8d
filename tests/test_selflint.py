"""The project passes its own plugin, mypy --strict and ruff (the standards of the house)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_flake8_with_own_plugin_is_clean() -> None:
    # setup.cfg enables SKY900 too; known_keys.py is the one file allowed to hold keys.
    result = run("flake8", "flake8_secret_key", "benchmarks")
    assert result.stdout == "" and result.returncode == 0, result.stdout + result.stderr


def test_own_plugin_is_active_in_self_lint(tmp_path: Path) -> None:
    # Guard against a vacuous pass: the same config does report a hardcoded key.
    bad = tmp_path / "bad.py"
    bad.write_text('SECRET_KEY = "k3y-value"\n')
    result = run("flake8", "--config", str(ROOT / "setup.cfg"), str(bad))
    assert ":1:14: SKY100 " in result.stdout


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    result = run("mypy", "--strict", "flake8_secret_key")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff() -> None:
    pytest.importorskip("ruff")
    result = run("ruff", "check", "flake8_secret_key", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr
