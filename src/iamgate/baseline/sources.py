"""The two sides of ``baseline diff``, read from the working tree or from git.

A side is, in this order:
  PATH        a file or a directory in the working tree (a directory: every *.yml/*.yaml in it)
  REF:PATH    that file or directory at a git ref (PATH relative to the current directory)
  REF         the default directory (``--path``, default ``baselines``) at a git ref
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from iamgate.errors import InputError
from iamgate.formats.files import read_text


@dataclass(frozen=True, slots=True)
class Side:
    label: str
    single: bool  # one file (key "") rather than a directory of files
    files: Mapping[str, tuple[str, str | None]]  # key -> (display name, text or None if absent)


def _git(*args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed", "baseline diff") from None
    if proc.returncode != 0:
        msg = proc.stderr.strip().splitlines()
        raise InputError(f"git {' '.join(args)}: {msg[-1] if msg else 'failed'}", "baseline diff")
    return proc.stdout


def _is_baseline_name(name: str) -> bool:
    return name.endswith((".yml", ".yaml"))


def resolve(spec: str, default_dir: str) -> Side:
    path = Path(spec)
    if path.is_file():
        return Side(spec, True, {"": (spec, read_text(path, "baseline"))})
    if path.is_dir():
        files = {
            str(p.relative_to(path)): (str(p), read_text(p, "baseline"))
            for p in sorted(path.rglob("*"))
            if p.is_file() and _is_baseline_name(p.name)
        }
        return Side(spec, False, files)
    ref, _, sub = spec.partition(":")
    sub = sub or default_dir
    try:
        _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except InputError as exc:
        raise InputError(
            f"{spec!r} is not a file, a directory, REF:PATH or a git ref ({exc.message})",
            "baseline diff",
        ) from None
    label = f"{ref}:{sub}"
    kind = subprocess.run(
        ["git", "cat-file", "-t", f"{ref}:./{sub}"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if kind == "blob":
        return Side(label, True, {"": (label, _git("show", f"{ref}:./{sub}"))})
    if kind == "tree":
        names = _git("ls-tree", "-r", "--name-only", ref, "--", sub).splitlines()
        prefix = sub.rstrip("/") + "/"
        files = {}
        for name in names:
            if _is_baseline_name(name):
                key = name[len(prefix) :] if name.startswith(prefix) else name
                files[key] = (f"{ref}:{name}", _git("show", f"{ref}:./{name}"))
        return Side(label, False, files)
    # Not there at that ref: a baseline (or the directory) added by this change.
    single = _is_baseline_name(sub)
    return Side(label, single, {"": (label, None)} if single else {})
