"""The detection engine: an ``ast`` tree (plus options) in, observations out.

Pure: no I/O, no flake8, no libcst, and the tree is never mutated (other flake8
plugins share it). Every front end (the flake8 plugin, ``check``, ``report`` and
``fix``) calls ``observe``; none of them has a detector of its own.

An *observation* is one secret-key setting the engine saw: where the value is,
how the setting was written, and where its value comes from (``Source``). The
front ends decide what to say: ``rules.code_for`` maps sources to SKY codes,
``report`` also needs the environment observations.

Columns are 0-based *character* offsets when ``lines`` is given (``ast`` itself
counts UTF-8 bytes), so an editor underlines the right characters.

The walk is iterative and value analysis is depth-bounded, so deeply nested
expressions cannot raise ``RecursionError``.
"""

from __future__ import annotations

# The node classes, without the ast module: it costs check and report ~1.6 ms of
# start-up (its unparser, contextlib...) for the two helpers ``walk`` and
# ``parse`` below replace. Trees from ``ast.parse`` hold these very classes.
import _ast as ast
import io
import itertools
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from flake8_secret_key.known_keys import BUILTIN, KnownKeys

# Neither re, enum nor functools: check and report load this module at start-up,
# and with them it cost ~4 ms more. re is imported where a pattern is used.
if TYPE_CHECKING:
    import re
    from collections.abc import Iterable, Iterator, Sequence

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

#: How deep value analysis follows an expression before giving up (as unknown).
MAX_DEPTH = 60
#: Longest literal value the engine computes (``"k" * 10**9`` is not built).
MAX_VALUE = 4096


class Source(Enum):
    """Where a secret key's value comes from."""

    LITERAL = "literal"  # written in the source (or computed only from literals)
    PUBLISHED = "published"  # a published example key
    FALLBACK = "fallback"  # read from the environment, hardcoded when unset
    GENERATED = "generated"  # generated at start-up (os.urandom, secrets, uuid4)
    ENVIRONMENT = "environment"  # read from the environment, no fallback: right
    UNKNOWN = "unknown"  # anything else: files, other modules, calls, None


class Kind(Enum):
    """How a setting is written."""

    ATTRIBUTE = "attribute"  # app.secret_key = v
    SETATTR = "setattr"  # setattr(app, "secret_key", v)
    SUBSCRIPT = "subscript"  # app.config["SECRET_KEY"] = v
    NAME = "name"  # SECRET_KEY = v (module or class level)
    KEYWORD = "keyword"  # f(SECRET_KEY=v), SessionMiddleware(app, secret_key=v)
    DICT_ENTRY = "dict-entry"  # {"SECRET_KEY": v}
    PAIR = "pair"  # config.update([("SECRET_KEY", v)])
    SETDEFAULT = "setdefault"  # config.setdefault("SECRET_KEY", v)
    DEFAULT = "default"  # def create_app(secret_key=v)
    FIELD = "field"  # pydantic BaseSettings field: secret_key: str = v
    ENV_SCHEMA = "env-schema"  # django-environ: environ.Env(SECRET_KEY=(str, v))
    ENV_READ = "env-read"  # a read of a secret-key variable, outside any setting
    PREFIXED_ENV = "prefixed-env"  # app.config.from_prefixed_env()


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
    via: str | None = None  # the module name the value came through (KEY = "x")
    published: str | None = None  # where a published example key was published
    predictable: bool = False  # e.g. __name__: not a literal, just as guessable


class Options(NamedTuple):
    """What the engine looks for. Built once per run (see ``options.Config``)."""

    names: frozenset[str] = frozenset(DEFAULT_NAMES)
    known_keys: KnownKeys = BUILTIN


DEFAULT_OPTIONS = Options()


def env_name(setting: str) -> str:
    """The environment variable named after a setting (``secret_key`` -> ``SECRET_KEY``)."""
    return setting.upper()


def split_lines(text: str) -> list[str]:
    r"""Lines as Python's tokenizer counts them (``\n``, ``\r\n``, ``\r`` only)."""
    if (  # the same lines, without a StringIO, unless splitlines would break more
        text.isascii()
        and "\x0b" not in text
        and "\x0c" not in text
        and "\x1c" not in text
        and "\x1d" not in text
        and "\x1e" not in text
    ):
        return text.splitlines(keepends=True)
    return io.StringIO(text, newline="").readlines()


def may_hold_setting(text: str, options: Options = DEFAULT_OPTIONS) -> bool:
    """Cheap text test: can this source hold a setting at all?

    Every setting the engine reports spells a configured name, except
    ``from_prefixed_env()``; a file without any is not parsed or walked.
    """
    return any(word in text for word in _trigger_words(options.names))


def may_hold_setting_bytes(data: bytes, options: Options = DEFAULT_OPTIONS) -> bool:
    """``may_hold_setting`` on undecoded source: Python source is ASCII-compatible,
    so a name it spells is in its bytes, whatever its coding cookie says."""
    # data.find, not "word in data": bytes' "in" first tries the word as an int, and
    # builds (then drops) a TypeError for every word of every file.
    for word in _trigger_bytes(options.names):  # noqa: SIM110 (a loop: no generator per file)
        if data.find(word) != -1:
            return True
    return False


def observe(
    tree: ast.AST,
    options: Options = DEFAULT_OPTIONS,
    lines: Sequence[str] | None = None,
) -> list[Observation]:
    """Every secret-key setting in ``tree``, in source order."""
    return _observe(_Walker(tree, options, lines))


def _observe(walker: _Walker) -> list[Observation]:
    """What ``walker`` saw, in source order, each value once."""
    found = walker.run()
    if len(found) < 2:  # most files: nothing to order, nothing twice
        return found
    found.sort(key=lambda o: (o.line, o.col, o.kind.value))
    # One value stored twice at once (SECRET_KEY = app.secret_key = "x") is one finding.
    seen: set[tuple[int, int, int, int, Source]] = set()
    unique = []
    for obs in found:
        key = (obs.line, obs.col, obs.end_line, obs.end_col, obs.source)
        if key not in seen:
            seen.add(key)
            unique.append(obs)
    return unique


# --------------------------------------------------------------------------- values


class _Value(NamedTuple):
    """What value analysis learned about one expression."""

    source: Source
    node: ast.AST  # the expression itself
    text: str | bytes | None = None  # the computed literal, when small and known
    env_var: str | None = None
    reader: str | None = None
    fallback: ast.AST | None = None  # the hardcoded default of a fallback
    via: str | None = None
    predictable: bool = False


_HARDCODED = (Source.LITERAL, Source.PUBLISHED)

_ENCODINGS_FREE = {"encode", "decode"}
_HASHES = {
    "md5",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sha3_256",
    "sha3_512",
    "blake2b",
    "blake2s",
}
_DECODERS = {
    ("bytes", "fromhex"),
    ("binascii", "unhexlify"),
    ("binascii", "a2b_hex"),
    ("base64", "b64decode"),
    ("base64", "urlsafe_b64decode"),
    ("base64", "b32decode"),
    ("base64", "b16decode"),
}
_RANDOM = {
    ("os", "urandom"),
    ("secrets", "token_hex"),
    ("secrets", "token_bytes"),
    ("secrets", "token_urlsafe"),
    ("uuid", "uuid4"),
    ("uuid", "uuid1"),
    ("random", "randbytes"),
    ("Fernet", "generate_key"),
}
_RANDOM_BARE = {
    "urandom", "token_hex", "token_bytes", "token_urlsafe", "uuid4", "uuid1",
    "get_random_secret_key",  # django.core.management.utils
}  # fmt: skip
_WRAPPERS = {"str", "bytes", "bytearray"}
_ENCODERS = {
    ("binascii", "hexlify"),
    ("binascii", "b2a_hex"),
    ("base64", "b64encode"),
    ("base64", "urlsafe_b64encode"),
    ("base64", "b32encode"),
    ("base64", "b16encode"),
}


