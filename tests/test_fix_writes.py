"""What ``fix`` writes, and what it says it wrote (issue 13, item 9).

A finding is reported and counted as fixed only once its file is written: a
read-only file (or folder), or one whose write fails, is a one-line error and
the exit status says so. ``--check`` and ``--diff`` say what fix would do: the
same error for a read-only file or folder, never "would fix". Writes go through
a temporary file in the same folder and ``os.replace``, keeping the encoding,
the line endings and the mode.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from fixfiles import APP, APP_FIXED, fix_cli, write

# --------------------------------------------------------------------------- 9. read-only


def test_read_only_file_among_writable_ones_is_not_reported_as_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(tmp_path / "a.py", APP)
    locked = write(tmp_path / "b.py", APP + b'JWT_SECRET_KEY = "jwt-abc"\n', 0o444)
    last = write(tmp_path / "c.py", APP, 0o600)
    assert fix_cli(tmp_path) == 3
    assert first.read_bytes() == last.read_bytes() == APP_FIXED
    assert locked.read_bytes() == APP + b'JWT_SECRET_KEY = "jwt-abc"\n'
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert stat.S_IMODE(last.stat().st_mode) == 0o600
    out, err = capsys.readouterr()
    assert "b.py" not in out
    assert out.count("fixed SKY100") == 2
    assert "Fixed 2 findings in 2 files; 1 file left untouched (errors above)." in out
    assert err == f"{tmp_path / 'b.py'}: error: the file is read-only; left untouched " \
        "(make it writable to fix it)\n"  # fmt: skip


def test_only_a_read_only_file_fixes_nothing_and_needs_no_env_var(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = write(tmp_path / "app.py", APP, 0o444)
    env = tmp_path / ".env"
    assert fix_cli("--env-file", env, locked) == 3  # a change is needed; an error
    assert locked.read_bytes() == APP
    assert not env.exists()  # no variable for a file that was not rewritten
    out, err = capsys.readouterr()
    assert "fixed SKY" not in out and "export SECRET_KEY" not in out
    assert out == "Nothing fixed; 1 file left untouched (errors above).\n"
    assert "app.py: error: the file is read-only" in err


def test_a_write_that_fails_late_is_not_reported_as_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write(tmp_path / "good.py", APP)
    bad = write(tmp_path / "bad.py", APP)
    real = os.replace

    def replace(src: str, dst: str) -> None:
        if dst.endswith("bad.py"):
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert fix_cli(tmp_path) == 3
    assert good.read_bytes() == APP_FIXED and bad.read_bytes() == APP
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.py", "good.py"]
    out, err = capsys.readouterr()
    assert "bad.py" not in out
    assert "good.py:3:14: fixed SKY100" in out
    assert "Fixed 1 finding in 1 file; 1 file left untouched (errors above)." in out
    assert "bad.py: error: cannot write: No space left on device; left untouched" in err


def test_env_file_failure_reports_nothing_as_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = write(tmp_path / "app.py", APP)
    (tmp_path / ".env").mkdir()
    assert fix_cli("--env-file", tmp_path / ".env", app) & 2
    assert app.read_bytes() == APP
    out, err = capsys.readouterr()
    assert "fixed SKY" not in out
    assert "no source file was changed" in err


# --------------------------------------------------------------------------- 9. dry runs
# --check and --diff say what fix would do: a file fix would refuse is the same error
# line there, never "would fix", and the exit status is the one fix would return. The
# read-only check is on the mode bits, so this holds for root too.


@pytest.mark.parametrize("dry", ["--check", "--diff"])
def test_a_dry_run_reports_a_read_only_file_as_fix_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dry: str
) -> None:
    app = write(tmp_path / "app.py", APP)
    locked = write(tmp_path / "locked.py", APP + b'JWT_SECRET_KEY = "jwt-abc"\n', 0o444)
    status = fix_cli(dry, tmp_path)
    out, err = capsys.readouterr()
    assert app.read_bytes() == APP and locked.read_bytes() == APP + b'JWT_SECRET_KEY = "jwt-abc"\n'
    report = err if dry == "--diff" else out  # --diff prints the report on stderr
    assert "locked.py" not in out and err.count("locked.py") == 1  # the error line only
    assert "JWT_SECRET_KEY" not in out + err  # neither reported nor in the diff
    assert "app.py:3:14: would fix SKY100" in report
    assert "Would fix 1 finding in 1 file; 1 file left untouched (errors above)." in report
    error = (
        f"{locked}: error: the file is read-only; left untouched (make it writable to fix it)\n"
    )
    assert error in err and err.count(": error: ") == 1
    assert status == 3  # a change needed, and an error: what fix itself returns
    assert fix_cli(tmp_path) == status
    assert capsys.readouterr().err == error
    assert app.read_bytes() == APP_FIXED


@pytest.mark.parametrize("dry", ["--check", "--diff"])
def test_a_dry_run_of_a_read_only_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dry: str
) -> None:
    locked = write(tmp_path / "app.py", APP, 0o444)
    env = tmp_path / ".env"
    assert fix_cli(dry, "--env-file", env, locked) == 3
    out, err = capsys.readouterr()
    assert "would fix" not in out + err and "would add" not in out + err
    assert "+" not in out  # no diff: fix would change nothing
    assert "Nothing fixed; 1 file left untouched (errors above).\n" in out + err
    assert "app.py: error: the file is read-only" in err
    assert not env.exists() and locked.read_bytes() == APP


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o666], ids=oct)
def test_check_still_says_would_fix_of_a_writable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: int
) -> None:
    app = write(tmp_path / "app.py", APP, mode)
    try:
        assert fix_cli("--check", app) == 1
    finally:
        app.chmod(0o644)
    out, err = capsys.readouterr()
    assert "app.py:3:14: would fix SKY100" in out and err == ""
    assert app.read_bytes() == APP


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write in a read-only folder"
)
def test_check_reports_a_read_only_folder_as_fix_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ro"
    app = write(folder / "app.py", APP)
    env = tmp_path / ".env"
    folder.chmod(0o555)
    try:
        assert fix_cli("--check", app) == 3
        check = capsys.readouterr()
        assert fix_cli("--env-file", env, app) == 3  # refused before the env file is written
        real = capsys.readouterr()
    finally:
        folder.chmod(0o755)
    assert app.read_bytes() == APP and not env.exists()
    assert check.err == real.err
    assert f"app.py: error: cannot write in {folder} (the folder is read-only)" in check.err
    assert "would fix" not in check.out


# --------------------------------------------------------------------------- writing


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_write_is_a_temporary_file_then_os_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: bytes
) -> None:
    source = b"\xef\xbb\xbf# -*- coding: utf-8 -*-" + newline + APP.replace(b"\n", newline)
    app = write(tmp_path / "app.py", source, 0o751)
    seen: list[tuple[str, str, bytes, bytes, int]] = []
    real = os.replace

    def replace(src: str, dst: str) -> None:
        with open(src, "rb") as new, open(dst, "rb") as old:
            seen.append((src, dst, new.read(), old.read(), stat.S_IMODE(os.stat(src).st_mode)))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert fix_cli(app) == 1
    [(src, dst, new, old, mode)] = seen
    assert os.path.dirname(src) == str(tmp_path) and os.path.basename(src).startswith(".app.py.")
    assert dst == str(app) and old == source  # the old file is whole until the replace
    assert new == app.read_bytes() == source.replace(b'"hunter2-abc"', b'os.environ["SECRET_KEY"]')
    assert mode == 0o751 == stat.S_IMODE(app.stat().st_mode)
