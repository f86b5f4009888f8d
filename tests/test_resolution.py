"""Names and callees resolved per scope, and analysis that stays linear.

These pin the bugs of the per-file engine: a value re-analysed each time it was
reached (exponential), names followed only when bound once in the whole file, and
callees recognised by spelling only.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_secret_key import rules
from flake8_secret_key.engine import Source, observe, observe_text, split_lines
from flake8_secret_key.engine import values as values_module


def findings(src: str) -> list[tuple[int, int, str]]:
    found = observe_text(textwrap.dedent(src))
    return [(o.line, o.col + 1, code) for o in found if (code := rules.code_for(o)) is not None]


def doubling_chain(lines: int) -> str:
    """``x1 = x0 + x0`` ... : each value reached twice from the next one."""
    text = 'x0 = "k"\n' + "".join(f"x{i} = x{i - 1} + x{i - 1}\n" for i in range(1, lines))
    return text + f"app.secret_key = x{lines - 1}\n"


def test_a_value_reached_many_times_is_analysed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = values_module.ValueClassifier._binop

    def counted(self: values_module.ValueClassifier, node: ast.BinOp, depth: int) -> object:
        nonlocal calls
        calls += 1
        return real(self, node, depth)

    monkeypatch.setattr(values_module.ValueClassifier, "_binop", counted)
    found = observe_text(doubling_chain(30))
    assert calls == 29  # once per x1 ... x29; the per-file engine made 2**29 - 1
    assert [(o.line, o.source, o.via) for o in found] == [(31, Source.LITERAL, "x29")]


def test_the_doubling_chain_is_a_hardcoded_key() -> None:
    assert findings(doubling_chain(30)) == [(31, 18, "SKY100")]


def test_a_name_reused_in_another_function_does_not_hide_the_key() -> None:
    src = """
        def other():
            local_key = vault()

        def create_app():
            local_key = "k3y-value"
            app.secret_key = local_key
    """
    assert findings(src) == [(7, 22, "SKY100")]


def test_each_function_reads_its_own_binding() -> None:
    src = """
        def development():
            key = "k3y-value"
            app.secret_key = key

        def production():
            key = os.environ["SECRET_KEY"]
            app.secret_key = key
    """
    found = observe_text(textwrap.dedent(src))
    assert [(o.line, o.source) for o in found] == [(4, Source.LITERAL), (8, Source.ENVIRONMENT)]


def test_a_name_rebound_in_a_branch_is_a_fallback() -> None:
    src = """
        import os
        key = os.environ.get("SECRET_KEY")
        if not key:
            key = "k3y-value"
        app.secret_key = key
    """
    found = observe_text(textwrap.dedent(src))
    assert [(o.line, o.source, o.env_var) for o in found] == [(6, Source.FALLBACK, "SECRET_KEY")]
    assert findings(src) == [(6, 18, "SKY102")]


def test_a_name_bound_in_both_branches() -> None:
    literal = """
        if DEBUG:
            key = "k3y-value"
        else:
            key = "other-k3y"
        app.secret_key = key
    """
    assert findings(literal) == [(6, 18, "SKY100")]
    mixed = literal.replace('"other-k3y"', 'os.environ["SECRET_KEY"]')
    assert findings(mixed) == [(6, 18, "SKY102")]


def test_a_binding_in_the_other_branch_does_not_reach() -> None:
    src = """
        if DEBUG:
            key = "k3y-value"
        else:
            key = os.environ["SECRET_KEY"]
            app.secret_key = key
    """
    found = observe_text(textwrap.dedent(src))
    assert [(o.line, o.source) for o in found] == [(6, Source.ENVIRONMENT)]


def test_a_binding_below_the_setting_is_not_its_value() -> None:
    src = """
        app.secret_key = key
        key = "k3y-value"
    """
    assert [o.source for o in observe_text(textwrap.dedent(src))] == [Source.UNKNOWN]


def test_a_function_reads_the_module_as_it_is_at_its_end() -> None:
    src = """
        KEY = "k3y-value"
        def create_app():
            app.secret_key = KEY
        KEY = os.environ["SECRET_KEY"]
    """
    found = observe_text(textwrap.dedent(src))
    assert [(o.line, o.source) for o in found] == [(4, Source.ENVIRONMENT)]


def test_a_cycle_of_names_is_unknown() -> None:
    src = """
        def f():
            a = b
            b = a
            app.secret_key = a
    """
    assert [o.source for o in observe_text(textwrap.dedent(src))] == [Source.UNKNOWN]


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("import os as o", 'o.environ.get("SECRET_KEY", "k3y-value")'),
        ("from os import environ as env", 'env.get("SECRET_KEY", "k3y-value")'),
        ("from os import getenv", 'getenv("SECRET_KEY", "k3y-value")'),
        ("import decouple as d", 'd.config("SECRET_KEY", default="k3y-value")'),
    ],
)
def test_environment_readers_through_any_import(imports: str, call: str) -> None:
    src = f"{imports}\napp.secret_key = {call}\n"
    assert [o.source for o in observe_text(src)] == [Source.FALLBACK]


def test_a_parameter_named_environ_is_not_os_environ() -> None:
    src = """
        from os import environ

        def application(environ, start_response):
            SECRET_KEY = environ.get("SECRET_KEY", "k3y-value")
            app.secret_key = environ.get("SECRET_KEY", "k3y-value")
    """
    found = observe_text(textwrap.dedent(src))
    # Neither a fallback nor a standalone read of SECRET_KEY: a WSGI mapping.
    assert [(o.line, o.source) for o in found] == [(6, Source.UNKNOWN)]


@pytest.mark.parametrize(
    ("imports", "expr", "source"),
    [
        ("from base64 import b64decode", 'b64decode("azN5LXZhbHVl")', Source.LITERAL),
        ("import hashlib as h", 'h.sha256(b"k3y-value").hexdigest()', Source.LITERAL),
        ("from os import urandom", "urandom(24)", Source.GENERATED),
        ("import secrets as s", "s.token_hex()", Source.GENERATED),
        ("secrets = load_secrets()", "secrets.token_hex()", Source.UNKNOWN),
    ],
)
def test_callees_are_recognised_by_qualified_name(imports: str, expr: str, source: Source) -> None:
    src = f"{imports}\napp.secret_key = {expr}\n"
    assert [o.source for o in observe_text(src)] == [source]


def test_a_parsed_chain_of_two_thousand_terms() -> None:
    text = "SECRET_KEY = " + " + ".join(['"Zq8Lx3Vt9Pw2"'] + ['"a"'] * 1_999) + "\n"
    assert [(o.line, o.col, o.source) for o in observe_text(text)] == [(1, 13, Source.LITERAL)]


# Statements whose lines spell no setting name are visited light: only what they bind.


def test_a_value_bound_in_a_statement_that_spells_no_name() -> None:
    src = """
        PREFIX = "k3y"
        KEY = PREFIX + "-value"
        app.secret_key = KEY
    """
    found = observe_text(textwrap.dedent(src))
    assert [(o.line, o.source, o.via, o.value.line) for o in found] == [
        (4, Source.LITERAL, "KEY", 3)
    ]


def test_a_try_body_that_spells_no_name_gives_its_handler_the_variable() -> None:
    src = """
        try:
            key = os.environ["APP_KEY"]
        except KeyError:
            app.secret_key = "k3y-value"
    """
    found = observe_text(textwrap.dedent(src))
    assert [(o.line, o.source, o.env_var) for o in found] == [(5, Source.FALLBACK, "APP_KEY")]


def test_a_loop_that_spells_no_name_still_rebinds() -> None:
    src = """
        KEY = "k3y-value"
        for KEY in candidates():
            pass
        app.secret_key = KEY
    """
    assert [o.source for o in observe_text(textwrap.dedent(src))] == [Source.UNKNOWN]


def test_light_and_whole_walks_agree() -> None:
    src = textwrap.dedent(
        """
        import os
        from decouple import config
        PREFIX = "k3y"
        env_key = os.environ.get("APP_KEY")
        if not env_key:
            env_key = PREFIX + "-dev"
        class Base:
            pass
        def helper(x):
            return x
        app.secret_key = env_key
        app.config["SECRET_KEY"] = config("SECRET_KEY", default=PREFIX)
        """
    )
    tree = ast.parse(src)
    light = observe(tree, lines=split_lines(src))
    whole = observe(tree)  # no lines: every statement is visited whole
    assert [(o.line, o.source, o.via) for o in light] == [(o.line, o.source, o.via) for o in whole]
    assert [o.source for o in light] == [Source.FALLBACK, Source.FALLBACK]
