"""Where each library of the Python web ecosystem takes its signing secret.

One ``Secret`` row per callee: its qualified names (as ``ValueClassifier.qualified``
spells them through the imports), which argument is the secret (its position and
its keyword), the environment variable a fix reads, and what anyone who knows the
secret can forge. The visitor records every call; after the walk, the observer
resolves each callee through the imports and looks it up here, so a call counts only
when its callee is that library's, however it was imported (``import jwt as j``,
``from itsdangerous import URLSafeTimedSerializer as Serializer``), and never when a
same-named function of another library (or of the project) is called.

Settings that a library reads by name (Tornado's ``cookie_secret``, Sanic's
``app.config.SECRET``, simplejwt's ``SIMPLE_JWT["SIGNING_KEY"]``) are in ``SETTINGS``.
"""

# No ``from __future__ import annotations``: typing.NamedTuple would compile each
# field's string annotation on the flake8 plugin's start-up (see engine/model.py).

import ast
import re
from collections.abc import Callable
from typing import NamedTuple

from flake8_secret_key.engine.nodes import keyword_argument, literal_text, str_const


class Arg(NamedTuple):
    """Where a call takes one argument: its position (None: keyword only), its keyword."""

    position: int | None
    keyword: str


class Secret(NamedTuple):
    """A library call that takes a signing secret."""

    library: str  # as its users know it: "PyJWT", "itsdangerous"
    callees: tuple[str, ...]  # qualified names of the callee
    arg: Arg  # where the secret is passed
    env: str  # the environment variable the fix reads
    signs: str  # what the secret signs: "anyone who knows it can forge this app's ..."
    algorithm: Arg | None = None  # JWT: where the algorithm(s) are named (HS* only)
    header: Arg | None = None  # authlib: a JOSE header whose "alg" names the algorithm
    manual: str | None = None  # why ``fix`` leaves it by hand (None: it rewrites it)
    middleware: bool = False  # also passed as ``add_middleware(cls, ...)``
    wrap: tuple[str, str] = ("", "")  # around the environment read in the fix


_ITSDANGEROUS = {
    "Signer": "signer",
    "TimestampSigner": "timed",
    "Serializer": "serializer",
    "TimedSerializer": "timed",
    "URLSafeSerializer": "url_safe",
    "URLSafeTimedSerializer": "url_safe",
    "JSONWebSignatureSerializer": "jws",  # itsdangerous < 2.1
    "TimedJSONWebSignatureSerializer": "jws",
}
_ALGORITHM = r"(?:HS|RS|ES|PS)\d+|EdDSA|none"  # compiled at first use
_AIOHTTP_KEY = (
    "aiohttp-session wants a Fernet key (Fernet.generate_key()), not any text: "
    "read it from the environment by hand"
)

