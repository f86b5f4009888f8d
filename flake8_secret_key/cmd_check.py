"""``flake8-secret-key check``: the plugin's findings without flake8, for CI and ruff users.

Same engine, same options, same codes, same ``# noqa`` comments as
``flake8 --select SKY``, so the two never disagree on a file. Exit status is a
bitmask: 1 when something was found, 2 when a path could not be read or parsed
(or the command line was wrong), 3 for both. Each problem is one line on stderr
and never stops the scan of the other files.

json, the TOML parser, tokenize and the worker pool are imported only by the
runs that use them.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import NamedTuple, TextIO

from flake8_secret_key import rules, scan
from flake8_secret_key.engine import SourceError, split_lines
from flake8_secret_key.engine.loads import Load
from flake8_secret_key.escape import printable
from flake8_secret_key.formats import FORMATS, FileError, Finding, make_finding, render, sort_key
from flake8_secret_key.options import (
    Config,
    OptionError,
    add_engine_arguments,
    make_config,
    parse_names,
)
from flake8_secret_key.pyproject_config import ProjectOptions, load
from flake8_secret_key.source import decode

#: Below this many files one process is faster than starting a pool of workers
#: (some 50 ms with its imports): most files fail the engine's text prefilter and
#: cost a read and a substring search (0.02-0.05 ms; the standard library's 1,800
#: files take 35-75 ms in one process).
PARALLEL_MIN_FILES = 2000

#: flake8's own patterns for noqa comments, line and file (flake8/defaults.py).
NOQA_INLINE = re.compile(r"(?i)# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?")
NOQA_FILE = re.compile(r"(?i)\s*# flake8[:=]\s*noqa")
#: flake8's VALID_CODE_PREFIX: what --select and --ignore accept.
CODE_PREFIX = re.compile(r"(?a)^[A-Z]{1,3}[0-9]{0,3}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``check``; values are validated in ``run`` (one-line errors)."""
    add = parser.add_argument
    add("paths", nargs="*", metavar="PATH", help="files or folders to check; - reads stdin")
    add("--format", metavar="{" + ",".join(FORMATS) + "}", help="output format (default: text)")
    add(
        "--select",
        metavar="CODES",
        help="comma separated code prefixes to report, as flake8 reads them (default: "
        "the codes on by default; SKY selects every code, SKY900 included)",
    )
    add("--ignore", metavar="CODES", help="comma separated code prefixes not to report")
    add(
        "--extend-select",
        metavar="CODES",
        action="append",
        help="code prefixes to report on top of the selection, e.g. SKY900",
    )
    add("--extend-ignore", metavar="CODES", action="append", help="more prefixes to ignore")
    add(
        "--jobs",
        "-j",
        metavar="N",
        help="processes to use (default: auto, every core; runs of fewer than "
        f"{PARALLEL_MIN_FILES} files use one)",
    )
    add_engine_arguments(parser, "check")
    add(
        "--exclude",
        metavar="GLOBS",
        action="append",
        help="comma separated globs of files or folders to skip, matched against the base "
        "name and the path; replaces pyproject's (venvs, .git, __pycache__ and "
        "node_modules are always skipped)",
    )
    add("--extend-exclude", metavar="GLOBS", action="append", help="more globs to skip")
    add("--stdin-display-name", metavar="NAME", help="the name of - in the output (stdin)")
    add("--disable-noqa", action="store_true", help="also report lines marked noqa")
    add("--output", "-o", metavar="FILE", help="write the findings to FILE, not stdout")
    add(
        "--history",
        action="store_true",
        help="also report each key that any commit reachable from HEAD held (SKY120), "
        "once, with the first commit that added it (needs git)",
    )
    add("--all", action="store_true", help="with --history: the commits of every ref")


class Settings(NamedTuple):
    """The command line and pyproject.toml, merged and validated."""

    paths: tuple[str, ...]
    format: str
    codes: frozenset[str]
    jobs: int
    config: Config
    exclude: tuple[str, ...]
    stdin_name: str
    disable_noqa: bool
    output: str | None
    history: bool = False
    all_refs: bool = False


