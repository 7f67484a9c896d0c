"""The settings a run is judged with: thresholds, gate, baseline horizon, collection, trust.

Defaults follow the CIS AWS Foundations Benchmark. Read from ``iamgate.toml`` by
``iamgate.formats.config_toml``; a changed value is never silent (``Config.overrides``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from iamgate.model.results import Severity


@dataclass(frozen=True, slots=True)
class Thresholds:
    access_key_max_age_days: int = 90
    credentials_unused_days: int = 45
    password_min_length: int = 14
    password_reuse_prevention: int = 24
    password_max_age_days: int = 90
    user_inactive_days: int = 90
    root_recent_use_days: int = 30


@dataclass(frozen=True, slots=True)
class GateSettings:
    fail_on: Severity = Severity.LOW
    expiring_within_days: int = 30  # accepted exceptions this close to expiry are flagged


@dataclass(frozen=True, slots=True)
class BaselineSettings:
    max_expiry_days: int = 90  # the horizon: no exception may be accepted for longer


@dataclass(frozen=True, slots=True)
class CollectSettings:
    max_attempts: int = 8  # requests per API call, the first one included
    retry_mode: str = "adaptive"  # botocore retry mode: adaptive, standard or legacy
    max_backoff_seconds: int = 20  # cap on the sleep between retries (botocore's default: 20)
    connect_timeout: int = 10
    read_timeout: int = 60
    credential_report_timeout: int = 120  # seconds to wait for the report to be generated
    max_pages: int = 2000  # pages per paginated call before it is stopped as endless
    # AWS-managed policies whose documents every snapshot records, attached or not, so that
    # `iamgate plan --snapshot` can judge a change that attaches one for the first time.
    aws_managed_policies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TrustSettings:
    # Other accounts of the organization that roles may trust (role-trust-external-account).
    trusted_accounts: tuple[str, ...] = ()
    # The CI/OIDC owners that are yours, "<provider>:<owner>[/<path>]" ("github:my-org"): a
    # web identity trust pinned to another owner fails role-trust-federated-subject. Empty: any.
    oidc_owners: tuple[str, ...] = ()


# The providers an oidc_owners entry may name (policy/providers.py reads each one's subjects).
OIDC_OWNER_PROVIDERS = ("github", "gitlab", "terraform", "buildkite", "circleci", "bitbucket")


@dataclass(frozen=True, slots=True)
class MonitoringSettings:
    # Only CloudWatch Logs metric filters with alarms satisfy the alert checks (the CIS reading);
    # otherwise an EventBridge rule with a target does too.
    require_metric_filters: bool = False


@dataclass(frozen=True, slots=True)
class CheckSettings:
    # role-unused: a role not used for longer than this fails. At most 400: AWS reports a role's
    # last use for the trailing 400 days only (RoleLastUsed), so a longer window cannot be seen.
    role_unused_days: int = 90


ROLE_LAST_USED_WINDOW_DAYS = 400


@dataclass(frozen=True, slots=True)
class Config:
    thresholds: Thresholds = field(default_factory=Thresholds)
    gate: GateSettings = field(default_factory=GateSettings)
    baseline: BaselineSettings = field(default_factory=BaselineSettings)
    collect: CollectSettings = field(default_factory=CollectSettings)
    trust: TrustSettings = field(default_factory=TrustSettings)
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    checks: CheckSettings = field(default_factory=CheckSettings)
    source: str | None = None

    def overrides(self) -> list[tuple[str, Any, Any]]:
        """(name, value, default) for every setting that differs from the default."""
        default = Config()
        changed = []
        for section in SECTIONS:
            mine, theirs = getattr(self, section), getattr(default, section)
            for f in dataclasses.fields(mine):
                value, base = getattr(mine, f.name), getattr(theirs, f.name)
                if value != base:
                    changed.append((f"{section}.{f.name}", _plain(value), _plain(base)))
        return changed


SECTIONS = ("thresholds", "gate", "baseline", "collect", "trust", "monitoring", "checks")


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value.value if isinstance(value, Severity) else value
