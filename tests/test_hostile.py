"""Hostile input (issue 13): what the code being checked, or a student's cohort, can
make the tool print, open or spend.

Every output is searched for raw characters with ``unicodedata`` (not with the
package's own table), so a character the table misses fails a test.
"""

from __future__ import annotations

import builtins
import html
import importlib
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flake8_secret_key import cmd_report, escape, formats, report_formats, rules, scan, source
from flake8_secret_key.cli import main
from flake8_secret_key.engine import Options, SourceError, observe_text
from flake8_secret_key.options import Config
from flake8_secret_key.report import Row
from flake8_secret_key.submissions import list_submissions

#: The engine's module (the package's ``observe`` is the function of that name).
observe_module = importlib.import_module("flake8_secret_key.engine.observer")

FLAKE8 = [sys.executable, "-m", "flake8"]
CHECK = [sys.executable, "-m", "flake8_secret_key.cli", "check"]
REPORT = [sys.executable, "-m", "flake8_secret_key.cli", "report"]

#: What no output may hold raw: controls, invisible format characters (bidi
#: overrides among them), line and paragraph separators, lone surrogates.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def raw_unsafe(text: str, allowed: str = "\n") -> list[str]:
    """The unsafe characters of ``text`` (line ends of the output itself allowed)."""
    return [c for c in text if unicodedata.category(c) in UNSAFE_CATEGORIES and c not in allowed]


# ------------------------------------------------------------------ escape


def test_every_control_format_and_separator_character_is_escaped() -> None:
    unsafe = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in UNSAFE_CATEGORIES]
    shown = escape.printable("".join(unsafe))
    assert raw_unsafe(shown, allowed="") == []
    assert shown.isascii()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mRED\x1b]0;pwned\x07", "\\x1b[31mRED\\x1b]0;pwned\\x07"),
        ("X\r\nfake.py:1:1: SKY100", "X\\r\\nfake.py:1:1: SKY100"),
        ("y\u202egnp.py", "y\\u202egnp.py"),
        ("csi\x9b2J", "csi\\x9b2J"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("caf\u00e9 \u4e2d\u6587 C:\\path", "caf\u00e9 \u4e2d\u6587 C:\\path"),  # left alone
    ],
)
def test_printable_spells_unsafe_characters_as_repr_does(raw: str, shown: str) -> None:
    assert escape.printable(raw) == shown


def test_json_visible_keeps_the_data_and_shows_nothing_raw() -> None:
    data = {"name": "a\x85b\u202ec\U000e0041d\x1b\u00e9", "n": [1, "\u2028"]}
    text = escape.json_visible(json.dumps(data, indent=2, ensure_ascii=False))
    assert json.loads(text) == data
    assert raw_unsafe(text) == [] and "\u00e9" in text


# ------------------------------------------------------------------ 1: messages

#: A subscript key that drives the terminal, and an environment-variable name that
#: forges a finding line in a CI log.
INJECTION = textwrap.dedent(
    """\
    import os
    cfg["\\x1b[31mRED\\x1b]0;pwned\\x07"].secret_key = "hunter2-do-not-print"
    app.config["JWT_SECRET_KEY"] = os.environ.get("X\\r\\nfake.py:1:1: SKY100 forged", "v-x")
    """
)
#: The same through other characters: C1's NEL (a line break in some terminals), a
#: right-to-left override in a setting's receiver, a line separator, a fallback.
INJECTION_VARIANT = textwrap.dedent(
    """\
    import os
    SECRET_KEY = os.getenv("SECRET_KEY\\x85forged.py:9:9: SKY100 x", "fallback-do-not-print")
    d["\\u202ekcatta"].secret_key = b"\\x00hunter2-do-not-print"
    setattr(app, "secret_key", os.environ.get("K\\u2028\\x9b2J", "other-do-not-print"))
    """
)


@pytest.mark.parametrize("source", [INJECTION, INJECTION_VARIANT])
def test_messages_escape_text_from_the_source(source: str) -> None:
    found = observe_text(source)
    assert found
    for obs in found:
        text = rules.message(obs)
        assert text is not None and raw_unsafe(text, allowed="") == [], text
        finding = formats.make_finding("app.py", obs)
        assert finding is not None
        assert raw_unsafe(finding.target + finding.fix, allowed="") == []