def run(args: argparse.Namespace) -> int:
    """Check the paths; 0 clean, 1 findings, 2 errors, 3 both."""
    try:
        settings = resolve(args)
    except OptionError as exc:
        _stderr(f"flake8-secret-key: {exc}")
        return 2
    findings, errors = check(settings)
    for error in errors:
        _stderr(printable(f"{error.path}: {error.reason}"))  # a file's name, a parser's words
    text = render(settings.format, findings, errors)
    if settings.output is None:
        _write_text(sys.stdout, text)  # if it fails, cli.main says so in one line
        sys.stdout.flush()
    else:
        try:
            with open(settings.output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            reason = exc.strerror or exc
            _stderr(f"flake8-secret-key: --output: cannot write {settings.output}: {reason}")
            return 2
    return (1 if findings else 0) | (2 if errors else 0)


# ----------------------------------------------------------------------- options


def resolve(args: argparse.Namespace) -> Settings:
    """Merge the command line over pyproject.toml; raises ``OptionError`` (one line)."""
    paths = tuple(args.paths) or (".",)
    start = next((p for p in paths if p != "-" and os.path.exists(p)), ".")
    project = load(start, warn=lambda text: _stderr(f"flake8-secret-key: warning: {text}"))

    fmt: str | None = args.format
    where = "--format"
    if fmt is None:
        fmt, where = project.format, project.where("format")
    if fmt is None:
        fmt = "text"
    elif fmt not in FORMATS:
        raise OptionError(f"{where}: unknown format {fmt!r}; choose from {', '.join(FORMATS)}")

    codes = selected_codes(
        select=_codes(args, project, "select"),
        ignore=_codes(args, project, "ignore"),
        extend_select=_codes(args, project, "extend_select") or (),
        extend_ignore=_codes(args, project, "extend_ignore") or (),
    )
    config = _config(args, project)
    exclude = _list(args.exclude, project.exclude) + _list(
        args.extend_exclude, project.extend_exclude
    )
    return Settings(
        paths=paths,
        format=fmt,
        codes=codes,
        jobs=parse_jobs(args.jobs),
        config=config,
        exclude=exclude,
        stdin_name=args.stdin_display_name or "stdin",
        disable_noqa=bool(args.disable_noqa),
        output=args.output,
        history=bool(getattr(args, "history", False)),
        all_refs=bool(getattr(args, "all", False)),
    )


def _config(args: argparse.Namespace, project: ProjectOptions) -> Config:
    """The engine's options; an error names the option or the pyproject key it came from."""
    names: str | Sequence[str] | None = args.secret_key_names
    names_where = "--secret-key-names"
    if names is None:
        names, names_where = project.names, project.where("names")
    known: str | None = args.secret_key_known_keys_file
    known_where = "--secret-key-known-keys-file"
    if known is None:
        known, known_where = project.known_keys_file, project.where("known-keys-file")
    include_tests = args.include_tests
    if include_tests is None:
        include_tests = bool(project.include_tests)
    try:
        parse_names(names)
    except OptionError as exc:
        raise _located(exc, names_where) from None
    try:
        return make_config(names, known, include_tests)
    except OptionError as exc:
        raise _located(exc, known_where) from None


def _located(exc: OptionError, where: str) -> OptionError:
    """The option's own message, prefixed with the pyproject key when it came from there."""
    return exc if where.startswith("--") else OptionError(f"{where}: {exc}")


def _list(cli: Sequence[str] | None, project: Sequence[str] | None) -> tuple[str, ...]:
    """Comma separated command-line values (repeatable), else pyproject's list."""
    if cli is None:
        return tuple(project or ())
    return tuple(item.strip() for value in cli for item in value.split(",") if item.strip())


def _codes(
    args: argparse.Namespace, project: ProjectOptions, field: str
) -> tuple[str, ...] | None:
    value = getattr(args, field)
    where = "--" + field.replace("_", "-")
    if value is None:
        value = getattr(project, field)
        where = project.where(field.replace("_", "-"))
        if value is None:
            return None
    elif isinstance(value, str):
        value = [value]
    codes = _list(value, None)
    bad = [c for c in codes if not CODE_PREFIX.match(c)]
    if bad:
        raise OptionError(f"{where}: not a code prefix: {', '.join(bad)} (e.g. SKY, SKY1, SKY100)")
    return codes


def selected_codes(
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    extend_select: Sequence[str] = (),
    extend_ignore: Sequence[str] = (),
) -> frozenset[str]:
    """The SKY codes reported, decided as flake8's ``DecisionEngine`` decides.

    By default every code is selected and the codes off by default
    (``rules.DEFAULT_OFF``) are ignored; an explicit choice beats a default one,
    and between two explicit (or two default) matches the longer prefix wins.
    """
    explicit_select = (*(select or ()), *extend_select)
    explicit_ignore = (*(ignore or ()), *extend_ignore)
    all_select = (*(("SKY",) if select is None else select), *extend_select)
    all_ignore = (*(rules.DEFAULT_OFF if ignore is None else ignore), *extend_ignore)

    def keep(code: str) -> bool:
        chosen = _longest(code, all_select)
        dropped = _longest(code, all_ignore)
        if dropped < 0 or chosen < 0:
            return chosen >= 0 and dropped < 0
        by_user, against_user = _longest(code, explicit_select), _longest(code, explicit_ignore)
        if (by_user >= 0) != (against_user >= 0):
            return by_user >= 0
        return chosen > dropped  # in both lists: the longest prefix wins

    return frozenset(code for code in rules.RULES if keep(code))


def _longest(code: str, prefixes: Sequence[str]) -> int:
    """The length of the longest prefix of ``code`` in ``prefixes``, or -1."""
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def parse_jobs(value: str | None) -> int:
    """``--jobs``: a positive number, or ``auto`` (the default: every usable core)."""
    if value is None or value == "auto":
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise OptionError(f"--jobs: expected a positive number or auto, got {value!r}")
    return jobs


# ------------------------------------------------------------------------ checks


def check(settings: Settings) -> tuple[list[Finding], list[FileError]]:
    """Findings and errors for every path, each sorted by path (then line, col)."""
    findings: list[Finding] = []
    errors: list[FileError] = []
    files: list[str] = []
    for path in settings.paths:
        if path == "-":
            data = sys.stdin.buffer.read()  # read even when skipped: the writer may wait
            if settings.config.wants(settings.stdin_name):
                _collect(check_bytes(data, settings.stdin_name, settings), findings, errors)
        elif not os.path.exists(path):
            errors.append(FileError(path, "no such file or directory"))
        elif scan.special_file(path):
            errors.append(FileError(path, scan.SPECIAL_FILE))
        else:
            files.append(path)
    python, configs = find_files(files, settings.exclude)
    loads: list[tuple[str, Load]] = []
    for result in _check_files(python, settings):
        _collect(result, findings, errors)
        loads.extend((result.path, load) for load in result.loads)
    for path in configs:
        _collect(check_config(path, settings), findings, errors)
    known = {*python, *configs}
    for path, kind in loaded_files(files, loads, known, settings.exclude):
        _collect(check_config(path, settings, kind), findings, errors)
    if settings.history:
        findings.extend(history_findings(files, settings))
    findings.sort(key=sort_key)
    errors.sort()
    return findings, errors


def find_files(paths: Sequence[str], exclude: Sequence[str]) -> tuple[list[str], list[str]]:
    """The Python files, and the env and config files (``config_files``), under ``paths``.

    A file given by name is always checked, as what its name says it is. In a folder,
    a config file that git ignores and does not track is left out (it is where a key
    belongs), asked with one ``git check-ignore`` per folder given; outside a git work
    tree (or without git) every config file found is checked.
    """
    from flake8_secret_key.config_files import config_kind

    python: dict[str, None] = {}
    configs: dict[str, None] = {}
    for path in paths:
        found = scan.walk(path, exclude, configs=True)
        if found.files == [path] and not path.endswith(scan.PY_SUFFIXES):
            if config_kind(os.path.basename(path)) is not None:  # given by name
                configs[path] = None
                continue
        python.update(dict.fromkeys(found.files))
        if found.configs:
            from flake8_secret_key.gitcmd import ignored_in

            ignored = ignored_in(path, found.configs)
            configs.update(dict.fromkeys(c for c in found.configs if c not in ignored))
    return list(python), list(configs)


def loaded_files(
    given: Sequence[str],
    loads: Sequence[tuple[str, Load]],
    known: set[str],
    exclude: Sequence[str],
) -> list[tuple[str, str]]:
    """The files that the checked modules load (``engine.loads``), with their format,
    but those checked already, excluded, or ignored by git and not tracked.

    A name is looked for where Flask looks (``loads.candidates``), never outside the
    folder given (or, for a module given by name, its own folder).
    """
    from flake8_secret_key.engine.loads import candidates

    roots = [p if os.path.isdir(p) else os.path.dirname(p) or "." for p in given]
    found: dict[str, tuple[str, str]] = {}  # path: (format, root)
    for module, called in loads:
        root = next((r for r in roots if _under(module, r)), None)
        if root is None:
            continue
        rel = os.path.relpath(module, root).replace(os.sep, "/")
        for candidate in candidates(rel, called.name):
            path = os.path.join(root, *candidate.split("/"))
            if os.path.isfile(path) and not scan.special_file(path):
                if path not in known and not scan.excluded(path, exclude):
                    found.setdefault(path, (called.format, root))
                break
    if not found:
        return []
    from flake8_secret_key.gitcmd import ignored_in

    ignored: set[str] = set()
    for root in {r for _, r in found.values()}:
        ignored |= ignored_in(root, [p for p, (_, r) in found.items() if r == root])
    return [(p, fmt) for p, (fmt, _) in found.items() if p not in ignored]


def _under(path: str, folder: str) -> bool:
    rel = os.path.relpath(path, folder)
    return rel != ".." and not rel.startswith(".." + os.sep)


def check_config(path: str, settings: Settings, kind: str | None = None) -> Checked:
    """Read and check one env or config file (SKY110; the engine's codes in a ``.cfg``),
    read as ``kind`` says when given (a file a module loads: ``loaded_files``)."""
    from flake8_secret_key.config_files import MAX_CONFIG, analyze_config

    if not settings.config.wants(path):
        return Checked(path, [])
    try:
        data = scan.read_file(path, MAX_CONFIG)
    except OSError as exc:
        return Checked(path, [], f"cannot read: {exc.strerror or exc}")
    observations, error = analyze_config(data, path, settings.config.engine, kind)
    found = [make_finding(path, obs) for obs in observations]
    kept = [f for f in found if f is not None and f.code in settings.codes]
    if kept and not settings.disable_noqa:
        kept = without_noqa(kept, data.decode("utf-8", "replace"))
    return Checked(path, kept, error)


def history_findings(paths: Sequence[str], settings: Settings) -> list[Finding]:
    """SKY120 for each distinct key in the history of each path (a folder, or a file
    given by name); a path without history (not in a git work tree) or a shallow
    clone says so on stderr, in one line."""
    import time

    from flake8_secret_key.history import read_history

    found: list[Finding] = []
    if "SKY120" not in settings.codes:
        return found
    for given in paths:
        folder, only = (given, ".") if os.path.isdir(given) else os.path.split(given)
        history = read_history(folder or ".", settings.config, settings.all_refs, only)
        if history.note is not None:
            _stderr(printable(f"{given}: {history.note}"))
        for key in history.keys:
            obs = key.observation
            date = time.strftime("%Y-%m-%d", time.gmtime(key.commit.time))
            text = rules.history_message(obs, key.commit.sha, date, key.in_head)
            path = os.path.join(folder, key.path)
            target, fix = printable(obs.target), printable(obs.fix)
            start, end = (obs.line, obs.col + 1), (obs.end_line, obs.end_col + 1)
            found.append(Finding(path, *start, *end, "SKY120", text, target, fix))
    return found


class Checked(NamedTuple):
    """One file's reported findings, or why it could not be checked; and the config
    files it loads (``engine.loads``)."""

    path: str
    findings: list[Finding]
    error: str | None = None
    loads: tuple[Load, ...] = ()


def _collect(result: Checked, findings: list[Finding], errors: list[FileError]) -> None:
    findings.extend(result.findings)
    if result.error is not None:
        errors.append(FileError(result.path, result.error))


def check_path(path: str, settings: Settings) -> Checked:
    """Read and check one file (``scan.analyze_bytes`` on its bytes)."""
    if not settings.config.wants(path):  # test code, unless asked for: not even read
        return Checked(path, [])
    try:
        data = scan.read_bytes(path)
    except SourceError as exc:
        return Checked(path, [], str(exc))
    return check_bytes(data, path, settings)


def check_bytes(data: bytes, path: str, settings: Settings) -> Checked:
    """The engine's observations for a file, as selected findings minus ``# noqa``."""
    result = scan.analyze_bytes(data, path, settings.config)
    found = [make_finding(path, obs) for obs in result.observations]
    kept = [f for f in found if f is not None and f.code in settings.codes]
    if kept and not settings.disable_noqa:
        kept = without_noqa(kept, decode(data).text)
    return Checked(path, kept, result.error, result.loads)


def _check_files(files: list[str], settings: Settings) -> Iterable[Checked]:
    """Check files in this process, or in worker processes when there are enough."""
    jobs = min(settings.jobs, len(files), 61 if sys.platform == "win32" else len(files))
    if jobs < 2 or len(files) < PARALLEL_MIN_FILES:
        return [check_path(path, settings) for path in files]
    from flake8_secret_key import workers

    chunk = max(1, min(64, len(files) // (jobs * 8)))
    return workers.run(_check_in_worker, settings, files, jobs, _worker_died, chunk)


def _check_in_worker(settings: Settings, path: str) -> Checked:
    return check_path(path, settings)


def _worker_died(path: str) -> Checked:
    return Checked(path, [], "internal error: the checker's process died on this file")


# -------------------------------------------------------------------------- noqa


def without_noqa(findings: Sequence[Finding], text: str) -> list[Finding]:
    """Drop findings that flake8 would drop for a ``# noqa`` comment.

    As flake8 does: ``# flake8: noqa`` on a line of its own skips the file; a
    ``# noqa`` after a token spanning several lines (a triple-quoted string)
    covers all its lines; ``# noqa: SKY1`` covers codes by prefix (case matters);
    a bare ``# noqa`` covers every code.
    """
    if not re.search("(?i)noqa", text):  # most files: no tokenizing, nothing to drop
        return list(findings)
    lines = split_lines(text)
    if any(NOQA_FILE.match(line) for line in lines):
        return []
    noqa_lines = _noqa_line_mapping(text, lines)
    kept = []
    for finding in findings:
        line = noqa_lines.get(finding.line)
        if line is None:
            line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        match = NOQA_INLINE.search(line)
        if match is None:
            kept.append(finding)
            continue
        if match["codes"] is None:
            continue
        codes = {c for c in re.split(r"[,\s]", match["codes"]) if c.strip()}
        if not finding.code.startswith(tuple(codes)):
            kept.append(finding)
    return kept


def _noqa_line_mapping(text: str, lines: Sequence[str]) -> dict[int, str]:
    """Line number -> the text flake8 searches for ``noqa`` (``FileProcessor``'s mapping)."""
    import tokenize  # only files with a finding and a noqa comment get here

    mapping: dict[int, str] = {}
    first, last = len(lines) + 2, -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first = min(first, token.start[0])
            last = max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[first - 1 : last])
                mapping.update(dict.fromkeys(range(first, last + 1), joined))
                first, last = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return mapping


# ------------------------------------------------------------------------ output


def _stderr(line: str) -> None:
    _write_text(sys.stderr, line + "\n")


def _write_text(stream: TextIO, text: str) -> None:
    """Write, replacing what the stream's encoding cannot show (paths, names)."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
