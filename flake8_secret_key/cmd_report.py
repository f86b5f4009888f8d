"""``flake8-secret-key report SUBMISSIONS``: mark a whole cohort, one row per submission.

Exit status: 0 when the report was written (whatever it found: marking is not a
CI gate; use ``check`` for that), 2 on usage errors (a missing SUBMISSIONS
folder, a bad option, an unwritable ``--output``), with a one-line message on
stderr. A submission that cannot be read, or that breaks the scanner in any
way, becomes an ``error`` row; it never aborts the report.

The worker pool and tqdm are imported only by the runs that use them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from flake8_secret_key.engine import Observation, Options, Source, may_hold_setting_bytes
from flake8_secret_key.engine.loads import may_load_bytes
from flake8_secret_key.escape import printable
from flake8_secret_key.feedback import FeedbackError, load_feedback, with_feedback
from flake8_secret_key.layouts import LAYOUTS, LayoutError, list_cohort
from flake8_secret_key.options import (
    Config,
    OptionError,
    add_engine_arguments,
    config_from_args,
)
from flake8_secret_key.reading import Reader
from flake8_secret_key.redact import redact_config_context, redact_context, secret_texts
from flake8_secret_key.report import (
    HISTORY,
    ContextLine,
    Finding,
    Row,
    decide,
    error_row,
    sort_rows,
)
from flake8_secret_key.report_formats import FORMATS, render
from flake8_secret_key.rules import code_for, history_message, message
from flake8_secret_key.scan import analyze_spelled
from flake8_secret_key.submissions import (
    IsAnExport,
    Submission,
    SubmissionError,
)

if TYPE_CHECKING:
    from flake8_secret_key.history import HistoryKey

Progress = Callable[[int], None]

#: Fewest submissions worth starting a pool of workers for (some 50 ms with its
#: imports); below it, one process.
PARALLEL_MIN = 24

_Want = tuple[bool, bool, bool, str]  # context, count_skipped_files, split_exports, history


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "submissions",
        metavar="SUBMISSIONS",
        help="folder whose children are submissions: folders, .zip files "
        "(a platform's 'download all' export too) or single .py files",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE (default: stdout)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=0,
        metavar="N",
        help="worker processes (default: all cores; 1: no extra processes)",
    )
    parser.add_argument(
        "--count-skipped-files",
        action="store_true",
        help="also count the Python files inside the skipped virtual environments "
        "(lists every folder of every venv: slow on a cohort that committed many)",
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="also read each git submission's history: a key removed from the code but "
        "still in a commit reachable from HEAD is the verdict in-history (needs git)",
    )
    parser.add_argument(
        "--all", action="store_true", help="with --history: the commits of every ref"
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="auto",
        help="how SUBMISSIONS is laid out: a learning platform's export (canvas, "
        "blackboard, moodle, classroom: one row per student, with their identity) or "
        "folders (each child a submission); default: auto (detected; never guessed)",
    )
    parser.add_argument(
        "--feedback-file",
        metavar="FILE",
        help="the course's own feedback sentences, one 'verdict: sentence' a line "
        "(shown in json, html and --format marks)",
    )
    add_engine_arguments(parser, "mark")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("give 0 (all cores) or more")
    return value


def run(args: argparse.Namespace) -> int:
    root = args.submissions
    if not os.path.isdir(root) and not (root.lower().endswith(".zip") and os.path.isfile(root)):
        what = "not a folder" if os.path.exists(root) else "no such folder"
        return _usage(f"SUBMISSIONS: {what}: {printable(root)}")
    try:
        config = config_from_args(args)
        sentences = load_feedback(args.feedback_file)
    except (OptionError, FeedbackError) as exc:
        return _usage(str(exc))
    try:  # exports in the cohort's zips are split by the workers
        cohort = list_cohort(root, args.layout)
    except LayoutError as exc:
        return _usage(str(exc))
    except OSError as exc:
        return _usage(f"cannot list {printable(root)}: {exc.strerror or exc}")
    if cohort.note:
        sys.stderr.write(f"flake8-secret-key report: {cohort.note}\n")
    subs = cohort.submissions
    jobs = args.jobs or cpu_count()
    rows = mark_all(
        subs,
        config,
        jobs,
        context=args.format == "html",
        count_skipped_files=args.count_skipped_files,
        split_exports=True,
        history=("all" if args.all else "HEAD") if args.history else "",
    )
    rows = with_feedback(rows, sentences)
    title = f"Secret keys: {os.path.basename(os.path.abspath(root))}"
    return _write(render(rows, args.format, title), args.output, args.format)


def cpu_count() -> int:
    """Cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1  # pragma: no cover


