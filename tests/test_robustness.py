"""The engine never raises: generated Python, the whole standard library, hostile input.

Valid Python must always give a list of observations; text that cannot be
analysed must give a one-line ``SourceError``, never a traceback (and never a
``RecursionError``, however deep the expression).
"""

from __future__ import annotations

import ast
import os
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_secret_key.engine import (
    DEFAULT_NAMES,
    Kind,
    Options,
    Source,
    SourceError,
    observe,
    observe_text,
    parse,
    split_lines,
)
from flake8_secret_key.source import decode

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

APPENDED = (
    'SECRET_KEY = "k3y-value"\n',
    'app.secret_key = "k3y-value"\n',
    'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "k3y-value")\n',
)


# --------------------------------------------------------------------------- fuzzing

#: Leaves of generated secret-key expressions: literals, names, environment
#: reads, generated values, unknowns.
LEAVES = (
    '"a"', 'b"b"', 'f"x"', "3", "None", "KEY", "x", "__name__", "os.urandom(8)",
    'os.environ.get("SECRET_KEY")', 'os.environ["SECRET_KEY"]',
)  # fmt: skip


def names_in(tree: ast.AST) -> frozenset[str]:
    """Every identifier of a tree: configured as setting names, every store is a setting."""
    found: set[str] = set(DEFAULT_NAMES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, (ast.keyword, ast.arg)) and node.arg:
            found.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.isidentifier():
                found.add(node.value)
    return frozenset(found)


