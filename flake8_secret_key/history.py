"""``--history``: the secret keys a repository's past commits hold, with git itself.

A key removed from the code in the last commit is in every earlier one: anyone
with a clone has it. This module lists every distinct hardcoded or published key
(SKY100, SKY101, SKY102's default, SKY110) in any commit reachable from HEAD (or
from every ref, ``all_refs``), each once, with the first commit that added it, its
path and line there, and whether HEAD still holds it.

Two git commands (three with loaded files), whatever the size of the history
(``gitcmd`` runs them without anything that could start a program):

1. ``git log --raw -z --no-renames -c --reverse --topo-order``: for each commit,
   oldest first, the blobs it adds or changes (``-c``: a merge shows only what
   differs from every parent, i.e. its own conflict resolutions). Only paths that
   could hold a key are kept (Python files, ``config_files.config_kind``), outside
   virtual environments and tool folders, and test code unless asked for; each
   distinct blob is kept once, with the first commit that brought it.
2. ``git cat-file --batch``: those blobs' raw bytes (no filter, no textconv), read
   as a stream, in commit order, so the first blob that holds a key names its first
   commit. A blob that spells no setting name (the engine's prefilter, a substring
   search) is dropped. A version whose new lines (against the file's previous
   version) neither spell a name nor bind a name the spelling lines reach (use, or
   use through other bindings: ``A = "x"; B = A; SECRET_KEY = B``) holds no key its
   previous version did not (``may_add_key``): it is not parsed again.
   A version that does not parse (Python 2) is read line by line, each line that
   spells a name alone. The blobs of HEAD's tree (``git ls-tree``) are always read:
   they say what is still there.
3. A file that a module loads under a name that is not a config name
   (``from_pyfile("settings.conf")``: ``engine.loads``), named by HEAD's modules or by
   any version read in 2, is read in every version by one more ``cat-file --batch``,
   its blobs taken from the same ``log --raw`` listing.

Measured against dulwich and pygit2 for this: both need a library in every
install (pygit2 a compiled one) and walk trees commit by commit in Python or C
calls, while ``log --raw`` hands over every changed blob of the whole history in
one stream; git is on every machine that has a repository. On pallets/flask (5,500
commits) ``check --history`` takes about 1.7x the time of ``git log -p HEAD``
(``benchmarks/history.py``).

Not a git work tree, or a zip: "no history", never a failure. A shallow clone
says so: the commits it lacks are not read.
"""

from __future__ import annotations

import ast
import os
import re
from typing import TYPE_CHECKING, NamedTuple

from flake8_secret_key.config_files import MAX_CONFIG, analyze_config, config_kind
from flake8_secret_key.engine import (
    Observation,
    SourceError,
    Span,
    env_name,
    may_hold_setting_bytes,
    observe_text,
)
from flake8_secret_key.engine.loads import Load, candidates, may_load_bytes
from flake8_secret_key.engine.model import trigger_words
from flake8_secret_key.escape import printable
from flake8_secret_key.gitcmd import read_blobs, read_revisions, run
from flake8_secret_key.rules import code_for
from flake8_secret_key.scan import PACKAGE_DIRS, PY_SUFFIXES, SKIP_DIRS, analyze_spelled
from flake8_secret_key.source import decode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from flake8_secret_key.options import Config

#: The codes whose value is a key written somewhere: what the history is searched for.
HISTORY_CODES = frozenset({"SKY100", "SKY101", "SKY102", "SKY110"})
#: Largest blob analysed (as ``zips.MAX_FILE``): larger ones are data.
MAX_BLOB = 20 * 1024 * 1024
_NO_BLOB = "0" * 40
_COMMIT = b"\x01"


class Commit(NamedTuple):
    sha: str
    time: int  # committer time, seconds since the epoch


class HistoryKey(NamedTuple):
    """One distinct key found in the history, where it first appeared."""

    path: str  # "/"-separated, relative to the folder asked about
    commit: Commit
    in_head: bool
    observation: Observation  # positions in that blob; never the value


class History(NamedTuple):
    """What the history of one folder holds."""

    keys: list[HistoryKey]
    commits: int  # commits read
    note: str | None = None  # "no history: ...", "shallow clone: ..."


def no_history(why: str) -> History:
    return History([], 0, f"no history: {why}")


def read_history(folder: str, config: Config, all_refs: bool = False, only: str = ".") -> History:
    """Every distinct key in the history of the repository ``folder`` is in, limited
    to the files under ``folder`` (or to the path ``only`` there); never raises."""
    try:
        return _read_history(folder, config, all_refs, only)
    except OSError as exc:
        return no_history(f"git failed: {exc.strerror or exc}")
    except (RecursionError, MemoryError):
        return no_history("too big to read in memory")