def _env_name_pattern() -> re.Pattern[str]:
    """A string shaped like an environment variable's name ("AWS_SECRET_ACCESS_KEY").

    Compiled on first use (re keeps it), not at import: few files need it.
    """
    import re

    return re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


_PREDICTABLE_NAMES = {"__name__", "__file__", "__package__", "__qualname__"}


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _render(node: ast.AST, depth: int = 0) -> str:
    """A short, safe rendering of a receiver: ``self.app``, ``get_app().config``."""
    if depth > 8:
        return "..."
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_render(node.value, depth + 1)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_render(node.func, depth + 1)}()"
    if isinstance(node, ast.Subscript):
        key = _str_const(node.slice)
        inner = f'"{key}"' if key is not None and len(key) <= 40 else "..."
        return f"{_render(node.value, depth + 1)}[{inner}]"
    return "..."


def _str_const(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _literal_text(node: ast.AST) -> str | bytes | None:
    """The value of a str/bytes constant or placeholder-free f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(
        isinstance(v, ast.Constant) and isinstance(v.value, str) for v in node.values
    ):
        return "".join(
            v.value
            for v in node.values
            if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return None


def _capped(value: object) -> str | bytes | None:
    if isinstance(value, (str, bytes)) and len(value) <= MAX_VALUE:
        return value
    return None


# --------------------------------------------------------------------------- walker


class _Scope(NamedTuple):
    kind: str  # "module", "class" or "function"
    settings_class: bool = False  # a pydantic BaseSettings subclass
    handler_env: str | None = None  # inside `except KeyError:` after os.environ[VAR]
    handler_reader: str | None = None


_MODULE = _Scope("module")


class _Walker:
    """One pass over one module. Side tables only; the tree is left untouched."""

    def __init__(
        self,
        tree: ast.AST,
        options: Options,
        lines: Sequence[str] | None,
        matches: tuple[str, list[int]] | None = None,
    ):
        """``matches``: the text ``lines`` were split from (by ``split_lines``) and
        ``_match_starts`` of it, when the caller has them already."""
        self.tree = tree
        self.options = options
        self.names = options.names
        self.lines = lines
        self.found: list[Observation] = []
        self.consumed: set[int] = set()  # env reads that fed a setting (by id)
        self.env_reads: list[ast.expr] = []  # env reads, `a or b`, `a if c else b`
        self._bindings: dict[str, list[ast.AST]] | None = None
        self._resolving: set[str] = set()
        self.os_names = {"os"}
        self.environ_names: set[str] = set()  # from os import environ [as x]
        self.getenv_names: set[str] = set()  # from os import getenv [as x]
        self.decouple_names: set[str] = set()  # from decouple import config
        self.decouple_modules: set[str] = set()  # import decouple
        self.env_objects: dict[str, str] = {}  # env = Env(): name -> library
        self.settings_classes = {"BaseSettings"}
        self._imports: list[ast.Import | ast.ImportFrom] = []  # in source order
        self._imported: dict[str, str] = {}  # built from _imports[:_imported_upto]
        self._imported_upto = 0
        self._environs_env = False  # whether an import may bind env to environs.env
        self.seen = self._line_filter(matches)
        self.top: list[ast.AST] | None = None  # the module statements to walk
        self._prepare()

    # -- module facts -----------------------------------------------------------

    def _prepare(self) -> None:
        """Imports, reader objects and settings classes, from the statements only.

        Also picks the module's statements that ``run`` walks (``top``): those whose
        lines spell a name. Most statements of a file are dropped here, for the
        price of one check, rather than in ``run``.
        """
        tree = self.tree
        body = getattr(tree, "body", None)
        if not isinstance(body, list):
            for node in walk(tree):
                self._fact(node)
        else:
            seen = self.seen
            pick = bool(seen) and type(tree) is ast.Module
            top: list[ast.AST] = []
            plans = _FACT_PLANS
            # Every statement in source order, without visiting expressions.
            stack: list[ast.AST] = []
            pop = stack.pop
            for statement in body:
                stack.append(statement)
                top_level = pick
                while stack:
                    node = pop()
                    try:
                        fact, blocks, kind = plans[type(node)]
                    except KeyError:
                        fact, blocks, kind = _fact_plan(type(node))
                    if top_level:
                        top_level = False
                        if not kind or _spells_name(node, kind, seen):
                            top.append(node)
                    if fact == _ASSIGN_FACT:  # most: no Env() or AutoConfig() call
                        assert isinstance(node, ast.Assign)
                        if isinstance(node.value, ast.Call):
                            func = node.value.func
                            if isinstance(func, ast.Attribute):
                                if func.attr in _READER_CLASSES:
                                    self._reader_object(func, node.targets)
                            elif isinstance(func, ast.Name) and func.id in _READER_CLASSES:
                                self._reader_object(func, node.targets)
                    elif fact:
                        self._fact(node)
                    for field in blocks:  # reversed: the first block is popped first
                        block = getattr(node, field, None)
                        if isinstance(block, list):
                            stack.extend(reversed(block))
            self.top = top if pick else None
        if self._environs_env and self.imported.get("env", "") in {"environs.env"}:
            self.env_objects["env"] = "environs"

    def _fact(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            self._imports.append(node)
            for alias in node.names:
                if alias.name == "os":
                    self.os_names.add(alias.asname or "os")
                elif alias.name == "decouple":
                    self.decouple_modules.add(alias.asname or "decouple")
                elif alias.name == "environs.env":
                    self._environs_env = True
        elif isinstance(node, ast.ImportFrom):
            if node.module:
                self._imports.append(node)
                if node.module in _FACT_MODULES:
                    self._import_from(node.module, node.names)
        elif isinstance(node, ast.ClassDef):
            if self._is_settings_class(node):
                self.settings_classes.add(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            self._reader_object(node.value.func, node.targets)

    def _import_from(self, module: str, names: list[ast.alias]) -> None:
        for alias in names:
            local = alias.asname or alias.name
            if module == "os" and alias.name == "environ":
                self.environ_names.add(local)
            elif module == "os" and alias.name == "getenv":
                self.getenv_names.add(local)
            elif module == "decouple" and alias.name == "config":
                self.decouple_names.add(local)
            elif module == "environs":
                self._environs_env = True

    @property
    def imported(self) -> dict[str, str]:
        """Local name -> "module.name", for the imports seen so far.

        Built on use: most files never ask (only reader objects and bare random
        functions do), and a file's imports are many.
        """
        if self._imported_upto < len(self._imports):
            table = self._imported
            for node in self._imports[self._imported_upto :]:
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.asname:
                            table[alias.asname] = alias.name
                else:
                    for alias in node.names:
                        table[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            self._imported_upto = len(self._imports)
        return self._imported

    def _reader_object(self, func: ast.expr, targets: list[ast.expr]) -> None:
        """``env = Env()``, ``config = AutoConfig()``: names that read the environment."""
        # The callee's last name first: most calls are neither, and _dotted is dearer.
        if isinstance(func, ast.Attribute):
            if func.attr not in _READER_CLASSES:
                return
        elif not isinstance(func, ast.Name) or func.id not in _READER_CLASSES:
            return
        callee = _dotted(func) or ""
        if callee.rsplit(".", 1)[-1] == "Env":
            for t in targets:
                if isinstance(t, ast.Name):
                    self.env_objects[t.id] = self._env_library(callee)
        elif callee.rsplit(".", 1)[-1] in {"AutoConfig", "Config"} and (
            self.imported.get(callee.split(".")[0], "").startswith("decouple")
            or callee.startswith("decouple.")
        ):
            for t in targets:
                if isinstance(t, ast.Name):
                    self.decouple_names.add(t.id)

    def _env_library(self, callee: str) -> str:
        """``Env`` from django-environ (``import environ``) or from environs."""
        head = callee.split(".")[0]
        origin = self.imported.get(head, head if "." in callee else "")
        if callee == "Env":
            origin = self.imported.get("Env", "")
        if origin.split(".")[0] == "environ" and head not in self.environ_names:
            return "django-environ"
        return "environs"

    def bindings(self) -> dict[str, list[ast.AST]]:
        """Every binding of every name in the module (built on first use)."""
        if self._bindings is None:
            table: dict[str, list[ast.AST]] = {}
            for node in walk(self.tree):
                for name, value in _bound_names(node):
                    table.setdefault(name, []).append(value)
            self._bindings = table
        return self._bindings

    # -- walk ---------------------------------------------------------------------

    def run(self) -> list[Observation]:
        seen = self.seen
        plans = _WALK_PLANS
        leaves = _LEAVES
        node_type = ast.AST
        stack: list[tuple[ast.AST, _Scope]]
        if self.top is not None:  # the module's children, but those _prepare dropped
            stack = [(statement, _MODULE) for statement in reversed(self.top)]
        else:
            stack = [(self.tree, _MODULE)]
        pop = stack.pop
        push = stack.append
        while stack:
            node, scope = pop()
            try:
                visited, shape, fields, statement = plans[type(node)]
            except KeyError:
                visited, shape, fields, statement = _walk_plan(type(node))
            if statement and seen and not _spells_name(node, statement, seen):
                continue
            if visited == _VISIT:
                self._visit(node, scope)
            elif visited:
                self._visit_subscript(node)  # type: ignore[arg-type]
            if shape != _GENERIC:
                stack.extend(reversed(self._children(node, scope, shape, fields)))
                continue
            # ast.iter_child_nodes, pushed last field first; leaves (Load, Add) do nothing.
            for field in fields:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    for child in reversed(value):
                        if isinstance(child, node_type) and type(child) not in leaves:
                            push((child, scope))
                elif isinstance(value, node_type) and type(value) not in leaves:
                    push((value, scope))
        self._standalone_env_reads()
        return self.found

    def _children(
        self, node: ast.AST, scope: _Scope, shape: int, fields: tuple[str, ...]
    ) -> list[tuple[ast.AST, _Scope]]:
        """Children of functions, classes and ``try``: the ones that change scope."""
        if shape == _FUNCTION:
            inner = _Scope("function")
            out: list[tuple[ast.AST, _Scope]] = []
            for field in fields:
                scope_for = scope if field in _FUNCTION_OUTER else inner
                out.extend((c, scope_for) for c in _as_nodes(getattr(node, field, None)))
            return out
        if shape == _CLASS:
            assert isinstance(node, ast.ClassDef)
            inner = _Scope("class", settings_class=self._is_settings_class(node))
            out = [(b, scope) for b in (*node.bases, *node.keywords, *node.decorator_list)]
            out.extend((s, inner) for s in node.body)
            return out
        return self._try_children(node, scope)

    def _line_filter(self, matches: tuple[str, list[int]] | None) -> list[int]:
        """``seen[n]``: how many of lines 1..n spell a name (empty: cannot tell).

        Every setting the engine reports spells a configured name (or
        ``from_prefixed_env``) within its statement's lines, so statements that do
        not are skipped without a walk: most of a file, when it holds one key.
        """
        lines = self.lines
        if lines is None:
            return []
        if matches is None:
            text = "".join(lines)
            found = _match_starts(text, self.names)
        else:
            text, found = matches
        hit = [0] * (len(lines) + 2)
        if matches is not None and "\r" not in text:
            # lines is split_lines(text): a match's line is 1 + the "\n"s before it.
            line = 1
            previous = 0
            for at in found:
                line += text.count("\n", previous, at)
                previous = at
                hit[line] = 1
        else:
            from bisect import bisect_right  # only here: CRLF text, or no matches given

            starts = [0, *itertools.accumulate(map(len, lines))]
            for at in found:
                hit[bisect_right(starts, at)] = 1
        return list(itertools.accumulate(hit))

    def _try_children(self, node: ast.AST, scope: _Scope) -> list[tuple[ast.AST, _Scope]]:
        assert isinstance(node, ast.Try) or type(node).__name__ == "TryStar"
        body: list[ast.stmt] = node.body  # type: ignore[attr-defined]
        handlers: list[ast.ExceptHandler] = node.handlers  # type: ignore[attr-defined]
        env_var = None
        for stmt in body:
            for sub in walk(stmt):
                read = self._env_read(sub)
                if read is not None and read.env_var is not None:
                    env_var = read.env_var
                    break
            if env_var:
                break
        out: list[tuple[ast.AST, _Scope]] = [(s, scope) for s in body]
        for handler in handlers:
            hscope = scope
            if env_var and _catches_missing(handler):
                hscope = scope._replace(handler_env=env_var, handler_reader="os")
            out.append((handler, hscope))
        out.extend((s, scope) for s in node.orelse)  # type: ignore[attr-defined]
        out.extend((s, scope) for s in node.finalbody)  # type: ignore[attr-defined]
        return out

    def _is_settings_class(self, node: ast.ClassDef) -> bool:
        for base in node.bases:
            dotted = _dotted(base) or ""
            if dotted.rsplit(".", 1)[-1] in self.settings_classes:
                return True
        return False

    # -- settings -------------------------------------------------------------------

    def _visit(self, node: ast.AST, scope: _Scope) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, (ast.Tuple, ast.List)):
                    for t, v in _pair_targets(target, node.value):
                        self._store(t, v, scope)
                else:  # what _pair_targets gives, without a generator
                    self._store(target, node.value, scope)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._store(node.target, node.value, scope)
            elif (
                scope.settings_class
                and isinstance(node.target, ast.Name)
                and node.target.id in self.names
            ):
                self._emit_field_without_default(node.target)
        elif isinstance(node, ast.Call):
            self._call(node, scope)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                name = _str_const(key)
                if name in self.names and key is not None:
                    self._setting(
                        name,
                        Kind.DICT_ENTRY,
                        f'the "{name}" entry',
                        value,
                        scope,
                        f'"{name}": {{}}',
                    )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self._defaults(node, scope)
        if isinstance(node, (ast.Subscript, ast.Call)):
            read = self._env_read(node)
            if read is not None and read.source is not Source.UNKNOWN:
                self.env_reads.append(node)
        elif isinstance(node, ast.IfExp) or (
            isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)
        ):
            self.env_reads.append(node)

    def _visit_subscript(self, node: ast.Subscript) -> None:
        """``_visit`` for a subscript: only a read of ``os.environ[...]`` matters."""
        if isinstance(node.ctx, ast.Load) and self._is_environ(node.value):
            self.env_reads.append(node)

    def _store(self, target: ast.AST, value: ast.AST, scope: _Scope) -> None:
        if isinstance(target, ast.Attribute) and target.attr in self.names:
            where = f"{_render(target.value)}.{target.attr}"
            self._setting(target.attr, Kind.ATTRIBUTE, where, value, scope, f"{where} = {{}}")
        elif isinstance(target, ast.Subscript):
            name = _str_const(target.slice)
            if name in self.names:
                assert name is not None
                where = f'{_render(target.value)}["{name}"]'
                self._setting(name, Kind.SUBSCRIPT, where, value, scope, f"{where} = {{}}")
        elif isinstance(target, ast.Name) and target.id in self.names:
            if scope.kind == "class" and scope.settings_class:
                self._field(target.id, value, scope)
            elif scope.kind == "class" and _env_name_pattern().match(_str_const(value) or ""):
                pass  # class EnvProvider: SECRET_KEY = "AWS_SECRET_ACCESS_KEY" names a variable
            elif scope.kind in {"module", "class"}:
                name = target.id
                self._setting(name, Kind.NAME, name, value, scope, f"{name} = {{}}")

    def _call(self, node: ast.Call, scope: _Scope) -> None:
        func = node.func
        callee = _dotted(func)
        method = func.attr if isinstance(func, ast.Attribute) else None
        is_env_schema = (callee or "").rsplit(".", 1)[-1] == "Env"
        for kw in node.keywords:
            if kw.arg in self.names:
                if is_env_schema and isinstance(kw.value, ast.Tuple):
                    self._env_schema(kw.arg, kw.value, scope)
                    continue
                label = _render(func)
                self._setting(
                    kw.arg,
                    Kind.KEYWORD,
                    f"the {kw.arg}= argument of {label}",
                    kw.value,
                    scope,
                    f"{label}(..., {kw.arg}={{}})",
                )
        if callee == "setattr" and len(node.args) == 3:
            name = _str_const(node.args[1])
            if name in self.names:
                assert name is not None
                obj = _render(node.args[0])
                self._setting(
                    name,
                    Kind.SETATTR,
                    f"{obj}.{name}",
                    node.args[2],
                    scope,
                    f'setattr({obj}, "{name}", {{}})',
                )
        if method in {"update", "from_mapping"}:
            for arg in node.args:
                if isinstance(arg, (ast.List, ast.Tuple)):
                    self._pairs(arg, scope)
        if method == "setdefault" and len(node.args) == 2 and isinstance(func, ast.Attribute):
            name = _str_const(node.args[0])
            if name in self.names and not self._is_environ(func.value):
                assert name is not None
                where = f"{_render(func.value)}"
                self._setting(
                    name,
                    Kind.SETDEFAULT,
                    f'{where}["{name}"]',
                    node.args[1],
                    scope,
                    f'{where}.setdefault("{name}", {{}})',
                )
        if method == "from_prefixed_env" and "SECRET_KEY" in self.names:
            self._emit(
                node,
                "SECRET_KEY",
                Kind.PREFIXED_ENV,
                f"{_render(func)}()",
                _Value(Source.ENVIRONMENT, node, env_var="FLASK_SECRET_KEY", reader="flask"),
                f"{_render(func)}()",
            )

    def _pairs(self, seq: ast.List | ast.Tuple, scope: _Scope) -> None:
        for item in seq.elts:
            if isinstance(item, (ast.Tuple, ast.List)) and len(item.elts) == 2:
                name = _str_const(item.elts[0])
                if name in self.names:
                    assert name is not None
                    self._setting(
                        name,
                        Kind.PAIR,
                        f'the ("{name}", ...) pair',
                        item.elts[1],
                        scope,
                        f'("{name}", {{}})',
                    )

    def _defaults(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: _Scope
    ) -> None:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        pairs = list(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        )
        pairs += [
            (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        ]
        fname = getattr(node, "name", "lambda")
        for arg, default in pairs:
            if arg.arg in self.names:
                self._setting(
                    arg.arg,
                    Kind.DEFAULT,
                    f"the default of {fname}({arg.arg}=)",
                    default,
                    scope,
                    f"def {fname}(..., {arg.arg}={{}})",
                )

    def _field(self, name: str, value: ast.AST, scope: _Scope) -> None:
        """A pydantic settings field: its default is a fallback for the variable."""
        inner = value
        if isinstance(value, ast.Call) and (_dotted(value.func) or "").endswith(
            ("Field", "SecretStr", "SecretBytes")
        ):
            defaults = [k.value for k in value.keywords if k.arg == "default"] + value.args[:1]
            if not defaults:
                self._emit_field_without_default(None, name=name, node=value)
                return
            inner = defaults[0]
        val = self._value(inner, 0)
        var = env_name(name)
        fix = f"{name}: str  (no default: pydantic then requires {var})"
        if val.source in _HARDCODED:
            val = val._replace(
                source=Source.FALLBACK,
                env_var=var,
                reader="pydantic",
                fallback=val.node,
                node=value,
            )
        elif val.source is Source.UNKNOWN and (_is_none(inner) or _is_ellipsis(inner)):
            val = _Value(Source.ENVIRONMENT, value, env_var=var, reader="pydantic")
        self._emit(value, name, Kind.FIELD, f"the settings field {name}", val, fix)

    def _emit_field_without_default(
        self, target: ast.Name | None, name: str | None = None, node: ast.AST | None = None
    ) -> None:
        at: ast.AST = target if target is not None else node  # type: ignore[assignment]
        field = target.id if target is not None else name
        assert field is not None and at is not None
        var = env_name(field)
        val = _Value(Source.ENVIRONMENT, at, env_var=var, reader="pydantic")
        self._emit(at, field, Kind.FIELD, f"the settings field {field}", val, f"{field}: str")

    def _env_schema(self, name: str, value: ast.Tuple, scope: _Scope) -> None:
        """django-environ: ``environ.Env(SECRET_KEY=(str, "default"))``."""
        if len(value.elts) < 2:
            return
        default = self._value(value.elts[1], 0)
        if default.source in _HARDCODED:
            val = _Value(
                Source.FALLBACK,
                value,
                text=default.text,
                env_var=name,
                reader="django-environ",
                fallback=default.node,
            )
        elif default.source is Source.GENERATED:
            val = default._replace(env_var=name, reader="django-environ")
        else:
            return
        self._emit(
            value,
            name,
            Kind.ENV_SCHEMA,
            f"environ.Env({name}=...)",
            val,
            f'environ.Env() and env("{name}") with no default',
        )

    def _setting(
        self, name: str, kind: Kind, target: str, value: ast.AST, scope: _Scope, template: str
    ) -> None:
        if name in LIST_SETTINGS and isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:
                val = self._value(element, 0)
                if val.source in _HARDCODED or val.source is Source.GENERATED:
                    self._emit_value(element, name, kind, target, val, scope, template)
            return
        self._emit_value(value, name, kind, target, self._value(value, 0), scope, template)

    def _emit_value(
        self,
        at: ast.AST,
        name: str,
        kind: Kind,
        target: str,
        val: _Value,
        scope: _Scope,
        template: str,
    ) -> None:
        if val.via is not None and val.via in self.names:
            return  # reported where that setting is written
        if scope.handler_env and val.source in _HARDCODED:
            val = val._replace(
                source=Source.FALLBACK,
                env_var=scope.handler_env,
                reader=scope.handler_reader,
                fallback=val.node,
            )
        self._emit(at, name, kind, target, val, template)

    def _emit(
        self, at: ast.AST, name: str, kind: Kind, target: str, val: _Value, template: str
    ) -> None:
        source, node, text, env_var, reader, fallback, via, predictable = val
        published = None
        if text is not None and (source in _HARDCODED or source is Source.FALLBACK):
            published = self.options.known_keys.source_of(text)
            if source is Source.LITERAL and published is not None:
                source = Source.PUBLISHED
        read = self._read_code(val, env_var or env_name(name))
        fix = template.format(read) if "{}" in template else template
        # Point at the offending value: the hardcoded default of a fallback when it
        # is written right here, else the value expression itself.
        pos = at
        if fallback is not None and via is None and _within(fallback, at):
            pos = fallback
        span = self._span(pos)
        value_at = node if via is not None else at
        value_span = span if value_at is pos else self._span(value_at)
        # _make: in field order, without the keyword call's cost.
        self.found.append(
            Observation._make(
                (
                    *span,
                    name,
                    kind,
                    target,
                    source,
                    fix,
                    value_span,
                    env_var,
                    reader,
                    via,
                    published,
                    predictable,
                )
            )
        )

    def _read_code(self, val: _Value, env_var: str) -> str:
        if val.reader == "decouple":
            return f'config("{env_var}")'
        if val.reader == "environs":
            return f'env.str("{env_var}")'
        return f'os.environ["{env_var}"]'

    def _span(self, node: ast.AST) -> Span:
        try:  # parsed nodes have all four
            line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
            end_line, end_col = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:  # a node built by hand
            line = getattr(node, "lineno", 1)
            col = getattr(node, "col_offset", 0)
            end_line = getattr(node, "end_lineno", None)
            end_col = getattr(node, "end_col_offset", None)
        end_line = end_line or line
        if end_col is None:
            end_col = col
        lines = self.lines
        if lines is None:
            return Span(line, col, end_line, end_col)
        if 0 < line <= len(lines) and not lines[line - 1].isascii():
            col = self._chars(line, col)
        if 0 < end_line <= len(lines) and not lines[end_line - 1].isascii():
            end_col = self._chars(end_line, end_col)
        return Span(line, col, end_line, end_col)

    def _chars(self, line: int, col: int) -> int:
        """Convert ast's UTF-8 byte column to a character column."""
        if self.lines is None or not 0 < line <= len(self.lines):
            return col
        text = self.lines[line - 1]
        if text.isascii():
            return col
        return len(text.encode("utf-8")[:col].decode("utf-8", errors="replace"))

    # -- environment reads ------------------------------------------------------------

    def _is_environ(self, node: ast.AST) -> bool:
        dotted = _dotted(node)
        return dotted is not None and self._is_environ_dotted(dotted)

    def _env_read(self, node: ast.AST, depth: int = 0) -> _Value | None:
        """An environment read (with its default, if any), or None."""
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if self._is_environ(node.value):
                return _Value(Source.ENVIRONMENT, node, env_var=self._var(node.slice), reader="os")
            return None
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        dotted = _dotted(func) or ""
        head, _, last = dotted.rpartition(".")
        reader = None
        default: ast.AST | None = None
        if (last in {"get", "setdefault"} and self._is_environ_dotted(head)) or (
            last == "getenv"
            and (head in self.os_names or (not head and dotted in self.getenv_names))
        ):
            reader = "os"
            default = _arg(node, 1, "default")
        elif dotted in self.decouple_names or (head in self.decouple_modules and last == "config"):
            reader = "decouple"
            default = _arg(node, 1, "default")
        elif dotted in self.env_objects or (head in self.env_objects and last):
            reader = self.env_objects.get(dotted) or self.env_objects[head]
            default = _kwarg(node, "default")
            # env.str("K", "x") passes a default in both libraries; django-environ's
            # env("K", x) passes a cast, environs' a default.
            positional = head or reader == "environs"
            if default is None and positional and len(node.args) > 1:
                if _literal_text(node.args[1]) is not None:
                    default = node.args[1]
        if reader is None or not node.args:
            return None
        env_var = self._var(node.args[0])
        if default is None or _is_none(default) or _literal_text(default) in {"", b""}:
            # no default, None, or "" (an empty key is no secret): the environment's
            return _Value(Source.ENVIRONMENT, node, env_var=env_var, reader=reader)
        inner = self._value(default, depth + 1)
        if inner.source in _HARDCODED:
            return _Value(
                Source.FALLBACK,
                node,
                text=inner.text,
                env_var=env_var,
                reader=reader,
                fallback=inner.node if inner.via is None else default,
            )
        if inner.source in (Source.FALLBACK, Source.GENERATED, Source.ENVIRONMENT):
            return inner._replace(node=node, env_var=env_var, reader=reader)
        return _Value(Source.UNKNOWN, node, env_var=env_var, reader=reader)

    def _is_environ_dotted(self, dotted: str) -> bool:
        """``os.environ`` under any alias, or ``environ`` imported from os."""
        if dotted in self.environ_names:
            return True
        head, _, rest = dotted.partition(".")
        return rest == "environ" and head in self.os_names

    def _var(self, node: ast.AST) -> str | None:
        name = _str_const(node)
        if name is None and isinstance(node, ast.Name):
            bound = self.bindings().get(node.id, [])
            if len(bound) == 1:
                name = _str_const(bound[0])
        return name

    def _standalone_env_reads(self) -> None:
        """Fallbacks of secret-key variables that no setting consumed.

        ``or``/``if`` combinations come first, so that the reads inside them are
        consumed by them and reported once.
        """
        if not self.env_reads:
            return
        upper_names = frozenset(n.upper() for n in self.names)
        combos = [n for n in self.env_reads if isinstance(n, (ast.BoolOp, ast.IfExp))]
        reads = [n for n in self.env_reads if not isinstance(n, (ast.BoolOp, ast.IfExp))]
        for node in (*combos, *reads):
            if id(node) in self.consumed:
                continue
            read = self._value(node, 0) if node in combos else self._env_read(node)
            if read is None or read.env_var is None:
                continue
            if read.env_var not in self.names and read.env_var not in upper_names:
                continue
            if read.source not in (Source.FALLBACK, Source.GENERATED):
                continue
            self._emit(
                node, read.env_var, Kind.ENV_READ, _render_read(node, read.env_var), read, "{}"
            )

    # -- value analysis ---------------------------------------------------------------

    def _value(self, node: ast.AST, depth: int) -> _Value:
        """Classify an expression. Bounded depth; never raises on valid trees."""
        if depth > MAX_DEPTH:
            return _Value(Source.UNKNOWN, node)
        text = _literal_text(node)
        if text is not None:
            return _Value(Source.LITERAL if text else Source.UNKNOWN, node, _capped(text))
        read = self._env_read(node, depth)
        if read is not None:
            self.consumed.add(id(node))
            return read
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.Call):
            return self._call_value(node, depth)
        if isinstance(node, ast.Attribute):
            inner = self._value(node.value, depth + 1)
            if inner.source is Source.GENERATED and node.attr in {"hex", "bytes", "urn"}:
                return inner._replace(node=node)
            return _Value(Source.UNKNOWN, node)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            self.consumed.add(id(node))
            return self._either(node, node.values, depth)
        if isinstance(node, ast.IfExp):
            self.consumed.add(id(node))
            return self._either(node, [node.body, node.orelse], depth)
        if isinstance(node, ast.NamedExpr):
            return self._value(node.value, depth + 1)._replace(node=node)
        return _Value(Source.UNKNOWN, node)

    def _name(self, node: ast.Name, depth: int) -> _Value:
        if node.id in _PREDICTABLE_NAMES:
            return _Value(Source.LITERAL, node, predictable=True)
        bound = self.bindings().get(node.id, [])
        if len(bound) != 1 or node.id in self._resolving:
            return _Value(Source.UNKNOWN, node)
        self._resolving.add(node.id)
        try:
            inner = self._value(bound[0], depth + 1)
        finally:
            self._resolving.discard(node.id)
        if inner.source is Source.UNKNOWN:
            return _Value(Source.UNKNOWN, node)
        return inner._replace(via=inner.via or node.id)

    def _binop(self, node: ast.BinOp, depth: int) -> _Value:
        # Flatten left-leaning chains ("a" + "a" + ... 10,000 times) iteratively.
        operands: list[ast.AST] = []
        ops: list[ast.operator] = []
        cur: ast.AST = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, (ast.Add, ast.Mult, ast.Mod)):
            operands.append(cur.right)
            ops.append(cur.op)
            cur = cur.left
        operands.append(cur)
        operands.reverse()
        ops.reverse()
        if len(operands) == 1:
            return _Value(Source.UNKNOWN, node)
        maybe = [self._operand(o, depth) for o in operands]
        values = [v for v in maybe if v is not None]
        sources = {v.source for v in values}
        if len(values) != len(maybe) or Source.UNKNOWN in sources:
            return _Value(Source.UNKNOWN, node)
        if all(_is_number(o) for o in operands if not isinstance(o, ast.Tuple)):
            return _Value(Source.UNKNOWN, node)  # 1 + 2 is no key
        if Source.GENERATED in sources and sources <= {Source.GENERATED, *_HARDCODED}:
            return _Value(Source.GENERATED, node)
        if not sources <= set(_HARDCODED):
            return _Value(Source.UNKNOWN, node)
        result: object = _operand_text(values[0])
        for op, v in zip(ops, values[1:], strict=True):
            result = _apply(op, result, _operand_text(v))
        return _Value(Source.LITERAL, node, text=_capped(result))

    def _operand(self, node: ast.AST, depth: int) -> _Value | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return _Value(Source.LITERAL, node)
        if isinstance(node, ast.Tuple):  # "%s-%s" % ("a", "b")
            parts = [self._value(e, depth + 1) for e in node.elts]
            if all(p.source in _HARDCODED for p in parts):
                return _Value(Source.LITERAL, node)
            return None
        return self._value(node, depth + 1)

    def _call_value(self, node: ast.Call, depth: int) -> _Value:
        func = node.func
        dotted = _dotted(func) or ""
        head, _, last = dotted.rpartition(".")
        if isinstance(func, ast.Attribute):
            last = func.attr  # also for receivers that are not names: "x".encode()
        args = node.args
        first = self._value(args[0], depth + 1) if args else None
        # Generated at start-up.
        if (head, last) in _RANDOM or (
            not head and dotted in _RANDOM_BARE and self._from_random(dotted)
        ):
            return _Value(Source.GENERATED, node)
        if isinstance(func, ast.Attribute):
            sep = _literal_text(func.value)  # "" is no key, but a fine separator
            if last == "join" and sep is not None and args and self._all_hardcoded(args[0], depth):
                return _Value(Source.LITERAL, node, text=_join(sep, args[0]))
            receiver = self._value(func.value, depth + 1)
            if receiver.source is Source.GENERATED and last in {
                "hex",
                "decode",
                "encode",
                "hexdigest",
                "digest",
            }:
                return receiver._replace(node=node)
            if receiver.source in _HARDCODED:
                if last in _ENCODINGS_FREE and all(_literal_text(a) is not None for a in args):
                    return _Value(Source.LITERAL, node, text=_convert(receiver.text, last, args))
                if last in {"hexdigest", "digest"}:
                    return _Value(Source.LITERAL, node)
                if last in {"upper", "lower", "strip"} and not args:
                    return _Value(Source.LITERAL, node, text=_convert(receiver.text, last, args))
        if first is not None and first.source is Source.GENERATED:
            if dotted in _WRAPPERS or (head, last) in _ENCODERS:
                return first._replace(node=node)
        if first is not None and first.source in _HARDCODED:
            if dotted in _WRAPPERS and all(_literal_text(a) is not None for a in args[1:]):
                return _Value(Source.LITERAL, node, text=_convert(first.text, dotted, args))
            if (head, last) in _DECODERS or (head, last) in _ENCODERS:
                return _Value(Source.LITERAL, node)
            if head == "hashlib" and last in _HASHES:
                return _Value(Source.LITERAL, node)
        if first is not None and first.source in (Source.ENVIRONMENT, Source.FALLBACK):
            if dotted in _WRAPPERS:
                return first._replace(node=node)
        if (
            head == "hashlib"
            and last == "new"
            and len(args) >= 2
            and self._value(args[1], depth + 1).source in _HARDCODED
        ):
            return _Value(Source.LITERAL, node)
        return _Value(Source.UNKNOWN, node)

    def _from_random(self, name: str) -> bool:
        origin = self.imported.get(name, "")
        return origin.split(".")[0] in {"os", "secrets", "uuid", "django"}

    def _all_hardcoded(self, node: ast.AST, depth: int) -> bool:
        if isinstance(node, (ast.List, ast.Tuple)):
            return bool(node.elts) and all(
                self._value(e, depth + 1).source in _HARDCODED for e in node.elts
            )
        return False

    def _either(self, node: ast.AST, branches: Iterable[ast.AST], depth: int) -> _Value:
        """``a or b``, ``a if c else b``: combine what each branch can give."""
        vals = [self._value(b, depth + 1) for b in branches]
        sources = {v.source for v in vals}
        hard = next((v for v in vals if v.source in _HARDCODED), None)
        env = next((v for v in vals if v.source in (Source.ENVIRONMENT, Source.FALLBACK)), None)
        inner_fallback = next((v for v in vals if v.source is Source.FALLBACK), None)
        if inner_fallback is not None:  # its default is what an unset variable gives
            return inner_fallback._replace(node=node)
        if env is not None and hard is not None:
            return _Value(
                Source.FALLBACK,
                node,
                text=hard.text,
                env_var=env.env_var,
                reader=env.reader,
                fallback=hard.node if hard.via is None else None,
            )
        if Source.UNKNOWN in sources:
            return _Value(Source.UNKNOWN, node)
        if Source.GENERATED in sources:
            return _Value(Source.GENERATED, node, env_var=env.env_var if env else None)
        if hard is not None and sources <= set(_HARDCODED):
            return hard._replace(node=node, via=None)
        if env is not None:
            return env._replace(node=node)
        return _Value(Source.UNKNOWN, node)


