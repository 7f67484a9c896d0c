"""Files in and out: the one bounded reader every input goes through, and atomic writes.

Every input file (baseline, config, accounts list, snapshot, results, Access Analyzer export)
is read by :func:`read_text`, so each failure says the same thing the same way, names the file,
and is bad input (exit 2), never an internal error. Reports are written atomically (temp file +
rename), so a killed run never leaves a half-written ``junit.xml`` that a CI renderer would read
as a pass.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iamgate.errors import InputError

MiB = 1024 * 1024
# Files people write and review: a larger one is a mistake (or an attack), not a baseline.
SMALL_FILE = 5 * MiB
# Files iamgate writes (snapshots, results): an organization's can be large.
LARGE_FILE = 2048 * MiB


def read_text(path: Path, what: str = "file", max_bytes: int = SMALL_FILE) -> str:
    """A UTF-8 input file; every failure is bad input naming the file."""
    try:
        if path.stat().st_size > max_bytes:
            raise InputError(f"{what} is larger than {max_bytes // MiB} MiB", str(path))
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", str(path)) from None


def read_json(path: Path, what: str = "file", max_bytes: int = LARGE_FILE) -> Any:
    """A JSON input file, parsed; a syntax error names the line. A string holding a lone
    surrogate (the escape ``"\\ud800"``, valid JSON but not text) is refused too: it could not
    be printed or written out later."""
    text = read_text(path, what, max_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", str(path), exc.lineno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", str(path)) from None
    if _SURROGATE_ESCAPE.search(text):  # rare: only then is every string looked at
        where = _lone_surrogate(data, "")
        if where is not None:
            raise InputError(
                f"invalid JSON: {where or 'the document'} holds a lone surrogate (a \\uD800-"
                "\\uDFFF escape that is not half of a pair): not text",
                str(path),
            )
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any, where: str) -> str | None:
    """The path of the first string (or key) that cannot be encoded as UTF-8."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return at
        elif isinstance(item, dict):
            for key, sub in item.items():
                stack.append((key, f"{at} (a key)"))
                stack.append((sub, f"{at}.{key}" if key.isascii() else f"{at}[key]"))
        elif isinstance(item, list):
            stack.extend((sub, f"{at}[{i}]") for i, sub in enumerate(item))
    return None


def _stage(path: Path, text: str) -> Path:
    """Write ``text`` to a temp file beside ``path`` (same filesystem, so rename is atomic)."""
    if path.is_dir():
        raise InputError("is a directory, not a file", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write: {exc.strerror}", str(path)) from None
        raise
    return Path(tmp)


def write_atomic(path: Path, text: str) -> None:
    write_all_atomic({path: text})


def write_all_atomic(files: Mapping[Path, str]) -> None:
    """Write a set of files so that no reader sees a half-written one.

    What is guaranteed: every file is fully written and synced to a temp file beside its target
    before the first rename; a target that cannot be staged (a directory, no permission, a full
    disk) leaves every target as it was, and no temp file behind. Each rename is atomic, so a
    file is either its old or its new version. Not guaranteed: the renames of several files are
    not one atomic step, so a process killed between two renames leaves some targets new and
    some old.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            staged.append((_stage(path, text), path))
        for n, (tmp, path) in enumerate(staged):
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise InputError(f"cannot write: {exc.strerror}", str(path)) from None
            staged[n] = (path, path)  # renamed: no longer a temp file to clean up
    finally:
        for tmp, path in staged:
            if tmp != path:
                tmp.unlink(missing_ok=True)


def append_text(path: Path, text: str) -> None:
    """Append (for ``$GITHUB_STEP_SUMMARY``, which other steps also write to)."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise InputError(f"cannot append: {exc.strerror}", str(path)) from None
