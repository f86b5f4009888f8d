"""``flake8-secret-key fix`` end to end: files, modes, stdin, env files, errors."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fixfiles import fix_cli as fix
from fixfiles import stdin, write

from flake8_secret_key import cmd_fix

APP = b'"""The app."""\n\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = "hunter2-abc"\n'  # noqa: E501
APP_FIXED = b'"""The app."""\n\nimport os\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = os.environ["SECRET_KEY"]\n'  # noqa: E501


# --------------------------------------------------------------------------- default: write


def test_writes_and_summarises_without_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = write(tmp_path / "app.py", APP, 0o640)
    assert fix(tmp_path) == 1
    assert app.read_bytes() == APP_FIXED
    assert stat.S_IMODE(app.stat().st_mode) == 0o640
    out, err = capsys.readouterr()
    assert 'app.py:6:18: fixed SKY100 app.secret_key -> os.environ["SECRET_KEY"]' in out
    assert "Fixed 1 finding in 1 file." in out
    assert 'export SECRET_KEY="$(python -c' in out and ".env" in out
    assert "hunter2" not in out + err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # Second run: nothing to do.
    assert fix(tmp_path) == 0
    assert app.read_bytes() == APP_FIXED
    assert "Nothing to fix in 1 file." in capsys.readouterr().out


def test_fixed_file_passes_real_flake8_and_compiles(tmp_path: Path) -> None:
    app = write(
        tmp_path / "app.py",
        b"import os\n"
        b"from flask import Flask\n\n"
        b"KEY = 'k3y'\n"
        b"app = Flask(__name__)\n"
        b"app.secret_key = KEY\n"
        b"app.config['JWT_SECRET_KEY'] = os.environ.get('JWT_SECRET_KEY', 'jwt-fallback')\n"
        b"app.config.from_mapping(SECRET_KEY='dev', DATABASE='db.sqlite')\n",
    )
    assert fix(app) == 1
    compile(app.read_bytes(), str(app), "exec")
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "SKY", str(app)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_crlf_bom_file(tmp_path: Path) -> None:
    app = write(tmp_path / "app.py", b'\xef\xbb\xbf"""Doc."""\r\nSECRET_KEY = "d\xc3\xa9v"\r\n')
    assert fix(app) == 1
    assert app.read_bytes() == (
        b'\xef\xbb\xbf"""Doc."""\r\nimport os\r\nSECRET_KEY = os.environ["SECRET_KEY"]\r\n'
    )


def test_latin1_coding_cookie(tmp_path: Path) -> None:
    app = write(
        tmp_path / "app.py",
        b"# -*- coding: latin-1 -*-\n"
        b'GREETING = "caf\xe9"; SECRET_KEY = "cl\xe9"; OTHER = "\xe0 bient\xf4t"\n',
    )
    assert fix(app) == 1
    assert app.read_bytes() == (
        b"# -*- coding: latin-1 -*-\nimport os\n"
        b'GREETING = "caf\xe9"; SECRET_KEY = os.environ["SECRET_KEY"]; OTHER = "\xe0 bient\xf4t"\n'
    )


def test_symlink_target_is_rewritten_link_kept(tmp_path: Path) -> None:
    real = write(tmp_path / "real" / "app.py", APP)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert fix(link) == 1
    assert link.is_symlink()
    assert real.read_bytes() == APP_FIXED


# --------------------------------------------------------------------------- --diff, --check


def test_diff_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = write(tmp_path / "app.py", APP)
    assert fix("--diff", app) == 1
    assert app.read_bytes() == APP
    out, err = capsys.readouterr()
    assert out.startswith(f"--- {app}\n+++ {app}\n")  # absolute: no a/ b/
    assert "+import os\n" in out
    assert '-app.secret_key = "hunter2-abc"\n' in out  # a diff shows what it removes
    assert '+app.secret_key = os.environ["SECRET_KEY"]\n' in out
    assert "would fix SKY100" in err and "hunter2" not in err


def test_diff_relative_path_and_no_final_newline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pkg" / "app.py", b"SECRET_KEY = 'dev'")
    assert fix("--diff", "pkg") == 1
    assert capsys.readouterr().out == (
        "--- a/pkg/app.py\n+++ b/pkg/app.py\n@@ -1 +1,2 @@\n"
        "-SECRET_KEY = 'dev'\n\\ No newline at end of file\n"
        "+import os\n"
        '+SECRET_KEY = os.environ["SECRET_KEY"]\n\\ No newline at end of file\n'
    )


def test_check_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = write(tmp_path / "app.py", APP)
    assert fix("--check", app) == 1
    assert app.read_bytes() == APP
    assert "Would fix 1 finding in 1 file." in capsys.readouterr().out
    clean = write(tmp_path / "clean.py", b"import os\nSECRET_KEY = os.environ['SECRET_KEY']\n")
    assert fix("--check", clean) == 0


def test_check_with_only_left_findings_is_not_a_change(tmp_path: Path) -> None:
    src = b"import os\ntry:\n    SECRET_KEY = os.environ['SECRET_KEY']\nexcept KeyError:\n    SECRET_KEY = 'x'\n"  # noqa: E501
    app = write(tmp_path / "app.py", src)
    assert fix("--check", app) == 0
    assert fix(app) == 0
    assert app.read_bytes() == src


def test_diff_and_check_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        fix("--diff", "--check", ".")
    assert exc.value.code == 2


# --------------------------------------------------------------------------- stdin


def test_stdin_to_stdout(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    stdin(monkeypatch, b"SECRET_KEY = 'dev'\r\n")
    assert fix("-") == 1
    out, err = capsysbinary.readouterr()
    assert out == b'import os\r\nSECRET_KEY = os.environ["SECRET_KEY"]\r\n'
    assert b"fixed SKY101" in err


def test_stdin_unchanged_is_echoed(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    stdin(monkeypatch, b"print('hi')\n")
    assert fix("-") == 0
    assert capsysbinary.readouterr().out == b"print('hi')\n"


def test_stdin_syntax_error_echoes_input(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    stdin(monkeypatch, b"SECRET_KEY = (\n")
    assert fix("-") == 2
    out, err = capsysbinary.readouterr()
    assert out == b"SECRET_KEY = (\n"
    assert err.count(b"\n") == 1 and b"stdin: error: syntax error at line 1" in err


def test_stdin_diff_and_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, b"SECRET_KEY = 'dev'\n")
    assert fix("--diff", "-") == 1
    assert '+SECRET_KEY = os.environ["SECRET_KEY"]' in capsys.readouterr().out
    stdin(monkeypatch, b"SECRET_KEY = 'dev'\n")
    assert fix("--check", "-") == 1
    assert capsys.readouterr().out == ""


def test_stdin_with_other_paths_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert fix("-", "app.py") == 2
    assert "cannot be combined" in capsys.readouterr().err


# --------------------------------------------------------------------------- errors


def test_syntax_error_and_binary_file_do_not_stop_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a_broken.py", b"SECRET_KEY = (\n")
    write(tmp_path / "b_binary.py", b"\x00\xff\xfeSECRET_KEY\x00")
    app = write(tmp_path / "c_app.py", APP)
    assert fix(tmp_path) == 3
    assert app.read_bytes() == APP_FIXED
    assert (tmp_path / "a_broken.py").read_bytes() == b"SECRET_KEY = (\n"
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 2
    assert "a_broken.py: error: syntax error at line 1" in lines[0]
    assert "b_binary.py: error: " in lines[1]
    assert "Traceback" not in err


def test_non_python_file_named_explicitly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = write(tmp_path / "notes.txt", b"SECRET_KEY = 'dev'\n")
    script = write(tmp_path / "manage", b"#!/usr/bin/env python3\nSECRET_KEY = 'dev'\n")
    assert fix(notes, script) == 3
    assert notes.read_bytes() == b"SECRET_KEY = 'dev'\n"
    assert b"os.environ" in script.read_bytes()
    assert "notes.txt: error: not a Python file" in capsys.readouterr().err


def test_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert fix(tmp_path / "nope") == 2
    assert "nope: error: no such file or folder" in capsys.readouterr().err


def test_read_only_file_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Checked on the mode bits, so this holds for root too (root could write anyway).
    app = write(tmp_path / "app.py", APP, 0o444)
    other = write(tmp_path / "other.py", APP)
    assert fix(tmp_path) == 3
    assert app.read_bytes() == APP
    assert other.read_bytes() == APP_FIXED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "app.py: error: the file is read-only" in err


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write in a read-only folder"
)
def test_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ro"
    app = write(folder / "app.py", APP)
    folder.chmod(0o555)
    try:
        assert fix(app) == 3
    finally:
        folder.chmod(0o755)
    assert app.read_bytes() == APP
    assert "error: cannot write in" in capsys.readouterr().err


def test_failed_replace_leaves_file_and_no_temp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever the user (root included): os.replace failing is reported in one line.
    app = write(tmp_path / "app.py", APP)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cmd_fix.os, "replace", refuse)
    assert fix(app) == 3
    assert app.read_bytes() == APP
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]
    assert "app.py: error: cannot write: Permission denied" in capsys.readouterr().err


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = write(tmp_path / "app.py", APP, 0o000)
    try:
        can_read = os.access(app, os.R_OK)
        code = fix(app)
    finally:
        app.chmod(0o644)
    if can_read:
        pytest.skip("root reads files whatever their mode")
    assert code == 2
    assert "app.py: error: cannot read: Permission denied" in capsys.readouterr().err


def test_tests_skipped_unless_included(tmp_path: Path) -> None:
    test = write(tmp_path / "tests" / "test_app.py", APP)
    assert fix(tmp_path) == 0
    assert test.read_bytes() == APP
    assert fix("--include-tests", tmp_path) == 1
    assert test.read_bytes() == APP_FIXED


def test_exclude(tmp_path: Path) -> None:
    app = write(tmp_path / "legacy" / "app.py", APP)
    assert fix("--exclude", "legacy,other", tmp_path) == 0
    assert app.read_bytes() == APP


def test_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert fix("--secret-key-names", "not-a-name", ".") == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_keep_key_needs_env_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert fix("--keep-key", ".") == 2
    assert "--keep-key needs --env-file" in capsys.readouterr().err


# --------------------------------------------------------------------------- --env-file


HAVE_GIT = shutil.which("git") is not None


def project(tmp_path: Path, gitignore: bytes | None = b"__pycache__/\n") -> Path:
    if HAVE_GIT:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    else:
        (tmp_path / ".git").mkdir()
    if gitignore is not None:
        write(tmp_path / ".gitignore", gitignore)
    write(tmp_path / "app.py", APP)
    return tmp_path


def env_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_env_file_created_0600_and_gitignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    env = root / ".env"
    assert fix("--env-file", env, root) == 1
    ((name, value),) = [line.split("=", 1) for line in env_lines(env)]
    assert name == "SECRET_KEY" and len(value) == 64 and int(value, 16) >= 0
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert (root / ".gitignore").read_bytes() == b"__pycache__/\n.env\n"
    out = capsys.readouterr().out
    assert "added SECRET_KEY (a freshly generated key)" in out
    assert "created with mode 0600" in out
    assert ".gitignore: added .env" in out
    assert value not in out and "hunter2" not in out
    if HAVE_GIT:
        done = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", str(env)], cwd=root, check=False
        )
        assert done.returncode == 0


def test_env_file_keep_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    env = root / ".env"
    assert fix("--env-file", env, "--keep-key", root) == 1
    assert env_lines(env) == ["SECRET_KEY=hunter2-abc"]
    out = capsys.readouterr().out
    assert "the old key (--keep-key)" in out and "hunter2" not in out


def test_env_file_keep_key_bytes_not_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "app.py", b"app.secret_key = b'\\xec\\xff\\x00\\x81\\x92\\xa3\\xb4\\xc5'\n")
    env = tmp_path / "keys.env"
    assert fix("--env-file", env, "--keep-key", tmp_path / "app.py") == 1
    ((name, value),) = [line.split("=", 1) for line in env_lines(env)]
    assert name == "SECRET_KEY" and len(value) == 64
    assert "the old key is bytes that are not text" in capsys.readouterr().out


def test_env_file_append_without_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, gitignore=b"*.env\n.env\n")
    write(root / "config.py", b"JWT_SECRET_KEY = 'jwt'\nclass C:\n    SECRET_KEY = 'c'\n")
    env = write(root / ".env", b"# settings\nexport SECRET_KEY=already-there\nDEBUG=1", 0o600)
    assert fix("--env-file", env, root) == 1
    lines = env_lines(env)
    assert lines[:3] == ["# settings", "export SECRET_KEY=already-there", "DEBUG=1"]
    assert [line.split("=")[0] for line in lines[3:]] == ["JWT_SECRET_KEY"]
    assert (root / ".gitignore").read_bytes() == b"*.env\n.env\n"
    out = capsys.readouterr().out
    assert "SECRET_KEY is already defined there" in out
    assert ".gitignore" not in out


@pytest.mark.parametrize("git", [True, False], ids=["git check-ignore", "own matcher"])
def test_env_file_already_ignored_by_a_pattern(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git: bool
) -> None:
    if not git:
        monkeypatch.setattr(cmd_fix.shutil, "which", lambda name: None)
    elif not HAVE_GIT:
        pytest.skip("git is not installed")
    root = project(tmp_path, gitignore=b"# secrets\r\n*.env\r\n!keep.env\r\n")
    assert fix("--env-file", root / "prod.env", root) == 1
    assert (root / ".gitignore").read_bytes() == b"# secrets\r\n*.env\r\n!keep.env\r\n"
    assert fix("--env-file", root / "keep.env", "--include-tests", root) == 0  # nothing left
    (root / "app.py").write_bytes(APP)
    assert fix("--env-file", root / "keep.env", root) == 1
    assert (root / ".gitignore").read_bytes() == b"# secrets\r\n*.env\r\n!keep.env\r\nkeep.env\r\n"


def test_env_file_in_subfolder_uses_nearest_gitignore(tmp_path: Path) -> None:
    root = project(tmp_path, gitignore=b"build/")  # no final newline
    env = root / "deploy" / "app.env"
    env.parent.mkdir()
    assert fix("--env-file", env, root / "app.py") == 1
    assert (root / ".gitignore").read_bytes() == b"build/\n/deploy/app.env\n"


def test_env_file_without_gitignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, gitignore=None)
    assert fix("--env-file", root / ".env", root) == 1
    assert not (root / ".gitignore").exists()
    assert "no .gitignore found" in capsys.readouterr().out


def test_env_file_not_written_in_check_or_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    for mode in ("--check", "--diff"):
        assert fix(mode, "--env-file", root / ".env", root) == 1
        assert not (root / ".env").exists()
        assert (root / ".gitignore").read_bytes() == b"__pycache__/\n"
    out, err = capsys.readouterr()
    assert "would add SECRET_KEY" in out + err


def test_env_file_that_cannot_be_written_changes_no_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    env = root / ".env"
    env.mkdir()  # a folder where the env file should be
    assert fix("--env-file", env, root) & 2
    assert (root / "app.py").read_bytes() == APP
    assert "no source file was changed" in capsys.readouterr().err


def test_fix_command_does_not_import_libcst_until_run() -> None:
    code = (
        "import sys\n"
        "from flake8_secret_key import cli, checker, cmd_fix\n"
        "cli.build_parser()\n"
        "assert 'libcst' not in sys.modules, 'libcst imported too early'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
