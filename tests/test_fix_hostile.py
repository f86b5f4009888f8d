"""``fix`` on hostile input (issue 13, items 7-9): it writes what it promises or nothing.

7. A file LibCST does not print back byte for byte (a form feed before a
   statement, ``except ValueError :``) is an error, never a rewrite; and the
   new text may differ from the old one only in the rewritten ranges (and the
   added ``import os`` line).
8. A statement too deep for LibCST's recursive walks is a one-line error for
   that file; the other files are still fixed.
(Item 9, files that cannot be written, is in ``test_fix_writes.py``.)
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from fixfiles import APP, APP_FIXED, fix_cli, stdin, write

from flake8_secret_key import fix, fix_imports
from flake8_secret_key.engine import SourceError, Span, observe_text
from flake8_secret_key.fix import fix_text
from flake8_secret_key.fix_verify import Edit, check_only_edits, check_round_trip

KEY = 'SECRET_KEY = "hunter2-abc"\n'
KEY_FIXED = 'SECRET_KEY = os.environ["SECRET_KEY"]\n'


# --------------------------------------------------------------------------- 7. round trip

#: Python accepts these, LibCST prints them back changed (each with the line it changes).
NOT_ROUND_TRIPPED = [
    pytest.param("x = 1\n\x0cclass C:\n    pass\n" + KEY, 2, id="form-feed-before-class"),
    pytest.param("x = 1\n\x0c" + KEY, 2, id="form-feed-on-the-key-line"),
    pytest.param(
        "try:\n    pass\nexcept ValueError :\n    pass\n" + KEY, 3, id="space-before-colon"
    ),
    pytest.param(
        "try:\n    pass\nexcept (A, B)\t:\n    pass\n" + KEY, 3, id="tab-before-colon-tuple"
    ),
    pytest.param("def f():\n    x = 1\n    \x0creturn x\n" + KEY, 3, id="form-feed-indented"),
    pytest.param("x = 1\n\x0c\x0cy = 2\n" + KEY, 2, id="two-form-feeds"),
    pytest.param("@dec\n\x0cdef f(): pass\n" + KEY, 2, id="form-feed-after-decorator"),
    pytest.param("if x:\n    y = 1\n\x0celse:\n    y = 2\n" + KEY, 3, id="form-feed-before-else"),
    pytest.param("x = 1\r\n\x0c" + KEY.replace("\n", "\r\n"), 2, id="form-feed-crlf"),
]


@pytest.mark.parametrize(("source", "line"), NOT_ROUND_TRIPPED)
def test_text_libcst_does_not_print_back_is_an_error(source: str, line: int) -> None:
    assert observe_text(source), "the engine must see the key"
    with pytest.raises(SourceError) as caught:
        fix_text(source)
    message = str(caught.value)
    assert message.startswith("LibCST cannot rewrite this file exactly")
    assert f"line {line} " in message and "\n" not in message and "hunter2" not in message


#: Whitespace LibCST does keep: these are still fixed, with only the key's line changed.
ROUND_TRIPPED = [
    pytest.param("x = 1\n\x0c\n" + KEY, id="form-feed-alone-on-a-line"),
    pytest.param("x = 1\n\x0c# comment\n" + KEY, id="form-feed-before-comment"),
    pytest.param("x = 1\x0c\n" + KEY, id="form-feed-at-end-of-line"),
    pytest.param("try:\n    pass\nexcept :\n    pass\n" + KEY, id="bare-except-space"),
    pytest.param(
        "try:\n    pass\nexcept ValueError as e :\n    pass\n" + KEY, id="except-as-space"
    ),
    pytest.param("class A :\n    pass\n" + KEY, id="class-space-colon"),
    pytest.param("x = [1,\n\x0c 2]\n" + KEY, id="form-feed-inside-brackets"),
]


@pytest.mark.parametrize("source", ROUND_TRIPPED)
def test_whitespace_libcst_keeps_is_fixed_byte_for_byte(source: str) -> None:
    result = fix_text("import os\n" + source)
    assert result.text == "import os\n" + source.replace(KEY, KEY_FIXED)


def test_cli_round_trip_failure_is_status_2_and_others_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write(tmp_path / "feed.py", b'x = 1\n\x0cSECRET_KEY = "hunter2-abc"\n')
    spaced = write(
        tmp_path / "spaced.py", b"try:\n    pass\nexcept ValueError :\n    pass\n" + APP
    )
    app = write(tmp_path / "app.py", APP)
    assert fix_cli(tmp_path) == 3
    assert feed.read_bytes() == b'x = 1\n\x0cSECRET_KEY = "hunter2-abc"\n'
    assert spaced.read_bytes() == b"try:\n    pass\nexcept ValueError :\n    pass\n" + APP
    assert app.read_bytes() == APP_FIXED
    out, err = capsys.readouterr()
    assert "could not locate" not in out and "feed.py" not in out and "spaced.py" not in out
    assert err.count("\n") == 2
    assert "feed.py: error: LibCST cannot rewrite this file exactly: it would change line 2" in err
    assert "spaced.py: error: LibCST cannot rewrite this file exactly" in err
    assert "Fixed 1 finding in 1 file; 2 files left untouched (errors above)." in out
    # Alone, the form feed on the key's own line is an error too (it was status 0).
    assert fix_cli(feed) == 2


def test_stdin_round_trip_failure_echoes_the_input(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    data = b'x = 1\n\x0cclass C:\n    pass\nSECRET_KEY = "hunter2-abc"\n'
    stdin(monkeypatch, data)
    assert fix_cli("-") == 2
    out, err = capsysbinary.readouterr()
    assert out == data
    assert err.startswith(b"stdin: error: LibCST cannot rewrite this file exactly")


# --------------------------------------------------------------------------- 7. only the edits


def test_check_round_trip_names_the_first_changed_line() -> None:
    check_round_trip("a\nb\n", "a\nb\n")
    with pytest.raises(SourceError, match="change line 3 "):
        check_round_trip("a\nb\nc\n", "a\nb\n\x0cc\n")


def edit(line: int, col: int, end_col: int, old: str, new: str) -> Edit:
    return Edit(Span(line, col, line, end_col), old, new)


ONE_EDIT = [edit(2, 4, 7, '"x"', "env")]


@pytest.mark.parametrize(
    ("new_text", "added"),
    [
        ("a\nk = env\nb\n", None),
        ("import os\na\nk = env\nb\n", "import os\n"),
        ("a\nimport os\nk = env\nb\n", "import os\n"),
        ("a\nk = env\nimport os\nb\n", "import os\n"),
        ("a\r\nimport os\r\nk = env\r\nb\r\n", "import os\r\n"),
    ],
)
def test_only_the_edits_and_the_import_line_pass(new_text: str, added: str | None) -> None:
    text = new_text.replace("import os\r\n", "").replace("import os\n", "")
    text = text.replace("env", '"x"')
    check_only_edits(text, new_text, ONE_EDIT, added)


@pytest.mark.parametrize(
    ("new_text", "added"),
    [
        ("a\nk = env\nb \n", None),  # a space added elsewhere
        ("a\nk = env\n", None),  # a line lost
        ("a\nk = env\nb\n\n", "import os\n"),  # no import, but a blank line
        ("a\nk = env\nbimport os\n\n", "import os\n"),  # the import not at a line start
        ("import os\nimport os\na\nk = env\nb\n", "import os\n"),  # twice
        ("import os\na\nk = env\nb\n", None),  # an import nobody asked for
        ('a\nk = "x"\nb\n', None),  # the edit not made
    ],
)
def test_any_other_change_is_an_error(new_text: str, added: str | None) -> None:
    with pytest.raises(SourceError, match=r"please report"):
        check_only_edits('a\nk = "x"\nb\n', new_text, ONE_EDIT, added)


def test_an_edit_whose_range_does_not_hold_the_old_code_is_an_error() -> None:
    with pytest.raises(SourceError, match="not where LibCST says it is"):
        check_only_edits('a\nk = "y"\nb\n', "a\nk = env\nb\n", ONE_EDIT, None)
    with pytest.raises(SourceError, match="not where LibCST says it is"):
        check_only_edits("a\n", "a\n", [edit(9, 0, 1, "a", "b")], None)


def test_a_slip_in_the_transform_never_reaches_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    real = fix_imports.add_import_os

    def sloppy(module: cst.Module) -> cst.Module:  # also adds a blank line at the end
        return real(module).with_changes(footer=[cst.EmptyLine()])

    monkeypatch.setattr(fix, "add_import_os", sloppy)
    with pytest.raises(SourceError, match="would change more than the keys, near line 3 "):
        fix_text('"""Doc."""\n' + KEY)


def test_parenthesised_and_multiline_values_pass_the_check() -> None:
    source = (
        "import os\r\nfrom decouple import config\r\n"
        'SECRET_KEY = ( "hunter2-abc" )  # c\r\n'
        'JWT_SECRET_KEY = config(\r\n    "JWT_SECRET_KEY",\r\n    default="x",\r\n)\r\n'
    )
    assert fix_text(source).text == (
        "import os\r\nfrom decouple import config\r\n"
        'SECRET_KEY = ( os.environ["SECRET_KEY"] )  # c\r\n'
        'JWT_SECRET_KEY = config(\r\n    "JWT_SECRET_KEY",\r\n)\r\n'
    )


# --------------------------------------------------------------------------- 8. recursion

DEEP = [
    pytest.param("Y = " + " + ".join(["1"] * 1200), id="plus-terms"),
    pytest.param("Y = " + "-" * 900 + "1", id="unary-minus"),
    pytest.param("Y = a" + ".b" * 1000, id="attribute-chain"),
    pytest.param("Y = f" + "()" * 1000, id="call-chain"),
    pytest.param("Y = a" + "[0]" * 1000, id="subscript-chain"),
    pytest.param("Y = " + "lambda: " * 700 + "1", id="lambdas"),
    pytest.param("Y = " + "1 if x else " * 700 + "1", id="conditionals"),
    pytest.param("Y = " + " and ".join(["a"] * 1500), id="and-chain"),
    pytest.param("Y = " + " ** ".join(["2"] * 900), id="power-chain"),
    pytest.param("Y = " + '"a" ' * 3000, id="implicit-concatenation"),
    pytest.param("SECRET_KEY = " + " + ".join(['"k"'] * 1200), id="the-key-itself"),
]


@pytest.mark.parametrize("statement", DEEP)
def test_too_deep_for_libcst_is_one_line(statement: str) -> None:
    text = "import os\n" + KEY + statement + "\n"
    assert observe_text(text), "check handles the file"
    with pytest.raises(SourceError) as caught:
        fix_text(text)
    message = str(caught.value)
    assert message.startswith("LibCST cannot rewrite this file: ")
    assert "recursion limit" in message and "\n" not in message and "hunter2" not in message
    if "concatenation" not in statement and '"a" "a"' not in statement:
        assert "line 3 nests" in message


def test_deep_file_is_an_error_and_the_others_are_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep_source = APP + b"Y = " + b" + ".join([b"1"] * 1200) + b"\n"
    deep = write(tmp_path / "deep.py", deep_source)
    app = write(tmp_path / "app.py", APP)
    other = write(tmp_path / "pkg" / "other.py", APP)
    assert fix_cli(tmp_path) == 3
    assert deep.read_bytes() == deep_source
    assert app.read_bytes() == other.read_bytes() == APP_FIXED
    out, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert "deep.py: error: LibCST cannot rewrite this file: line 4 nests" in err
    assert "RecursionError" not in out + err and "internal error" not in out + err
    assert "Fixed 2 findings in 2 files; 1 file left untouched (errors above)." in out


def test_scope_analysis_recursion_is_not_swallowed() -> None:
    class Wrapper:
        module = cst.Module([])

        def resolve(self, provider: object) -> object:
            raise RecursionError

    names = fix_imports.OsNames(Wrapper(), {}, frozenset({"os"}))  # type: ignore[arg-type]
    with pytest.raises(RecursionError):
        names.free_or_os(cst.Name("x"), "os")


@pytest.mark.parametrize("end", ["\r", ""])
def test_lines_ending_in_cr_alone_are_kept(end: str) -> None:
    # LibCST drops the last \r of such a file; fix must not.
    source = '"""Doc."""\r\rx = """a\rb"""\r' + KEY.replace("\n", end)
    assert fix_text(source).text == (
        '"""Doc."""\r\rimport os\rx = """a\rb"""\r' + KEY_FIXED.replace("\n", end)
    )
    with pytest.raises(SourceError, match="change line 3 "):
        fix_text("x = 1\r\r\x0c" + KEY.replace("\n", "\r"))


# --------------------------------------------------------------------------- 1. output

#: Subscript keys chosen by whoever wrote the code: an escape sequence, a forged line,
#: a right-to-left override. fix quotes the target in each "fixed" line.
HOSTILE_TARGETS = [
    pytest.param('cfg["\\x1b[31mRED\\x1b]0;pwned\\x07"].secret_key', "\x1b", id="ansi"),
    pytest.param('cfg["x\\r\\nfake.py:1:1: SKY100 forged"].secret_key', "\r", id="cr-lf"),
    pytest.param('cfg["y\\u202egnp"].secret_key', "\u202e", id="bidi"),
]


@pytest.mark.parametrize(("target", "raw"), HOSTILE_TARGETS)
@pytest.mark.parametrize("dry", [False, True])
def test_fix_output_shows_no_raw_control_or_bidi_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, raw: str, dry: bool
) -> None:
    source = f'import os\ncfg = {{}}\n{target} = "Xk9fQ2mZp7LwQ1vB"\n'
    app = write(tmp_path / "app.py", source.encode())
    status = fix_cli(app, *(["--check"] if dry else []))
    out, err = capsys.readouterr()
    assert status == 1
    assert ("would fix" if dry else "fixed") in out
    assert raw not in out + err
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert not any(line.startswith("fake.py") for line in out.splitlines())


# --------------------------------------------------------------------------- 6. memory


@pytest.mark.parametrize("filler", ["a\n", "x = [1, 2, 3]\n", "# a comment with words\n"])
def test_a_file_over_fixs_budget_is_left_untouched_and_the_others_fixed(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    filler: str,
) -> None:
    # LibCST's tree costs up to ~8.5 KB a token: fix hands it at most FIX_MAX_TOKENS
    # (a small budget here, to keep the test fast; the real one is measured in fix.py).
    monkeypatch.setattr(fix, "FIX_MAX_TOKENS", 500)
    big = write(tmp_path / "big.py", APP + filler.encode() * 600)
    small = write(tmp_path / "small.py", APP)
    before = big.read_bytes()
    assert fix_cli(big, small) == 3  # a change made, and an error
    out, err = capsys.readouterr()
    assert big.read_bytes() == before
    assert small.read_bytes() == APP_FIXED
    assert err.count("\n") == 1 and "too big for fix to rewrite: more than 500" in err
    assert "fix its keys by hand" in err and "small.py" in out


def test_fixs_budget_is_below_checks() -> None:
    from flake8_secret_key.engine.model import MAX_TOKENS

    assert 0 < fix.FIX_MAX_TOKENS < MAX_TOKENS
