"""``flake8-secret-key check``: exit codes, stdin, options, discovery, agreement with flake8."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from flake8_secret_key import cmd_check, pyproject_config, scan, workers
from flake8_secret_key.cli import main
from flake8_secret_key.options import is_test_path

HARDCODED = 'app.config["SECRET_KEY"] = "hunter2-do-not-print"\n'
CLEAN = 'import os\napp.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n'
SYNTAX_ERROR = 'SECRET_KEY = "x"\ndef broken(:\n'
#: One finding per code: SKY100 (line 2), SKY101 (3), SKY102 (4), SKY900 (5).
ALL_CODES = textwrap.dedent(
    """\
    import os
    SECRET_KEY = "hunter2-do-not-print"
    app.secret_key = "dev"
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "fallback-do-not-print")
    WTF_CSRF_SECRET_KEY = os.urandom(16)
    """
)
SECRETS = ("hunter2-do-not-print", "fallback-do-not-print")
LATIN1_NO_COOKIE = b"SECRET_KEY = '\xe9t\xe9'\n"  # not UTF-8, and no coding cookie


class Run(NamedTuple):
    status: int
    out: str
    err: str


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``check`` in-process with the given arguments."""

    def run(*args: str) -> Run:
        status = main(["check", *args])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder (a repository root) as the cwd."""
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()  # so no pyproject.toml above tmp_path is ever read
    monkeypatch.chdir(root)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes_of(out: str) -> list[tuple[str, int, str]]:
    """(path, line, code) of each text line."""
    found = []
    for line in out.splitlines():
        path, lineno, _col, rest = line.split(":", 3)
        found.append((path, int(lineno), rest.split()[0]))
    return found


# --------------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    ("files", "status", "stderr_lines"),
    [
        ({"app.py": CLEAN}, 0, 0),
        ({"a.py": "x = 1\n", "b.py": "print('no settings here')\n"}, 0, 0),
        ({"app.py": HARDCODED}, 1, 0),
        ({"broken.py": SYNTAX_ERROR}, 2, 1),
        ({"app.py": HARDCODED, "broken.py": SYNTAX_ERROR}, 3, 1),
        ({"app.py": CLEAN, "broken.py": SYNTAX_ERROR, "latin.py": LATIN1_NO_COOKIE}, 2, 2),
    ],
)
def test_exit_status_is_a_bitmask(
    check: Callable[..., Run], project: Path, files: dict[str, str | bytes], status: int,
    stderr_lines: int,
) -> None:  # fmt: skip
    for name, text in files.items():
        (project / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    result = check(".")
    assert result.status == status
    assert len(result.err.splitlines()) == stderr_lines, result.err


def test_a_syntax_error_is_one_line_and_other_files_are_still_checked(
    check: Callable[..., Run], project: Path
) -> None:
    write(project / "a_broken.py", SYNTAX_ERROR)
    write(project / "b_app.py", HARDCODED)
    result = check(".")
    assert result.status == 3
    assert result.err == "./a_broken.py: syntax error at line 2: invalid syntax\n"
    assert codes_of(result.out) == [("./b_app.py", 1, "SKY100")]


def test_a_missing_path_is_an_error_but_the_others_are_checked(
    check: Callable[..., Run], project: Path
) -> None:
    write(project / "app.py", HARDCODED)
    result = check("missing.py", "app.py", "missing_dir")
    assert result.status == 3
    assert result.err.splitlines() == [
        "missing.py: no such file or directory",
        "missing_dir: no such file or directory",
    ]
    assert codes_of(result.out) == [("app.py", 1, "SKY100")]


def test_an_unreadable_file_is_an_error(check: Callable[..., Run], project: Path) -> None:
    write(project / "app.py", HARDCODED)
    (project / "dangling.py").symlink_to(project / "nowhere.py")
    result = check(".")
    assert result.status == 3
    assert result.err == "./dangling.py: cannot read: No such file or directory\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format: unknown format 'xml'; choose from text, json, sarif"),
        (["--jobs", "0"], "--jobs: expected a positive number or auto, got '0'"),
        (["--jobs", "many"], "--jobs: expected a positive number or auto, got 'many'"),
        (["--select", "sky1"], "--select: not a code prefix: sky1"),
        (["--ignore", "SKY1000"], "--ignore: not a code prefix: SKY1000"),
        (["--extend-select", "SKY9,9SKY"], "--extend-select: not a code prefix: 9SKY"),
        (["--secret-key-names", "SECRET-KEY"], "--secret-key-names: not an identifier"),
        (["--secret-key-known-keys-file", "nope.txt"], "--secret-key-known-keys-file: cannot"),
    ],
)
def test_usage_errors_are_one_line_and_status_2(
    check: Callable[..., Run], project: Path, args: list[str], message: str
) -> None:
    write(project / "app.py", HARDCODED)
    result = check(*args, ".")
    assert result.status == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith(f"flake8-secret-key: {message}"), result.err


def test_output_file(check: Callable[..., Run], project: Path) -> None:
    write(project / "app.py", HARDCODED)
    result = check("--format", "json", "--output", "out.json", "app.py")
    assert (result.status, result.out) == (1, "")
    assert [f["code"] for f in json.loads((project / "out.json").read_text())] == ["SKY100"]


def test_output_file_that_cannot_be_written(check: Callable[..., Run], project: Path) -> None:
    write(project / "app.py", HARDCODED)
    result = check("--output", str(project / "no" / "such" / "dir" / "out.txt"), "app.py")
    assert result.status == 2
    assert len(result.err.splitlines()) == 1
    assert "--output: cannot write" in result.err


def test_a_terminal_that_cannot_show_a_name_gets_escapes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "café.py", HARDCODED)
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["check", "café.py"]) == 1
    stdout.flush()
    out = stdout.buffer.getvalue().decode("ascii")
    assert out.startswith("caf\\xe9.py:1:28: SKY100 ")


# ------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_format_end_to_end_without_the_secret(
    check: Callable[..., Run], project: Path, fmt: str
) -> None:
    write(project / "app.py", ALL_CODES)
    write(project / "broken.py", SYNTAX_ERROR.replace('"x"', '"hunter2-do-not-print"'))
    result = check("--format", fmt, "--select", "SKY", ".")
    assert result.status == 3
    assert result.out
    for secret in SECRETS:
        assert secret not in result.out + result.err
    if fmt in ("json", "sarif"):
        json.loads(result.out)


def test_json_output_is_sorted_by_path_line_col(check: Callable[..., Run], project: Path) -> None:
    write(project / "b.py", ALL_CODES)
    write(project / "a" / "z.py", HARDCODED)
    parsed = json.loads(check("--format", "json", ".").out)
    got = [(f["path"], f["line"], f["col"], f["code"]) for f in parsed]
    assert got == [
        ("./a/z.py", 1, 28, "SKY100"),
        ("./b.py", 2, 14, "SKY100"),
        ("./b.py", 3, 18, "SKY101"),
        ("./b.py", 4, 51, "SKY102"),
    ]


def test_output_is_sorted_whatever_the_order_of_the_paths(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "b.py", HARDCODED)
    write(project / "a.py", HARDCODED)
    write(project / "c" / "broken.py", SYNTAX_ERROR)
    write(project / "a" / "broken.py", SYNTAX_ERROR)
    feed_stdin(monkeypatch, HARDCODED.encode())
    result = check("c", "b.py", "-", "a", "a.py", "--stdin-display-name", "0.py")
    assert [path for path, _, _ in codes_of(result.out)] == ["0.py", "a.py", "b.py"]
    assert [line.split(":")[0] for line in result.err.splitlines()] == [
        "a/broken.py",
        "c/broken.py",
    ]


# --------------------------------------------------------------------------- stdin


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-"], "stdin:1:28: SKY100 "),
        (["-", "--stdin-display-name", "src/app.py"], "src/app.py:1:28: SKY100 "),
    ],
)
def test_stdin(
    check: Callable[..., Run],
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    expected: str,
) -> None:
    feed_stdin(monkeypatch, HARDCODED.encode())
    result = check(*args)
    assert result.status == 1
    assert result.out.startswith(expected)


def test_stdin_reads_bytes_with_a_coding_cookie(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, b"# -*- coding: latin-1 -*-\nx = '\xe9'; SECRET_KEY = 'abc-Zq8Lx3V'\n")
    result = check("-")
    assert result.out.startswith("stdin:2:23: SKY100 ")


def test_stdin_named_as_a_test_file_is_skipped_unless_asked(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, HARDCODED.encode())
    assert check("-", "--stdin-display-name", "tests/test_app.py").status == 0
    feed_stdin(monkeypatch, HARDCODED.encode())
    assert check("-", "--stdin-display-name", "tests/test_app.py", "--include-tests").status == 1


def test_stdin_syntax_error(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, SYNTAX_ERROR.encode())
    result = check("-", "--stdin-display-name", "app.py")
    assert (result.status, result.err) == (2, "app.py: syntax error at line 2: invalid syntax\n")


# ---------------------------------------------------------------- select / ignore


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        ([], ["SKY100", "SKY101", "SKY102"]),
        (["--select", "SKY"], ["SKY100", "SKY101", "SKY102", "SKY900"]),
        (["--select", "SKY9"], ["SKY900"]),
        (["--select", "SKY1"], ["SKY100", "SKY101", "SKY102"]),
        (["--select", "SKY100,SKY102"], ["SKY100", "SKY102"]),
        (["--select", "E,W"], []),
        (["--extend-select", "SKY900"], ["SKY100", "SKY101", "SKY102", "SKY900"]),
        (["--ignore", "SKY101"], ["SKY100", "SKY102", "SKY900"]),  # replaces the default
        (["--extend-ignore", "SKY101"], ["SKY100", "SKY102"]),
        (["--select", "SKY", "--ignore", "SKY10"], ["SKY900"]),
        (["--select", "SKY10", "--ignore", "SKY1"], ["SKY100", "SKY101", "SKY102"]),
        (["--select", "SKY1", "--ignore", "SKY1"], []),
        (["--select", "SKY", "--extend-ignore", "SKY102"], ["SKY100", "SKY101", "SKY900"]),
    ],
)
def test_select_and_ignore_by_prefix_like_flake8(
    check: Callable[..., Run], project: Path, args: list[str], codes: list[str]
) -> None:
    write(project / "app.py", ALL_CODES)
    result = check(*args, "app.py")
    assert sorted({code for _, _, code in codes_of(result.out)}) == codes
    assert result.status == (1 if codes else 0)


# -------------------------------------------------------------------------- noqa


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"\n', True),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # noqa\n', False),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # NOQA\n', False),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # noqa: SKY100\n', False),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # noqa:SKY1\n', False),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # noqa: E501,SKY100\n', False),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # noqa: E501\n', True),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # noqa: SKY101\n', True),
        ('SECRET_KEY = """\nabc-Zq8Lx3Vt9Pw2"""  # noqa: SKY100\n', False),  # a multi-line token
        ('SECRET_KEY = (\n    "abc-Zq8Lx3Vt9Pw2"\n)  # noqa: SKY100\n', True),  # each line its own
        ('# flake8: noqa\nSECRET_KEY = "abc-Zq8Lx3Vt9Pw2"\n', False),
        ('SECRET_KEY = "abc-Zq8Lx3Vt9Pw2"  # flake8: noqa\n', True),  # only on a line of its own
    ],
)
def test_noqa_as_flake8_reads_it(
    check: Callable[..., Run], project: Path, line: str, reported: bool
) -> None:
    write(project / "app.py", line)
    assert check("app.py").status == int(reported)
    assert check("app.py", "--disable-noqa").status == 1


# ---------------------------------------------------------------------- discovery

VENV_LAYOUTS = [
    ("venv", True, "lib/python3.11/site-packages/pkg/settings.py"),
    ("env", True, "lib/python3.11/site-packages/pkg/settings.py"),
    (".venv", True, "lib/python3.12/site-packages/pkg/settings.py"),
    ("myenv", True, "lib/python3.11/site-packages/pkg/settings.py"),
    ("student_env_any_name", True, "bin/helper.py"),  # pyvenv.cfg alone is enough
    ("venv", False, "Lib/site-packages/pkg/settings.py"),  # Windows, no pyvenv.cfg
    ("venv", False, "lib/python3.11/site-packages/pkg/settings.py"),  # no pyvenv.cfg
    ("sub/deeper/venv", False, "lib/python3.11/dist-packages/pkg/settings.py"),
]


@pytest.mark.parametrize(("venv", "cfg", "inside"), VENV_LAYOUTS)
def test_virtualenvs_are_skipped_in_every_layout(
    check: Callable[..., Run], project: Path, venv: str, cfg: bool, inside: str
) -> None:
    write(project / "app.py", HARDCODED)
    if cfg:
        write(project / venv / "pyvenv.cfg", "home = /usr/bin\n")
    write(project / venv / inside, HARDCODED)
    result = check(".")
    assert codes_of(result.out) == [("./app.py", 1, "SKY100")]
    # Given explicitly, a file inside is checked, as flake8 does.
    explicit = check(str(Path(venv) / inside))
    assert codes_of(explicit.out) == [(str(Path(venv) / inside), 1, "SKY100")]


@pytest.mark.parametrize("folder", [".git", "__pycache__", "node_modules", ".tox"])
def test_tool_folders_are_skipped(check: Callable[..., Run], project: Path, folder: str) -> None:
    write(project / folder / "x.py", HARDCODED)
    assert check(".").status == 0


@pytest.mark.parametrize(
    ("args", "left"),
    [
        ([], ["./app.py", "./gen/keys_pb2.py", "./migrations/0001.py"]),
        (["--exclude", "migrations"], ["./app.py", "./gen/keys_pb2.py"]),
        (["--exclude", "migrations,*_pb2.py"], ["./app.py"]),
        (["--exclude", "migrations", "--exclude", "*_pb2.py"], ["./app.py"]),
        (["--exclude", "./gen/*"], ["./app.py", "./migrations/0001.py"]),
        (["--extend-exclude", "gen"], ["./app.py", "./migrations/0001.py"]),
    ],
)
def test_exclude_globs(
    check: Callable[..., Run], project: Path, args: list[str], left: list[str]
) -> None:
    for name in ("app.py", "gen/keys_pb2.py", "migrations/0001.py"):
        write(project / name, HARDCODED)
    assert [path for path, _, _ in codes_of(check(*args, ".").out)] == left


def test_test_files_are_skipped_unless_included(check: Callable[..., Run], project: Path) -> None:
    for name in ("tests/helpers.py", "test_app.py", "app_test.py", "conftest.py"):
        write(project / name, HARDCODED)
    assert check(".").status == 0
    assert len(codes_of(check(".", "--include-tests").out)) == 4


def test_test_files_that_are_skipped_are_not_read(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("app.py", "tests/helpers.py", "test_app.py"):
        write(project / name, HARDCODED)
    read: list[str] = []
    real = scan.read_bytes

    def spy(path: str) -> bytes:
        read.append(path)
        return real(path)

    monkeypatch.setattr(scan, "read_bytes", spy)
    assert codes_of(check(".").out) == [("./app.py", 1, "SKY100")]
    assert read == ["./app.py"]


@pytest.mark.parametrize(
    ("path", "is_test"),
    [
        ("test_app.py", True),
        ("app_test.py", True),
        ("conftest.py", True),
        ("test_stubs.pyi", True),
        ("tests/helpers.py", True),
        ("pkg/test/helpers.py", True),
        ("pkg\\tests\\helpers.py", True),  # Windows separators
        ("./pkg//tests/x.py", True),
        ("/abs/tests/app.py", True),
        ("app.py", False),
        ("testing.py", False),
        ("contest.py", False),
        ("latest_app.py", False),
        ("attest/app.py", False),
        ("testsuite/app.py", False),
        ("tests.py", False),
        ("pkg/test_data/app.py", False),
        ("tests", False),
    ],
)
def test_what_counts_as_test_code(path: str, is_test: bool) -> None:
    assert is_test_path(path) is is_test


# --------------------------------------------------------------------- pyproject


def pyproject(root: Path, body: str) -> None:
    write(root / "pyproject.toml", '[project]\nname = "x"\n\n' + textwrap.dedent(body))


def test_pyproject_options(check: Callable[..., Run], project: Path) -> None:
    pyproject(
        project,
        """\
        [tool.flake8-secret-key]
        format = "json"
        select = ["SKY"]
        ignore = "SKY102"
        exclude = ["migrations"]
        names = "SECRET_KEY, secret_key, JWT_SECRET_KEY, WTF_CSRF_SECRET_KEY, MY_SIGNING_KEY"
        include-tests = true
        known-keys-file = "ci/keys.txt"
        """,
    )
    write(project / "ci" / "keys.txt", "# ours\nour-team-demo-key\n")
    write(project / "migrations" / "m.py", HARDCODED)
    write(project / "tests" / "test_app.py", 'MY_SIGNING_KEY = "abc-Zq8Lx3Vt9Pw2"\n')
    write(project / "app.py", ALL_CODES + 'SECRET_KEY = "our-team-demo-key"\n')
    result = check()
    got = [(f["path"], f["line"], f["code"]) for f in json.loads(result.out)]
    assert got == [
        ("./app.py", 2, "SKY100"),
        ("./app.py", 3, "SKY101"),
        ("./app.py", 5, "SKY900"),  # selected by "SKY"; line 4's SKY102 is ignored
        ("./app.py", 6, "SKY101"),  # a key of known-keys-file, relative to pyproject.toml
        ("./tests/test_app.py", 1, "SKY100"),  # include-tests, and the names
    ]


def test_command_line_wins_over_pyproject(check: Callable[..., Run], project: Path) -> None:
    pyproject(
        project,
        """\
        [tool.flake8-secret-key]
        format = "json"
        select = "SKY9"
        exclude = ["app.py"]
        """,
    )
    write(project / "app.py", ALL_CODES)
    assert check().status == 0  # excluded by pyproject
    result = check("--format", "text", "--select", "SKY1", "--exclude", "nothing", ".")
    assert [code for _, _, code in codes_of(result.out)] == ["SKY100", "SKY101", "SKY102"]


def test_the_nearest_pyproject_is_read(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject(project, '[tool.flake8-secret-key]\nformat = "json"\n')
    pyproject(project / "sub", '[tool.flake8-secret-key]\nformat = "github"\n')
    write(project / "sub" / "pkg" / "app.py", HARDCODED)
    assert check("sub/pkg/app.py").out.startswith("::error file=sub/pkg/app.py,")
    monkeypatch.chdir(project / "sub" / "pkg")
    assert check().out.startswith("::error file=app.py,")
    assert check("../../sub/pkg").out.startswith("::error ")


def test_a_pyproject_without_the_table_is_ignored(
    check: Callable[..., Run], project: Path
) -> None:
    pyproject(project, "[tool.ruff]\nline-length = 99\n")
    write(project / "app.py", HARDCODED)
    assert check().out.startswith("./app.py:1:28: SKY100 ")


def test_a_pyproject_above_the_repository_is_not_read(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.flake8-secret-key]\nformat = "json"\n')
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert pyproject_config.find_pyproject(str(tmp_path / "repo")) is None
    assert pyproject_config.find_pyproject(str(tmp_path / "other")) == str(
        tmp_path / "pyproject.toml"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[tool.flake8-secret-key]\nformat = "xml"\n', "format: unknown format 'xml'"),
        ("[tool.flake8-secret-key]\nselect = 1\n", "select: expected a list of strings"),
        ('[tool.flake8-secret-key]\nselect = ["sky"]\n', "select: not a code prefix: sky"),
        ("[tool.flake8-secret-key]\ninclude-tests = 1\n", "include-tests: expected true or"),
        ("[tool.flake8-secret-key]\ninclude_tests = true\n", "include_tests: unknown key (did"),
        ('[tool.flake8-secret-key]\nnames = ["a-b"]\n', "names: --secret-key-names: not an"),
        ('[tool.flake8-secret-key]\nknown-keys-file = "no.txt"\n', "known-keys-file: --secr"),
        ("[tool.flake8-secret-key]\nformat = \n", "not valid TOML: "),
        ('[tool]\nflake8-secret-key = "json"\n', "tool.flake8-secret-key must be a table"),
    ],
)
def test_bad_pyproject_is_a_one_line_usage_error(
    check: Callable[..., Run], project: Path, body: str, message: str
) -> None:
    write(project / "pyproject.toml", body)
    write(project / "app.py", HARDCODED)
    result = check()
    assert (result.status, result.out) == (2, "")
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith(f"flake8-secret-key: {project / 'pyproject.toml'}")
    assert message in result.err, result.err


def test_without_a_toml_parser_the_table_is_ignored_with_a_warning(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.10 without tomli: no tomllib, no tomli.
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    pyproject(project, '[tool.flake8-secret-key]\nformat = "json"\n')
    write(project / "app.py", HARDCODED)
    result = check()
    assert result.out.startswith("./app.py:1:28: SKY100 ")
    assert result.err.splitlines() == [
        f"flake8-secret-key: warning: {project / 'pyproject.toml'}: [tool.flake8-secret-key] "
        "ignored: reading TOML on Python 3.10 needs tomli (pip install tomli); using the "
        "command line only"
    ]


# ------------------------------------------------------------------------- jobs


def test_worker_processes_give_the_same_output_in_the_same_order(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(40):
        write(project / f"pkg{i % 7}" / f"m{i:02}.py", ALL_CODES if i % 3 else CLEAN)
    write(project / "pkg3" / "broken.py", SYNTAX_ERROR)
    serial = check("--jobs", "1", "--select", "SKY", ".")
    monkeypatch.setattr(cmd_check, "PARALLEL_MIN_FILES", 10)
    used: list[int] = []
    real = workers.run

    def spy(*args: Any, **kwargs: Any) -> Any:
        used.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "run", spy)
    parallel = check("--jobs", "3", "--select", "SKY", ".")
    assert used == [3], "no worker processes were used"
    assert parallel == serial
    assert serial.status == 3 and len(serial.out.splitlines()) == 26 * 4


@pytest.mark.skipif(sys.platform != "linux", reason="the patch reaches forked workers only")
def test_a_file_that_kills_its_worker_is_one_error_line(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(12):
        write(project / f"m{i:02}.py", HARDCODED)
    real = cmd_check.check_path

    def dies_on_m05(path: str, settings: cmd_check.Settings) -> cmd_check.Checked:
        if path.endswith("m05.py"):
            os._exit(9)  # as a crash in C code would
        return real(path, settings)

    monkeypatch.setattr(cmd_check, "check_path", dies_on_m05)
    monkeypatch.setattr(cmd_check, "PARALLEL_MIN_FILES", 2)
    result = check("--jobs", "2", ".")
    assert result.status == 3
    assert result.err == "./m05.py: internal error: the checker's process died on this file\n"
    assert len(result.out.splitlines()) == 11


def test_small_runs_use_one_process(
    check: Callable[..., Run], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "app.py", HARDCODED)
    monkeypatch.setattr(workers, "run", lambda *a: pytest.fail("worker processes started"))
    assert check("--jobs", "8", ".").status == 1


# --------------------------------------------------- agreement with flake8 itself

SAMPLES = {
    "app.py": ALL_CODES,
    "pkg/config.py": textwrap.dedent(
        """\
        import os

        class Config:
            SECRET_KEY = os.getenv("SECRET_KEY", "dev")  # noqa: SKY101
            WTF_CSRF_SECRET_KEY = "ok-for-now"  # noqa: SKY100
            JWT_SECRET_KEY = (
                "multi"
                "line"
            )  # noqa
        """
    ),
    "pkg/unicode.py": 'title = "Café ☕"; SECRET_KEY = "x" * 3\nsecret_key = b"\\x00"\n',
    "pkg/published.py": "app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'\n",
    "pkg/clean.py": CLEAN,
    "pkg/settings_crlf.py": 'import os\r\nSECRET_KEY = "crlf"\r\n',
}


@pytest.mark.parametrize(
    "options",
    [
        ["--select", "SKY"],
        ["--select", "SKY1"],
        ["--select", "SKY", "--ignore", "SKY102"],
        ["--extend-select", "SKY900", "--extend-ignore", "SKY100"],
        [],
    ],
)
def test_same_findings_as_flake8(
    check: Callable[..., Run], project: Path, options: list[str]
) -> None:
    for name, text in SAMPLES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes(text.encode("utf-8"))
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *options, "."],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert flake8.returncode in (0, 1), flake8.stderr
    expected = sorted(line for line in flake8.stdout.splitlines() if ": SKY" in line)
    result = check(*options, ".")
    assert sorted(result.out.splitlines()) == expected
    assert len(expected) >= (4 if options == ["--select", "SKY"] else 1)


# --------------------------------------------------------- the installed script


def test_installed_console_script(tmp_path: Path) -> None:
    script = shutil.which("flake8-secret-key", path=os.path.dirname(sys.executable))
    assert script is not None
    write(tmp_path / "app.py", HARDCODED)
    write(tmp_path / "broken.py", SYNTAX_ERROR)
    result = subprocess.run(
        [script, "check", "--format", "sarif", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert result.stderr == "./broken.py: syntax error at line 2: invalid syntax\n"
    (run,) = json.loads(result.stdout)["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["SKY100"]
    assert "Traceback" not in result.stderr


def test_start_up_imports_nothing_heavy(tmp_path: Path) -> None:
    write(tmp_path / "app.py", HARDCODED)
    code = (
        "import sys; from flake8_secret_key.cli import main; main(['check', 'app.py']); "
        "heavy = ('json', 'libcst', 'multiprocessing', 'concurrent.futures', 'tomllib', "
        "'flake8', 'flake8_secret_key.workers'); "
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    result = _python(code, tmp_path)
    assert result.stderr == "[]\n"
    assert result.stdout.startswith("app.py:1:28: SKY100 ")


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -c code`` in a fresh interpreter, run in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )
