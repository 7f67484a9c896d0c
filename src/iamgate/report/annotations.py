"""GitHub Actions workflow commands (``::error``/``::warning``) for a verdict.

GitHub shows at most 10 error and 10 warning annotations per step and silently drops the rest,
so when there are more, 9 are shown and the 10th says how many more there are: the count is
never the annotation that gets dropped.
"""

from __future__ import annotations

from iamgate.model.results import Finding, Verdict
from iamgate.text import workflow_command as command

MAX_PER_KIND = 10  # GitHub's limit per step, for each of error and warning


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.check, f.resource))


def _capped(kind: str, lines: list[str], more: str) -> list[str]:
    if len(lines) <= MAX_PER_KIND:
        return lines
    rest = len(lines) - (MAX_PER_KIND - 1)
    return [*lines[: MAX_PER_KIND - 1], command(kind, more.format(n=rest))]


def _caused_by(f: Finding) -> str:
    if f.origin is None:
        return ""
    hop = f" (adds the hop {f.origin.hop})" if f.origin.hop else ""
    return f" [caused by {f.origin.describe()}{hop}]"


def _location(f: Finding) -> dict[str, str]:
    """Where GitHub pins the annotation: the template's file and line, when a plan knows it."""
    if f.origin is None or not f.origin.file:
        return {}
    where = {"file": f.origin.file}
    if f.origin.line is not None:
        where["line"] = str(f.origin.line)
    return where


def render_annotations(verdict: Verdict) -> str:
    """One workflow command per line: blocking failures as errors, expiring exceptions as
    warnings. Empty when there is nothing to say."""
    errors = []
    for f in _ordered(verdict.blocking):
        what = "expired exception" if f.status.value == "expired" else "new finding"
        if f.change is not None:
            what = "finding introduced by the change"
        errors.append(
            command(
                "error",
                f"{f.resource}: {f.message}{_caused_by(f)}",
                title=f"iamgate {what}: {f.check} ({f.severity.value})",
                **_location(f),
            )
        )
    warnings = []
    for f in _ordered(verdict.expiring()):
        exc = f.exception
        assert exc is not None  # expiring() only yields accepted findings with an exception
        warnings.append(
            command(
                "warning",
                f"{f.resource}: exception expires on {exc.expires:%Y-%m-%d} "
                f"(owner {exc.owner}, {exc.source}): renew it with a fresh review, or fix it",
                title=f"iamgate exception expiring: {f.check}",
            )
        )
    lines = _capped("error", errors, "… and {n} more new findings (see the job summary)")
    lines += _capped(
        "warning", warnings, "… and {n} more exceptions expiring soon (see the job summary)"
    )
    return "".join(line + "\n" for line in lines)
