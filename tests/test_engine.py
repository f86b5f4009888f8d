"""The engine, table-driven: snippets that must fire (exact line, col, code) and must not.

Columns are written as flake8 prints them (1-based), so a row reads like flake8's
output; the engine itself returns 0-based character columns.
"""

from __future__ import annotations

import ast
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_secret_key import rules
from flake8_secret_key.engine import (
    Kind,
    Options,
    Source,
    Span,
    may_hold_setting,
    may_hold_setting_bytes,
    observe,
    observe_text,
    split_lines,
)
from flake8_secret_key.known_keys import KnownKeys


def findings(src: str, options: Options | None = None) -> list[tuple[int, int, str]]:
    text = textwrap.dedent(src)
    found = observe(ast.parse(text), options or Options(), split_lines(text))
    return [(o.line, o.col + 1, code) for o in found if (code := rules.code_for(o)) is not None]


def sources(src: str) -> list[tuple[int, Kind, Source]]:
    text = textwrap.dedent(src)
    return [(o.line, o.kind, o.source) for o in observe_text(text)]


# --------------------------------------------------------------------------- SKY100

SKY100_FAIL = [
    # Rebound in the same scope: the later binding is the one the setting reads (the
    # engine once followed only names bound once per file, and missed this).
    ('KEY = "a-value"\nKEY = "b-value-Zq8Lx3Vt"\napp.secret_key = KEY', [(3, 18, "SKY100")]),
    ('app.secret_key = "hunter2-xyz"', [(1, 18, "SKY100")]),
    ('app.config["SECRET_KEY"] = "abc123xyz-Zq8Lx3Vt"', [(1, 28, "SKY100")]),
    ("app.config['SECRET_KEY'] = 'abc123xyz-Zq8Lx3Vt'", [(1, 28, "SKY100")]),
    ('self.app.secret_key = "k3y-value"', [(1, 23, "SKY100")]),
    ('current_app.config["JWT_SECRET_KEY"] = "k3y-value"', [(1, 40, "SKY100")]),
    ('setattr(app, "secret_key", "k3y-value")', [(1, 28, "SKY100")]),
    ('app.secret_key, debug = "k3y-value", True', [(1, 25, "SKY100")]),
    ('app.config.update(SECRET_KEY="k3y-value")', [(1, 30, "SKY100")]),
    ('app.config.update({"SECRET_KEY": "k3y-value"})', [(1, 34, "SKY100")]),
    ('app.config.update(dict(SECRET_KEY="k3y-value"))', [(1, 35, "SKY100")]),
    ('app.config.update([("SECRET_KEY", "k3y-value")])', [(1, 35, "SKY100")]),
    ('app.config.from_mapping(SECRET_KEY="k3y-value", DATABASE="x.db")', [(1, 36, "SKY100")]),
    ('app.config.from_mapping({"SECRET_KEY": "k3y-value"})', [(1, 40, "SKY100")]),
    ('app.config.setdefault("SECRET_KEY", "k3y-value")', [(1, 37, "SKY100")]),
    ('SECRET_KEY = "k3y-value"', [(1, 14, "SKY100")]),
    ('SECRET_KEY: str = "k3y-value"', [(1, 19, "SKY100")]),
    ('class Config:\n    SECRET_KEY = "k3y-value"', [(2, 18, "SKY100")]),
    ('if DEBUG:\n    SECRET_KEY = "k3y-value"', [(2, 18, "SKY100")]),
    (
        'SECRET_KEY_FALLBACKS = ["old-k3y-Zq8Lx3Vt", "older-k3y-Zq8Lx3Vt"]',
        [(1, 25, "SKY100"), (1, 45, "SKY100")],
    ),
    ('SECRET_KEY_FALLBACKS = [os.environ["OLD"], "older-k3y"]', [(1, 44, "SKY100")]),
    (
        "from starlette.middleware.sessions import SessionMiddleware\n"
        'SessionMiddleware(app, secret_key="k3y-value")',
        [(2, 35, "SKY100")],
    ),
    ('override_settings(SECRET_KEY="k3y-value")', [(1, 30, "SKY100")]),
    ('def create_app(SECRET_KEY="k3y-value"):\n    pass', [(1, 27, "SKY100")]),
    ('def create_app(*, SECRET_KEY="k3y-value"):\n    pass', [(1, 30, "SKY100")]),
    ('make = lambda SECRET_KEY="k3y-value": SECRET_KEY', [(1, 26, "SKY100")]),
    ('WTF_CSRF_SECRET_KEY = b"k3y-value"', [(1, 23, "SKY100")]),
    ('SECURITY_PASSWORD_SALT = "1465851453681904732615"', [(1, 26, "SKY100")]),
    ('JWT_SECRET_KEY = ("k3y" "-value")', [(1, 19, "SKY100")]),
    ('SECRET_KEY = f"k3y-value"', [(1, 14, "SKY100")]),
    ('SECRET_KEY = "k3y" + "-value"', [(1, 14, "SKY100")]),
    ('SECRET_KEY = "Zq8Lx3Vt" * 4', [(1, 14, "SKY100")]),
    ('SECRET_KEY = "%s-value" % "k3y"', [(1, 14, "SKY100")]),
    ('SECRET_KEY = "%s-%s" % ("k3y", "value")', [(1, 14, "SKY100")]),
    ('SECRET_KEY = "k3y-value".encode()', [(1, 14, "SKY100")]),
    ('SECRET_KEY = b"k3y-value".decode("utf-8")', [(1, 14, "SKY100")]),
    ('SECRET_KEY = bytes("k3y-value", "utf-8")', [(1, 14, "SKY100")]),
    ('SECRET_KEY = str("k3y-value")', [(1, 14, "SKY100")]),
    ('SECRET_KEY = bytes.fromhex("00ff00ff")', [(1, 14, "SKY100")]),
    ('SECRET_KEY = binascii.unhexlify("00ff00ff")', [(1, 14, "SKY100")]),
    ('SECRET_KEY = base64.b64decode("azN5LXZhbHVl")', [(1, 14, "SKY100")]),
    ('SECRET_KEY = hashlib.sha256(b"k3y-value").hexdigest()', [(1, 14, "SKY100")]),
    ('SECRET_KEY = "".join(["k3y", "-", "value"])', [(1, 14, "SKY100")]),
    ('KEY = "k3y-value"\napp.secret_key = KEY', [(2, 18, "SKY100")]),
    ('KEY = "k3y-value"\ndef make():\n    app.secret_key = KEY', [(3, 22, "SKY100")]),
    ("app.secret_key = __name__", [(1, 18, "SKY100")]),
    ('os.environ["SECRET_KEY"] = "k3y-value"', [(1, 28, "SKY100")]),
    ('app.secret_key = "k3y-a-Zq8Lx3Vt" if DEBUG else "k3y-b-Zq8Lx3Vt"', [(1, 18, "SKY100")]),
    ('x = {"SECRET_KEY": "k3y-value", "DEBUG": True}', [(1, 20, "SKY100")]),
    # non-ASCII before the value: the column counts characters, not UTF-8 bytes
    # ...but the same string stored as the key itself is a (confused, guessable) key
    ('app.secret_key = "MY_SECRET_KEY_Zq8Lx3Vt"', [(1, 18, "SKY100")]),
    ('SECRET_KEY = "DJANGO_SECRET_KEY_Zq8Lx3Vt"', [(1, 14, "SKY100")]),
    ('titre = "clé"; app.secret_key = "k3y-value"', [(1, 33, "SKY100")]),
]