def _usage(text: str) -> int:
    sys.stderr.write(f"flake8-secret-key report: {text}\n")
    return 2


def _write(text: str, output: str | None, fmt: str) -> int:
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            return _usage(f"cannot write {printable(output)}: {exc.strerror or exc}")
        return 0
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # stdout replaced by a text stream (an embedding program, a test)
        sys.stdout.write(text)
        return 0
    if fmt in ("table", "markdown"):  # for a terminal: its encoding, never a crash
        data = text.encode(sys.stdout.encoding or "utf-8", "replace")
    else:  # for a program: always UTF-8
        data = text.encode("utf-8")
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()
    return 0


# ------------------------------------------------------------------ marking


def mark_all(
    subs: Sequence[Submission],
    config: Config,
    jobs: int = 1,
    context: bool = False,
    count_skipped_files: bool = False,
    split_exports: bool = False,
    history: str = "",
) -> list[Row]:
    """One row per submission, in ``subs``'s order, whatever the scheduling.

    ``context``: the findings carry redacted source lines (for HTML).
    ``count_skipped_files``: count the Python files in the skipped venvs.
    ``split_exports``: ``subs`` holds zips as listed, unopened (``list_submissions(root,
    split_exports=False)``); each "download all" export among them is split here, in
    the workers that read it anyway, and its members get their rows, sorted in.
    ``history``: ``"HEAD"`` or ``"all"`` (refs) reads each git submission's history.
    """
    progress = _progress(len(subs))
    with progress as step:
        want = (context, count_skipped_files, split_exports, history)
        marked = _mark_units(subs, config, jobs, want, step)
        members = [m for unit in marked if isinstance(unit, list) for m in unit]
        rows = [unit for unit in marked if isinstance(unit, Row)]
        if not members:
            return rows
        progress.grow(len(members))
        want = (context, count_skipped_files, False, history)
        marked = _mark_units(members, config, jobs, want, step)
        rows.extend(unit for unit in marked if isinstance(unit, Row))
    return sort_rows(rows)


def _mark_units(
    subs: Sequence[Submission], config: Config, jobs: int, want: _Want, step: Progress
) -> list[Row | list[Submission]]:
    if jobs > 1 and len(subs) >= PARALLEL_MIN:
        return _parallel(subs, config, jobs, want, step)
    units: list[Row | list[Submission]] = []
    for sub in subs:
        units.append(_mark_unit(sub, config, want))
        step(1)
    return units


def _mark_unit(sub: Submission, config: Config, want: _Want) -> Row | list[Submission]:
    """The row for ``sub``, or, for an export zip (when splitting them), its members."""
    try:
        row = mark(sub, config, *want)
    except IsAnExport as export:  # found while opening the zip, which is read only once
        return export.members
    return row if sub.identity is None else row._replace(identity=sub.identity)


def mark(
    sub: Submission,
    config: Config,
    context: bool = False,
    count_skipped_files: bool = False,
    split_exports: bool = False,
    history: str = "",
) -> Row:
    """The row for one submission; never raises, but ``IsAnExport`` (if splitting them)."""
    try:
        row = _mark(sub, config, context, count_skipped_files, split_exports)
        return with_history(row, sub, config, history) if history else row
    except IsAnExport:
        raise
    except SubmissionError as exc:
        return error_row(sub.name, str(exc))
    except MemoryError:
        return error_row(sub.name, "too big to analyse in memory")
    except RecursionError:
        return error_row(sub.name, "too deeply nested to analyse")
    except Exception as exc:  # a bug of ours must not abort the cohort
        return error_row(sub.name, f"internal error ({type(exc).__name__}): please report")


