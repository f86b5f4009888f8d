"""Cohort results: one ``Row`` per submission, and its verdict.

The verdicts, worst first:

``published-key``  a published example key (SKY101)
``hardcoded``      a hardcoded key (SKY100)
``fallback``       read from the environment with a hardcoded fallback (SKY102)
``in-history``     a key removed from the code is still in the git history (SKY120,
                   ``--history``): anyone with a clone has it, so it must be rotated
``empty-key``      set to an empty key (SKY103): Flask refuses to sign sessions, so the
                   app's sessions fail (broken, not leaked)
``generated``      generated at start-up (SKY900)
``unknown``        read from somewhere the engine cannot follow; the message says what, by
                   name (a file, an import, a call: ``engine/unknown.py``)
``environment``    set, and only from the environment: the right way
``no-key``         no secret-key setting found
``error``          nothing could be read or parsed; the row says why

The worst observation of a submission decides its verdict. Nothing here ever
holds a secret value: observations carry positions, and the only source text
kept (the HTML context lines) is redacted by ``redact.redact_context`` before it
leaves the worker that read the file.

The formats are written by ``report_formats`` (table, csv, json, markdown) and
``report_html``, from the columns defined here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from flake8_secret_key.engine import Source
from flake8_secret_key.submissions import sort_key

#: The ``source`` of a finding of ``--history``: a key that a past commit held.
HISTORY = "history"

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from flake8_secret_key.layouts import Identity

VERDICTS: tuple[str, ...] = (
    "published-key",
    "hardcoded",
    "fallback",
    "in-history",
    "empty-key",
    "generated",
    "unknown",
    "environment",
    "no-key",
    "error",
)
RANK = {v: i for i, v in enumerate(VERDICTS)}
VERDICT_FOR_SOURCE: dict[Source, str] = {
    Source.PUBLISHED: "published-key",
    Source.LITERAL: "hardcoded",
    Source.FALLBACK: "fallback",
    Source.GENERATED: "generated",
    Source.EMPTY: "empty-key",
    Source.UNKNOWN: "unknown",
    Source.ENVIRONMENT: "environment",
}
#: A finding's ``source`` (a ``Source`` value, or ``history``) -> its verdict.
VERDICT_FOR: dict[str, str] = {
    **{source.value: verdict for source, verdict in VERDICT_FOR_SOURCE.items()},
    HISTORY: "in-history",
}


class ContextLine(NamedTuple):
    """One redacted source line around a finding."""

    number: int
    text: str
    hit: bool  # the line of the finding itself


class Finding(NamedTuple):
    """One observation of a submission, without its value."""

    path: str  # relative to the submission
    line: int
    col: int
    end_line: int
    end_col: int
    code: str | None  # None for environment and unknown observations
    source: str  # Source value: "literal", "environment", ...
    target: str
    message: str
    context: tuple[ContextLine, ...] = ()


class Row(NamedTuple):
    """The result for one submission."""

    submission: str
    verdict: str
    findings: int  # observations with a SKY code
    first_location: str  # "path:line" of the observation that decided the verdict
    python_files: int
    syntax_errors: int  # files that could not be read, decoded or parsed
    error: str  # why the verdict is "error" ("" otherwise)
    observations: tuple[Finding, ...] = ()
    file_errors: tuple[tuple[str, str], ...] = ()  # (path, one-line reason)
    venvs: tuple[str, ...] = ()  # virtual environments skipped, not scanned
    skipped_python_files: int | None = None  # the Python files in them, when counted
    history: str | None = None  # what --history found, in words (None: not asked)
    identity: Identity | None = None  # the student, from a platform's export (``layouts``)
    feedback: str = ""  # the sentence for the student, per verdict (``feedback``)

    @property
    def skipped_venvs(self) -> int:
        return len(self.venvs)

    @property
    def student_name(self) -> str | None:
        return None if self.identity is None else self.identity.name

    @property
    def student_id(self) -> str | None:
        return None if self.identity is None else self.identity.platform_id

    @property
    def username(self) -> str | None:
        return None if self.identity is None else self.identity.username


def error_row(name: str, reason: str) -> Row:
    return Row(name, "error", 0, "", 0, 0, reason)


def sort_rows(rows: Iterable[Row]) -> list[Row]:
    """Rows in the report's one order (``submissions.sort_submissions``'s)."""
    return sorted(rows, key=lambda row: sort_key(row.submission))


def decide(
    observations: Sequence[Finding],
    python_files: int,
    file_errors: Sequence[tuple[str, str]],
    venvs: Sequence[str] = (),
) -> tuple[str, str, str]:
    """(verdict, first location, error reason) for a submission's observations."""
    if observations:
        worst = min(observations, key=lambda f: (_source_rank(f.source), f.path, f.line, f.col))
        return VERDICT_FOR[worst.source], f"{worst.path}:{worst.line}", ""
    if python_files == 0:
        return "error", "", f"no Python files found{_venvs_skipped(venvs)}"
    if len(file_errors) == python_files:
        path, why = file_errors[0]
        return (
            "error",
            "",
            (f"none of the {python_files} Python files could be parsed ({path}: {why})"),
        )
    return "no-key", "", ""


