"""The markdown summary (for ``$GITHUB_STEP_SUMMARY`` and pull requests), built with tabulate.

It stays under GitHub's 1 MiB step-summary limit: long tables are folded, with a note that says
how many rows were left out and where to find them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC
from operator import attrgetter
from typing import overload

from tabulate import tabulate

from iamgate.model.results import (
    COUNT_KEYS,
    Change,
    ExceptionRef,
    Finding,
    PlanComparison,
    Severity,
    SinceLastRun,
    Status,
    Verdict,
)
from iamgate.text import markdown_cell as cell
from iamgate.text import markdown_text as text

STEP_SUMMARY_LIMIT = 1024 * 1024
_ICON = {"pass": "✅ PASS", "fail": "❌ FAIL", "error": "⚠️ ERROR"}


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], max_rows: int, more: str
) -> str:
    shown = [[cell(v) for v in row] for row in rows[:max_rows]]
    text = tabulate(shown, headers=list(headers), tablefmt="github", disable_numparse=True)
    if len(rows) > max_rows:
        text += f"\n\n_… and {len(rows) - max_rows} more rows, folded to fit; {more}._"
    return text


Row = list[str]


class _Rows(Sequence[Row]):
    """The table rows of ``findings``, each made only when it is read: a table shows at most
    ``max_rows`` of an account's hundreds of thousands of findings."""

    def __init__(self, findings: Sequence[Finding], row: Callable[[Finding], Row]) -> None:
        self._findings, self._row = findings, row

    def __len__(self) -> int:
        return len(self._findings)

    @overload
    def __getitem__(self, at: int) -> Row: ...
    @overload
    def __getitem__(self, at: slice) -> list[Row]: ...
    def __getitem__(self, at: int | slice) -> Row | list[Row]:
        if isinstance(at, slice):
            return [self._row(f) for f in self._findings[at]]
        return self._row(self._findings[at])


_ACCOUNT = attrgetter("account_id")
_CHECK = attrgetter("check")


def _exc(e: ExceptionRef | None) -> tuple[str, str, str]:
    if e is None:
        return ("", "", "")
    return (f"{e.expires:%Y-%m-%d}", e.owner, e.reason)


def _accounts(verdict: Verdict) -> list[str]:
    if verdict.accounts:
        return [a.account_id for a in verdict.accounts]
    return sorted(set(map(_ACCOUNT, verdict.findings)) - {""}) or [verdict.account_id]


def _account_table(verdict: Verdict, max_rows: int, more: str) -> list[str]:
    """Several accounts: one row each, failing and erroring accounts first."""
    order = {"fail": 0, "error": 1, "pass": 2}
    rows = [
        [
            a.account_id,
            _ICON[a.status],
            *(str(a.counts[k]) for k in ("new", "expired", "accepted", "stale", "errors")),
        ]
        for a in sorted(verdict.accounts, key=lambda a: (order[a.status], a.account_id))
    ]
    head = ["account", "verdict", "new", "expired", "accepted", "stale", "errors"]
    return [f"### Accounts ({len(rows)})", "", _table(head, rows, max_rows, more), ""]


