"""The files a Flask app loads its configuration from: ``from_pyfile`` and ``from_file``.

``app.config.from_pyfile("settings.conf")`` runs ``settings.conf`` as Python, and
``app.config.from_file("config.json", load=json.load)`` reads ``config.json``: a key
in either is a key of the app, whatever the file is called. ``check`` and ``report``
find most such files by name (``config_files.config_kind``: ``*.cfg``, ``*.json``,
``*.toml``); this module names the others, from the calls that load them, so the
front ends can read them with the right parser.

Pure, as the rest of the engine: a tree in, ``Load`` records out; where a name
points (``candidates``) is computed on ``/``-separated paths, and the front ends ask
their own folder or zip whether it is there. Never used by the flake8 plugin, which
sees one Python file.

Both count on a config (``app.config``, ``self.config``, ``config``), ``from_file``
with a ``load`` argument. What is followed: a string literal,
``os.path.join(anything, "a", "b")`` and ``anything / "a" / "b"`` (the literal parts,
taken as relative to the app's folder, which the first part almost always is:
``app.root_path``, ``BASE_DIR``). A name read
from the environment (``from_envvar``), an absolute path or an f-string is not a file
of the repository, or not one that can be named: skipped.
"""

from __future__ import annotations

import ast
import posixpath
from typing import NamedTuple

from flake8_secret_key.engine.model import Observation, Options, SourceError, may_hold_setting
from flake8_secret_key.engine.nodes import dotted, str_const
from flake8_secret_key.engine.observer import observe_parsed, parse_within_budget

#: The methods that load a config file.
LOAD_METHODS = ("from_pyfile", "from_file")
#: What a module spells when it loads one (the text test before a parse): Flask's
#: methods are a config's (``from_file`` alone is a common name: ``ZoneInfo.from_file``).
LOAD_WORDS = ("config.from_pyfile", "config.from_file")
_LOAD_BYTES = tuple(word.encode() for word in LOAD_WORDS)
#: What both spell: one search rules out almost every file.
_PREFIX = b"config.from_"

#: ``from_file``'s ``load=`` callables, by the format they read (dotted-name endings).
_LOADERS = (
    ("json", ("json.load", "json.loads")),
    ("toml", ("tomllib.load", "tomli.load", "toml.load", "tomllib.loads", "toml.loads")),
    ("yaml", ("yaml.safe_load", "yaml.load", "yaml.full_load")),
)
#: The format of a ``from_file`` whose loader is not known, by the file's ending.
_ENDINGS = {".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}


class Load(NamedTuple):
    """One file a module loads: the name as written (``/``-separated), its format
    (``pyfile``: Python; ``json``, ``toml``, ``yaml``: ``from_file``'s loader) and the
    line of the call."""

    name: str
    format: str
    line: int


def may_load(text: str) -> bool:
    """Cheap text test: can this source load a config file at all?"""
    return any(word in text for word in LOAD_WORDS)


def may_load_bytes(data: bytes) -> bool:
    """``may_load`` on undecoded source (the words are ASCII). ``check`` and ``report``
    ask it of every file, so it searches once for what both words share."""
    return _PREFIX in data and any(word in data for word in _LOAD_BYTES)


def observe_with_loads(
    text: str, options: Options, filename: str = "<unknown>"
) -> tuple[list[Observation], list[Load]]:
    """``observe_text``, and the config files the text loads, from one parse.

    Raises ``SourceError`` as ``observe_text`` does for a text that spells a setting
    name. One that only loads a file is looked at for its loads alone: if it does not
    parse, it has none (its errors are flake8's to report, as before).
    """
    spells = may_hold_setting(text, options)
    if not (spells or may_load(text)):
        return [], []
    if not spells:
        try:
            return [], loads_in(parse_within_budget(text, options, filename))
        except SourceError:
            return [], []
    tree = parse_within_budget(text, options, filename)
    observations = observe_parsed(tree, text, options)
    return observations, loads_in(tree) if may_load(text) else []


def loads_in(tree: ast.AST) -> list[Load]:
    """Every config file ``tree`` loads by a name it spells, in source order."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            load = _load(node, node.func.attr)
            if load is not None:
                found.append(load)
    found.sort(key=lambda load: load.line)
    return found


def _load(call: ast.Call, method: str) -> Load | None:
    receiver = dotted(call.func.value) if isinstance(call.func, ast.Attribute) else None
    if method not in LOAD_METHODS or not (receiver or "").endswith("config"):
        return None
    arg = _argument(call, 0, "filename")
    name = _file_name(arg) if arg is not None else None
    if name is None:
        return None
    if method == "from_pyfile":
        return Load(name, "pyfile", call.lineno)
    loader = _argument(call, 1, "load")  # from_file(filename, load, silent, text)
    if loader is None:
        return None  # another library's from_file (ZoneInfo.from_file(fobj)...)
    spelled = dotted(loader) or ""
    for fmt, endings in _LOADERS:
        if spelled in endings or spelled.endswith(tuple("." + e for e in endings)):
            return Load(name, fmt, call.lineno)
    by_ending = _ENDINGS.get(posixpath.splitext(name)[1].lower())
    return Load(name, by_ending, call.lineno) if by_ending is not None else None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _file_name(node: ast.expr) -> str | None:
    """The relative file name an argument spells, ``/``-separated, or None."""
    text = str_const(node)
    if text is None:
        parts = _joined_parts(node)
        text = "/".join(parts) if parts else None
    if not text or "\x00" in text:
        return None
    text = text.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):  # absolute: not ours
        return None
    return text


def _joined_parts(node: ast.expr) -> list[str] | None:
    """The literal tail of ``os.path.join(base, "a", "b")`` or ``base / "a" / "b"``."""
    if isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("path.join"):
        tail = [str_const(arg) for arg in node.args[1:]]
        if tail and all(part is not None for part in tail):
            return [part for part in tail if part is not None]
        return None
    parts: list[str] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        part = str_const(node.right)
        if part is None:
            return None
        parts.append(part)
        node = node.left
    return list(reversed(parts)) or None


def candidates(module: str, name: str) -> list[str]:
    """Where ``name``, loaded by the module at ``module`` (both ``/``-separated,
    relative to the project's root), may be, most likely first.

    Flask reads the name relative to the app's ``root_path`` (the folder of the module
    that made the app), or with ``instance_relative_config=True`` to its instance
    folder: ``instance/`` beside a module, or beside a package's folder. A name that
    leaves the project (``../../etc/app.cfg``) has no candidate.
    """
    folder = posixpath.dirname(module)
    found = []
    for base in (folder, posixpath.join(folder, "instance"), _parent_instance(folder)):
        if base is None:
            continue
        path = posixpath.normpath(posixpath.join(base, name))
        if path != ".." and not path.startswith("../") and path not in found:
            found.append(path)
    return found


def _parent_instance(folder: str) -> str | None:
    return posixpath.join(posixpath.dirname(folder), "instance") if folder else None
