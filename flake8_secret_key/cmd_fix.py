"""``flake8-secret-key fix``: rewrite hardcoded keys to environment reads.

All files are fixed in memory first; files that cannot be written
(read-only) are set aside as errors; then the env file (if any) is written,
and only then the sources, so that an app is never left reading a variable
that nobody was told to set. A finding is reported as fixed only once its
file is written. Source writes are atomic (``fix_write``) and keep the mode,
the encoding (coding cookie, BOM) and the line endings. Nothing printed here
holds a key.

``--check`` and ``--diff`` set the same files aside, with fix's error line
and exit status: a dry run says what fix would do, and fix would not touch a
read-only file or folder. (A write that fails late, on a full disk, is all a
dry run cannot foresee.)

``libcst`` is imported (through ``flake8_secret_key.fix``) only inside ``run``.
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Collection, Iterator, Sequence
from fnmatch import fnmatch
from typing import TYPE_CHECKING, NamedTuple, TextIO

from flake8_secret_key.engine import SourceError, split_lines
from flake8_secret_key.escape import printable
from flake8_secret_key.fix_write import create_private, refusal, write_atomic
from flake8_secret_key.options import (
    Config,
    OptionError,
    add_engine_arguments,
    config_from_args,
)
from flake8_secret_key.scan import PY_SUFFIXES, SPECIAL_FILE, iter_python_files, special_file
from flake8_secret_key.source import Decoded, decode, encode

if TYPE_CHECKING:
    from flake8_secret_key.fix import EnvVar, FixResult

PROG = "flake8-secret-key fix"
GENERATE = "python -c 'import secrets; print(secrets.token_hex())'"
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


EXIT_STATUS = (
    "exit status: 0 nothing to change; 1 changes made (with --check or --diff: needed); "
    "2 errors, such as a file that cannot be read, parsed or written (it is left "
    "untouched); 3 both. --check and --diff report a file that fix would refuse (a "
    "read-only file or folder) with fix's error line and status, never as 'would fix'."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXIT_STATUS
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        default=["."],
        help="files or folders to fix (default: .); - reads stdin and writes the "
        "fixed source to stdout",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true",
                      help="print a unified diff of what fix would write, and write "
                      "nothing")  # fmt: skip
    mode.add_argument("--check", action="store_true",
                      help="write nothing; report what fix would do, with the exit "
                      "status fix would return")  # fmt: skip
    parser.add_argument(
        "--env-file",
        metavar="PATH",
        help="append NAME=value (a fresh key) to this file for each variable the fixed "
        "code reads and the file does not define yet, e.g. .env (created with mode 0600)",
    )
    parser.add_argument(
        "--keep-key",
        action="store_true",
        help="with --env-file: move the old key there instead of generating a fresh one "
        "(the old key was published with the source; prefer a fresh one). A published "
        "or guessable key (SKY101) is never kept",
    )
    add_engine_arguments(parser, "fix")
    parser.add_argument(
        "--exclude",
        metavar="GLOB",
        action="append",
        default=[],
        help="skip files and folders matching these comma-separated globs (repeatable)",
    )


class _Outcome(NamedTuple):
    """One file, fixed in memory."""

    path: str
    decoded: Decoded | None = None
    result: FixResult | None = None
    error: str | None = None


class _Printer:
    """Where the report goes: stdout, or stderr when stdout carries a diff or source."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def line(self, text: str = "") -> None:
        """One line; what it quotes from the code or the disk (a subscript key, a
        file name) is shown with controls and bidi characters escaped."""
        self.out.write(printable(text) + "\n")

    @staticmethod
    def error(path: str, message: str) -> None:
        sys.stderr.write(printable(f"{path}: error: {message}") + "\n")


def run(args: argparse.Namespace) -> int:
    try:
        config = config_from_args(args)
    except OptionError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return 2
    if args.keep_key and not args.env_file:
        sys.stderr.write(f"{PROG}: --keep-key needs --env-file PATH\n")
        return 2
    paths: list[str] = list(args.paths)
    if "-" in paths:
        if len(paths) > 1:
            sys.stderr.write(f"{PROG}: - (stdin) cannot be combined with other paths\n")
            return 2
        return _run_stdin(args, config)
    return _run_paths(args, config, paths)