def _mark(
    sub: Submission, config: Config, context: bool, count_skipped_files: bool, split: bool
) -> Row:
    wants = None if config.include_tests else config.wants  # the rest are not even read
    reader = Reader(sub, count_skipped_files=count_skipped_files, split_exports=split, wants=wants)
    findings: list[Finding] = []
    file_errors: list[tuple[str, str]] = []
    texts: list[tuple[str, str, list[Observation]]] = []
    scanned = 0
    engine = config.engine
    for path, data, error in reader.files():
        scanned += 1
        if error is None:
            if not (may_hold_setting_bytes(data, engine) or may_load_bytes(data)):
                continue  # most files: no name spelled, nothing to analyse or record
            result = analyze_spelled(data, path, config)
            error, observations = result.error, result.observations
            if result.loads:
                reader.read_loaded(path, result.loads)
        if error is not None:
            file_errors.append((path, error))
            continue
        if context and observations:
            texts.append((path, _text(data), observations))
        else:
            findings.extend(_finding(path, o, observations, None) for o in observations)
    configs = _config_observations(reader, engine)
    if not context:
        findings.extend(_finding(p, o, obs, None) for p, _, obs, _ in configs for o in obs)
    else:  # the HTML context: redact each file's values in every file shown
        also = {s for _, text, obs in texts for s in secret_texts(text, obs)}
        also.update(s for _, text, obs, _ in configs for s in secret_texts(text, obs))
        for path, text, observations in texts:
            findings.extend(
                _finding(path, o, observations, text, also, config.engine.names)
                for o in observations
            )
        for path, text, observations, python in configs:
            findings.extend(
                _finding(path, o, observations, text, also, config.engine.names, python)
                for o in observations
            )
    findings.sort(key=lambda f: (f.path, f.line, f.col))
    verdict, first, reason = decide(findings, scanned, file_errors, reader.venvs)
    return Row(
        submission=sub.name,
        verdict=verdict,
        findings=sum(1 for f in findings if f.code is not None),
        first_location=first,
        python_files=scanned,
        syntax_errors=len(file_errors),
        error=reason,
        observations=tuple(findings),
        file_errors=tuple(file_errors),
        venvs=tuple(reader.venvs),
        skipped_python_files=reader.skipped_files if count_skipped_files else None,
    )


def with_history(row: Row, sub: Submission, config: Config, refs: str) -> Row:
    """``row`` with the keys of the submission's git history (SKY120) and the
    ``history`` column; a submission that is no repository of its own (a zip, a
    folder without ``.git``) has "no history"."""
    from flake8_secret_key.history import no_history, read_history

    if row.verdict == "error":
        return row
    zipped = sub.member is not None or sub.path.lower().endswith(".zip")
    if sub.parts:  # files of a platform's export: the export's history is no student's
        found = no_history("a platform's export holds no git history")
    elif zipped or not os.path.lexists(os.path.join(sub.path, ".git")):
        found = no_history("a zip holds no git history" if zipped else "not a git repository")
    else:
        found = read_history(sub.path, config, refs == "all")
    keys: list[HistoryKey] = found.keys
    observations = [*row.observations, *(_history_finding(key) for key in keys)]
    observations.sort(key=lambda f: (f.path, f.line, f.col))
    verdict, first, reason = decide(observations, row.python_files, row.file_errors, row.venvs)
    if keys:  # the worst observation decides, the history's included
        row = row._replace(verdict=verdict, first_location=first, error=reason)
    return row._replace(
        observations=tuple(observations),
        findings=sum(1 for f in observations if f.code is not None),
        history=_history_text(found.keys, found.commits, found.note),
    )


def _history_finding(key: HistoryKey) -> Finding:
    import time

    obs = key.observation
    date = time.strftime("%Y-%m-%d", time.gmtime(key.commit.time))
    return Finding(
        path=printable(key.path),
        line=obs.line,
        col=obs.col,
        end_line=obs.end_line,
        end_col=obs.end_col,
        code="SKY120",
        source=HISTORY,
        target=printable(obs.target),
        message=history_message(obs, key.commit.sha, date, key.in_head),
    )


