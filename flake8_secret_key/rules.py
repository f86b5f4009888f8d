"""THE table of codes: code, message template, default on/off, help.

Every front end (flake8 plugin, ``check``, ``report``, ``fix``, SARIF rules) reads
codes and messages from here, so a message is worded in exactly one place.
Codes are never renumbered.

A message never contains the secret value: it names where the key goes
(``target``), shows the fix for that very place, and for published example
keys, names where the key was published.
"""

# No ``from __future__ import annotations``: typing.NamedTuple would compile each
# field's string annotation on the flake8 plugin's start-up (see engine/model.py).

from typing import NamedTuple

from flake8_secret_key.engine import Kind, Observation, Source
from flake8_secret_key.escape import printable
from flake8_secret_key.known_keys import GUESSABLE, USER_LIST, WORDLIST, is_guessable


class Rule(NamedTuple):
    """One code of the SKY family."""

    code: str
    name: str
    default_on: bool
    short: str
    help: str


SKY100 = Rule(
    "SKY100",
    "hardcoded-secret-key",
    True,
    "A hardcoded value becomes a secret key.",
    "A secret key written in source is published with the source: anyone who can "
    "read it can forge session cookies (for example log in as someone else). "
    "Read it from the environment instead.",
)
SKY101 = Rule(
    "SKY101",
    "published-example-key",
    True,
    "The secret key is published (docs, tutorials, templates, flask-unsign's wordlist) "
    "or guessable.",
    "Example keys from documentation and tutorials are public, flask-unsign's wordlist "
    "holds 56,000 keys collected from public code, and a placeholder, a pattern or a "
    "short key is guessed: anyone can recover such a key from one session cookie and "
    "forge session cookies for the app. Read the key from the environment and generate "
    "a fresh one (python -c 'import secrets; print(secrets.token_hex())').",
)
SKY102 = Rule(
    "SKY102",
    "secret-key-fallback",
    True,
    "The secret key is read from the environment but falls back to a hardcoded value.",
    "When the variable is unset (a forgotten deploy setting, a new server) the app "
    "silently runs with the hardcoded fallback, which is published with the source. "
    "Require the variable instead, so a missing key fails loudly at start-up.",
)
SKY103 = Rule(
    "SKY103",
    "empty-secret-key",
    True,
    "The secret key is set to an empty value.",
    "An empty key is no key: Flask refuses to sign sessions with it (session and flash "
    "fail with 'The session is unavailable because no secret key was set') and Django "
    "refuses to start. Read the key from the environment and set it to a fresh value "
    "(python -c 'import secrets; print(secrets.token_hex())').",
)
SKY900 = Rule(
    "SKY900",
    "generated-secret-key",
    False,
    "The secret key is generated at start-up.",
    "A key generated when the app starts (os.urandom, secrets.token_*, uuid4) "
    "changes on every restart, logging all users out, and differs between worker "
    "processes, so a session signed by one worker is rejected by another. Generate "
    "the key once and read it from the environment.",
)

SKY110 = Rule(
    "SKY110",
    "key-in-committed-config-file",
    True,
    "A secret key is hardcoded in an env or config file kept with the code.",
    "A key in a .env, .flaskenv, instance/*.cfg, settings.ini, docker-compose file, "
    "app.yaml, app.json, config JSON/TOML or any file the app loads, kept with the code "
    "(committed, or not ignored by git, or handed in), is published with it, as if it "
    "were in the source. Keep the file out of git (or read the key from the environment "
    "there) and generate a new key. Reported by the check and report commands only: the "
    "flake8 plugin reads Python files.",
)

SKY120 = Rule(
    "SKY120",
    "key-in-git-history",
    True,
    "A hardcoded secret key is in the repository's git history.",
    "A key removed from the code is still in every commit that held it: anyone with a "
    "clone has it. Treat it as compromised: generate a new key and read it from the "
    "environment; rewriting the history does not unpublish the old one. Reported by "
    "check --history and report --history.",
)

RULES: dict[str, Rule] = {
    r.code: r for r in (SKY100, SKY101, SKY102, SKY103, SKY110, SKY120, SKY900)
}

#: The code each kind of source maps to; kinds not listed (environment, unknown)
#: are observations, never findings.
CODE_FOR_SOURCE: dict[Source, str] = {
    Source.LITERAL: "SKY100",
    Source.PUBLISHED: "SKY101",
    Source.FALLBACK: "SKY102",
    Source.GENERATED: "SKY900",
    Source.EMPTY: "SKY103",
}

#: Codes that flake8 leaves off unless the user selects them.
DEFAULT_OFF: tuple[str, ...] = tuple(r.code for r in RULES.values() if not r.default_on)


def code_for(obs: Observation) -> str | None:
    """The SKY code an observation is reported under, or None if it is fine."""
    if obs.kind is Kind.CONFIG_ENTRY:
        return "SKY110"
    return CODE_FOR_SOURCE.get(obs.source)


