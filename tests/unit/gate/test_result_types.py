"""``Result`` and ``Finding`` write their own ``__init__`` (model/results.py: it sets each slot
directly, half the cost of the frozen dataclass's). It must stay the dataclass's: every field, in
order, with its default, each value kept; and the objects stay frozen."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date

import pytest

from iamgate.model.results import (
    Change,
    ExceptionRef,
    Finding,
    Origin,
    Result,
    Severity,
    Status,
)


@pytest.mark.parametrize("cls", [Result, Finding])
def test_the_written_init_takes_every_field_in_order_with_its_default(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]


def test_every_value_is_kept_and_the_objects_stay_frozen() -> None:
    ref = ExceptionRef("c", "r", "why", "team", date(2027, 1, 1), None, "b.yml:3")
    values = {
        "check": "c",
        "resource": "r",
        "resource_type": "user",
        "status": Status.FAIL,
        "severity": Severity.HIGH,
        "title": "t",
        "message": "m",
        "account_id": "123456789012",
        "exception": ref,
        "change": Change.INTRODUCED,
        "origin": Origin("aws_iam_user.a"),
    }
    finding = Finding(**values)
    assert {f.name: getattr(finding, f.name) for f in dataclasses.fields(Finding)} == values
    result = Result("c", "r", "user", False, "m", "123456789012")
    assert dataclasses.astuple(result) == ("c", "r", "user", False, "m", "123456789012")
    assert Result("c", "r", "user", None, "m").account_id == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.message = "changed"  # type: ignore[misc]
    assert dataclasses.replace(result, passed=True).passed is True
