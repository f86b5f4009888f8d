"""The engine's entry points: source text or an ``ast`` tree in, observations out.

Pure: no I/O, no flake8, no libcst, and the tree is never mutated (other flake8
plugins share it). Every front end (the flake8 plugin, ``check``, ``report`` and
``fix``) calls ``observe`` or ``observe_text``; none has a detector of its own.

Three steps: the visitor (``settings.py``) walks the tree once and records where
settings are written; the classifier (``values.py``) judges each value, once per
node; ``_Observer`` turns each site and its value into an ``Observation``, with
positions, the fix for that very place, and the published key it matches.

Columns are 0-based *character* offsets when ``lines`` is given (``ast`` itself
counts UTF-8 bytes), so an editor underlines the right characters.
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Sequence
from functools import partial
from itertools import islice

from flake8_secret_key.engine import libraries
from flake8_secret_key.engine.model import (
    DEFAULT_OPTIONS,
    HARDCODED,
    LIST_SETTINGS,
    Kind,
    Observation,
    Options,
    Source,
    SourceError,
    Span,
    env_name,
    may_hold_setting,
)
from flake8_secret_key.engine.nodes import (
    argument,
    is_ellipsis,
    is_none,
    keyword_argument,
    render,
    render_read,
    str_const,
    within,
)
from flake8_secret_key.engine.settings import SettingsVisitor
from flake8_secret_key.engine.sites import Site, TryBody
from flake8_secret_key.engine.values import Value, ValueClassifier
from flake8_secret_key.known_keys import GUESSABLE

#: Where ``str.splitlines`` also breaks a line and Python's tokenizer does not.
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e")


def split_lines(text: str) -> list[str]:
    r"""Lines as Python's tokenizer counts them (``\n``, ``\r\n``, ``\r`` only)."""
    if text.isascii() and not any(c in text for c in _OTHER_BREAKS):
        return text.splitlines(keepends=True)  # the same lines, a third of the time
    return io.StringIO(text, newline="").readlines()


