"""Snapshot -> verdict: run the selected checks and gate their results on the baseline. Shared
by ``scan``, ``evaluate``, multi-account scans and the demo."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from iamgate import __version__
from iamgate.app.batch import without_cycle_collection
from iamgate.checks import REGISTRY, catalogue, select_checks
from iamgate.checks.runner import iter_checks
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import load_baseline
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import EMPTY, Baseline
from iamgate.model.config import Config
from iamgate.model.org_policies import OrganizationPolicies, PolicyType
from iamgate.model.results import Result, Severity, Verdict
from iamgate.model.snapshot import AnalyzerRegion, Snapshot, Source
from iamgate.policy.organization import read_bounds


@dataclass(frozen=True, slots=True)
class GateOptions:
    baseline: Path | None = None
    fail_on: Severity | None = None  # None: the config's (default low)
    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()
    allow_partial: bool = False
    as_of: date | None = None  # the day exception expiry is judged on (default: today, UTC)


def load_checked_baseline(path: Path | None, account_id: str) -> Baseline:
    if path is None:
        return EMPTY
    return for_account(load_baseline(path, REGISTRY), account_id)


def for_account(baseline: Baseline, account_id: str) -> Baseline:
    """The baseline, if it is the scanned account's; bad input (file and line) otherwise."""
    if baseline.account != account_id:
        raise InputError(
            f"baseline is for account {baseline.account}, but the scanned account is {account_id}",
            baseline.source,
            baseline.account_line,
        )
    return baseline


def config_notes(config: Config) -> list[str]:
    return [
        f"{name} = {value} (default {default}) from {config.source}"
        for name, value, default in config.overrides()
    ]


# A credential report this much older than the snapshot is said in the summary: changes to
# credentials since it was generated are not in it (AWS reuses a report for up to four hours).
REPORT_AGE_NOTE = timedelta(minutes=5)


def snapshot_notes(snapshot: Snapshot) -> list[str]:
    """What the summary must say about the data itself: that it is the account as a plan would
    leave it, an old credential report, whether the organization's policies were read."""
    return [
        *projection_notes(snapshot),
        *_report_age_notes(snapshot),
        organization_note(snapshot),
    ]