def _read_history(folder: str, config: Config, all_refs: bool, only: str) -> History:
    probe = run(folder, "rev-parse", "--is-shallow-repository", "--is-inside-work-tree")
    if probe is None:
        return no_history("git is not installed")
    if probe.returncode != 0 or probe.stdout.split()[-1:] != [b"true"]:
        return no_history("not a git repository")
    shallow = probe.stdout.split()[0] == b"true"
    refs = ("--all",) if all_refs else ("HEAD",)
    log = run(
        folder,
        "log", *refs, "--raw", "-z", "--no-abbrev", "--no-renames", "-c", "--reverse",
        "--topo-order", "--no-ext-diff", "--no-textconv", "--relative",
        "--format=%x01%H %ct", "--", only,
    )  # fmt: skip
    if log is None or log.returncode != 0:
        return no_history("no commits yet")
    listing = candidate_blobs(log.stdout, config)
    head = _head_blobs(folder, config) if listing.commits else set()
    found = _Found(head)
    loads = _keys(folder, listing.blobs, found, config)
    if loads:
        _loaded_keys(folder, listing.others, loads, found, config)
    keys, commits = found.keys(), listing.commits
    note = None
    if shallow:
        note = "shallow clone: the commits before its first one were not read"
    return History(keys, commits, note)


class Listing(NamedTuple):
    """What ``git log --raw`` lists: each distinct blob of a path that could hold a key
    -> (path, first commit), in commit order; the number of commits; and for every
    other path, its ``--raw`` lines (a file a module loads is read from these)."""

    blobs: dict[str, tuple[str, Commit]]
    commits: int
    others: dict[bytes, list[tuple[bytes, Commit]]]


def candidate_blobs(output: bytes, config: Config) -> Listing:
    """The ``Listing`` of ``git log --raw -z -c`` output."""
    blobs: dict[str, tuple[str, Commit]] = {}
    others: dict[bytes, list[tuple[bytes, Commit]]] = {}
    wanted: dict[bytes, str | None] = {}  # a path's name, if it could hold a key
    commit = Commit("", 0)
    commits = 0
    tokens = output.split(b"\0")
    at = 0
    while at < len(tokens):
        token = tokens[at].lstrip(b"\n")
        at += 1
        if token.startswith(_COMMIT):
            sha, _, time = token[1:].decode("ascii", "replace").partition(" ")
            commit = Commit(sha, int(time) if time.isdigit() else 0)
            commits += 1
        elif token.startswith(b":"):
            raw = tokens[at] if at < len(tokens) else b""
            at += 1
            if raw not in wanted:  # most paths change in many commits: judged once
                name = os.fsdecode(raw)
                wanted[raw] = name if wanted_path(name, config) else None
            path = wanted[raw]
            if path is None:
                others.setdefault(raw, []).append((token, commit))
                continue
            blob = _new_blob(token.decode("ascii", "replace"))
            if blob is not None and blob not in blobs:
                blobs[blob] = (path, commit)
    return Listing(blobs, commits, others)


def _new_blob(meta: str) -> str | None:
    """The blob a ``--raw`` line leaves (None: deleted, a link, a submodule)."""
    parents = len(meta) - len(meta.lstrip(":"))
    fields = meta[parents:].split(" ")
    if len(fields) < 2 * parents + 2:
        return None
    mode, blob = fields[parents], fields[2 * parents + 1]
    if blob == _NO_BLOB or not mode.startswith("100"):
        return None
    return blob


def wanted_path(path: str, config: Config) -> bool:
    """A path whose content could hold a key: a Python or config file, outside venvs,
    tool folders and (unless asked) test code."""
    base = path.rpartition("/")[2]
    if not base.endswith(PY_SUFFIXES) and config_kind(base) is None:
        return False
    return wanted_folder(path, config)


def wanted_folder(path: str, config: Config) -> bool:
    """A path outside venvs, tool folders and (unless asked) test code."""
    folders = path.rpartition("/")[0]
    if folders and any(
        d in SKIP_DIRS or d in PACKAGE_DIRS or d in _VENV_NAMES for d in folders.split("/")
    ):
        return False
    return config.wants(path)


#: Folders a history cannot tell are virtual environments (no listing to find
#: ``pyvenv.cfg`` in), by the names students give them.
_VENV_NAMES = frozenset({"venv", ".venv", "env", ".env", "virtualenv", "myenv"})


