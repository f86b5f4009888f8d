"""Secret keys in committed env and config files (SKY110), read with each format's parser.

A key moved out of ``app.py`` into a committed ``.env`` is still published with the
repository. ``check`` and ``report`` (never the flake8 plugin: it sees Python files
only) read these files, chosen by name (``config_kind``):

===========  ==========================================================================
format       files, and where a key is read
===========  ==========================================================================
dotenv       ``.env``, ``.env.*``, ``*.env``, ``.flaskenv``: python-dotenv's own parser
pyfile       ``*.cfg`` (``instance/*.cfg``, ``from_pyfile``): Python, the engine itself
ini          ``*.ini``: python-decouple's ``[settings]`` section (configparser)
compose      ``docker-compose*.yml``, ``compose*.yaml``: each service's ``environment:``
appengine    ``app.yaml``: ``env_variables`` (PyYAML's composer: positions, nothing built)
heroku       ``app.json``: ``env`` (a string, or ``{"value": ...}``)
json, toml   ``*.json``, ``*.toml`` (``app.config.from_file``): the top-level keys
===========  ==========================================================================

A file the app loads by a name of another kind (``from_pyfile("settings.conf")``,
``from_file("app.conf", load=json.load)``, a YAML loader) is named by the engine
(``engine.loads``) and read here as the call says (``analyze_config``'s ``kind``).

A variable counts when it is a configured name (upper-cased) or ``FLASK_`` and one
(``from_prefixed_env``). Empty values, reads (``${SECRET_KEY}``, ``$SECRET_KEY``), a
compose entry with no value (passed through from the shell) and comments are not
keys. Templates meant to be committed (``.env.example``, ``*.sample``,
``*.template``, ``*.dist``) are reported only for a value that is no placeholder
(``is_placeholder``). A file that its parser refuses is skipped: the app could not
load it either. Nothing is executed or interpolated: dotenv's ``${X}`` stays text,
YAML is composed (never constructed), configparser runs without interpolation.

The parsers are imported by the first file that needs one (PyYAML, python-dotenv,
json, tomllib, configparser), so neither flake8 nor a ``check`` of Python files
pays for them.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

from flake8_secret_key.engine import (
    Kind,
    Observation,
    Options,
    Source,
    SourceError,
    Span,
    env_name,
    may_hold_setting_bytes,
    observe_text,
)
from flake8_secret_key.source import decode

if TYPE_CHECKING:
    from collections.abc import Iterator

_HARDCODED = (Source.LITERAL, Source.PUBLISHED)

#: Largest config file read: a bigger one is data, not configuration.
MAX_CONFIG = 1 << 20

#: Endings of a template meant to be committed, holding placeholders by design.
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".default")
#: ``.cfg`` files that are INI for other tools, never loaded with ``from_pyfile``.
NOT_PYFILES = frozenset({"setup.cfg", "pyvenv.cfg", ".bumpversion.cfg"})
_ENDINGS = (".cfg", ".ini", ".yml", ".yaml", ".json", ".toml", ".env", *TEMPLATE_SUFFIXES)


def config_kind(base: str) -> str | None:
    """The format of a file named ``base`` (a base name), or None: not a config file.

    Called for every file a walk lists: most names fail the first test.
    """
    lower = base.lower()
    if not (lower.startswith(".env") or lower.endswith(_ENDINGS) or lower == ".flaskenv"):
        return None
    stem = _untemplated(lower)
    if stem in (".env", ".flaskenv") or stem.startswith(".env.") or stem.endswith(".env"):
        return "dotenv"
    if stem.endswith(".cfg"):
        return None if stem in NOT_PYFILES else "pyfile"
    if stem.endswith(".ini"):
        return "ini"
    if stem.endswith((".yml", ".yaml")):
        if stem.startswith(("docker-compose", "compose")):
            return "compose"
        return "appengine" if stem in ("app.yaml", "app.yml") else None
    if stem == "app.json":
        return "heroku"
    if stem.endswith(".json"):
        return "json"
    if stem.endswith(".toml"):
        return "toml"
    return None


def is_template(base: str) -> bool:
    """``.env.example``, ``settings.ini.sample``, ``app.json.dist``: committed on purpose."""
    lower = base.lower()
    return _untemplated(lower) != lower or lower in (".env.example", ".env.sample")


def _untemplated(lower: str) -> str:
    for suffix in TEMPLATE_SUFFIXES:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return lower[: -len(suffix)]
    return lower


# ------------------------------------------------------------------ placeholders

#: Words that make a template's value a placeholder, not a key.
_PLACEHOLDER = re.compile(
    r"(?i)change|replace|your|example|sample|placeholder|insert|put|here|todo|fixme|"
    r"generate|random|dummy|fake|secret|password|xxx|\.\.\.|[<>{}$\[\]*]"
)


def is_placeholder(value: str, options: Options) -> bool:
    """Whether a template's value stands for a key rather than being one.

    A key looks like one: 12 characters or more, at least 6 different ones, no
    placeholder word (``your``, ``change``, ``example``, ``secret``...) and not a
    published or guessable key (those are what templates are full of).
    """
    text = value.strip()
    if len(text) < 12 or len(set(text)) < 6 or _PLACEHOLDER.search(text):
        return True
    return options.known_keys.source_of(text) is not None


def is_read(value: str) -> bool:
    """An interpolation (``${SECRET_KEY}``, ``$SECRET_KEY``): the value comes from elsewhere."""
    text = value.strip()
    return text.startswith("$") or "${" in text


# ------------------------------------------------------------------ the entry point


def analyze_config(
    data: bytes, rel: str, options: Options, kind: str | None = None
) -> tuple[list[Observation], str | None]:
    """The secret-key settings of one config file's bytes, and an internal error (a
    bug of ours, one line) or None; never raises.

    ``rel`` is the file's path: its base name decides the format, unless ``kind``
    does (a file an app loads, whatever its name: ``engine.loads``). Hardcoded and
    published keys are ``Kind.CONFIG_ENTRY`` observations (SKY110); a ``.cfg``
    file's other observations are the engine's, as for any Python file.
    """
    base = rel.replace("\\", "/").rsplit("/", 1)[-1]
    kind = kind or config_kind(base)
    if kind is None or len(data) > MAX_CONFIG or not may_hold_setting_bytes(data, options):
        return [], None
    try:
        return list(_READERS[kind](data, options, base, is_template(base))), None
    except (RecursionError, MemoryError):
        return [], None
    except Exception as exc:
        if isinstance(exc, _parse_errors()):  # the app could not load it either
            return [], None
        return [], f"internal error ({type(exc).__name__}): please report"


def _parse_errors() -> tuple[type[BaseException], ...]:
    """What the parsers raise on a file they refuse (those of the imported parsers)."""
    errors: list[type[BaseException]] = [ValueError, SourceError]  # json, tomllib: ValueError
    yaml = sys.modules.get("yaml")
    if yaml is not None:
        errors.append(yaml.YAMLError)
    configparser = sys.modules.get("configparser")
    if configparser is not None:
        errors.append(configparser.Error)
    return tuple(errors)


def decode_text(data: bytes) -> str:
    """Config files are UTF-8 (a BOM is dropped); bytes that are not become U+FFFD."""
    return data.decode("utf-8-sig", "replace")


# ------------------------------------------------------------------ observations


class _Maker:
    """Builds the observation of one variable of one file."""

    def __init__(self, options: Options, base: str, template: bool, fmt: str, fix: str) -> None:
        self.options = options
        self.template = template
        # SECRET_KEY, not secret_key, when both are configured: the same every run.
        self.wanted = {env_name(n): env_name(n) for n in options.names}
        if template:
            fix = f"write a placeholder in FILE (a template, committed on purpose) and {_NEW}"
        self.fix = fix.replace("FILE", base)
        self.fmt = fmt

    def setting(self, key: str, upper: bool = True) -> str | None:
        """The setting a variable names (``SECRET_KEY``, ``FLASK_SECRET_KEY``), or None."""
        key = key.strip()
        key = key.upper() if upper else key
        if key in self.wanted:
            return self.wanted[key]
        if key.startswith("FLASK_") and key[6:] in self.wanted:
            return self.wanted[key[6:]]
        return None

    def make(self, name: str, var: str, value: str, span: Span, target: str) -> Observation | None:
        """The observation of ``var = value`` (None: no key there). In the formats that
        interpolate (dotenv, compose), ``${OTHER:-default}`` falls back to its default."""
        default = _DEFAULT.fullmatch(value.strip()) if self.fmt in _INTERPOLATING else None
        if default is not None and default[2]:
            value, var, source = default[2], default[1], Source.FALLBACK
        elif not value.strip() or is_read(value):
            return None
        else:
            source = Source.LITERAL
        if self.template and is_placeholder(value, self.options):
            return None
        published = self.options.known_keys.source_of(value)
        if published is not None and source is Source.LITERAL:
            source = Source.PUBLISHED
        return Observation(
            *span, name, Kind.CONFIG_ENTRY, target, source, self.fix, span, var, self.fmt,
            None, published,
        )  # fmt: skip


#: ``${VARIABLE:-default}`` or ``${VARIABLE-default}``, as docker compose and
#: python-dotenv (which Flask's ``load_dotenv`` runs with interpolation) read it.
_DEFAULT = re.compile(r"\$\{(\w+):?-([^}$]*)\}")
_INTERPOLATING = frozenset({"dotenv", "compose"})


_NO_SPAN = Span(1, 0, 1, 0)
#: How every fix ends: the key was published with the repository.
_NEW = "generate a new key: this one is in the repository"


def _span_at(text: str, start: int, end: int) -> Span:
    """The span of ``text[start:end]`` (1-based lines, 0-based columns)."""
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1)
    end_line = text.count("\n", 0, end) + 1
    end_col = end - (text.rfind("\n", 0, end) + 1)
    return Span(line, col, end_line, end_col)


#: A JSON string, or any other JSON token up to a separator.
_JSON_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"|[^,}\]\s]+')


def _find_value(text: str, key_pattern: str) -> Span:
    """Where the value after the first match of ``key_pattern`` is (best effort)."""
    match = re.search(key_pattern, text, re.MULTILINE)
    if match is None:
        return _NO_SPAN
    value = _JSON_VALUE.match(text, match.end())
    end = value.end() if value else match.end()
    return _span_at(text, match.end(), end)


# ------------------------------------------------------------------ readers


def _dotenv(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    """python-dotenv's parser: quoting, ``export``, comments and multi-line values,
    exactly as Flask (through python-dotenv) reads the file; no interpolation."""
    import io

    from dotenv.parser import parse_stream

    text = decode_text(data)
    maker = _Maker(
        options, base, template, "dotenv",
        "keep FILE out of git (git rm --cached FILE, list it in .gitignore) and generate a "
        "new key: this one is in the repository",
    )  # fmt: skip
    offsets = _line_offsets(text)
    for binding in parse_stream(io.StringIO(text)):
        if binding.key is None or binding.value is None or binding.error:
            continue
        name = maker.setting(binding.key, upper=False)
        if name is None:
            continue
        original = binding.original
        start = offsets[original.line - 1] if original.line <= len(offsets) else 0
        equals = original.string.find("=")
        raw = original.string[equals + 1 :].rstrip("\r\n")
        lead = len(raw) - len(raw.lstrip())
        first = start + equals + 1 + lead
        span = _span_at(text, first, first + len(_raw_value(raw.strip())))
        obs = maker.make(name, binding.key, binding.value, span, binding.key)
        if obs is not None:
            yield obs


def _raw_value(raw: str) -> str:
    """The value as written (quotes included, a trailing comment left out)."""
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        at = 1
        while at < len(raw):
            if raw[at] == "\\" and quote == '"':
                at += 2
                continue
            if raw[at] == quote:
                return raw[: at + 1]
            at += 1
        return raw
    return re.split(r"\s+#", raw, maxsplit=1)[0].rstrip()


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    at = text.find("\n")
    while at != -1:
        offsets.append(at + 1)
        at = text.find("\n", at + 1)
    return offsets


def _pyfile(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    """A ``from_pyfile`` file is Python: the engine reads it. A ``.cfg`` that is not
    Python (an INI for another tool) holds no Flask settings: skipped."""
    try:
        text = decode(data).text
        observations = observe_text(text, options, base)
    except SourceError:
        return
    lines = text.splitlines()
    for obs in observations:
        if template and (obs.source is not Source.LITERAL or _placeholder_at(lines, obs, options)):
            continue  # a template: only a plain key that is no placeholder
        if obs.source in _HARDCODED:
            yield obs._replace(kind=Kind.CONFIG_ENTRY)
        else:
            yield obs


def _placeholder_at(lines: list[str], obs: Observation, options: Options) -> bool:
    """Whether the value of ``obs`` (one line of a template) is a placeholder."""
    span = obs.value
    if span.end_line != span.line or not 0 < span.line <= len(lines):
        return False  # several lines: as long as a key
    return is_placeholder(lines[span.line - 1][span.col : span.end_col].strip("'\"bB "), options)


def _ini(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    """python-decouple's ``settings.ini``: the ``[settings]`` section, as configparser
    reads it (decouple's own reader), without interpolation."""
    import configparser

    text = decode_text(data)
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(text)
    if not parser.has_section("settings"):
        return
    maker = _Maker(
        options, base, template, "ini",
        "keep FILE out of git (python-decouple reads it where the app runs) and generate "
        "a new key: this one is in the repository",
    )  # fmt: skip
    section = re.search(r"(?im)^\s*\[settings\]", text)
    after = section.end() if section else 0
    for option, value in parser.items("settings"):
        name = maker.setting(option)
        if name is None:
            continue
        match = re.compile(rf"(?im)^\s*{re.escape(option)}\s*[=:]\s*").search(text, after)
        span = _NO_SPAN
        if match is not None:
            end = text.find("\n", match.end())
            span = _span_at(text, match.end(), len(text) if end == -1 else end)
        obs = maker.make(name, option.upper(), value, span, f"[settings] {option.upper()}")
        if obs is not None:
            yield obs


def _yaml() -> Any:
    """PyYAML, imported by the first YAML file (it ships no type hints)."""
    import yaml  # type: ignore[import-untyped, unused-ignore]

    return yaml


def _yaml_root(data: bytes) -> Any:
    """The YAML document's node tree (``yaml.compose``: positions kept, nothing built)."""
    yaml = _yaml()
    return yaml.compose(decode_text(data), Loader=yaml.SafeLoader)


def _mapping(node: Any) -> list[tuple[Any, Any]]:
    return list(node.value) if isinstance(node, _yaml().MappingNode) else []


def _get(node: Any, key: str) -> Any:
    for k, v in _mapping(node):
        if getattr(k, "value", None) == key:
            return v
    return None


def _scalar_span(node: Any) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column, end.line + 1, end.column)


