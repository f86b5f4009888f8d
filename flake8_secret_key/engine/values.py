"""What a secret key's value is: literal, published, fallback, generated, environment...

``ValueClassifier.classify(expr)`` answers with a ``Value``, once per node: results
are kept in a table keyed by the node (the tree is never touched), so a value reached
many times (``x1 = x0 + x0``, ``x2 = x1 + x1``...) costs one analysis, and analysis is
linear in the size of the file. A node is marked unknown while it is being classified,
so a cycle (``A = B``, ``B = A``) ends as unknown instead of recursing.

Names are followed through their bindings (``scopes.live_bindings``); callees are
recognised by qualified name through the imports (``import os as o`` makes
``o.environ.get`` a read of ``os.environ``). How two possible values combine
(``env or "x"`` is a fallback) is decided in ``combine``, in one place.
"""

# No ``from __future__ import annotations``: typing.NamedTuple would compile each
# field's string annotation on the flake8 plugin's start-up (see engine/model.py).

import ast
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from flake8_secret_key.engine.literals import (
    DECODERS,
    ENCODERS,
    ENV_READERS,
    ENV_VAR_NAME,
    GENERATORS,
    HASHES,
    KEY_HOLDERS,
    READER_FACTORIES,
    WRAPPERS,
    apply,
    convert,
    join,
)
from flake8_secret_key.engine.model import HARDCODED, Source
from flake8_secret_key.engine.nodes import (
    argument,
    capped,
    dotted,
    head_name,
    is_none,
    is_number,
    keyword_argument,
    literal_text,
    str_const,
)
from flake8_secret_key.engine.scopes import Binding, Use, live_bindings

#: How deep analysis follows an expression before giving up (as unknown). It bounds
#: the recursion; each node is still analysed once.
MAX_DEPTH = 80

if TYPE_CHECKING:
    from flake8_secret_key.engine.unknown import Explainer
    from flake8_secret_key.engine.weak_random import Estimator

#: Expressions that may draw a key at start-up (``weak_random``).
_DRAWN = (ast.Call, ast.JoinedStr, ast.BinOp, ast.Attribute)

#: Module-level names whose value anyone can guess.
PREDICTABLE_NAMES = frozenset({"__name__", "__file__", "__package__", "__qualname__"})


class Value(NamedTuple):
    """What analysis learned about one expression."""

    source: Source
    node: ast.AST  # the expression the value is written as (where ``via`` is bound)
    text: str | bytes | None = None  # the computed literal, when small and known
    env_var: str | None = None
    reader: str | None = None  # "os", "decouple", "environs", "django-environ"...
    fallback: ast.AST | None = None  # the hardcoded default of a fallback
    via: str | None = None  # the name the value came through
    predictable: bool = False
    weak: str | None = None  # why a key drawn at start-up is guessable (weak_random)