def _head_blobs(folder: str, config: Config) -> set[str]:
    """The blobs of HEAD's tree under ``folder`` (what is still there)."""
    done = run(folder, "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", ".")
    if done is None or done.returncode != 0:
        return set()
    blobs = set()
    for entry in done.stdout.split(b"\0"):
        meta, _, _ = entry.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) == 3 and fields[1] == b"blob":
            blobs.add(fields[2].decode("ascii"))
    return blobs


class _Found:
    """Each distinct key once: the first blob (in commit order) that holds it, and
    whether a blob of HEAD (``head``) holds it too."""

    def __init__(self, head: set[str]) -> None:
        self.head = head
        self.first: dict[tuple[str, str], HistoryKey] = {}
        self.in_head: set[tuple[str, str]] = set()

    def add(self, blob: str, path: str, commit: Commit, found: list[Identified]) -> None:
        for obs, identity in found:
            if identity not in self.first:
                self.first[identity] = HistoryKey(path, commit, False, obs)
            if blob in self.head:
                self.in_head.add(identity)

    def keys(self) -> list[HistoryKey]:
        return [k._replace(in_head=ident in self.in_head) for ident, k in self.first.items()]


def _keys(
    folder: str, blobs: dict[str, tuple[str, Commit]], found: _Found, config: Config
) -> set[tuple[str, Load]]:
    """The keys of the Python and config files' blobs, into ``found``; and the files
    that the versions read load (``engine.loads``; HEAD's are read for them alone)."""
    words = tuple(word.encode() for word in trigger_words(config.engine.names))
    previous: dict[str, set[bytes]] = {}  # path -> the lines of its last version read whole
    broken: dict[str, set[bytes]] = {}  # path -> the lines of its last version, if it failed
    lines_seen: dict[str, list[Observation]] = {}  # for versions that do not parse
    loads: set[tuple[str, Load]] = set()
    for blob, data in read_blobs(folder, list(blobs)):
        path, commit = blobs[blob]
        if len(data) > MAX_BLOB or not may_hold_setting_bytes(data, config.engine):
            python = path.endswith(PY_SUFFIXES) and len(data) <= MAX_BLOB
            if blob in found.head and python and may_load_bytes(data):
                loads.update((path, load) for load in analyze_spelled(data, path, config).loads)
            continue
        lines = set(data.splitlines())
        if blob not in found.head and not _worth_reading(
            path, data, lines, previous, broken, words
        ):
            continue
        keys, whole, loaded = _blob_keys(data, path, config, lines_seen)
        loads.update((path, load) for load in loaded)
        if whole:
            previous[path] = lines
            broken.pop(path, None)
        else:  # a version that does not parse is no base to compare with
            broken[path] = lines
        found.add(blob, path, commit, keys)
    return loads


def _loaded_keys(
    folder: str,
    others: dict[bytes, list[tuple[bytes, Commit]]],
    loads: set[tuple[str, Load]],
    found: _Found,
    config: Config,
) -> None:
    """The keys of every version of the files that modules load under a name that is
    not a config name (``settings.conf``), where Flask looks for them, into ``found``."""
    blobs: dict[str, tuple[str, Commit, str]] = {}
    for module, load in sorted(loads):
        for path in candidates(module, load.name):
            lines = others.get(os.fsencode(path))
            if lines is None:
                continue  # never in the history: the next place Flask looks
            if not path.endswith(PY_SUFFIXES) and wanted_folder(path, config):
                for meta, commit in lines:
                    blob = _new_blob(meta.decode("ascii", "replace"))
                    if blob is not None and blob not in blobs:
                        blobs[blob] = (path, commit, load.format)
            break
    for blob, data in read_blobs(folder, list(blobs)):
        path, commit, kind = blobs[blob]
        if len(data) <= MAX_CONFIG and may_hold_setting_bytes(data, config.engine):
            observations, _ = analyze_config(data, path, config.engine, kind)
            found.add(blob, path, commit, _identified(data, observations))


def _worth_reading(
    path: str,
    data: bytes,
    lines: set[bytes],
    previous: dict[str, set[bytes]],
    broken: dict[str, set[bytes]],
    words: tuple[bytes, ...],
) -> bool:
    """Whether a version of ``path`` can hold a key that its earlier versions did not.

    After a version that parsed: ``may_add_key``. After one that did not (Python 2:
    its lines were read one by one), a version that adds no line spelling a name
    gives nothing new line by line; it is read again only if it may parse now (its
    Python 2 statements are gone), since a whole parse finds more.
    """
    prior = broken.get(path)
    if prior is not None:
        if may_add_key(prior, data, lines, words) or not _PYTHON2.search(data):
            return True
        broken[path] = lines
        return False
    prior = previous.get(path)
    if prior is None or may_add_key(prior, data, lines, words):
        return True
    previous[path] = lines
    return False


