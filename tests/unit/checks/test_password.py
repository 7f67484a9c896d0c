from __future__ import annotations

import pytest

from testing.checks import only, thresholds
from testing.factories import STRONG_POLICY, snap

PASSWORD_CHECKS = [
    "password-policy-present",
    "password-policy-min-length",
    "password-policy-uppercase",
    "password-policy-lowercase",
    "password-policy-numbers",
    "password-policy-symbols",
    "password-policy-max-age",
    "password-policy-reuse-prevention",
    "password-policy-allow-change",
]


@pytest.mark.parametrize("check_id", PASSWORD_CHECKS)
def test_strong_policy_passes_every_check(check_id: str) -> None:
    result = only(snap(password_policy=STRONG_POLICY), check_id)
    assert result.passed is True
    assert result.resource == "arn:aws:iam::123456789012:root"


@pytest.mark.parametrize("check_id", PASSWORD_CHECKS)
def test_absent_policy_fails_every_check_and_says_so(check_id: str) -> None:
    result = only(snap(password_policy=None), check_id)
    assert result.passed is False
    assert "no account password policy" in result.message


@pytest.mark.parametrize(
    ("check_id", "change", "passed"),
    [
        ("password-policy-min-length", {"MinimumPasswordLength": 13}, False),
        ("password-policy-min-length", {"MinimumPasswordLength": 14}, True),
        ("password-policy-uppercase", {"RequireUppercaseCharacters": False}, False),
        ("password-policy-lowercase", {"RequireLowercaseCharacters": False}, False),
        ("password-policy-numbers", {"RequireNumbers": False}, False),
        ("password-policy-symbols", {"RequireSymbols": False}, False),
        # moto and AWS report an unset maximum age as 0: "never expires".
        ("password-policy-max-age", {"MaxPasswordAge": 0}, False),
        ("password-policy-max-age", {"MaxPasswordAge": 91}, False),
        ("password-policy-max-age", {"MaxPasswordAge": 90}, True),
        ("password-policy-max-age", {"MaxPasswordAge": 30}, True),
        ("password-policy-reuse-prevention", {"PasswordReusePrevention": 0}, False),
        ("password-policy-reuse-prevention", {"PasswordReusePrevention": 23}, False),
        ("password-policy-reuse-prevention", {"PasswordReusePrevention": 24}, True),
        ("password-policy-allow-change", {"AllowUsersToChangePassword": False}, False),
    ],
)
def test_each_setting_on_both_sides(check_id: str, change: dict[str, object], passed: bool) -> None:
    policy = {**STRONG_POLICY, **change}
    assert only(snap(password_policy=policy), check_id).passed is passed


def test_missing_keys_mean_unset() -> None:
    result = only(snap(password_policy={"MinimumPasswordLength": 20}), "password-policy-max-age")
    assert result.passed is False
    assert "never expire" in result.message


def test_thresholds_come_from_config() -> None:
    policy = {**STRONG_POLICY, "MinimumPasswordLength": 10}
    assert only(snap(password_policy=policy), "password-policy-min-length").passed is False
    relaxed = thresholds(password_min_length=10)
    result = only(snap(password_policy=policy), "password-policy-min-length", relaxed)
    assert result.passed is True
    assert "required >= 10" in result.message