def check_engine(source: str) -> None:
    """Run the engine on ``source`` and on it with settings appended; must not raise."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # not valid Python for this interpreter: nothing to promise
    lines = split_lines(source)
    before = ast.dump(tree, include_attributes=True)
    for options in (Options(), Options(names=names_in(tree))):
        found = observe(tree, options, lines)
        assert all(o.line >= 1 and o.col >= 0 for o in found)
    assert ast.dump(tree, include_attributes=True) == before, "the tree was mutated"
    for extra in APPENDED:
        text = source if source.endswith("\n") or not source else source + "\n"
        text += "import os\n" + extra
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue  # e.g. the source ends inside a continuation
        found = observe(tree, Options(names=names_in(tree)), split_lines(text))
        last = len(split_lines(text))
        assert any(o.line == last and o.name in {"SECRET_KEY", "secret_key"} for o in found)
        observe_text(text)  # the text entry point, with its prefilter


@FUZZ
@given(source=hypothesmith.from_grammar())
def test_engine_never_raises_on_grammar_generated_source(source: str) -> None:
    check_engine(source)


@settings(FUZZ, max_examples=60)  # libcst code generation is much slower
@given(source=hypothesmith.from_node())
def test_engine_never_raises_on_node_generated_source(source: str) -> None:
    check_engine(source)


@FUZZ
@given(
    value=st.recursive(
        st.sampled_from(LEAVES),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from([" + ", " * ", " % ", " or ", " and "]), inner).map(
                lambda t: f"({t[0]}{t[1]}{t[2]})"
            ),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
            inner.map(lambda v: f"str({v})"),
            inner.map(lambda v: f"({v}).encode()"),
            inner.map(lambda v: f"hashlib.sha256({v}).hexdigest()"),
            inner.map(lambda v: f'"".join([{v}, {v}])'),
            inner.map(lambda v: f'os.environ.get("SECRET_KEY", {v})'),
            inner.map(lambda v: f"[{v}, {v}]"),
        ),
        max_leaves=12,
    )
)
def test_engine_never_raises_on_secret_key_expressions(value: str) -> None:
    source = f'import os\nimport hashlib\nKEY = "k"\napp.secret_key = {value}\n'
    found = observe(ast.parse(source), Options(), split_lines(source))
    assert [o.line for o in found if o.kind is Kind.ATTRIBUTE] == [4]


# --------------------------------------------------------------------------- the stdlib


def stdlib_files() -> Iterator[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in {"site-packages", "dist-packages"})
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(folder, name)


#: The default names plus common ones, so the sweep exercises value analysis on
#: thousands of real assignments, calls, keywords and defaults (the standard
#: library sets no secret key under the default names). One walk per file keeps
#: the sweep under a minute.
COMMON = "key name value data default path result text line s x msg args kwargs mode"
WIDE = Options(names=frozenset({*DEFAULT_NAMES, *COMMON.split()}))


@pytest.mark.slow
def test_engine_never_raises_on_the_standard_library() -> None:
    checked = observed = 0
    for path in stdlib_files():
        try:
            text = decode(path.read_bytes()).text
            tree = ast.parse(text, filename=str(path))
        except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # the test suite's deliberately broken files, Python 2 samples
        found = observe(tree, WIDE, split_lines(text))
        assert not [o for o in found if o.name in DEFAULT_NAMES], path
        observed += len(found)
        checked += 1
    assert checked > 1_000, "the standard library was not found"
    # Since issue 16 a lowercase name is a setting only as an attribute (or a pydantic
    # field, or a library's keyword): about a thousand observations, not thousands.
    assert observed > 500


# --------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('SECRET_KEY = "a"\ndef (:\n', "syntax error at line 2"),
        ('SECRET_KEY = "a\n', "syntax error at line 1"),
        ("SECRET_KEY = (\n", "syntax error at line 1"),
        ('SECRET_KEY = "a"\n\tif x:\n', "syntax error at line 2"),
        ('SECRET_KEY = "a"\x00\n', "null bytes"),
        ('SECRET_KEY = "\x00"\n', "null bytes"),
    ],
)
def test_bad_text_is_a_one_line_source_error(text: str, reason: str) -> None:
    with pytest.raises(SourceError) as info:
        observe_text(text)
    message = str(info.value)
    assert reason in message
    assert "\n" not in message
    with pytest.raises(SourceError):
        parse(text)


def test_bad_text_without_a_setting_name_is_not_parsed() -> None:
    assert observe_text("def (:\n\x00") == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"# -*- coding: no-such-codec -*-\nSECRET_KEY = 'a'\n", "cannot read the encoding"),
        (b"\xef\xbb\xbf# coding: latin-1\nSECRET_KEY = 'a'\n", "cannot read the encoding"),
        (b"SECRET_KEY = '\xff\xfe'\n", "not valid utf-8: invalid start byte"),
        (b"x = 1\ny = 2\nSECRET_KEY = '\xff\xfe'\n", "not valid utf-8"),
        (b"# coding: ascii\nSECRET_KEY = '\xe9'\n", "not valid ascii"),
    ],
)
def test_bad_encoding_is_a_one_line_source_error(data: bytes, reason: str) -> None:
    with pytest.raises(SourceError) as info:
        decode(data)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_declared_encoding_and_bom_decode() -> None:
    latin = decode(b"# coding: latin-1\nx = '\xe9'; SECRET_KEY = 'abc-Zq8Lx3Vt9Pw2'\n")
    assert latin.encoding in {"latin-1", "iso-8859-1"}
    found = observe_text(latin.text)
    # x = 'é'; is 9 characters (10 bytes in UTF-8): the column counts characters.
    assert [(o.line, o.col, o.source) for o in found] == [(2, 22, Source.LITERAL)]
    bom = decode(b"\xef\xbb\xbfSECRET_KEY = 'abc-Zq8Lx3Vt9Pw2'\r\n")
    assert bom.bom and bom.newline == "\r\n"
    assert [(o.line, o.col) for o in observe_text(bom.text)] == [(1, 13)]


def test_huge_string_literal() -> None:
    # One character repeated is guessable however long (published: SKY101); a literal's
    # text is judged uncapped, in linear time.
    text = 'SECRET_KEY = "' + "k" * 5_000_000 + '"\n'
    found = observe_text(text)
    assert [(o.line, o.col, o.end_col, o.source) for o in found] == [
        (1, 13, 5_000_015, Source.PUBLISHED)
    ]
    key = "".join(f"{i:x}Qz" for i in range(250_000))  # no pattern: hardcoded
    found = observe_text(f'SECRET_KEY = "{key}"\n')
    assert [(o.col, o.end_col, o.source) for o in found] == [(13, 15 + len(key), Source.LITERAL)]


@pytest.mark.parametrize(
    "expr",
    [
        '"k" * 1_000_000_000',
        'b"k" * 1_000_000_000 + b"x"',
        '"%s" % ("k" * 100_000_000)',
        '("k" * 100_000_000).encode()',
        '"k" * 10_000 * 10_000 * 10_000',
    ],
)
def test_huge_computed_value_is_not_built(expr: str) -> None:
    start = time.perf_counter()
    found = observe_text(f"SECRET_KEY = {expr}\n")
    assert [(o.line, o.col, o.source) for o in found] == [(1, 13, Source.LITERAL)]
    assert time.perf_counter() - start < 5  # a built value would take far longer


def test_many_settings_on_one_line() -> None:
    text = "; ".join(f'app{i}.secret_key = "v{i}"' for i in range(2_000)) + "\n"
    found = observe_text(text)
    assert len(found) == 2_000
    assert found[1].col == text.index('"v1"')


# --------------------------------------------------------------------------- deep trees

DEPTH = 10_000
N = TypeVar("N", bound=ast.AST)


def located(node: N, line: int = 1) -> N:
    """Give a node a location (``ast.fix_missing_locations`` itself recurses)."""
    for field, value in (("lineno", line), ("col_offset", 13), ("end_lineno", line),
                         ("end_col_offset", 14)):  # fmt: skip
        setattr(node, field, value)
    return node


def deep_binop(lean: str, line: int) -> ast.expr:
    expr: ast.expr = located(ast.Constant("a"), line)
    for _ in range(DEPTH):
        leaf = located(ast.Constant("a"), line)
        pair = (expr, leaf) if lean == "left" else (leaf, expr)
        expr = located(ast.BinOp(left=pair[0], op=ast.Add(), right=pair[1]), line)
    return expr


def deep_call(line: int) -> ast.expr:
    expr: ast.expr = located(ast.Constant("a"), line)
    for _ in range(DEPTH):
        func = located(ast.Name("str", ast.Load()), line)
        expr = located(ast.Call(func=func, args=[expr], keywords=[]), line)
    return expr


def deep_either(line: int) -> ast.expr:
    expr: ast.expr = located(ast.Constant("a"), line)
    for _ in range(DEPTH):
        test = located(ast.Name("x", ast.Load()), line)
        if_exp = ast.IfExp(test=test, body=expr, orelse=located(ast.Constant("b"), line))
        expr = located(ast.BoolOp(op=ast.Or(), values=[located(if_exp, line), test]), line)
    return expr


def deep_attribute() -> ast.expr:
    expr: ast.expr = located(ast.Name("app", ast.Load()))
    for _ in range(DEPTH):
        expr = located(ast.Attribute(value=expr, attr="a", ctx=ast.Load()))
    return expr


def module(*body: ast.stmt) -> ast.Module:
    return ast.Module(body=list(body), type_ignores=[])


def settings_of(build: Callable[[int], ast.expr]) -> list[ast.stmt]:
    """Line 1: ``SECRET_KEY = value``; line 2: ``app.secret_key = value``."""
    name = located(ast.Name("SECRET_KEY", ast.Store()))
    app = located(ast.Name("app", ast.Load()), 2)
    attr = located(ast.Attribute(value=app, attr="secret_key", ctx=ast.Store()), 2)
    return [
        located(ast.Assign(targets=[name], value=build(1))),
        located(ast.Assign(targets=[attr], value=build(2)), 2),
    ]


def test_deep_left_leaning_binop() -> None:
    found = observe(module(*settings_of(lambda line: deep_binop("left", line))))
    assert [(o.line, o.col, o.kind, o.source) for o in found] == [
        (1, 13, Kind.NAME, Source.LITERAL),
        (2, 13, Kind.ATTRIBUTE, Source.LITERAL),
    ]


@pytest.mark.parametrize("build", [lambda line: deep_binop("right", line), deep_call, deep_either])
def test_deep_expressions_do_not_raise(build: Callable[[int], ast.expr]) -> None:
    found = observe(module(*settings_of(build)))
    # Depth-bounded analysis may give up (unknown) but must still see both settings.
    assert [(o.line, o.col, o.kind) for o in found] == [
        (1, 13, Kind.NAME),
        (2, 13, Kind.ATTRIBUTE),
    ]
    assert all(o.source in {Source.LITERAL, Source.UNKNOWN} for o in found)


def test_deep_attribute_target() -> None:
    target = located(ast.Attribute(value=deep_attribute(), attr="secret_key", ctx=ast.Store()))
    stmt = located(ast.Assign(targets=[target], value=located(ast.Constant("abc-Zq8Lx3Vt9Pw2"))))
    found = observe(module(stmt))
    assert [(o.line, o.col, o.source) for o in found] == [(1, 13, Source.LITERAL)]
    assert len(found[0].target) < 200


def test_deep_statement_nesting() -> None:
    body: list[ast.stmt] = settings_of(lambda line: located(ast.Constant("abc-Zq8Lx3Vt9"), line))
    for _ in range(DEPTH):
        test = located(ast.Name("x", ast.Load()))
        statement = located(ast.If(test=test, body=body, orelse=[]))
        statement.end_lineno = 2
        body = [statement]
    found = observe(module(*body))
    assert [(o.line, o.kind, o.source) for o in found] == [
        (1, Kind.NAME, Source.LITERAL),
        (2, Kind.ATTRIBUTE, Source.LITERAL),
    ]


def test_long_chain_of_names() -> None:
    text = 'K0 = "abc"\n' + "".join(f"K{i + 1} = K{i}\n" for i in range(DEPTH))
    text += f"SECRET_KEY = K{DEPTH}\n"
    found = observe_text(text)
    assert [(o.line, o.col) for o in found] == [(DEPTH + 2, 13)]


def test_parsed_deep_expression_within_the_parser_limit() -> None:
    # CPython 3.11 refuses to build an ast deeper than ~3 x the recursion limit,
    # minus the stack already in use (pytest's): stay well below.
    depth = 2_500
    text = "SECRET_KEY = " + " + ".join(['"Zq8Lx3Vt9Pw2"'] + ['"a"'] * (depth - 1)) + "\n"
    found = observe_text(text)
    assert [(o.line, o.col, o.source) for o in found] == [(1, 13, Source.LITERAL)]


def test_parser_limit_is_a_source_error() -> None:
    text = "SECRET_KEY = " + " + ".join(['"a"'] * DEPTH) + "\n"
    limit = sys.getrecursionlimit()
    try:
        found = observe_text(text)
    except SourceError as exc:
        assert "too deeply nested" in str(exc)
    else:  # a parser that accepts it: the engine still copes
        assert [(o.line, o.col) for o in found] == [(1, 13)]
    assert sys.getrecursionlimit() == limit


def test_braces_in_a_receiver_are_text_not_a_template() -> None:
    # The fix was once built with str.format: a subscript key with braces raised
    # KeyError, which aborts a flake8 run.
    found = observe_text('cfg["{x}"].secret_key = "k3y-value"\ncfg["{}"].secret_key = "v"\n')
    assert [(o.target, o.fix) for o in found] == [
        ('cfg["{x}"].secret_key', 'cfg["{x}"].secret_key = os.environ["SECRET_KEY"]'),
        ('cfg["{}"].secret_key', 'cfg["{}"].secret_key = os.environ["SECRET_KEY"]'),
    ]
