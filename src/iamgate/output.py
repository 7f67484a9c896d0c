"""Writing reports: atomically (temp file + rename), so a killed run never leaves a
half-written ``junit.xml`` that a CI renderer would read as a pass."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from iamgate.errors import InputError


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
    """Write several reports all or nothing: every temp file is written first, then each is
    renamed into place. A target that cannot be written leaves none of them behind, so a bad
    ``--json`` path cannot leave a fresh ``junit.xml`` that reads as the run's result."""
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
