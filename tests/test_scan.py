"""Discovery: what ``scan.walk`` lists, prunes and refuses to open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flake8_secret_key.options import Config
from flake8_secret_key.scan import analyze_path, walk


def make(root: Path, *paths: str) -> None:
    for rel in paths:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text('SECRET_KEY = "k3y-value"\n')


def test_walk_prunes_venvs_and_tool_folders(tmp_path: Path) -> None:
    make(
        tmp_path,
        "app.py",
        "pkg/config.py",
        "venv/lib/python3.11/site-packages/flask/app.py",
        "myenv/bin/activate_this.py",
        "winenv/Lib/site-packages/x.py",
        ".git/hooks/x.py",
        "node_modules/y/z.py",
        "__pycache__/a.py",
    )
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    found = walk(str(tmp_path), count_skipped=True)
    assert [os.path.relpath(f, tmp_path) for f in found.files] == ["app.py", "pkg/config.py"]
    assert found.skipped_venv_files == 3


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_walk_never_lists_a_fifo(tmp_path: Path) -> None:
    make(tmp_path, "app.py")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "to_pipe.py").symlink_to(tmp_path / "pipe.py")
    assert [os.path.basename(f) for f in walk(str(tmp_path)).files] == ["app.py"]


def test_walk_follows_symlinked_files_like_flake8(tmp_path: Path) -> None:
    make(tmp_path, "real/app.py")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "link.py").symlink_to(tmp_path / "real" / "app.py")
    (tmp_path / "src" / "dangling.py").symlink_to(tmp_path / "missing.py")
    # the dangling link is listed, so that it is reported as unreadable (flake8's E902)
    listed = [os.path.basename(f) for f in walk(str(tmp_path / "src")).files]
    assert listed == ["dangling.py", "link.py"]


def test_unreadable_file_is_one_line(tmp_path: Path) -> None:
    result = analyze_path(str(tmp_path / "missing.py"), Config())
    assert result.error == "cannot read: No such file or directory"
    assert result.observations == []
