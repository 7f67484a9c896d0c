"""``baseline init``: a baseline that accepts today's failures, with placeholders that
``lint`` rejects until a person fills them in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from iamgate.baseline.lint import PLACEHOLDER_OWNER, PLACEHOLDER_REASON
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import render_baseline
from iamgate.formats.times import days_after
from iamgate.model.results import Status, Verdict

_ACCEPTABLE = (Status.FAIL, Status.EXPIRED, Status.ACCEPTED)


def init_from_verdicts(
    verdicts: Sequence[Verdict], *, today: date, horizon_days: int, source: str = "results"
) -> str:
    """A baseline accepting every failure of one account's verdict, with placeholders that
    ``lint`` rejects until a person fills them in. Exceptions that were already accepted keep
    their reason, owner and ticket."""
    if len(verdicts) != 1 or not re.fullmatch(r"\d{12}", verdicts[0].account_id):
        raise InputError(
            "results have no single 12-digit account_id: run init on one account's results",
            source,
        )
    verdict = verdicts[0]
    account = verdict.account_id
    expires = days_after(today, horizon_days)
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for f in verdict.findings:
        if f.status not in _ACCEPTABLE or f.account_id not in (account, ""):
            continue
        entry: dict[str, Any] = {
            "check": f.check,
            "resource": f.resource,
            "reason": PLACEHOLDER_REASON,
            "owner": PLACEHOLDER_OWNER,
            "expires": expires,
        }
        exc = f.exception
        if f.status is Status.ACCEPTED and exc is not None:
            entry.update(reason=exc.reason, owner=exc.owner, ticket=exc.ticket)
            entry["expires"] = min(expires, exc.expires)
        chosen.setdefault((f.check, f.resource), entry)
    header = (
        f"Baseline for account {account}, written by `iamgate baseline init` on {today}.\n"
        "Every exception needs a real reason and owner before `iamgate baseline lint` passes:\n"
        "fix what you can instead of accepting it."
    )
    return render_baseline(account, [chosen[k] for k in sorted(chosen)], header)
