"""Learning platforms' "download all submissions" exports: whose files are these.

A cohort is read with one of five layouts (``--layout``):

``folders``     each child of the folder is a submission (and a zip of zips or of
                folders is a "download all" export, split by ``submissions``);
``canvas``      Canvas "Download Submissions": one flat zip, each file named
                ``<lastfirst>[_LATE]_<user id>_<attachment id>_<file name>``; a file
                uploaded again gets ``-1``, ``-2``... before its extension;
``blackboard``  Blackboard "Assignment File Download": flat, each file named
                ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>``,
                and a receipt ``<assignment>_<username>_attempt_<date>.txt`` per
                attempt whose ``Name:`` line holds the student's name;
``moodle``      Moodle "Download all submissions": one folder per participant and
                plugin, ``<Full Name>_<participant id>_assignsubmission_file_``, or
                (without "download submissions in folders") flat files
                ``<Full Name>_<participant id>_assignsubmission_file_<file name>``;
``classroom``   GitHub Classroom (``gh classroom clone student-repos``): one git
                repository per student, ``<assignment>-<username>``.

``auto`` (the default) picks the platform whose naming every entry follows, and
reads anything else as ``folders``. It never guesses: when most entries follow a
platform's naming but some do not, or when two platforms fit, ``LayoutError``
says so in one line (pick one with ``--layout``); when a few entries of an
ordinary folder happen to look like a platform's, they are read as folders and
a note says so.

Each student's files become one ``Submission`` with ``parts`` (paths inside the
export folder or zip, and the name each is shown with) and the student's
``Identity`` as the platform wrote it. Nothing is read here but the listing and,
for Blackboard, the small receipts; symbolic links and other non-files are
never opened, and zip entries go through the caps of ``zips``.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from typing import NamedTuple

from flake8_secret_key.escape import printable
from flake8_secret_key.scan import JUNK_DIRS, read_file
from flake8_secret_key.submissions import (
    Submission,
    SubmissionError,
    export_members,
    list_submissions,
    safe_text,
    sort_submissions,
    unsafe_name,
)
from flake8_secret_key.zips import ZIP_ERRORS, Budget, check_entry, open_zip, read_entry

LAYOUTS = ("auto", "folders", "canvas", "blackboard", "moodle", "classroom")
PLATFORMS = {
    "canvas": "Canvas",
    "blackboard": "Blackboard",
    "moodle": "Moodle",
    "classroom": "GitHub Classroom",
}
#: Files a desktop leaves in a folder it showed: no student's, never a submission.
_JUNK = frozenset({"Thumbs.db", "desktop.ini"})
#: Largest Blackboard receipt read for the student's name.
MAX_RECEIPT = 64 * 1024

_CANVAS = re.compile(
    r"(?P<name>[^_/]+?)(?P<late>_LATE)?_(?P<uid>[0-9]+)_(?P<aid>[0-9]+)_(?P<file>[^/]+)\Z"
)
_RESUBMITTED = re.compile(r"-[0-9]+(?=\.[^.]*\Z|\Z)")
_BLACKBOARD = re.compile(
    r"(?P<assignment>.+)_(?P<user>[^_/]+)_attempt_"
    r"(?P<date>[0-9]{4}(?:-[0-9]{2}){5})(?:_(?P<file>[^/]+)|(?P<receipt>\.txt))\Z"
)
_MOODLE = re.compile(
    r"(?P<name>[^_/]+)_(?P<pid>[0-9]+)_(?P<plugin>assignsubmission_[a-z]+)_(?P<file>[^/]*)\Z"
)
_GITHUB_USER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\Z")
_RECEIPT_NAME = re.compile(r"^Name:[ \t]*(?P<name>.*?)(?:[ \t]*\((?P<user>[^()]*)\))?[ \t]*$")


class Identity(NamedTuple):
    """A student as the platform wrote them; "" where it wrote nothing."""

    name: str = ""  # "doejane" (Canvas), "Jane Doe" (Blackboard, Moodle)
    platform_id: str = ""  # Canvas user id, Moodle participant id
    username: str = ""  # Blackboard user name, GitHub username


class LayoutError(ValueError):
    """The layout cannot be decided or does not fit; ``str()`` is one line."""


class Cohort(NamedTuple):
    submissions: list[Submission]
    note: str | None = None  # what was detected, for the teacher (stderr)


class Entry(NamedTuple):
    """A top-level entry of an export (a folder's child, a zip's first path component)."""

    name: str
    folder: bool
    git: bool = False  # a folder holding ``.git``: a repository
    unsafe: bool = False  # a zip entry named with ``..`` or an absolute path: never read


# ------------------------------------------------------------------ listing


def list_cohort(root: str, layout: str = "auto") -> Cohort:
    """The submissions of the folder (or export zip) ``root`` under ``layout``.

    Raises ``LayoutError`` (one line) and ``OSError`` (a folder that cannot be listed).
    """
    if not os.path.isdir(root):
        whole = _zip_cohort(root, os.path.basename(root), layout, fallback=True)
        return whole or Cohort([])
    if layout == "folders":
        return Cohort(list_submissions(root, split_exports=False))
    entries = _folder_entries(root)
    zips = [e for e in entries if not e.folder and e.name.lower().endswith(".zip")]
    if len(entries) == 1 and zips:  # the platform's zip, as downloaded, alone in a folder
        only = os.path.join(root, zips[0].name)
        cohort = _zip_cohort(only, zips[0].name, layout, fallback=layout != "auto")
        if cohort is not None:
            return cohort
        return Cohort(list_submissions(root, split_exports=False))
    platform, note = _decide(entries, layout, printable(safe_text(root)), root)
    if platform is None:
        return Cohort(list_submissions(root, split_exports=False), note)
    subs = _build(platform, entries, root, True, os.path.basename(os.path.abspath(root)))
    return Cohort(sort_submissions(subs), note or _found(platform, subs))


def _folder_entries(root: str) -> list[Entry]:
    found = []
    with os.scandir(root) as listing:
        for entry in listing:
            if entry.name.startswith(".") or entry.name in JUNK_DIRS or entry.name in _JUNK:
                continue
            try:
                folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                folder = False
            git = folder and os.path.lexists(os.path.join(entry.path, ".git"))
            found.append(Entry(entry.name, folder, git))
    return sorted(found)


def _zip_cohort(path: str, shown: str, layout: str, fallback: bool = False) -> Cohort | None:
    """The cohort in the export zip at ``path``. When it is no platform's export:
    with ``fallback`` (SUBMISSIONS is the zip) its members as ``submissions`` splits
    an export; without (a zip that ``auto`` found alone in a folder), None."""
    where = printable(safe_text(shown))
    try:
        with open_zip(path, "") as zf:
            names = zf.namelist()
            entries = _zip_entries(names)
            if layout == "folders":
                return Cohort(export_members(path, safe_text(shown)))
            platform, note = _decide(entries, layout, where, None)
            if platform is None:
                if not fallback:
                    return None  # the caller reads the folder as today
                return Cohort(export_members(path, safe_text(shown)), note)
            receipts = _zip_receipts(zf, entries) if platform == "blackboard" else {}
    except (SubmissionError, OSError) as exc:
        if not fallback:
            return None  # marked as today: an error row says why
        why = str(exc) if isinstance(exc, SubmissionError) else exc.strerror or str(exc)
        raise LayoutError(
            f"{where}: not a folder, and not a zip that can be read ({why})"
        ) from None
    stem = shown[:-4] if shown.lower().endswith(".zip") else shown
    subs = _build(platform, entries, path, False, stem, receipts)
    return Cohort(sort_submissions(subs), note or _found(platform, subs))


def _zip_entries(names: list[str]) -> list[Entry]:
    """The top-level entries of a zip from its names. The first unsafe name (absolute,
    ``..``) is an entry of its own, marked ``unsafe``: under a platform's layout it is
    an error row (refused when read), and the students are still marked."""
    tops: dict[str, list[bool]] = {}  # head -> [is a folder, holds .git]
    unsafe: list[Entry] = []
    for name in names:
        norm = name.replace("\\", "/")
        head, sep, rest = norm.partition("/")
        if unsafe_name(norm) is not None or (not head and sep):
            unsafe = unsafe or [Entry(name, False, False, True)]
            continue
        if not head or head.startswith(".") or head in JUNK_DIRS or head in _JUNK:
            continue
        flags = tops.setdefault(head, [False, False])
        flags[0] = flags[0] or bool(sep)
        flags[1] = flags[1] or rest == ".git" or rest.startswith(".git/")
    return sorted(Entry(head, folder, git) for head, (folder, git) in tops.items()) + unsafe


# ------------------------------------------------------------------ deciding


def _decide(
    entries: list[Entry], layout: str, where: str, root: str | None
) -> tuple[str | None, str | None]:
    """(the platform, or None for folders; a note for the teacher, or None)."""
    entries = [e for e in entries if not e.unsafe]  # a student's, not the platform's
    if layout in PLATFORMS:
        if layout == "classroom":
            fits = _classroom_prefix(entries, root, True) is not None
        else:
            fits = any(_fits(layout, e) for e in entries)
        if not fits:
            raise LayoutError(
                f"--layout {layout}: no entry of {where} is named as {PLATFORMS[layout]} "
                f"names a student's files ({_SHAPES[layout]}): try --layout auto"
            )
        return layout, None
    if not entries:
        return None, None
    flat = ("canvas", "blackboard", "moodle")
    counts = {p: sum(1 for e in entries if _fits(p, e)) for p in flat}
    if _classroom_prefix(entries, root, False) is not None:
        counts["classroom"] = len(entries)
    full = [p for p, n in counts.items() if n == len(entries) and n >= 2]
    if len(full) > 1:
        names = " and ".join(PLATFORMS[p] for p in full)
        raise LayoutError(
            f"ambiguous layout: the names in {where} fit {names} alike: "
            f"pass --layout {' or --layout '.join(full)}"
        )
    if full:
        return full[0], None
    best, matched = max(counts.items(), key=lambda item: item[1])
    if not matched:
        return None, None
    odd = next((e.name for e in entries if not _fits(best, e)), "")
    if matched * 2 > len(entries) and odd:
        raise LayoutError(
            f"ambiguous layout: {matched} of the {len(entries)} entries of {where} are named "
            f"as {PLATFORMS[best]} names a student's files, the others not (e.g. "
            f"{printable(safe_text(odd))!r}): pass --layout {best} (the others become "
            "submissions of their own) or --layout folders"
        )
    noun = "entry is" if matched == 1 else "entries are"
    some = "its one entry is" if not odd else f"{matched} {noun}"
    return None, (
        f"note: {some} named as in a {PLATFORMS[best]} export{', the others not' * bool(odd)}"
        f": read as a folder of submissions (--layout {best} reads it as {PLATFORMS[best]}'s)"
    )


_SHAPES = {
    "canvas": "lastfirst_userid_fileid_name",
    "blackboard": "assignment_username_attempt_date_name",
    "moodle": "Full Name_id_assignsubmission_file_",
    "classroom": "assignment-username, each a git repository",
}


def _fits(platform: str, entry: Entry) -> bool:
    if platform == "canvas":
        return not entry.folder and _CANVAS.match(entry.name) is not None
    if platform == "blackboard":
        return not entry.folder and _BLACKBOARD.match(entry.name) is not None
    if platform == "moodle":
        match = _MOODLE.match(entry.name)
        return match is not None and entry.folder == (match["file"] == "")
    return False  # classroom: decided on the whole listing


def _classroom_prefix(entries: list[Entry], root: str | None, explicit: bool) -> str | None:
    """The assignment prefix (``"flask-app-"``) shared by every entry, each a git
    repository (any folder, when ``explicit``), or None."""
    repos = [e.name for e in entries if e.folder and (e.git or explicit)]
    if not repos or (not explicit and (len(repos) != len(entries) or len(repos) < 2)):
        return None
    base = os.path.basename(os.path.abspath(root)) if root else ""
    if base.endswith("-submissions"):  # gh classroom clone: <assignment>-submissions/
        prefix = base[: -len("submissions")]
    elif len(repos) >= 2:
        first, last = min(repos), max(repos)  # the prefix they all share is theirs
        size = 0
        while size < min(len(first), len(last)) and first[size] == last[size]:
            size += 1
        common = first[:size]
        prefix = common[: common.rfind("-") + 1]
    else:
        prefix = repos[0][: repos[0].rfind("-") + 1]
    fits = [r for r in repos if r.startswith(prefix) and _GITHUB_USER.match(r[len(prefix) :])]
    if not prefix or (len(fits) != len(repos) and not explicit) or not fits:
        return None
    return prefix


def _found(platform: str, subs: list[Submission]) -> str:
    students = sum(1 for s in subs if s.identity is not None)
    noun = "student" if students == 1 else "students"
    return (
        f"read as a {PLATFORMS[platform]} export ({students} {noun}); "
        "--layout folders reads each entry as a submission"
    )


# ------------------------------------------------------------------ grouping

_Part = tuple[str, str]


def _build(
    platform: str,
    entries: list[Entry],
    root: str,
    on_disk: bool,
    stem: str,
    receipts: dict[str, str] | None = None,
) -> list[Submission]:
    """One submission per student, and one per entry that fits no student."""
    groups: dict[str, tuple[Identity, list[_Part]]] = {}
    strays: list[Entry] = []
    prefix = ""
    if platform == "classroom":
        prefix = _classroom_prefix(entries, root if on_disk else stem, True) or ""
    for entry in entries:
        found = _student(platform, entry, prefix)
        if found is None:
            strays.append(entry)
            continue
        key, identity, part = found
        groups.setdefault(key, (identity, []))[1].append(part)
    if platform == "blackboard":
        groups = _latest_attempts(groups, root, on_disk, receipts)
    subs = []
    for key, (identity, parts) in groups.items():
        if platform == "canvas":
            parts = _unsuffixed(parts)
        if platform == "classroom" and on_disk:
            subs.append(Submission(safe_text(key), os.path.join(root, key), None, True,
                                   identity=identity))  # fmt: skip
            continue
        # as the platform names the student: "doejane_1001", "Jane Doe_501", "jdoe"
        shown = f"{identity.name}_{key}" if identity.platform_id else safe_text(key)
        subs.append(Submission(shown, root, None, on_disk, _in_order(parts), identity))
    subs.extend(_stray(entry, root, on_disk) for entry in strays)
    return subs


def _student(platform: str, entry: Entry, prefix: str) -> tuple[str, Identity, _Part] | None:
    """(the student's key: the platform's id, or the username; their identity; the
    part) for one entry, or None."""
    name = entry.name
    if entry.unsafe:
        return None
    if platform == "canvas" and not entry.folder and (m := _CANVAS.match(name)):
        ident = Identity(safe_text(m["name"]), m["uid"])
        return m["uid"], ident, (name, safe_text(m["file"]))
    if platform == "blackboard" and not entry.folder and (m := _BLACKBOARD.match(name)):
        user = m["user"]
        # the attempt's date rides in the part until the latest attempt is picked
        part = (name, "" if m["receipt"] else safe_text(m["file"]))
        return user, Identity("", "", safe_text(user)), part
    if platform == "moodle" and (m := _MOODLE.match(name)):
        if entry.folder != (m["file"] == ""):
            return None
        ident = Identity(safe_text(m["name"]), m["pid"])
        part = (name + "/", "") if entry.folder else (name, safe_text(m["file"]))
        return m["pid"], ident, part
    if platform == "classroom" and entry.folder and prefix and name.startswith(prefix):
        user = name[len(prefix) :]
        if _GITHUB_USER.match(user):
            return name, Identity("", "", safe_text(user)), (name + "/", "")
    return None


def _in_order(parts: list[_Part]) -> tuple[_Part, ...]:
    """By the name shown, as a folder's files are read."""
    return tuple(sorted(parts, key=lambda part: (part[1], part[0])))


