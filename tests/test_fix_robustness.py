"""``fix`` on code nobody wrote for it: generated modules and the standard library.

Two promises are checked on every file: a file without a finding comes back
byte for byte, and a file that changed still compiles, with only the rewritten
line and the added ``import os`` differing; a file LibCST does not print back
exactly is refused with a one-line error instead. Everything runs in memory (the
standard library is read, never written), which is what a copy would give.
"""

from __future__ import annotations

import difflib
import os
import sysconfig
import warnings
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_secret_key.engine import SourceError, observe_text, split_lines
from flake8_secret_key.engine.observer import count_over
from flake8_secret_key.fix import FIX_MAX_TOKENS, FIXABLE, FixResult, fix_text
from flake8_secret_key.rules import code_for
from flake8_secret_key.source import decode

hypothesmith = pytest.importorskip("hypothesmith")

INJECTED = 'app.secret_key = "dev-injected-key"\n'
#: Other settings injected into generated modules (each is rewritten to a read).
VARIANTS = (
    INJECTED,
    'SECRET_KEY = os.environ.get("SECRET_KEY", "dev-injected-key")\n',
    'app.config.from_mapping(SECRET_KEY="dev-injected-key", DEBUG=True)\n',
)
#: Every how many standard-library files one gets a key injected (LibCST is slow).
INJECT_EVERY = 40


def has_finding(text: str) -> bool:
    return any(code_for(o) in FIXABLE for o in observe_text(text))


def compiles(text: str) -> bool:
    with warnings.catch_warnings():  # SyntaxWarning ("is" with a literal...) is not our business
        warnings.simplefilter("ignore")
        try:
            compile(text, "<generated>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


def inject(text: str, line: str = INJECTED) -> str:
    if text and not text.endswith(("\n", "\r")):
        text += "\n"
    return text + line


def check_injected(original: str, fixed: str, line: str = INJECTED) -> None:
    """Only the injected line and an ``import os`` line differ, and it compiles."""
    assert compiles(fixed)
    assert 'os.environ["SECRET_KEY"]' in fixed or '.environ["SECRET_KEY"]' in fixed
    before, after = split_lines(original), split_lines(fixed)
    removed: list[str] = []
    added: list[str] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += before[i1:i2]
            added += after[j1:j2]
    assert removed == [line]
    assert len(added) <= 2
    assert all(a.strip() == "import os" or "environ[" in a for a in added)


def fix_or_refuse(text: str) -> FixResult | None:
    """``fix_text``, or None when it refuses: LibCST does not print ``text`` back, too
    deep, or over fix's token budget."""
    try:
        return fix_text(text)
    except SourceError as exc:
        if str(exc).startswith("too big for fix to rewrite"):
            assert count_over(text, FIX_MAX_TOKENS)
            return None
        assert str(exc).startswith("LibCST cannot rewrite this file"), exc
        if "exactly" in str(exc):
            assert cst.parse_module(text).code != text
        return None


def check_file(text: str) -> None:
    try:
        found = has_finding(text)
    except SourceError:
        return
    result = fix_or_refuse(text)
    if result is None:
        return
    if not found:
        assert result.text == text
        assert not result.fixed
    elif result.changed:
        assert compiles(result.text)


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    source=hypothesmith.from_grammar(),
    line=st.one_of(st.none(), st.sampled_from(VARIANTS)),
)
def test_generated_modules(source: str, line: str | None) -> None:
    if not compiles(source):
        return  # hypothesmith follows the grammar, not every rule of the compiler
    check_file(source)
    if line is not None:
        text = inject(source, line)
        if not compiles(text) or not has_finding(text):
            return
        result = fix_or_refuse(text)
        if result is None:
            return
        if result.changed:
            check_injected(text, result.text, line)
        else:  # e.g. the generated module binds os to something else
            assert result.text == text and result.left


def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = {"site-packages", "dist-packages", "__pycache__"}
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        files += [Path(folder, n) for n in sorted(names) if n.endswith(".py")]
    return files


@pytest.mark.slow
def test_standard_library() -> None:
    files = stdlib_files()
    assert len(files) > 500
    checked = injected = 0
    for i, path in enumerate(files):
        try:
            text = decode(path.read_bytes()).text
        except (OSError, SourceError):
            continue
        check_file(text)
        checked += 1
        if i % INJECT_EVERY == 0 and compiles(text) and not has_finding(text):
            fixed = fix_or_refuse(inject(text))
            if fixed is None:  # e.g. webbrowser.py's "except ValueError :"
                continue
            assert fixed.changed, path
            check_injected(inject(text), fixed.text)
            injected += 1
    assert checked > 500, checked
    assert injected > 20, injected
