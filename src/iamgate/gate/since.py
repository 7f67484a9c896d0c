"""``--previous``: what appeared, was fixed or was accepted since the last run.

A finding is known by (account, check, resource), the pair a baseline exception matches, per
account. *Appeared*: failing now (``fail`` or ``expired``), not failing then; an exception that
expired overnight makes its finding appear. *Newly accepted*: failing then, accepted now.
*Fixed*: failing then, passing or gone now, but only where this run could have seen it: the
account was scanned, the check ran and did not error there. Otherwise a check that lost its
permissions would make every one of its failures look fixed.

The previous run must be of the same account(s): runs that share no account, or a previous
run newer than this one, are bad input. An organization may gain or lose accounts between two
runs; those that are in only one run are compared as far as they can be (see above).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from iamgate.errors import InputError
from iamgate.model.results import Finding, SinceLastRun, Status, Verdict

_FAILING = (Status.FAIL, Status.EXPIRED)
Key = tuple[str, str, str]


def _key(f: Finding) -> Key:
    return (f.account_id, f.check, f.resource)


def _order(f: Finding) -> tuple[int, str, str, str]:
    return (-f.severity.rank, f.account_id, f.check, f.resource)


def _accounts(verdict: Verdict) -> set[str]:
    return {a.account_id for a in verdict.accounts} or {verdict.account_id}


def compare(previous: Sequence[Verdict], current: Verdict, source: str) -> SinceLastRun:
    """``previous``: the per-account verdicts of the last run's ``results.json``."""
    before_accounts = {v.account_id for v in previous}
    now_accounts = _accounts(current)
    if not before_accounts & now_accounts:
        raise InputError(
            f"is a run of account(s) {', '.join(sorted(before_accounts))}, this run is of "
            f"{', '.join(sorted(now_accounts))}: compare runs of the same account",
            source,
        )
    previous_at = max(v.generated_at for v in previous)
    if previous_at > current.generated_at:
        raise InputError("was generated after this run: is it the previous run's?", source)
    before = {_key(f): f for v in previous for f in v.findings}
    now = {_key(f): f for f in current.findings}
    ran = set(current.checks)
    errored = {(f.account_id, f.check) for f in current.findings if f.status is Status.ERROR}

    def was_failing(key: Key) -> bool:
        old = before.get(key)
        return old is not None and old.status in _FAILING

    def could_see(f: Finding) -> bool:
        return (
            f.account_id in now_accounts
            and f.check in ran
            and (f.account_id, f.check) not in errored
        )

    appeared = [f for f in now.values() if f.status in _FAILING and not was_failing(_key(f))]
    accepted = [f for f in now.values() if f.status is Status.ACCEPTED and was_failing(_key(f))]
    fixed = [
        old
        for key, old in before.items()
        if old.status in _FAILING
        and (key not in now or now[key].status is Status.PASS)
        and could_see(old)
    ]
    return SinceLastRun(
        previous_generated_at=previous_at,
        appeared=tuple(sorted(appeared, key=_order)),
        fixed=tuple(sorted(fixed, key=_order)),
        accepted=tuple(sorted(accepted, key=_order)),
    )


def with_since(verdict: Verdict, previous: Sequence[Verdict], source: str) -> Verdict:
    """The verdict, told what changed since ``previous``."""
    return replace(verdict, since=compare(previous, verdict, source))