def _venvs_skipped(venvs: Sequence[str]) -> str:
    if not venvs:
        return ""
    shown = ", ".join(venvs[:3]) + (", ..." if len(venvs) > 3 else "")
    noun = "environment" if len(venvs) == 1 else "environments"
    return f" outside {len(venvs)} virtual {noun} ({shown})"


def _source_rank(source: str) -> int:
    return RANK[VERDICT_FOR[source]]


def summary(rows: Iterable[Row]) -> dict[str, int]:
    """Count of submissions per verdict, every verdict listed, worst first."""
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        counts[row.verdict] += 1
    return counts


def summary_line(rows: Sequence[Row]) -> str:
    """``"3 submissions: 1 hardcoded, 2 no-key"``."""
    counts = summary(rows)
    parts = [f"{n} {v}" for v, n in counts.items() if n]
    noun = "submission" if len(rows) == 1 else "submissions"
    return f"{len(rows)} {noun}" + (": " + ", ".join(parts) if parts else "")


# ------------------------------------------------------------------ columns


#: The columns of every format: (Row attribute, header).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("submission", "SUBMISSION"),
    ("verdict", "VERDICT"),
    ("findings", "FINDINGS"),
    ("first_location", "FIRST LOCATION"),
    ("python_files", "PY FILES"),
    ("skipped_venvs", "VENVS SKIPPED"),
    ("skipped_python_files", "PY FILES IN VENVS"),
    ("syntax_errors", "SYNTAX ERRORS"),
    ("error", "ERROR"),
)
NUMERIC = {"findings", "python_files", "skipped_venvs", "skipped_python_files", "syntax_errors"}
#: The column of ``--history``, last, in every format, only when asked for.
HISTORY_COLUMN = ("history", "HISTORY")


#: The student's identity as a platform's export wrote it, after the submission, in
#: every format, when the cohort came from one (``layouts``).
IDENTITY_COLUMNS = (
    ("student_name", "STUDENT"),
    ("student_id", "STUDENT ID"),
    ("username", "USERNAME"),
)


def data_columns(rows: Sequence[Row]) -> tuple[tuple[str, str], ...]:
    """The columns of the csv and json formats: every one, the identity's for a
    platform's export, and the history's if asked."""
    columns = COLUMNS
    if any(row.identity is not None for row in rows):
        columns = (COLUMNS[0], *IDENTITY_COLUMNS, *COLUMNS[1:])
    if any(row.history is not None for row in rows):
        return (*columns, HISTORY_COLUMN)
    return columns


def shown_columns(rows: Sequence[Row]) -> tuple[tuple[str, str], ...]:
    """The columns a person reads: the venv file count only when it was counted."""
    columns = data_columns(rows)
    if any(row.skipped_python_files is not None for row in rows):
        return columns
    return tuple(c for c in columns if c[0] != "skipped_python_files")


def cells(row: Row, columns: Sequence[tuple[str, str]] = COLUMNS) -> list[str]:
    """The row's values in ``columns``, as text (None as "")."""
    values = (getattr(row, key) for key, _ in columns)
    return ["" if value is None else str(value) for value in values]