SECRETS: tuple[Secret, ...] = (
    *(
        Secret(
            "itsdangerous",
            (f"itsdangerous.{name}", f"itsdangerous.{module}.{name}"),
            Arg(0, "secret_key"),
            "SECRET_KEY",
            "signed tokens (reset and confirmation links)",
        )
        for name, module in _ITSDANGEROUS.items()
    ),
    Secret(
        "PyJWT",
        ("jwt.encode", "jwt.api_jwt.encode"),
        Arg(1, "key"),
        "JWT_SECRET_KEY",
        "tokens",
        algorithm=Arg(2, "algorithm"),
    ),
    Secret(
        "PyJWT",
        ("jwt.decode", "jwt.api_jwt.decode"),
        Arg(1, "key"),
        "JWT_SECRET_KEY",
        "tokens",
        algorithm=Arg(2, "algorithms"),
    ),
    Secret(
        "python-jose",
        ("jose.jwt.encode",),
        Arg(1, "key"),
        "JWT_SECRET_KEY",
        "tokens",
        algorithm=Arg(2, "algorithm"),
    ),
    Secret(
        "python-jose",
        ("jose.jwt.decode",),
        Arg(1, "key"),
        "JWT_SECRET_KEY",
        "tokens",
        algorithm=Arg(2, "algorithms"),
    ),
    Secret(
        "authlib",
        ("authlib.jose.jwt.encode",),
        Arg(2, "key"),
        "JWT_SECRET_KEY",
        "tokens",
        header=Arg(0, "header"),
    ),
    Secret("authlib", ("authlib.jose.jwt.decode",), Arg(1, "key"), "JWT_SECRET_KEY", "tokens"),
    Secret(
        "Starlette",  # and FastAPI: SessionMiddleware(app, secret_key), add_middleware(...)
        ("starlette.middleware.sessions.SessionMiddleware",),
        Arg(1, "secret_key"),
        "SECRET_KEY",
        "sessions",
        middleware=True,
    ),
    Secret(
        "Pyramid",
        ("pyramid.session.SignedCookieSessionFactory",),
        Arg(0, "secret"),
        "SESSION_SECRET",
        "sessions",
    ),
    *(
        Secret(
            "Pyramid",
            (f"pyramid.authentication.{name}",),
            Arg(0, "secret"),
            "AUTH_SECRET",
            "login cookies",
        )
        for name in ("AuthTktAuthenticationPolicy", "AuthTktCookieHelper")
    ),
    *(
        Secret(
            "Bottle",
            (f"bottle.{obj}.{method}",),
            Arg(2, "secret"),
            "COOKIE_SECRET",
            "signed cookies",
        )
        for obj, method in (("response", "set_cookie"), ("request", "get_cookie"))
    ),
    Secret(
        "aiohttp-session",
        ("aiohttp_session.cookie_storage.EncryptedCookieStorage",),
        Arg(0, "secret_key"),
        "SESSION_KEY",
        "sessions",
        manual=_AIOHTTP_KEY,
    ),
    Secret(
        "Litestar",
        ("litestar.middleware.session.client_side.CookieBackendConfig",),
        Arg(None, "secret"),
        "SESSION_SECRET",
        "sessions",
        manual="Litestar wants 16, 24 or 32 bytes, not text: rewrite it by hand",
        wrap=("bytes.fromhex(", ")"),
    ),
)


class Setting(NamedTuple):
    """A setting that one library reads by its name."""

    library: str
    module: str  # a module of the file must be imported from it ("": no need)
    holder: str | None  # what must hold it: "config" (``app.config.SECRET``); None: any
    env: str
    signs: str


SETTINGS: dict[str, Setting] = {
    # Application(handlers, cookie_secret=...), {"cookie_secret": ...}, dict(...)
    "cookie_secret": Setting("Tornado", "tornado", None, "COOKIE_SECRET", "secure cookies"),
    # app.config.SECRET = ... (the prefilter's word: config.SECRET)
    "SECRET": Setting("Sanic", "sanic", "config", "SANIC_SECRET", "tokens"),
    # SIMPLE_JWT = {"SIGNING_KEY": ...}, SIMPLE_JWT["SIGNING_KEY"] = ...
    "SIGNING_KEY": Setting("simplejwt", "", "SIMPLE_JWT", "JWT_SIGNING_KEY", "tokens"),
}


def setting(name: str, holder: ast.expr | None) -> Setting | None:
    """The library setting ``name`` is when ``holder`` holds it (None: a keyword or
    an entry of a dict display), or None."""
    row = SETTINGS.get(name)
    if row is None or row.holder is None:
        return row
    last = holder.attr if isinstance(holder, ast.Attribute) else getattr(holder, "id", None)
    return row if last == row.holder else None


#: Every callee, by qualified name.
CALLEES: dict[str, Secret] = {callee: row for row in SECRETS for callee in row.callees}

#: Calls that take a middleware class first and build it with the rest:
#: ``app.add_middleware(SessionMiddleware, secret_key=...)``.
MIDDLEWARE_METHODS = frozenset({"add_middleware"})
MIDDLEWARE_CALLEES = frozenset({"starlette.middleware.Middleware"})

