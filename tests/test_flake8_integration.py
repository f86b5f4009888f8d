"""The plugin through real flake8 runs, in a subprocess, the way users run it.

Each test writes files under ``tmp_path`` and runs ``python -m flake8`` there.
``--isolated`` keeps any configuration out, except in the tests that are about
configuration files. Results are compared as exact ``(line, col, code)`` triples
(flake8 prints 1-based columns).
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FLAKE8 = [sys.executable, "-m", "flake8"]
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+[0-9]+) ")

Triple = tuple[int, int, str]

SAMPLE_APP = textwrap.dedent(
    """\
    import os

    from flask import Flask

    KEY = "s3cr3t-value-xyz"

    app = Flask(__name__)
    app.secret_key = "hunter2-abc"
    app.config["SECRET_KEY"] = b'_5#y2L"F4Q8z\\n\\xec]/'
    app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY", "fallback-qq")
    app.config["WTF_CSRF_SECRET_KEY"] = os.urandom(24)

    other = Flask("other")
    other.secret_key = KEY
    """
)
#: What the default selection reports on SAMPLE_APP.
SAMPLE_DEFAULT: set[Triple] = {
    (8, 18, "SKY100"),
    (9, 28, "SKY101"),
    (10, 65, "SKY102"),
    (14, 20, "SKY100"),
}
SAMPLE_SKY900: Triple = (11, 37, "SKY900")
#: Every secret value in SAMPLE_APP (or a distinctive part of it).
SAMPLE_SECRETS = ("s3cr3t-value-xyz", "hunter2-abc", "fallback-qq", "5#y2L", "F4Q8z")

#: Only the SKY code of the project's published keys file: a key of one's own.
COURSE_KEY = "course-key-2024"


def run_flake8(
    cwd: Path, *args: str, stdin: str | None = None, isolated: bool = True
) -> subprocess.CompletedProcess[str]:
    argv = [*FLAKE8, *(["--isolated"] if isolated else []), *args]
    return subprocess.run(
        argv, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


def sky(proc: subprocess.CompletedProcess[str]) -> set[Triple]:
    """The SKY findings of a run as (line, col, code), whatever the file."""
    return {(line, col, code) for _, line, col, code in findings(proc) if code.startswith("SKY")}


def findings(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str]]:
    """Every finding of a run as (path, line, col, code); fails on a crash."""
    assert "Traceback" not in proc.stderr, proc.stderr
    out = []
    for text in proc.stdout.splitlines():
        match = LINE.match(text)
        assert match, f"unexpected output line: {text!r}"
        out.append((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    return out


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- selection


def test_default_selection_reports_sky100_101_102_not_sky900(tmp_path: Path) -> None:
    write(tmp_path / "app.py", SAMPLE_APP)
    proc = run_flake8(tmp_path, "app.py")
    assert proc.returncode == 1
    assert sky(proc) == SAMPLE_DEFAULT
    assert all(p == "app.py" for p, *_ in findings(proc))


def test_extend_select_turns_on_sky900(tmp_path: Path) -> None:
    write(tmp_path / "app.py", SAMPLE_APP)
    proc = run_flake8(tmp_path, "--extend-select", "SKY900", "app.py")
    assert sky(proc) == SAMPLE_DEFAULT | {SAMPLE_SKY900}


def test_select_only_sky900(tmp_path: Path) -> None:
    write(tmp_path / "app.py", SAMPLE_APP)
    proc = run_flake8(tmp_path, "--select", "SKY900", "app.py")
    assert findings(proc) == [("app.py", *SAMPLE_SKY900)]


def test_select_sky_prefix_includes_sky900(tmp_path: Path) -> None:
    # flake8's rule: an explicit --select beats the default ignore list, so
    # `--select SKY` turns SKY900 on too (`--select SKY1` does not).
    write(tmp_path / "app.py", SAMPLE_APP)
    proc = run_flake8(tmp_path, "--select", "SKY", "app.py")
    assert set(findings(proc)) == {("app.py", *t) for t in SAMPLE_DEFAULT | {SAMPLE_SKY900}}
    proc = run_flake8(tmp_path, "--select", "SKY1", "app.py")
    assert set(findings(proc)) == {("app.py", *t) for t in SAMPLE_DEFAULT}


def test_extend_ignore_sky102(tmp_path: Path) -> None:
    write(tmp_path / "app.py", SAMPLE_APP)
    proc = run_flake8(tmp_path, "--extend-ignore", "SKY102", "app.py")
    assert sky(proc) == SAMPLE_DEFAULT - {(10, 65, "SKY102")}


def test_messages_never_contain_the_secret(tmp_path: Path) -> None:
    write(tmp_path / "app.py", SAMPLE_APP)
    proc = run_flake8(tmp_path, "--extend-select", "SKY900", "app.py")
    assert len(sky(proc)) == 5
    output = proc.stdout + proc.stderr
    for secret in SAMPLE_SECRETS:
        assert secret not in output
    # ... and says where the key goes and how to fix that very place.
    assert 'app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]' in proc.stdout, (
        proc.stdout
    )


def test_name_bound_to_a_literal_is_resolved(tmp_path: Path) -> None:
    write(
        tmp_path / "app.py",
        """\
        from flask import Flask

        KEY = "x-Zq8Lx3Vt9Pw2"
        app = Flask(__name__)
        app.secret_key = KEY
        """,
    )
    proc = run_flake8(tmp_path, "app.py")
    assert sky(proc) == {(5, 18, "SKY100")}
    assert "(through KEY)" in proc.stdout


def test_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    write(tmp_path / "app.py", 'größe = 1; app.secret_key = "abcdef-Zq8Lx3Vt9Pw2"\n')
    proc = run_flake8(tmp_path, "--select", "SKY", "app.py")
    assert sky(proc) == {(1, 29, "SKY100")}


# --------------------------------------------------------------------------- noqa


def test_noqa(tmp_path: Path) -> None:
    write(
        tmp_path / "app.py",
        """\
        import os

        from flask import Flask

        a = Flask("a")
        a.secret_key = "one-value"  # noqa: SKY100
        b = Flask("b")
        b.secret_key = "two-value"  # noqa
        c = Flask("c")
        c.secret_key = "three-value"  # noqa: SKY101
        d = Flask("d")
        d.secret_key = "four-value"  # noqa: E501
        e = Flask("e")
        e.secret_key = os.environ.get("SECRET_KEY", "five")  # noqa:SKY102
        f = Flask("f")
        f.secret_key = "dev"  # noqa: SKY1
        """,
    )
    proc = run_flake8(tmp_path, "app.py")
    assert sky(proc) == {(10, 16, "SKY100"), (12, 16, "SKY100")}
    proc = run_flake8(tmp_path, "--disable-noqa", "app.py")
    assert sky(proc) == {
        (6, 16, "SKY100"),
        (8, 16, "SKY100"),
        (10, 16, "SKY100"),
        (12, 16, "SKY100"),
        (14, 45, "SKY102"),
        (16, 16, "SKY101"),
    }


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path / "settings.py", 'SECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"\n')
    write(tmp_path / "app.py", 'SECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"\n')
    proc = run_flake8(tmp_path, "--per-file-ignores", "settings.py:SKY100", ".")
    assert findings(proc) == [("./app.py", 1, 14, "SKY100")]


# --------------------------------------------------------------------------- config files

CONFIG_FILES = ["setup.cfg", "tox.ini", ".flake8"]


@pytest.mark.parametrize("config", CONFIG_FILES)
def test_per_file_ignores_and_extend_select_from_config_file(tmp_path: Path, config: str) -> None:
    write(
        tmp_path / config,
        """\
        [flake8]
        extend-select = SKY900
        per-file-ignores =
            settings/*.py: SKY100
        """,
    )
    write(tmp_path / "settings" / "dev.py", 'import os\n\nSECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"\n')
    write(
        tmp_path / "app.py",
        'import os\n\nSECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"\nJWT_SECRET_KEY = os.urandom(8)\n',
    )
    proc = run_flake8(tmp_path, ".", isolated=False)
    assert sorted(f for f in findings(proc) if f[3].startswith("SKY")) == [
        ("./app.py", 3, 14, "SKY100"),
        ("./app.py", 4, 18, "SKY900"),
    ]


@pytest.mark.parametrize("config", CONFIG_FILES)
def test_names_from_config_file(tmp_path: Path, config: str) -> None:
    write(tmp_path / config, "[flake8]\nsecret-key-names = MY_KEY, OTHER_KEY\n")
    write(
        tmp_path / "app.py",
        """\
        MY_KEY = "abc123-Zq8Lx3Vt9Pw2"
        SECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"
        OTHER_KEY = "abc123-Zq8Lx3Vt9Pw2"
        """,
    )
    proc = run_flake8(tmp_path, "app.py", isolated=False)
    assert sky(proc) == {(1, 10, "SKY100"), (3, 13, "SKY100")}
    # --isolated ignores the file: back to the default names.
    assert sky(run_flake8(tmp_path, "app.py")) == {(2, 14, "SKY100")}


@pytest.mark.parametrize("config", CONFIG_FILES)
def test_include_tests_from_config_file(tmp_path: Path, config: str) -> None:
    for path in ("tests/helpers.py", "test_app.py", "app_test.py", "conftest.py"):
        write(tmp_path / path, 'SECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"\n')
    proc = run_flake8(tmp_path, ".", isolated=False)
    assert findings(proc) == []
    write(tmp_path / config, "[flake8]\nsecret-key-include-tests = true\n")
    proc = run_flake8(tmp_path, ".", isolated=False)
    assert sorted(findings(proc)) == [
        ("./app_test.py", 1, 14, "SKY100"),
        ("./conftest.py", 1, 14, "SKY100"),
        ("./test_app.py", 1, 14, "SKY100"),
        ("./tests/helpers.py", 1, 14, "SKY100"),
    ]


@pytest.mark.parametrize("config", CONFIG_FILES)
def test_known_keys_file_from_config_file(tmp_path: Path, config: str) -> None:
    write(tmp_path / config, "[flake8]\nsecret-key-known-keys-file = keys.txt\n")
    write(tmp_path / "keys.txt", f"# the course's example key\n{COURSE_KEY}\n")
    write(tmp_path / "app.py", f'SECRET_KEY = "{COURSE_KEY}"\nJWT_SECRET_KEY = "other-Zq8Lx3Vt"\n')
    proc = run_flake8(tmp_path, "app.py", isolated=False)
    assert sky(proc) == {(1, 14, "SKY101"), (2, 18, "SKY100")}
    assert "a known example key (listed in your known-keys file)" in proc.stdout
    assert COURSE_KEY not in proc.stdout


def test_known_keys_file_is_relative_to_the_config_file(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", "[flake8]\nsecret-key-known-keys-file = ./keys.txt\n")
    write(tmp_path / "keys.txt", f"{COURSE_KEY}\n")
    write(tmp_path / "pkg" / "app.py", f'SECRET_KEY = "{COURSE_KEY}"\n')
    proc = run_flake8(tmp_path / "pkg", "app.py", isolated=False)
    assert proc.stderr == ""
    assert sky(proc) == {(1, 14, "SKY101")}


@pytest.mark.xfail(
    strict=True,
    reason="a bare file name (no '/') in a config file is resolved against the working "
    "directory: flake8's normalize_paths leaves names without a separator untouched",
)
def test_bare_known_keys_file_name_is_relative_to_the_config_file(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", "[flake8]\nsecret-key-known-keys-file = keys.txt\n")
    write(tmp_path / "keys.txt", f"{COURSE_KEY}\n")
    write(tmp_path / "pkg" / "app.py", f'SECRET_KEY = "{COURSE_KEY}"\n')
    proc = run_flake8(tmp_path / "pkg", "app.py", isolated=False)
    assert proc.stderr == ""
    assert sky(proc) == {(1, 14, "SKY101")}


def test_known_keys_file_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path / "keys.txt", f"{COURSE_KEY}\n")
    write(tmp_path / "app.py", f'SECRET_KEY = "{COURSE_KEY}"\n')
    assert sky(run_flake8(tmp_path, "app.py")) == {(1, 14, "SKY100")}
    proc = run_flake8(tmp_path, "--secret-key-known-keys-file", "keys.txt", "app.py")
    assert sky(proc) == {(1, 14, "SKY101")}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--secret-key-known-keys-file", "missing.txt"],
            "flake8-secret-key: --secret-key-known-keys-file: cannot read missing.txt: "
            "No such file or directory",
        ),
        (
            ["--secret-key-names", "SECRET_KEY,1BAD"],
            "flake8-secret-key: --secret-key-names: not an identifier: 1BAD",
        ),
    ],
)
def test_bad_option_is_a_one_line_error(tmp_path: Path, args: list[str], expected: str) -> None:
    write(tmp_path / "app.py", 'SECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"\n')
    proc = run_flake8(tmp_path, *args, "app.py")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip() == expected


def test_bad_known_keys_file_in_config_is_a_one_line_error(tmp_path: Path) -> None:
    write(tmp_path / "tox.ini", "[flake8]\nsecret-key-known-keys-file = nowhere/keys.txt\n")
    write(tmp_path / "app.py", 'SECRET_KEY = "abc123-Zq8Lx3Vt9Pw2"\n')
    proc = run_flake8(tmp_path, "app.py", isolated=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("flake8-secret-key: --secret-key-known-keys-file: ")
    assert "nowhere/keys.txt" in lines[0]


# --------------------------------------------------------------------------- stdin


def test_stdin_with_display_name(tmp_path: Path) -> None:
    proc = run_flake8(tmp_path, "--stdin-display-name", "app.py", "-", stdin=SAMPLE_APP)
    assert sky(proc) == SAMPLE_DEFAULT
    assert {p for p, *_ in findings(proc)} == {"app.py"}


def test_stdin_display_name_is_only_a_label(tmp_path: Path) -> None:
    # A file of that name exists with other content: the plugin must not reopen it.
    write(tmp_path / "app.py", "x = 1\n")
    proc = run_flake8(tmp_path, "--stdin-display-name", "app.py", "-", stdin=SAMPLE_APP)
    assert sky(proc) == SAMPLE_DEFAULT
    proc = run_flake8(
        tmp_path, "--stdin-display-name", "no/such/dir/app.py", "-", stdin=SAMPLE_APP
    )
    assert sky(proc) == SAMPLE_DEFAULT


@pytest.mark.parametrize(
    "display", ["tests/test_app.py", "test_app.py", "pkg/tests/helpers.py", "conftest.py"]
)
def test_stdin_test_file_is_skipped(tmp_path: Path, display: str) -> None:
    proc = run_flake8(tmp_path, "--stdin-display-name", display, "-", stdin=SAMPLE_APP)
    assert sky(proc) == set()
    proc = run_flake8(
        tmp_path,
        "--secret-key-include-tests",
        "--stdin-display-name",
        display,
        "-",
        stdin=SAMPLE_APP,
    )
    assert sky(proc) == SAMPLE_DEFAULT


# --------------------------------------------------------------------------- folders, jobs


def make_project(root: Path) -> set[tuple[str, int, int, str]]:
    """A small project of several files; returns the expected SKY findings."""
    expected: set[tuple[str, int, int, str]] = set()
    for i in range(6):
        write(root / "pkg" / f"mod{i}.py", f'SECRET_KEY = "value-{i}-Zq8Lx3Vt"\nname = "m{i}"\n')
        expected.add((f"./pkg/mod{i}.py", 1, 14, "SKY100"))
    write(root / "pkg" / "__init__.py", "")
    write(root / "pkg" / "config.py", 'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n')
    write(root / "pkg" / "sub" / "app.py", SAMPLE_APP)
    expected |= {("./pkg/sub/app.py", *t) for t in SAMPLE_DEFAULT}
    write(root / "tests" / "test_app.py", 'SECRET_KEY = "fixture"\n')
    write(root / "conftest.py", 'SECRET_KEY = "fixture"\n')
    return expected


def test_folder(tmp_path: Path) -> None:
    expected = make_project(tmp_path)
    proc = run_flake8(tmp_path, "--select", "SKY1", ".")
    assert set(findings(proc)) == expected
    assert len(findings(proc)) == len(expected)


def test_jobs_2_matches_serial(tmp_path: Path) -> None:
    expected = make_project(tmp_path)
    serial = run_flake8(tmp_path, "--jobs", "1", ".")
    parallel = run_flake8(tmp_path, "--jobs", "2", ".")
    assert parallel.returncode == serial.returncode == 1
    assert sorted(findings(parallel)) == sorted(findings(serial))
    assert {f for f in findings(parallel) if f[3].startswith("SKY")} == expected
    assert parallel.stdout.count("SKY") == len(expected)


# --------------------------------------------------------------------------- deep nesting


def chain(n: int) -> str:
    """``n`` literals added; the first makes the value no guessable pattern (SKY100)."""
    return " + ".join(['"Zq8Lx3Vt9Pw2"'] + ['"a"'] * (n - 1))


def test_10000_deep_expression_never_crashes_the_plugin(tmp_path: Path) -> None:
    write(tmp_path / "deep.py", f"SECRET_KEY = {chain(10_000)}\n")
    proc = run_flake8(tmp_path, "--max-line-length", "100000", "deep.py")
    assert proc.returncode == 1
    assert "flake8_secret_key" not in proc.stderr
    assert "flake8-secret-key" not in proc.stderr
    if "Traceback" in proc.stderr:
        # flake8 7 on CPython 3.11: ast.parse itself raises RecursionError inside
        # flake8's build_ast, before any plugin runs (flake8 only catches
        # SyntaxError there). Not ours to fix; make sure it is that.
        assert "in build_ast" in proc.stderr
        assert proc.stderr.rstrip().endswith(
            "RecursionError: maximum recursion depth exceeded during ast construction"
        )
        assert proc.stdout == ""
    else:
        assert [c for *_, c in findings(proc)] == ["E999"]


# flake8 without pyflakes and mccabe, which recurse and fail on a 2,900-deep chain
# that CPython can still parse (our plugin must not fail on it).
WITHOUT_RECURSIVE_PLUGINS = """\
import sys
from flake8.main.cli import main
from flake8.plugins import finder
real = finder.find_plugins
finder.find_plugins = lambda cfg, opts: [
    p for p in real(cfg, opts) if p.entry_point.name not in {"F", "C90"}
]
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("depth", [1_000, 2_900])
def test_deep_expression_that_parses(tmp_path: Path, depth: int) -> None:
    write(tmp_path / "deep.py", f"x = 1\nSECRET_KEY = {chain(depth)}\n")
    argv = ["--isolated", "--select", "SKY,E999", "deep.py"]
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_RECURSIVE_PLUGINS, *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stderr == ""
    assert findings(proc) == [("deep.py", 2, 14, "SKY100")]
