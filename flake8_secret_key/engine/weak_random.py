"""Keys drawn at start-up that anyone can guess: how many bits, from which generator.

``Estimator.why(expr)`` says why a key computed at start-up is guessable, or None:

* it is drawn from a generator that is not cryptographic: the ``random`` module's
  functions or a ``random.Random()`` instance (the Mersenne Twister: Python's
  documentation says not to use it for security; seeded with a constant, anyone can
  rerun it), the clock (``time.time()``, ``datetime.now()``), or ``uuid.uuid1()``
  (the clock and the machine's address);
* or it holds too few bits, whatever the generator: fewer than 2**50 keys
  (``guessable.SEARCH_SPACE``), as ``secrets.randbelow(100000)`` or
  ``"".join(secrets.choice(digits) for _ in range(6))``.

The bits are estimated from the expression: ``randint(10000, 99999)`` draws one of
90,000 values (16.5 bits), ``choice(seq)`` one of ``len(seq)``, ``choices(seq, k=n)``
``n`` of them, ``"".join(... for _ in range(n))`` ``n`` times its element; an
f-string, ``+``, ``%`` and ``.format`` add up their parts, and conversions
(``str``, ``.hex()``, ``.encode()``, hashes, base64) keep the bits they are given. A
reading of the clock counts the instants of one day at its resolution (the server's
start is known to a day: the session cookie carries a timestamp). An expression the
estimator cannot read (a call it does not know, a parameter) gives None: not guessable.

Each node is estimated once (a table keyed by the node); names are followed through
their one binding, to a bounded depth.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import NamedTuple

from flake8_secret_key.guessable import SEARCH_SPACE

#: Names are followed this deep, expressions this deep: then unknown.
MAX_DEPTH = 40

#: Functions of ``random`` (and methods of ``random.Random()``) that return a float.
_FLOATS = frozenset(
    {"random", "uniform", "gauss", "normalvariate", "triangular", "lognormvariate",
     "expovariate", "betavariate", "gammavariate", "vonmisesvariate", "paretovariate",
     "weibullvariate"}
)  # fmt: skip
_DRAWS = frozenset({"randint", "randrange", "getrandbits", "randbytes", "choice", "choices"})
_METHODS = _FLOATS | _DRAWS | {"sample"}

#: Readings of the clock: bits of one day at their resolution.
_CLOCK: dict[str, float] = {
    "time.time": math.log2(86_400 * 10**6),  # a float: about a microsecond
    "time.time_ns": math.log2(86_400 * 10**9),
    "time.monotonic": math.log2(86_400 * 10**6),
    "time.perf_counter": math.log2(86_400 * 10**6),
    "time.ctime": math.log2(86_400),
    "time.localtime": math.log2(86_400),
    "time.gmtime": math.log2(86_400),
    "datetime.datetime.now": math.log2(86_400 * 10**6),
    "datetime.datetime.utcnow": math.log2(86_400 * 10**6),
    "datetime.datetime.today": math.log2(86_400 * 10**6),
    "datetime.date.today": 0.0,
    # uuid1: a 100 ns timestamp and 14 random bits (its node is the machine's address)
    "uuid.uuid1": math.log2(86_400 * 10**7) + 14,
}
#: Cryptographic generators whose output size is fixed: bits.
_FIXED = {
    "uuid.uuid4": 122.0,
    "Fernet.generate_key": 256.0,
    "cryptography.fernet.Fernet.generate_key": 256.0,
    "django.core.management.utils.get_random_secret_key": 50 * math.log2(50),
}
#: Cryptographic generators of n bytes (``secrets``' default: 32).
_BYTES = {"os.urandom", "secrets.token_hex", "secrets.token_bytes", "secrets.token_urlsafe"}
#: Constants of the string module: their length.
_ALPHABETS = {
    "string.ascii_letters": 52,
    "string.ascii_lowercase": 26,
    "string.ascii_uppercase": 26,
    "string.digits": 10,
    "string.hexdigits": 22,
    "string.octdigits": 8,
    "string.punctuation": 32,
    "string.printable": 100,
    "string.whitespace": 6,
}
#: Calls and methods that keep the bits of their (first) argument or receiver.
_KEEP_CALLS = frozenset({"str", "bytes", "bytearray", "int", "float", "repr", "hex", "format"})
_KEEP_PREFIXES = ("hashlib.", "base64.", "binascii.")
_KEEP_METHODS = frozenset(
    {"hex", "hexdigest", "digest", "encode", "decode", "upper", "lower", "strip", "isoformat",
     "strftime", "timestamp", "zfill", "rjust", "ljust", "title", "capitalize", "swapcase"}
)  # fmt: skip
_KEEP_ATTRIBUTES = frozenset({"hex", "bytes", "urn", "int", "fields", "time", "node"})


class Estimate(NamedTuple):
    """What an expression draws at start-up."""

    bits: float | None  # None: some draw of an unknown size
    weak: str | None = None  # the non-cryptographic generator it uses, as called
    drawn: bool = False  # whether anything in it is drawn at all


_FIXED_TEXT = Estimate(0.0)
_SEEDED = "seeded with a constant"
#: How the reason for a large draw from ``random`` ends: no search finds it, but the
#: generator's other outputs give its state away.
STATE = ": its outputs give its state away"

Qualify = Callable[[ast.AST], "str | None"]
Bound = Callable[[ast.Name], "ast.expr | None"]


class Estimator:
    """Estimates the expressions of one module, each node once."""

    def __init__(self, qualified: Qualify, bound: Bound) -> None:
        self.qualified = qualified  # the dotted name a node means, through the imports
        self.bound = bound  # the one value a name is bound to, or None
        self._seen: dict[ast.AST, Estimate | None] = {}

    def judge(self, node: ast.AST) -> tuple[bool, str | None]:
        """Whether the key ``node`` computes is drawn at start-up, and why it is
        guessable (None: it is not, or it is not drawn)."""
        found = self.estimate(node)
        if found is None or not found.drawn:
            return False, None
        bits, weak = found.bits, found.weak
        small = bits is not None and bits < math.log2(SEARCH_SPACE)
        about = f"about {round(bits)} bits" if bits is not None else "drawn"
        if weak is None:
            return True, f"{about}, few enough to try every key" if small else None
        if weak.endswith(_SEEDED):
            return True, f"drawn from {weak}: anyone can run it again"
        if weak == "uuid.uuid1":
            return True, f"{about}: uuid.uuid1() is the clock and the machine's address"
        if weak in _CLOCK:
            return True, f"{about}: a reading of the clock ({weak})"
        what = f"{about} from {weak}, not a cryptographic generator"
        return True, what if small else f"{what}{STATE}"

    def estimate(self, node: ast.AST, depth: int = 0) -> Estimate | None:
        if node in self._seen:
            return self._seen[node]
        if depth > MAX_DEPTH:
            return None
        self._seen[node] = None  # in progress: a cycle is unknown
        found = self._seen[node] = self._estimate(node, depth + 1)
        return found

    def _estimate(self, node: ast.AST, depth: int) -> Estimate | None:
        if isinstance(node, ast.Constant):
            return _FIXED_TEXT if isinstance(node.value, (str, bytes, int)) else None
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
            return self._sum(parts, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod, ast.Mult)):
            right = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            return self._sum([node.left, *right], depth)
        if isinstance(node, ast.Name):
            value = self.bound(node)
            return None if value is None else self.estimate(value, depth)
        if isinstance(node, ast.Attribute):
            if self.qualified(node) in _ALPHABETS:
                return _FIXED_TEXT
            if node.attr in _KEEP_ATTRIBUTES:  # uuid1().hex
                return self.estimate(node.value, depth)
            return None
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        return None

    def _sum(self, parts: list[ast.expr], depth: int) -> Estimate | None:
        found = [self.estimate(p, depth) for p in parts]
        if any(f is None for f in found):
            return None
        known = [f for f in found if f is not None]
        bits = None if any(f.bits is None for f in known) else sum(f.bits or 0.0 for f in known)
        weak = next((f.weak for f in known if f.weak is not None), None)
        return Estimate(bits, weak, any(f.drawn for f in known))

    def _call(self, node: ast.Call, depth: int) -> Estimate | None:
        func, args = node.func, node.args
        callee = self.qualified(func) or ""
        if callee in _CLOCK:
            return Estimate(_CLOCK[callee], callee, True)
        if callee in _FIXED:
            return Estimate(_FIXED[callee], None, True)
        if callee in _BYTES:
            size = _int(args[0], self.bound) if args else 32
            return Estimate(None if size is None else 8.0 * max(size, 0), None, True)
        module, _, name = callee.rpartition(".")
        if module in {"random", "secrets"} and name in _METHODS | {"randbelow", "randbits"}:
            weak = callee if module == "random" else None
            return self._draw(name, node, weak, depth)
        if isinstance(func, ast.Attribute) and func.attr in _METHODS:
            generator = self._generator(func.value, depth)
            if generator is not None:
                label, insecure = generator
                if insecure and label.endswith(_SEEDED):
                    return Estimate(0.0, label, True)
                named = f"{label}.{func.attr}" if insecure else None
                return self._draw(func.attr, node, named, depth)
        if isinstance(func, ast.Attribute) and func.attr == "join" and len(args) == 1:
            return self._join(func.value, args[0], depth)
        if isinstance(func, ast.Attribute) and func.attr == "format":
            return self._sum([func.value, *args], depth)
        if isinstance(func, ast.Attribute) and func.attr in _KEEP_METHODS:
            return self.estimate(func.value, depth)
        if args and (callee in _KEEP_CALLS or callee.startswith(_KEEP_PREFIXES)):
            return self.estimate(args[0], depth)
        return None

    def _generator(self, receiver: ast.expr, depth: int) -> tuple[str, bool] | None:
        """``random.Random()`` (weak) or ``random.SystemRandom()``, or a name bound to one."""
        if isinstance(receiver, ast.Name) and depth <= MAX_DEPTH:
            value = self.bound(receiver)
            return None if value is None else self._generator(value, depth + 1)
        if not isinstance(receiver, ast.Call):
            return None
        callee = self.qualified(receiver.func)
        if callee in {"random.SystemRandom", "secrets.SystemRandom"}:
            return "random.SystemRandom()", False
        if callee == "random.Random":
            if receiver.args and isinstance(receiver.args[0], ast.Constant):
                return f"random.Random() {_SEEDED}", True
            return "random.Random()", True
        return None

    def _draw(self, name: str, node: ast.Call, weak: str | None, depth: int) -> Estimate:
        """One call of ``random``'s (or ``secrets``') ``name``: how many bits it draws."""
        args = node.args
        bits: float | None = None
        if name in _FLOATS:
            bits = 53.0
        elif name in {"getrandbits", "randbits"}:
            bits = _as_float(_int(args[0], self.bound) if args else None)
        elif name == "randbytes":
            size = _int(args[0], self.bound) if args else None
            bits = None if size is None else 8.0 * max(size, 0)
        elif name in {"randint", "randrange", "randbelow"}:
            bits = _log2(_range_size(name, args, self.bound))
        elif name in {"choice", "choices", "sample"} and args:
            size = self._length(args[0], depth)
            count = _keyword_int(node, "k", self.bound)
            if name == "choices":
                if size is not None and count is not None:
                    bits = max(count, 0) * _log2_or_zero(size)
            elif name == "sample":
                count = _int(args[1], self.bound) if len(args) > 1 else count
                if size is not None and count is not None and 0 <= count <= min(size, 4096):
                    bits = sum(math.log2(size - i) for i in range(count))
            else:
                bits = _log2(size)
        return Estimate(bits, weak, True)

    def _join(self, separator: ast.expr, items: ast.expr, depth: int) -> Estimate | None:
        """``sep.join(random.choice(a) for _ in range(n))``, ``sep.join(choices(...))``."""
        if self.estimate(separator, depth) is None:
            return None
        if isinstance(items, (ast.List, ast.Tuple)):
            return self._sum(list(items.elts), depth)
        if isinstance(items, (ast.GeneratorExp, ast.ListComp)) and len(items.generators) == 1:
            loop = items.generators[0]
            times = self._length(loop.iter, depth)
            element = self.estimate(items.elt, depth)
            if times is None or element is None or loop.ifs:
                return None
            bits = None if element.bits is None else times * element.bits
            return element._replace(bits=bits)
        return self.estimate(items, depth)  # "".join(random.choices(a, k=8))

    def _length(self, node: ast.expr, depth: int) -> int | None:
        """How many items ``node`` holds: a literal, a string constant, a range."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            return len(node.value)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return len(node.elts)
        if isinstance(node, ast.Attribute):
            return _ALPHABETS.get(self.qualified(node) or "")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._length(node.left, depth), self._length(node.right, depth)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.Call) and self.qualified(node.func) in {"range", "list", "str"}:
            if self.qualified(node.func) == "range":
                return _range_size("randrange", node.args, self.bound)
            return self._length(node.args[0], depth) if len(node.args) == 1 else None
        if isinstance(node, ast.Name) and depth <= MAX_DEPTH:
            value = self.bound(node)
            return None if value is None else self._length(value, depth + 1)
        return None


