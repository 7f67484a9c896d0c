"""The two sides of ``baseline diff``, read from the working tree or from git.

A side is one of:
  REF:PATH    that file or directory at a git ref (PATH relative to the current directory)
  ./PATH      a file or a directory in the working tree (a directory: every *.yml/*.yaml in
              it); so is an absolute path, and any PATH that is not also a git ref
  REF         the default directory (``--path``, default ``baselines``) at a git ref

**A ref and a path are never confused.** A pull request can add a directory named like the
base branch (``origin/main/``) or like ``REF:PATH``: a side that names both something in the
working tree and a git ref is refused (bad input) and the user writes the form they mean, so the
review can never read the pull request's files as the base. The review workflow writes both sides
in their unambiguous forms (``origin/main:baselines`` and ``./baselines``).

**A baseline is the file the review saw.** A file that is a symbolic link (in the working tree,
or mode 120000 at a ref), or that resolves outside the directory being compared, is refused
naming the file and why: its target could change outside the reviewed directory, where
CODEOWNERS and the review workflow do not look. Every file is read bounded (5 MiB), from git too.
"""

from __future__ import annotations

import posixpath
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import read_baseline
from iamgate.formats.files import SMALL_FILE, MiB

_LINK_MODE = "120000"  # git's mode for a symbolic link


@dataclass(frozen=True, slots=True)
class Side:
    label: str
    single: bool  # one file (key "") rather than a directory of files
    files: Mapping[str, tuple[str, str | None]]  # key -> (display name, text or None if absent)
    ref: str | None = None  # the git ref it was read at; None: the working tree


def _git(*args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed", "baseline diff") from None
    if proc.returncode != 0:
        msg = proc.stderr.strip().splitlines()
        raise InputError(f"git {' '.join(args)}: {msg[-1] if msg else 'failed'}", "baseline diff")
    return proc.stdout


def _is_ref(ref: str) -> bool:
    if not ref or ref.startswith("-"):
        return False
    try:
        _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except InputError:
        return False
    return True


def _is_baseline_name(name: str) -> bool:
    return name.endswith((".yml", ".yaml"))


def resolve(spec: str, default_dir: str, explicit_path: bool = False) -> Side:
    """The side ``spec`` names. ``explicit_path``: the user did not type it (the default head,
    the ``--path`` directory), so it is a path whatever refs exist."""
    path = Path(spec)
    on_disk = path.exists() or path.is_symlink()
    if explicit_path or spec.startswith(("./", "../", "/")):
        if not on_disk:
            raise InputError("no such file or directory in the working tree", spec)
        return _working_tree(spec, path)
    ref, _, sub = spec.partition(":")
    at_ref = _is_ref(ref)
    if on_disk and at_ref:
        example = f"{ref}:{sub or default_dir}"
        raise InputError(
            f"names both a path in the working tree and the git ref {ref!r}: write "
            f"{example!r} for the ref, or './{spec}' for the path",
            spec,
        )
    if on_disk:
        return _working_tree(spec, path)
    if not at_ref:
        raise InputError(
            f"{spec!r} is not a file, a directory, REF:PATH or a git ref", "baseline diff"
        )
    return _at_ref(ref, posixpath.normpath(sub or default_dir))


def _working_tree(spec: str, path: Path) -> Side:
    if path.is_file() or path.is_symlink():  # a link is refused by read_baseline
        return Side(spec, True, {"": (spec, read_baseline(path))})
    if not path.is_dir():
        raise InputError("is neither a file nor a directory", spec)
    root = path.resolve()
    files = {}
    for p in sorted(path.rglob("*")):
        if not _is_baseline_name(p.name):
            continue
        if not p.is_symlink() and not p.resolve().is_relative_to(
            root
        ):  # under a symlinked directory
            raise InputError(
                f"resolves to {p.resolve()}, outside {spec}: a baseline must be a file of the "
                "directory being reviewed (no symbolic link on the way)",
                str(p),
            )
        if p.is_file() or p.is_symlink():
            files[str(p.relative_to(path))] = (str(p), read_baseline(p))
    return Side(spec, False, files)


def _at_ref(ref: str, sub: str) -> Side:
    label = f"{ref}:{sub}"
    entries = _tree(ref, sub)
    if entries is None:  # not there at that ref: a baseline (or the directory) added since
        single = _is_baseline_name(sub)
        return Side(label, single, {"": (label, None)} if single else {}, ref)
    if len(entries) == 1 and entries[0][2] == sub.strip("/"):  # the path is one file
        mode, obj, name = entries[0]
        return Side(label, True, {"": (label, _blob(ref, mode, obj, name))}, ref)
    prefix = sub.strip("/") + "/"
    files = {}
    for mode, obj, name in entries:
        if _is_baseline_name(name):
            key = name[len(prefix) :] if name.startswith(prefix) else name
            files[key] = (f"{ref}:{name}", _blob(ref, mode, obj, name))
    return Side(label, False, files, ref)


def _tree(ref: str, sub: str) -> list[tuple[str, str, str]] | None:
    """(mode, object, path) of every file at or under ``sub`` at ``ref``; None if absent."""
    listing = _git("ls-tree", "-r", ref, "--", sub.strip("/") or ".")
    entries = []
    for line in listing.splitlines():
        meta, _, name = line.partition("\t")
        mode, kind, obj = meta.split()
        if kind == "blob":
            entries.append((mode, obj, name))
    return entries or None


def _blob(ref: str, mode: str, obj: str, name: str) -> str:
    where = f"{ref}:{name}"
    if mode == _LINK_MODE:
        target = _git("cat-file", "blob", obj).strip()
        raise InputError(
            f"is a symbolic link (to {target}) at {ref}: a baseline must be a regular file, so "
            "that the file reviewed is the file the gate reads",
            where,
        )
    size = int(_git("cat-file", "-s", obj).strip())
    if size > SMALL_FILE:
        raise InputError(f"baseline is larger than {SMALL_FILE // MiB} MiB", where)
    return _git("cat-file", "blob", obj)


def read_at_ref(ref: str, name: str) -> str | None:
    """A file (the configuration) at ``ref``, bounded; None when it is not there."""
    name = posixpath.normpath(name)
    entries = _tree(ref, name)
    if not entries or entries[0][2] != name:
        return None
    mode, obj, found = entries[0]
    return _blob(ref, mode, obj, found)
