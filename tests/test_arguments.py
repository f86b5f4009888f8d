"""The command line without argparse: ``arguments.parse`` must answer exactly as
argparse would, or not at all."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_secret_key import cli
from flake8_secret_key.arguments import Arguments, parse

ROOT = Path(__file__).resolve().parent.parent


def _declared(command: str) -> Arguments:
    declared = Arguments()
    module = __import__(cli.COMMANDS[command][0], fromlist=["add_arguments"])
    module.add_arguments(declared)
    return declared


def _argparse(argv: list[str]) -> dict[str, object] | None:
    """argparse's namespace for ``argv`` as a dict; None when it exits (an error, --help)."""
    parser = cli.build_parser(argv[0] if argv and argv[0] in cli.COMMANDS else None)
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return vars(parser.parse_args(argv))
        except SystemExit:
            return None


def _fast(argv: list[str]) -> dict[str, object] | None:
    args = cli._plain(argv)
    return None if args is None else vars(args)


PLAIN = [
    ["report", "cohort"],
    ["report", "cohort", "--format", "csv", "--output", "marks.csv"],
    ["report", "--format=html", "-o", "r.html", "cohort", "--jobs", "4"],
    ["report", "cohort", "--count-skipped-files", "--include-tests"],
    ["report", "cohort", "--known-keys-file", "keys.txt", "--secret-key-names", "A,B"],
    ["report", "cohort", "-j", "0"],
    ["check"],
    ["check", "."],
    ["check", "src", "tests", "--format", "sarif", "--select", "SKY1"],
    ["check", "--format", "json", "a.py", "b.py"],
    ["check", "-", "--stdin-display-name", "app.py"],
    ["check", "--exclude", "build", "--exclude", "dist", "--extend-select", "SKY900", "."],
    ["check", ".", "--disable-noqa", "--jobs", "auto", "-o", "out.txt"],
    ["fix", "--diff", "app.py"],
    ["fix"],
    ["fix", "--check", "--exclude", "a,b", "."],
    ["fix", "app.py", "--env-file", ".env", "--keep-key"],
]


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_plain_lines_are_parsed_here_as_argparse_does(argv: list[str]) -> None:
    fast = _fast(argv)
    assert fast is not None, "left to argparse"
    assert fast == _argparse(argv)


LEFT_TO_ARGPARSE = [
    [],
    ["--version"],
    ["--help"],
    ["report"],  # SUBMISSIONS missing: argparse says so
    ["report", "-h"],
    ["report", "cohort", "--help"],
    ["report", "cohort", "other"],  # one too many
    ["report", "cohort", "--form", "csv"],  # an abbreviation
    ["report", "cohort", "-j4"],  # a short option glued to its value
    ["report", "cohort", "--jobs", "-1"],  # a value that starts with -
    ["report", "cohort", "--jobs", "x"],  # fails its type
    ["report", "cohort", "--format", "xml"],  # not a choice
    ["report", "cohort", "--format"],  # no value
    ["report", "cohort", "--format="],
    ["report", "--", "cohort"],
    ["report", "cohort", "--include-tests=yes"],
    ["check", "a.py", "--format", "json", "b.py"],  # paths on both sides: argparse errs
    ["check", "-o=out.txt"],
    ["fix", "--diff", "--check"],  # one exclusive group
    ["lint", "."],
    ["--version", "check"],
]


@pytest.mark.parametrize("argv", LEFT_TO_ARGPARSE, ids=" ".join)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert _fast(argv) is None


WORDS = st.sampled_from(
    [
        "cohort", "a.py", "-", "--", "-h", "--help", "--version", "json", "csv", "html",
        "table", "xml", "0", "4", "-1", "x", "", "a b", "--form", "-j4", "--jobs=2",
        "--format=csv", "--format=", "=", "-o=x", "--include-tests=1", "SKY1", "-5", "1_0",
        " 3", "auto", "--secret-key-names=A,B", "keys.txt", "-o", "-j",
    ]
)  # fmt: skip


def _flags(command: str) -> list[str]:
    return [f for item in _declared(command).declared for f in item.flags if f.startswith("-")]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), command=st.sampled_from(sorted(cli.COMMANDS)))
def test_generated_lines_agree_with_argparse(data: st.DataObject, command: str) -> None:
    tokens = st.one_of(WORDS, st.sampled_from(_flags(command)))
    argv = [command, *data.draw(st.lists(tokens, max_size=7))]
    fast = _fast(argv)
    if fast is not None:
        assert fast == _argparse(argv), argv


def test_a_list_default_is_copied_when_appended_to() -> None:
    declared = Arguments()
    declared.add_argument("--exclude", action="append", default=["keep"])
    args = parse(declared.declared, ["--exclude", "x"])
    assert args is not None and args.exclude == ["keep", "x"]
    assert declared.declared[0].kwargs["default"] == ["keep"]


def test_declarations_beyond_it_leave_the_command_to_argparse() -> None:
    for kwargs in ({"action": "count"}, {"nargs": 2}, {"required": True}, {"const": 1}):
        declared = Arguments()
        declared.add_argument("--flag", **kwargs)  # type: ignore[arg-type]
        assert parse(declared.declared, []) is None
    declared = Arguments()
    declared.add_argument("first")
    declared.add_argument("second")
    assert parse(declared.declared, ["a", "b"]) is None


def test_a_string_default_with_a_type_is_left_to_argparse() -> None:
    declared = Arguments()
    declared.add_argument("--jobs", type=int, default="2")
    assert parse(declared.declared, []) is None  # argparse converts it: "2" -> 2
    given = parse(declared.declared, ["--jobs", "3"])  # the default is not used
    assert given is not None and given.jobs == 3


def _modules_after(argv: list[str], cwd: Path) -> set[str]:
    """The modules a run of the console script's main loaded, in a fresh interpreter
    without site (so an editable install's import hooks do not count)."""
    code = (
        "import sys\n"
        "from flake8_secret_key.cli import main\n"
        f"main({argv!r})\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return set(result.stderr.split())


HEAVY = {"argparse", "gettext", "locale", "re", "enum", "functools", "collections", "typing"}


def test_report_loads_neither_argparse_nor_re(tmp_path: Path) -> None:
    (tmp_path / "cohort" / "alice").mkdir(parents=True)
    (tmp_path / "cohort" / "alice" / "app.py").write_text('app.secret_key = "dev"\n')
    loaded = _modules_after(["report", "cohort", "--jobs", "1"], tmp_path)
    assert "flake8_secret_key.cmd_report" in loaded
    assert HEAVY & loaded == set()
    # A spreadsheet's CSV is written without the csv module (which loads re).
    loaded = _modules_after(["report", "cohort", "--jobs", "1", "--format", "csv"], tmp_path)
    assert (HEAVY | {"csv", "_csv"}) & loaded == set()


def test_check_loads_neither_argparse_nor_re(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('app.secret_key = "dev"\n')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')  # not our table
    loaded = _modules_after(["check", "."], tmp_path)  # text: json would load re
    assert "flake8_secret_key.cmd_check" in loaded
    assert HEAVY & loaded == set()
    # With the table, tomllib reads it (and loads re and typing): the price of options.
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-secret-key]\nexclude = ["build"]\n')
    assert "tomllib" in _modules_after(["check", "."], tmp_path)


def test_report_help_still_uses_argparse(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flake8_secret_key.cli", "report", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: flake8-secret-key report ")