SKY100_PASS = [
    'x = app.config["SECRET_KEY"]',
    "key = app.secret_key",
    'if app.secret_key == "dev":\n    raise RuntimeError("set SECRET_KEY")',
    'assert app.config["SECRET_KEY"] != "dev"',
    '# app.secret_key = "k3y-value"',
    '"""Set app.secret_key = "k3y-value" in production."""',
    "HELP = \"SECRET_KEY = 'k3y-value'\"",
    'print("SECRET_KEY", "k3y-value")',
    'SECRET_KEY_FILE = "/run/secrets/key"',
    'STRIPE_SECRET_KEY = "sk_test_123"',
    'app.config["STRIPE_SECRET_KEY"] = "sk_test_123"',
    'app.stripe_secret_key = "sk_test_123"',
    'client = Stripe(secret_key_file="k.txt")',
    "SECRET_KEY = None",  # an empty key is SKY103: tests/test_verdicts.py
    "SECRET_KEY = 42",
    'SECRET_KEY = os.environ["SECRET_KEY"]',
    'SECRET_KEY = os.environ.get("SECRET_KEY")',
    'SECRET_KEY = os.getenv("SECRET_KEY")',
    'SECRET_KEY = os.getenv("SECRET_KEY", None)',
    "SECRET_KEY = settings.SECRET_KEY",
    'SECRET_KEY = open("/run/secrets/key").read()',
    "SECRET_KEY = load_key()",
    'SECRET_KEY = f"{PREFIX}-value"',
    'SECRET_KEY = PREFIX + "-value"',
    "class Keys(Enum):\n    SECRET_KEY = auto()",
    'def make():\n    SECRET_KEY = "k3y-value"\n    return 1',
    "def create_app(secret_key=None):\n    pass",
    # issue 16: a lowercase secret_key is a setting only as an attribute, a pydantic
    # field or a library's keyword; not as a plain variable, parameter or dict key
    'def create_app(secret_key="k3y-value"):\n    pass',
    'make = lambda secret_key="k3y-value": secret_key',
    'secret_key = "k3y-value"',
    'SessionMiddleware(app, secret_key="k3y-value")',  # not imported: not Starlette's
    "def make(key):\n    app.secret_key = key",
    'jwt.encode(payload, SECRET_KEY, algorithm="HS256")',
    'debug = os.getenv("DEBUG", "0")',
    'value = data.get("SECRET_KEY", "dev")',
    'for app.secret_key in ["a", "b"]:\n    pass',
    # a class constant naming an environment variable (botocore's EnvProvider)
    'class EnvProvider:\n    ACCESS_KEY = "AWS_ACCESS_KEY_ID"\n'
    '    SECRET_KEY = "AWS_SECRET_ACCESS_KEY"',
]


