"""The baseline lifecycle: init, lint, diff and prune. Pure functions over text and parsed
baselines; the CLI (``baseline_cli.py``) reads files and git refs and decides where output goes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from iamgate.baseline import BASELINE_VERSION, Baseline, BaselineException, parse_baseline
from iamgate.checks.registry import Check
from iamgate.errors import InputError
from iamgate.model import Severity
from iamgate.report.markdown import cell

PLACEHOLDER_REASON = "TODO: why is this accepted?"
PLACEHOLDER_OWNER = "TODO: owner"
MIN_BROAD_REASON = 40  # characters: an allow-broad exception must say why at some length
_PLACEHOLDER = re.compile(r"^\s*(todo|tbd|fixme|xxx|changeme|\?+)\b", re.IGNORECASE)


def is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.match(text)) or not text.strip("?.- ")


# --- lint -------------------------------------------------------------------------------------


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
    registry: Mapping[str, Check],
    *,
    today: date,
    horizon_days: int,
) -> list[LintProblem]:
    """Every problem in one baseline file. A structural error stops the parser: it is then the
    one problem reported, since nothing after it can be trusted."""
    try:
        baseline = parse_baseline(text, source, registry)
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
    limit = today + timedelta(days=horizon_days)
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


# --- init -------------------------------------------------------------------------------------


def _q(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars: safe for any text, one line.
    return json.dumps(value, ensure_ascii=False)


def render_baseline(account: str, entries: Sequence[Mapping[str, Any]], header: str = "") -> str:
    """A baseline file. Each entry has check, resource, reason, owner, expires (a date) and
    optionally ticket."""
    out = [f"# {line}".rstrip() for line in header.splitlines()] if header else []
    out += [f"version: {BASELINE_VERSION}", f"account: {_q(account)}"]
    if not entries:
        out.append("exceptions: []")
    else:
        out.append("exceptions:")
    for i, e in enumerate(entries):
        if i:
            out.append("")
        out += [
            f"  - check: {e['check']}",
            f"    resource: {_q(e['resource'])}",
            f"    reason: {_q(e['reason'])}",
            f"    owner: {_q(e['owner'])}",
            f"    expires: {e['expires']:%Y-%m-%d}",
        ]
        if e.get("ticket"):
            out.append(f"    ticket: {_q(e['ticket'])}")
    return "\n".join(out) + "\n"


def init_from_results(
    results: Mapping[str, Any], *, today: date, horizon_days: int, source: str = "results"
) -> str:
    """A baseline accepting every failure in ``results`` (results.json), with placeholders that
    ``lint`` rejects until a person fills them in. Exceptions that were already accepted keep
    their reason, owner and ticket."""
    account = results.get("account_id")
    if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        raise InputError(
            "results have no single 12-digit account_id: run init on one account's results",
            source,
        )
    expires = today + timedelta(days=horizon_days)
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    findings = results.get("findings")
    if not isinstance(findings, list):
        raise InputError("not an iamgate results file (no findings list)", source)
    for f in findings:
        if not isinstance(f, dict) or f.get("account_id", account) not in (account, ""):
            continue
        status = f.get("status")
        if status not in ("fail", "expired", "accepted"):
            continue
        entry: dict[str, Any] = {
            "check": str(f["check"]),
            "resource": str(f["resource"]),
            "reason": PLACEHOLDER_REASON,
            "owner": PLACEHOLDER_OWNER,
            "expires": expires,
        }
        exc = f.get("exception")
        if status == "accepted" and isinstance(exc, dict):
            entry.update(reason=exc["reason"], owner=exc["owner"], ticket=exc.get("ticket"))
            entry["expires"] = min(expires, date.fromisoformat(exc["expires"]))
        chosen.setdefault((entry["check"], entry["resource"]), entry)
    header = (
        f"Baseline for account {account}, written by `iamgate baseline init` on {today}.\n"
        "Every exception needs a real reason and owner before `iamgate baseline lint` passes:\n"
        "fix what you can instead of accepting it."
    )
    return render_baseline(account, [chosen[k] for k in sorted(chosen)], header)


# --- prune ------------------------------------------------------------------------------------


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
    registry: Mapping[str, Check],
    stale: Iterable[tuple[str, str]],
    checks_run: Iterable[str] | None = None,
) -> PruneResult:
    """Remove the exceptions named in ``stale`` ((check, resource) pairs) line by line, keeping
    every other line (and comment) as it was. Exceptions of checks that did not run are kept:
    their staleness was not observed."""
    baseline = parse_baseline(text, source, registry)
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
        after = parse_baseline(new_text, source, registry)
    except InputError as exc:
        raise InputError(
            f"prune could not rewrite the file safely ({exc.message})", source
        ) from None
    if {(e.check, e.resource) for e in after.exceptions} != expected:
        raise InputError("prune could not rewrite the file safely: nothing written", source)
    return PruneResult(new_text, tuple(remove), tuple(skipped))


# --- diff -------------------------------------------------------------------------------------

_CRITICAL_WORDS = ("admin",)


def needs_review(check: str, registry: Mapping[str, Check]) -> bool:
    """Checks whose exceptions security must review: critical/high, root and admin checks."""
    meta = registry[check].meta if check in registry else None
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
    removed = [olds[k] for k in olds.keys() - news.keys()]
    added = [news[k] for k in news.keys() - olds.keys()]
    for a in list(added):
        partner = next(
            (r for r in removed if r.check == a.check and (_widens(a, r) or _widens(r, a))), None
        )
        if partner is not None:
            removed.remove(partner)
            added.remove(a)
            details, loosens = _compare(partner, a)
            changes.append(Change("changed", file, partner, a, tuple(details), loosens))
    changes += [Change("removed", base_file or file, r, None) for r in removed]
    changes += [Change("added", file, None, a, loosens=True) for a in added]
    order = {"added": 0, "changed": 1, "removed": 2}
    changes.sort(key=lambda c: (order[c.kind], c.file, c.entry.check, c.entry.resource))
    return changes


@dataclass(frozen=True, slots=True)
class Review:
    base_label: str
    head_label: str
    changes: list[Change] = field(default_factory=list)
    lint: list[LintProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0


def _meta(check: str, registry: Mapping[str, Check]) -> tuple[str, str]:
    chk = registry.get(check)
    return (chk.meta.severity.value, chk.meta.title) if chk else ("?", "(unknown check)")


def _row(c: Change, registry: Mapping[str, Check], detail: bool) -> str:
    e = c.entry
    sev, title = _meta(e.check, registry)
    where = f"{c.file}:{e.line}"
    cells = [where, e.check, sev, title, f"`{e.resource}`"]
    if detail:
        cells.append("; ".join(c.details))
    else:
        ticket = f" ({e.ticket})" if e.ticket else ""
        cells += [e.owner, f"{e.expires:%Y-%m-%d}", e.reason + ticket]
    return "| " + " | ".join(cell(x) for x in cells) + " |"


_HEAD = "| where | check | severity | title | resource | owner | expires | reason |"
_SEP = "|---|---|---|---|---|---|---|---|"
_HEAD_CHANGED = "| where | check | severity | title | resource | what changed |"
_SEP_CHANGED = "|---|---|---|---|---|---|"


def render_review(review: Review, registry: Mapping[str, Check]) -> str:
    cs = review.changes
    added = [c for c in cs if c.kind == "added"]
    removed = [c for c in cs if c.kind == "removed"]
    changed = [c for c in cs if c.kind == "changed"]
    out = [
        "## Baseline review (iamgate)",
        "",
        f"Comparing **{cell(review.base_label)}** → **{cell(review.head_label)}** "
        f"({review.files} file{'s' if review.files != 1 else ''}): "
        f"{len(added)} added, {len(changed)} changed, {len(removed)} removed.",
        "",
    ]
    if review.lint:
        out += [
            f"### ❌ Lint: {len(review.lint)} problem{'s' if len(review.lint) != 1 else ''}",
            "",
            *[f"- {cell(str(p))}" for p in review.lint],
            "",
        ]
    else:
        out += ["✅ Lint: the changed baselines are valid.", ""]
    review_needed = [c for c in cs if c.loosens and needs_review(c.entry.check, registry)]
    if review_needed:
        out += [
            "### ⚠️ Needs security review",
            "",
            "These accept more for critical or high-severity checks (root, admin access):",
            "",
        ]
        for c in review_needed:
            e = c.entry
            sev, title = _meta(e.check, registry)
            what = "added" if c.kind == "added" else "; ".join(c.details)
            out.append(
                f"- **{cell(e.check)}** ({sev}: {cell(title)}) on `{cell(e.resource)}`: "
                f"{cell(what)} ({cell(c.file)}:{e.line})"
            )
        out.append("")
    if added:
        out += [f"### Added ({len(added)})", "", _HEAD, _SEP]
        out += [_row(c, registry, False) for c in added] + [""]
    if changed:
        out += [f"### Changed ({len(changed)})", "", _HEAD_CHANGED, _SEP_CHANGED]
        out += [_row(c, registry, True) for c in changed] + [""]
    if removed:
        out += [f"### Removed ({len(removed)})", "", _HEAD, _SEP]
        out += [_row(c, registry, False) for c in removed] + [""]
    if not cs:
        out += ["No exception was added, changed or removed.", ""]
    if review.notes:
        out += ["### Notes", "", *[f"- {cell(n)}" for n in review.notes], ""]
    return "\n".join(out)
