"""Every signing secret of the Python web ecosystem (issue 16), table-driven.

For each library a must-fire table (every import style: the module, a name from it, an
alias of either) and a must-not-fire table (the same call with an environment read, a
key from a file or a vault, a same-named function of another library, reads and
comparisons, docstrings). Rows are exact (line, col, code) triples, columns 1-based as
flake8 prints them. A call counts only when its callee is the library's, resolved
through the imports (``engine/libraries.py``).
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_secret_key import rules
from flake8_secret_key.engine import (
    Kind,
    Options,
    may_hold_setting,
    observe,
    observe_text,
    split_lines,
)
from flake8_secret_key.engine.libraries import CALLEES, TRIGGER_WORDS
from flake8_secret_key.fix import fix_text

Row = tuple[str, list[tuple[int, int, str]]]


def findings(src: str) -> list[tuple[int, int, str]]:
    text = textwrap.dedent(src)
    found = observe(ast.parse(text), Options(), split_lines(text))
    return [(o.line, o.col + 1, code) for o in found if (code := rules.code_for(o)) is not None]


# ------------------------------------------------------------------------ itsdangerous

ITSDANGEROUS_FIRE: list[Row] = [
    (
        "from itsdangerous import URLSafeTimedSerializer\n"
        's = URLSafeTimedSerializer("Zq8w4Lr-Kx92")',
        [(2, 28, "SKY100")],
    ),
    (
        "from itsdangerous import URLSafeTimedSerializer as Serializer\n"
        's = Serializer("Zq8w4Lr-Kx92", salt="reset")',
        [(2, 16, "SKY100")],
    ),
    (
        'import itsdangerous\ns = itsdangerous.Signer(secret_key="Zq8w4Lr-Kx92")',
        [(2, 36, "SKY100")],
    ),
    ('import itsdangerous as its\ns = its.TimestampSigner("Zq8w4Lr-Kx92")', [(2, 25, "SKY100")]),
    (
        "from itsdangerous.url_safe import URLSafeSerializer\n"
        's = URLSafeSerializer("Zq8w4Lr-Kx92")',
        [(2, 23, "SKY100")],
    ),
    ('from itsdangerous import Serializer\ns = Serializer(b"Zq8w4Lr-Kx92")', [(2, 16, "SKY100")]),
    (  # the old Flask tutorials' password-reset token
        "from itsdangerous import TimedJSONWebSignatureSerializer as Serializer\n"
        "def get_reset_token(self, expires_sec=1800):\n"
        '    s = Serializer("Zq8w4Lr-Kx92", expires_sec)\n'
        "    return s",
        [(3, 20, "SKY100")],
    ),
    (
        'from itsdangerous import URLSafeTimedSerializer\nKEY = "Zq8w4Lr-Kx92"\n'
        "s = URLSafeTimedSerializer(KEY)",
        [(3, 28, "SKY100")],
    ),
    (  # a plain variable named secret_key is no setting, but this call makes it a key
        'from itsdangerous import URLSafeTimedSerializer\nsecret_key = "Zq8w4Lr-Kx92"\n'
        "s = URLSafeTimedSerializer(secret_key)",
        [(3, 28, "SKY100")],
    ),
    (
        "import os\nfrom itsdangerous import Signer\n"
        's = Signer(os.environ.get("SIGNER_KEY", "Zq8w4Lr-Kx92"))',
        [(3, 41, "SKY102")],
    ),
    ('from itsdangerous import Signer\ns = Signer("dev")', [(2, 12, "SKY101")]),
]

ITSDANGEROUS_PASS = [
    'import os\nfrom itsdangerous import Signer\ns = Signer(os.environ["SIGNER_KEY"])',
    "from itsdangerous import URLSafeTimedSerializer\n"
    's = URLSafeTimedSerializer(app.config["SECRET_KEY"])',
    "from itsdangerous import URLSafeTimedSerializer\n"
    "s = URLSafeTimedSerializer(current_app.secret_key, salt='x')",
    'from itsdangerous import Signer\ns = Signer(open("/run/secrets/key").read())',
    'from itsdangerous import Signer\ns = Signer(vault.read("secret/signer")["key"])',
    # a same-named class of another library, or of the project
    'from myapp.crypto import Signer\ns = Signer("Zq8w4Lr-Kx92")',
    'class Serializer:\n    pass\ns = Serializer("Zq8w4Lr-Kx92")',
    'Signer("Zq8w4Lr-Kx92")',  # never imported: not itsdangerous's
    # the salt is no secret
    'from itsdangerous import Signer\nimport os\ns = Signer(os.environ["K"], salt="Zq8w4Lr-Kx92")',
    '"""from itsdangerous import Signer\nSigner("Zq8w4Lr-Kx92")"""',
    'from itsdangerous import Signer\nif s.secret_key == "Zq8w4Lr-Kx92":\n    raise SystemExit',
    # the setting is reported where it is written, not again where it is used
]

# ------------------------------------------------------------------ PyJWT, jose, authlib

JWT_FIRE: list[Row] = [
    (
        'import jwt\nt = jwt.encode({"id": 1}, "Zq8w4Lr-Kx92", algorithm="HS256")',
        [(2, 27, "SKY100")],
    ),
    ('from jwt import encode\nt = encode(payload, "Zq8w4Lr-Kx92")', [(2, 21, "SKY100")]),
    (
        'import jwt as j\nt = j.decode(token, "Zq8w4Lr-Kx92", algorithms=["HS256"])',
        [(2, 21, "SKY100")],
    ),
    (
        'import jwt\nt = jwt.decode(token, key="Zq8w4Lr-Kx92", algorithms=["HS256", "RS256"])',
        [(2, 27, "SKY100")],
    ),
    (
        'import jwt\nALGORITHM = "HS512"\n'
        't = jwt.encode(payload, "Zq8w4Lr-Kx92", algorithm=ALGORITHM)',
        [(3, 25, "SKY100")],
    ),
    (  # an algorithm that cannot be told: a literal key is a shared secret
        'import jwt\nt = jwt.decode(token, "Zq8w4Lr-Kx92", algorithms=settings.ALGORITHMS)',
        [(2, 23, "SKY100")],
    ),
    (
        "from jwt import decode as jwt_decode\ndef check(token):\n"
        '    return jwt_decode(token, "Zq8w4Lr-Kx92", algorithms=["HS256"])',
        [(3, 30, "SKY100")],
    ),
    (  # imported in the function: its statement spells the library
        'def token(p):\n    import jwt\n    return jwt.encode(p, "Zq8w4Lr-Kx92")',
        [(3, 26, "SKY100")],
    ),
    (
        'import jwt, os\nt = jwt.encode(p, os.getenv("JWT_KEY", "Zq8w4Lr-Kx92"))',
        [(2, 40, "SKY102")],
    ),
    # python-jose
    (
        'from jose import jwt\nt = jwt.encode(claims, "Zq8w4Lr-Kx92", algorithm="HS256")',
        [(2, 24, "SKY100")],
    ),
    (
        "from jose import jwt, ALGORITHMS\n"
        't = jwt.decode(token, "Zq8w4Lr-Kx92", algorithms=[ALGORITHMS.HS256])',
        [(2, 23, "SKY100")],
    ),
    ('import jose.jwt\nt = jose.jwt.encode(claims, "Zq8w4Lr-Kx92")', [(2, 29, "SKY100")]),
    # authlib
    (
        'from authlib.jose import jwt\nt = jwt.encode({"alg": "HS256"}, payload, "Zq8w4Lr-Kx92")',
        [(2, 43, "SKY100")],
    ),
    (
        'from authlib.jose import jwt as authlib_jwt\nc = authlib_jwt.decode(s, "Zq8w4Lr-Kx92")',
        [(2, 27, "SKY100")],
    ),
]

JWT_PASS = [
    'import jwt, os\nt = jwt.encode(payload, os.environ["JWT_SECRET_KEY"], algorithm="HS256")',
    'import jwt\nt = jwt.encode(payload, settings.JWT_KEY, algorithm="HS256")',
    'import jwt\nt = jwt.decode(token, open("key.pem").read(), algorithms=["HS256"])',
    'import jwt\nt = jwt.decode(token, vault.read("jwt")["key"], algorithms=["HS256"])',
    # a key pair's algorithm: the literal is a public key, or not a shared secret
    'import jwt\nt = jwt.decode(token, "Zq8w4Lr-Kx92", algorithms=["RS256"])',
    'import jwt\nt = jwt.encode(payload, "Zq8w4Lr-Kx92", algorithm="ES256")',
    "from jose import jwt, ALGORITHMS\n"
    't = jwt.decode(t, "Zq8w4Lr-Kx92", algorithms=ALGORITHMS.RS256)',
    'import jwt\nPUB = "-----BEGIN PUBLIC KEY-----\\nMIIB..."\nt = jwt.decode(token, PUB)',
    'from authlib.jose import jwt\nt = jwt.encode({"alg": "RS256"}, payload, "Zq8w4Lr-Kx92")',
    # same-named functions of other libraries
    'import base64\nt = base64.encode(payload, "Zq8w4Lr-Kx92")',
    'from codecs import encode\nt = encode(payload, "Zq8w4Lr-Kx92")',
    'from json import decoder\nt = decoder.decode(payload, "Zq8w4Lr-Kx92")',
    'def encode(p, k):\n    return p\nt = encode(payload, "Zq8w4Lr-Kx92")',
    'jwt.encode(payload, "Zq8w4Lr-Kx92")',  # never imported
    'import jwt\nt = "Zq8w4Lr-Kx92".encode()',
    # the payload and the token are no key; reads and docstrings
    'import jwt, os\nt = jwt.encode({"key": "Zq8w4Lr-Kx92"}, os.environ["K"])',
    'import jwt, os\nt = jwt.decode("Zq8w4Lr-Kx92.a.b", os.environ["K"], algorithms=["HS256"])',
    'import jwt\n"""jwt.encode(payload, "Zq8w4Lr-Kx92")"""',
    'import jwt\nif jwt.decode(t, KEY, algorithms=["HS256"]) == "Zq8w4Lr-Kx92":\n    pass',
    # a key that is a setting is reported where the setting is written (test_engine)
]

# ----------------------------------------------------------------- Starlette / FastAPI

STARLETTE_FIRE: list[Row] = [
    (
        "from starlette.middleware.sessions import SessionMiddleware\n"
        'app.add_middleware(SessionMiddleware, secret_key="Zq8w4Lr-Kx92")',
        [(2, 50, "SKY100")],
    ),
    (
        "from starlette.middleware.sessions import SessionMiddleware as Sessions\n"
        'app.add_middleware(Sessions, "Zq8w4Lr-Kx92")',
        [(2, 30, "SKY100")],
    ),
    (
        "from starlette.middleware import Middleware\n"
        "from starlette.middleware.sessions import SessionMiddleware\n"
        'middleware = [Middleware(SessionMiddleware, secret_key="Zq8w4Lr-Kx92")]',
        [(3, 56, "SKY100")],
    ),
    (
        "import starlette.middleware.sessions as s\n"
        'app = s.SessionMiddleware(app, "Zq8w4Lr-Kx92")',
        [(2, 32, "SKY100")],
    ),
    (
        "from starlette.middleware.sessions import SessionMiddleware\n"
        "from starlette.config import Config\n"
        'config = Config(".env")\n'
        'SECRET = config("SESSION_SECRET", default="Zq8w4Lr-Kx92")\n'
        "app.add_middleware(SessionMiddleware, secret_key=SECRET)",
        [(5, 50, "SKY102")],
    ),
    (
        "from starlette.config import Config\n"
        'config = Config(".env")\n'
        'SECRET_KEY = config("SECRET_KEY", cast=Secret, default="Zq8w4Lr-Kx92")',
        [(3, 56, "SKY102")],
    ),
]

STARLETTE_PASS = [
    "import os\nfrom starlette.middleware.sessions import SessionMiddleware\n"
    'app.add_middleware(SessionMiddleware, secret_key=os.environ["SESSION_SECRET"])',
    "from starlette.middleware.sessions import SessionMiddleware\n"
    "from starlette.config import Config\n"
    'config = Config(".env")\n'
    'app.add_middleware(SessionMiddleware, secret_key=config("SESSION_SECRET"))',
    "from starlette.middleware.sessions import SessionMiddleware\n"
    'app.add_middleware(SessionMiddleware, secret_key=Path("/run/secrets/k").read_text())',
    # another library's middleware with the same keyword
    "from fastsession import FastSessionMiddleware\n"
    'app.add_middleware(FastSessionMiddleware, secret_key="Zq8w4Lr-Kx92")',
    "from myapp.sessions import SessionMiddleware\n"
    'app.add_middleware(SessionMiddleware, secret_key="Zq8w4Lr-Kx92")',
    'SessionMiddleware(app, secret_key="Zq8w4Lr-Kx92")',  # never imported
    "from starlette.middleware.sessions import SessionMiddleware\n"
    'app.add_middleware(SessionMiddleware, secret_key="Zq8w4Lr-Kx92"[:0])',
    "from starlette.config import Config\n"
    'config = Config(".env")\nDEBUG = config("DEBUG", default="1")',
    "from starlette.middleware.sessions import SessionMiddleware\n"
    '"""app.add_middleware(SessionMiddleware, secret_key="Zq8w4Lr-Kx92")"""',
]

# --------------------------------------------------------------- Django and simplejwt

DJANGO_FIRE: list[Row] = [
    ('SECRET_KEY = "Zq8w4Lr-Kx92"', [(1, 14, "SKY100")]),
    ('SECRET_KEY_FALLBACKS = ["Zq8w4Lr-Kx92"]', [(1, 25, "SKY100")]),
    (
        "from django.conf import settings\n"
        'settings.configure(DEBUG=True, SECRET_KEY="Zq8w4Lr-Kx92")',
        [(2, 43, "SKY100")],
    ),
    (
        "from django.test import override_settings as override\n"
        '@override(SECRET_KEY="Zq8w4Lr-Kx92")\ndef test():\n    pass',
        [(2, 22, "SKY100")],
    ),
    (  # cookiecutter-django: env imported from a sibling settings module
        'from .base import env\nSECRET_KEY = env("DJANGO_SECRET_KEY", default="Zq8w4Lr-Kx92")',
        [(2, 47, "SKY102")],
    ),
    (
        "from .base import *  # noqa\n"
        'SECRET_KEY = env("DJANGO_SECRET_KEY", default="Zq8w4Lr-Kx92")',
        [(2, 47, "SKY102")],
    ),
    (
        'SIMPLE_JWT = {"ALGORITHM": "HS256", "SIGNING_KEY": "Zq8w4Lr-Kx92"}',
        [(1, 52, "SKY100")],
    ),
    ('SIMPLE_JWT["SIGNING_KEY"] = "Zq8w4Lr-Kx92"', [(1, 29, "SKY100")]),
]

DJANGO_PASS = [
    'import os\nSECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
    'from .base import env\nSECRET_KEY = env("DJANGO_SECRET_KEY")',
    'from .base import env\nSECRET_KEY = env("DJANGO_SECRET_KEY", default=None)',
    'from .base import env\nDEBUG = env("DJANGO_DEBUG", default="False")',
    'from .base import env\nCACHE = env.cache("CACHE_URL", default="locmem://")',
    'SECRET_KEY = vault.read("django", default=None)',
    'SECRET_KEY = lookup("secret/django", default="Zq8w4Lr-Kx92")',  # no variable named
    'x = request.GET.get("SECRET_KEY", default="Zq8w4Lr-Kx92")',  # not into a setting
    'SIMPLE_JWT = {"SIGNING_KEY": SECRET_KEY}',
    'SIMPLE_JWT = {"VERIFYING_KEY": "-----BEGIN PUBLIC KEY-----"}',
    'OTHER = {"SIGNING_KEY": "Zq8w4Lr-Kx92"}',
    'key = SIMPLE_JWT["SIGNING_KEY"]',
    "from django.conf import settings\nsettings.configure(SECRET_KEY=os.environ['K'])",
]

# ----------------------------------------------------------------------------- Tornado

TORNADO_FIRE: list[Row] = [
    (
        "import tornado.web\n"
        'app = tornado.web.Application(handlers, cookie_secret="Zq8w4Lr-Kx92")',
        [(2, 55, "SKY100")],
    ),
    (
        "from tornado.web import Application\n"
        'settings = {"cookie_secret": "Zq8w4Lr-Kx92", "xsrf_cookies": True}\n'
        "app = Application(handlers, **settings)",
        [(2, 30, "SKY100")],
    ),
    (
        'from tornado import web\nsettings = dict(cookie_secret="Zq8w4Lr-Kx92")',
        [(2, 31, "SKY100")],
    ),
    ('import tornado\nsettings["cookie_secret"] = "Zq8w4Lr-Kx92"', [(2, 29, "SKY100")]),
]

TORNADO_PASS = [
    'import os, tornado.web\napp = tornado.web.Application(h, cookie_secret=os.environ["C"])',
    'import tornado\nsettings = {"cookie_secret": options.cookie_secret}',
    # no tornado in the file: another library's cookie_secret
    'settings = {"cookie_secret": "Zq8w4Lr-Kx92"}',
    'import tornado\nself.cookie_secret = "Zq8w4Lr-Kx92"',
    'import tornado\nsecret = self.settings["cookie_secret"]',
    'import tornado\n"""settings = {"cookie_secret": "Zq8w4Lr-Kx92"}"""',
]

# ----------------------------------------------------------------------------- Pyramid

PYRAMID_FIRE: list[Row] = [
    (
        "from pyramid.session import SignedCookieSessionFactory\n"
        'factory = SignedCookieSessionFactory("Zq8w4Lr-Kx92")',
        [(2, 38, "SKY100")],
    ),
    (
        "from pyramid.session import SignedCookieSessionFactory as Factory\n"
        'factory = Factory(secret="Zq8w4Lr-Kx92", timeout=1200)',
        [(2, 26, "SKY100")],
    ),
    (
        "from pyramid.authentication import AuthTktAuthenticationPolicy\n"
        'policy = AuthTktAuthenticationPolicy("Zq8w4Lr-Kx92", hashalg="sha512")',
        [(2, 38, "SKY100")],
    ),
    (
        'import pyramid.authentication as auth\nhelper = auth.AuthTktCookieHelper("Zq8w4Lr-Kx92")',
        [(2, 35, "SKY100")],
    ),
]

PYRAMID_PASS = [
    "from pyramid.session import SignedCookieSessionFactory\n"
    'factory = SignedCookieSessionFactory(settings["session.secret"])',
    "import os\nfrom pyramid.authentication import AuthTktCookieHelper\n"
    'helper = AuthTktCookieHelper(os.environ["AUTH_SECRET"])',
    'from myapp.auth import AuthTktCookieHelper\nhelper = AuthTktCookieHelper("Zq8w4Lr-Kx92")',
    "from pyramid.session import SignedCookieSessionFactory\n"
    'factory = SignedCookieSessionFactory(secret, salt="Zq8w4Lr-Kx92")',
    'import pyramid\n"""SignedCookieSessionFactory("Zq8w4Lr-Kx92")"""',
]

# ------------------------------------------------------------------------------ Bottle

BOTTLE_FIRE: list[Row] = [
    (
        'from bottle import response\nresponse.set_cookie("account", name, secret="Zq8w4Lr-Kx92")',
        [(2, 45, "SKY100")],
    ),
    (
        'import bottle\nname = bottle.request.get_cookie("account", secret="Zq8w4Lr-Kx92")',
        [(2, 52, "SKY100")],
    ),
    (
        "from bottle import request as req\n"
        'name = req.get_cookie("account", None, "Zq8w4Lr-Kx92")',
        [(2, 40, "SKY100")],
    ),
]

BOTTLE_PASS = [
    "import os\nfrom bottle import response\n"
    'response.set_cookie("account", name, secret=os.environ["COOKIE_SECRET"])',
    # Flask's, Django's and aiohttp's set_cookie take no secret
    'from flask import make_response\nresp.set_cookie("account", "Zq8w4Lr-Kx92")',
    'from bottle import response\nresponse.set_cookie("account", "Zq8w4Lr-Kx92")',
    'resp.set_cookie("account", name, secret="Zq8w4Lr-Kx92")',
    'from bottle import request\nname = request.get_cookie("account", "Zq8w4Lr-Kx92")',
    'import bottle\n# response.set_cookie("account", name, secret="Zq8w4Lr-Kx92")',
]

# --------------------------------------------------------------------- aiohttp-session

AIOHTTP_FIRE: list[Row] = [
    (
        "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
        'setup(app, EncryptedCookieStorage(b"Thirty  two  length  bytes  key."))',
        [(2, 35, "SKY100")],
    ),
    (
        "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
        "from cryptography import fernet\n"
        'f = fernet.Fernet(b"Zq8w4Lr-Kx92-Zq8w4Lr-Kx92-Zq8w4Lr-Kx92-abcd")\n'
        "setup(app, EncryptedCookieStorage(f))",
        [(4, 35, "SKY100")],
    ),
    (
        "from aiohttp_session import cookie_storage\n"
        "from cryptography.fernet import Fernet\n"
        'storage = cookie_storage.EncryptedCookieStorage(secret_key=Fernet("Zq8w4Lr-Kx92"))',
        [(3, 60, "SKY100")],
    ),
]

AIOHTTP_PASS = [
    "import os\nfrom aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
    'setup(app, EncryptedCookieStorage(os.environ["SESSION_KEY"]))',
    "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
    "from cryptography import fernet\n"
    "setup(app, EncryptedCookieStorage(fernet.Fernet(load_key())))",
    # a Fernet that encrypts something else is no session key
    'from cryptography.fernet import Fernet\nf = Fernet(b"Zq8w4Lr-Kx92-Zq8w4Lr-Kx92")',
    "from aiohttp_session import SimpleCookieStorage\nsetup(app, SimpleCookieStorage())",
    'import aiohttp_session\n"""EncryptedCookieStorage(b"Zq8w4Lr-Kx92")"""',
    "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
    "setup(app, EncryptedCookieStorage(get_fernet_key()))",
]

# ------------------------------------------------------------------ Litestar and Sanic

LITESTAR_SANIC_FIRE: list[Row] = [
    (
        "from litestar.middleware.session.client_side import CookieBackendConfig\n"
        'config = CookieBackendConfig(secret=b"Zq8w4Lr-Kx92-abc")',
        [(2, 37, "SKY100")],
    ),
    (
        "from litestar.middleware.session.client_side import CookieBackendConfig as Cookies\n"
        'config = Cookies(secret=bytes.fromhex("00112233445566778899aabbccddeeff"))',
        [(2, 25, "SKY100")],
    ),
    (
        'from sanic import Sanic\napp = Sanic("app")\napp.config.SECRET = "Zq8w4Lr-Kx92"',
        [(3, 21, "SKY100")],
    ),
    ('import sanic\nimport os\napp.config.SECRET = "Zq8w4Lr-Kx92"', [(3, 21, "SKY100")]),
    (  # generated at start-up: SKY900 (off by default)
        "import os\nfrom litestar.middleware.session.client_side import CookieBackendConfig\n"
        'config = CookieBackendConfig(secret=os.urandom(16), key="session")',
        [(3, 37, "SKY900")],
    ),
]

LITESTAR_SANIC_PASS = [
    "import os\nfrom litestar.middleware.session.client_side import CookieBackendConfig\n"
    'config = CookieBackendConfig(secret=bytes.fromhex(os.environ["SESSION_SECRET"]))',
    'app.config.SECRET = "Zq8w4Lr-Kx92"',  # no sanic in the file
    'import litestar\n"""CookieBackendConfig(secret=b"Zq8w4Lr-Kx92")"""',
    "from litestar.middleware.session.client_side import CookieBackendConfig\n"
    'config = CookieBackendConfig(secret=Path("key.bin").read_bytes())',
    'import sanic\nself.SECRET = "Zq8w4Lr-Kx92"',
    'import sanic\nkey = app.config.SECRET\nif app.config.SECRET == "x":\n    pass',
    "import os, sanic\napp.config.SECRET = os.environ['SANIC_SECRET']",
]

FIRE = [
    *ITSDANGEROUS_FIRE,
    *JWT_FIRE,
    *STARLETTE_FIRE,
    *DJANGO_FIRE,
    *TORNADO_FIRE,
    *PYRAMID_FIRE,
    *BOTTLE_FIRE,
    *AIOHTTP_FIRE,
    *LITESTAR_SANIC_FIRE,
]
PASS = [
    *ITSDANGEROUS_PASS,
    *JWT_PASS,
    *STARLETTE_PASS,
    *DJANGO_PASS,
    *TORNADO_PASS,
    *PYRAMID_PASS,
    *BOTTLE_PASS,
    *AIOHTTP_PASS,
    *LITESTAR_SANIC_PASS,
]


@pytest.mark.parametrize(("src", "expected"), FIRE)
def test_fire(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


@pytest.mark.parametrize("src", PASS)
def test_pass(src: str) -> None:
    assert findings(src) == []


# ----------------------------------------------------------- lowercase secret_key


LOWERCASE_PASS = [
    # a plain variable (an AES key in a script) is no Flask setting
    'secret_key = "Zq8w4Lr-Kx92"',
    'class Crypto:\n    secret_key = "Zq8w4Lr-Kx92"',
    'cipher = AES.new(key=b"k", secret_key="Zq8w4Lr-Kx92")',
    'opts = {"secret_key": "Zq8w4Lr-Kx92"}',
    'd["secret_key"] = "Zq8w4Lr-Kx92"',
    'def create_app(secret_key="Zq8w4Lr-Kx92"):\n    pass',
]

LOWERCASE_FIRE: list[Row] = [
    ('app.secret_key = "Zq8w4Lr-Kx92"', [(1, 18, "SKY100")]),
    ('setattr(app, "secret_key", "Zq8w4Lr-Kx92")', [(1, 28, "SKY100")]),
    (
        'class Settings(BaseSettings):\n    secret_key: str = "Zq8w4Lr-Kx92"',
        [(2, 23, "SKY102")],
    ),
    ('secret_key = "Zq8w4Lr-Kx92"\napp.secret_key = secret_key', [(2, 18, "SKY100")]),
]


@pytest.mark.parametrize("src", LOWERCASE_PASS)
def test_lowercase_plain_variables_are_no_setting(src: str) -> None:
    assert findings(src) == []


@pytest.mark.parametrize(("src", "expected"), LOWERCASE_FIRE)
def test_lowercase_attributes_are_settings(src: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(src) == expected


# ------------------------------------------------------------------ messages and fix


def test_the_prefilter_lets_through_only_what_spells_a_library() -> None:
    assert may_hold_setting("import jwt\n")
    assert may_hold_setting("from itsdangerous import Signer as S\n")
    assert may_hold_setting('SIMPLE_JWT = {"SIGNING_KEY": k}\n')
    assert not may_hold_setting("import requests\nrequests.get(url)\n")
    assert observe_text("import requests\nx = (\n") == []  # not even parsed


def test_messages_say_what_the_library_signs_and_show_the_fix() -> None:
    src = 'import jwt\nt = jwt.encode(payload, "Zq8w4Lr-Kx92", algorithm="HS256")\n'
    (obs,) = observe_text(src)
    assert obs.kind is Kind.ARGUMENT
    assert rules.message(obs) == (
        "the key argument of jwt.encode is set to a hardcoded value: anyone who can read "
        "the source can forge this app's tokens. Read it from the environment: "
        'jwt.encode(payload, os.environ["JWT_SECRET_KEY"], ...)'
    )
    src = 'import tornado.web\nsettings = {"cookie_secret": "Zq8w4Lr-Kx92"}\n'
    (obs,) = observe_text(src)
    assert "forge this app's secure cookies" in (rules.message(obs) or "")
    assert obs.fix == '"cookie_secret": os.environ["COOKIE_SECRET"]'


def test_messages_never_contain_the_secret() -> None:
    for src, _ in FIRE:
        for obs in observe_text(textwrap.dedent(src)):
            text = rules.message(obs) or ""
            assert "Zq8w4Lr" not in text and "Thirty" not in text


FIX_CASES = [
    (
        'import jwt\nt = jwt.encode(payload, "Zq8w4Lr-Kx92", algorithm="HS256")\n',
        'import os\nimport jwt\nt = jwt.encode(payload, os.environ["JWT_SECRET_KEY"], '
        'algorithm="HS256")\n',
    ),
    (
        'from itsdangerous import URLSafeTimedSerializer as S\ns = S("Zq8w4Lr-Kx92")\n',
        "import os\nfrom itsdangerous import URLSafeTimedSerializer as S\n"
        's = S(os.environ["SECRET_KEY"])\n',
    ),
    (
        "import os\nfrom starlette.middleware.sessions import SessionMiddleware\n"
        'app.add_middleware(SessionMiddleware, secret_key="Zq8w4Lr-Kx92")\n',
        "import os\nfrom starlette.middleware.sessions import SessionMiddleware\n"
        'app.add_middleware(SessionMiddleware, secret_key=os.environ["SECRET_KEY"])\n',
    ),
    (
        'from .base import env\nSECRET_KEY = env("DJANGO_SECRET_KEY", default="Zq8w4Lr-Kx92")\n',
        'from .base import env\nSECRET_KEY = env("DJANGO_SECRET_KEY")\n',
    ),
    (
        'from starlette.config import Config\nconfig = Config(".env")\n'
        'SECRET_KEY = config("SECRET_KEY", cast=str, default="Zq8w4Lr-Kx92")\n',
        'from starlette.config import Config\nconfig = Config(".env")\n'
        'SECRET_KEY = config("SECRET_KEY", cast=str)\n',
    ),
    (
        "import os, tornado.web\n"
        'app = tornado.web.Application(handlers, cookie_secret="Zq8w4Lr-Kx92")\n',
        "import os, tornado.web\n"
        'app = tornado.web.Application(handlers, cookie_secret=os.environ["COOKIE_SECRET"])\n',
    ),
    (
        "import os\nfrom bottle import response\n"
        'response.set_cookie("a", v, secret="Zq8w4Lr-Kx92")\n',
        "import os\nfrom bottle import response\n"
        'response.set_cookie("a", v, secret=os.environ["COOKIE_SECRET"])\n',
    ),
]


@pytest.mark.parametrize(("before", "after"), FIX_CASES)
def test_fix_rewrites_each_library_call(before: str, after: str) -> None:
    result = fix_text(before)
    assert result.text == after
    assert fix_text(result.text).text == result.text  # fix twice == fix once


@pytest.mark.parametrize(
    "src",
    [
        "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
        'setup(app, EncryptedCookieStorage(b"Thirty  two  length  bytes  key."))\n',
        "from litestar.middleware.session.client_side import CookieBackendConfig\n"
        'config = CookieBackendConfig(secret=b"Zq8w4Lr-Kx92-abc")\n',
    ],
)
def test_fix_leaves_keys_that_must_be_bytes_or_fernet_keys(src: str) -> None:
    result = fix_text(src)
    assert result.text == src
    (left,) = result.left
    assert "by hand" in left.reason


def test_every_callee_spells_a_trigger_word_in_one_part() -> None:
    """The prefilter is exact for library calls: each part of a callee's qualified
    name is spelled by its import or by the call, so a word inside one part is in
    every file that calls it, however it was imported."""
    for callee in CALLEES:
        assert any(w in part for part in callee.split(".") for w in TRIGGER_WORDS), callee
