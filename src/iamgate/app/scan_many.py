"""Scanning many accounts: assume a role in each, a bounded pool, per-account baselines.

Each account goes through the same collect -> checks -> gate path as a single scan and ends
as its own ``Verdict``; ``gate.combine`` joins them. An account that cannot be reached
(role denied, throttled past retries, wrong account behind the role) becomes a snapshot in
which every source failed: each selected check reports ``error`` for it, so it can never pass,
and the other accounts are unaffected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from iamgate.app.evaluate import GateOptions, evaluate
from iamgate.app.scan import AccountBaseline, baseline_for, collect_account
from iamgate.aws.clients import AwsOptions, Clients
from iamgate.collect.org_policies import PolicyReader
from iamgate.collect.pool import map_promptly
from iamgate.collect.source import OrganizationReader
from iamgate.errors import CollectError, IamgateError, InputError
from iamgate.gate.combine import combine
from iamgate.model.config import Config
from iamgate.model.results import Verdict
from iamgate.model.snapshot import CollectionError, Snapshot, Source
from iamgate.model.targets import DEFAULT_JOBS, AccountTarget

Progress = Callable[[str], None]


def unreachable(account_id: str, region: str, operation: str, message: str) -> Snapshot:
    """A snapshot in which every source failed: each check reports ``error`` for the account."""
    errors = tuple(
        CollectionError(
            source.value,
            operation,
            region,
            "AccountUnreachable" if operation != "AssumeRole" else "AssumeRoleFailed",
            message,
            account_id=account_id,
        )
        for source in Source
    )
    # The account-level error is listed once; the per-source copies only route it to checks.
    return Snapshot(account_id=account_id, collected_at=datetime.now(UTC), errors=errors)


def scan_account(
    target: AccountTarget,
    aws: AwsOptions,
    config: Config,
    options: GateOptions,
    baseline: AccountBaseline,
    progress: Progress,
    regions: tuple[str, ...] = (),
    organization: OrganizationReader | None = None,
) -> Verdict:
    region = aws.region or "us-east-1"
    opts = replace(aws, role_arn=target.role_arn)
    try:
        clients = Clients(opts)
        region = clients.region
        snapshot = collect_account(clients, config, progress, regions, organization)
        if snapshot.account_id != target.account_id:
            raise CollectError(
                f"expected account {target.account_id}, but the credentials reach account "
                f"{snapshot.account_id} (check the role ARN)"
            )
    except CollectError as exc:
        operation = "AssumeRole" if "cannot assume" in str(exc) else "GetCallerIdentity"
        progress(f"account {target.account_id}: {exc}")
        snapshot = unreachable(target.account_id, region, operation, str(exc))
        verdict = evaluate(snapshot, config, options, baseline=baseline.baseline)
        # Nothing was seen: --allow-partial cannot turn this account into a pass.
        verdict = replace(verdict, allow_partial=False, collection_errors=snapshot.errors[:1])
    else:
        verdict = evaluate(snapshot, config, options, baseline=baseline.baseline)
    if baseline.note:
        verdict = replace(verdict, notes=(*verdict.notes, baseline.note))
    return verdict


def organization_reader(
    aws: AwsOptions, config: Config, read_as_caller: bool, role_arn: str | None = None
) -> PolicyReader | None:
    """One reader of the organization's SCPs and RCPs for every account of a scan, so each
    root, OU and policy is read once: with ``--organization-role`` when given, else with the
    caller's credentials when the caller listed the organization (``read_as_caller``: the
    management account or a delegated administrator). None: each account reads its own when
    it is the management account, and a member says they were not read."""
    max_pages = config.collect.max_pages
    if role_arn:
        with_role = replace(aws, role_arn=role_arn)
        return PolicyReader(lambda: Clients(with_role), role_arn=role_arn, max_pages=max_pages)
    if read_as_caller:
        caller = replace(aws, role_arn=None)
        return PolicyReader(lambda: Clients(caller), max_pages=max_pages)
    return None


def scan_accounts(
    targets: Sequence[AccountTarget],
    aws: AwsOptions,
    config: Config,
    options: GateOptions,
    baseline_template: str | None,
    jobs: int = DEFAULT_JOBS,
    progress: Progress | None = None,
    regions: tuple[str, ...] = (),
    organization: OrganizationReader | None = None,
) -> Verdict:
    """Every target through collect -> checks -> gate, ``jobs`` at a time; ``organization``
    (one reader for all) hands each account the SCPs and RCPs over it."""
    if jobs < 1:
        raise InputError("must be at least 1", "--jobs")
    say = progress or (lambda _m: None)
    # Every baseline is read before the first API call: a malformed one is bad input (exit 2).
    baselines = {t.account_id: baseline_for(baseline_template, t.account_id) for t in targets}
    lock = threading.Lock()

    def one(target: AccountTarget) -> Verdict:
        def tagged(message: str) -> None:
            with lock:
                say(f"[{target.account_id}] {message}")

        try:
            baseline = baselines[target.account_id]
            return scan_account(
                target, aws, config, options, baseline, tagged, regions, organization
            )
        except IamgateError:
            raise
        except Exception as exc:  # one account's surprise must not lose the others
            snapshot = unreachable(
                target.account_id, aws.region or "us-east-1", "Scan", f"{type(exc).__name__}: {exc}"
            )
            verdict = evaluate(
                snapshot, config, options, baseline=baselines[target.account_id].baseline
            )
            return replace(verdict, allow_partial=False, collection_errors=snapshot.errors[:1])

    # A stop (SIGTERM, Ctrl-C) does not wait for the accounts being scanned.
    verdicts = map_promptly(one, targets, min(jobs, max(1, len(targets))))
    return combine(verdicts)
