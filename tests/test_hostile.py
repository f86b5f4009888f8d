"""Hostile input (issue 13): what the code being checked, or a student's cohort, can
make the tool print, open or spend.

Every output is searched for raw characters with ``unicodedata`` (not with the
package's own table), so a character the table misses fails a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from flake8_secret_key import escape, formats, rules
from flake8_secret_key.cli import main
from flake8_secret_key.engine import observe_text

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
