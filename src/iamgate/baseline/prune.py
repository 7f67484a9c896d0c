"""``baseline prune``: remove stale exceptions line by line, keeping every other line and
comment as it was, and checking the rewrite parses to exactly the other exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.model.baseline import BaselineException
from iamgate.model.results import CheckInfo


@dataclass(frozen=True, slots=True)
class PruneResult:
    text: str
    removed: tuple[BaselineException, ...]
    skipped: tuple[tuple[str, str, str], ...] = ()  # (check, resource, why not removed)


def _item_span(lines: list[str], start: int) -> tuple[int, int]:
    """0-based [first, last] lines of the block-style list item whose mapping starts on line
    ``start`` (1-based), including the comment lines directly above it."""
    i = start - 1
    first_line = lines[i]
    dash = len(first_line) - len(first_line.lstrip())
    if not first_line.lstrip().startswith("-"):
        raise InputError(
            "prune rewrites block-style lists only ('- check: ...' items)", None, start
        )
    last = i
    j = i + 1
    while j < len(lines):
        stripped = lines[j].strip()
        indent = len(lines[j]) - len(lines[j].lstrip())
        if stripped and indent <= dash:
            break
        if stripped:
            last = j
        j += 1
    first = i
    while first > 0 and lines[first - 1].strip().startswith("#"):
        above = lines[first - 1]
        if len(above) - len(above.lstrip()) != dash:
            break
        first -= 1
    return first, last


def prune_text(
    text: str,
    source: str,
    catalogue: Mapping[str, CheckInfo],
    stale: Iterable[tuple[str, str]],
    checks_run: Iterable[str] | None = None,
) -> PruneResult:
    """Remove the exceptions named in ``stale`` ((check, resource) pairs) line by line, keeping
    every other line (and comment) as it was. Exceptions of checks that did not run are kept:
    their staleness was not observed."""
    baseline = parse_baseline(text, source, catalogue)
    ran = set(checks_run) if checks_run is not None else None
    wanted = set(stale)
    remove: list[BaselineException] = []
    skipped: list[tuple[str, str, str]] = []
    for e in baseline.exceptions:
        if (e.check, e.resource) not in wanted:
            continue
        if ran is not None and e.check not in ran:
            skipped.append((e.check, e.resource, "its check did not run in those results"))
            continue
        remove.append(e)
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for e in remove:
        try:
            first, last = _item_span(lines, e.line)
        except InputError as exc:
            raise InputError(exc.message, source, exc.line) from None
        drop.update(range(first, last + 1))
    kept = [line for n, line in enumerate(lines) if n not in drop]
    # Collapse the blank lines a removal leaves behind.
    out: list[str] = []
    for line in kept:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    while out and not out[-1].strip():  # nor at the end of the file
        out.pop()
    new_text = "".join(out)
    # Fail closed: the rewrite must leave exactly the other exceptions.
    expected = {(e.check, e.resource) for e in baseline.exceptions} - {
        (e.check, e.resource) for e in remove
    }
    try:
        after = parse_baseline(new_text, source, catalogue)
    except InputError as exc:
        raise InputError(
            f"prune could not rewrite the file safely ({exc.message})", source
        ) from None
    if {(e.check, e.resource) for e in after.exceptions} != expected:
        raise InputError("prune could not rewrite the file safely: nothing written", source)
    return PruneResult(new_text, tuple(remove), tuple(skipped))