def _env_entries(node: Any, maker: _Maker, where: str) -> Iterator[Observation]:
    """A YAML ``environment:`` or ``env_variables:``: a mapping, or ``- KEY=value`` items."""
    yaml = _yaml()
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or "=" not in item.value:
                continue  # "- SECRET_KEY": passed through from the shell
            key, _, value = item.value.partition("=")
            name = maker.setting(key, upper=False)
            if name is not None:
                obs = maker.make(name, key, value, _scalar_span(item), f"{where}: {key}")
                if obs is not None:
                    yield obs
        return
    for key, value in _mapping(node):
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            continue
        name = maker.setting(str(key.value), upper=False)
        if name is None or value.tag.endswith(":null"):
            continue  # no value: passed through from the shell
        obs = maker.make(
            name, key.value, value.value, _scalar_span(value), f"{where}: {key.value}"
        )
        if obs is not None:
            yield obs


def _compose(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    maker = _Maker(
        options, base, template, "compose",
        "read it from the environment: SECRET_KEY: ${SECRET_KEY} (set in an untracked .env "
        "or a secret), and generate a new key: this one is in the repository",
    )  # fmt: skip
    for _, service in _mapping(_get(_yaml_root(data), "services")):
        yield from _env_entries(_get(service, "environment"), maker, "environment")


def _appengine(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    maker = _Maker(
        options, base, template, "appengine",
        "keep the key out of app.yaml (Secret Manager, or an untracked included file) and "
        "generate a new key: this one is in the repository",
    )  # fmt: skip
    yield from _env_entries(_get(_yaml_root(data), "env_variables"), maker, "env_variables")


def _heroku(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    """Heroku's ``app.json``: ``"env": {"SECRET_KEY": {"generator": "secret"}}`` is the
    right way; a ``value`` (or a plain string) is a key published with the repository."""
    import json

    text = decode_text(data)
    env = json.loads(text).get("env") if text.lstrip().startswith("{") else None
    if not isinstance(env, dict):
        return
    maker = _Maker(
        options, base, template, "heroku",
        'let Heroku generate it: "SECRET_KEY": {"generator": "secret"}, and generate a new '
        "key: this one is in the repository",
    )  # fmt: skip
    for key, entry in env.items():
        name = maker.setting(key, upper=False)
        value = entry.get("value") if isinstance(entry, dict) else entry
        if name is None or not isinstance(value, str):
            continue
        pattern = rf'"{re.escape(key)}"\s*:\s*(?:\{{[^}}]*?"value"\s*:\s*)?'
        obs = maker.make(name, key, value, _find_value(text, pattern), f"env: {key}")
        if obs is not None:
            yield obs


_FROM_FILE_FIX = (
    "keep FILE out of git, or read the key from the environment "
    '(app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]), and generate a new key: '
    "this one is in the repository"
)


def _from_file(
    data: bytes, options: Options, base: str, template: bool, load: Any, pattern: str
) -> Iterator[Observation]:
    """``app.config.from_file``: the file's top-level upper-case keys become settings."""
    text = decode_text(data)
    loaded = load(text)
    if not isinstance(loaded, dict):
        return
    maker = _Maker(options, base, template, "from_file", _FROM_FILE_FIX)
    for key, value in loaded.items():
        name = maker.setting(key) if isinstance(key, str) and key.isupper() else None
        if name is None or not isinstance(value, str):
            continue
        span = _find_value(text, pattern.format(re.escape(key)))
        obs = maker.make(name, key, value, span, key)
        if obs is not None:
            yield obs


def _yaml_file(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    """``from_file`` with a YAML loader: the top-level keys, read from the composed nodes."""
    yaml = _yaml()
    maker = _Maker(options, base, template, "from_file", _FROM_FILE_FIX)
    for key, value in _mapping(_yaml_root(data)):
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            continue
        name = maker.setting(key.value) if str(key.value).isupper() else None
        if name is None or value.tag.endswith(":null"):
            continue
        obs = maker.make(name, key.value, value.value, _scalar_span(value), key.value)
        if obs is not None:
            yield obs


def _json(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    import json

    if not decode_text(data).lstrip().startswith("{"):
        return iter(())
    return _from_file(data, options, base, template, json.loads, r'"{}"\s*:\s*')


def _toml(data: bytes, options: Options, base: str, template: bool) -> Iterator[Observation]:
    from flake8_secret_key.pyproject_config import _toml_loads

    loads = _toml_loads()
    if loads is None:  # Python 3.10 without tomli
        return iter(())
    return _from_file(data, options, base, template, loads, r'^\s*"?{}"?\s*=\s*')


_READERS = {
    "dotenv": _dotenv,
    "pyfile": _pyfile,
    "ini": _ini,
    "compose": _compose,
    "appengine": _appengine,
    "heroku": _heroku,
    "json": _json,
    "toml": _toml,
    "yaml": _yaml_file,  # only a file loaded with from_file (engine.loads)
}
