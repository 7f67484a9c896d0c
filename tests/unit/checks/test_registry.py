"""The registry refuses a check whose metadata is incomplete; every registered check links the
AWS documentation its verdict relies on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from iamgate.checks import REGISTRY
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Source

GOOD: dict[str, Any] = {
    "title": "A check",
    "severity": Severity.LOW,
    "resource_type": "account",
    "requires": (Source.PASSWORD_POLICY,),
    "rationale": "Why.",
    "remediation": "How.",
    "semantics": ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",),
}


def probe_check(_ctx: Context) -> Iterator[Outcome]:
    yield from ()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"semantics": ()}, "semantics must link"),
        ({"semantics": ("docs.aws.amazon.com/IAM",)}, "semantics must link"),
        ({"requires": ()}, "requires must name"),
        ({"rationale": " "}, "are required"),
    ],
)
def test_incomplete_metadata_is_refused(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check(id="probe-check", **{**GOOD, **change})(probe_check)
    assert "probe-check" not in REGISTRY


def test_complete_metadata_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("iamgate.checks.registry.REGISTRY", dict(REGISTRY))
    from iamgate.checks import registry

    check(id="probe-check", **GOOD)(probe_check)
    assert registry.REGISTRY["probe-check"].meta.semantics == GOOD["semantics"]


def test_every_check_links_aws_documentation() -> None:
    for check_id, registered in REGISTRY.items():
        assert registered.meta.semantics, check_id
        assert all(u.startswith("https://docs.aws.amazon.com/") for u in registered.meta.semantics)
