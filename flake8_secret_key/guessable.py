"""Keys anyone can guess: placeholders, patterns, and keys too short to resist a search.

A guessable key is as good as published: flask-unsign, or a few lines of Python, tries
it against one session cookie offline. ``why_guessable`` says why a key is guessable,
or None. Every rule looks at the key's shape, never at words it merely contains, so a
long random key is never guessable:

* a placeholder: the whole key in ``<...>``; ``your..key`` (``your_secret_key``,
  ``YOUR-JWT-SECRET-KEY-HERE``); "change me" / "change this" / "replace me" in their
  spellings; ``UNSAFE_DEFAULT``, ``placeholder``, ``fixme``, ``todo``; ``xxx`` as a
  word of its own;
* one character repeated (``aaaaaaaa``, spaces), a short pattern repeated (``abcabc``),
  or a run of consecutive characters (``123456789``, ``abcdefgh``);
* too short: fewer than 2**50 keys of the same length and alphabet (digits, lowercase,
  uppercase, punctuation, anything else counting as a byte's 256). Flask signs its
  session cookie with HMAC-SHA1 (itsdangerous: one HMAC derives the signing key, one
  signs), so a guess costs a few SHA-1 blocks; one GPU computes about 10**10 SHA-1
  blocks a second, so it tries some 2*10**9 keys a second, and 2**50 of them in about
  a week; a rented cluster, in hours. That is: up to 15 digits, 10 lowercase letters,
  8 letters and digits, 7 printable characters.
"""

from __future__ import annotations

import re

#: Fewer possible keys than this, and a search finds the key (see above).
SEARCH_SPACE = 2**50

_PLACEHOLDER_WORDS = re.compile(
    r"(?<![a-z0-9])(?:change|replace)[\s_.-]*(?:me|this|it)(?![a-z])"
    r"|(?<![a-z0-9])(?:unsafe[\s_.-]*default|placeholder|fixme|todo)(?![a-z])"
    r"|(?<![a-z0-9])x{3,}(?![a-z0-9])",
)
_YOUR_KEY = re.compile(r"your\w*?(?:key|secret|token|password|string)(?:goes)?(?:here)?")
_RUNS = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz")


def why_guessable(value: str | bytes) -> str | None:
    """Why ``value`` is a key anyone can guess, or None. Bytes are read as Latin-1."""
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if not text:
        return None
    return _placeholder(text) or _pattern(text) or _short(text)


def _placeholder(text: str) -> str | None:
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == "<" and stripped[-1] == ">":
        return "a placeholder to replace"
    lower = text.casefold()
    folded = "".join(lower.split()).replace("-", "").replace("_", "")
    if _YOUR_KEY.fullmatch(folded) or _PLACEHOLDER_WORDS.search(lower):
        return "a placeholder to replace"
    return None


def _pattern(text: str) -> str | None:
    if len(set(text)) == 1:
        return "one character repeated"
    for size in range(2, 5):
        if len(text) >= 3 * size and len(text) % size == 0:
            if text == text[:size] * (len(text) // size):
                return "a short pattern repeated"
    lower = text.casefold()
    if len(lower) >= 4 and any(lower in run or lower in run[::-1] for run in _RUNS):
        return "a run of consecutive characters"
    return None


def _short(text: str) -> str | None:
    # Past 64 characters no alphabet (10 at least) is short of the search space, and
    # the power of a long key would take seconds to compute (95 ** 2,000,000).
    if len(text) > 64 or alphabet(text) ** len(text) >= SEARCH_SPACE:
        return None
    what = "digits" if text.isascii() and text.isdigit() else "characters"
    return f"only {len(text)} {what}, few enough to try every key of that length"


def alphabet(text: str) -> int:
    """How many characters a key of this kind is drawn from."""
    if not text.isascii() or not text.isprintable():
        return 256
    size = 0
    if any(c.islower() for c in text):
        size += 26
    if any(c.isupper() for c in text):
        size += 26
    if any(c.isdigit() for c in text):
        size += 10
    if any(not c.isalnum() for c in text):
        size += 33
    return size
