"""Writing reports: atomically (temp file + rename), so a killed run never leaves a
half-written ``junit.xml`` that a CI renderer would read as a pass."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from iamgate.errors import InputError


def write_atomic(path: Path, text: str) -> None:
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
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror}", str(path)) from None


def append_text(path: Path, text: str) -> None:
    """Append (for ``$GITHUB_STEP_SUMMARY``, which other steps also write to)."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise InputError(f"cannot append: {exc.strerror}", str(path)) from None
