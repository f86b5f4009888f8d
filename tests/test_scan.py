"""Discovery: what ``scan.walk`` lists, prunes and refuses to open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from flake8_secret_key import scan
from flake8_secret_key.engine import Observation, Options
from flake8_secret_key.engine.loads import Load
from flake8_secret_key.options import Config
from flake8_secret_key.scan import analyze_path, count_python, read_file, walk


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
    found = walk(str(tmp_path))
    assert [os.path.relpath(f, tmp_path) for f in found.files] == ["app.py", "pkg/config.py"]
    assert [os.path.relpath(v, tmp_path) for v in found.venvs] == [
        "myenv",
        "venv/lib/python3.11/site-packages",
        "winenv/Lib/site-packages",
    ]
    assert sum(count_python(v) for v in found.venvs) == 3
    assert found.zips == []  # only listed when asked for


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


def test_hostile_walk_follows_no_link_and_skips_archiver_junk(tmp_path: Path) -> None:
    make(tmp_path, "outside/secret.py", "sub/app.py", "sub/__MACOSX/app.py", "sub/._app.py")
    (tmp_path / "sub" / "link.py").symlink_to(tmp_path / "outside" / "secret.py")
    (tmp_path / "sub" / "linked_dir").symlink_to(tmp_path / "outside")
    (tmp_path / "sub" / "upload.zip").write_bytes(b"PK")
    (tmp_path / "sub" / "linked.zip").symlink_to(tmp_path / "sub" / "upload.zip")
    hostile = walk(str(tmp_path / "sub"), hostile=True, zips=True)
    assert [os.path.relpath(f, tmp_path) for f in hostile.files] == ["sub/app.py"]
    assert [os.path.relpath(f, tmp_path) for f in hostile.zips] == ["sub/upload.zip"]
    # The same folder as check and fix see it: flake8's rules (a link to a file is
    # followed, a link to a folder is not; junk is someone's code like any other).
    listed = [os.path.relpath(f, tmp_path) for f in walk(str(tmp_path / "sub")).files]
    assert listed == ["sub/._app.py", "sub/__MACOSX/app.py", "sub/app.py", "sub/link.py"]


def test_a_venv_is_pruned_before_anything_under_it_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "app.py", "venv/lib/site-packages/flask/app.py", "tools/site-packages/a/b.py")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    listed: list[str] = []
    real_scandir = os.scandir

    def recording_scandir(path: str) -> Iterator[os.DirEntry[str]]:
        listed.append(os.path.relpath(path, tmp_path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", recording_scandir)
    found = walk(str(tmp_path))
    assert [os.path.basename(f) for f in found.files] == ["app.py"]
    assert sorted(listed) == [".", "tools", "venv"]  # venv's own listing shows pyvenv.cfg


def test_exclude_globs_prune_folders_and_files(tmp_path: Path) -> None:
    make(tmp_path, "app.py", "build/gen.py", "pkg/settings_local.py", "pkg/ok.py")
    found = walk(str(tmp_path), exclude=("build", "*_local.py"))
    assert [os.path.relpath(f, tmp_path) for f in found.files] == ["app.py", "pkg/ok.py"]


def test_walk_roots_of_every_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "app.py")
    os.mkfifo(tmp_path / "pipe.py")
    assert walk(str(tmp_path / "app.py")).files == [str(tmp_path / "app.py")]
    assert walk(str(tmp_path / "link.py")).files == [str(tmp_path / "link.py")]
    assert walk(str(tmp_path / "pipe.py")).files == []  # never opened: it would block
    assert walk(str(tmp_path / "missing")).files == []

    def no_stat(path: str) -> bool:
        raise AssertionError("a folder's walk asked isfile of its root")

    monkeypatch.setattr(os.path, "isfile", no_stat)
    assert walk(str(tmp_path)).files == [str(tmp_path / "app.py"), str(tmp_path / "link.py")]


_SIZES = [0, 1, 100, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, 200_000, 1 << 20]


@pytest.mark.parametrize("size", _SIZES)
def test_read_file_reads_the_whole_file(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    (tmp_path / "f.py").write_bytes(data)
    assert read_file(str(tmp_path / "f.py")) == data


@pytest.mark.parametrize("size", _SIZES)
@pytest.mark.parametrize("limit", [0, 99, 100, 1 << 16, 150_000])
def test_read_file_stops_one_byte_past_the_limit(tmp_path: Path, size: int, limit: int) -> None:
    data = os.urandom(size)
    (tmp_path / "f.py").write_bytes(data)
    assert read_file(str(tmp_path / "f.py"), limit) == data[: limit + 1]


@pytest.mark.parametrize("size", _SIZES)
@pytest.mark.parametrize("limit", [99, 150_000])
def test_read_file_keeps_its_limit_when_the_size_is_not_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, limit: int
) -> None:
    """A file that grew after it was measured, or that says it holds nothing (as
    files of /proc do), is read as far as the limit all the same."""
    data = os.urandom(size)
    (tmp_path / "f.py").write_bytes(data)
    monkeypatch.setattr(os, "fstat", lambda fd: SimpleNamespace(st_size=0))
    assert read_file(str(tmp_path / "f.py"), limit) == data[: limit + 1]


def test_read_file_errors_are_os_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_file(str(tmp_path / "missing.py"))
    with pytest.raises(IsADirectoryError):
        read_file(str(tmp_path))


def test_a_content_is_analysed_once_per_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = scan.observe_with_loads

    def counted(
        text: str, options: Options, filename: str
    ) -> tuple[list[Observation], list[Load]]:
        calls.append(filename)
        return real(text, options, filename)

    monkeypatch.setattr(scan, "observe_with_loads", counted)
    monkeypatch.setattr(scan, "_SEEN", scan.Seen())
    data = b'MY_KEY = "Xk9fQ2mZp7Lw"\napp.secret_key = "Xk9fQ2mZp7Lw"\n'
    config = Config()
    first = scan.analyze_bytes(data, "alice/app.py", config)
    again = scan.analyze_bytes(bytes(data), "bob/app.py", config)
    assert calls == ["alice/app.py"]
    assert again.path == "bob/app.py"
    assert again.observations == first.observations and len(first.observations) == 1
    again.observations.clear()  # each caller gets its own list
    assert scan.analyze_bytes(data, "carol/app.py", config).observations == first.observations

    other = Config(Options(names=frozenset({"MY_KEY"})))
    assert [o.line for o in scan.analyze_bytes(data, "dave/app.py", other).observations] == [1]
    assert [o.line for o in first.observations] == [2]
    assert calls == ["alice/app.py", "dave/app.py"]


def test_errors_are_remembered_and_the_memo_keeps_to_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = scan.Seen(limit=100)
    monkeypatch.setattr(scan, "_SEEN", seen)
    config = Config()
    broken = b"SECRET_KEY = (\n"
    error = scan.analyze_bytes(broken, "a.py", config).error
    assert error == "syntax error at line 1: '(' was never closed"
    assert scan.analyze_bytes(broken, "b.py", config).error is not None
    big = b"SECRET_KEY = 'x'\n" + b"#" * 200 + b"\n"
    assert len(scan.analyze_bytes(big, "c.py", config).observations) == 1
    assert broken in seen.results and big not in seen.results
    assert seen.size == len(broken) <= seen.limit