# --------------------------------------------------------------------------- paths


def _run_paths(args: argparse.Namespace, config: Config, paths: Sequence[str]) -> int:
    printer = _Printer(sys.stderr if args.diff else sys.stdout)
    exclude = [g.strip() for item in args.exclude for g in item.split(",") if g.strip()]
    status = 0
    for path in paths:
        if not os.path.lexists(path):
            _Printer.error(path, "no such file or folder")
            status |= 2
        elif special_file(path):
            _Printer.error(path, SPECIAL_FILE)
            status |= 2
    wanted = [p for p in paths if os.path.lexists(p) and not special_file(p)]
    files = list(iter_python_files(wanted, exclude))
    explicit = {p for p in paths if os.path.isfile(p)}
    outcomes = [_fix_file(p, config, explicit=p in explicit) for p in files if config.wants(p)]
    dry = bool(args.diff or args.check)
    needed = any(_changed(o) for o in outcomes)  # status 1: changes made or needed
    # A file that cannot be written is an error before anything is written; in a dry
    # run too, which says what fix would do (never "would fix" a file fix refuses).
    outcomes = [_refuse_unwritable(o) for o in outcomes]
    for outcome in outcomes:
        if outcome.error is not None:
            _Printer.error(outcome.path, outcome.error)
            status |= 2
    changed = [o for o in outcomes if o.result is not None and o.result.changed]
    committed = _committed(changed) if args.keep_key and args.env_file else set()
    env_vars = _needed([(o.path, o.result) for o in changed if o.result is not None], committed)
    env_lines = io.StringIO()  # the env file is written before the sources, shown after
    env_report = _Printer(env_lines)
    if args.env_file and env_vars:
        ok = _update_env_file(env_report, args.env_file, env_vars, args.keep_key, dry)
        if not ok:
            sys.stderr.write(f"{PROG}: no source file was changed\n")
            return status | 2
    if not dry:
        outcomes, failed = _write_changed(outcomes)
        status |= 2 if failed else 0
        written = [o for o in outcomes if o.result is not None and o.result.changed]
        env_vars = _needed([(o.path, o.result) for o in written if o.result is not None])
    for outcome in outcomes:
        if outcome.result is not None:
            _report_findings(printer, outcome.path, outcome.result, dry)
            if args.diff and outcome.result.changed:
                assert outcome.decoded is not None
                sys.stdout.write(_diff(outcome.path, outcome.decoded.text, outcome.result.text))
    printer.out.write(env_lines.getvalue())
    _summary(printer, outcomes, dry)
    for line in _history_note(outcomes):
        printer.line(line)
    if env_vars and not args.env_file:
        _how_to_set(printer, [v.name for v in env_vars])
    return status | (1 if needed else 0)


def _changed(outcome: _Outcome) -> bool:
    return outcome.result is not None and outcome.result.changed


def _refuse_unwritable(outcome: _Outcome) -> _Outcome:
    """A changed file that cannot be written becomes an error (its findings unreported)."""
    error = refusal(outcome.path) if _changed(outcome) else None
    return outcome if error is None else _Outcome(outcome.path, error=error)


def _write_changed(outcomes: Sequence[_Outcome]) -> tuple[list[_Outcome], int]:
    """Write every changed file; one that fails becomes an error. Returns (outcomes, failed)."""
    done: list[_Outcome] = []
    failed = 0
    for outcome in outcomes:
        if _changed(outcome):
            assert outcome.decoded is not None and outcome.result is not None
            error = write_atomic(outcome.path, encode(outcome.decoded, outcome.result.text))
            if error is not None:
                _Printer.error(outcome.path, error)
                outcome = _Outcome(outcome.path, error=error)
                failed += 1
        done.append(outcome)
    return done, failed


def _fix_file(path: str, config: Config, explicit: bool) -> _Outcome:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return _Outcome(path, error=f"cannot read: {exc.strerror or exc}")
    if explicit and not _looks_like_python(path, data):
        return _Outcome(
            path, error="not a Python file (expected .py, .pyw, .pyi or a python #! line)"
        )
    return _fix_bytes(path, data, config)


