"""role-unused: near-miss pairs around the threshold, the role's age, service-linked roles and
the 400-day window of RoleLastUsed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from iamgate.errors import InputError
from iamgate.formats.config_toml import load_config
from iamgate.model.config import CheckSettings, Config
from iamgate.model.snapshot import Role
from testing.checks import only, run
from testing.factories import ago, role, snap

CHECK = "role-unused"


def aged(
    name: str = "app", *, created: float = 500, used: float | None = None, **kw: object
) -> Role:
    base = role(name)
    return replace(
        base,
        create_date=ago(created),
        last_used=None if used is None else ago(used),
        **kw,  # type: ignore[arg-type]
    )


def judged(r: Role, config: Config | None = None) -> tuple[bool | None, str]:
    result = only(snap(roles=(r,)), CHECK, config)
    return result.passed, result.message


@pytest.mark.parametrize(("used", "passed"), [(89, True), (90, True), (91, False)])
def test_last_use_around_the_threshold(used: float, passed: bool) -> None:
    ok, message = judged(aged(used=used, last_used_region="eu-west-1"))
    assert ok is passed
    assert "eu-west-1" in message
    assert f"{used} days ago" in message


def test_the_threshold_comes_from_the_config() -> None:
    role_91 = aged(used=91)
    assert judged(role_91)[0] is False
    assert judged(role_91, Config(checks=CheckSettings(role_unused_days=120)))[0] is True


def test_never_seen_in_the_window_says_400_days_not_never() -> None:
    ok, message = judged(aged(created=800))
    assert ok is False
    assert "not used in the last 400 days" in message
    assert "never" not in message


def test_a_role_younger_than_the_window_names_its_own_age() -> None:
    ok, message = judged(aged(created=200))
    assert ok is False
    assert "not used in the last 200 days" in message


@pytest.mark.parametrize(("created", "passed"), [(90, True), (91, False)])
def test_unused_role_young_vs_old(created: float, passed: bool) -> None:
    ok, message = judged(aged(created=created))
    assert ok is passed
    if passed:
        assert message.startswith("not judged: created 90 days ago")


def test_service_linked_role_is_not_judged_but_its_twin_is() -> None:
    slr = aged("AWSServiceRoleForSupport", path="/aws-service-role/support.amazonaws.com/")
    twin = aged("AWSServiceRoleForSupport", path="/service-role/")
    ok, message = judged(slr)
    assert ok is True
    assert "service-linked" in message
    assert judged(twin)[0] is False


def test_last_used_in_one_region_counts_as_used() -> None:
    ok, message = judged(aged(used=3, last_used_region="ap-southeast-2"))
    assert ok is True
    assert "ap-southeast-2" in message


def test_every_role_gets_one_result() -> None:
    results = {r.resource: r.passed for r in run(snap(roles=(aged("a", used=1), aged("b"))), CHECK)}
    assert results == {role("a").arn: True, role("b").arn: False}


@pytest.mark.parametrize(("days", "ok"), [("400", True), ("401", False), ("0", False)])
def test_config_window_is_bounded_by_what_aws_tracks(tmp_path: Path, days: str, ok: bool) -> None:
    path = tmp_path / "iamgate.toml"
    path.write_text(f"[checks]\nrole_unused_days = {days}\n", encoding="utf-8")
    if ok:
        cfg = load_config(path)
        assert cfg.checks.role_unused_days == int(days)
        assert ("checks.role_unused_days", int(days), 90) in cfg.overrides()
        return
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.line == 2
    if days == "401":
        assert "400 days" in str(caught.value)
