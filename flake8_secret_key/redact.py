"""The source lines shown around a finding (in the HTML report), with every secret hidden.

Redacted on the lines shown: the value and the reported span of every
observation of the file that is not read from the environment, every string
literal, every comment (its ``#`` stays), and any other copy of those values (or
of the values found in the submission's other files). Comments go whole because
a key that is computed (``"Xk9fQ2" + "mZp7Lw"``, ``bytes.fromhex("...")``) is
never written as one text that could be searched for, and a comment above it
(``# old key: Xk9fQ2mZp7Lw``) may spell it in full. Names stay readable: a
literal spelling exactly a setting name or an environment variable the file
reads (``os.environ["SECRET_KEY"]``). Text that cannot be tokenized is hidden
from its first quote or ``#`` on.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import TYPE_CHECKING

from flake8_secret_key.engine import Observation, Source, split_lines
from flake8_secret_key.escape import printable
from flake8_secret_key.report import ContextLine

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

REDACTED = "«redacted»"
#: Lines of context shown before and after a finding.
CONTEXT = 2
#: Longest context line shown (longer ones are cut).
MAX_LINE = 160
#: Most lines of a multi-line value shown (the rest is elided).
MAX_VALUE_LINES = 3

#: A plain string literal spelling a name: ``"SECRET_KEY"``.
_NAME_LITERAL = re.compile(r"""(['"])[A-Za-z_][A-Za-z0-9_]*\1""")
#: From the first quote or ``#`` on: what is hidden of a line that cannot be tokenized.
_AFTER_QUOTE = re.compile(r"""['"#].*""")

Span = tuple[int, int, int, int]  # line, col, end line, end col


def redact_context(
    text: str,
    file_observations: Sequence[Observation],
    obs: Observation,
    also: Iterable[str] = (),
    names: Iterable[str] = (),
) -> tuple[ContextLine, ...]:
    """A few lines around ``obs`` in which every secret is redacted.

    Redacted: the value span and the reported span of every non-environment
    observation of the file, every string literal on the lines shown (except
    those spelling exactly one of ``names`` or an environment variable the file
    reads: ``os.environ["SECRET_KEY"]`` stays readable), every comment, and any other
    occurrence of those values, or of the texts in ``also`` (the values found in
    the submission's other files), on the lines shown (e.g. in a comment).
    """
    lines = [ln.rstrip("\r\n") for ln in split_lines(text)]
    wanted = _context_numbers(obs, len(lines))
    spans = _value_spans(file_observations)
    secrets = sorted(set(_secret_texts(lines, spans)) | set(also), key=len, reverse=True)
    keep = set(names) | {o.env_var for o in file_observations if o.env_var}
    strings, tokenized = _string_spans(text, keep)
    spans.extend(strings)
    out = []
    for number in wanted:
        shown = _redact_line(lines[number - 1], number, spans, secrets)
        if not tokenized:  # could not tokenize: hide everything after the first quote
            shown = _AFTER_QUOTE.sub(REDACTED, shown)
        out.append(ContextLine(number, _clip(shown), number == obs.line))
    return tuple(out)


def redact_config_context(
    text: str, obs: Observation, also: Iterable[str] = ()
) -> tuple[ContextLine, ...]:
    """A few lines around ``obs`` in a config file that is not Python (``.env``,
    YAML, JSON, INI, TOML), where only the structure stays readable: a variable's name
    and its ``=`` or ``:`` (``- `` and ``export`` too), a section header, a bracket.
    Every value (any of them may be a password), every comment and any other text is
    hidden, whatever the format's quoting; so is any text of ``also`` in what stays.
    """
    lines = [ln.rstrip("\r\n") for ln in split_lines(text)]
    secrets = sorted(set(also), key=len, reverse=True)
    return tuple(
        ContextLine(
            number, _clip(_scrub(_config_line(lines[number - 1]), secrets)), number == obs.line
        )
        for number in _context_numbers(obs, len(lines))
    )


#: ``KEY=``, ``export KEY=``, ``- KEY=``, ``KEY:``, ``"KEY":``: a name and its separator.
_CONFIG_NAME = re.compile(
    r"""(\s*(?:-\s+)?(?:export\s+)?(["']?)[A-Za-z_][\w.-]*\2\s*[=:])(\s*)(.*)"""
)
#: A line of structure only: ``[settings]``, ``{``, ``},``, ``]``.
_CONFIG_STRUCTURE = re.compile(r"\s*(?:\[[\w .-]*\]|[{}\[\],]*)\s*")


def _config_line(raw: str) -> str:
    """One line of a config file with everything but its structure hidden."""
    if _CONFIG_STRUCTURE.fullmatch(raw):
        return raw
    name = _CONFIG_NAME.fullmatch(raw)
    if name is not None:
        return name[1] + name[3] + (REDACTED if name[4].strip() else "")
    indent = raw[: len(raw) - len(raw.lstrip())]
    stripped = raw.lstrip()
    if stripped[:1] in ("#", ";"):
        return indent + stripped[0] + REDACTED
    return indent + REDACTED


def secret_texts(text: str, file_observations: Sequence[Observation]) -> list[str]:
    """The texts of a file's secret values, to redact wherever else they appear."""
    lines = [ln.rstrip("\r\n") for ln in split_lines(text)]
    return _secret_texts(lines, _value_spans(file_observations))


def _value_spans(file_observations: Sequence[Observation]) -> list[Span]:
    """Where the values are: each observation's span, and its value's span.

    A fallback read in place (``os.getenv("K", "x")``) reports the fallback literal
    itself, so the rest of the call stays readable; through a module name
    (``KEY = os.getenv(...)``) the whole value is hidden.
    """
    spans: list[Span] = []
    for o in file_observations:
        if o.source is Source.ENVIRONMENT:
            continue
        spans.append((o.line, o.col, o.end_line, o.end_col))
        if not (o.source is Source.FALLBACK and o.via is None):
            spans.append((*o.value,))
    return spans


def _context_numbers(obs: Observation, count: int) -> list[int]:
    numbers = set(range(obs.line - CONTEXT, obs.line + CONTEXT + 1))
    value = obs.value
    end = min(value.end_line, value.line + MAX_VALUE_LINES - 1)
    numbers.update(range(value.line - 1, end + 2))
    return sorted(n for n in numbers if 1 <= n <= count)


def _string_spans(text: str, keep: Collection[str] = ()) -> tuple[list[Span], bool]:
    """Every string literal (f- and t-strings whole) and every comment (after its
    ``#``) as a span; False if untokenizable.

    Plain literals spelling exactly a name in ``keep`` (``"SECRET_KEY"``) are left out.
    """
    spans: list[Span] = []
    opened: list[tuple[int, int]] = []  # f-string starts (3.12+ tokenizes them in parts)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline="").readline):
            kind = tokenize.tok_name.get(tok.type, "")
            if tok.type == tokenize.ERRORTOKEN and tok.string[:1] in ("'", '"'):
                return spans, False  # an unterminated string (Python < 3.12)
            if tok.type == tokenize.STRING:
                if _NAME_LITERAL.fullmatch(tok.string) and tok.string[1:-1] in keep:
                    continue
                spans.append((*tok.start, *tok.end))
            elif tok.type == tokenize.COMMENT and len(tok.string) > 1:
                spans.append((tok.start[0], tok.start[1] + 1, *tok.end))
            elif kind.endswith("STRING_START"):
                opened.append(tok.start)
            elif kind.endswith("STRING_END") and opened:
                spans.append((*opened.pop(), *tok.end))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return spans, False
    return spans, True


def _secret_texts(lines: Sequence[str], spans: Iterable[Sequence[int]]) -> list[str]:
    """The text of each redacted span (and its inside, without quotes), 4+ characters."""
    found: set[str] = set()
    for line, col, end_line, end_col in spans:
        for n in range(line, end_line + 1):
            if not 1 <= n <= len(lines):
                continue
            text = lines[n - 1]
            piece = text[col if n == line else 0 : end_col if n == end_line else len(text)]
            for candidate in (piece, piece.strip().strip("rRbBuUfF").strip("'\"")):
                if len(candidate.strip()) >= 4:
                    found.add(candidate)
    return sorted(found, key=len, reverse=True)


def _redact_line(
    raw: str, number: int, spans: Iterable[Sequence[int]], secrets: Sequence[str]
) -> str:
    cuts: list[tuple[int, int]] = []
    for line, col, end_line, end_col in spans:
        if line <= number <= end_line:
            start = col if number == line else 0
            stop = end_col if number == end_line else len(raw)
            if stop > start:
                cuts.append((start, stop))
    cuts.sort()
    merged: list[list[int]] = []
    for start, stop in cuts:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    pieces: list[str] = []
    pos = 0
    for start, stop in merged:
        pieces.append(_scrub(raw[pos:start], secrets))
        pieces.append(REDACTED)
        pos = stop
    pieces.append(_scrub(raw[pos:], secrets))
    return "".join(pieces)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _clip(text: str) -> str:
    text = printable(text.replace("\t", "    "))
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"