# --------------------------------------------------------------------------- helpers


#: ``_triggers`` of the name sets seen (a run has one or two), emptied when it
#: reaches ``_KEPT`` sets.
_TRIGGERS: dict[frozenset[str], tuple[tuple[str, ...], tuple[bytes, ...]]] = {}
_KEPT = 8


def _triggers(names: frozenset[str]) -> tuple[tuple[str, ...], tuple[bytes, ...]]:
    """``_trigger_words`` and ``_trigger_bytes`` of ``names``, computed once."""
    found = _TRIGGERS.get(names)
    if found is None:
        words = tuple(sorted({*names, "from_prefixed_env"}, key=len, reverse=True))
        kept = [w for w in words if not any(o != w and o in w for o in words)]
        if len(_TRIGGERS) >= _KEPT:
            _TRIGGERS.clear()
        found = _TRIGGERS[names] = (words, tuple(word.encode("utf-8") for word in kept))
    return found


def _trigger_words(names: frozenset[str]) -> tuple[str, ...]:
    """What a setting must spell: a configured name, or ``from_prefixed_env``."""
    return _triggers(names)[0]


def _trigger_bytes(names: frozenset[str]) -> tuple[bytes, ...]:
    """The trigger words that hold no other one (JWT_SECRET_KEY holds SECRET_KEY):
    a text spells some trigger word exactly when it spells one of these."""
    return _triggers(names)[1]