#: A statement that only Python 2 parses: ``print x``, ``except E, e:``, ``exec code``.
_PYTHON2 = re.compile(
    rb"(?m)^[ \t]*(?:print[ \t]+[\"'\w]|except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:|"
    rb"raise[ \t]+\w+[ \t]*,)"
)


#: A line that binds a name to something holding a quote: ``KEY = "x"``, ``KEY: str = f(...)``.
_BINDS = re.compile(rb"\s*([A-Za-z_][\w.]*)\s*(?::[^=]*)?=[^=].*['\"]")
#: Any line that binds a name, and what to: ``B = A``, ``self.b: str = a``.
_BINDING = re.compile(rb"[ \t]*([A-Za-z_][\w.]*)[ \t]*(?::[^=\n]*)?=(?!=)(.*)")
_NAME = re.compile(rb"[A-Za-z_]\w*")
_WORD = re.compile(rb"\w")


def may_add_key(
    prior: set[bytes], data: bytes, lines: set[bytes], words: tuple[bytes, ...]
) -> bool:
    """Whether a new version of a file (``data``, its ``lines``) can hold a key its
    previous one (whose lines are ``prior``) did not, so that only those versions are
    parsed: a flask/app.py changed in 500 commits spells ``secret_key`` in each, but
    few of its changes touch it.

    A key is written on a line that spells a setting name, or bound to a name that
    such a line reaches: one it uses (``KEY = "x"`` ... ``app.secret_key = KEY``), a
    name bound to one of those (``A = "x"; B = A; SECRET_KEY = B``), and so on. So a
    version is parsed when one of its new lines (not in the previous version) spells a
    name, or binds a name its spelling lines reach to something holding a quote. Not
    followed: a new quoteless ``B = A`` that points at an older literal (reading those
    too parses 148 versions of Flask's history instead of 136, for no new key), a
    binding written over several lines, a name imported from another file.
    """
    added = lines - prior
    joined = b"\n".join(added)
    if any(word in joined for word in words):
        return True
    bound = {m[1].rsplit(b".", 1)[-1] for line in added if (m := _BINDS.match(line))}
    return bool(bound) and _reaches(data, words, bound)


def _reaches(data: bytes, words: tuple[bytes, ...], bound: set[bytes]) -> bool:
    """Whether a name of ``bound`` reaches a line of ``data`` that spells a setting name:
    is used there, or in a binding (``B = A``) of a name that does. Only its uses are read."""
    spelling = _spelling_names(data, words)
    todo, done = set(bound), set[bytes]()
    while todo:
        name = todo.pop()
        if name in spelling:
            return True
        done.add(name)
        at = data.find(name)
        while at != -1:
            end = at + len(name)
            if not (_WORD.match(data, end) or (at and _WORD.match(data, at - 1))):
                match = _BINDING.match(data, data.rfind(b"\n", 0, at) + 1)
                if match is not None and at >= match.start(2):  # B = ...A...
                    todo.add(match[1].rsplit(b".", 1)[-1])
            at = data.find(name, end)
        todo -= done
    return False


def _spelling_names(data: bytes, words: tuple[bytes, ...]) -> set[bytes]:
    """The identifiers on the lines of ``data`` that spell a setting name."""
    names: set[bytes] = set()
    for word in words:
        at = data.find(word)
        while at != -1:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end == -1 else end
            names.update(_NAME.findall(data, start, end))
            at = data.find(word, end)
    return names


#: A key, and its identity: (variable, value), so that ``app.secret_key = "k"`` and
#: ``SECRET_KEY=k`` in ``.env`` are one key.
Identified = tuple[Observation, tuple[str, str]]


def _blob_keys(
    data: bytes, path: str, config: Config, seen: dict[str, list[Observation]]
) -> tuple[list[Identified], bool, tuple[Load, ...]]:
    """The keys of one blob; whether the whole blob was analysed (False: only its
    lines, one by one); and the files it loads."""
    whole = True
    loads: tuple[Load, ...] = ()
    if path.endswith(PY_SUFFIXES):
        result = analyze_spelled(data, path, config)
        observations, loads = result.observations, result.loads
        if result.error is not None:
            observations, whole = _line_by_line(data, config, seen), False
    else:
        observations = analyze_config(data, path, config.engine)[0]
    return _identified(data, observations), whole, loads


