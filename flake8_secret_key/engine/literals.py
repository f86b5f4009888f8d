"""Values computed from literals, and the callees the classifier knows by name.

Callees are qualified names, as ``ValueClassifier.qualified`` spells them through the
imports: ``from secrets import token_hex`` makes ``token_hex`` ``secrets.token_hex``.
A name that is bound nowhere keeps its spelling, so ``str`` and an ``os`` used without
its import are found too.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from flake8_secret_key.engine.nodes import MAX_VALUE, capped, literal_text

#: Calls that read an environment variable: callee -> reader.
ENV_READERS = {
    "os.environ.get": "os",
    "os.environ.setdefault": "os",
    "os.getenv": "os",
    "decouple.config": "decouple",
}

#: How an environment variable is named: ``DJANGO_SECRET_KEY`` (a pattern: ``re``
#: compiles it at first use, which keeps it off the flake8 plugin's start-up).
ENV_VAR_NAME = r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*"

#: Calls whose result reads the environment when called (``env = Env()``, then
#: ``env("K")``, ``env.str("K")``; ``config = AutoConfig()``, then ``config("K")``).
READER_FACTORIES = {
    "environ.Env": "django-environ",
    "environs.Env": "environs",
    "Env": "environs",  # not imported: as environs spells it
    "decouple.AutoConfig": "decouple",
    "decouple.Config": "decouple",
    "starlette.config.Config": "starlette",
}

#: Calls that generate a key at start-up.
GENERATORS = frozenset(
    {
        "os.urandom",
        "secrets.token_hex",
        "secrets.token_bytes",
        "secrets.token_urlsafe",
        "uuid.uuid4",
        "uuid.uuid1",
        "random.randbytes",
        "Fernet.generate_key",
        "cryptography.fernet.Fernet.generate_key",
        "django.core.management.utils.get_random_secret_key",
    }
)

#: Objects that hold the key they are built from: ``Fernet(key)`` fed to
#: aiohttp-session's ``EncryptedCookieStorage`` is that key.
KEY_HOLDERS = frozenset({"cryptography.fernet.Fernet"})

#: Calls that turn a literal into another literal, with nothing secret added.
DECODERS = frozenset(
    {
        "bytes.fromhex",
        "binascii.unhexlify",
        "binascii.a2b_hex",
        "base64.b64decode",
        "base64.urlsafe_b64decode",
        "base64.b32decode",
        "base64.b16decode",
    }
)
ENCODERS = frozenset(
    {
        "binascii.hexlify",
        "binascii.b2a_hex",
        "base64.b64encode",
        "base64.urlsafe_b64encode",
        "base64.b32encode",
        "base64.b16encode",
    }
)
HASHES = frozenset(
    {
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
)
#: Builtins that convert their argument: ``str(x)``, ``bytes(x, "utf-8")``.
WRAPPERS = frozenset({"str", "bytes", "bytearray"})


def apply(op: ast.operator, left: object, right: object) -> object:
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


def convert(text: str | bytes | None, how: str, args: Sequence[ast.expr]) -> str | bytes | None:
    """``.encode()``, ``.decode()``, ``str(x)``, ``bytes(x, enc)`` on a known literal."""
    if text is None:
        return None
    extra = [literal_text(a) for a in args]
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
            encodings = [e for e in extra[1:] if isinstance(e, str)]
            return text.encode(*encodings[:1]) if encodings else None
    except (LookupError, UnicodeError, TypeError, ValueError):
        return None
    return None


def join(separator: str | bytes | None, seq: ast.AST) -> str | bytes | None:
    """``separator.join(seq)`` for a list or tuple of literals."""
    if separator is None or not isinstance(seq, (ast.List, ast.Tuple)):
        return None
    parts = [literal_text(e) for e in seq.elts]
    if not all(type(p) is type(separator) for p in parts):
        return None
    try:
        joined = separator.join(parts)  # type: ignore[arg-type]
    except TypeError:
        return None
    return capped(joined)