def message(obs: Observation) -> str | None:
    """The one-line message for an observation (without the code), or None.

    Never includes the value itself. Text from the source (a subscript key, an
    environment-variable name) is shown escaped (``escape.printable``): a key
    spelling ``"\\x1b[31m"`` or ``"X\\r\\nforged.py:1:1: SKY100"`` can neither drive
    the terminal nor forge a line of output, in any front end.
    """
    text = _message(obs)
    return None if text is None else printable(text)


def _message(obs: Observation) -> str | None:
    fix = obs.fix
    via = f" (through {obs.via})" if obs.via else ""
    if obs.kind is Kind.CONFIG_ENTRY:
        what = _known(obs.published) if obs.published else "a hardcoded key"
        if obs.source is Source.FALLBACK:
            known = f" ({_known(obs.published)})" if obs.published else ""
            what = f"falls back to a hardcoded key{known} when {obs.env_var} is unset"
            return (
                f"{obs.target} in a config file kept with the code {what}: anyone who can "
                f"read the code can forge the sessions of an app run without it. Fix: {fix}"
            )
        return (
            f"{obs.target} in a config file kept with the code is {what}: anyone who can "
            f"read the code can forge this app's sessions. Fix: {fix}"
        )
    if obs.source is Source.PUBLISHED:
        harm = f"anyone can forge this app's {obs.signs}"
        if obs.published == WORDLIST or is_guessable(obs.published):
            harm = "anyone can recover it from one session cookie and forge sessions"
        if obs.drawn:  # weak_random is loaded only for a key drawn at start-up
            from flake8_secret_key.engine.weak_random import STATE

            if (obs.published or "").endswith(STATE):
                harm = "anyone who sees enough of the generator's other outputs can predict it"
        known = _known(obs.published)
        if obs.env_var and obs.reader:  # the default of a read: os.environ.get(K, randint())
            via += f" when {obs.env_var} is unset"
        return f"{obs.target} is {known}{via}: {harm}. Read it from the environment: {fix}"
    if obs.source is Source.LITERAL:
        what = "a predictable value" if obs.predictable else "a hardcoded value"
        return (
            f"{obs.target} is set to {what}{via}: anyone who can read the source can "
            f"forge this app's {obs.signs}. Read it from the environment: {fix}"
        )
    if obs.source is Source.FALLBACK:
        var = obs.env_var or "the variable"
        published = f" ({_known(obs.published, short=True)})" if obs.published else ""
        return (
            f"{obs.target} falls back to a hardcoded value{published}{via} when {var} "
            f"is unset, so a forgotten setting silently runs with a key written in the source. "
            f"Require it: {fix}"
        )
    if obs.source is Source.UNKNOWN and obs.unknown:  # for report: no code, but words
        return f"{obs.target} is {obs.unknown}{via}: check it by hand."
    if obs.source is Source.EMPTY:
        harm = f"no {obs.signs} can be signed safely with it"
        if obs.name in {"SECRET_KEY", "secret_key"}:
            harm = "Flask refuses to sign sessions with it, so session and flash fail"
        return (
            f"{obs.target} is set to an empty key{via}: {harm}. Read it from the "
            f"environment: {fix}"
        )
    if obs.source is Source.GENERATED:
        return (
            f"{obs.target} is generated at start-up{via}: every restart logs all users "
            f"out and each worker process signs with a different key. Read it from the "
            f"environment: {fix}"
        )
    return None


def history_message(obs: Observation, commit: str, date: str, in_head: bool) -> str:
    """SKY120's message: the key of ``obs`` (a finding of a past commit) is in the history."""
    what = "a hardcoded key"
    if obs.published:
        what = f"a published or guessable key ({_known(obs.published)})"
    if obs.source is Source.FALLBACK:
        what = f"a hardcoded fallback ({what})"
    where = "HEAD still holds it" if in_head else "removed since, but still in the history"
    return printable(
        f"commit {commit[:12]} ({date}) set {obs.target} to {what}; {where}: anyone "
        "with a clone can forge this app's sessions. Rotate it: generate a new key; "
        "rewriting the history does not unpublish the old one"
    )


def _known(published: str | None, short: bool = False) -> str:
    """How a message names a known key's source (the user's own list is no publication),
    or why it is guessable; ``short`` inside parentheses."""
    if published == USER_LIST:
        return f"a known example key (listed in {published})"
    if published == WORDLIST:
        return "a key in flask-unsign's public wordlist" if short else f"in {WORDLIST}"
    if published is not None and is_guessable(published):
        why = published[len(GUESSABLE) :]
        return f"a guessable key: {why}" if short else f"guessable ({why})"
    return f"the example key published in {published}"


def flake8_text(obs: Observation) -> str | None:
    """``"SKY100 message"`` as flake8 wants it, or None when there is nothing to say."""
    code = code_for(obs)
    text = message(obs)
    if code is None or text is None:
        return None
    return f"{code} {text}"
