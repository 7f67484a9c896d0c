"""Reading results.json: the bulk reader of findings accepts and refuses exactly what the
member-by-member one does, wherever in the file a finding is (the first finding of an account is
always read member by member; the ones after it go through the bulk path)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from iamgate.errors import InputError
from iamgate.formats import results_json
from iamgate.formats.results_json import verdicts_from_results

GOLDEN = Path(__file__).parents[2] / "data" / "golden" / "results.json"
KEYS = ("account_id", "check", "resource", "resource_type", "status", "severity", "title")
BAD = (
    None,
    7,
    True,
    ["x"],
    {"a": "b"},
    "",
    "fine",
    "Pass",
    "12345678901",
    "1234567890123",
    "１２３４５６７８９０１２",  # fullwidth digits: not an account id
    "é ünïcode",
    "\ud800",
    "pass ",
)


def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text("utf-8"))
    return data


def oracle(data: dict[str, Any]) -> str | list[Any]:
    """What the member-by-member reader says of the file's findings: the first error, or the
    findings."""
    found = []
    for i, f in enumerate(data["findings"]):
        try:
            found.append(results_json._finding(f, f"findings[{i}]"))
        except results_json._Malformed as exc:
            return f"malformed results.json: {exc}"
    return found


def read(data: dict[str, Any]) -> str | list[Any]:
    try:
        verdicts = verdicts_from_results(data, "results.json")
    except InputError as exc:
        return exc.message
    return [f for v in verdicts for f in v.findings]


def test_the_golden_file_reads_as_the_oracle_reads_it() -> None:
    data = golden()
    assert len(data["findings"]) >= 4
    assert read(data) == oracle(data)


@pytest.mark.parametrize("index", [0, 1, 3, -1])
@pytest.mark.parametrize("key", [*KEYS, "message"])
def test_a_damaged_member_is_refused_or_read_alike_anywhere(index: int, key: str) -> None:
    for value in BAD:
        data = golden()
        data["findings"][index][key] = value
        expected = oracle(data)
        got = read(data)
        if isinstance(expected, str):  # refused: the same message, naming the same member
            assert got == expected, (key, value)
            assert f"findings[{index % len(data['findings'])}].{key}" in got
        elif isinstance(got, list):  # accepted: the same findings
            assert got == expected, (key, value)
        else:  # accepted finding, then refused for its counts or verdict: never a crash
            assert "do not match the findings" in got, (key, value, got)


@pytest.mark.parametrize("index", [1, -1])
def test_odd_shapes_of_a_finding_are_refused_alike(index: int) -> None:
    shapes: list[Any] = [None, 5, "text", [], ["a"] * 8, {}]
    base = golden()["findings"][index]
    missing = [{k: v for k, v in base.items() if k != key} for key in base]
    extra = [{**base, "extra": 1}, {**base, "exception": None}, {**base, "exception": 3}]
    for shape in [*shapes, *missing, *extra]:
        data = golden()
        data["findings"][index] = copy.deepcopy(shape)
        expected = oracle(data)
        got = read(data)
        if isinstance(expected, str) or isinstance(got, list):  # refused alike, or read alike
            assert got == expected, shape
        else:
            assert "do not match the findings" in got, (shape, got)