def _identified(data: bytes, observations: list[Observation]) -> list[Identified]:
    """The keys among ``observations`` of a blob, each with its identity."""
    if not observations:
        return []
    lines = data.decode("utf-8", "replace").splitlines()
    return [
        (obs, (env_name(obs.name), _written(lines, obs)))
        for obs in observations
        if code_for(obs) in HISTORY_CODES and not obs.drawn  # drawn: in no commit
    ]


def _line_by_line(
    data: bytes, config: Config, seen: dict[str, list[Observation]]
) -> list[Observation]:
    """A version that does not parse (Python 2, a merge conflict): each line that
    spells a setting name, parsed alone (``SECRET_KEY = 'dev'`` is a statement in
    any Python). ``seen``: what each such line gave, in this history (versions of a
    file share most of their lines)."""
    try:
        text = decode(data).text
    except SourceError:
        return []
    found: list[Observation] = []
    for start in _spelling_starts(text, trigger_words(config.engine.names)):
        end = text.find("\n", start)
        line = text[start : len(text) if end == -1 else end].rstrip("\r")
        statement = line.lstrip()
        observations = seen.get(statement)
        if observations is None:
            try:
                observations = observe_text(statement, config.engine)
            except SourceError:
                observations = []
            seen[statement] = observations
        number = text.count("\n", 0, start)
        found.extend(_moved(obs, number, len(line) - len(statement)) for obs in observations)
    return found


def _spelling_starts(text: str, words: tuple[str, ...]) -> list[int]:
    """Where each line that spells one of ``words`` starts, in order."""
    starts = set()
    for word in words:
        at = text.find(word)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            starts.add(start)
            end = text.find("\n", at)
            at = -1 if end == -1 else text.find(word, end)
    return sorted(starts)


def _moved(obs: Observation, lines: int, cols: int) -> Observation:
    """``obs`` of a one-line statement, placed where that line is in its file."""
    value = obs.value
    return obs._replace(
        line=obs.line + lines,
        col=obs.col + cols,
        end_line=obs.end_line + lines,
        end_col=obs.end_col + cols,
        value=Span(
            value.line + lines, value.col + cols, value.end_line + lines, value.end_col + cols
        ),
    )


def _written(lines: list[str], obs: Observation) -> str:
    """The value, which tells one key from another: a literal's value (so that
    ``"k"`` in ``app.py`` and ``k`` in ``.env`` are one key), else its text."""
    span = obs.value
    if not 0 < span.line <= len(lines):
        return ""
    if span.line == span.end_line:
        text = lines[span.line - 1][span.col : span.end_col]
    else:
        last = min(span.end_line, len(lines))
        parts = [lines[span.line - 1][span.col :], *lines[span.line : last - 1]]
        text = "\n".join([*parts, lines[last - 1][: span.end_col]])
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text.strip()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else text.strip()


# ------------------------------------------------------------------ fix


#: Where to read about taking a key out of a repository's history, and why it is not enough.
REMOVING_SENSITIVE_DATA = (
    "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/"
    "removing-sensitive-data-from-a-repository"
)


def committed_old_keys(files: Sequence[tuple[str, Sequence[str | None]]]) -> list[str]:
    """Of the files ``fix`` took keys out of (each with the old values, None when
    unknown), those whose committed version (HEAD) still holds one: the key is in
    the git history. One ``git cat-file --batch`` per folder; nothing outside git."""
    by_folder: dict[str, list[tuple[str, Sequence[str | None]]]] = {}
    for path, values in files:
        folder = os.path.dirname(os.path.abspath(path))
        by_folder.setdefault(folder, []).append((path, values))
    found = []
    for folder, group in by_folder.items():
        names = [f"HEAD:./{os.path.basename(path)}" for path, _ in group]
        contents = dict(read_revisions(folder, names))
        for (path, values), name in zip(group, names, strict=True):
            data = contents.get(name)
            if data is None:
                continue
            text = data.decode("utf-8", "replace")
            if any(v is None or v in text for v in values):
                found.append(path)
    return found


def fix_note(paths: Sequence[str]) -> list[str]:
    """What ``fix`` says when the keys it removed are in the history."""
    if not paths:
        return []
    shown = ", ".join(printable(p) for p in paths[:5]) + (", ..." if len(paths) > 5 else "")
    return [
        "",
        f"The old keys are in the git history ({shown} committed them): treat them as "
        "compromised and give the app a new one; taking the old one out of the history "
        "does not unpublish it (clones, forks, caches keep it). See "
        f"{REMOVING_SENSITIVE_DATA}",
    ]
