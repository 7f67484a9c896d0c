"""``baseline diff``: what a change to the baselines accepts, for pull-request review.

Pure: two parsed baselines in, a list of changes out; ``review.py`` renders them.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from iamgate.baseline.config_review import ConfigChange
from iamgate.baseline.lint import LintProblem, lint_baseline
from iamgate.baseline.sources import Side
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.model.baseline import Baseline, BaselineException
from iamgate.model.results import CheckInfo, Severity

_CRITICAL_WORDS = ("admin",)


def needs_review(check: str, catalogue: Mapping[str, CheckInfo]) -> bool:
    """Checks whose exceptions security must review: critical/high, root and admin checks."""
    meta = catalogue.get(check)
    severe = meta is not None and meta.severity in (Severity.CRITICAL, Severity.HIGH)
    return severe or check.startswith("root-") or any(w in check for w in _CRITICAL_WORDS)


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # added | removed | changed
    file: str
    old: BaselineException | None
    new: BaselineException | None
    details: tuple[str, ...] = ()
    loosens: bool = False  # accepts more than before: added, expiry pushed out, widened

    @property
    def entry(self) -> BaselineException:
        e = self.new or self.old
        assert e is not None
        return e


def _widens(wide: BaselineException, narrow: BaselineException) -> bool:
    """``wide`` accepts everything ``narrow`` did (its glob matches narrow's pattern text)."""
    return wide.resource != narrow.resource and wide.matches(narrow.check, narrow.resource)


def _compare(old: BaselineException, new: BaselineException) -> tuple[list[str], bool]:
    details: list[str] = []
    loosens = False
    if new.resource != old.resource:
        if _widens(new, old):
            details.append(f"resource widened from `{old.resource}` to `{new.resource}`")
            loosens = True
        elif _widens(old, new):
            details.append(f"resource narrowed from `{old.resource}` to `{new.resource}`")
        else:
            details.append(f"resource changed from `{old.resource}` to `{new.resource}`")
            loosens = True
    if new.expires != old.expires:
        days = (new.expires - old.expires).days
        if days > 0:
            details.append(
                f"expiry pushed out by {days} days ({old.expires:%Y-%m-%d} → "
                f"{new.expires:%Y-%m-%d})"
            )
            loosens = True
        else:
            details.append(
                f"expiry brought forward by {-days} days ({old.expires:%Y-%m-%d} → "
                f"{new.expires:%Y-%m-%d})"
            )
    if new.reason != old.reason:
        details.append(f"reason changed from “{old.reason}” to “{new.reason}”")
    if new.owner != old.owner:
        details.append(f"owner changed from {old.owner} to {new.owner}")
    if new.ticket != old.ticket:
        details.append(f"ticket changed from {old.ticket or '-'} to {new.ticket or '-'}")
    if new.allow_broad != old.allow_broad:
        details.append(f"allow-broad {'set' if new.allow_broad else 'removed'}")
        loosens = loosens or new.allow_broad
    return details, loosens


def diff_baselines(
    base: Baseline | None, head: Baseline | None, file: str, base_file: str | None = None
) -> list[Change]:
    """Changes from ``base`` to ``head`` (either may be absent: a file added or deleted).

    ``file`` names the head side, ``base_file`` the base side (removed entries' lines are
    there). Entries are paired by (check, resource); an unpaired removal and addition of the
    same check where one resource covers the other are one change (widened or narrowed).
    """
    olds = {(e.check, e.resource): e for e in (base.exceptions if base else ())}
    news = {(e.check, e.resource): e for e in (head.exceptions if head else ())}
    changes: list[Change] = []
    for key in olds.keys() & news.keys():
        details, loosens = _compare(olds[key], news[key])
        if details:
            changes.append(Change("changed", file, olds[key], news[key], tuple(details), loosens))
    # In file order, so the pairing below does not depend on set order.
    removed = [e for k, e in olds.items() if k not in news]
    added = [e for k, e in news.items() if k not in olds]
    pairs = _pair(added, removed)
    for r, a in pairs:
        details, loosens = _compare(r, a)
        changes.append(Change("changed", file, r, a, tuple(details), loosens))
    paired = {id(e) for pair in pairs for e in pair}
    changes += [
        Change("removed", base_file or file, r, None) for r in removed if id(r) not in paired
    ]
    changes += [Change("added", file, None, a, loosens=True) for a in added if id(a) not in paired]
    order = {"added": 0, "changed": 1, "removed": 2}
    changes.sort(key=lambda c: (order[c.kind], c.file, c.entry.check, c.entry.resource))
    return changes


# Glob comparisons spent on pairing removed and added entries. Pairing only decides whether a
# change shows as "changed" (widened, narrowed) or as an addition and a removal, and an unpaired
# addition is still flagged as loosening: past this budget the rest stay unpaired, nothing is
# hidden, and a diff of tens of thousands of hostile globs still takes seconds.
MAX_PAIRING_RUNS = 1_000_000
_LAST = "\U0010ffff"  # sorts after every character: prefix + _LAST ends the prefix's range


@dataclass(frozen=True, slots=True)
class _Removed:
    """The removed entries of one check, indexed for pairing."""

    globs: dict[str, list[BaselineException]]  # literal prefix -> removed globs
    lengths: tuple[int, ...]  # the distinct prefix lengths
    resources: list[str]  # every removed resource, sorted
    entries: list[BaselineException]  # in the same order

    @classmethod
    def of(cls, entries: list[BaselineException]) -> _Removed:
        globs: dict[str, list[BaselineException]] = {}
        for e in entries:
            if e.is_glob:
                globs.setdefault(e.resource.split("*", 1)[0], []).append(e)
        ordered = sorted(entries, key=lambda e: e.resource)
        lengths = tuple(sorted({len(p) for p in globs}))
        return cls(globs, lengths, [e.resource for e in ordered], ordered)

    def candidates(self, added: BaselineException, limit: int) -> list[BaselineException]:
        """Removed entries that may pair with ``added`` (at most ``limit``): globs whose
        prefix starts its resource (they may cover it), and, for a glob, the entries its
        prefix starts (it may cover them). Ordered by their line, as the file reads."""
        found: list[BaselineException] = []
        for n in self.lengths:
            if n > len(added.resource) or len(found) >= limit:
                break
            found += self.globs.get(added.resource[:n], ())[: limit - len(found)]
        if added.is_glob and len(found) < limit:
            prefix = added.resource.split("*", 1)[0]
            start = bisect.bisect_left(self.resources, prefix)
            end = bisect.bisect_left(self.resources, prefix + _LAST, start)
            found += self.entries[start : min(end, start + limit - len(found))]
        return sorted(dict.fromkeys(found), key=lambda e: e.line)


def _pair(
    added: list[BaselineException], removed: list[BaselineException]
) -> list[tuple[BaselineException, BaselineException]]:
    """(removed, added) pairs where one covers the other: a glob widened or narrowed.

    Each addition is compared only with the removals of its check that may pair with it (an
    exact entry never covers a different exact entry), through a prefix index, so the work
    grows with the entries, not their product; and it is capped (``MAX_PAIRING_RUNS``)."""
    by_check: dict[str, list[BaselineException]] = {}
    for r in removed:
        by_check.setdefault(r.check, []).append(r)
    index = {check: _Removed.of(entries) for check, entries in by_check.items()}
    taken: set[int] = set()
    pairs: list[tuple[BaselineException, BaselineException]] = []
    runs = 0
    for a in added:
        pool = index.get(a.check)
        if pool is None:
            continue
        candidates = pool.candidates(a, MAX_PAIRING_RUNS - runs)
        runs += len(candidates)
        if runs >= MAX_PAIRING_RUNS:
            return pairs
        for r in candidates:
            if id(r) in taken:
                continue
            if _widens(a, r) or _widens(r, a):
                taken.add(id(r))
                pairs.append((r, a))
                break
    return pairs


@dataclass(frozen=True, slots=True)
class Review:
    base_label: str
    head_label: str
    changes: list[Change] = field(default_factory=list)
    lint: list[LintProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    # The configuration the head was judged with (the base's), and what the change does to it.
    config_source: str = ""
    config: list[ConfigChange] = field(default_factory=list)


def _parse_quiet(
    text: str | None, source: str, catalogue: Mapping[str, CheckInfo]
) -> tuple[Baseline | None, str | None]:
    if text is None:
        return None, None
    try:
        return parse_baseline(text, source, catalogue), None
    except InputError as exc:
        return None, str(exc)


def build_review(
    base: Side, head: Side, catalogue: Mapping[str, CheckInfo], today: date, horizon: int
) -> Review:
    if base.single != head.single:
        raise InputError(
            "compare a file with a file, or a directory with a directory "
            f"({base.label} vs {head.label})",
            "baseline diff",
        )
    changes: list[Change] = []
    lint: list[LintProblem] = []
    notes: list[str] = []
    keys = sorted(base.files.keys() | head.files.keys())
    for key in keys:
        base_name, base_text = base.files.get(key, (key, None))
        head_name, head_text = head.files.get(key, (key, None))
        old, old_err = _parse_quiet(base_text, base_name, catalogue)
        new, new_err = _parse_quiet(head_text, head_name, catalogue)
        if head_text is not None:
            lint += lint_baseline(
                head_text, head_name, catalogue, today=today, horizon_days=horizon, parsed=new
            )
        if old_err:
            notes.append(f"the base could not be read, so every entry shows as added: {old_err}")
        if new_err:
            notes.append(f"the head could not be read, so it is not compared: {new_err}")
            continue
        changes += diff_baselines(old, new, head_name, base_name)
    return Review(base.label, head.label, changes, lint, notes, len(keys))
