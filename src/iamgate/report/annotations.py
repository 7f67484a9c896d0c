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


def render_annotations(verdict: Verdict) -> str:
    """One workflow command per line: blocking failures as errors, expiring exceptions as
    warnings. Empty when there is nothing to say."""
    errors = []
    for f in _ordered(verdict.blocking):
        what = "expired exception" if f.status.value == "expired" else "new finding"
        errors.append(
            command(
                "error",
                f"{f.resource}: {f.message}",
                title=f"iamgate {what}: {f.check} ({f.severity.value})",
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