def _names_pattern(names: frozenset[str]) -> re.Pattern[str]:
    import re  # re keeps the compiled pattern

    return re.compile("|".join(map(re.escape, _trigger_words(names))))


def _match_starts(text: str, names: frozenset[str]) -> list[int]:
    """Where ``_names_pattern(names).finditer(text)`` finds its matches.

    ``str.find`` per word, then the regex's choice among overlapping hits (leftmost,
    then longest, then on from its end): a few C-level scans instead of trying
    every alternative at every position, which costs more than parsing small files.
    """
    words = _trigger_words(names)
    if "" in words:  # an empty alternative matches everywhere: leave it to re
        return [match.start() for match in _names_pattern(names).finditer(text)]
    hits: list[tuple[int, int]] = []
    for word in words:
        if word in text:  # cheaper than a find that fails
            at = text.find(word)
            while at != -1:
                hits.append((at, -len(word)))
                at = text.find(word, at + 1)
    if len(hits) < 2:
        return [at for at, _ in hits]
    hits.sort()
    found: list[int] = []
    end = 0
    for at, minus_length in hits:
        if at >= end:
            found.append(at)
            end = at - minus_length
    return found


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
#: Last names of the calls that make environment readers (``_reader_object``).
_READER_CLASSES = frozenset({"Env", "AutoConfig", "Config"})
_FACT_TYPES = (ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assign)
#: ``from <module> import ...`` that gives facts beyond ``_Walker.imported``.
_FACT_MODULES = frozenset({"os", "decouple", "environs"})
#: Per node type: 0, _OTHER_FACT (``_Walker._fact``) or _ASSIGN_FACT (a reader
#: object, if a call is assigned); its blocks of statements, last first
#: (``_prepare`` pops them in source order); and its statement kind, as in
#: ``_walk_plan``.
_FACT_PLANS: dict[type, tuple[int, tuple[str, ...], int]] = {}
_OTHER_FACT, _ASSIGN_FACT = 1, 2