def verdict_line(verdict: Verdict) -> str:
    c = verdict.counts
    accounts = _accounts(verdict)
    where = f"account {cell(accounts[0])}" if len(accounts) == 1 else f"{len(accounts)} accounts"
    if verdict.plan is not None:
        plan = verdict.plan
        accepted = sum(1 for f in plan.introduced if f.status is Status.ACCEPTED)
        return (
            f"**iamgate {_ICON[verdict.status]}** on {where} after the change: "
            f"{len(plan.introduced)} introduced ({accepted} accepted), {len(plan.fixed)} fixed; "
            f"{c['new']} failing in all, {c['errors']} errors "
            f"(gate fails on introduced findings of **{verdict.fail_on.value}** and above)"
        )
    return (
        f"**iamgate {_ICON[verdict.status]}** on {where}: {c['new']} new, "
        f"{c['expired']} expired, {c['accepted']} accepted, {c['stale']} stale, "
        f"{c['errors']} errors (gate fails on **{verdict.fail_on.value}** and above)"
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def since_line(since: SinceLastRun, most: int = 5) -> str:
    """The first thing a nightly failure says: what is new since the last run, by name."""
    when = f"{since.previous_generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if not since.changed:
        return f"**Nothing changed since the last run** ({when}): no finding appeared or was fixed."
    parts = []
    if since.appeared:
        named = ", ".join(f"{cell(f.check)} on {cell(f.resource)}" for f in since.appeared[:most])
        more = f" and {len(since.appeared) - most} more" if len(since.appeared) > most else ""
        parts.append(f"**{len(since.appeared)} new since the last run** ({when}): {named}{more}.")
    else:
        parts.append(f"**Nothing new since the last run** ({when}).")
    if since.fixed:
        parts.append(f"{_plural(len(since.fixed), 'finding', 'findings')} fixed.")
    if since.accepted:
        parts.append(f"{_plural(len(since.accepted), 'finding', 'findings')} newly accepted.")
    return " ".join(parts)


def _failures(
    verdict: Verdict,
    failing: list[Finding],
    head: list[str],
    row: Callable[[Finding], Row],
    max_rows: int,
    more: str,
) -> list[str]:
    """New failures by severity; for a plan, what it introduces, then (folded) what was failing
    before the change too."""
    before: list[Finding] = []
    if verdict.plan is not None:
        before = [f for f in failing if f.change is Change.UNCHANGED]
        failing = [f for f in failing if f.change is not Change.UNCHANGED]
    out: list[str] = []
    if failing:
        title = "Introduced by this change" if verdict.plan is not None else "New failures"
        out += [f"### {title} ({len(failing)})", ""]
        by_severity: dict[Severity, list[Finding]] = defaultdict(list)
        for f in failing:
            by_severity[f.severity].append(f)
        for sev in sorted(Severity, key=lambda s: -s.rank):
            group = by_severity[sev]
            if not group:
                continue
            below = sev.rank < verdict.fail_on.rank
            note = " (below the fail-on threshold: reported, not failing)" if below else ""
            out += [
                f"#### {sev.value} ({len(group)}){note}",
                "",
                _table(head, _Rows(group, row), max_rows, more),
                "",
            ]
    if before:
        out += _failing_before(before, _Rows(before, row), head, max_rows, more)
    return out


def _failing_before(
    findings: list[Finding], rows: Sequence[Row], head: list[str], max_rows: int, more: str
) -> list[str]:
    return [
        f"<details><summary>Failing before this change too ({len(findings)}; they do not fail "
        "this gate)</summary>",
        "",
        _table(head, rows, max_rows, more),
        "",
        "</details>",
        "",
    ]


def _since(verdict: Verdict, since: SinceLastRun, max_rows: int, more: str) -> list[str]:
    out = [since_line(since), ""]
    if not since.changed:
        return out
    many = len(_accounts(verdict)) > 1
    rows = [
        [change, f.severity.value, *([f.account_id] if many else []), f.check, f.resource]
        for change, group in (
            ("appeared", since.appeared),
            ("fixed", since.fixed),
            ("newly accepted", since.accepted),
        )
        for f in group
    ]
    head = ["since the last run", "severity", *(["account"] if many else []), "check", "resource"]
    return [*out, _table(head, rows, max_rows, more), ""]


def plan_line(plan: PlanComparison) -> str:
    """The first thing a plan's summary says: what the change introduces and fixes."""
    files = ", ".join(cell(s) for s in plan.sources)
    head = (
        f"**This change introduces {_plural(len(plan.introduced), 'finding', 'findings')} and "
        f"fixes {len(plan.fixed)}** ({files}: "
        f"{_plural(plan.changes, 'IAM resource change', 'IAM resource changes')})."
    )
    tail = (
        " Only introduced findings that the baseline does not accept fail this gate; what was "
        "failing before the change is listed as it is, and fails only the nightly gate."
    )
    if plan.blind:
        checks = ", ".join(cell(c) for c in plan.blind)
        tail += f" The change touches what these checks read, and they could not run: {checks}."
    return head + tail


def cause(f: Finding) -> str:
    """The change that causes a plan's finding (and for a path, the hop it adds)."""
    if f.origin is None:
        return "the change as a whole"
    text = f.origin.describe()
    return f"{text}; adds the hop {f.origin.hop}" if f.origin.hop else text


def _plan(plan: PlanComparison, max_rows: int, more: str) -> list[str]:
    out = [plan_line(plan), ""]
    rows = [
        [change, f.severity.value, f.check, f.resource, cause(f)]
        for change, group in (("introduced", plan.introduced), ("fixed", plan.fixed))
        for f in group
    ]
    if rows:
        head = ["change", "severity", "check", "resource", "caused by"]
        out += [_table(head, rows, max_rows, more), ""]
    return out


def _accepted_row(f: Finding) -> Row:
    return [f.check, f.resource, *_exc(f.exception)]


def render_markdown(verdict: Verdict, max_rows: int = 500) -> str:
    text = _render(verdict, max_rows)
    while len(text.encode("utf-8")) > STEP_SUMMARY_LIMIT - 4096 and max_rows > 5:
        max_rows //= 4
        text = _render(verdict, max_rows)
    return text


def _render(verdict: Verdict, max_rows: int) -> str:
    see = "see results.json or junit.xml for all of them"
    out = ["## IAM compliance (iamgate)", ""]
    if verdict.since is not None:  # first: what a nightly run's reader wants to know
        out += _since(verdict, verdict.since, max_rows, see)
    if verdict.plan is not None:  # first: what a pull request's reader wants to know
        out += _plan(verdict.plan, max_rows, see)
    out += [verdict_line(verdict), ""]
    c = verdict.counts
    out += [
        tabulate(
            [[str(c[k]) for k in COUNT_KEYS]],
            headers=list(COUNT_KEYS),
            tablefmt="github",
            disable_numparse=True,
        ),
        "",
    ]
    if verdict.accounts:
        out += _account_table(verdict, max_rows, see)
    by_status: dict[Status, list[Finding]] = defaultdict(list)
    for f in verdict.non_passing:
        by_status[f.status].append(f)
    many = len(_accounts(verdict)) > 1

    def row(f: Finding) -> list[str]:
        base = [f.check, f.resource, f.resource_type, f.message]
        return [f.account_id, *base] if many else base

    head = (["account"] if many else []) + ["check", "resource", "type", "message"]
    out += _failures(verdict, by_status[Status.FAIL], head, row, max_rows, see)
    if by_status[Status.EXPIRED]:
        out += [
            f"### Expired exceptions ({len(by_status[Status.EXPIRED])})",
            "",
            "These were accepted in the baseline but their date has passed: they fail the "
            "gate until renewed (with a fresh review) or fixed.",
            "",
            _table(
                [*head, "expired", "owner"],
                _Rows(by_status[Status.EXPIRED], lambda f: [*row(f), *_exc(f.exception)[:2]]),
                max_rows,
                see,
            ),
            "",
        ]
    if by_status[Status.ERROR] or verdict.collection_errors:
        out += [
            f"### Could not evaluate ({len(by_status[Status.ERROR])})",
            "",
            "A check that could not see its data is never reported as passing.",
            "",
        ]
        if by_status[Status.ERROR]:
            out += [_table(head, _Rows(by_status[Status.ERROR], row), max_rows, see), ""]
        if verdict.collection_errors:
            out += [
                _table(
                    (["account"] if many else [])
                    + ["source", "operation", "region", "error", "fix"],
                    [
                        ([e.account_id] if many else [])
                        + [e.source, e.operation, e.region, f"{e.code}: {e.message}", e.hint]
                        for e in verdict.collection_errors
                    ],
                    max_rows,
                    see,
                ),
                "",
            ]
    expiring = verdict.expiring()
    if expiring:
        out += [
            f"### Accepted exceptions expiring within {verdict.expiring_within_days} days "
            f"({len(expiring)})",
            "",
            _table(
                ["check", "resource", "expires", "owner", "reason"],
                _Rows(expiring, _accepted_row),
                max_rows,
                see,
            ),
            "",
        ]
    if verdict.stale:
        out += [
            f"### Stale exceptions ({len(verdict.stale)})",
            "",
            "These match no current failure: the issue is fixed or the resource is gone. "
            "Remove them (`iamgate baseline prune`).",
            "",
            _table(
                ["check", "resource", "where", "owner", "expires"],
                [
                    [e.check, e.resource, e.source, e.owner, f"{e.expires:%Y-%m-%d}"]
                    for e in verdict.stale
                ],
                max_rows,
                see,
            ),
            "",
        ]
    accepted = by_status[Status.ACCEPTED]
    if accepted:
        out += [
            f"<details><summary>Accepted exceptions ({len(accepted)})</summary>",
            "",
            _table(
                ["check", "resource", "expires", "owner", "reason"],
                _Rows(accepted, _accepted_row),
                max_rows,
                see,
            ),
            "",
            "</details>",
            "",
        ]
    # Each check's passes: all its findings less the others, counted in C.
    passed = Counter(map(_CHECK, verdict.findings)) - Counter(map(_CHECK, verdict.non_passing))
    if passed:
        out += [
            f"<details><summary>Passing results ({sum(passed.values())} in "
            f"{len(passed)} checks)</summary>",
            "",
            _table(["check", "resources passing"], sorted(passed.items()), max_rows, see),
            "",
            "</details>",
            "",
        ]
    if verdict.notes:
        out += ["### Notes", "", *[f"- {text(n)}" for n in verdict.notes], ""]
    return "\n".join(out)
