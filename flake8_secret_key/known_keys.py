"""Published example keys, and where each was published; guessable keys, and why.

Students paste these from documentation, tutorials, books and templates, so they
are public: a session cookie signed with one can be forged by anyone. This module
may name them (they are not secrets); nothing else in the package prints a value.

``KnownKeys.source_of`` looks, in order, at:

1. the documented keys below, each with where it was published, and a course's own
   keys (``--secret-key-known-keys-file``);
2. flask-unsign's public wordlist (``wordlist.py``): every key an attacker tries first;
3. keys anyone can guess (``guessable.py``): placeholders, patterns, short keys.

Matching ignores case, spaces, ``-`` and ``_`` (``normalize``). Three kinds of
documented entry:

* exact: the normalized value equals the normalized key;
* prefix: the normalized value starts with it (Django's ``django-insecure-``);
* core: the normalized value contains it (the Flask docs key, which circulates
  as str or bytes, with or without its ``_`` prefix, and truncated).
"""

# No ``from __future__ import annotations``: typing.NamedTuple would compile each
# field's string annotation on the flake8 plugin's start-up (see engine/model.py).

from collections.abc import Iterable
from typing import NamedTuple

FLASK_QUICKSTART = "the Flask documentation (quickstart, sessions)"
FLASK_TUTORIAL = "the Flask tutorial"
FLASK_SECURITY = "the Flask-Security documentation (quickstart)"
STARLETTE = "the Starlette documentation (config)"
#: The source of keys from ``--secret-key-known-keys-file`` (a course's example key).
USER_LIST = "your known-keys file"
#: The source of every key of flask-unsign's wordlist.
WORDLIST = "flask-unsign's public wordlist (keys collected from public code)"
#: How the source of a guessable key begins: ``"guessable: one character repeated"``.
GUESSABLE = "guessable: "


class KnownKey(NamedTuple):
    key: str
    source: str
    match: str = "exact"  # "exact", "prefix" or "core"


KNOWN_KEYS: tuple[KnownKey, ...] = (
    # Flask documentation, quickstart "Sessions": b'_5#y2L"F4Q8z\n\xec]/'.
    # Matched on its printable core so str/bytes, prefixed and truncated copies match.
    KnownKey('5#y2L"F4Q8z', FLASK_QUICKSTART, "core"),
    # Flask documentation before 1.0, quickstart "Sessions".
    KnownKey("A0Zr98j/3yX R~XHH!jmN]LWX/,?RT", FLASK_QUICKSTART, "core"),
    # Flask documentation, "How to generate good secret keys": the sample output
    # of `python -c 'import secrets; print(secrets.token_hex())'`.
    KnownKey(
        "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
        "the Flask documentation (sample output of secrets.token_hex())",
    ),
    # Flask tutorial (flaskr), `app.config.from_mapping(SECRET_KEY="dev")`.
    KnownKey("dev", FLASK_TUTORIAL),
    # The pre-1.0 Flask tutorial (flaskr.py).
    KnownKey("development key", "the old Flask tutorial (flaskr)"),
    # Miguel Grinberg, The Flask Mega-Tutorial, chapter 3 (config.py).
    KnownKey("you-will-never-guess", "the Flask Mega-Tutorial"),
    # Miguel Grinberg, Flask Web Development (the "flasky" book and repository).
    KnownKey("hard to guess string", "the book Flask Web Development (flasky)"),
    # Flask-SocketIO documentation, first example.
    KnownKey("secret!", "the Flask-SocketIO documentation"),
    # Flask-JWT-Extended documentation, basic usage (`# Change this!`); also the
    # Flask-Security quickstart before 3.0.
    KnownKey("super-secret", "the Flask-JWT-Extended documentation"),
    # Flask-Security(-Too) quickstart: "Generate a nice key using
    # secrets.token_urlsafe()", and the password salt beside it.
    KnownKey("pf9Wkove4IKEAXvy-cQkeDPhv9Cb3Ag-wyJILbq_dFw", FLASK_SECURITY),
    KnownKey("146585145368132386173505678016728509634", FLASK_SECURITY),
    # Flask-AppBuilder's example and skeleton config.py (and Superset's old default):
    # "\2\1thisismyscretkey\1\2\e\y\y\h", often copied without the escapes.
    KnownKey("thisismyscretkey", "the Flask-AppBuilder configuration template", "core"),
    # Flask-Login documentation and README, first example (`# Change this!`).
    KnownKey("super secret string", "the Flask-Login documentation"),
    # Flask-WTF's examples (recaptcha, uploadr), and many tutorials.
    KnownKey("secret", "the Flask-WTF examples and many tutorials"),
    # Starlette documentation, "Config": the .env example and the Secret example.
    KnownKey("43n080musdfjt54t-09sdgr", STARLETTE),
    KnownKey("98n349$%8b8-7yjn0n8y93T$23r", STARLETTE),
    # Corey Schafer's Flask tutorial (YouTube series; code_snippets/Flask_Blog).
    KnownKey("5791628bb0b13ce0c676dfde280ba245", "Corey Schafer's Flask tutorial"),
    # cookiecutter-flask's README (heroku config:set SECRET_KEY=...) and .env example.
    KnownKey("not-so-secret", "the cookiecutter-flask template"),
    # FastAPI documentation, OAuth2 with JWT tutorial.
    KnownKey(
        "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",
        "the FastAPI documentation (OAuth2 with JWT tutorial)",
    ),
    # Django's startproject template marks generated development keys with this
    # prefix since Django 3.2; the key sits in a settings.py that is committed.
    KnownKey("django-insecure-", "Django's startproject template (insecure key)", "prefix"),
    # Placeholders that tutorials, answers and templates tell readers to replace.
    KnownKey("super secret key", "Stack Overflow answers and many tutorials"),
    KnownKey("secret string", "many tutorials and examples"),
    KnownKey("changeme", "many templates (a placeholder to change)"),
    KnownKey("your-secret-key", "many templates (a placeholder to change)"),
    KnownKey("your-secret-key-here", "many templates (a placeholder to change)"),
)