@pytest.mark.parametrize(("src", "expected"), SKY100_FAIL)
def test_sky100_fail(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


@pytest.mark.parametrize("src", SKY100_PASS)
def test_sky100_pass(src: str) -> None:
    assert findings(src) == []


# --------------------------------------------------------------------------- SKY101

SKY101_FAIL = [
    ("app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'", [(1, 18, "SKY101")]),
    ("app.secret_key = '_5#y2L\"F4Q8z\\n\\xec]/'", [(1, 18, "SKY101")]),
    ("app.secret_key = b'5#y2L\"F4Q8z\\n\\xec]/'", [(1, 18, "SKY101")]),
    ("app.secret_key = b'_5#y2L\"F4Q8z'", [(1, 18, "SKY101")]),
    ("app.secret_key = 'A0Zr98j/3yX R~XHH!jmN]LWX/,?RT'", [(1, 18, "SKY101")]),
    (
        "SECRET_KEY = '192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf'",
        [(1, 14, "SKY101")],
    ),
    ('app.config.from_mapping(SECRET_KEY="dev", DATABASE="x")', [(1, 36, "SKY101")]),
    ('SECRET_KEY = "Dev"', [(1, 14, "SKY101")]),
    ('app.secret_key = "development key"', [(1, 18, "SKY101")]),
    ("SECRET_KEY = os.environ.get('X') and 'x' or 'you-will-never-guess'", []),
    ('SECRET_KEY = "you-will-never-guess"', [(1, 14, "SKY101")]),
    ('SECRET_KEY = "hard to guess string"', [(1, 14, "SKY101")]),
    ('app.secret_key = "super secret key"', [(1, 18, "SKY101")]),
    ('app.secret_key = "secret"', [(1, 18, "SKY101")]),
    ('SECRET_KEY = "changeme"', [(1, 14, "SKY101")]),
    ('SECRET_KEY = "change-me"', [(1, 14, "SKY101")]),
    ('SECRET_KEY = "Change_Me"', [(1, 14, "SKY101")]),
    ('SECRET_KEY = "your-secret-key"', [(1, 14, "SKY101")]),
    ('SECRET_KEY = "secret string"', [(1, 14, "SKY101")]),
    ('SECRET_KEY = "django-insecure-q1w2e3r4t5y6u7i8o9p0"', [(1, 14, "SKY101")]),
    ('app.config["JWT_SECRET_KEY"] = "super-secret"', [(1, 32, "SKY101")]),
    ('KEY = "dev"\napp.secret_key = KEY', [(2, 18, "SKY101")]),
    ('SECRET_KEY = "d" + "ev"', [(1, 14, "SKY101")]),
    ('SECRET_KEY = "dev".encode()', [(1, 14, "SKY101")]),
]

SKY101_PASS = [
    # Only the whole key matches a placeholder, not a key that contains one.
    'SECRET_KEY = "my-secret-production-key-7f3a"',
    'SECRET_KEY = "developer-key-8c1d"',
    'SECRET_KEY = "devops-Zq8Lx3Vt9Pw2"',
    # A known key in a comparison (a guard) or a read is not a setting.
    'if app.secret_key == "dev":\n    raise SystemExit("set SECRET_KEY")',
    'x = "dev"',
]


@pytest.mark.parametrize(("src", "expected"), SKY101_FAIL)
def test_sky101_fail(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


@pytest.mark.parametrize("src", SKY101_PASS)
def test_sky101_pass(src: str) -> None:
    assert [f for f in findings(src) if f[2] == "SKY101"] == []


def test_known_keys_file_adds_keys() -> None:
    options = Options(known_keys=KnownKeys(["course-example-key-2026"]))
    src = 'app.secret_key = "Course Example Key 2026"'
    assert findings(src) == [(1, 18, "SKY100")]
    assert findings(src, options) == [(1, 18, "SKY101")]
    (obs,) = observe_text(src, options)
    assert obs.published == "your known-keys file"
    text = rules.message(obs)
    assert text is not None
    assert text.startswith(
        "app.secret_key is a known example key (listed in your known-keys file)"
    )


def test_published_message_names_source_not_value() -> None:
    (obs,) = observe_text("app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'")
    text = rules.message(obs)
    assert text is not None
    assert "Flask documentation" in text
    assert "5#y2L" not in text


# --------------------------------------------------------------------------- SKY102

SKY102_FAIL = [
    ('SECRET_KEY = os.environ.get("SECRET_KEY", "k3y-value")', [(1, 43, "SKY102")]),
    ('app.secret_key = os.getenv("SECRET_KEY", "k3y-value")', [(1, 42, "SKY102")]),
    ('from os import getenv\nSECRET_KEY = getenv("SECRET_KEY", "k3y")', [(2, 35, "SKY102")]),
    ('from os import environ\nSECRET_KEY = environ.get("SK", "k3y")', [(2, 32, "SKY102")]),
    ('import os as o\nSECRET_KEY = o.environ.get("SK", "k3y")', [(2, 34, "SKY102")]),
    ('SECRET_KEY = os.environ.get("SECRET_KEY") or "k3y-value"', [(1, 46, "SKY102")]),
    ('SECRET_KEY = os.environ["SK"] if "SK" in os.environ else "k3y"', [(1, 58, "SKY102")]),
    ('SECRET_KEY = "k3y" if DEBUG else os.environ["SK"]', [(1, 14, "SKY102")]),
    ('app.config["SECRET_KEY"] = os.getenv("MY_APP_KEY", "k3y-value")', [(1, 52, "SKY102")]),
    ('os.environ.setdefault("SECRET_KEY", "k3y-value")', [(1, 37, "SKY102")]),
    ('def make():\n    key = os.getenv("SECRET_KEY", "k3y")\n    return key', [(2, 35, "SKY102")]),
    (
        'try:\n    SECRET_KEY = os.environ["SECRET_KEY"]\nexcept KeyError:\n'
        '    SECRET_KEY = "k3y-value"',
        [(4, 18, "SKY102")],
    ),
    (
        'try:\n    app.secret_key = os.environ["SK"]\nexcept (KeyError, ValueError):\n'
        '    app.secret_key = "k3y-value"',
        [(4, 22, "SKY102")],
    ),
    (
        'from decouple import config\nSECRET_KEY = config("SECRET_KEY", default="k3y")',
        [(2, 43, "SKY102")],
    ),
    (
        'from environs import Env\nenv = Env()\nSECRET_KEY = env.str("SECRET_KEY", "k3y")',
        [(3, 36, "SKY102")],
    ),
    (
        'from environs import Env\nenv = Env()\nSECRET_KEY = env("SECRET_KEY", default="k3y")',
        [(3, 40, "SKY102")],
    ),
    (
        'import environ\nenv = environ.Env()\nSECRET_KEY = env("SECRET_KEY", default="k3y")',
        [(3, 40, "SKY102")],
    ),
    (
        'import environ\nenv = environ.Env()\nSECRET_KEY = env.str("SECRET_KEY", "k3y")',
        [(3, 36, "SKY102")],
    ),
    (
        'import environ\nenv = environ.Env(SECRET_KEY=(str, "k3y-value"))',
        [(2, 36, "SKY102")],
    ),
    (
        "from pydantic_settings import BaseSettings\n"
        'class Settings(BaseSettings):\n    secret_key: str = "k3y-value"',
        [(3, 23, "SKY102")],
    ),
    ('KEY = os.getenv("SECRET_KEY", "k3y")\napp.secret_key = KEY', [(2, 18, "SKY102")]),
    ('SECRET_KEY = os.environ.get("SECRET_KEY", "dev")', [(1, 43, "SKY102")]),
    # stand-alone reads of a secret-key variable, reported once
    ('def make():\n    return os.getenv("SECRET_KEY") or "k3y"', [(2, 39, "SKY102")]),
    ('key = os.getenv("SECRET_KEY", "a") or "b"', [(1, 31, "SKY102")]),
    ('SECRET_KEY = os.getenv("NEW_KEY") or os.getenv("OLD_KEY", "k3y")', [(1, 59, "SKY102")]),
    ('key = "k3y" if DEBUG else os.environ["JWT_SECRET_KEY"]', [(1, 7, "SKY102")]),
]

SKY102_PASS = [
    # django-environ: the second positional argument is a cast, not a default
    'import environ\nenv = environ.Env()\nSECRET_KEY = env("SECRET_KEY", str)',
    'from environ import Env\nenv = Env()\nSECRET_KEY = env("SECRET_KEY", "k3y")',
    'SECRET_KEY = os.environ["SECRET_KEY"]',
    'SECRET_KEY = os.environ.get("SECRET_KEY", None)',
    'debug = os.environ.get("DEBUG", "false")',
    'url = os.getenv("DATABASE_URL", "sqlite://")',
    'from decouple import config\nSECRET_KEY = config("SECRET_KEY")',
    "from pydantic_settings import BaseSettings\n"
    "class Settings(BaseSettings):\n    secret_key: str",
    'try:\n    SECRET_KEY = os.environ["SECRET_KEY"]\nexcept KeyError:\n    raise SystemExit(1)',
    'key = os.getenv("STRIPE_SECRET_KEY", "sk_test")',
    'SECRET_KEY = os.environ.get("SECRET_KEY", "")',
    'key = os.getenv("SECRET_KEY") or os.getenv("OLD_SECRET_KEY")',
    'timeout = os.getenv("TIMEOUT") or "30"',
]


@pytest.mark.parametrize(("src", "expected"), SKY102_FAIL)
def test_sky102_fail(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


@pytest.mark.parametrize("src", SKY102_PASS)
def test_sky102_pass(src: str) -> None:
    assert findings(src) == []


def test_fallback_message_names_the_variable() -> None:
    (obs,) = observe_text('app.secret_key = os.getenv("MY_APP_KEY", "k3y-value")')
    assert obs.env_var == "MY_APP_KEY"
    text = rules.message(obs)
    assert text is not None and "MY_APP_KEY" in text and "k3y-value" not in text
    assert obs.fix == 'app.secret_key = os.environ["MY_APP_KEY"]'


# --------------------------------------------------------------------------- SKY900

SKY900_FAIL = [
    ("app.secret_key = os.urandom(24)", [(1, 18, "SKY900")]),
    ("SECRET_KEY = secrets.token_hex()", [(1, 14, "SKY900")]),
    ("SECRET_KEY = secrets.token_urlsafe(32)", [(1, 14, "SKY900")]),
    ("SECRET_KEY = uuid.uuid4().hex", [(1, 14, "SKY900")]),
    ("from uuid import uuid4\nSECRET_KEY = str(uuid4())", [(2, 14, "SKY900")]),
    ("from secrets import token_hex\nSECRET_KEY = token_hex(16)", [(2, 14, "SKY900")]),
    ("SECRET_KEY = os.urandom(24).hex()", [(1, 14, "SKY900")]),
    ("SECRET_KEY = binascii.hexlify(os.urandom(24))", [(1, 14, "SKY900")]),
    ('SECRET_KEY = os.environ.get("SECRET_KEY") or os.urandom(24)', [(1, 14, "SKY900")]),
    ('SECRET_KEY = os.environ.get("SECRET_KEY", os.urandom(24))', [(1, 14, "SKY900")]),
    (
        "from django.core.management.utils import get_random_secret_key\n"
        "SECRET_KEY = get_random_secret_key()",
        [(2, 14, "SKY900")],
    ),
]

SKY900_PASS = [
    "token = secrets.token_hex()",
    "nonce = os.urandom(16)",
    "def make():\n    SECRET_KEY = os.urandom(24)",
    "SECRET_KEY = uuid4()",  # a local uuid4 of unknown origin: not ours to judge
]


@pytest.mark.parametrize(("src", "expected"), SKY900_FAIL)
def test_sky900_fail(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


@pytest.mark.parametrize("src", SKY900_PASS)
def test_sky900_pass(src: str) -> None:
    assert findings(src) == []


# --------------------------------------------------------------------------- observations


def test_required_pydantic_fields_read_the_environment() -> None:
    src = """
    from pydantic import Field
    from pydantic_settings import BaseSettings
    class Settings(BaseSettings):
        secret_key: str
        SECRET_KEY: str = Field(...)
        jwt_secret_key: str = "k3y"
    """
    assert sources(src) == [
        (5, Kind.FIELD, Source.ENVIRONMENT),
        (6, Kind.FIELD, Source.ENVIRONMENT),
    ]


def test_empty_default_is_an_environment_read() -> None:
    assert sources('SECRET_KEY = os.environ.get("SECRET_KEY", "")') == [
        (1, Kind.NAME, Source.ENVIRONMENT)
    ]


def test_environment_observations_for_report() -> None:
    src = """
    import os
    app.secret_key = os.environ["SECRET_KEY"]
    app.config.from_prefixed_env()
    app.config["SECRET_KEY"] = settings.KEY
    """
    assert sources(src) == [
        (3, Kind.ATTRIBUTE, Source.ENVIRONMENT),
        (4, Kind.PREFIXED_ENV, Source.ENVIRONMENT),
        (5, Kind.SUBSCRIPT, Source.UNKNOWN),
    ]


def test_via_name_points_fix_at_the_binding() -> None:
    src = 'KEY = "k3y-value"\napp.secret_key = KEY\nother.secret_key = KEY\n'
    first, second = observe_text(src)
    assert first.via == second.via == "KEY"
    assert first.value == second.value == Span(1, 6, 1, 17)
    assert (first.line, first.col) == (2, 17)
    text = rules.message(first)
    assert text is not None and "through KEY" in text


def test_one_value_stored_twice_is_one_finding() -> None:
    assert findings('SECRET_KEY = SECRET_KEY = "k3y-Zq8Lx3Vt"') == [(1, 27, "SKY100")]
    assert findings('SECRET_KEY = app.secret_key = "k3y-Zq8Lx3Vt"') == [(1, 31, "SKY100")]


def test_setting_name_used_elsewhere_is_reported_once() -> None:
    src = 'SECRET_KEY = "k3y-value"\napp.secret_key = SECRET_KEY\n'
    assert findings(src) == [(1, 14, "SKY100")]


def test_fallback_value_span_is_the_whole_expression() -> None:
    src = 'SECRET_KEY = os.environ.get("SECRET_KEY", "k3y-value")'
    (obs,) = observe_text(src)
    assert obs.value == Span(1, 13, 1, len(src))
    assert (obs.col, obs.end_col) == (42, 53)  # underlines the hardcoded default


def test_columns_count_characters_after_non_ascii() -> None:
    src = 'app.secret_key = "ключ-значение"; app.secret_key = "é" + "x"\n'
    first, second = observe_text(src)
    assert (first.col, first.end_col) == (17, 32)
    assert (second.col, second.end_col) == (51, 60)


def test_configured_names() -> None:
    options = Options(names=frozenset({"MY_KEY"}))
    assert findings('MY_KEY = "k3y-Zq8Lx3Vt"\nSECRET_KEY = "k3y"', options) == [(1, 10, "SKY100")]


def test_tree_is_not_mutated() -> None:
    src = textwrap.dedent(
        """
        import os
        KEY = "k3y"
        app.secret_key = KEY
        app.config.update(SECRET_KEY=os.getenv("SECRET_KEY", "dev"))
        """
    )
    tree = ast.parse(src)
    before = ast.dump(tree, include_attributes=True)
    observe(tree, Options(), split_lines(src))
    assert ast.dump(tree, include_attributes=True) == before


def test_messages_never_contain_the_value() -> None:
    value = "Zq8-unique-value-7731"
    src = textwrap.dedent(
        f"""
        KEY = "{value}"
        app.secret_key = "{value}"
        app.config["SECRET_KEY"] = KEY
        SECRET_KEY = os.getenv("SECRET_KEY", "{value}")
        app.config.update(SECRET_KEY="{value}" + "x")
        """
    )
    found = observe_text(src)
    assert len(found) == 4
    for obs in found:
        text = rules.flake8_text(obs)
        assert text is not None
        assert value not in text
        assert value not in obs.target
        assert value not in obs.fix


def test_text_prefilter() -> None:
    assert not may_hold_setting("import os\nprint(os.getcwd())\n")
    assert may_hold_setting("app.secret_key = x")
    assert may_hold_setting("app.config.from_prefixed_env()")
    assert observe_text("x = (\n") == []  # nothing to look for: not even parsed


def test_text_prefilter_on_bytes() -> None:
    assert not may_hold_setting_bytes(b"import os\nprint(os.getcwd())\n")
    assert may_hold_setting_bytes(b"app.secret_key = x")
    # a latin-1 file still spells its names in ASCII bytes
    assert may_hold_setting_bytes("# coding: latin-1\nSECRET_KEY = 'cl\xe9'\n".encode("latin-1"))
    assert may_hold_setting_bytes(b"MY_KEY = 1", Options(names=frozenset({"MY_KEY"})))
    assert not may_hold_setting_bytes(b"SECRET_KEY = 1", Options(names=frozenset({"MY_KEY"})))


NAME_SETS = [
    frozenset({"SECRET_KEY", "JWT_SECRET_KEY", "secret_key"}),
    frozenset({"KEY", "MY_KEY", "KEY_2"}),
    frozenset({"from_prefixed_env_x", "x"}),
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(NAME_SETS),
    st.lists(
        st.sampled_from(["SECRET", "_KEY", "JWT_", "KEY", "MY_", "_2", "secret_key", "x", " ",
                         "from_prefixed_env", "from_", "prefixed_env", "é", "\n"]),
        max_size=8,
    ),
)  # fmt: skip
def test_bytes_prefilter_agrees_with_the_text_one(names: frozenset[str], parts: list[str]) -> None:
    """The byte prefilter tests fewer words (none that holds another): same answers."""
    text, options = "".join(parts), Options(names=names)
    assert may_hold_setting_bytes(text.encode("utf-8"), options) == may_hold_setting(text, options)


def test_split_lines_matches_the_tokenizer() -> None:
    assert split_lines("a\r\nb\rc\x0cd\ne") == ["a\r\n", "b\r", "c\x0cd\n", "e"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_any_line_ending_finds_the_same_lines(newline: str) -> None:
    # Columns are converted to characters on the lines as Python counts them.
    source = ["import os", "x = 1", 'SECRET_KEY = "abc"', "y = 2", 'app.secret_key = "def"']
    text = newline.join(source) + newline
    assert [(o.line, o.col) for o in observe_text(text)] == [(3, 13), (5, 17)]
    tree = ast.parse(text)  # the plugin's way: a tree and its lines
    found = observe(tree, lines=split_lines(text))
    assert [(o.line, o.col) for o in found] == [(3, 13), (5, 17)]


def test_huge_literal_values_are_not_built() -> None:
    (obs,) = observe_text('SECRET_KEY = "k" * 10**12')
    assert obs.source is Source.UNKNOWN or rules.code_for(obs) == "SKY100"
    (obs,) = observe_text('SECRET_KEY = "k" * 1000000000')
    assert rules.code_for(obs) == "SKY100"


def test_numbers_are_no_key() -> None:
    assert findings("SECRET_KEY = 1 + 2\nSECRET_KEY = 3 * 4\n") == []


def test_imports_and_base_classes_from_statements_that_spell_no_name() -> None:
    src = """
    from os import getenv
    from pydantic_settings import BaseSettings
    class Base(BaseSettings):
        debug: bool = False
    def unrelated():
        return 1
    class Settings(Base):
        secret_key: str = "k3y"
    KEY = getenv("SECRET_KEY", "k3y")
    @override_settings(
        SECRET_KEY="k3y-value",
    )
    def test_it():
        pass
    """
    assert findings(src) == [(9, 23, "SKY102"), (10, 28, "SKY102"), (12, 16, "SKY100")]


ALL_SNIPPETS = (
    [src for table in (SKY100_FAIL, SKY101_FAIL, SKY102_FAIL, SKY900_FAIL) for src, _ in table]
    + SKY100_PASS
    + SKY101_PASS
    + SKY102_PASS
    + SKY900_PASS
)


@pytest.mark.parametrize("src", ALL_SNIPPETS)
def test_lines_change_only_columns(src: str) -> None:
    # Without lines columns count UTF-8 bytes, as ast does; the settings found
    # are the same.
    text = textwrap.dedent(src)
    tree = ast.parse(text)
    walked = [(o.line, o.kind, o.source, o.target) for o in observe(tree)]
    filtered = [
        (o.line, o.kind, o.source, o.target) for o in observe(tree, lines=split_lines(text))
    ]
    assert filtered == walked


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(" \t\n\x0b\x1c\u2028\u3000\xa0-_aB\u0130\xdf"), max_size=12)
)
def test_known_key_matching_drops_what_the_pattern_drops(text: str) -> None:
    import re

    from flake8_secret_key.known_keys import normalize

    assert normalize(text) == re.sub(r"[\s\-_]+", "", text).casefold()
