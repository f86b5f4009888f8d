"""A sentence for the student per verdict: what is wrong, the one-line fix, and where
Flask explains sessions. The same sentence in every format that shows one (json,
html, the marks sheet).

A course replaces any of them with ``--feedback-file``: UTF-8 text, one
``verdict: sentence`` per line; blank lines and lines starting with ``#`` are
skipped; a verdict the file does not name keeps its default sentence::

    # feedback for lab 3
    hardcoded: Your key is in app.py; see the lab 3 notes, section 2.
    no-key: Set app.secret_key from the environment, as in lecture 4.

A line that is not ``verdict: sentence``, an unknown or repeated verdict, an empty
sentence or an unreadable file is a ``FeedbackError`` (one line, naming the line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flake8_secret_key.escape import printable
from flake8_secret_key.report import VERDICTS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from flake8_secret_key.report import Row

#: Flask's documentation on sessions and the secret key.
SESSIONS_DOC = "https://flask.palletsprojects.com/en/stable/quickstart/#sessions"
_FIX = (
    'Fix: read it from the environment, app.secret_key = os.environ["SECRET_KEY"], and set '
    "SECRET_KEY to a fresh value from python -c 'import secrets; print(secrets.token_hex())'."
)
_SEE = f"See {SESSIONS_DOC}"

DEFAULT_FEEDBACK: dict[str, str] = {
    "published-key": "Your app's secret key is an example key published online, so anyone "
    f"can forge your users' session cookies (and log in as them). {_FIX} {_SEE}",
    "hardcoded": "Your app's secret key is written in your code, so anyone who can read "
    f"the code can forge your users' session cookies. {_FIX} {_SEE}",
    "fallback": "Your app reads its secret key from the environment but falls back to a "
    "key written in your code, which it then uses without a word. Fix: drop the fallback, "
    f'app.secret_key = os.environ["SECRET_KEY"], so a missing key stops the app. {_SEE}',
    "in-history": "Your secret key is no longer in your code, but it is still in your git "
    "history, where anyone with a copy of the repository can read it. Fix: generate a new "
    f"key and keep it only in the environment. {_SEE}",
    "empty-key": "Your app's secret key is empty, so Flask refuses to sign session cookies "
    f"(session and flash fail). {_FIX} {_SEE}",
    "generated": "Your app makes a new secret key each time it starts, so every restart "
    "logs everyone out and each worker process signs differently. Fix: generate one key "
    f'once and read it from the environment, app.secret_key = os.environ["SECRET_KEY"]. {_SEE}',
    "unknown": "Your app's secret key comes from somewhere the marker could not follow (a "
    "file, another module or a call); your teacher will check it by hand. The recommended "
    f'way: app.secret_key = os.environ["SECRET_KEY"]. {_SEE}',
    "environment": "Well done: your app reads its secret key from the environment and "
    f"keeps it out of your code. {_SEE}",
    "no-key": "Your app sets no secret key, so Flask cannot sign session cookies (session "
    'and flash fail). Fix: app.secret_key = os.environ["SECRET_KEY"], with SECRET_KEY set '
    f"to a fresh random value. {_SEE}",
    "error": "Your submission could not be marked automatically (no Python file of it "
    f"could be read as it was handed in); your teacher will look at it by hand. {_SEE}",
}
#: For a verdict added later that has no sentence of its own yet.
GENERIC = (
    "Keep your app's secret key out of your code: "
    f'app.secret_key = os.environ["SECRET_KEY"]. {_SEE}'
)

MAX_SENTENCE = 2000


class FeedbackError(ValueError):
    """A ``--feedback-file`` that cannot be used; ``str()`` is one line."""


def load_feedback(path: str | None) -> dict[str, str]:
    """The sentences: the defaults, replaced by those of ``path`` (if any)."""
    sentences = {v: DEFAULT_FEEDBACK.get(v, GENERIC) for v in VERDICTS}
    if path is None:
        return sentences
    shown = printable(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(1024 * 1024 + 1)
    except OSError as exc:
        why = exc.strerror or exc
        raise FeedbackError(f"--feedback-file {shown}: cannot read: {why}") from None
    if len(data) > 1024 * 1024:
        raise FeedbackError(f"--feedback-file {shown}: larger than 1 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedbackError(
            f"--feedback-file {shown}: not UTF-8 (byte {exc.start + 1}): save it as UTF-8"
        ) from None
    sentences.update(parse_feedback(text, shown))
    return sentences


def parse_feedback(text: str, shown: str = "the feedback file") -> dict[str, str]:
    """The ``verdict: sentence`` lines of ``text``; raises ``FeedbackError``."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"--feedback-file {shown}, line {number}"
        verdict, colon, sentence = stripped.partition(":")
        verdict, sentence = verdict.strip(), sentence.strip()
        if not colon or verdict not in VERDICTS:
            what = f"unknown verdict {printable(verdict)!r}" if colon else "no 'verdict:'"
            raise FeedbackError(f"{where}: {what}; write 'verdict: sentence' with one of "
                                f"{', '.join(VERDICTS)}")  # fmt: skip
        if verdict in found:
            raise FeedbackError(f"{where}: {verdict} is given twice")
        if not sentence:
            raise FeedbackError(f"{where}: the sentence for {verdict} is empty")
        if len(sentence) > MAX_SENTENCE:
            raise FeedbackError(f"{where}: longer than {MAX_SENTENCE} characters")
        found[verdict] = sentence
    return found


def with_feedback(rows: Iterable[Row], sentences: dict[str, str]) -> list[Row]:
    """``rows``, each with the sentence for its verdict."""
    return [row._replace(feedback=sentences.get(row.verdict, GENERIC)) for row in rows]