def normalize(value: str) -> str:
    """Fold case and drop whitespace, ``-`` and ``_``, as matching requires.

    ``str.split()`` splits at what ``str.isspace`` calls whitespace, which is what
    re's ``\\s`` matches in text.
    """
    return "".join(value.split()).replace("-", "").replace("_", "").casefold()


def is_guessable(source: str | None) -> bool:
    """Whether ``source_of`` called a key guessable rather than published."""
    return source is not None and source.startswith(GUESSABLE)


class KnownKeys:
    """A matcher over the built-in table plus a user's own keys (one per line), then
    flask-unsign's wordlist, then the guessable shapes."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self._exact: dict[str, str] = {}
        self._prefix: list[tuple[str, str]] = []
        self._core: list[tuple[str, str]] = []
        for entry in KNOWN_KEYS:
            self._add(entry)
        for key in extra:
            if key.strip():
                self._add(KnownKey(key.strip(), USER_LIST))

    def _add(self, entry: KnownKey) -> None:
        norm = normalize(entry.key)
        if not norm:
            return
        if entry.match == "core":
            self._core.append((norm, entry.source))
        elif entry.match == "prefix":
            self._prefix.append((norm, entry.source))
        else:
            self._exact.setdefault(norm, entry.source)

    def source_of(self, value: str | bytes) -> str | None:
        """Where ``value`` was published (``GUESSABLE`` and why, for a guessable key),
        or None if it is neither published nor guessable."""
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        found = self._documented(normalize(text))
        if found is not None:
            return found
        # Imported here, as wordlist imports normalize from this module; its table
        # is read at the first key that is not documented (wordlist.load).
        from flake8_secret_key import wordlist

        table = wordlist.load()
        if any(norm in table for norm in wordlist.forms(value) if norm):
            return WORDLIST
        # Imported here too: compiling its patterns would cost every run of the flake8
        # plugin half a millisecond, and most never get this far (no key, or a known one).
        from flake8_secret_key.guessable import why_guessable

        why = why_guessable(value)
        return None if why is None else GUESSABLE + why

    def _documented(self, norm: str) -> str | None:
        """The documented (or the user's) source of a normalized value, or None."""
        if not norm:
            return None
        found = self._exact.get(norm)
        if found is not None:
            return found
        for prefix, source in self._prefix:
            if norm.startswith(prefix):
                return source
        for core, source in self._core:
            if core in norm or (len(norm) >= 6 and norm in core):
                return source
        return None


BUILTIN = KnownKeys()