class ValueClassifier:
    """Classifies expressions of one module, each node once."""

    def __init__(self, uses: dict[ast.Name, Use], pending: dict[ast.expr, Use]) -> None:
        self.uses = uses
        self.pending = pending  # values of light statements: their names' scope
        #: Environment reads and ``or``/``if`` expressions that a classified value
        #: went through: they are reported with that value, not on their own.
        self.consumed: set[ast.AST] = set()
        self._values: dict[ast.AST, Value] = {}
        self._reads: dict[ast.AST, Value | None] = {}
        # Built at first use: most files draw no key and hold no unknown one, and
        # their modules then stay off the flake8 plugin's start-up.
        self._draws: Estimator | None = None
        self._explainer: Explainer | None = None
        self._by_type: dict[type, Callable[[Any, int], Value]] = {
            ast.Constant: self._literal,
            ast.JoinedStr: self._literal,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Subscript: self._read_or_unknown,
            ast.Call: self._call,
            ast.BinOp: self._binop,
            ast.BoolOp: self._or,
            ast.IfExp: self._if,
            ast.NamedExpr: self._walrus,
        }

    def _estimator(self) -> "Estimator":
        if self._draws is None:
            from flake8_secret_key.engine.weak_random import Estimator

            self._draws = Estimator(self.qualified, self._bound)
        return self._draws

    def explain(self, node: ast.AST) -> str:
        """What an unknown value was read from, by name (``unknown.py``)."""
        if self._explainer is None:
            from flake8_secret_key.engine.unknown import Explainer

            self._explainer = Explainer(self.qualified, self._bindings)
        return self._explainer.why(node)

    def classify(self, node: ast.AST, depth: int = 0) -> Value:
        """The value of ``node``; never raises on a valid tree."""
        found = self._values.get(node)
        if found is not None:
            return found
        handler = self._by_type.get(type(node))
        if handler is None or depth > MAX_DEPTH:
            return Value(Source.UNKNOWN, node)
        self._values[node] = Value(Source.UNKNOWN, node)  # in progress: a cycle is unknown
        value = self._values[node] = handler(node, depth)
        if value.source in (Source.UNKNOWN, Source.GENERATED) and isinstance(node, _DRAWN):
            drawn, weak = self._estimator().judge(node)  # f"{randint(10000, 99999)}"
            if drawn and (weak is not None or value.source is Source.UNKNOWN):
                value = self._values[node] = Value(Source.GENERATED, node, weak=weak)
        return value

    def _literal(self, node: ast.Constant | ast.JoinedStr, depth: int) -> Value:
        text = literal_text(node)
        if text is None:
            return Value(Source.UNKNOWN, node)
        # Not capped: a literal's text is in the tree already, and a long one may be
        # published (the attacker's wordlist holds pages of docs and PGP blocks).
        return Value(Source.LITERAL if text else Source.EMPTY, node, text)

    def _name(self, node: ast.Name, depth: int) -> Value:
        if node.id in PREDICTABLE_NAMES:
            return Value(Source.LITERAL, node, predictable=True)
        values = [
            self.classify(b.value, depth + 1) if b.value else Value(Source.UNKNOWN, node)
            for b in self._bindings(node)
        ]
        if not values:
            return Value(Source.UNKNOWN, node)
        value = values[0] if len(values) == 1 else combine(node, values)
        if value.source is Source.UNKNOWN:
            return Value(Source.UNKNOWN, node)
        return value._replace(via=value.via or node.id)

    def _bindings(self, node: ast.Name) -> list[Binding]:
        use = self.uses.get(node)
        if use is None:
            return []
        found = live_bindings(node.id, use)
        for binding in found:
            where = self.pending.pop(binding.value, None) if binding.value else None
            if where is not None:  # a light statement's value: its names are used there
                for inner in ast.walk(binding.value):  # type: ignore[arg-type]
                    if isinstance(inner, ast.Name):
                        self.uses.setdefault(inner, where)
        return found

    def _bound(self, node: ast.Name) -> ast.expr | None:
        """The one value ``node`` is bound to, if it has exactly one."""
        bindings = self._bindings(node)
        return bindings[0].value if len(bindings) == 1 else None

    def _attribute(self, node: ast.Attribute, depth: int) -> Value:
        inner = self.classify(node.value, depth + 1)
        if inner.source is Source.GENERATED and node.attr in {"hex", "bytes", "urn"}:
            return inner._replace(node=node)  # uuid4().hex
        return Value(Source.UNKNOWN, node)

    def _read_or_unknown(self, node: ast.Subscript, depth: int) -> Value:
        read = self.env_read(node, depth)
        if read is None:
            return Value(Source.UNKNOWN, node)
        self.consumed.add(node)
        return read

    def _or(self, node: ast.BoolOp, depth: int) -> Value:
        if not isinstance(node.op, ast.Or):
            return Value(Source.UNKNOWN, node)
        self.consumed.add(node)
        return combine(node, [self.classify(v, depth + 1) for v in node.values])

    def _if(self, node: ast.IfExp, depth: int) -> Value:
        self.consumed.add(node)
        branches = (node.body, node.orelse)
        return combine(node, [self.classify(b, depth + 1) for b in branches])

    def _walrus(self, node: ast.NamedExpr, depth: int) -> Value:
        return self.classify(node.value, depth + 1)._replace(node=node)

    # -- arithmetic on literals -------------------------------------------------------

    def _binop(self, node: ast.BinOp, depth: int) -> Value:
        """``"a" + "b"``, ``"k" * 32``, ``"%s-%s" % (a, b)``: left-leaning chains of any
        length are flattened with a loop."""
        operands: list[ast.expr] = []
        ops: list[ast.operator] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(
            current.op, (ast.Add, ast.Mult, ast.Mod)
        ):
            operands.append(current.right)
            ops.append(current.op)
            current = current.left
        operands.append(current)
        operands.reverse()
        ops.reverse()
        if len(operands) == 1:
            return Value(Source.UNKNOWN, node)
        maybe = [self._operand(o, depth) for o in operands]
        values = [v for v in maybe if v is not None]
        sources = {v.source for v in values}
        if len(values) != len(maybe) or Source.UNKNOWN in sources:
            return Value(Source.UNKNOWN, node)
        if all(is_number(o) for o in operands if not isinstance(o, ast.Tuple)):
            return Value(Source.UNKNOWN, node)  # 1 + 2 is no key
        if Source.GENERATED in sources and sources <= {Source.GENERATED, *HARDCODED}:
            return Value(Source.GENERATED, node)
        if not sources <= set(HARDCODED):
            return Value(Source.UNKNOWN, node)
        result: object = _operand_text(values[0])
        for op, v in zip(ops, values[1:], strict=True):
            result = apply(op, result, _operand_text(v))
        if result in ("", b""):
            return Value(Source.EMPTY, node, text=capped(result))  # "" * 32
        return Value(Source.LITERAL, node, text=capped(result))

    def _operand(self, node: ast.expr, depth: int) -> Value | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return Value(Source.LITERAL, node)
        if isinstance(node, ast.Tuple):  # "%s-%s" % ("a", "b")
            parts = [self.classify(e, depth + 1) for e in node.elts]
            return (
                Value(Source.LITERAL, node) if all(p.source in HARDCODED for p in parts) else None
            )
        value = self.classify(node, depth + 1)
        return value._replace(source=Source.LITERAL) if value.source is Source.EMPTY else value

    # -- calls ------------------------------------------------------------------------

    def _call(self, node: ast.Call, depth: int) -> Value:
        read = self.env_read(node, depth)
        if read is not None:
            self.consumed.add(node)
            return read
        func, args = node.func, node.args
        callee = self.qualified(func) or ""
        head, _, last = callee.rpartition(".")
        if isinstance(func, ast.Attribute):
            last = func.attr  # also for receivers that are not names: "x".encode()
        first = self.classify(args[0], depth + 1) if args else None
        if callee in GENERATORS:
            return Value(Source.GENERATED, node)
        if isinstance(func, ast.Attribute):
            method = self._method(node, func, depth)
            if method is not None:
                return method
        if first is None:
            return Value(Source.UNKNOWN, node)
        if callee in KEY_HOLDERS:
            return first  # Fernet(key) is its key: reported (and fixed) where it is written
        if first.source is Source.GENERATED and (
            callee in WRAPPERS or callee in ENCODERS or callee in DECODERS
        ):
            return first._replace(node=node)  # str(uuid4()), base64.b64encode(os.urandom(24))
        if first.source in HARDCODED:
            if callee in WRAPPERS and all(literal_text(a) is not None for a in args[1:]):
                return Value(Source.LITERAL, node, text=convert(first.text, callee, args))
            if callee in DECODERS or callee in ENCODERS or (head == "hashlib" and last in HASHES):
                return Value(Source.LITERAL, node)
        if first.source is Source.EMPTY and (callee in WRAPPERS or callee in ENCODERS):
            return first._replace(node=node)  # str(""), bytes("", "utf-8")
        if first.source in (Source.ENVIRONMENT, Source.FALLBACK) and callee in WRAPPERS:
            return first._replace(node=node)  # str(os.environ["SECRET_KEY"])
        if callee == "hashlib.new" and len(args) >= 2:
            if self.classify(args[1], depth + 1).source in HARDCODED:
                return Value(Source.LITERAL, node)
        return Value(Source.UNKNOWN, node)

    def _method(self, node: ast.Call, func: ast.Attribute, depth: int) -> Value | None:
        """``"".join([...])``, ``"k".encode()``, ``os.urandom(24).hex()``..."""
        last, args = func.attr, node.args
        separator = literal_text(func.value)  # "" is no key, but a fine separator
        if (
            last == "join"
            and separator is not None
            and args
            and self._all_hardcoded(args[0], depth)
        ):
            return Value(Source.LITERAL, node, text=join(separator, args[0]))
        receiver = self.classify(func.value, depth + 1)
        if receiver.source is Source.GENERATED and last in {
            "hex",
            "decode",
            "encode",
            "hexdigest",
            "digest",
        }:
            return receiver._replace(node=node)
        if receiver.source is Source.EMPTY and last in {"encode", "decode", "strip"}:
            return receiver._replace(node=node)  # "".encode()
        if receiver.source in HARDCODED:
            if last in {"encode", "decode"} and all(literal_text(a) is not None for a in args):
                return Value(Source.LITERAL, node, text=convert(receiver.text, last, args))
            if last in {"hexdigest", "digest"}:
                return Value(Source.LITERAL, node)
            if last in {"upper", "lower", "strip"} and not args:
                return Value(Source.LITERAL, node, text=convert(receiver.text, last, args))
        return None

    def _all_hardcoded(self, node: ast.expr, depth: int) -> bool:
        if isinstance(node, (ast.List, ast.Tuple)):
            return bool(node.elts) and all(
                self.classify(e, depth + 1).source in HARDCODED for e in node.elts
            )
        return False

    # -- the environment --------------------------------------------------------------

    def env_read(self, node: ast.AST, depth: int = 0) -> Value | None:
        """An environment read (with its default, if any), or None."""
        if node not in self._reads:
            self._reads[node] = None  # in progress
            self._reads[node] = self._env_read(node, depth)
        return self._reads[node]

    def _env_read(self, node: ast.AST, depth: int) -> Value | None:
        if isinstance(node, ast.Subscript):
            if isinstance(node.ctx, ast.Load) and self.is_environ(node.value):
                return Value(Source.ENVIRONMENT, node, env_var=self._var(node.slice), reader="os")
            return None
        if not isinstance(node, ast.Call) or not node.args:
            return None
        func = node.func
        callee = self.qualified(func) or ""
        default: ast.expr | None = None
        reader = ENV_READERS.get(callee)
        if reader is not None:
            default = argument(node, 1, "default")
        else:
            reader = self._reader_object(func)
            if reader == "decouple":
                default = argument(node, 1, "default")
            elif reader is not None:  # environs or django-environ
                default = keyword_argument(node, "default")
                # env.str("K", "x") passes a default in both libraries; django-environ's
                # env("K", x) passes a cast, environs' a default.
                positional = isinstance(func, ast.Attribute) or reader == "environs"
                if default is None and positional and len(node.args) > 1:
                    if literal_text(node.args[1]) is not None:
                        default = node.args[1]
        if reader is None:  # any reader, env("DJANGO_SECRET_KEY", default="x"): a fallback
            default = keyword_argument(node, "default")
            if default is None or not re.fullmatch(ENV_VAR_NAME, str_const(node.args[0]) or ""):
                return None
            if self.classify(default, depth + 1).source not in HARDCODED:
                return None
            reader = "custom"
        env_var = self._var(node.args[0])
        if default is None or is_none(default) or literal_text(default) in {"", b""}:
            # no default, None, or "" (an empty key is no secret): the environment's
            return Value(Source.ENVIRONMENT, node, env_var=env_var, reader=reader)
        inner = self.classify(default, depth + 1)
        if inner.source in HARDCODED:
            fallback = inner.node if inner.via is None else default
            return Value(Source.FALLBACK, node, inner.text, env_var, reader, fallback)
        if inner.source in (Source.FALLBACK, Source.GENERATED, Source.ENVIRONMENT):
            return inner._replace(node=node, env_var=env_var, reader=reader)
        if inner.source is Source.EMPTY:  # a name bound to "": as a default of ""
            return Value(Source.ENVIRONMENT, node, env_var=env_var, reader=reader)
        return Value(Source.UNKNOWN, node, env_var=env_var, reader=reader)

    def is_environ(self, node: ast.AST) -> bool:
        """``os.environ`` under any alias, or ``environ`` imported from os."""
        return self.qualified(node) == "os.environ"

    def _reader_object(self, func: ast.expr) -> str | None:
        """The library of ``env(...)``/``env.str(...)``/``config(...)`` when that name
        is bound to a reader: ``env = Env()``, ``config = AutoConfig()``, environs' env."""
        name = func.value if isinstance(func, ast.Attribute) else func
        if not isinstance(name, ast.Name):
            return None
        for binding in self._bindings(name):
            if binding.imported == "environs.env":
                library: str | None = "environs"
            elif isinstance(binding.value, ast.Call):
                library = READER_FACTORIES.get(self.qualified(binding.value.func) or "")
            else:
                continue
            if library is not None and (library != "decouple" or name is func):
                return library  # decouple's objects are called, never read by method
        return None

    def _var(self, node: ast.expr) -> str | None:
        """The variable's name: a string, or a name bound to one string."""
        name = str_const(node)
        if name is None and isinstance(node, ast.Name):
            texts = {str_const(b.value) for b in self._bindings(node)}
            if len(texts) == 1:
                name = texts.pop()
        return name

    def qualified(self, node: ast.AST, imported_only: bool = False) -> str | None:
        """The dotted name ``node`` means through the imports: ``o.environ`` is
        ``os.environ`` after ``import os as o``. A name bound to something other than
        an import has none; a name bound nowhere (a builtin, or a module used without
        its import) means what it spells, unless ``imported_only``."""
        head = head_name(node)
        spelled = dotted(node)
        if head is None or spelled is None:
            return None
        bindings = self._bindings(head)
        if not bindings:
            return None if imported_only else spelled
        for binding in bindings:
            if binding.imported is not None:
                return binding.imported + spelled[len(head.id) :]
        return None