#: What a file must spell for a row here to apply (the text prefilter): a word inside
#: one part of each callee's qualified name (the import or the call spells every
#: part), and the names of the library settings. Each word is one more scan of every
#: file: on the 32 MB of the standard library a word costs 5 ms (long, rare letters)
#: to 30 ms (short), and a word that other code spells makes its files parsed too. So
#: one word per library, none that everyday code spells ("Cookie", "SECRET", "jw").
TRIGGER_WORDS = (
    "jwt",  # PyJWT, python-jose's and authlib's jose.jwt
    "itsdangerous",
    "SessionMiddleware",
    "pyramid",
    "bottle",
    "EncryptedCookieStorage",
    "CookieBackendConfig",
    "cookie_secret",
    "config.SECRET",  # Sanic: app.config.SECRET (not app.config["SECRET"])
    "SIGNING_KEY",
)

#: The modules of the callees. A file that spells one is visited whole: its calls may
#: use any alias the import binds.
MODULE_WORDS: tuple[str, ...] = tuple(sorted({c.split(".")[0] for c in CALLEES}))


def find(call: ast.Call, qualified: Callable[[ast.AST], str | None]) -> Secret | None:
    """The row of ``call``'s callee (or, for middleware, of the class it is given)."""
    func = call.func
    callee = qualified(func)
    row = CALLEES.get(callee or "")
    if row is not None:
        return row
    method = func.attr if isinstance(func, ast.Attribute) else None
    if call.args and (method in MIDDLEWARE_METHODS or callee in MIDDLEWARE_CALLEES):
        row = CALLEES.get(qualified(call.args[0]) or "")
        if row is not None and row.middleware:
            return row
    return None


def passed(call: ast.Call, where: Arg) -> tuple[ast.expr, bool] | None:
    """The argument passed at ``where`` (and whether by keyword), or None."""
    value = keyword_argument(call, where.keyword)
    if value is not None:
        return value, True
    position = where.position
    if position is None or len(call.args) <= position:
        return None
    if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return None  # f(*args, key): where the key lands is unknown
    return call.args[position], False


def hmac_algorithms(
    call: ast.Call, row: Secret, text: Callable[[ast.expr], str | bytes | None]
) -> bool:
    """Whether ``call`` may sign with an HMAC (HS*) algorithm, the one a literal key
    is a shared secret for: no algorithm named (the libraries default to HS256), one
    that cannot be told, or an HS* one. An RS*/ES* call takes a key pair."""
    named: ast.expr | None = None
    if row.algorithm is not None:
        found = passed(call, row.algorithm)
        named = found[0] if found else None
    elif row.header is not None:
        found = passed(call, row.header)
        header = found[0] if found else None
        if isinstance(header, ast.Dict):
            pairs = zip(header.keys, header.values, strict=True)
            named = next((v for k, v in pairs if k is not None and str_const(k) == "alg"), None)
    if named is None:
        return True
    elements = named.elts if isinstance(named, (ast.List, ast.Tuple, ast.Set)) else [named]
    names = [_algorithm_name(e, text) for e in elements]
    return None in names or any(n.upper().startswith("HS") for n in names if n is not None)


def _algorithm_name(node: ast.expr, text: Callable[[ast.expr], str | bytes | None]) -> str | None:
    """``"HS256"``, ``ALGORITHM`` bound to it, or python-jose's ``ALGORITHMS.HS256``."""
    if isinstance(node, ast.Attribute):  # python-jose's ALGORITHMS.HS256
        return node.attr if re.fullmatch(_ALGORITHM, node.attr) else None
    value = literal_text(node)
    if value is None:
        value = text(node)
    return value if isinstance(value, str) else None


def public_key(key: str | bytes | None) -> bool:
    """A PEM public key or certificate: written in source on purpose, no secret."""
    if isinstance(key, bytes):
        key = key.decode("latin-1")
    if key is None or not key.lstrip().startswith("-----BEGIN"):
        return False
    first = key.lstrip().split("\n", 1)[0]
    return "PUBLIC KEY" in first or "CERTIFICATE" in first
