"""The ``fix`` codemod: before/after pairs in the style of LibCST's ``CodemodTest``.

Every pair is also run a second time: fixing fixed code changes nothing.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_secret_key.engine import observe_text
from flake8_secret_key.fix import FIXABLE, FixResult, env_file_value, fix_text
from flake8_secret_key.options import make_config
from flake8_secret_key.rules import code_for


def assert_fix(before: str, after: str, *, dedent: bool = True) -> FixResult:
    """``fix(before) == after``, ``fix(after) == after``, and ``after`` compiles."""
    if dedent:
        before, after = textwrap.dedent(before), textwrap.dedent(after)
    result = fix_text(before)
    assert result.text == after
    assert fix_text(after).text == after, "fix twice != fix once"
    compile(after, "<fixed>", "exec")
    # Whatever the engine still reports afterwards is a finding fix leaves, with a reason.
    remaining = [o for o in observe_text(after) if code_for(o) in FIXABLE]
    assert len(remaining) == len(fix_text(after).left)
    return result


def assert_unchanged(source: str, *reasons: str) -> FixResult:
    source = textwrap.dedent(source)
    result = fix_text(source)
    assert result.text == source
    assert not result.fixed
    for reason in reasons:
        assert any(reason in left.reason for left in result.left), result.left
    return result


# --------------------------------------------------------------------------- the table


def test_row_bytes_attribute() -> None:
    result = assert_fix(
        """\
        app.secret_key = b'_5#y2L"F4Q8z\\n\\xec]/'
        """,
        """\
        import os
        app.secret_key = os.environ["SECRET_KEY"]
        """,
    )
    assert [(f.line, f.col, f.code) for f in result.fixed] == [(1, 17, "SKY101")]
    assert [v.name for v in result.env_vars] == ["SECRET_KEY"]


def test_row_config_subscript() -> None:
    assert_fix(
        """\
        app.config['SECRET_KEY'] = 'dev'
        """,
        """\
        import os
        app.config['SECRET_KEY'] = os.environ["SECRET_KEY"]
        """,
    )


def test_row_from_mapping_keyword() -> None:
    assert_fix(
        """\
        app.config.from_mapping(SECRET_KEY='dev', DATABASE=db_path)
        """,
        """\
        import os
        app.config.from_mapping(SECRET_KEY=os.environ["SECRET_KEY"], DATABASE=db_path)
        """,
    )


def test_row_class_attribute() -> None:
    assert_fix(
        """\
        class Config:
            SECRET_KEY = 'x'
        """,
        """\
        import os
        class Config:
            SECRET_KEY = os.environ["SECRET_KEY"]
        """,
    )


def test_row_jwt_secret_key() -> None:
    result = assert_fix(
        """\
        JWT_SECRET_KEY = 'x'
        """,
        """\
        import os
        JWT_SECRET_KEY = os.environ["JWT_SECRET_KEY"]
        """,
    )
    assert [v.name for v in result.env_vars] == ["JWT_SECRET_KEY"]


@pytest.mark.parametrize(
    "value",
    [
        "os.environ.get('SECRET_KEY', 'dev')",
        "os.environ.get('SECRET_KEY', default='dev')",
        "os.getenv('SECRET_KEY', 'dev')",
        "os.getenv('SECRET_KEY') or 'dev'",
        "os.environ.get('SECRET_KEY') or 'dev'",
        "os.environ.get('SECRET_KEY', None) or 'dev'",
        "str(os.environ.get('SECRET_KEY', 'dev'))",
        "os.environ.get(\n    'SECRET_KEY',\n    'dev',\n)",
    ],
)
def test_row_fallbacks(value: str) -> None:
    result = assert_fix(
        f"import os\nSECRET_KEY = {value}\n",
        'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\n',
        dedent=False,
    )
    assert [f.code for f in result.fixed] == ["SKY102"]


def test_row_fallback_keeps_the_variable_name_already_read() -> None:
    result = assert_fix(
        """\
        import os
        app.secret_key = os.getenv("MY_APP_KEY", "dev")
        """,
        """\
        import os
        app.secret_key = os.environ["MY_APP_KEY"]
        """,
    )
    assert [v.name for v in result.env_vars] == ["MY_APP_KEY"]


def test_row_standalone_read() -> None:
    assert_fix(
        """\
        import os
        settings = {"key": os.getenv("SECRET_KEY", "dev")}
        """,
        """\
        import os
        settings = {"key": os.environ["SECRET_KEY"]}
        """,
    )


def test_row_module_constant_replaced_once() -> None:
    result = assert_fix(
        """\
        KEY = 'x'
        app.secret_key = KEY
        other.secret_key = KEY
        app.config["SECRET_KEY"] = KEY
        """,
        """\
        import os
        KEY = os.environ["SECRET_KEY"]
        app.secret_key = KEY
        other.secret_key = KEY
        app.config["SECRET_KEY"] = KEY
        """,
    )
    assert [f.line for f in result.fixed] == [2, 3, 4]
    assert [v.name for v in result.env_vars] == ["SECRET_KEY"]


def test_row_constant_bound_to_a_fallback() -> None:
    assert_fix(
        """\
        import os
        KEY = os.environ.get("SECRET_KEY", "dev")
        app.secret_key = KEY
        """,
        """\
        import os
        KEY = os.environ["SECRET_KEY"]
        app.secret_key = KEY
        """,
    )


def test_row_session_middleware_keyword() -> None:
    assert_fix(
        """\
        from starlette.middleware.sessions import SessionMiddleware
        app.add_middleware(SessionMiddleware, secret_key='x')
        SessionMiddleware(app, secret_key='x')
        """,
        """\
        import os
        from starlette.middleware.sessions import SessionMiddleware
        app.add_middleware(SessionMiddleware, secret_key=os.environ["SECRET_KEY"])
        SessionMiddleware(app, secret_key=os.environ["SECRET_KEY"])
        """,
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("setattr(app, 'secret_key', 'x')\n", "setattr(app, 'secret_key', os.environ[\"SECRET_KEY\"])\n"),  # noqa: E501
        ("app.config.update({'SECRET_KEY': 'x'})\n", "app.config.update({'SECRET_KEY': os.environ[\"SECRET_KEY\"]})\n"),  # noqa: E501
        ("app.config.update([('SECRET_KEY', 'x')])\n", "app.config.update([('SECRET_KEY', os.environ[\"SECRET_KEY\"])])\n"),  # noqa: E501
        ("SECRET_KEY = 'a' 'b'\n", "SECRET_KEY = os.environ[\"SECRET_KEY\"]\n"),
        ("SECRET_KEY = 'abc' + 'def'\n", "SECRET_KEY = os.environ[\"SECRET_KEY\"]\n"),
        ("SECRET_KEY = ('x')  # dev only\n", "SECRET_KEY = (os.environ[\"SECRET_KEY\"])  # dev only\n"),  # noqa: E501
        ("SECRET_KEY = (\n    'a'\n    'b'\n)\n", "SECRET_KEY = (\n    os.environ[\"SECRET_KEY\"]\n)\n"),  # noqa: E501
        ("def create_app(SECRET_KEY='x'):\n    pass\n", "def create_app(SECRET_KEY=os.environ[\"SECRET_KEY\"]):\n    pass\n"),  # noqa: E501
    ],
)  # fmt: skip
def test_other_settings(before: str, after: str) -> None:
    assert_fix(before, "import os\n" + after, dedent=False)


# --------------------------------------------------------------------------- decouple / environs


def test_decouple_default_removed() -> None:
    result = assert_fix(
        """\
        from decouple import config
        SECRET_KEY = config('SECRET_KEY', default='x')
        JWT_SECRET_KEY = config('JWT_SECRET_KEY', 'y', cast=str)
        WTF_CSRF_SECRET_KEY = config(
            'WTF_CSRF_SECRET_KEY',
            default='z',
        )
        """,
        """\
        from decouple import config
        SECRET_KEY = config('SECRET_KEY')
        JWT_SECRET_KEY = config('JWT_SECRET_KEY', cast=str)
        WTF_CSRF_SECRET_KEY = config(
            'WTF_CSRF_SECRET_KEY',
        )
        """,
    )
    assert result.fixed[0].replacement == 'config("SECRET_KEY")'


def test_environs_default_removed() -> None:
    assert_fix(
        """\
        from environs import Env
        env = Env()
        SECRET_KEY = env.str("SECRET_KEY", "x")
        JWT_SECRET_KEY = env("JWT_SECRET_KEY", default="y")
        """,
        """\
        from environs import Env
        env = Env()
        SECRET_KEY = env.str("SECRET_KEY")
        JWT_SECRET_KEY = env("JWT_SECRET_KEY")
        """,
    )


# --------------------------------------------------------------------------- left as they were


def test_pydantic_field_left() -> None:
    assert_unchanged(
        """\
        from pydantic_settings import BaseSettings
        class Settings(BaseSettings):
            secret_key: str = "x"
        """,
        "pydantic settings field",
    )


def test_django_environ_schema_left() -> None:
    assert_unchanged(
        """\
        import environ
        env = environ.Env(SECRET_KEY=(str, "x"))
        """,
        "django-environ",
    )


def test_try_except_fallback_left() -> None:
    assert_unchanged(
        """\
        import os
        try:
            SECRET_KEY = os.environ["SECRET_KEY"]
        except KeyError:
            SECRET_KEY = "x"
        """,
        "except handler",
    )


def test_secret_key_fallbacks_left() -> None:
    result = assert_unchanged(
        'SECRET_KEY_FALLBACKS = ["old-1", "old-2"]\n', "SECRET_KEY_FALLBACKS"
    )
    assert len(result.left) == 2


def test_conditional_fallback_left() -> None:
    assert_unchanged(
        """\
        import os
        SECRET_KEY = "dev" if DEBUG else os.environ["SECRET_KEY"]
        """,
        "conditional",
    )


def test_chain_of_alternatives_left() -> None:
    assert_unchanged(
        """\
        import os
        SECRET_KEY = os.environ.get("SECRET_KEY") or load_key() or "dev"
        """,
        "chain of alternatives",
    )


def test_setdefault_and_value_shared_with_it_left() -> None:
    result = assert_unchanged(
        """\
        KEY = "x"
        app.config.setdefault("SECRET_KEY", KEY)
        app.secret_key = KEY
        """,
        "setdefault",
        "shares its value",
    )
    assert len(result.left) == 2


def test_setdefault_statement_left() -> None:
    assert_unchanged(
        """\
        import os
        os.environ.setdefault("SECRET_KEY", "dev")
        """,
        "delete the call",
    )


def test_fallback_reading_a_second_variable_left() -> None:
    assert_unchanged(
        """\
        import os
        SECRET_KEY = os.environ.get("SECRET_KEY", os.environ.get("OLD_KEY", "dev"))
        """,
        "second variable",
    )


def test_variable_name_not_a_literal_left() -> None:
    assert_unchanged(
        """\
        import os
        SECRET_KEY = os.environ.get(name, "dev")
        """,
        "not a string literal",
    )


def test_chained_assignment_counts_once_per_target() -> None:
    result = assert_fix(
        """\
        SECRET_KEY = SECRET_KEY = "x"
        app.secret_key = app.config["SECRET_KEY"] = "y"
        """,
        """\
        import os
        SECRET_KEY = SECRET_KEY = os.environ["SECRET_KEY"]
        app.secret_key = app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        """,
    )
    # one value stored into two settings at once is one finding (one place to fix)
    assert [(f.line, f.target) for f in result.fixed] == [
        (1, "SECRET_KEY"),
        (2, "app.secret_key"),
    ]


def test_generated_key_not_rewritten() -> None:
    source = "import os\nSECRET_KEY = os.urandom(24)\n"
    result = fix_text(source)
    assert result.text == source and not result.fixed and not result.left


def test_os_shadowed_in_function_left() -> None:
    assert_unchanged(
        """\
        def configure(app, os):
            app.secret_key = "x"
        """,
        "the name os means something else",
    )


def test_nothing_to_do_is_not_parsed_by_libcst() -> None:
    # No setting name at all: returned as is (even when LibCST could not parse it).
    source = "print 'python 2'\n"
    assert fix_text(source).text == source


# --------------------------------------------------------------------------- imports


def test_module_docstring() -> None:
    assert_fix(
        '''\
        """The app."""

        from flask import Flask

        app = Flask(__name__)
        app.secret_key = "dev"
        ''',
        '''\
        """The app."""

        import os
        from flask import Flask

        app = Flask(__name__)
        app.secret_key = os.environ["SECRET_KEY"]
        ''',
    )


def test_docstring_then_comment_stays_with_its_statement() -> None:
    assert_fix(
        '''\
        """The app."""
        # Flask first
        from flask import Flask
        app.secret_key = "dev"
        ''',
        '''\
        """The app."""
        import os
        # Flask first
        from flask import Flask
        app.secret_key = os.environ["SECRET_KEY"]
        ''',
    )


def test_future_imports() -> None:
    assert_fix(
        '''\
        """Doc."""
        from __future__ import annotations
        from __future__ import division

        SECRET_KEY = "dev"
        ''',
        '''\
        """Doc."""
        from __future__ import annotations
        from __future__ import division

        import os
        SECRET_KEY = os.environ["SECRET_KEY"]
        ''',
    )


def test_shebang_and_comments_stay_first() -> None:
    assert_fix(
        """\
        #!/usr/bin/env python
        # A small app.
        SECRET_KEY = "dev"
        """,
        """\
        #!/usr/bin/env python
        # A small app.
        import os
        SECRET_KEY = os.environ["SECRET_KEY"]
        """,
    )


def test_existing_import_os() -> None:
    assert_fix(
        """\
        import os
        import sys
        SECRET_KEY = "dev"
        """,
        """\
        import os
        import sys
        SECRET_KEY = os.environ["SECRET_KEY"]
        """,
    )


def test_existing_import_os_path() -> None:
    assert_fix(
        """\
        import os.path
        SECRET_KEY = "dev"
        """,
        """\
        import os.path
        SECRET_KEY = os.environ["SECRET_KEY"]
        """,
    )


def test_existing_import_os_as_alias() -> None:
    assert_fix(
        """\
        import os as o
        SECRET_KEY = o.getenv("SECRET_KEY", "dev")
        app.secret_key = "dev"
        """,
        """\
        import os as o
        SECRET_KEY = o.environ["SECRET_KEY"]
        app.secret_key = o.environ["SECRET_KEY"]
        """,
    )


def test_existing_from_os_import_environ() -> None:
    assert_fix(
        """\
        from os import environ
        SECRET_KEY = environ.get("SECRET_KEY", "dev")
        JWT_SECRET_KEY = "x"
        """,
        """\
        from os import environ
        SECRET_KEY = environ["SECRET_KEY"]
        JWT_SECRET_KEY = environ["JWT_SECRET_KEY"]
        """,
    )


def test_from_os_import_environ_as_alias() -> None:
    assert_fix(
        """\
        from os import environ as env
        SECRET_KEY = "dev"
        """,
        """\
        from os import environ as env
        SECRET_KEY = env["SECRET_KEY"]
        """,
    )


def test_environ_shadowed_by_a_wsgi_parameter_gets_import_os() -> None:
    assert_fix(
        """\
        from os import environ
        def application(environ, start_response):
            app.secret_key = "dev"
        """,
        """\
        import os
        from os import environ
        def application(environ, start_response):
            app.secret_key = os.environ["SECRET_KEY"]
        """,
    )


def test_import_os_after_the_first_use_is_not_trusted() -> None:
    # At import time line 1 runs before line 2 binds os: a new import goes on top.
    assert_fix(
        """\
        SECRET_KEY = "dev"
        import os
        """,
        """\
        import os
        SECRET_KEY = os.environ["SECRET_KEY"]
        import os
        """,
    )


def test_import_os_inside_a_function_is_not_used_elsewhere() -> None:
    assert_fix(
        """\
        def helper():
            import os
        SECRET_KEY = "dev"
        """,
        """\
        import os
        def helper():
            import os
        SECRET_KEY = os.environ["SECRET_KEY"]
        """,
    )


def test_only_decouple_rewrites_add_no_import() -> None:
    result = fix_text("from decouple import config\nSECRET_KEY = config('SECRET_KEY', 'x')\n")
    assert "import os" not in result.text


# --------------------------------------------------------------------------- text and positions


def test_crlf_kept() -> None:
    before = '"""Doc."""\r\n\r\nfrom flask import Flask\r\napp.secret_key = "dev"\r\n'
    after = (
        '"""Doc."""\r\n\r\nimport os\r\nfrom flask import Flask\r\n'
        'app.secret_key = os.environ["SECRET_KEY"]\r\n'
    )
    assert_fix(before, after, dedent=False)


def test_no_trailing_newline_kept() -> None:
    assert_fix(
        'SECRET_KEY = "dev"', 'import os\nSECRET_KEY = os.environ["SECRET_KEY"]', dedent=False
    )


@pytest.mark.parametrize("prefix", ["héllo wörld", "日本語のテキスト", "🔑🔑", "e\u0301"])
def test_non_ascii_before_the_value_on_the_same_line(prefix: str) -> None:
    assert_fix(
        f'greeting = "{prefix}"; app.secret_key = "dev"; other = "{prefix}"\n',
        f'import os\ngreeting = "{prefix}"; app.secret_key = os.environ["SECRET_KEY"]; '
        f'other = "{prefix}"\n',
        dedent=False,
    )


def test_non_ascii_key_and_tabs() -> None:
    assert_fix(
        'class C:\n\tx = "ü"; SECRET_KEY = "clé-ü"\n',
        'import os\nclass C:\n\tx = "ü"; SECRET_KEY = os.environ["SECRET_KEY"]\n',
        dedent=False,
    )


def test_several_findings_in_one_file() -> None:
    result = assert_fix(
        """\
        import os
        from flask import Flask

        app = Flask(__name__)
        app.secret_key = "dev"  # keep this comment
        app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY", "jwt")
        app.config.update(
            WTF_CSRF_SECRET_KEY='csrf',  # trailing comma stays
        )

        class Config:
            SECRET_KEY = "config"
        """,
        """\
        import os
        from flask import Flask

        app = Flask(__name__)
        app.secret_key = os.environ["SECRET_KEY"]  # keep this comment
        app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]
        app.config.update(
            WTF_CSRF_SECRET_KEY=os.environ["WTF_CSRF_SECRET_KEY"],  # trailing comma stays
        )

        class Config:
            SECRET_KEY = os.environ["SECRET_KEY"]
        """,
    )
    # "csrf" and "config" are guessable, and in flask-unsign's wordlist: SKY101
    assert [f.code for f in result.fixed] == ["SKY101", "SKY102", "SKY101", "SKY101"]
    assert [v.name for v in result.env_vars] == [
        "SECRET_KEY",
        "JWT_SECRET_KEY",
        "WTF_CSRF_SECRET_KEY",
    ]


def test_nested_functions() -> None:
    assert_fix(
        """\
        import os

        def create_app():
            def configure(app):
                async def inner():
                    app.config["SECRET_KEY"] = "dev"
                return inner
            return configure
        """,
        """\
        import os

        def create_app():
            def configure(app):
                async def inner():
                    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
                return inner
            return configure
        """,
    )


def test_custom_names_from_config() -> None:
    config = make_config(names="API_SIGNING_KEY")
    result = fix_text('API_SIGNING_KEY = "x"\nSECRET_KEY = "y"\n', config)
    assert (
        result.text
        == 'import os\nAPI_SIGNING_KEY = os.environ["API_SIGNING_KEY"]\nSECRET_KEY = "y"\n'
    )


# --------------------------------------------------------------------------- env vars


def test_old_values_kept_out_of_repr() -> None:
    result = fix_text('SECRET_KEY = "hunter2-abc"\n')
    (var,) = result.env_vars
    assert var.old_value == "hunter2-abc"
    assert "hunter2" not in repr(var) and "hunter2" not in repr(result.fixed)


def test_old_fallback_value() -> None:
    result = fix_text('import os\nSECRET_KEY = os.getenv("SECRET_KEY", "fallback-q")\n')
    assert result.env_vars[0].old_value == "fallback-q"


@pytest.mark.parametrize(
    ("source", "note"),
    [
        ("SECRET_KEY = b'\\xec\\xff\\x00\\x81\\x92\\xa3\\xb4\\xc5'\n", "not text"),
        ("SECRET_KEY = 'a-Zq8Lx3Vt9Pw2' + 'b-Zq8Lx3Vt9Pw2'\n", "not a plain literal"),
        ("SECRET_KEY = 'line\\nbreak'\n", "cannot be written"),
    ],
)
def test_old_values_that_cannot_be_kept(source: str, note: str) -> None:
    (var,) = fix_text(source).env_vars
    assert var.old_value is None and var.note is not None and note in var.note


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("abc-123_XYZ", "abc-123_XYZ"),
        ("has space", "'has space'"),
        ('a"b#c', "'a\"b#c'"),
        ("it's", None),
        ("", None),
        ("tab\there", None),
    ],
)
def test_env_file_value(value: str, written: str | None) -> None:
    assert env_file_value(value) == written


def test_results_compile_and_engine_agrees() -> None:
    source = textwrap.dedent(
        """\
        import os
        KEY = "k"
        app.secret_key = KEY
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or "x"
        """
    )
    text = fix_text(source).text
    ast.parse(text)
    assert {code_for(o) for o in observe_text(text)} <= {None}
