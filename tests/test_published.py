"""SKY101: published keys (documented, flask-unsign's wordlist) and guessable keys.

Published keys may be named here: they are public, which is the point of SKY101.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_secret_key import wordlist
from flake8_secret_key.cli import main
from flake8_secret_key.engine import Source, observe_text
from flake8_secret_key.engine.nodes import MAX_VALUE
from flake8_secret_key.guessable import why_guessable
from flake8_secret_key.known_keys import BUILTIN, GUESSABLE, WORDLIST, KnownKeys
from flake8_secret_key.rules import code_for, message

RANDOM = "kR9vT2xW8qLmN4pZ7sYb3cHd6fJg1kVn"  # generated for these tests, published nowhere


def only(src: str) -> tuple[str | None, str | None]:
    """(code, published) of the one observation of ``src``."""
    (obs,) = observe_text(textwrap.dedent(src))
    return code_for(obs), obs.published


# --------------------------------------------------------------------- documented keys

DOCUMENTED = [
    ("'pf9Wkove4IKEAXvy-cQkeDPhv9Cb3Ag-wyJILbq_dFw'", "Flask-Security"),
    ("'146585145368132386173505678016728509634'", "Flask-Security"),
    (repr("\2\1thisismyscretkey\1\2\\e\\y\\y\\h"), "Flask-AppBuilder"),
    ("'thisismyscretkey'", "Flask-AppBuilder"),
    ("'super secret string'", "Flask-Login"),
    ("'secret'", "Flask-WTF"),
    ("'secret!'", "Flask-SocketIO"),
    ("'super-secret'", "Flask-JWT-Extended"),
    ("'43n080musdfjt54t-09sdgr'", "Starlette"),
    ("'98n349$%8b8-7yjn0n8y93T$23r'", "Starlette"),
    ("'5791628bb0b13ce0c676dfde280ba245'", "Corey Schafer"),
    ("'not-so-secret'", "cookiecutter-flask"),
    ("'dev'", "the Flask tutorial"),
    ("'you-will-never-guess'", "Mega-Tutorial"),
    ("'django-insecure-" + RANDOM + "'", "Django"),
    ("b'_5#y2L\"F4Q8z\\n\\xec]/'", "Flask documentation"),
]


@pytest.mark.parametrize(("value", "source"), DOCUMENTED)
def test_documented_keys_name_their_source(value: str, source: str) -> None:
    code, published = only(f"app.secret_key = {value}")
    assert code == "SKY101" and published is not None and source in published


# --------------------------------------------------------------------- the wordlist

LINES = [  # one line of each quoting style flask-unsign reads
    (b"'single quoted'\n", "single quoted"),
    (b'"double quoted"\n', "double quoted"),
    (b"'esc\\x41ped\\n'\n", "escAped\n"),
    (b"b'bytes \\xec'\n", b"bytes \xec"),
    (b"  plain text, no quotes  \n", "plain text, no quotes"),
    (b"'unterminated\n", "'unterminated"),
    (b"\xff\xfe not utf-8 \n", b"\xff\xfe not utf-8"),
    (b"12345\n", None),  # literal_eval gives an int: flask-unsign refuses it, no key
    (b"['a list']\n", None),
    (b"{[]: 1}\n", None),  # TypeError in literal_eval: no key, no crash
]


@pytest.mark.parametrize(("line", "value"), LINES)
def test_lines_are_read_as_flask_unsign_reads_them(line: bytes, value: object) -> None:
    assert wordlist.parse_line(line) == value


def installed_entries() -> list[str | bytes]:
    found = wordlist.installed()
    assert found is not None, "flask-unsign-wordlist is a dependency"
    return list(wordlist.entries(found[0]))


def test_a_sample_of_each_quoting_style_is_sky101() -> None:
    path = wordlist.installed()
    assert path is not None
    with open(path[0], "rb") as handle:
        lines = handle.read().splitlines()
    samples = {
        "single": next(x for x in lines if x.startswith(b"'") and b"\\" not in x),
        "double": next(x for x in lines if x.startswith(b'"') and b"\\" not in x),
        "escapes": next(x for x in lines if b"\\n" in x and len(x) < 200),
        "quote inside": next(x for x in lines if x.startswith(b'"') and b"'" in x[1:-1]),
        "separators only": next(x for x in lines if x.strip(b"'\" -_") == b"" and len(x) > 4),
    }
    for style, line in samples.items():
        value = wordlist.parse_line(line)
        assert value, style
        src = f"app.secret_key = {value!r}\n"
        assert only(src)[0] == "SKY101", style


@pytest.mark.slow
def test_every_wordlist_entry_is_sky101() -> None:
    """Every non-empty entry, written as ``app.secret_key = <entry>``, through the
    engine (in files of 2,000 settings: one parse each), the longest too (2024.1 holds
    a page of docs and two PGP blocks, longer than a computed value may grow)."""
    keys = [k for k in installed_entries() if k]
    assert any(len(k) > MAX_VALUE for k in keys)
    missed = []
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        text = "".join(f"app.secret_key = {k!r}\n" for k in chunk)
        found = {o.line: o.source for o in observe_text(text)}
        missed += [k for i, k in enumerate(chunk, 1) if found.get(i) is not Source.PUBLISHED]
    assert missed == []


def test_the_shipped_table_is_the_installed_list() -> None:
    found = wordlist.installed()
    assert found is not None
    with open(wordlist.DATA, "rb") as handle:
        table, version, size = wordlist.decode(handle.read())
    if (version, size) != found[1:]:
        pytest.skip("another release of the list is installed (it is read in full)")
    assert table == wordlist.build(wordlist.entries(found[0]))


def test_a_damaged_table_is_no_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "wordlist.bin"
    bad.write_bytes(wordlist.MAGIC + b"2024.01 1 3\n\x00\x01")
    monkeypatch.setattr(wordlist, "DATA", str(bad))
    wordlist.load.cache_clear()
    try:
        assert "secretkey" in wordlist.load()  # the installed list, read in full
    finally:
        wordlist.load.cache_clear()


# --------------------------------------------------------------------- guessable keys

GUESSABLE_KEYS = [
    ("<INSERT_RANDOM_STRING_HERE>", "placeholder"),
    ("<your secret key>", "placeholder"),
    ("your_jwt_secret_key", "placeholder"),
    ("YOUR-SECRET-KEY-GOES-HERE", "placeholder"),
    ("please change me " + RANDOM, "placeholder"),
    ("CHANGE_THIS_" + RANDOM, "placeholder"),
    ("replace-me-" + RANDOM, "placeholder"),
    ("UNSAFE_DEFAULT_" + RANDOM, "placeholder"),
    ("sk-xxxx-" + RANDOM, "placeholder"),
    ("k" * 32, "one character repeated"),
    (" " * 12, "one character repeated"),
    ("abcabcabcabcabcabc", "pattern repeated"),
    ("12341234123412341234", "pattern repeated"),
    ("123456789012345678901234", "consecutive"),
    ("zyxwvutsrqponm", "consecutive"),
    ("987654321098", "consecutive"),
    ("20240917", "8 digits"),
    ("314159265358979", "15 digits"),
    ("qmzvtrkalw", "10 characters"),
    ("Xk9mQ2p7", "8 characters"),
    ("r!8#Kq)", "7 characters"),
]


@pytest.mark.parametrize(("key", "why"), GUESSABLE_KEYS)
def test_guessable_shapes(key: str, why: str) -> None:
    reason = why_guessable(key)
    assert reason is not None and why in reason
    source = KnownKeys().source_of(key)
    assert source is not None
    if source.startswith(GUESSABLE):  # else it is also in the wordlist: published
        assert why in source


def test_the_message_says_guessable_and_why() -> None:
    (obs,) = observe_text("K = 'Xq9z'\napp.secret_key = K + 'Tb7w'\n")
    text = message(obs)
    assert text is not None and "guessable (only 8 characters" in text
    assert "recover it from one session cookie" in text and "Xq9z" not in text


def test_the_message_names_the_wordlist() -> None:
    (obs,) = observe_text("app.secret_key = 'dev key'\n")
    text = message(obs)
    assert text is not None and obs.published == WORDLIST
    assert "is in flask-unsign's public wordlist (keys collected from public code)" in text


# --------------------------------------------------------------------- must not fire

NOT_GUESSABLE = [
    RANDOM,
    "Xq7#pL2m",  # 8 printable characters: 95**8 > 2**50
    "9f8e3c1a7b6d4e2f0a9c8b7d6e5f4a3b",  # a token_hex(16)
    "1465851453681904732615",  # 22 digits
    "qmzvtrkalwp",  # 11 lowercase letters
    "exchange-meeting-" + RANDOM,  # "change me" inside words
    "todolist-" + RANDOM,
    "xxxkR9vT2xW8qLmN4pZ7",  # x's inside a word
    "youR9vT2xW8qLmN4pZ7sYkey-but-more",
    "<" + RANDOM,
]


@pytest.mark.parametrize("key", NOT_GUESSABLE)
def test_not_guessable(key: str) -> None:
    assert why_guessable(key) is None


MUST_NOT_FIRE_AS_SKY101 = [
    f"app.secret_key = '{RANDOM}'",
    "app.secret_key = 'my-dev-key-kR9vT2xW8qLmN4pZ'",  # holds "dev", a published key
    "app.secret_key = 'secret-kR9vT2xW8qLmN4pZ7sYb'",  # holds "secret"
    "app.secret_key = 'flask-unsign-kR9vT2xW8qLmN4'",
]


@pytest.mark.parametrize("src", MUST_NOT_FIRE_AS_SKY101)
def test_long_random_keys_and_published_words_are_sky100(src: str) -> None:
    assert only(src) == ("SKY100", None)


NO_FINDING = [
    "# app.secret_key = 'dev key'\n",  # a comment
    "if app.secret_key == 'dev key':\n    raise SystemExit('set SECRET_KEY')\n",  # a read
    "x = app.config['SECRET_KEY'] or 'dev key'\n",  # a read, not a store
    "print('SECRET_KEY', 'secret key')\n",  # strings
    "'''app.secret_key = \"dev key\"'''\n",  # a docstring
]


@pytest.mark.parametrize("src", NO_FINDING)
def test_a_wordlist_entry_that_is_no_setting_gives_no_finding(src: str) -> None:
    assert observe_text(src) == []


def test_the_known_keys_file_still_adds_a_course_key() -> None:
    keys = KnownKeys(["course-" + RANDOM])
    assert keys.source_of("Course_" + RANDOM) == "your known-keys file"
    assert BUILTIN.source_of("course-" + RANDOM) is None


# --------------------------------------------------------------------- cost and fix


def test_the_editor_path_never_loads_the_wordlist() -> None:
    """flake8's import of the plugin, and a file without a hardcoded key."""
    code = textwrap.dedent(
        """\
        import ast, sys
        from flake8_secret_key.checker import SecretKeyChecker
        src = "import os\\napp.secret_key = os.environ['SECRET_KEY']\\n"
        lines = src.splitlines(True)
        list(SecretKeyChecker(tree=ast.parse(src), filename="app.py", lines=lines).run())
        print("flake8_secret_key.wordlist" in sys.modules)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stderr


def test_fix_never_keeps_a_published_or_guessable_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app.py"
    app.write_text("app.secret_key = 'dev key'\nJWT_SECRET_KEY = 'qmzvtrkal'\n")
    env = tmp_path / ".env"
    assert main(["fix", "--env-file", str(env), "--keep-key", str(app)]) == 1
    values = dict(line.split("=", 1) for line in env.read_text().splitlines())
    assert set(values) == {"SECRET_KEY", "JWT_SECRET_KEY"}
    assert all(len(v) == 64 for v in values.values())
    out = capsys.readouterr().out
    assert "never kept" in out and "dev key" not in out and "qmzvtrkal" not in out


def test_a_literal_longer_than_a_computed_value_is_still_judged() -> None:
    # A literal's text is not capped (the wordlist holds pages of docs): a long key
    # is compared, and a long random one stays SKY100, judged in linear time.
    long_key = "".join(f"{i:x}Qz" for i in range(40_000))  # ~190 KB, not a pattern
    assert len(long_key) > MAX_VALUE
    assert only(f"app.secret_key = {long_key!r}\n") == ("SKY100", None)
    code, published = only(f"app.secret_key = {'<' + long_key + '>'!r}\n")
    assert code == "SKY101" and published is not None and "guessable" in published


@pytest.mark.parametrize("same_size", [True, False])
def test_the_list_beside_us_is_recognised_by_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, same_size: bool
) -> None:
    # One stat saves importing flask_unsign_wordlist on every editor check; a list of
    # another size there (another release) is asked about, and read if it differs.
    with open(wordlist.DATA, "rb") as handle:
        _, _, size = wordlist.decode(handle.read())
    beside = tmp_path / "all.txt"
    beside.write_bytes(b"x" * (size if same_size else size + 1))
    asked: list[int] = []
    real = wordlist.installed
    monkeypatch.setattr(wordlist, "_BESIDE_US", str(beside))
    monkeypatch.setattr(wordlist, "installed", lambda: asked.append(1) or real())
    wordlist.load.cache_clear()
    try:
        table = wordlist.load()
        assert any(form in table for form in wordlist.forms("dev key"))
    finally:
        wordlist.load.cache_clear()
    assert asked == ([] if same_size else [1])


def test_the_table_is_a_view_of_the_file_bytes() -> None:
    with open(wordlist.DATA, "rb") as handle:
        data = handle.read()
    table, _, _ = wordlist.decode(data)
    assert len(table) > 40_000
    assert list(table) == sorted(table)
    with pytest.raises(ValueError, match="truncated"):
        wordlist.decode(data[:-3])