def _int(node: ast.expr, bound: Bound, depth: int = 0) -> int | None:
    """An int literal (``-5``, ``10**6``, or a name bound to one), below 2**256."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value if abs(node.value) < 2**256 else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int(node.operand, bound, depth)
        return None if inner is None else -inner
    if isinstance(node, ast.Name) and depth < 4:
        value = bound(node)
        return None if value is None else _int(value, bound, depth + 1)
    if isinstance(node, ast.BinOp) and depth < 4:  # 10**6, 2 * 1000
        left, right = _int(node.left, bound, depth + 1), _int(node.right, bound, depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow) and 0 <= right <= 256 and abs(left) <= 2**16:
            return int(left**right)
        if max(abs(left), abs(right)) >= 2**256:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
    return None


def _keyword_int(node: ast.Call, name: str, bound: Bound) -> int | None:
    for keyword in node.keywords:
        if keyword.arg == name:
            return _int(keyword.value, bound)
    return 1 if name == "k" else None


def _range_size(name: str, args: list[ast.expr], bound: Bound) -> int | None:
    """How many values ``randint(a, b)``, ``randrange(...)``, ``range(...)`` hold."""
    ints = [_int(a, bound) for a in args[:3]]
    if not ints or any(i is None for i in ints):
        return None
    values = [i for i in ints if i is not None]
    if name == "randint":
        return values[1] - values[0] + 1 if len(values) == 2 else None
    start, stop, step = (0, values[0], 1) if len(values) == 1 else (*values[:2], 1)
    if len(values) == 3:
        step = values[2]
    if step == 0:
        return None
    span, step = (stop - start, step) if step > 0 else (start - stop, -step)
    return max(0, -(-span // step))


def _log2(size: int | None) -> float | None:
    return None if size is None or size < 1 else math.log2(size)


def _log2_or_zero(size: int) -> float:
    return math.log2(size) if size > 0 else 0.0


def _as_float(value: int | None) -> float | None:
    return None if value is None else float(max(value, 0))
