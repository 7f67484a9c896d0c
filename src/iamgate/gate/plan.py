"""A plan's verdict compared with the account before the change: what the change introduces,
fixes and leaves unchanged, and which change causes each.

Compared on the checks' raw verdicts, per (check, resource): *introduced* is failing (or not
evaluable) after and not before; *fixed* is failing before and passing or gone after, but only
for checks that ran after the change and could see (a check that errors after fixes nothing);
everything else is *unchanged*, and so are the checks the change cannot touch (they keep the
snapshot's verdicts). A baseline exception still decides a finding's status; only introduced
findings that are not accepted fail a plan (``Verdict.blocking``).

The cause: the change that touched the finding's resource; else the first changed principal or
policy its message names (a group a grant comes through, a hop of an escalation path, where the
hop is quoted). A value the change could only assume is said beside the findings it causes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from iamgate.model.results import (
    Change,
    CheckInfo,
    Finding,
    Origin,
    PlanComparison,
    Result,
    Severity,
    Status,
    Verdict,
)

_RAW_FAILING = (Status.FAIL, Status.EXPIRED, Status.ACCEPTED)
_NAME_CHARS = r"[\w+=,.@-]"
_HOP = " → "  # how the escalation graph writes a path (policy/escalation/graph.py)


@dataclass(frozen=True, slots=True)
class PlanInput:
    """What the comparison needs besides the verdict after the change."""

    sources: tuple[str, ...]
    changes: int
    before: Sequence[Result]  # every selected check's raw results on the account before
    rerun: frozenset[str]  # the checks judged again on the account after
    touched: Mapping[str, tuple[Origin, ...]]  # ARN (or inline policy id) -> its changes
    assumed: Mapping[str, tuple[str, ...]]  # origin address -> values it could only assume
    checks: Mapping[str, CheckInfo]


def compare_plan(verdict: Verdict, plan: PlanInput) -> Verdict:
    """``verdict`` (the account after) with each finding's change and cause, and the plan's
    introduced and fixed findings."""
    before = {(r.check, r.resource): r.passed for r in plan.before}
    causes = _Causes(plan.touched, plan.assumed)
    blind = sorted(
        {
            f.check
            for f in verdict.findings
            if f.check in plan.rerun and f.status is Status.ERROR and f.resource_type == "account"
        }
    )
    findings: list[Finding] = []
    unchanged = Change.UNCHANGED
    for f in verdict.findings:
        change = _change(f, before, plan.rerun)
        marked = _marked(f, change)
        findings.append(marked if change is unchanged else causes.explain(marked))
    after = {(f.check, f.resource) for f in findings}
    gone = [
        r
        for r in plan.before
        if r.passed is False
        and r.check in plan.rerun
        and r.check not in blind
        and (r.check, r.resource) not in after
    ]
    fixed_gone = [causes.explain(_as_fixed(r, plan.checks, verdict.account_id)) for r in gone]
    order = _order
    comparison = PlanComparison(
        sources=plan.sources,
        changes=plan.changes,
        introduced=tuple(sorted((f for f in findings if f.change is Change.INTRODUCED), key=order)),
        fixed=tuple(
            sorted([*(f for f in findings if f.change is Change.FIXED), *fixed_gone], key=order)
        ),
        blind=tuple(blind),
    )
    return dataclasses.replace(verdict, findings=tuple(findings), plan=comparison)


def _marked(f: Finding, change: Change) -> Finding:
    """``f`` with its change (``dataclasses.replace`` costs several times more, per finding of
    an account's hundred thousand)."""
    return Finding(
        f.check,
        f.resource,
        f.resource_type,
        f.status,
        f.severity,
        f.title,
        f.message,
        f.account_id,
        f.exception,
        change,
    )


def _change(
    f: Finding, before: Mapping[tuple[str, str], bool | None], rerun: frozenset[str]
) -> Change:
    if f.check not in rerun:
        return Change.UNCHANGED
    was = before.get((f.check, f.resource), True)
    if f.status in _RAW_FAILING:
        return Change.UNCHANGED if was is False else Change.INTRODUCED
    if f.status is Status.ERROR:
        return Change.UNCHANGED if was is None else Change.INTRODUCED
    return Change.FIXED if was is False else Change.UNCHANGED


def _as_fixed(r: Result, checks: Mapping[str, CheckInfo], account: str) -> Finding:
    """A finding whose resource the change deletes, as it was before."""
    info = checks.get(r.check) or CheckInfo(r.check, r.check, Severity.INFO)
    return Finding(
        check=r.check,
        resource=r.resource,
        resource_type=r.resource_type,
        status=Status.PASS,
        severity=info.severity,
        title=info.title,
        message=f"gone after the change (it was: {r.message})",
        account_id=r.account_id or account,
        change=Change.FIXED,
    )


def _order(f: Finding) -> tuple[int, str, str]:
    return (-f.severity.rank, f.check, f.resource)


def short_name(arn: str) -> str:
    """``arn:aws:iam::1:role/path/name`` -> ``role/name``, as messages name principals."""
    resource = arn.split(":", 5)[-1] if arn.startswith("arn:") else arn
    kind, _, rest = resource.partition("/")
    return f"{kind}/{rest.rsplit('/', 1)[-1]}" if rest else resource


class _Causes:
    """Which change causes a finding: by its resource, else by the first changed name its
    message holds."""

    def __init__(
        self, touched: Mapping[str, tuple[Origin, ...]], assumed: Mapping[str, tuple[str, ...]]
    ):
        self.touched = touched
        self.assumed = assumed
        self.by_name: dict[str, tuple[Origin, ...]] = {}
        for arn, origins in touched.items():
            if "#inline/" in arn or not arn.startswith("arn:"):
                continue
            name = short_name(arn)
            self.by_name.setdefault(name, origins)
            kind, _, bare = name.partition("/")
            if kind == "group":  # "(via group ops)"
                self.by_name.setdefault(f"group {bare}", origins)
        names = sorted(self.by_name, key=len, reverse=True)
        self.pattern = (
            re.compile(rf"(?<!{_NAME_CHARS})(?:{'|'.join(map(re.escape, names))})(?!{_NAME_CHARS})")
            if names
            else None
        )

    def explain(self, f: Finding) -> Finding:
        origin = self._direct(f.resource)
        if origin is None and self.pattern is not None:
            found = self.pattern.search(f.message)
            if found is not None:
                origin = self.by_name[found.group(0)][0]
        if origin is None:
            return f
        hop = _hop(f.message, self.pattern) if self.pattern is not None else ""
        if hop:
            origin = dataclasses.replace(origin, hop=hop)
        notes = self.assumed.get(origin.address, ())
        message = f.message
        if notes and f.change is Change.INTRODUCED:
            message = f"{message} [assumed: {'; '.join(notes)}]"
        return dataclasses.replace(f, origin=origin, message=message)

    def _direct(self, resource: str) -> Origin | None:
        for key in (resource, resource.partition("#inline/")[0]):
            origins = self.touched.get(key)
            if origins:
                return origins[0]
        return None


def _hop(message: str, pattern: re.Pattern[str]) -> str:
    """In an escalation path (``a → how → b → how → c``), the first hop whose means or target
    names a changed principal or policy: ``a → how → b``."""
    if _HOP not in message:
        return ""
    parts = message.split(_HOP)
    for k in range(1, len(parts) - 1, 2):
        how, target = parts[k], parts[k + 1]
        if pattern.search(how) or pattern.search(target):
            source = parts[k - 1].rsplit(": ", 1)[-1] if k == 1 else parts[k - 1]
            return _HOP.join((source, how, target))
    return ""


def introduced_errors(
    unresolved: Iterable[tuple[Origin, str, str]], checks: Iterable[str], account_arn: str
) -> list[Result]:
    """``error`` results for what the change could not work out: (origin, reason, resource)
    for each check that reads what it touches."""
    out = []
    for origin, reason, resource in unresolved:
        for check in checks:
            out.append(
                Result(
                    check,
                    resource or account_arn,
                    "account" if not resource else "change",
                    None,
                    f"not evaluated: {origin.describe()}: {reason}",
                )
            )
    return out
