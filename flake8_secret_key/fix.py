"""The LibCST codemod behind ``flake8-secret-key fix``.

``fix_text`` is pure: source text (plus a ``Config``) in, new text out, with the
findings it fixed, the ones it left as they were (and why), and the environment
variables the app now needs. What to rewrite comes only from the engine
(``engine.observe_text``): each SKY100/SKY101/SKY102/SKY103 observation carries the
span of the expression to replace (``Observation.value``); LibCST's
``PositionProvider`` counts characters exactly as those spans do, so the node
is found by its span and nothing else is matched by pattern here.

Every byte outside the rewritten expressions is kept, and checked to be
(``fix_verify``): a file LibCST does not print back exactly, or one whose new
text differs elsewhere, is a one-line ``SourceError``, never a rewrite. An
``import os`` is added only when no usable binding exists (``fix_imports``
says how ``os.environ`` is spelled at each rewritten place).

This module and ``fix_imports`` are the only ones that import ``libcst``; the
flake8 plugin never imports them.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple, TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from flake8_secret_key import rules
from flake8_secret_key.engine import (
    LIST_SETTINGS,
    Kind,
    Observation,
    Source,
    SourceError,
    Span,
    env_name,
)
from flake8_secret_key.engine.observer import count_over
from flake8_secret_key.fix_imports import OsNames, add_import_os, bound_otherwise
from flake8_secret_key.fix_verify import Edit, check_only_edits, check_round_trip, too_deep
from flake8_secret_key.known_keys import is_guessable
from flake8_secret_key.options import Config

#: Readers whose fallback goes while the read stays: ``config("K", default="x")`` ->
#: ``config("K")`` ("custom": any reader called with a ``default=``).
_KEEP_READER = frozenset({"decouple", "environs", "django-environ", "starlette", "custom"})

#: Codes ``fix`` rewrites; SKY900 (generated keys) is left to the user.
FIXABLE = frozenset({"SKY100", "SKY101", "SKY102", "SKY103"})

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WRAPPERS = frozenset({"str", "bytes", "bytearray"})
#: An env-file value needing no quotes; anything else printable goes in '...'.
_PLAIN_ENV_VALUE = re.compile(r"[A-Za-z0-9_\-.+/=:@%,~^*]+")


class Fixed(NamedTuple):
    """A finding that was rewritten (never holds the old value)."""

    line: int
    col: int
    code: str
    target: str
    replacement: str  # e.g. os.environ["SECRET_KEY"], or config("SECRET_KEY")
    env_var: str


class Left(NamedTuple):
    """A finding left as it was, with the reason and what to do by hand."""

    line: int
    col: int
    code: str
    target: str
    reason: str


@dataclasses.dataclass(frozen=True)
class EnvVar:
    """A variable the fixed code reads.

    ``old_value`` is the previous key when it can be written in an env file as
    text (for ``--keep-key``); it is kept out of ``repr`` so that it never ends
    up in a log or a test failure message.
    """

    name: str
    old_value: str | None = dataclasses.field(default=None, repr=False)
    note: str | None = None  # why old_value is None, when there was a value


class FixResult(NamedTuple):
    """What ``fix_text`` did to one source text."""

    text: str
    fixed: list[Fixed]
    left: list[Left]
    env_vars: list[EnvVar]

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


class _Plan(NamedTuple):
    """One rewrite: replace ``node`` by an environment read, or drop an argument."""

    node: cst.BaseExpression
    var: str
    drop_arg: int | None = None  # index in node.args (decouple / environs default)


class _Accessor(NamedTuple):
    """How the rewritten places spell ``os.environ``, and whether ``import os`` is added."""

    expr: str  # "os.environ", "o.environ" or "environ"
    needs_import: bool


def fix_text(text: str, config: Config | None = None, filename: str = "<unknown>") -> FixResult:
    """Rewrite the hardcoded keys in ``text``; raises ``SourceError`` (one line).

    Text without a fixable finding is returned unchanged without parsing it
    with LibCST. A text LibCST does not print back exactly, or too deeply
    nested for LibCST's recursive walks, is a ``SourceError``.
    """
    config = config or Config()
    # ``A = B = "x"``: one value, one finding per target; identical ones count once.
    observations = list(
        dict.fromkeys(
            o for o in _observations(text, config, filename) if rules.code_for(o) in FIXABLE
        )
    )
    if not observations:
        return FixResult(text, [], [], [])
    if count_over(text, FIX_MAX_TOKENS):
        raise SourceError(
            f"too big for fix to rewrite: more than {FIX_MAX_TOKENS:,} words and symbols "
            "(LibCST's memory budget of a file); fix its keys by hand"
        )
    # LibCST drops the last \r of a file whose lines all end in \r alone; with
    # no \n in the text, \r -> \n and back is exact and moves no position.
    lone_cr = "\r" in text and "\n" not in text
    cst_text = text.replace("\r", "\n") if lone_cr else text
    try:
        module = cst.parse_module(cst_text)
        check_round_trip(module.code, cst_text)
        result = _Fixer(module, cst_text, observations, bound_otherwise(text)).run()
    except cst.ParserSyntaxError as exc:
        raise SourceError(
            f"LibCST cannot parse line {exc.raw_line}: {exc.message.splitlines()[0]}"
        ) from None
    except RecursionError:  # metadata, transform or printing: the stack is unwound here
        raise too_deep(text) from None
    return result._replace(text=result.text.replace("\n", "\r")) if lone_cr else result


#: The most words and symbols (as ``engine``'s ``count_over`` counts them) that fix
#: hands LibCST, whose tree costs up to ~8.5 KB each: a file of 64,000 one-name
#: statements took 549 MB and 26 s, 40,000 took 356 MB. At this cap a worst-shaped
#: file stays within the 512 MB budget of a file that ``check`` keeps
#: (``engine.model.MAX_TOKENS``); everyday code at the cap is about 190 KB.
FIX_MAX_TOKENS = 48 * 1024


def _observations(text: str, config: Config, filename: str) -> list[Observation]:
    from flake8_secret_key.engine import observe_text

    return observe_text(text, config.engine, filename)


# --------------------------------------------------------------------------- index


class _Index:
    """Expressions by span (the outermost of equal spans), and except handlers' spans.

    Built from ``PositionProvider`` alone: it records children before their
    parents, so a later node with the same span encloses the earlier one.
    """

    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange]) -> None:
        self.by_span: dict[Span, cst.BaseExpression] = {}
        self.handlers: list[Span] = []
        for node, rng in positions.items():
            if isinstance(node, cst.BaseExpression):
                self.by_span[_span(rng)] = node
            elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
                self.handlers.append(_span(rng))

    def in_handler(self, span: Span) -> bool:
        return any(_contains(h, span) for h in self.handlers)


def _span(rng: CodeRange) -> Span:
    return Span(rng.start.line, rng.start.column, rng.end.line, rng.end.column)


def _contains(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.col) <= (inner.line, inner.col) and (
        inner.end_line,
        inner.end_col,
    ) <= (outer.end_line, outer.end_col)


# --------------------------------------------------------------------------- fixer


class _Fixer:
    def __init__(
        self,
        module: cst.Module,
        text: str,  # module.code, already checked
        observations: Sequence[Observation],
        bound: frozenset[str],
    ) -> None:
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = self.wrapper.module
        self.text = text
        self.observations = observations
        self.positions = self.wrapper.resolve(PositionProvider)
        self.index = _Index(self.positions)
        self.os_names = OsNames(self.wrapper, self.positions, bound)

    def run(self) -> FixResult:
        plans: dict[Span, _Plan] = {}
        owners: dict[Span, list[Observation]] = {}
        left: list[Left] = []
        left_spans: list[tuple[Span, str]] = []
        for obs in self.observations:
            decision = self._decide(obs)
            if isinstance(decision, str):
                left.append(_left(obs, decision))
                left_spans.append((obs.value, obs.target))
                continue
            plans.setdefault(obs.value, decision)
            owners.setdefault(obs.value, []).append(obs)
        _drop_conflicts(plans, owners, left, left_spans)
        accessor = self._environ_accessor(plans, owners, left)
        if not plans:
            return FixResult(self.text, [], _sorted(left), [])
        fixed: list[Fixed] = []
        env_vars: dict[str, EnvVar] = {}
        for span, plan in plans.items():
            for obs in owners[span]:
                fixed.append(_fixed(obs, plan, accessor.expr))
                if plan.var not in env_vars:
                    env_vars[plan.var] = self._env_var(obs, plan)
        rewriter = _Rewriter(plans.values(), accessor.expr)
        new = self.module.visit(rewriter)
        if accessor.needs_import:
            new = add_import_os(new)
        text = new.code
        added = f"import os{self.module.default_newline}" if accessor.needs_import else None
        check_only_edits(self.text, text, self._edits(plans, rewriter), added)
        return FixResult(text, _sorted(fixed), _sorted(left), list(env_vars.values()))

    def _edits(self, plans: dict[Span, _Plan], rewriter: _Rewriter) -> list[Edit]:
        """Each rewritten range in the old text, with its old and new code."""
        edits = []
        for plan in plans.values():
            new = rewriter.done.get(id(plan.node))
            if new is None:  # never visited: the check below must not pass
                new = cst.Name("__not_rewritten__")
            old, new_code = (self.module.code_for_node(_bare(n)) for n in (plan.node, new))
            edits.append(Edit(_span(self.positions[plan.node]), old, new_code))
        return edits

    # -- decisions ------------------------------------------------------------

    def _decide(self, obs: Observation) -> _Plan | str:
        """A plan for this finding, or the reason it is left as it was."""
        var = obs.env_var or env_name(obs.name)
        if obs.manual is not None:  # a library that wants more than text (libraries.py)
            return obs.manual
        if obs.kind is Kind.FIELD:
            return (
                f"a pydantic settings field: remove its default ({obs.name}: str) so "
                f"that pydantic requires {var}"
            )
        if obs.kind is Kind.ENV_SCHEMA:
            return f'a django-environ default: drop it and read env("{var}") with no default'
        if obs.name in LIST_SETTINGS:
            return (
                f"an old key kept in {obs.name} to verify existing sessions: "
                "remove it once those sessions have expired"
            )
        if obs.kind is Kind.SETDEFAULT:
            return (
                "setdefault() evaluates its default even when the key is already set, "
                f"so requiring {var} there could break a working configuration: "
                "rewrite by hand"
            )
        node = self.index.by_span.get(obs.value)
        if node is None:
            return "could not locate the value in the source (please report)"
        if not _IDENTIFIER.fullmatch(var):
            return f"the variable name {var!r} is not a plain identifier: rewrite by hand"
        if obs.source is Source.FALLBACK:
            return self._decide_fallback(obs, node, var)
        return _Plan(node, var)

    def _decide_fallback(
        self, obs: Observation, node: cst.BaseExpression, var: str
    ) -> _Plan | str:
        if isinstance(node, cst.IfExp):
            return "a conditional fallback (... if ... else ...): choose the branch by hand"
        if not isinstance(node, (cst.Call, cst.BooleanOperation)):
            if self.index.in_handler(obs.value):
                return (
                    "a fallback in an except handler: remove the try/except so that a "
                    f"missing {var} fails at start-up"
                )
            return "a hardcoded fallback fix cannot rewrite safely: rewrite by hand"
        if obs.env_var is None:
            return "the environment variable's name is not a string literal: rewrite by hand"
        if obs.reader in _KEEP_READER:
            return self._drop_default(obs, node, var)
        if obs.reader != "os":
            return f"a {obs.reader or 'custom'} read with a fallback: rewrite by hand"
        if obs.kind is Kind.ENV_READ and _is_setdefault(node):
            return (
                "os.environ.setdefault() gives the rest of the program its value: delete "
                f"the call and set {var} in the environment"
            )
        if isinstance(node, cst.BooleanOperation):
            if not isinstance(node.operator, cst.Or) or any(
                isinstance(side, cst.BooleanOperation) for side in (node.left, node.right)
            ):
                return "a chain of alternatives (a or b or ...): rewrite by hand"
            return _Plan(node, var)
        if self._nested_read(node):
            return "a fallback that reads a second variable: rewrite by hand"
        return _Plan(node, var)

    @staticmethod
    def _nested_read(node: cst.Call) -> bool:
        """``os.environ.get("A", os.environ.get("B", "x"))``: two variables, leave it."""
        return any(
            isinstance(arg.value, (cst.Call, cst.BooleanOperation)) for arg in node.args[1:]
        )

    def _drop_default(self, obs: Observation, node: cst.BaseExpression, var: str) -> _Plan | str:
        """decouple ``config("K", default="x")`` -> ``config("K")``: the read stays."""
        how = "python-decouple" if obs.reader == "decouple" else obs.reader
        if not isinstance(node, cst.Call) or (
            isinstance(node.func, cst.Name) and node.func.value in _WRAPPERS
        ):
            return f"a {how} read with a fallback inside a larger expression: rewrite by hand"
        # config("K", "x") and env.str("K", "x") take the default second; with
        # django-environ, env("K", str) takes a cast there.
        positional_ok = obs.reader == "decouple" or (
            isinstance(node.func, cst.Attribute) and obs.reader in {"environs", "django-environ"}
        )
        index = _default_arg(node, positional_ok)
        if index is None:
            return f"could not find the default of this {how} read: rewrite by hand"
        return _Plan(node, var, drop_arg=index)

    # -- os / environ -------------------------------------------------------------

    def _environ_accessor(
        self, plans: dict[Span, _Plan], owners: dict[Span, list[Observation]], left: list[Left]
    ) -> _Accessor:
        """How to spell ``os.environ`` at every rewritten place (and whether to import)."""
        replacing = [span for span, plan in plans.items() if plan.drop_arg is None]
        if not replacing:
            return _Accessor("os.environ", needs_import=False)
        first = min((s.line, s.col) for s in replacing)
        for name, expr in self.os_names.bindings(first):
            if all(self.os_names.resolves_to_os(plans[s].node, name) for s in replacing):
                return _Accessor(expr, needs_import=False)
        reason = "the name os means something else here: rewrite by hand"
        for span in replacing:
            if not self.os_names.free_or_os(plans[span].node, "os"):
                left.extend(_left(obs, reason) for obs in owners.pop(span))
                del plans[span]
        return _Accessor("os.environ", any(p.drop_arg is None for p in plans.values()))

    # -- environment variables --------------------------------------------------------

    def _env_var(self, obs: Observation, plan: _Plan) -> EnvVar:
        """The variable, with the old key when it can go in an env file as text."""
        if obs.published is not None:  # SKY101, or a fallback that is: compromised
            what = "guessable" if is_guessable(obs.published) else "published"
            return EnvVar(plan.var, None, f"the old key is {what}: it is never kept")
        if obs.source is Source.EMPTY:
            return EnvVar(plan.var, None, "the old key is empty: there is nothing to keep")
        node = plan.node
        if obs.source is Source.FALLBACK:
            inner = self.index.by_span.get(Span(obs.line, obs.col, obs.end_line, obs.end_col))
            if inner is None:
                return EnvVar(plan.var, None, "the old fallback is not a plain literal")
            node = inner
        try:
            value = ast.literal_eval(self.module.code_for_node(node).strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return EnvVar(plan.var, None, "the old key is not a plain literal")
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                return EnvVar(plan.var, None, "the old key is bytes that are not text")
        if not isinstance(value, str) or env_file_value(value) is None:
            return EnvVar(plan.var, None, "the old key cannot be written in an env file")
        return EnvVar(plan.var, value)


def env_file_value(value: str) -> str | None:
    """``value`` as it can be written after ``NAME=`` in a .env file, or None."""
    if not value or not value.isprintable():
        return None
    if _PLAIN_ENV_VALUE.fullmatch(value):
        return value
    if "'" not in value:
        return f"'{value}'"
    return None


def _drop_conflicts(
    plans: dict[Span, _Plan],
    owners: dict[Span, list[Observation]],
    left: list[Left],
    left_spans: Sequence[tuple[Span, str]],
) -> None:
    """Settle overlapping values.

    A value that overlaps a value left as it was is left too (the file is left
    as it was for those findings); a value inside another replaced value
    disappears with it, so its findings count as fixed by the outer rewrite.
    """
    for span in list(plans):
        blocker = next(
            (t for s, t in left_spans if _contains(span, s) or _contains(s, span)), None
        )
        if blocker is not None:
            for obs in owners.pop(span):
                left.append(_left(obs, f"shares its value with {blocker}, which is left as is"))
            del plans[span]
    for span in list(plans):
        outer = next((s for s in plans if s != span and _contains(s, span)), None)
        if outer is not None:
            owners[outer].extend(owners.pop(span))
            del plans[span]


def _is_setdefault(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "setdefault"
    )


def _default_arg(call: cst.Call, positional_ok: bool) -> int | None:
    """Index of the ``default=`` argument (or the second positional one)."""
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "default":
            return i
    plain = [i for i, a in enumerate(call.args) if a.keyword is None and not a.star]
    if positional_ok and len(plain) >= 2 and plain[:2] == [0, 1]:
        return 1
    return None


def _fixed(obs: Observation, plan: _Plan, environ: str) -> Fixed:
    if plan.drop_arg is None:
        replacement = _environ_read(environ, plan.var)
    else:  # the same read without its default
        assert isinstance(plan.node, cst.Call)
        replacement = f'{cst.Module([]).code_for_node(plan.node.func)}("{plan.var}")'
    code = rules.code_for(obs) or ""
    return Fixed(obs.line, obs.col, code, obs.target, replacement, plan.var)


def _left(obs: Observation, reason: str) -> Left:
    return Left(obs.line, obs.col, rules.code_for(obs) or "", obs.target, reason)


_Item = TypeVar("_Item", Fixed, Left)


def _sorted(items: list[_Item]) -> list[_Item]:
    return sorted(items, key=lambda i: (i.line, i.col))


# --------------------------------------------------------------------------- rewriting


class _Rewriter(cst.CSTTransformer):
    """Replaces planned nodes (keeping their parentheses) and drops defaults."""

    def __init__(self, plans: Iterable[_Plan], environ: str) -> None:
        super().__init__()
        self.plans = {id(p.node): p for p in plans}
        self.environ = environ
        self.done: dict[int, cst.BaseExpression] = {}  # id(old node) -> new node

    def on_leave(
        self, original_node: cst.CSTNodeT, updated_node: cst.CSTNodeT
    ) -> cst.CSTNodeT | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNodeT]:
        new = self._replace(original_node, updated_node)
        if isinstance(new, cst.BaseExpression) and id(original_node) in self.plans:
            self.done[id(original_node)] = new
        return new

    def _replace(self, original_node: cst.CSTNodeT, updated_node: cst.CSTNodeT) -> cst.CSTNodeT:
        plan = self.plans.get(id(original_node))
        if plan is None:
            return updated_node
        if plan.drop_arg is not None:
            assert isinstance(updated_node, cst.Call)
            return _without_arg(updated_node, plan.drop_arg)  # type: ignore[return-value]
        assert isinstance(updated_node, cst.BaseExpression)
        read = cst.parse_expression(_environ_read(self.environ, plan.var))
        return read.with_changes(  # type: ignore[return-value]
            lpar=updated_node.lpar, rpar=updated_node.rpar
        )


def _bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without its parentheses: LibCST's positions leave them out."""
    if getattr(node, "lpar", None) or getattr(node, "rpar", None):
        return node.with_changes(lpar=(), rpar=())
    return node


def _environ_read(environ: str, var: str) -> str:
    return f'{environ}["{var}"]'


def _without_arg(call: cst.Call, index: int) -> cst.Call:
    args = list(call.args)
    removed = args.pop(index)
    if index == len(args) and args:  # it was the last one: the previous one ends the call
        args[-1] = args[-1].with_changes(
            comma=removed.comma, whitespace_after_arg=removed.whitespace_after_arg
        )
    return call.with_changes(args=args)
