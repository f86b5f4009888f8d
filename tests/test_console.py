"""The console script: exit statuses, and output that cannot be written.

Writing the output can fail (a full disk, a reader that went away): that is one
line on stderr and status 2, or, for a reader that went away, nothing at all.
Never a traceback, and never "Exception ignored" noise at exit.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_secret_key.cli import main

HARDCODED = 'from flask import Flask\napp = Flask(__name__)\napp.secret_key = "s3cr3t-v4lue"\n'
FULL = "/dev/full"
needs_dev_full = pytest.mark.skipif(not os.path.exists(FULL), reason="no /dev/full here")


#: Without PYTHONUNBUFFERED: unbuffered, Python takes a short write to a closed pipe
#: as done and never sees the pipe close; these tests are about what users see.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def script() -> str:
    found = shutil.which("flake8-secret-key", path=os.path.dirname(sys.executable))
    assert found is not None, "the console script is not installed beside this Python"
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(HARDCODED, encoding="utf-8")
    cohort = tmp_path / "cohort" / "student1"
    cohort.mkdir(parents=True)
    (cohort / "app.py").write_text(HARDCODED, encoding="utf-8")
    return tmp_path


@needs_dev_full
@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["check", "app.py"], None),
        (["check", "--format", "sarif", "app.py"], None),
        (["report", "cohort"], None),
        (["report", "--format", "html", "cohort"], None),
        (["fix", "--diff", "app.py"], None),
        (["fix", "-"], HARDCODED),
    ],
)
def test_a_full_disk_is_one_line_and_status_2(
    project: Path, args: list[str], stdin: str | None
) -> None:
    with open(FULL, "w") as full:
        result = subprocess.run(
            [script(), *args],
            cwd=project,
            stdout=full,
            stderr=subprocess.PIPE,
            input=stdin,
            text=True,
            check=False,
        )
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert last == f"flake8-secret-key {args[0]}: cannot write the output: No space left on device"
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert (project / "app.py").read_text(encoding="utf-8") == HARDCODED  # fix wrote nothing


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    # Far more than a pipe holds: the writer meets a closed pipe mid-way.
    lines = [f'app.config["SECRET_KEY"] = "key-number-{n}"' for n in range(3000)]
    (tmp_path / "app.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.Popen(
        [script(), "check", "app.py"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100).startswith(b"app.py:1:")
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert err == b""


@needs_dev_full
def test_output_held_back_until_exit_is_flushed_and_checked() -> None:
    # A command whose output is still buffered when main() returns: the console
    # script flushes it before its hard exit, and says when that fails.
    code = textwrap.dedent(
        """
        import sys
        from flake8_secret_key import cli
        cli.main = lambda: (sys.stdout.write("held back\\n"), 1)[1]
        cli.console()
        """
    )
    for stdout, status, err in (
        (subprocess.PIPE, 1, ""),
        (FULL, 2, "flake8-secret-key: cannot write the output: No space left on device\n"),
    ):
        with open(FULL, "w") if stdout == FULL else io.StringIO() as target:
            out = target if stdout == FULL else subprocess.PIPE
            result = subprocess.run(
                [sys.executable, "-c", code],
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
                env=ENV,
                check=False,
            )
        assert (result.returncode, result.stderr) == (status, err)
        if status == 1:
            assert result.stdout == "held back\n"


def test_the_console_script_exits_with_mains_status(project: Path) -> None:
    for args, status in (
        (["check", "app.py"], 1),
        (["check", "--select", "SKY102", "app.py"], 0),
        (["check", "missing.py"], 2),
        (["report", "cohort"], 0),
    ):
        result = subprocess.run(
            [script(), *args], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == status, (args, result.stderr)


class _FullStream(io.StringIO):
    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("command", ["check", "report"])
def test_main_turns_an_output_failure_into_one_line(
    project: Path,
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(project)
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", _FullStream())
    assert main([command, "app.py" if command == "check" else "cohort"]) == 2
    err = capsys.readouterr().err
    assert err == f"flake8-secret-key {command}: cannot write the output: {os.strerror(28)}\n"


def test_an_os_error_naming_a_file_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    from flake8_secret_key import cmd_check

    def fail(args: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", "odd\nname.txt")

    monkeypatch.setattr(cmd_check, "run", fail)
    assert main(["check", str(project / "app.py")]) == 2
    assert (
        capsys.readouterr().err == "flake8-secret-key check: odd\\nname.txt: Permission denied\n"
    )


def test_a_run_imports_only_its_own_command(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HARDCODED, encoding="utf-8")
    code = (
        "import sys\n"
        "from flake8_secret_key.cli import main\n"
        "main(['check', 'app.py'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('flake8_secret_key.cmd_')"
        " or m == 'libcst'), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.stderr == "['flake8_secret_key.cmd_check']\n"


def test_version_and_help(project: Path) -> None:
    from importlib.metadata import version

    result = subprocess.run([script(), "--version"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == f"flake8-secret-key {version('flake8-secret-key')}\n"
    for args, start in (
        (["--help"], "usage: flake8-secret-key [-h] [--version] COMMAND ..."),
        (["report", "--help"], "usage: flake8-secret-key report "),
        (["check", "-h"], "usage: flake8-secret-key check "),
        (["fix", "--help"], "usage: flake8-secret-key fix "),
    ):
        result = subprocess.run(
            [script(), *args], cwd=project, capture_output=True, text=True, check=False
        )
        assert (result.returncode, result.stderr) == (0, ""), args
        assert result.stdout.startswith(start), args


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "flake8-secret-key: error: the following arguments are required: COMMAND"),
        (["lint", "."], "flake8-secret-key: error: argument COMMAND: invalid choice: 'lint'"),
        (["report"], "flake8-secret-key report: error: the following arguments are required"),
        (["report", "cohort", "other"], "flake8-secret-key: error: unrecognized arguments"),
        (["report", "cohort", "--format", "xml"], "report: error: argument --format: invalid"),
        (["report", "cohort", "--jobs", "x"], "report: error: argument -j/--jobs: not a number"),
        (["report", "cohort", "-j", "-1"], "report: error: argument -j/--jobs: give 0 (all"),
        (["fix", "--diff", "--check"], "fix: error: argument --check: not allowed with"),
        (["check", "--format"], "check: error: argument --format: expected one argument"),
    ],
)
def test_usage_errors_are_one_line_and_status_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert message in err and err.endswith(" (see --help)\n")


def test_a_misspelt_command_still_lists_them_all(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["chek", "report"])  # a command word later on must not hide the others
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'chek' (choose from 'check', 'report', 'fix')" in err