def _report_age_notes(snapshot: Snapshot) -> list[str]:
    notes: list[str] = []
    generated = snapshot.credential_report_generated_at
    if generated is None or snapshot.collected_at - generated <= REPORT_AGE_NOTE:
        return notes
    age = snapshot.collected_at - generated
    hours, minutes = divmod(int(age.total_seconds()) // 60, 60)
    return [
        *notes,
        f"the credential report was generated at {generated:%Y-%m-%d %H:%M} UTC, {hours} h "
        f"{minutes:02d} min before this snapshot: credential changes since then are not in it "
        "(AWS reuses a report for up to 4 hours; users created since are reported as errors)",
    ]


def projection_notes(snapshot: Snapshot) -> list[str]:
    """A projected snapshot says so, and says what it could only assume."""
    projection = snapshot.projection
    if projection is None:
        return []
    files = ", ".join(projection.sources) or "no file"
    return [
        f"this is the account as {files} would leave it ({projection.changes} IAM resource "
        f"changes applied to the snapshot of {snapshot.collected_at:%Y-%m-%d %H:%M} UTC), not "
        "an account that was read",
        *(f"assumed: {note}" for note in projection.assumptions),
        *(f"not worked out: {note}" for note in projection.unresolved),
    ]


NOT_READ = "organization policies were not read: access is judged by IAM policies alone"
NOT_APPLIED = "access is judged by IAM policies alone"
APPLIED = (
    "applied: SCPs to what its users and roles may do (not its service-linked roles), "
    "RCPs to who may assume its roles"
)


def organization_note(snapshot: Snapshot) -> str:
    """Whether the SCPs and RCPs over the account were read, and which: every report says it,
    as verdicts without them are judged by IAM policies alone."""
    policies = snapshot.organization_policies
    if policies is None:
        return f"{NOT_READ} ({_why_unread(snapshot)})"
    if policies.organization_id is None:
        return f"account {snapshot.account_id} is in no AWS Organization: no SCP or RCP applies"
    where = policies.organization_id
    if policies.read_with:
        where += f", read with {policies.read_with}"
    read = "; ".join(_read_of(policies, t) for t in PolicyType)
    if policies.exempt(snapshot.account_id):
        return (
            f"organization policies were read for account {snapshot.account_id} ({where}): "
            f"{read}; it is the management account: no SCP or RCP applies to it"
        )
    _bounds, problem = read_bounds(policies, snapshot.account_id)
    applied = f"not applied: {problem}: {NOT_APPLIED}" if problem else APPLIED
    return (
        f"organization policies were read for account {snapshot.account_id} ({where}): {read}; "
        f"{applied}"
    )


def _why_unread(snapshot: Snapshot) -> str:
    if snapshot.organization_policies_unread:
        return snapshot.organization_policies_unread
    failed = snapshot.errors_for([Source.ORGANIZATION_POLICIES])
    if failed:
        return f"{failed[0].operation} failed: {failed[0].code}; see the collection errors"
    return "not collected"


def _read_of(policies: OrganizationPolicies, policy_type: PolicyType) -> str:
    """``SCPs deny-iam (ou-ab12-cdefgh12), deny-x (account 111111111111)``: the organization's
    own policies and where each is attached; the AWS-managed ones (FullAWSAccess,
    RCPFullAWSAccess) are named only when nothing else is attached."""
    short = policy_type.short
    if not policies.is_enabled(policy_type):
        return f"{short}s not enabled (none apply)"
    placed = [(p, lv) for lv in policies.chain for p in lv.attached(policy_type)]
    own = [(p, lv) for p, lv in placed if not p.aws_managed]
    if not own:
        managed = ", ".join(dict.fromkeys(p.name for p, _lv in placed))
        return f"{short}s: only the AWS-managed {managed}"
    # A name need not be unique: the id follows a name two policies share.
    names = Counter({p.id: p.name for p, _lv in own}.values())
    return f"{short}s " + ", ".join(
        f"{p.name}{f' [{p.id}]' if names[p.name] > 1 else ''} ({lv.label})" for p, lv in own
    )


def with_exported_findings(snapshot: Snapshot, exported: AnalyzerRegion) -> Snapshot:
    """The snapshot with exported Access Analyzer findings; they replace the collected ones."""
    regions = (*(r for r in snapshot.access_analyzer if not r.export), exported)
    return dataclasses.replace(snapshot, access_analyzer=regions)


def evaluate(
    snapshot: Snapshot, config: Config, options: GateOptions, baseline: Baseline | None = None
) -> Verdict:
    """``baseline`` (already loaded, e.g. per account) takes the place of ``options.baseline``."""
    selected = select_checks(options.checks, options.skip_checks)
    if baseline is None:
        baseline = load_checked_baseline(options.baseline, snapshot.account_id)
    with without_cycle_collection():  # a result and a finding per resource (app/batch.py)
        return _gate(snapshot, config, options, baseline, selected)


def _gate(
    snapshot: Snapshot,
    config: Config,
    options: GateOptions,
    baseline: Baseline,
    selected: list[str],
) -> Verdict:
    results = iter_checks(snapshot, config, selected)  # gated as they are made
    return gate_results(results, snapshot, config, options, baseline, selected)


def gate_results(
    results: Iterable[Result],
    snapshot: Snapshot,
    config: Config,
    options: GateOptions,
    baseline: Baseline,
    selected: Sequence[str],
) -> Verdict:
    """The selected checks' results on ``snapshot``, gated on the baseline."""
    info = catalogue()
    now = datetime.now(UTC)
    return apply_baseline(
        results,
        baseline,
        today=options.as_of or now.date(),
        generated_at=now,
        account_id=snapshot.account_id,
        fail_on=options.fail_on or config.gate.fail_on,
        allow_partial=options.allow_partial,
        expiring_within_days=config.gate.expiring_within_days,
        collection_errors=snapshot.errors,
        notes=[*config_notes(config), *snapshot_notes(snapshot)],
        tool_version=__version__,
        checks=[info[c] for c in selected],
    )