def _fact_plan(cls: type) -> tuple[int, tuple[str, ...], int]:
    fields = getattr(cls, "_fields", ())
    fact = 0
    if issubclass(cls, _FACT_TYPES):
        fact = _OTHER_FACT if issubclass(cls, _FACT_TYPES[:-1]) else _ASSIGN_FACT
    blocks = tuple(f for f in reversed(_BLOCKS) if f in fields)
    plan = (fact, blocks, _walk_plan(cls)[3])
    _FACT_PLANS[cls] = plan
    return plan


_GENERIC, _FUNCTION, _CLASS, _TRY = 0, 1, 2, 3
_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_FUNCTION_OUTER = frozenset({"args", "decorator_list", "returns"})
_TRY_TYPES = (ast.Try, getattr(ast, "TryStar", ast.Try))
_DECORATED_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: The node types ``_Walker._visit`` does something for, but for subscripts
#: (``_visit_subscript``).
_VISITED = (
    ast.Assign,
    ast.AnnAssign,
    ast.Call,
    ast.Dict,
    *_FUNCTION_TYPES,
    ast.IfExp,
    ast.BoolOp,
)
#: Fields that never hold a node that matters, by the grammar: names, strings,
#: numbers, constants, and expr_context/operator leaves. Exact classes only.
_SCALARS: dict[type, frozenset[str]] = {
    ast.Name: frozenset({"id", "ctx"}),
    ast.Attribute: frozenset({"attr", "ctx"}),
    ast.Subscript: frozenset({"ctx"}),
    ast.Starred: frozenset({"ctx"}),
    ast.List: frozenset({"ctx"}),
    ast.Tuple: frozenset({"ctx"}),
    ast.Constant: frozenset({"value", "kind"}),
    ast.BinOp: frozenset({"op"}),
    ast.UnaryOp: frozenset({"op"}),
    ast.BoolOp: frozenset({"op"}),
    ast.AugAssign: frozenset({"op"}),
    ast.Compare: frozenset({"ops"}),
    ast.keyword: frozenset({"arg"}),
    ast.arg: frozenset({"arg", "type_comment"}),
    ast.alias: frozenset({"name", "asname"}),
    ast.Assign: frozenset({"type_comment"}),
    ast.ImportFrom: frozenset({"module", "level"}),
}
_STATEMENT, _DECORATED = 1, 2
_VISIT, _VISIT_SUBSCRIPT = 1, 2
_WalkPlan = tuple[int, int, tuple[str, ...], int]
#: Per node type: how it is visited (0: not at all, _VISIT or _VISIT_SUBSCRIPT),
#: shape, fields (reversed for _GENERIC), and 0, _STATEMENT or _DECORATED.
#: Decided by subclass, as the isinstance checks they replace.
_WALK_PLANS: dict[type, _WalkPlan] = {}
#: Node types without fields that ``_visit`` ignores (Load, Add...): never pushed.
_LEAVES: set[type] = set()