def _fix_bytes(path: str, data: bytes, config: Config) -> _Outcome:
    from flake8_secret_key.fix import fix_text

    try:
        decoded = decode(data)
        result = fix_text(decoded.text, config, path)
    except SourceError as exc:
        return _Outcome(path, error=f"{exc}; left untouched")
    except Exception as exc:  # a bug of ours must not stop the other files
        return _Outcome(path, error=f"internal error ({type(exc).__name__}); left untouched, "
                                    "please report")  # fmt: skip
    return _Outcome(path, decoded, result)


def _looks_like_python(path: str, data: bytes) -> bool:
    if path.endswith(PY_SUFFIXES):
        return True
    first = data.split(b"\n", 1)[0]
    return first.startswith(b"#!") and b"python" in first


# --------------------------------------------------------------------------- stdin


def _run_stdin(args: argparse.Namespace, config: Config) -> int:
    printer = _Printer(sys.stderr)
    data = sys.stdin.buffer.read()
    outcome = _fix_bytes("-", data, config)
    if outcome.error is not None or outcome.result is None or outcome.decoded is None:
        _Printer.error("stdin", outcome.error or "cannot fix")
        if not (args.diff or args.check):
            _write_stdout_bytes(data)  # an editor must never lose its buffer
        return 2
    result = outcome.result
    dry = bool(args.diff or args.check)
    _report_findings(printer, "stdin", result, dry)
    if args.diff:
        sys.stdout.write(_diff("stdin", outcome.decoded.text, result.text))
    elif not args.check:
        _write_stdout_bytes(encode(outcome.decoded, result.text))
    env_vars = _needed([("stdin", result)] if result.changed else [])
    status = 1 if result.changed else 0
    if args.env_file and env_vars:
        if not _update_env_file(printer, args.env_file, env_vars, args.keep_key, dry):
            status |= 2
    elif env_vars:
        _how_to_set(printer, [v.name for v in env_vars])
    return status