def test_a_source_key_is_shown_as_repr_would() -> None:
    (obs, _) = observe_text(INJECTION)
    text = rules.flake8_text(obs)
    assert text is not None and '"\\x1b[31mRED\\x1b]0;pwned\\x07"' in text


@pytest.mark.parametrize("source", [INJECTION, INJECTION_VARIANT])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_check_prints_no_raw_control_character(source: str, fmt: str, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    proc = subprocess.run(
        [*CHECK, "--select", "SKY", "--format", fmt, "app.py"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 1, proc.stderr
    assert raw_unsafe(out) == [] and proc.stderr == b""
    assert "do-not-print" not in out
    if fmt in ("text", "github"):
        assert len(out.splitlines()) == 3 if source is INJECTION_VARIANT else 2
        assert all(line.startswith(("app.py:", "::")) for line in out.splitlines())


@pytest.mark.parametrize("source", [INJECTION, INJECTION_VARIANT])
def test_flake8_prints_no_raw_control_character(source: str, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    proc = subprocess.run(
        [*FLAKE8, "--isolated", "--select", "SKY", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=120,
    )
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr.decode()
    assert raw_unsafe(out) == []
    lines = out.splitlines()
    assert len(lines) == (3 if source is INJECTION_VARIANT else 2)
    assert all(line.startswith("app.py:") for line in lines)


def test_check_escapes_a_file_name_and_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a\x1b[2Jb.py").write_text('SECRET_KEY = "hunter2-do-not-print"\n')
    (tmp_path / "c\u202ed.py").write_text('SECRET_KEY = "x"\ndef broken(:\n')
    assert main(["check", "."]) == 3
    captured = capsys.readouterr()
    assert raw_unsafe(captured.out + captured.err) == []
    assert "./a\\x1b[2Jb.py:1:14: SKY100" in captured.out
    assert captured.err.startswith("./c\\u202ed.py: syntax error at line 2")


# ------------------------------------------------------------------ 3: html context

#: A computed key is never written as one text to search for, and a comment above it
#: spells it in full (or a part of it, or its hex).
COMPUTED = [
    '# old key: Xk9fQ2mZp7Lw\nKEY = "Xk9fQ2" + "mZp7Lw"\napp.secret_key = KEY\n',
    '# Xk9fQ2mZp7Lw\napp.secret_key = bytes.fromhex("586b396651326d5a70374c77")  # 586b3966513\n',
    'import base64\napp.config["SECRET_KEY"] = base64.b64decode(\n'
    '    "WGs5ZlEybVpwN0x3"  # WGs5ZlEybVpwN0x3 = Xk9fQ2mZp7Lw\n)\n',
    'KEY = "".join(["Xk9f", "Q2mZ", "p7Lw"])\n# the key: Xk9f Q2mZ p7Lw\n'
    "app.secret_key = KEY  # was Xk9fQ2mZp7Lw\n",
]
LEAKS = ("Xk9fQ2mZp7Lw", "Xk9f", "mZp7Lw", "586b3966513", "WGs5ZlEybVpwN0x3", "p7Lw")


@pytest.mark.parametrize("code", COMPUTED)
def test_context_lines_hide_comments_near_a_computed_key(code: str) -> None:
    from flake8_secret_key.redact import REDACTED, redact_context

    observations = observe_text(code)
    assert observations
    for obs in observations:
        lines = redact_context(code, observations, obs)
        text = "\n".join(line.text for line in lines)
        assert not [leak for leak in LEAKS if leak in text], text
        assert REDACTED in text


def test_context_lines_keep_code_and_names_readable() -> None:
    from flake8_secret_key.redact import REDACTED, redact_context

    code = 'import os  # the key\nSECRET_KEY = os.getenv("SECRET_KEY", "a" + "b")\n'
    observations = observe_text(code)
    lines = redact_context(code, observations, observations[0], names=["SECRET_KEY"])
    assert lines[0].text == f"import os  #{REDACTED}"
    assert lines[1].text.startswith('SECRET_KEY = os.getenv("SECRET_KEY", ')


def test_untokenizable_context_hides_comments_too() -> None:
    from flake8_secret_key.redact import REDACTED, redact_context

    code = 'app.secret_key = "abcdefgh"\nx = "unterminated\ny = 1  # Xk9fQ2mZp7Lw\n'
    observations = observe_text('app.secret_key = "abcdefgh"\n')
    lines = redact_context(code, observations, observations[0])
    assert [line.text for line in lines][1:] == [f"x = {REDACTED}", f"y = 1  {REDACTED}"]


def test_html_report_never_shows_a_computed_key(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    for i, code in enumerate(COMPUTED):
        (cohort / f"s{i}").mkdir(parents=True)
        (cohort / f"s{i}" / "app.py").write_text(code)
    proc = subprocess.run([*REPORT, str(cohort), "--format", "html"], capture_output=True)
    page = proc.stdout.decode("utf-8")
    assert proc.returncode == 0 and page.count('class="hit"') >= len(COMPUTED)
    assert not [leak for leak in LEAKS if leak in page]


# ------------------------------------------------------------------ 6: memory budget


def filler(tokens: int) -> str:
    """Statements of more than ``tokens`` words and symbols (3 a line)."""
    return "a = 1\n" * (tokens // 3 + 1)


def big_source(tokens: int) -> str:
    """A file that spells a setting name and parses, of more than ``tokens`` tokens."""
    return 'SECRET_KEY = "hunter2-do-not-print"\n' + filler(tokens)


def small_budget(tokens: int) -> Config:
    return Config(engine=Options(max_tokens=tokens))


def test_a_text_over_the_budget_is_never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    monkeypatch.setattr(observe_module, "parse", lambda text, name: parsed.append(1))
    with pytest.raises(SourceError) as info:
        observe_text(big_source(2000), Options(max_tokens=2000))
    assert str(info.value) == (
        "too big to analyse: more than 2,000 words and symbols to parse "
        "(the memory budget of a file)"
    )
    assert parsed == []


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 4, 5, 6, 100])
def test_words_and_symbols_are_counted_up_to_the_limit(limit: int) -> None:
    text = "a.bc = 'x y'  # z\n"  # a . bc = ' x y ' # z: 9
    assert observe_module.count_over(text, limit) is (limit < 9)
    assert observe_module.count_over(text * 3, limit) is (limit < 27)


def test_a_text_within_the_budget_is_analysed() -> None:
    text = big_source(1000)
    tokens = sum(1 for _ in re.finditer(r"\w+|[^\w\s]", text))
    assert [(o.line, o.col) for o in observe_text(text, Options(max_tokens=tokens))] == [(1, 13)]
    with pytest.raises(SourceError):
        observe_text(text, Options(max_tokens=tokens - 1))


def test_long_strings_and_comments_cost_little_and_are_analysed() -> None:
    """A file that is mostly a long literal or comment is not held to its length (the
    words in them are counted, though)."""
    text = 'SECRET_KEY = "' + "k" * 3_000_000 + '"\n# ' + "x" * 3_000_000 + "\n"
    assert [(o.line, o.col) for o in observe_text(text)] == [(1, 13)]


def test_a_big_text_that_spells_no_name_costs_nothing() -> None:
    assert observe_text(filler(1000), Options(max_tokens=100)) == []


def test_only_the_big_file_is_an_error() -> None:
    config = small_budget(4096)
    big = scan.analyze_bytes(big_source(5000).encode(), "big.py", config)
    assert big.observations == [] and big.error is not None
    assert big.error.startswith("too big to analyse: more than 4,096 words and symbols")
    small = scan.analyze_bytes(big_source(100).encode(), "small.py", config)
    assert small.error is None and len(small.observations) == 1


PEAK_SCRIPT = (
    "import resource, sys\n"
    "from flake8_secret_key.cli import main\n"
    "status = main(['check', '.'])\n"
    "sys.stdout.flush()\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def check_with_peak(folder: Path) -> tuple[int, str, list[str], int]:
    """``check .`` in ``folder``, in a process of its own: status, stdout, stderr lines,
    and its peak memory in MB."""
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT], cwd=folder, capture_output=True, text=True, timeout=60
    )
    *errors, peak_mb = proc.stderr.splitlines()
    return proc.returncode, proc.stdout, errors, int(peak_mb)


def test_check_stays_within_the_budget_on_a_huge_file(tmp_path: Path) -> None:
    """The issue's case, for real: megabytes that spell SECRET_KEY, beside a normal file."""
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "app.py").write_text('SECRET_KEY = "hunter2-do-not-print"\n')
    *_, baseline_mb = check_with_peak(tmp_path / "small")
    (tmp_path / "small" / "huge.py").write_text(big_source(3 << 20))  # 6 MB
    status, out, errors, peak_mb = check_with_peak(tmp_path / "small")
    assert status == 3 and out.startswith("./app.py:1:14: SKY100 ")
    assert errors == [
        "./huge.py: too big to analyse: more than 262,144 words and symbols to parse "
        "(the memory budget of a file)"
    ]
    assert peak_mb - baseline_mb < 100  # parsed, it would take gigabytes


# ------------------------------------------------------------------ 4, 5: the cohort


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def test_a_linked_submission_is_an_error_row_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.py").write_text('SECRET_KEY = "outside-do-not-print"\n')
    (outside / "folder" / "app.py").write_text('SECRET_KEY = "outside-do-not-print"\n')
    cohort = tmp_path / "cohort"
    (cohort / "alice").mkdir(parents=True)
    (cohort / "alice" / "app.py").write_text('SECRET_KEY = "alice-do-not-print"\n')
    links = {
        "carol.py": outside / "secret.py",
        "dave.py": Path("/dev/zero"),
        "erin": outside / "folder",
        "gone.py": outside / "nothing-here.py",
        "inner.py": cohort / "alice" / "app.py",  # even inside the cohort
    }
    for name, target in links.items():
        (cohort / name).symlink_to(target)
    rows = cmd_report.mark_all(list_submissions(str(cohort), split_exports=False), Config())
    by = {row.submission: row for row in rows}
    assert by["alice"].verdict == "hardcoded"
    for name in links:
        assert by[name].verdict == "error" and by[name].python_files == 0
        assert by[name].error.startswith("a symbolic link: not followed")


@pytest.mark.parametrize("name", ["evil.py", "x.zip", "pipe", "export.zip"])
def test_a_fifo_at_the_top_is_an_error_row_and_never_blocks(name: str, tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    (cohort / "bob.py").write_text('SECRET_KEY = "bob-do-not-print"\n')
    make_fifo(cohort / name)
    proc = subprocess.run(
        [*REPORT, str(cohort), "--format", "json"], capture_output=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stderr == b""
    by = {s["submission"]: s for s in json.loads(proc.stdout)["submissions"]}
    assert by["bob.py"]["verdict"] == "hardcoded"
    assert by[name]["verdict"] == "error"
    assert by[name]["error"] == "a FIFO (named pipe), not a file or a folder: not opened"


def test_a_socket_at_the_top_is_an_error_row(tmp_path_factory: pytest.TempPathFactory) -> None:
    cohort = tmp_path_factory.mktemp("s")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(cohort / "s.py"))
        (row,) = cmd_report.mark_all(list_submissions(str(cohort)), Config())
    assert row.verdict == "error" and row.error.startswith("a socket, not a file")


# ------------------------------------------------------------------ the hostile cohort

#: Normal submissions and their verdicts, which the hostile ones must not change.
NORMAL = {
    "alice": "hardcoded",
    "bob.zip": "environment",
    "frank.py": "no-key",
    "henry": "fallback",  # and a file over the memory budget beside it
}
ESC_NAME = "x\x1b]0;pwned\x07\x1b[31mRED"
RLO_NAME = "y\u202egnp.py"
C1_NAME = "c1\x9b2Jname\x85"
#: The hostile submissions: verdict, and how the error row begins.
HOSTILE = {
    ESC_NAME: ("hardcoded", ""),
    RLO_NAME: ("fallback", ""),
    C1_NAME: ("no-key", ""),
    "carol.py": ("error", "a symbolic link: not followed"),
    "dave.py": ("error", "a symbolic link: not followed"),
    "erin": ("error", "a symbolic link: not followed"),
    "link.zip": ("error", "a symbolic link: not followed"),
    "evil.py": ("error", "a FIFO (named pipe), not a file or a folder"),
    "x.zip": ("error", "a FIFO (named pipe), not a file or a folder"),
    "pipe": ("error", "a FIFO (named pipe), not a file or a folder"),
    "grace": ("error", "none of the 1 Python files could be parsed (big.py: too big to analyse"),
}
KEY = 'SECRET_KEY = "hunter2-do-not-print"\n'
FALLBACK = 'import os\nSECRET_KEY = os.environ.get("SECRET_KEY", "fallback-do-not-print")\n'
ENVIRONMENT = 'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\n'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(cohort, outside): a cohort with every hostile case, and what its links reach."""
    root = tmp_path_factory.mktemp("hostile")
    outside, cohort = root / "outside", root / "cohort"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.py").write_text('SECRET_KEY = "outside-do-not-print"\n')
    (outside / "folder" / "app.py").write_text('SECRET_KEY = "outside-do-not-print"\n')
    with zipfile.ZipFile(outside / "x.zip", "w") as zf:
        zf.writestr("app.py", 'SECRET_KEY = "outside-do-not-print"\n')
    files = {
        "alice/app.py": KEY,
        "frank.py": "print('hello')\n",
        "henry/config.py": FALLBACK,
        "henry/big.py": ENVIRONMENT + filler(BUDGET),
        f"{ESC_NAME}/app.py": KEY,
        RLO_NAME: FALLBACK,
        f"{C1_NAME}/app.py": "x = 1\n",
        "grace/big.py": ENVIRONMENT + filler(BUDGET),
    }
    for rel, text in files.items():
        (cohort / rel).parent.mkdir(parents=True, exist_ok=True)
        (cohort / rel).write_text(text)
    with zipfile.ZipFile(cohort / "bob.zip", "w") as zf:
        zf.writestr("bob/app.py", ENVIRONMENT)
    (cohort / "carol.py").symlink_to(outside / "secret.py")
    (cohort / "dave.py").symlink_to("/dev/zero")
    (cohort / "erin").symlink_to(outside / "folder")
    (cohort / "link.zip").symlink_to(outside / "x.zip")
    for name in ("evil.py", "x.zip", "pipe"):
        make_fifo(cohort / name)
    return cohort, outside


#: The memory budget of the cohort tests (in tokens): ``grace/big.py`` and
#: ``henry/big.py`` are over it, and within the default one.
BUDGET = 8192


def assert_expected(rows: list[Row]) -> None:
    by = {row.submission: row for row in rows}
    assert {name: by[name].verdict for name in NORMAL} == NORMAL
    assert by["henry"].syntax_errors == 1 and by["henry"].python_files == 2
    for name, (verdict, error) in HOSTILE.items():
        assert by[name].verdict == verdict, name
        assert by[name].error.startswith(error), (name, by[name].error)
    assert set(by) == {*NORMAL, *HOSTILE}


def test_a_hostile_cohort_in_every_format(
    hostile: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The normal verdicts stand, nothing outside the cohort is opened (or anything
    that could block), and no format shows a raw control or bidi character."""
    cohort, _ = hostile
    opened: list[str] = []

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def opening(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, (str, bytes, os.PathLike)):
                opened.append(os.path.realpath(os.fsdecode(path)))
            return real(path, *args, **kwargs)

        return opening

    for owner, name in ((os, "open"), (os, "scandir"), (io, "open"), (builtins, "open")):
        monkeypatch.setattr(owner, name, spy(getattr(owner, name)))
    signal.signal(signal.SIGALRM, _blocked)
    signal.alarm(60)
    try:
        subs = list_submissions(str(cohort), split_exports=False)
        rows = cmd_report.mark_all(subs, small_budget(BUDGET), context=True, split_exports=True)
    finally:
        signal.alarm(0)
    monkeypatch.undo()
    assert_expected(rows)
    inside = os.path.realpath(cohort)
    assert opened and [p for p in opened if not (p + os.sep).startswith(inside + os.sep)] == []
    fifos = [p for p in opened if os.path.basename(p) in ("evil.py", "x.zip", "pipe")]
    assert fifos == []
    for fmt in report_formats.FORMATS:
        text = report_formats.render(rows, fmt)
        assert raw_unsafe(text.replace("\r\n", "\n")) == [], fmt
        assert "do-not-print" not in text, fmt
        for shown in (escape.printable(ESC_NAME), escape.printable(RLO_NAME)):
            if fmt in ("table", "csv", "html"):  # (markdown escapes the backslashes)
                assert shown in text or html.escape(shown) in text, fmt


def _blocked(signum: int, frame: object) -> None:
    raise AssertionError("the report blocked (opened a FIFO?)")


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown", "html"])
def test_a_hostile_cohort_through_the_command(fmt: str, hostile: tuple[Path, Path]) -> None:
    """``report`` itself, with the default budget, on stdout (csv too) and in a file."""
    cohort, _ = hostile
    proc = subprocess.run(
        [*REPORT, str(cohort), "--format", fmt], capture_output=True, timeout=120
    )
    assert proc.returncode == 0 and proc.stderr == b""
    out = proc.stdout.decode("utf-8")
    assert raw_unsafe(out.replace("\r\n", "\n")) == [] and "do-not-print" not in out
    if fmt == "json":
        by = {s["submission"]: s for s in json.loads(out)["submissions"]}
        assert {name: by[name]["verdict"] for name in NORMAL} == NORMAL
        assert by["grace"]["verdict"] == "environment"  # within the default budget: parsed
        assert by["carol.py"]["verdict"] == by["evil.py"]["verdict"] == "error"
        assert set(by) == {*NORMAL, *HOSTILE}


# ------------------------------------------------------------------ 10: two BOMs

BOM = "\ufeff"


@pytest.mark.parametrize(
    "text",
    [
        BOM * 2 + 'SECRET_KEY = "hunter2-do-not-print"\n',
        BOM * 2 + '# -*- coding: utf-8 -*-\r\nimport os\r\napp.secret_key = "hunter2-x"\r\n',
    ],
)
def test_two_boms_flake8_and_check_agree(text: str, tmp_path: Path) -> None:
    """Python refuses the file, flake8 reads it without a word and gives the plugin
    lines without either BOM: check reads it as flake8 does (see ``source``)."""
    (tmp_path / "app.py").write_bytes(text.encode("utf-8"))
    flake8 = subprocess.run(
        [*FLAKE8, "--isolated", "--select", "SKY,E9", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    check = subprocess.run(
        [*CHECK, "app.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert flake8.stdout and flake8.stdout == check.stdout
    assert "SKY100" in check.stdout and check.returncode == 1 and check.stderr == ""


def test_three_boms_are_a_syntax_error_for_both(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes((BOM * 3 + 'SECRET_KEY = "x-y-z-w"\n').encode())
    flake8 = subprocess.run(
        [*FLAKE8, "--isolated", "--select", "SKY,E9", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    check = subprocess.run(
        [*CHECK, "app.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert "E999" in flake8.stdout and "SKY" not in flake8.stdout
    assert check.returncode == 2 and check.stdout == ""
    assert (
        check.stderr == "app.py: syntax error at line 1: invalid non-printable character U+FEFF\n"
    )


@pytest.mark.parametrize("boms", [0, 1, 2, 3])
def test_the_boms_are_written_back_as_read(boms: int) -> None:
    data = (BOM * boms + "SECRET_KEY = 1\r\n").encode("utf-8")
    decoded = source.decode(data)
    assert source.encode(decoded, decoded.text) == data
    assert decoded.text.startswith(BOM) is (boms == 3)


# ------------------------------------------------- special files named on the command line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", ["check", "fix"])
@pytest.mark.parametrize("through_link", [False, True])
def test_a_fifo_named_on_the_command_line_is_an_error_never_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, through_link: bool
) -> None:
    fifo = tmp_path / "evil.py"
    os.mkfifo(fifo)
    named = fifo
    if through_link:
        named = tmp_path / "link.py"
        named.symlink_to(fifo)
    app = tmp_path / "app.py"
    app.write_text('import os\napp.secret_key = "Xk9fQ2mZp7LwQ1vB"\n')
    # Opening the FIFO would block this test forever: an alarm turns that into a failure.
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the FIFO was opened"))
    signal.alarm(10)
    try:
        status = main([command, str(named), str(app)])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    out, err = capsys.readouterr()
    assert status & 2
    assert f"{named}: " in err and "not a regular file or folder" in err
    assert "app.py" in out  # the other file is still checked (or fixed)


def test_printable_text_has_nothing_to_escape() -> None:
    # escape.printable returns a text that isprintable() as it is: sound only if every
    # character it escapes is one that isprintable() refuses.
    pattern = escape.unsafe()
    escaped = [chr(c) for c in range(0x110000) if pattern.match(chr(c))]
    assert len(escaped) > 1000
    assert not any(c.isprintable() for c in escaped)