def _history_text(keys: Sequence[HistoryKey], commits: int, note: str | None) -> str:
    """The ``history`` column: what the teacher does about it, in a few words."""
    removed = [k for k in keys if not k.in_head]
    parts = []
    if removed:
        first = removed[0]
        noun = "key" if len(removed) == 1 else "keys"
        parts.append(
            f"{len(removed)} {noun} removed from the code but still in the history "
            f"(first: {printable(first.path)}:{first.observation.line}, commit "
            f"{first.commit.sha[:12]}): rotate"
        )
    if len(keys) > len(removed):
        parts.append(f"{len(keys) - len(removed)} still in HEAD")
    if not keys and note is None:
        parts.append(f"no key in {commits} commit{'' if commits == 1 else 's'}")
    if note is not None:
        parts.append(note)
    return "; ".join(parts)


def _config_observations(
    reader: Reader, engine: Options
) -> list[tuple[str, str, list[Observation], bool]]:
    """The keys in the submission's env and config files (SKY110): each file's path,
    text and observations, and whether it is Python (``from_pyfile``, ``*.cfg``)."""
    if not reader.configs:
        return []
    from flake8_secret_key.config_files import analyze_config, config_kind, decode_text

    found = []
    for path, data, error in reader.configs:  # each read once (``Reader.read_loaded``)
        if error is None:
            kind = reader.loaded.get(path) or config_kind(path.rsplit("/", 1)[-1])
            observations, _ = analyze_config(data, path, engine, kind)
            if observations:  # a .cfg that is Python: decoded as Python decodes it
                python = kind == "pyfile"
                text = _text(data) if python else decode_text(data)
                found.append((path, text, observations, python))
    return found


def _text(data: bytes) -> str:
    from flake8_secret_key.source import decode

    return decode(data).text  # it was decoded once already: this cannot fail


def _finding(
    path: str,
    obs: Observation,
    file_obs: Sequence[Observation],
    text: str | None,
    also: Iterable[str] = (),
    names: Iterable[str] = (),
    python: bool = True,
) -> Finding:
    if text is None:
        context: tuple[ContextLine, ...] = ()
    elif python:
        context = redact_context(text, file_obs, obs, also, names)
    else:
        context = redact_config_context(text, obs, also)
    return Finding(
        path=path,
        line=obs.line,
        col=obs.col,
        end_line=obs.end_line,
        end_col=obs.end_col,
        code=code_for(obs),
        source=obs.source.value,
        target=printable(obs.target),
        message=message(obs) or printable(_plain_message(obs)),
        context=context,
    )


def _plain_message(obs: Observation) -> str:
    if obs.source is Source.ENVIRONMENT:
        var = f" ({obs.env_var})" if obs.env_var else ""
        return f"{obs.target} is read from the environment{var}, with no fallback: good."
    return (
        f"{obs.target} is read from somewhere the scanner cannot follow (a file, another "
        "module, a call): check it by hand."
    )


# ------------------------------------------------------------------ processes


def _parallel(
    subs: Sequence[Submission], config: Config, jobs: int, want: _Want, step: Progress
) -> list[Row | list[Submission]]:
    """Mark in worker processes; a crashed worker costs only its own submissions."""
    from flake8_secret_key import workers

    chunk = max(1, min(16, len(subs) // (jobs * 8)))
    return workers.run(_mark_in_worker, (config, want), subs, jobs, _worker_died, chunk, step)


def _mark_in_worker(shared: tuple[Config, _Want], sub: Submission) -> Row | list[Submission]:
    config, want = shared
    return _mark_unit(sub, config, want)


def _worker_died(sub: Submission) -> Row | list[Submission]:
    row = error_row(sub.name, "the scanner crashed on this submission (worker died)")
    return row._replace(identity=sub.identity)


class _progress:
    """A tqdm bar on stderr when it is a terminal (and tqdm is installed); else nothing."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Progress:
        if self.total and sys.stderr.isatty():
            try:
                from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]
            except ImportError:
                return _nothing
            tqdm.monitor_interval = 0  # no monitor thread: the workers are forked (Linux)
            bar = tqdm(total=self.total, unit="submission", file=sys.stderr, leave=False)
            self.bar = bar
            return lambda n: bar.update(n)
        return _nothing

    def grow(self, more: int) -> None:
        """More to do than announced (the members of exports)."""
        if self.bar is not None:
            self.bar.total += more
            self.bar.refresh()

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _nothing(n: int) -> None:
    return None
