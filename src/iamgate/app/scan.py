"""Scanning one account: the baseline chosen (and validated) before any API call, then
collect -> checks -> gate.

``--baseline`` is a file, or a template such as ``baselines/{account_id}.yml`` that is resolved
once the account is known (a missing file then means an empty baseline, and says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from iamgate.app.evaluate import GateOptions, evaluate, for_account, load_checked_baseline
from iamgate.aws.clients import Clients
from iamgate.checks import REGISTRY
from iamgate.collect.org_policies import PolicyReader
from iamgate.collect.snapshot import collect
from iamgate.collect.source import OrganizationReader
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import load_baseline
from iamgate.model.baseline import EMPTY, Baseline
from iamgate.model.config import Config
from iamgate.model.results import Verdict
from iamgate.model.snapshot import Snapshot

Progress = Callable[[str], None]
PLACEHOLDER = "{account_id}"


@dataclass(frozen=True, slots=True)
class AccountBaseline:
    baseline: Baseline
    note: str | None = None  # e.g. "no baseline file ...: every failure is new"


def baseline_for(template: str | None, account_id: str) -> AccountBaseline:
    """The account's baseline from a ``{account_id}`` template; a missing file is empty."""
    if template is None:
        return AccountBaseline(EMPTY)
    if PLACEHOLDER not in template:
        raise InputError(
            f"with several accounts, --baseline must be a template containing {PLACEHOLDER}, "
            "e.g. 'baselines/{account_id}.yml'",
            "--baseline",
        )
    path = Path(template.replace(PLACEHOLDER, account_id))
    if not path.exists():
        return AccountBaseline(
            EMPTY, f"account {account_id}: no baseline file {path}: every failure is new"
        )
    return AccountBaseline(load_checked_baseline(path, account_id))


def is_template(path: Path | None) -> bool:
    return path is not None and PLACEHOLDER in str(path)


@dataclass(frozen=True, slots=True)
class Scanned:
    verdict: Verdict
    snapshot: Snapshot


def collect_account(
    clients: Clients,
    config: Config,
    progress: Progress,
    regions: tuple[str, ...] = (),
    organization: OrganizationReader | None = None,
) -> Snapshot:
    """Collect what ``clients`` reach, as the config's [collect] section says; ``organization``
    reads the SCPs and RCPs over it with other credentials."""
    return collect(
        clients,
        progress,
        config.collect.credential_report_timeout,
        regions,
        max_pages=config.collect.max_pages,
        organization=organization,
        aws_managed=config.collect.aws_managed_policies,
    )


def organization_role_reader(
    clients: Clients, role_arn: str | None, config: Config
) -> PolicyReader | None:
    """``--organization-role``: the SCPs and RCPs read with that role, assumed from the scan's
    own base credentials when they are first needed (a role that cannot be assumed is then a
    collection error, not the end of the scan), its calls counted with the scan's."""
    if not role_arn:
        return None
    options = replace(clients.options, role_arn=role_arn)
    return PolicyReader(
        lambda: Clients(options, clients.counter),
        role_arn=role_arn,
        max_pages=config.collect.max_pages,
    )


def scan_one(
    clients: Clients,
    config: Config,
    options: GateOptions,
    progress: Progress,
    regions: tuple[str, ...] = (),
    on_collected: Callable[[Snapshot], None] = lambda _s: None,
    organization_role: str | None = None,
) -> Scanned:
    """Collect the account ``clients`` reach (its organization's policies with
    ``organization_role`` when given), then gate it on ``options.baseline`` (a file or a
    ``{account_id}`` template)."""
    path = options.baseline
    template = is_template(path)
    # Read (and so validated) before spending API calls; its account is checked once known.
    loaded = load_baseline(path, REGISTRY) if path is not None and not template else None
    reader = organization_role_reader(clients, organization_role, config)
    snapshot = collect_account(clients, config, progress, regions, reader)
    on_collected(snapshot)
    gate = replace(options, baseline=None)
    if template:
        chosen = baseline_for(str(path), snapshot.account_id)
        verdict = evaluate(snapshot, config, gate, chosen.baseline)
        if chosen.note:
            verdict = replace(verdict, notes=(*verdict.notes, chosen.note))
    else:
        checked = for_account(loaded, snapshot.account_id) if loaded is not None else EMPTY
        verdict = evaluate(snapshot, config, gate, checked)
    return Scanned(verdict, snapshot)
