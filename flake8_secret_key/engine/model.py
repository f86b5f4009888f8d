"""What the engine reports: observations, their sources and kinds, and the options.

An *observation* is one secret-key setting the engine saw: where its value is, how
the setting was written, and where the value comes from (``Source``). The front ends
decide what to say about it: ``rules.code_for`` maps sources to SKY codes, and
``report`` also shows the environment observations.
"""

# No ``from __future__ import annotations`` here: typing.NamedTuple turns each string
# annotation into a ForwardRef, compiled once per field, on the flake8 plugin's
# start-up (0.13 ms of this module's 0.77); these annotations evaluate as they are.

from bisect import bisect_right
from collections.abc import Sequence
from enum import Enum
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from flake8_secret_key.engine.libraries import TRIGGER_WORDS
from flake8_secret_key.known_keys import BUILTIN, KnownKeys

DEFAULT_NAMES: tuple[str, ...] = (
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "WTF_CSRF_SECRET_KEY",
    "JWT_SECRET_KEY",
    "SECURITY_PASSWORD_SALT",
    "secret_key",
)

#: Settings whose value is a list of keys (each hardcoded element is reported).
LIST_SETTINGS = frozenset({"SECRET_KEY_FALLBACKS"})


class Source(Enum):
    """Where a secret key's value comes from."""

    LITERAL = "literal"  # written in the source (or computed only from literals)
    PUBLISHED = "published"  # a published example key
    FALLBACK = "fallback"  # read from the environment, hardcoded when unset
    GENERATED = "generated"  # generated at start-up (os.urandom, secrets, uuid4)
    ENVIRONMENT = "environment"  # read from the environment, no fallback: right
    EMPTY = "empty"  # "" or b"": Flask refuses to sign sessions with it
    UNKNOWN = "unknown"  # anything else: files, other modules, calls, None


#: The sources of a value written in the source.
HARDCODED = (Source.LITERAL, Source.PUBLISHED)


class Kind(Enum):
    """How a setting is written."""

    ATTRIBUTE = "attribute"  # app.secret_key = v
    SETATTR = "setattr"  # setattr(app, "secret_key", v)
    SUBSCRIPT = "subscript"  # app.config["SECRET_KEY"] = v
    NAME = "name"  # SECRET_KEY = v (module or class level)
    KEYWORD = "keyword"  # f(SECRET_KEY=v), SessionMiddleware(app, secret_key=v)
    ARGUMENT = "argument"  # a library's positional secret: jwt.encode(payload, v)
    DICT_ENTRY = "dict-entry"  # {"SECRET_KEY": v}
    PAIR = "pair"  # config.update([("SECRET_KEY", v)])
    SETDEFAULT = "setdefault"  # config.setdefault("SECRET_KEY", v)
    DEFAULT = "default"  # def create_app(secret_key=v)
    FIELD = "field"  # pydantic BaseSettings field: secret_key: str = v
    ENV_SCHEMA = "env-schema"  # django-environ: environ.Env(SECRET_KEY=(str, v))
    ENV_READ = "env-read"  # a read of a secret-key variable, outside any setting
    PREFIXED_ENV = "prefixed-env"  # app.config.from_prefixed_env()
    CONFIG_ENTRY = "config-entry"  # a key in an env or config file kept with the code


class Span(NamedTuple):
    """A region: 1-based lines, 0-based columns, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int


class Observation(NamedTuple):
    """One secret-key setting the engine saw."""

    line: int
    col: int
    end_line: int
    end_col: int
    name: str  # the setting: "SECRET_KEY", "secret_key", "JWT_SECRET_KEY"...
    kind: Kind
    target: str  # how it was written: 'app.config["SECRET_KEY"]'
    source: Source
    fix: str  # the corrected code for this very place
    value: Span  # the expression ``fix`` replaces (may be where ``via`` is bound)
    env_var: str | None = None  # the environment variable read, when there is one
    reader: str | None = None  # "os", "decouple", "environs", "pydantic", ...
    via: str | None = None  # the name the value came through (KEY = "x")
    published: str | None = None  # where a published example key was published
    predictable: bool = False  # e.g. __name__: not a literal, just as guessable
    signs: str = "sessions"  # what anyone who knows the key can forge (per library)
    manual: str | None = None  # why ``fix`` leaves it to be rewritten by hand
    unknown: str | None = None  # for an unknown value: what could not be followed (unknown.py)
    drawn: bool = False  # drawn at start-up (a guessable one is SKY101): no key in the source


#: Most tokens (words and symbols: ``observer.count_over``) in a source that
#: ``observe_text`` parses: the memory budget of one file, 512 MB. Parsing and
#: analysing take 400-1,800 bytes per token (some 550 for everyday code, 1,800 for
#: a file of one-name statements; measured with ``getrusage`` in fresh processes),
#: while string literals and comments cost next to nothing whatever their length.
#: Everyday code at the cap is about 700 KB; a file that sets a key is seldom a
#: tenth of that.
MAX_TOKENS = 256 * 1024


class Options(NamedTuple):
    """What the engine looks for. Built once per run (see ``options.Config``)."""

    names: frozenset[str] = frozenset(DEFAULT_NAMES)
    known_keys: KnownKeys = BUILTIN
    max_tokens: int = MAX_TOKENS  # a text with more is a SourceError, never parsed


DEFAULT_OPTIONS = Options()


class SourceError(ValueError):
    """Source that cannot be analysed; ``str()`` is a one-line reason."""


def env_name(setting: str) -> str:
    """The environment variable named after a setting (``secret_key`` -> ``SECRET_KEY``)."""
    return setting.upper()


@lru_cache(maxsize=8)
def trigger_words(names: frozenset[str]) -> tuple[str, ...]:
    """What a setting must spell: a configured name, ``from_prefixed_env``, or a
    signing library's word (``libraries.TRIGGER_WORDS``: ``jwt``, ``itsdangerous``,
    ``cookie_secret``...). Words that hold another one (``JWT_SECRET_KEY`` holds
    ``SECRET_KEY``) are left out: a text spells a trigger word exactly when it spells one
    of these."""
    words = {*names, "from_prefixed_env", *TRIGGER_WORDS}
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


def spelled_lines(lines: Sequence[str] | None, names: frozenset[str]) -> list[int] | None:
    """The numbers of the lines that spell a setting name, in order (None: no lines)."""
    if lines is None:
        return None
    text = "".join(lines)
    ends = list(accumulate(map(len, lines)))  # where each line ends in ``text``
    spelled = set()
    for word in trigger_words(names):  # str.find: a few scans at memchr speed
        at = text.find(word)
        while at != -1:
            spelled.add(bisect_right(ends, at) + 1)
            at = text.find(word, at + 1)
    return sorted(spelled)


@lru_cache(maxsize=8)
def _trigger_bytes(names: frozenset[str]) -> tuple[bytes, ...]:
    return tuple(word.encode("utf-8") for word in trigger_words(names))


def may_hold_setting(text: str, options: Options = DEFAULT_OPTIONS) -> bool:
    """Cheap text test: can this source hold a setting at all?

    Every setting the engine reports spells a configured name, but
    ``from_prefixed_env()``; a file without any is not parsed or walked.
    """
    return any(word in text for word in trigger_words(options.names))


def may_hold_setting_bytes(data: bytes, options: Options = DEFAULT_OPTIONS) -> bool:
    """``may_hold_setting`` on undecoded source: Python source is ASCII-compatible,
    so a name it spells is in its bytes, whatever its coding cookie says."""
    return any(word in data for word in _trigger_bytes(options.names))