def _stray(entry: Entry, root: str, on_disk: bool) -> Submission:
    """An entry that is no student's, under an explicit layout: a submission of its own
    (a file is read as a part: never through a link, never a FIFO)."""
    name = safe_text(entry.name)
    if on_disk and entry.folder:
        return Submission(name, os.path.join(root, entry.name), None, True)
    part = (entry.name + "/", "") if entry.folder else (entry.name, name)
    return Submission(name, root, None, on_disk, (part,))


def _unsuffixed(parts: list[_Part]) -> list[_Part]:
    """Canvas's resubmission suffix off the names shown (``app-1.py`` -> ``app.py``),
    unless the student has a file of that name too."""
    used = {s for _, s in parts}
    out = []
    for path, name in sorted(parts):
        plain = _RESUBMITTED.sub("", name, count=1)
        if plain and plain not in used:  # app-1.py and app-2.py: only one is app.py
            used.add(plain)
            name = plain
        out.append((path, name))
    return out


def _latest_attempts(
    groups: dict[str, tuple[Identity, list[_Part]]],
    root: str,
    on_disk: bool,
    receipts: dict[str, str] | None,
) -> dict[str, tuple[Identity, list[_Part]]]:
    """Each Blackboard student's latest attempt (the one Blackboard grades by default),
    named from its receipt."""
    out = {}
    for key, (identity, parts) in groups.items():
        dated = [(m["date"], path, shown) for path, shown in parts
                 if (m := _BLACKBOARD.match(path)) is not None]  # fmt: skip
        latest = max(date for date, _, _ in dated)
        files = [(path, shown) for date, path, shown in dated if date == latest and shown]
        receipt = next((p for d, p, s in dated if d == latest and not s), None)
        if not files:  # an attempt of text only: its receipt, which holds no Python
            files = [(path, path) for date, path, _ in dated if date == latest][:1]
        name = ""
        if receipt is not None:
            text = (receipts or {}).get(receipt) if not on_disk else _disk_receipt(root, receipt)
            name = _receipt_name(text or "")
        out[key] = (identity._replace(name=name), files)
    return out


