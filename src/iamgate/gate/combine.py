"""Several accounts' verdicts as one: what a multi-account scan and ``merge`` report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from iamgate.model.results import COUNT_KEYS, Verdict


def combine(verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict over several accounts: the union of their findings, the worst status.

    Each account keeps its own verdict (baseline, errors, counts) in ``accounts``; reporters
    show them per account. Accounts are sorted by id so every run lists them alike.
    """
    if not verdicts:
        raise ValueError("no verdicts to combine")
    ordered = tuple(sorted(verdicts, key=lambda v: v.account_id))
    first = ordered[0]
    counts = {k: sum(v.counts.get(k, 0) for v in ordered) for k in COUNT_KEYS}
    return Verdict(
        account_id=first.account_id if len(ordered) == 1 else "",
        generated_at=max(v.generated_at for v in ordered),
        today=first.today,
        findings=tuple(f for v in ordered for f in v.findings),
        stale=tuple(e for v in ordered for e in v.stale),
        collection_errors=tuple(
            e if e.account_id else replace(e, account_id=v.account_id)
            for v in ordered
            for e in v.collection_errors
        ),
        fail_on=first.fail_on,
        allow_partial=first.allow_partial,
        expiring_within_days=first.expiring_within_days,
        notes=tuple(dict.fromkeys(n for v in ordered for n in v.notes)),
        tool_version=first.tool_version,
        checks=tuple(dict.fromkeys(c for v in ordered for c in v.checks)),
        counts=counts,
        accounts=ordered,
    )
