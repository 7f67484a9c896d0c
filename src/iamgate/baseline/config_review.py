"""What a change to ``iamgate.toml`` does to the gate, for the baseline review.

The configuration decides how baselines are judged (``[baseline] max_expiry_days``) and how much
the gate lets through (``[gate] fail_on``, the ``[thresholds]``, trusted accounts and owners).
A pull request could relax them beside its baseline change, or alone. ``baseline diff`` therefore
judges the head's baselines with the **base branch's** configuration (a pull request cannot relax
its own review), and shows every setting the pull request changes, the relaxing ones among what
needs security review.

Pure: two configurations in, the changes out.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamgate.model.config import Config
from iamgate.model.results import Severity

# Settings whose larger value lets more through (longer ages, later expiry, fewer warnings are
# the smaller ones below).
_LOOSER_WHEN_HIGHER = frozenset(
    {
        "baseline.max_expiry_days",
        "thresholds.access_key_max_age_days",
        "thresholds.credentials_unused_days",
        "thresholds.password_max_age_days",
        "thresholds.user_inactive_days",
        "thresholds.root_recent_use_days",
    }
)
_LOOSER_WHEN_LOWER = frozenset(
    {
        "thresholds.password_min_length",
        "thresholds.password_reuse_prevention",
        "gate.expiring_within_days",
    }
)


@dataclass(frozen=True, slots=True)
class ConfigChange:
    name: str  # section.key
    old: object
    new: object
    relaxes: bool  # the gate or the review lets more through


def _relaxes(name: str, old: object, new: object) -> bool:
    if name == "gate.fail_on":  # a higher threshold fails on fewer findings
        return Severity(str(new)).rank > Severity(str(old)).rank
    if name in _LOOSER_WHEN_HIGHER:
        return int(str(new)) > int(str(old))
    if name in _LOOSER_WHEN_LOWER:
        return int(str(new)) < int(str(old))
    if name == "trust.trusted_accounts":  # more accounts trusted
        return bool(set(_items(new)) - set(_items(old)))
    if name == "trust.oidc_owners":  # more owners trusted, or none named (then any owner)
        return bool(set(_items(new)) - set(_items(old))) or (bool(_items(old)) and not _items(new))
    if name == "monitoring.require_metric_filters":
        return old is True and new is False
    return False  # [collect]: how the account is read, not what passes


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def config_changes(base: Config, head: Config) -> list[ConfigChange]:
    """Every setting that differs between the two configurations, in file order."""
    old = {name: value for name, value, _ in base.overrides()}
    new = {name: value for name, value, _ in head.overrides()}
    defaults = {name: default for name, _, default in [*base.overrides(), *head.overrides()]}
    changes = []
    for name in dict.fromkeys([*old, *new]):
        before, after = old.get(name, defaults[name]), new.get(name, defaults[name])
        if before != after:
            changes.append(ConfigChange(name, before, after, _relaxes(name, before, after)))
    return changes