def combine(node: ast.AST, values: Sequence[Value]) -> Value:
    """One value for ``a or b``, ``a if c else b``, or a name bound in two branches.
    An empty key counts only when every value is empty: ``env or ""`` is the
    environment's (unset, the key is empty and sessions fail, as a missing key does)."""
    filled = [v for v in values if v.source is not Source.EMPTY]
    if not filled:
        return values[0]._replace(node=node, via=None)
    values = filled
    sources = {v.source for v in values}
    hard = next((v for v in values if v.source in HARDCODED), None)
    env = next((v for v in values if v.source in (Source.ENVIRONMENT, Source.FALLBACK)), None)
    inner_fallback = next((v for v in values if v.source is Source.FALLBACK), None)
    if inner_fallback is not None:  # its default is what an unset variable gives
        return inner_fallback._replace(node=node)
    if env is not None and hard is not None:
        fallback = hard.node if hard.via is None else None
        return Value(Source.FALLBACK, node, hard.text, env.env_var, env.reader, fallback)
    if Source.UNKNOWN in sources:
        return Value(Source.UNKNOWN, node)
    if Source.GENERATED in sources:
        weak = next((v.weak for v in values if v.weak is not None), None)
        env_var, reader = (env.env_var, env.reader) if env else (None, None)
        return Value(Source.GENERATED, node, env_var=env_var, reader=reader, weak=weak)
    if hard is not None and sources <= set(HARDCODED):
        return hard._replace(node=node, via=None)
    if env is not None:
        return env._replace(node=node)
    return Value(Source.UNKNOWN, node)


def _operand_text(value: Value) -> object:
    node = value.node
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Tuple):
        texts = [literal_text(e) for e in node.elts]
        return tuple(texts) if all(t is not None for t in texts) else None
    return value.text
