"""``baseline lint``: every problem of a baseline file, with its line.

Pure: text in, problems out. Structural errors come from the parser
(``iamgate.formats.baseline_yaml``); the rules here are the review rules a valid file can still
break: placeholders, past or too-distant expiry, an account that is not the file's, a broad
glob without a long enough reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.formats.times import days_after
from iamgate.model.baseline import Baseline, BaselineException, broad_reach
from iamgate.model.results import CheckInfo, Status, Verdict

PLACEHOLDER_REASON = "TODO: why is this accepted?"
PLACEHOLDER_OWNER = "TODO: owner"
MIN_BROAD_REASON = 40  # characters: an allow-broad exception must say why at some length
_PLACEHOLDER = re.compile(r"^\s*(todo|tbd|fixme|xxx|changeme|\?+)\b", re.IGNORECASE)


def is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.match(text)) or not text.strip("?.- ")


@dataclass(frozen=True, slots=True)
class LintProblem:
    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.line}: {self.message}"
            if self.line
            else (f"{self.source}: {self.message}")
        )


def _field_lines(text: str, baseline: Baseline) -> dict[tuple[int, str], int]:
    """(exception line, key) -> line of that key, found between one item and the next."""
    lines = text.splitlines()
    starts = [e.line for e in baseline.exceptions]
    found: dict[tuple[int, str], int] = {}
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(lines) + 1
        for n in range(start, end):
            m = re.match(r"^\s*(?:-\s+)?([A-Za-z-]+)\s*:", lines[n - 1])
            if m:
                found.setdefault((start, m.group(1)), n)
    return found


def lint_baseline(
    text: str,
    source: str,
    catalogue: Mapping[str, CheckInfo],
    *,
    today: date,
    horizon_days: int,
    parsed: Baseline | None = None,
) -> list[LintProblem]:
    """Every problem in one baseline file. A structural error stops the parser: it is then the
    one problem reported, since nothing after it can be trusted. ``parsed``: the text, already
    parsed (``baseline diff`` reads each file once)."""
    try:
        baseline = parsed or parse_baseline(text, source, catalogue)
    except InputError as exc:
        return [LintProblem(exc.source or source, exc.line, exc.message)]
    problems: list[LintProblem] = []
    stem = PurePath(source.rsplit(":", 1)[-1]).stem
    if re.fullmatch(r"\d{12}", stem) and stem != baseline.account:
        problems.append(
            LintProblem(
                source,
                baseline.account_line,
                f"account {baseline.account} does not match the file name {stem}",
            )
        )
    lines = _field_lines(text, baseline)
    limit = days_after(today, horizon_days)
    for e in baseline.exceptions:

        def at(key: str, exc: BaselineException = e) -> int:
            return lines.get((exc.line, key), exc.line)

        what = f"{e.check} on {e.resource}"
        if is_placeholder(e.reason):
            problems.append(
                LintProblem(
                    source,
                    at("reason"),
                    f"{what}: reason is a placeholder: say why this is accepted ({e.reason!r})",
                )
            )
        if is_placeholder(e.owner):
            problems.append(
                LintProblem(source, at("owner"), f"{what}: owner is a placeholder ({e.owner!r})")
            )
        if e.expires < today:
            problems.append(
                LintProblem(
                    source,
                    at("expires"),
                    f"{what}: expired on {e.expires:%Y-%m-%d} ({(today - e.expires).days} "
                    "days ago): renew it with a fresh review, or remove it",
                )
            )
        elif e.expires > limit:
            problems.append(
                LintProblem(
                    source,
                    at("expires"),
                    f"{what}: expires {e.expires:%Y-%m-%d}, more than {horizon_days} days "
                    f"away (latest allowed: {limit:%Y-%m-%d})",
                )
            )
        if e.allow_broad and len(e.reason) < MIN_BROAD_REASON:
            problems.append(
                LintProblem(
                    source,
                    at("reason"),
                    f"{what}: allow-broad needs a reason of at least {MIN_BROAD_REASON} "
                    "characters saying why every resource is accepted",
                )
            )
    return problems


# What a broad entry accepts: the findings a gate would hold against it (not passing, and
# evaluated), matched as the gate matches them.
_ACCEPTABLE = (Status.FAIL, Status.EXPIRED, Status.ACCEPTED)


@dataclass(frozen=True, slots=True)
class BroadEntry:
    """An ``allow-broad`` entry, what its wildcard reaches into, and (given results) how many
    findings it accepts today."""

    entry: BaselineException
    reach: str
    accepts: int | None = None

    def __str__(self) -> str:
        e = self.entry
        today = "" if self.accepts is None else f"; it accepts {self.accepts} findings today"
        return (
            f"{e.where}: broad: {e.check} on {e.resource} (its wildcard reaches into the "
            f"{self.reach}; owner {e.owner}){today}"
        )


def broad_entries(
    text: str,
    source: str,
    catalogue: Mapping[str, CheckInfo],
    results: Sequence[Verdict] | None = None,
) -> list[BroadEntry]:
    """Every broad entry of a valid baseline (a file that does not parse has none to show),
    and, given results, how many of the baseline account's findings each one matches."""
    try:
        baseline = parse_baseline(text, source, catalogue)
    except InputError:
        return []
    findings = [
        f
        for v in results or ()
        for f in v.findings
        if f.status in _ACCEPTABLE and (f.account_id or v.account_id) == baseline.account
    ]
    found = []
    for e in baseline.exceptions:
        reach = broad_reach(e.resource)
        if reach is None:
            continue
        accepts = None
        if results is not None:
            accepts = sum(1 for f in findings if e.matches(f.check, f.resource))
        found.append(BroadEntry(e, reach, accepts))
    return found