def _write_stdout_bytes(data: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # pragma: no cover - a text-only stdout (some embedders)
        sys.stdout.write(data.decode("utf-8", "surrogateescape"))


# --------------------------------------------------------------------------- report


def _report_findings(printer: _Printer, path: str, result: FixResult, dry: bool) -> None:
    verb = "would fix" if dry else "fixed"
    for f in result.fixed:
        printer.line(f"{path}:{f.line}:{f.col + 1}: {verb} {f.code} {f.target} -> {f.replacement}")
    for left in result.left:
        printer.line(f"{path}:{left.line}:{left.col + 1}: left {left.code} {left.target}: "
                     f"{left.reason}")  # fmt: skip


def _summary(printer: _Printer, outcomes: Sequence[_Outcome], dry: bool) -> None:
    """Counts of what was written (or would be): errors are counted apart."""
    results = [o.result for o in outcomes if o.result is not None]
    fixed = sum(len(r.fixed) for r in results)
    files = sum(1 for r in results if r.changed)
    left = sum(len(r.left) for r in results)
    errors = sum(1 for o in outcomes if o.error is not None)
    if not (fixed or left or errors):
        printer.line(f"Nothing to fix in {_plural(len(outcomes), 'file')}.")
        return
    verb = "Would fix" if dry else "Fixed"
    parts = [f"{verb} {_plural(fixed, 'finding')} in {_plural(files, 'file')}" if fixed
             else "Nothing fixed"]  # fmt: skip
    if left:
        parts.append(f"left {left} as {'it was' if left == 1 else 'they were'} (reasons above)")
    if errors:
        parts.append(f"{_plural(errors, 'file')} left untouched (errors above)")
    printer.line("; ".join(parts) + ".")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _history_note(outcomes: Sequence[_Outcome]) -> list[str]:
    """When HEAD still holds a key that fix removed, it is in the git history: say it
    is compromised, and where to read about history rewrites (issue 15)."""
    fixed = [
        (o.path, [v.old_value for v in o.result.env_vars] or [None])
        for o in outcomes
        if o.result is not None and o.result.fixed
    ]
    if not fixed:
        return []
    from flake8_secret_key.history import committed_old_keys, fix_note

    return fix_note(committed_old_keys(fixed))


def _how_to_set(printer: _Printer, names: Sequence[str]) -> None:
    printer.line()
    printer.line("The fixed code reads these environment variables; set them before the "
                 "app starts:")  # fmt: skip
    for name in names:
        printer.line(f'  export {name}="$({GENERATE})"')
    printer.line("or put NAME=<a new key> lines in a .env file (Flask loads it when "
                 "python-dotenv is installed; keep it out of git).")  # fmt: skip
    printer.line(f"Generate a fresh key with: {GENERATE}")


def _diff(path: str, old: str, new: str) -> str:
    label = os.path.normpath(path)
    if os.path.isabs(label):  # patch -p1 cannot strip a/ from these: leave them bare
        before = after = label
    else:
        label = label.replace(os.sep, "/")
        before, after = f"a/{label}", f"b/{label}"
    lines = difflib.unified_diff(split_lines(old), split_lines(new), before, after)
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


# --------------------------------------------------------------------------- env file


class _Need(NamedTuple):
    name: str
    old_value: str | None
    note: str | None
    compromised: str | None  # why the old key is never kept: published, or committed
    conflicting: bool  # several different old values


#: Why ``--keep-key`` never keeps an old key.
PUBLISHED_KEY = "the old key is published or guessable: it is never kept"
COMMITTED_KEY = "the old key is in the git history: it is never kept"


def _needed(
    results: Sequence[tuple[str, FixResult]], committed: Collection[str] = ()
) -> list[_Need]:
    """Variables the fixed code reads, in order, merged over all files; the old keys
    of the files in ``committed`` are in the git history."""
    merged: dict[str, _Need] = {}
    for path, result in results:
        published = {f.env_var for f in result.fixed if f.code == "SKY101"}
        for var in result.env_vars:
            why = PUBLISHED_KEY if var.name in published else None
            if why is None and path in committed:
                why = COMMITTED_KEY
            merged[var.name] = _merge(merged.get(var.name), var, why)
    return list(merged.values())


def _merge(prev: _Need | None, var: EnvVar, compromised: str | None) -> _Need:
    if prev is None:
        return _Need(var.name, var.old_value, var.note, compromised, False)
    conflicting = prev.conflicting or (
        prev.old_value is not None and var.old_value not in (None, prev.old_value)
    )
    return prev._replace(compromised=prev.compromised or compromised, conflicting=conflicting)


def _committed(changed: Sequence[_Outcome]) -> set[str]:
    """The files whose committed version (HEAD) still holds a key fix takes out:
    that key is in the git history, so ``--keep-key`` must not keep it (issue 15)."""
    from flake8_secret_key.history import committed_old_keys

    return set(
        committed_old_keys(
            [
                (o.path, [v.old_value for v in o.result.env_vars] or [None])
                for o in changed
                if o.result is not None
            ]
        )
    )


def defined_names(text: str) -> set[str]:
    """Names an env file defines (``NAME=...`` or ``export NAME=...``)."""
    return {m.group(1) for line in split_lines(text) if (m := _ENV_LINE.match(line))}


def _update_env_file(
    printer: _Printer, path: str, needs: Sequence[_Need], keep: bool, dry: bool
) -> bool:
    """Append what ``path`` lacks; report it (never the values). False on error."""
    from flake8_secret_key.fix import env_file_value

    try:
        with open(path, "rb") as handle:
            existing: bytes | None = handle.read()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        _Printer.error(path, f"cannot read the env file: {exc.strerror or exc}")
        return False
    text = (existing or b"").decode("utf-8", "replace")
    defined = defined_names(text)
    lines: list[str] = []
    would = "would add" if dry else "added"
    for need in needs:
        if need.name in defined:
            printer.line(f"{path}: {need.name} is already defined there, left as it is")
            continue
        value = secrets.token_hex(32)
        how = "a freshly generated key"
        if keep and need.compromised:
            how += f" ({need.compromised})"
        elif keep and need.old_value is not None:
            kept = env_file_value(need.old_value)
            if kept is not None:
                value, how = kept, "the old key (--keep-key)"
                if need.conflicting:
                    how += "; the files held different old keys, the first one was kept"
        elif keep:
            how += f" ({need.note or 'the old key cannot be kept'})"
        lines.append(f"{need.name}={value}")
        printer.line(f"{path}: {would} {need.name} ({how})")
    if not lines or dry:
        if lines:
            _gitignore(printer, path, dry)
        return True
    newline = "\r\n" if b"\r\n" in (existing or b"") else "\n"
    payload = newline.join(lines) + newline
    if existing and not existing.endswith((b"\n", b"\r")):
        payload = newline + payload
    try:
        if existing is None:
            create_private(path, payload.encode("utf-8"))
            printer.line(f"{path}: created with mode 0600")
        else:
            with open(path, "ab") as handle:
                handle.write(payload.encode("utf-8"))
    except OSError as exc:
        _Printer.error(path, f"cannot write the env file: {exc.strerror or exc}")
        return False
    _gitignore(printer, path, dry)
    return True


# --------------------------------------------------------------------------- .gitignore


def _gitignore(printer: _Printer, env_path: str, dry: bool) -> None:
    """Make sure git ignores the env file; say what was done."""
    env_abs = os.path.abspath(env_path)
    folders = list(_folders_up_to_git_root(os.path.dirname(env_abs)))
    ignores = [os.path.join(d, ".gitignore") for d in folders]
    ignores = [g for g in ignores if os.path.isfile(g)]
    if not ignores:
        printer.line(f"{env_path}: no .gitignore found; make sure it is never committed")
        return
    if _is_ignored(env_abs, ignores):
        return
    nearest = _shown(ignores[0])
    rel = os.path.relpath(env_abs, os.path.dirname(ignores[0])).replace(os.sep, "/")
    entry = rel if "/" not in rel else f"/{rel}"
    if dry:
        printer.line(f"{nearest}: would add {entry} (the env file holds the key)")
        return
    try:
        with open(ignores[0], "rb") as handle:
            content = handle.read()
        newline = b"\r\n" if b"\r\n" in content else b"\n"
        add = entry.encode("utf-8") + newline
        if content and not content.endswith((b"\n", b"\r")):
            add = newline + add
        with open(ignores[0], "ab") as handle:
            handle.write(add)
    except OSError as exc:
        _Printer.error(nearest, f"cannot add {entry}: {exc.strerror or exc}; add it by hand")
        return
    printer.line(f"{nearest}: added {entry} (the env file holds the key)")


def _shown(path: str) -> str:
    """``path`` relative to the working folder when it is below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _folders_up_to_git_root(start: str) -> Iterator[str]:
    """``start`` and its parents up to the git root (only ``start`` outside git)."""
    chain = []
    folder = start
    while True:
        chain.append(folder)
        if os.path.exists(os.path.join(folder, ".git")):
            yield from chain
            return
        parent = os.path.dirname(folder)
        if parent == folder:
            yield start
            return
        folder = parent


def _is_ignored(path: str, gitignores: Sequence[str]) -> bool:
    """Ask git when it is there; else read the .gitignore patterns ourselves."""
    git = shutil.which("git")
    if git is not None:
        try:
            done = subprocess.run(
                [git, "check-ignore", "-q", "--no-index", "--", path],
                cwd=os.path.dirname(path),
                capture_output=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is not None and done.returncode in (0, 1):
            return done.returncode == 0
    return _matches_gitignores(path, gitignores)


def _matches_gitignores(path: str, gitignores: Sequence[str]) -> bool:
    """A small .gitignore reader: plain globs, anchored paths and negations."""
    ignored = False
    for gitignore in reversed(gitignores):  # outermost first, nearest wins
        base = os.path.dirname(gitignore)
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        name = os.path.basename(path)
        try:
            with open(gitignore, encoding="utf-8", errors="replace") as handle:
                patterns = [ln.strip() for ln in handle]
        except OSError:
            continue
        for pattern in patterns:
            if not pattern or pattern.startswith("#") or pattern.endswith("/"):
                continue
            negate = pattern.startswith("!")
            pat = pattern[1:] if negate else pattern
            hit = fnmatch(rel, pat.lstrip("/")) if "/" in pat else fnmatch(name, pat)
            if hit:
                ignored = not negate
    return ignored
