"""Verdicts that explain themselves (issue 17, item 3), table-driven through the engine.

* an empty key is its own observation (SKY103, the ``empty-key`` verdict), never unknown;
* a member of an ``Enum`` (or another class that holds no settings) is no setting;
* a key drawn from ``random``, the clock, ``uuid1`` or a small range is guessable
  (SKY101), with its estimated bits; one from ``secrets``/``os.urandom`` is not;
* an ``unknown`` observation says what the scanner could not follow, by name.

Columns are 1-based, as flake8 prints them.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from flake8_secret_key import cmd_report, rules
from flake8_secret_key.engine import Options, Source, observe, split_lines
from flake8_secret_key.feedback import DEFAULT_FEEDBACK
from flake8_secret_key.options import make_config
from flake8_secret_key.report import RANK, VERDICTS, Row
from flake8_secret_key.submissions import list_submissions


def findings(src: str) -> list[tuple[int, int, str]]:
    text = textwrap.dedent(src)
    found = observe(ast.parse(text), Options(), split_lines(text))
    return [(o.line, o.col + 1, code) for o in found if (code := rules.code_for(o)) is not None]


def messages(src: str) -> list[str]:
    text = textwrap.dedent(src)
    found = observe(ast.parse(text), Options(), split_lines(text))
    return [m for o in found if (m := rules.message(o)) is not None]


def sources(src: str) -> list[Source]:
    text = textwrap.dedent(src)
    return [o.source for o in observe(ast.parse(text), Options(), split_lines(text))]


# --------------------------------------------------------------------------- empty keys

EMPTY_FAIL = [
    ("app.secret_key = ''", [(1, 18, "SKY103")]),
    ('SECRET_KEY = ""', [(1, 14, "SKY103")]),
    ('app.secret_key = b""', [(1, 18, "SKY103")]),
    ('app.config["SECRET_KEY"] = f""', [(1, 28, "SKY103")]),
    ('app.config.update(SECRET_KEY="")', [(1, 30, "SKY103")]),
    ('app.config.from_mapping({"SECRET_KEY": ""})', [(1, 40, "SKY103")]),
    ('class Config:\n    SECRET_KEY = ""', [(2, 18, "SKY103")]),
    ('KEY = ""\napp.secret_key = KEY', [(2, 18, "SKY103")]),
    ('app.secret_key = "".encode()', [(1, 18, "SKY103")]),
    ('app.secret_key = str("")', [(1, 18, "SKY103")]),
    ('SECRET_KEY = "" * 32', [(1, 14, "SKY103")]),
    ('setattr(app, "secret_key", "")', [(1, 28, "SKY103")]),
]

EMPTY_PASS = [
    # an unset variable leaves the key empty and sessions fail, as os.environ[...]
    # fails at start-up: the environment's, not an empty key written in the source
    'SECRET_KEY = os.environ.get("SECRET_KEY", "")',
    'SECRET_KEY = os.getenv("SECRET_KEY", b"")',
    'SECRET_KEY = os.environ.get("SECRET_KEY") or ""',
    'EMPTY = ""\nSECRET_KEY = os.environ.get("SECRET_KEY", EMPTY)',
    'SECRET_KEY = "" if os.environ.get("CI") else os.environ["SECRET_KEY"]',
    'from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    secret_key: str = ""',
    'secret_key = ""',  # a plain variable, no setting
    'SECRET_KEY_FILE = ""',
    'if app.secret_key == "":\n    raise RuntimeError("set SECRET_KEY")',
    'jwt.encode(payload, "", algorithm="HS256")',  # a library's own error, not a key
    'SECRET_KEY_FALLBACKS = ["", ""]',
]


@pytest.mark.parametrize(("src", "expected"), EMPTY_FAIL)
def test_empty_key_fires(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


@pytest.mark.parametrize("src", EMPTY_PASS)
def test_empty_key_does_not_fire(src: str) -> None:
    assert findings(src) == []


def test_an_empty_key_is_never_unknown() -> None:
    assert sources("app.secret_key = ''") == [Source.EMPTY]
    assert sources('SECRET_KEY = os.environ.get("SECRET_KEY", "")') == [Source.ENVIRONMENT]


def test_the_empty_key_message_says_sessions_fail() -> None:
    (text,) = messages("app.secret_key = ''")
    assert "empty key" in text and "Flask refuses to sign sessions" in text
    assert text.endswith('app.secret_key = os.environ["SECRET_KEY"]')
    (jwt,) = messages('JWT_SECRET_KEY = ""')
    assert "empty key" in jwt and "Flask" not in jwt


def test_sky103_is_on_by_default() -> None:
    assert rules.RULES["SKY103"].default_on
    assert "SKY103" not in rules.DEFAULT_OFF


# --------------------------------------------------------------------------- report

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def mark(root: Path, files: dict[str, str]) -> dict[str, Row]:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    rows = cmd_report.mark_all(list_submissions(str(root)), make_config(), jobs=1)
    return {row.submission: row for row in rows}


def test_report_empty_key_verdict(tmp_path: Path) -> None:
    rows = mark(
        tmp_path,
        {
            "ada/app.py": FLASK + "app.secret_key = ''\n",
            "bob/app.py": FLASK + 'app.secret_key = ""\napp.secret_key = "dev"\n',
            "cy/app.py": FLASK + "import os\napp.secret_key = os.environ.get('SECRET_KEY', '')\n",
            "di/app.py": FLASK + "app.secret_key = ''\napp.secret_key = load_key()\n",
        },
    )
    assert {name: row.verdict for name, row in rows.items()} == {
        "ada": "empty-key",
        "bob": "published-key",  # the worst observation decides
        "cy": "environment",
        "di": "empty-key",  # known and broken beats unknown
    }
    assert rows["ada"].first_location == "app.py:3"
    (finding,) = rows["ada"].observations
    assert finding.code == "SKY103" and "empty key" in finding.message


def test_empty_key_verdict_ranks_between_leaks_and_guesses() -> None:
    assert RANK["fallback"] < RANK["empty-key"] < RANK["generated"] < RANK["unknown"]
    assert "empty-key" in VERDICTS and "refuses" in DEFAULT_FEEDBACK["empty-key"]


def test_fix_rewrites_an_empty_key_and_keeps_nothing() -> None:
    from flake8_secret_key.fix import fix_text

    result = fix_text("import os\napp.secret_key = ''\n")
    assert result.text == 'import os\napp.secret_key = os.environ["SECRET_KEY"]\n'
    (var,) = result.env_vars
    assert var.name == "SECRET_KEY" and var.old_value is None and "empty" in (var.note or "")


# --------------------------------------------------------------------------- enum members

ENUM_PASS = [
    "from enum import Enum, auto\nclass Keys(Enum):\n    SECRET_KEY = auto()",
    'from enum import Enum\nclass Keys(Enum):\n    SECRET_KEY = "secret-key-setting"',
    "import enum\nclass Keys(enum.IntEnum):\n    SECRET_KEY = 1",
    'import enum as e\nclass Keys(e.StrEnum):\n    SECRET_KEY = "k3y-name-value"',
    'from enum import Enum as Base\nclass Keys(Base):\n    SECRET_KEY = "k3y-name-value"',
    "from enum import Flag\nclass Keys(Flag):\n    SECRET_KEY = 4",
    'from enum import IntFlag\nclass Keys(IntFlag):\n    SECRET_KEY = ""',
    'from enum import Enum\nclass Keys(str, Enum):\n    SECRET_KEY = "k3y-name-value"',
    'from enum import EnumMeta\nclass Keys(metaclass=EnumMeta):\n    SECRET_KEY = "k3y-name"',
    # an enum without members, subclassed in the same module
    "from enum import Enum\nclass Base(Enum):\n    pass\n"
    'class Keys(Base):\n    SECRET_KEY = "k3y-abc"',
    'from django.db import models\nclass K(models.TextChoices):\n    SECRET_KEY = "sk", "Secret"',
    'class Keys(Enum):\n    SECRET_KEY = "k3y-name-value"',  # Enum never imported: its name
    "class ConfigSettingNames:\n    SECRET_KEY = auto()",  # only a member is set to auto()
    "from enum import Enum, auto\nclass Keys(Enum):\n    SECRET_KEY = auto()\n"
    "    JWT_SECRET_KEY = auto()\nprint(Keys.SECRET_KEY.name)",
]

ENUM_FAIL = [
    ('class Config:\n    SECRET_KEY = "k3y-value"', [(2, 18, "SKY100")]),
    (
        'class Config:\n    SECRET_KEY = "k3y-value"\nclass Dev(Config):\n    SECRET_KEY = "dev"',
        [(2, 18, "SKY100"), (4, 18, "SKY101")],
    ),
    ('class Config(object):\n    SECRET_KEY = ""', [(2, 18, "SKY103")]),
    # a class named like an enum's member, or an Enum of another module than enum
    (
        'from myenums import Enum\nclass Config(Enum):\n    SECRET_KEY = "k3y-value"',
        [(3, 18, "SKY100")],
    ),
    # the enum's members are no settings; a setting after it still is
    (
        'from enum import Enum\nclass Keys(Enum):\n    SECRET_KEY = "a-b-c-d"\n'
        'SECRET_KEY = "k3y-value"',
        [(4, 14, "SKY100")],
    ),
    # a Flask config class nested in an enum's module, with Enum imported
    (
        'import enum\nclass Config:\n    SECRET_KEY = "k3y-value"\n'
        "class Color(enum.Enum):\n    RED = 1",
        [(3, 18, "SKY100")],
    ),
]


@pytest.mark.parametrize("src", ENUM_PASS)
def test_enum_member_is_no_setting(src: str) -> None:
    assert sources(src) == []


@pytest.mark.parametrize(("src", "expected"), ENUM_FAIL)
def test_config_classes_still_fire(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


# --------------------------------------------------------------------------- weak random keys

RANDOM = "import os, random, secrets, string, time, uuid\nfrom random import randint\n"

WEAK_FAIL = [
    # the buggy-race course's server: about 33 bits from a non-cryptographic generator
    (
        'app.config["SECRET_KEY"] = f"{randint(10000, 99999)}-secret-{randint(10000, 99999)}"',
        33,
    ),
    ('app.secret_key = "".join(random.choice(string.ascii_letters) for _ in range(8))', 46),
    ("app.secret_key = ''.join(random.choices('abcdef0123456789', k=12))", 48),
    ("app.secret_key = str(random.randint(0, 10**6))", 20),
    ("app.secret_key = random.getrandbits(128)", 128),
    ("app.secret_key = random.randbytes(32).hex()", 256),
    ("rng = random.Random()\napp.secret_key = rng.choice(['a', 'b', 'c', 'd'])", 2),
    ("SECRET_KEY = str(random.random())", 53),
    ('SECRET_KEY = "%s-%s" % (random.randrange(1000), random.randrange(1000))', 20),
    ("SECRET_KEY = hashlib.sha256(str(time.time()).encode()).hexdigest()", 36),
    ("SECRET_KEY = str(uuid.uuid1())", 54),
    ("SECRET_KEY = uuid.uuid1().hex", 54),
    ("SECRET_KEY = secrets.randbelow(100000)", 17),  # cryptographic, but a small range
    ("SECRET_KEY = os.urandom(4)", 32),
    ('SECRET_KEY = "".join(secrets.choice(string.digits) for _ in range(6))', 20),
    ("SECRET_KEY = secrets.token_hex(4)", 32),
    ('SECRET_KEY = os.environ.get("SECRET_KEY", str(randint(1, 999)))', 10),
    ('SECRET_KEY = os.environ.get("SECRET_KEY") or str(randint(1, 999))', 10),
    ("KEY = randint(1000, 9999)\nJWT_SECRET_KEY = f'jwt-{KEY}'", 13),
]

WEAK_PASS = [
    "SECRET_KEY = secrets.token_hex()",
    "SECRET_KEY = secrets.token_urlsafe(32)",
    "SECRET_KEY = os.urandom(32)",
    "SECRET_KEY = os.urandom(24).hex()",
    "SECRET_KEY = uuid.uuid4().hex",
    "SECRET_KEY = str(uuid.uuid4())",
    'SECRET_KEY = "".join(random.SystemRandom().choice(string.ascii_letters) for _ in range(50))',
    "sr = random.SystemRandom()\n"
    "SECRET_KEY = ''.join(sr.choice(string.hexdigits) for _ in range(64))",
    'SECRET_KEY = os.environ.get("SECRET_KEY", secrets.token_hex())',
    # not a key: random values elsewhere
    "nonce = randint(10000, 99999)",
    "secret_key = random.random()",  # a plain variable
    "app.config['PORT'] = randint(8000, 9000)",
    # unknown sizes, unknown generators: nothing to estimate
    "SECRET_KEY = mylib.randint(1, 10)",
    "SECRET_KEY = randrange(1, 10)",  # randrange never imported: not random's
    "from numpy.random import randint\nSECRET_KEY = str(randint(1, 10))",
]


@pytest.mark.parametrize(("src", "bits"), WEAK_FAIL)
def test_weak_random_key_is_guessable(src: str, bits: int) -> None:
    code = RANDOM + src
    (finding,) = findings(code)
    assert finding[0] == code.count("\n") + 1 and finding[2] == "SKY101"
    (text,) = messages(code)
    assert f"guessable (about {bits} bits" in text


@pytest.mark.parametrize("src", WEAK_PASS)
def test_strong_or_unknown_draw_is_not_guessable(src: str) -> None:
    assert all(code != "SKY101" for *_, code in findings(RANDOM + src))


def test_cryptographic_draws_stay_generated() -> None:
    for src in WEAK_PASS[:8]:
        assert [code for *_, code in findings(RANDOM + src)] == ["SKY900"], src


def test_weak_key_messages_name_the_generator() -> None:
    (course,) = messages(RANDOM + WEAK_FAIL[0][0])
    assert "from random.randint, not a cryptographic generator" in course
    (clock,) = messages(RANDOM + "SECRET_KEY = str(time.time())")
    assert "a reading of the clock (time.time)" in clock
    (seeded,) = messages(RANDOM + "SECRET_KEY = str(random.Random(42).random())")
    assert "seeded with a constant" in seeded
    (fallback,) = messages(RANDOM + WEAK_FAIL[16][0])
    assert "when SECRET_KEY is unset" in fallback


def test_fix_writes_a_new_key_for_a_weak_one() -> None:
    from flake8_secret_key.fix import fix_text

    result = fix_text(RANDOM + 'app.secret_key = f"k-{randint(1, 999)}"\n')
    assert result.text.endswith('app.secret_key = os.environ["SECRET_KEY"]\n')
    (var,) = result.env_vars
    assert var.old_value is None and "guessable" in (var.note or "")


# --------------------------------------------------------------------------- unknown, by name

IMPORTS = (
    "import json, os\nfrom pathlib import Path\nfrom keys import load_key\n"
    "from settings_local import SECRET_KEY as LOCAL\nfrom django.conf import settings\n"
)

UNKNOWN_REASONS = [
    ("app.secret_key = load_key()", "read from load_key() (a call the scanner cannot follow"),
    ("app.secret_key = load_key()", "imported from keys"),
    ("app.secret_key = get_key()", "read from get_key() (a call the scanner cannot follow)"),
    ("app.secret_key = LOCAL", "imported from settings_local"),
    ('app.secret_key = open("instance/key.txt").read().strip()', "the file instance/key.txt"),
    ('app.secret_key = Path("key.txt").read_text()', "read from the file key.txt"),
    ('app.secret_key = json.load(open("c.json"))["SECRET_KEY"]', "read from the file c.json"),
    ("app.secret_key = open(path).read()", "read from a file"),
    ("app.secret_key = settings.SECRET_KEY", "settings.SECRET_KEY (imported from django.conf)"),
    ("app.secret_key = config.KEY", "config.KEY (an attribute the scanner cannot follow)"),
    ("app.secret_key = None", "set to None (no key"),
    ('app.secret_key = f"{PREFIX}-key"', "built from PREFIX (an f-string"),
    ("KEY = load_key()\napp.secret_key = KEY", "read from load_key()"),
    ("def create(key):\n    app.secret_key = key", "set from key, a parameter"),
    ("app.secret_key = KEY", "KEY, a name bound nowhere in this file"),
    (
        'app.secret_key = os.environ.get("SECRET_KEY", load_key())',
        "read from SECRET_KEY in the environment, or when it is unset read from load_key()",
    ),
]


@pytest.mark.parametrize(("src", "reason"), UNKNOWN_REASONS)
def test_unknown_says_what_it_could_not_follow(src: str, reason: str) -> None:
    text = textwrap.dedent(IMPORTS + src)
    (obs,) = observe(ast.parse(text), Options(), split_lines(text))
    assert obs.source is Source.UNKNOWN and rules.code_for(obs) is None
    assert reason in (obs.unknown or "")
    assert rules.message(obs) == f"{obs.target} is {obs.unknown}: check it by hand."


def test_unknown_reason_never_shows_a_value() -> None:
    (text,) = messages('app.secret_key = decrypt("s3cr3t-v4lue-abc", k="other-s3cr3t")')
    assert "s3cr3t" not in text and "read from decrypt()" in text


def test_report_unknown_rows_name_what_they_could_not_follow(tmp_path: Path) -> None:
    rows = mark(
        tmp_path,
        {
            "ada/app.py": FLASK + "from keys import load_key\napp.secret_key = load_key()\n",
            "bob/app.py": FLASK + "from settings_local import SECRET_KEY\n"
            "app.secret_key = SECRET_KEY\n",
            "cy/app.py": FLASK + 'app.secret_key = open("secret.txt").read()\n',
        },
    )
    assert {name: row.verdict for name, row in rows.items()} == dict.fromkeys(
        ("ada", "bob", "cy"), "unknown"
    )
    said = {name: row.observations[0].message for name, row in rows.items()}
    assert said == {
        "ada": "app.secret_key is read from load_key() (a call the scanner cannot follow, "
        "imported from keys): check it by hand.",
        "bob": "app.secret_key is imported from settings_local: check it by hand.",
        "cy": "app.secret_key is read from the file secret.txt: check it by hand.",
    }


def test_a_guessable_draw_is_not_a_key_of_the_history(tmp_path: Path) -> None:
    """The draw is made at start-up: no commit holds the key, so nothing to rotate."""
    import subprocess

    from flake8_secret_key.cli import main

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    app = tmp_path / "app.py"
    app.write_text(RANDOM + FLASK + 'app.secret_key = f"k-{randint(1, 999)}"\n')
    git("add", "app.py")
    git("commit", "-qm", "weak")
    app.write_text(FLASK + 'import os\napp.secret_key = os.environ["SECRET_KEY"]\n')
    git("commit", "-qam", "fixed")
    assert main(["check", "--history", str(tmp_path)]) == 0


def test_a_large_draw_from_random_is_predictable_not_searched() -> None:
    (text,) = messages(RANDOM + "SECRET_KEY = random.getrandbits(128)")
    assert "about 128 bits from random.getrandbits, not a cryptographic generator" in text
    assert "other outputs can predict it" in text and "one session cookie" not in text
    (small,) = messages(RANDOM + WEAK_FAIL[0][0])
    assert "recover it from one session cookie" in small