# ------------------------------------------------------------------ receipts


def _receipt_name(text: str) -> str:
    """The student's name on a Blackboard receipt's ``Name: Jane Doe (jdoe)`` line."""
    for line in text.splitlines():
        match = _RECEIPT_NAME.match(line)
        if match:
            return safe_text(match["name"].strip())
    return ""


def _disk_receipt(root: str, rel: str) -> str | None:
    full = os.path.join(root, rel)
    try:
        if not stat.S_ISREG(os.lstat(full).st_mode):  # never a link, never a FIFO
            return None
        data = read_file(full, MAX_RECEIPT)
    except OSError:
        return None
    return None if len(data) > MAX_RECEIPT else data.decode("utf-8", "replace")


def _zip_receipts(zf: zipfile.ZipFile, entries: list[Entry]) -> dict[str, str]:
    """The Blackboard receipts of an export zip, within the caps of ``zips``."""
    budget = Budget()
    out = {}
    for entry in entries:
        match = _BLACKBOARD.match(entry.name)
        if entry.folder or match is None or not match["receipt"]:
            continue
        try:
            info = zf.getinfo(entry.name)
            check_entry(info, info.filename)
            if info.file_size > MAX_RECEIPT:
                continue
            out[entry.name] = read_entry(zf, info, budget, "").decode("utf-8", "replace")
        except (KeyError, SubmissionError, *ZIP_ERRORS):
            continue  # no name then; the files are still marked
    return out