def _spells_name(node: ast.AST, kind: int, seen: list[int]) -> bool:
    """Whether a statement's lines, decorators included, spell a name (``seen``:
    ``_Walker._line_filter``). Statements that do not hold no setting."""
    stmt: ast.stmt = node  # type: ignore[assignment]
    first = stmt.lineno
    if kind == _DECORATED:
        decorators: list[ast.expr] = stmt.decorator_list  # type: ignore[attr-defined]
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
    last = stmt.end_lineno or first
    if last >= len(seen):
        last = len(seen) - 1
    return first > last or seen[last] != seen[first - 1]


def _walk_plan(cls: type) -> _WalkPlan:
    visited = 0
    if issubclass(cls, _VISITED):
        visited = _VISIT
    elif issubclass(cls, ast.Subscript):
        visited = _VISIT_SUBSCRIPT
    fields: tuple[str, ...] = tuple(getattr(cls, "_fields", ()))
    if issubclass(cls, _FUNCTION_TYPES):
        shape = _FUNCTION
    elif issubclass(cls, ast.ClassDef):
        shape = _CLASS
    elif issubclass(cls, _TRY_TYPES):
        shape = _TRY
    else:
        shape = _GENERIC
        scalars = _SCALARS.get(cls, frozenset())
        fields = tuple(f for f in reversed(fields) if f not in scalars)
    statement = 0
    if issubclass(cls, _DECORATED_TYPES):
        statement = _DECORATED
    elif issubclass(cls, ast.stmt):
        statement = _STATEMENT
    plan = (visited, shape, fields, statement)
    if not visited and shape == _GENERIC and not fields:
        _LEAVES.add(cls)
    _WALK_PLANS[cls] = plan
    return plan


