"""What a change to iamgate.toml does to the gate (issue 24): every relaxing change beside the
nearly identical tightening one."""

from __future__ import annotations

import pytest

from iamgate.baseline.config_review import config_changes
from iamgate.formats.config_toml import read_config

# (section and key, base value, relaxing value, tightening value)
PAIRS = [
    ("baseline", "max_expiry_days", "90", "365", "30"),
    ("gate", "fail_on", '"medium"', '"high"', '"low"'),
    ("gate", "expiring_within_days", "30", "7", "60"),
    ("thresholds", "access_key_max_age_days", "90", "180", "60"),
    ("thresholds", "password_min_length", "14", "8", "16"),
    ("trust", "trusted_accounts", '["111111111111"]', '["111111111111", "222222222222"]', "[]"),
    ("trust", "oidc_owners", '["github:a", "github:b"]', "[]", '["github:a"]'),
    ("monitoring", "require_metric_filters", "true", "false", "true"),
]


@pytest.mark.parametrize(("section", "key", "base", "looser", "stricter"), PAIRS)
def test_a_relaxing_change_is_called_out_and_a_tightening_one_is_not(
    section: str, key: str, base: str, looser: str, stricter: str
) -> None:
    def config(value: str) -> object:
        return read_config(f"[{section}]\n{key} = {value}\n", "iamgate.toml")

    (change,) = config_changes(config(base), config(looser))  # type: ignore[arg-type]
    assert change.name == f"{section}.{key}"
    assert change.relaxes
    assert all(not c.relaxes for c in config_changes(config(base), config(stricter)))  # type: ignore[arg-type]


def test_collection_settings_are_shown_but_relax_nothing() -> None:
    base = read_config("", "a")
    head = read_config("[collect]\nmax_attempts = 3\n", "b")
    (change,) = config_changes(base, head)
    assert (change.name, change.old, change.new, change.relaxes) == (
        "collect.max_attempts",
        8,
        3,
        False,
    )
    assert config_changes(head, head) == []