def parse(text: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` with every failure turned into a one-line ``SourceError``."""
    try:
        return ast.parse(text, filename)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        raise SourceError(f"syntax error at {where}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise SourceError("too deeply nested for Python's parser") from None
    except ValueError as exc:  # e.g. source code string cannot contain null bytes
        raise SourceError(str(exc).splitlines()[0] if str(exc) else "cannot parse") from None


def observe(
    tree: ast.AST,
    options: Options = DEFAULT_OPTIONS,
    lines: Sequence[str] | None = None,
) -> list[Observation]:
    """Every secret-key setting in ``tree``, in source order, each value once."""
    visitor = SettingsVisitor(options.names, lines)
    visitor.run(tree)
    found = _Observer(visitor, options, lines).run()
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


def observe_text(
    text: str, options: Options = DEFAULT_OPTIONS, filename: str = "<unknown>"
) -> list[Observation]:
    """Observations for source text: the text is checked before it is parsed.

    Raises ``SourceError`` (one line) when the text needs parsing and cannot be,
    or holds more than ``options.max_tokens`` tokens: the parse would not fit the
    memory budget of a file (see ``model.MAX_TOKENS``).
    """
    if not may_hold_setting(text, options):
        return []
    return observe_parsed(parse_within_budget(text, options, filename), text, options)


def parse_within_budget(text: str, options: Options, filename: str) -> ast.Module:
    """``parse``, refusing (``SourceError``) a text of more than ``options.max_tokens``
    tokens: its parse would not fit the memory budget of a file (``model.MAX_TOKENS``)."""
    if count_over(text, options.max_tokens):
        raise SourceError(
            f"too big to analyse: more than {options.max_tokens:,} words and symbols to "
            "parse (the memory budget of a file)"
        )
    return parse(text, filename)


def observe_parsed(tree: ast.Module, text: str, options: Options) -> list[Observation]:
    """``observe`` on the tree of ``text``; a tree too deep to walk is a ``SourceError``."""
    try:
        return observe(tree, options, split_lines(text))
    except (RecursionError, MemoryError):
        raise SourceError("too deeply nested to analyse") from None


#: What ``count_over`` counts: a name, a number or a symbol, about one per token of
#: Python's (line ends are not counted; a literal or a comment counts its words).
_TOKEN = r"\w+|[^\w\s]"  # compiled at first use


def count_over(text: str, limit: int) -> bool:
    """Whether ``text`` holds more than ``limit`` words and symbols, counting no
    further than that (a token is a character at least: short texts are not looked at)."""
    if len(text) <= limit:
        return False
    return next(islice(re.finditer(_TOKEN, text), limit, None), None) is not None


class _Observer:
    """Turns the visitor's sites into observations, judging each value."""

    def __init__(
        self, visitor: SettingsVisitor, options: Options, lines: Sequence[str] | None
    ) -> None:
        self.visitor = visitor
        self.names = options.names
        self.upper = visitor.upper  # the names that are settings wherever they are set
        self.known_keys = options.known_keys
        self.lines = lines
        self.values = ValueClassifier(visitor.uses, visitor.pending)
        self.found: list[Observation] = []

    def run(self) -> list[Observation]:
        for site in self.visitor.sites:
            if site.kind is Kind.FIELD:
                self._field(site)
            elif site.kind is Kind.ENV_SCHEMA:
                self._env_schema(site)
            elif site.kind is Kind.PREFIXED_ENV:
                flask = Value(
                    Source.ENVIRONMENT, site.at, env_var="FLASK_SECRET_KEY", reader="flask"
                )
                self._emit(site.at, site.name, site.kind, site.target, flask, site.target)
            elif not site.gate or site.gate in self.visitor.imported:
                self._setting(site)
        if self.visitor.imported.intersection(libraries.MODULE_WORDS):
            for call in self.visitor.calls:
                self._library_call(call)
        self._environment_reads()  # last: the settings' values consumed theirs
        return self.found

    def _library_call(self, call: ast.Call) -> None:
        """The secret passed to a signing library's call (``libraries.py``)."""
        values = self.values
        row = libraries.find(call, partial(values.qualified, imported_only=True))
        found = libraries.passed(call, row.arg) if row is not None else None
        if row is None or found is None:
            return
        value, by_keyword = found
        val = values.classify(value)
        if val.source in (Source.UNKNOWN, Source.EMPTY):  # app.config["SECRET_KEY"]: the
            return  # setting's; an empty secret is a library's own error
        if libraries.public_key(val.text) or not libraries.hmac_algorithms(
            call, row, lambda node: values.classify(node).text
        ):
            return  # a public key, or a key pair's: no shared secret
        label, keyword = render(call.func), row.arg.keyword
        others = len(call.args) + len(call.keywords) > 1
        if by_keyword:
            target = f"the {keyword}= argument of {label}"
            kind, fix = Kind.KEYWORD, (f"{label}({'..., ' if others else ''}{keyword}=", ")")
        else:
            before = "".join(f"{render(a)}, " for a in call.args[: call.args.index(value)])
            after = ", ...)" if value is not call.args[-1] or call.keywords else ")"
            target = f"the {keyword} argument of {label}"
            kind, fix = Kind.ARGUMENT, (f"{label}({before}", after)
        fix = (fix[0] + row.wrap[0], row.wrap[1] + fix[1])
        site = Site(row.env, kind, target, value, value, self.visitor.module, fix)
        self._setting(site._replace(signs=row.signs, manual=row.manual))

    def _setting(self, site: Site) -> None:
        value = site.value
        assert value is not None
        if site.receiver is not None and self.values.is_environ(site.receiver):
            return  # os.environ.setdefault(...) reads the environment: see below
        if site.name in LIST_SETTINGS and isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:  # SECRET_KEY_FALLBACKS = [old keys...]
                val = self.values.classify(element)
                if val.source in HARDCODED or val.source is Source.GENERATED:
                    self._emit_setting(site, element, val)
            return
        self._emit_setting(site, value, self.values.classify(value))

    def _emit_setting(self, site: Site, at: ast.AST, val: Value) -> None:
        if val.via is not None and val.via in self.upper:
            return  # reported where that setting is written
        env_var = self._handler_var(site.handler)
        if env_var is not None and val.source in HARDCODED:  # try: env[...] except: "x"
            val = val._replace(
                source=Source.FALLBACK, env_var=env_var, reader="os", fallback=val.node
            )
        self._emit(at, site.name, site.kind, site.target, val, site.fix, site.signs, site.manual)

    def _handler_var(self, body: TryBody | None) -> str | None:
        """The variable a ``try`` body reads, when the site is in its ``except``."""
        while body is not None:
            for node in self.visitor.reads[body.start : body.end]:
                read = self.values.env_read(node)
                if read is not None and read.env_var is not None:
                    return read.env_var
            body = body.outer
        return None

    def _field(self, site: Site) -> None:
        """A pydantic settings field: its default is a fallback for the variable."""
        var = env_name(site.name)
        if site.value is None:  # no default: pydantic requires the variable
            val = Value(Source.ENVIRONMENT, site.at, env_var=var, reader="pydantic")
            self._emit(site.at, site.name, site.kind, site.target, val, f"{site.name}: str")
            return
        val = self.values.classify(site.value)
        if val.source in HARDCODED:
            val = val._replace(
                source=Source.FALLBACK,
                env_var=var,
                reader="pydantic",
                fallback=val.node,
                node=site.at,
            )
        elif val.source is Source.EMPTY or (
            val.source is Source.UNKNOWN and (is_none(site.value) or is_ellipsis(site.value))
        ):  # no default, or "": the variable's, as os.environ.get(NAME, "") is
            val = Value(Source.ENVIRONMENT, site.at, env_var=var, reader="pydantic")
        fix = f"{site.name}: str  (no default: pydantic then requires {var})"
        self._emit(site.at, site.name, site.kind, site.target, val, fix)

    def _env_schema(self, site: Site) -> None:
        """django-environ: ``environ.Env(SECRET_KEY=(str, "default"))``."""
        assert site.value is not None
        default = self.values.classify(site.value)
        if default.source in HARDCODED:
            val = Value(
                Source.FALLBACK, site.at, default.text, site.name, "django-environ", default.node
            )
        elif default.source is Source.GENERATED:
            val = default._replace(env_var=site.name, reader="django-environ")
        else:
            return
        fix = f'environ.Env() and env("{site.name}") with no default'
        self._emit(site.at, site.name, site.kind, site.target, val, fix)

    def _environment_reads(self) -> None:
        """Fallbacks of secret-key variables that no setting consumed.

        ``or``/``if`` combinations come first, so that the reads inside them are
        consumed by them and reported once.
        """
        visitor, values = self.visitor, self.values
        wanted = self.names | {n.upper() for n in self.names}
        combos = set(visitor.combos)
        for node in (*visitor.combos, *visitor.reads):
            if node in values.consumed:
                continue
            read: Value | None = None
            if node in combos:
                read = values.classify(node)
            elif isinstance(node, (ast.Call, ast.Subscript)) and _may_read(node, wanted):
                read = values.env_read(node)
            if read is None or read.env_var not in wanted or read.reader == "custom":
                continue  # a reader the engine does not know counts in a setting only
            if read.source in (Source.FALLBACK, Source.GENERATED):
                target = render_read(node, read.env_var)
                self._emit(node, read.env_var, Kind.ENV_READ, target, read, ("", ""))

    def _emit(
        self,
        at: ast.AST,
        name: str,
        kind: Kind,
        target: str,
        val: Value,
        fix: tuple[str, str] | str,
        signs: str = "sessions",
        manual: str | None = None,
    ) -> None:
        source = val.source
        published = None
        if val.weak is not None and source is Source.GENERATED:  # drawn, but guessable
            source, published = Source.PUBLISHED, GUESSABLE + val.weak
        if val.text is not None and (source in HARDCODED or source is Source.FALLBACK):
            published = self.known_keys.source_of(val.text)
            if source is Source.LITERAL and published is not None:
                source = Source.PUBLISHED
        if not isinstance(fix, str):
            fix = fix[0] + _read_code(val, val.env_var or env_name(name)) + fix[1]
        # Point at the offending value: the hardcoded default of a fallback when it
        # is written right here, else the value expression itself.
        pos = at
        if val.fallback is not None and val.via is None and within(val.fallback, at):
            pos = val.fallback
        span = self._span(pos)
        value_at = val.node if val.via is not None else at
        value_span = span if value_at is pos else self._span(value_at)
        self.found.append(
            Observation(
                *span,
                name,
                kind,
                target,
                source,
                fix,
                value_span,
                val.env_var,
                val.reader,
                val.via,
                published,
                val.predictable,
                signs,
                manual,
                self._unknown(val) if source is Source.UNKNOWN else None,
                val.source is Source.GENERATED,
            )
        )

    def _unknown(self, val: Value) -> str:
        """What the scanner could not follow: for a read, its default."""
        node = val.node
        if val.env_var and isinstance(node, ast.Call):
            default = keyword_argument(node, "default") or argument(node, 1, "default")
            if default is not None:
                why = self.values.explain(default)
                return f"read from {val.env_var} in the environment, or when it is unset {why}"
        return self.values.explain(node)

    def _span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = col
        if self.lines is not None:
            col = self._chars(line, col)
            end_col = self._chars(end_line, end_col)
        return Span(line, col, end_line, end_col)

    def _chars(self, line: int, col: int) -> int:
        """Convert ast's UTF-8 byte column to a character column."""
        assert self.lines is not None
        if not 0 < line <= len(self.lines):
            return col
        text = self.lines[line - 1]
        if text.isascii():
            return col
        return len(text.encode("utf-8")[:col].decode("utf-8", errors="replace"))


def _may_read(node: ast.Call | ast.Subscript, variables: frozenset[str]) -> bool:
    """Whether a call or subscript can read one of ``variables``: its first argument
    (or key) is one of them, or a name that may be bound to one. Most are neither."""
    key = node.slice if isinstance(node, ast.Subscript) else node.args[0]
    name = str_const(key)
    return name in variables if name is not None else isinstance(key, ast.Name)


def _read_code(val: Value, env_var: str) -> str:
    """The read of ``env_var`` a fix writes, in the reader the code already uses."""
    reader = val.reader
    if reader in {"starlette", "custom"} and isinstance(val.node, ast.Call):
        return f'{render(val.node.func)}("{env_var}")'  # the same reader, no default
    if reader == "decouple":
        return f'config("{env_var}")'
    if reader == "environs":
        return f'env.str("{env_var}")'
    return f'os.environ["{env_var}"]'