def _as_nodes(value: object) -> list[ast.AST]:
    if isinstance(value, ast.AST):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, ast.AST)]
    return []


def _pair_targets(target: ast.AST, value: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
    """``a, b = x, y`` pairs each target with its value; other targets get ``value``."""
    if isinstance(target, (ast.Tuple, ast.List)):
        if (
            isinstance(value, (ast.Tuple, ast.List))
            and len(value.elts) == len(target.elts)
            and not any(isinstance(e, ast.Starred) for e in target.elts)
        ):
            yield from zip(target.elts, value.elts, strict=True)
        return
    yield target, value


def _bound_names(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """Names a node binds, with the value bound when it is a simple assignment."""
    if isinstance(node, ast.Assign):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            yield node.targets[0].id, node.value
            return
        for target in node.targets:
            yield from _stored(target, node)
    elif isinstance(node, ast.AnnAssign):
        if isinstance(node.target, ast.Name):
            yield node.target.id, node.value if node.value is not None else node
    elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension)):
        yield from _stored(node.target, node)
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if item.optional_vars is not None:
                yield from _stored(item.optional_vars, node)
    elif isinstance(node, ast.NamedExpr):
        yield from _stored(node.target, node)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name, node
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            yield (alias.asname or alias.name.split(".")[0]), node
    elif isinstance(node, ast.arg):
        yield node.arg, node
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name, node
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        for name in node.names:
            yield name, node
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            yield from _stored(target, node)
    elif (isinstance(node, ast.MatchAs) and node.name) or (
        isinstance(node, ast.MatchStar) and node.name
    ):
        yield node.name, node
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest, node


def _stored(target: ast.AST, owner: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    for sub in walk(target):
        if isinstance(sub, ast.Name):
            yield sub.id, owner


def _catches_missing(handler: ast.ExceptHandler) -> bool:
    """``except KeyError`` (or LookupError, Exception, a bare except)."""
    if handler.type is None:
        return True
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {(_dotted(c) or "").rsplit(".", 1)[-1] for c in caught}
    return bool(names & {"KeyError", "LookupError", "Exception", "BaseException"})


def _arg(node: ast.Call, index: int, keyword: str) -> ast.AST | None:
    if len(node.args) > index:
        return node.args[index]
    return _kwarg(node, keyword)


def _kwarg(node: ast.Call, keyword: str) -> ast.AST | None:
    for kw in node.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex))


def _is_ellipsis(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _within(inner: ast.AST, outer: ast.AST) -> bool:
    a = (getattr(inner, "lineno", 0), getattr(inner, "col_offset", 0))
    b = (getattr(outer, "lineno", 0), getattr(outer, "col_offset", 0))
    ea = (getattr(inner, "end_lineno", 0) or 0, getattr(inner, "end_col_offset", 0) or 0)
    eb = (getattr(outer, "end_lineno", 0) or 0, getattr(outer, "end_col_offset", 0) or 0)
    return b <= a and ea <= eb


def _render_read(node: ast.AST, env_var: str) -> str:
    if isinstance(node, ast.Call):
        return f'{_render(node.func)}("{env_var}")'
    if isinstance(node, ast.Subscript):
        return f'{_render(node.value)}["{env_var}"]'
    return f"the read of {env_var}"


def _operand_text(value: _Value) -> object:
    node = value.node
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Tuple):
        texts = [_literal_text(e) for e in node.elts]
        return tuple(texts) if all(t is not None for t in texts) else None
    return value.text


def _apply(op: ast.operator, left: object, right: object) -> object:
    """Evaluate one literal operation, refusing anything large or ill-typed."""
    if left is None or right is None:
        return None
    try:
        if (
            isinstance(op, ast.Add)
            and type(left) is type(right)
            and isinstance(left, (str, bytes))
        ):
            return left + right  # type: ignore[operator]
        if isinstance(op, ast.Mult):
            seq, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(seq, (str, bytes)) and isinstance(times, int):
                if times * len(seq) > MAX_VALUE:
                    return None
                return seq * times
            return None
        if isinstance(op, ast.Mod) and isinstance(left, (str, bytes)):
            if isinstance(right, (str, bytes, int, tuple)) and len(left) <= MAX_VALUE:
                result = left % right
                return result if len(result) <= MAX_VALUE else None
    except (TypeError, ValueError, OverflowError, KeyError, MemoryError):
        return None
    return None


def _convert(text: str | bytes | None, how: str, args: Sequence[ast.AST]) -> str | bytes | None:
    """``.encode()``, ``.decode()``, ``str(x)``, ``bytes(x, enc)`` on a known literal."""
    if text is None:
        return None
    extra = [_literal_text(a) for a in args]
    try:
        if how == "encode" and isinstance(text, str):
            return text.encode(*(e for e in extra if isinstance(e, str)))
        if how == "decode" and isinstance(text, bytes):
            return text.decode(*(e for e in extra if isinstance(e, str)))
        if how in {"upper", "lower", "strip"}:
            return getattr(text, how)()  # type: ignore[no-any-return]
        if how == "str":
            return text if isinstance(text, str) else None
        if how in {"bytes", "bytearray"}:
            if isinstance(text, bytes):
                return text
            encs = [e for e in extra[1:] if isinstance(e, str)]
            return text.encode(*encs[:1]) if encs else None
    except (LookupError, UnicodeError, TypeError, ValueError):
        return None
    return None


def _join(sep: str | bytes | None, seq: ast.AST) -> str | bytes | None:
    if sep is None or not isinstance(seq, (ast.List, ast.Tuple)):
        return None
    parts = [_literal_text(e) for e in seq.elts]
    if not all(type(p) is type(sep) for p in parts):
        return None
    try:
        joined = sep.join(parts)  # type: ignore[arg-type]
    except TypeError:
        return None
    return _capped(joined)


# --------------------------------------------------------------------------- text entry


class SourceError(ValueError):
    """Source that cannot be analysed; ``str()`` is a one-line reason."""


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk``: ``node`` and every node under it, breadth first, in its order."""
    todo = [node]
    for current in todo:  # the list grows as it is read: breadth first
        yield current
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, ast.AST):
                todo.append(value)
            elif isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, ast.AST))


def parse(text: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` with every failure turned into a one-line ``SourceError``."""
    try:
        tree = compile(text, filename, "exec", ast.PyCF_ONLY_AST)  # what ast.parse does
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        raise SourceError(f"syntax error at {where}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise SourceError("too deeply nested for Python's parser") from None
    except ValueError as exc:  # e.g. source code string cannot contain null bytes
        raise SourceError(str(exc).splitlines()[0] if str(exc) else "cannot parse") from None
    assert isinstance(tree, ast.Module)
    return tree


def observe_text(
    text: str, options: Options = DEFAULT_OPTIONS, filename: str = "<unknown>"
) -> list[Observation]:
    """Observations for source text: the text is checked before it is parsed.

    Raises ``SourceError`` (one line) when the text needs parsing and cannot be.
    """
    # may_hold_setting, and where the names are, for the walk's line filter.
    matches = _match_starts(text, options.names)
    if not matches:
        return []
    tree = parse(text, filename)
    try:
        return _observe(_Walker(tree, options, split_lines(text), (text, matches)))
    except (RecursionError, MemoryError):
        raise SourceError("too deeply nested to analyse") from None
