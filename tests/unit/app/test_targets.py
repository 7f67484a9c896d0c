"""The accounts file, chunking into a matrix, and selecting a chunk."""

from __future__ import annotations

import json

import pytest

from iamgate.app.targets import matrix, select
from iamgate.errors import InputError
from iamgate.formats.accounts_file import parse_accounts
from iamgate.model.targets import AccountTarget

A, B = "111111111111", "222222222222"


def test_yaml_and_json_lists() -> None:
    text = f'- account_id: "{A}"\n  role_arn: arn:aws:iam::{A}:role/audit\n- account_id: {B}\n'
    assert parse_accounts(text, "a.yml") == [
        AccountTarget(A, f"arn:aws:iam::{A}:role/audit"),
        AccountTarget(B, None),
    ]
    as_json = json.dumps([{"account_id": A, "role_arn": f"arn:aws:iam::{A}:role/x"}])
    assert parse_accounts(as_json, "a.json") == [AccountTarget(A, f"arn:aws:iam::{A}:role/x")]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (f'- account_id: "{A}"\n- account_id: "{A}"\n', 2, "listed twice"),
        ('- account_id: "12345"\n', 1, "12-digit"),
        (f'- account_id: "{A}"\n  role_arn: arn:aws:iam::{B}:role/x\n', 2, f"not {A}"),
        (f'- account_id: "{A}"\n  role_arn: not-an-arn\n', 2, "IAM role ARN"),
        (f'- account_id: "{A}"\n  role: x\n', 2, "unknown key"),
        ("- role_arn: x\n", 1, "account_id is required"),
        ("account_id: 1\n", 1, "non-empty list"),
        ("- [\n", 2, "invalid YAML"),
    ],
)
def test_bad_accounts_file_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as info:
        parse_accounts(text, "accounts.yml")
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"accounts.yml:{line}: ")


def test_matrix_chunks_in_order() -> None:
    targets = [AccountTarget(f"{i:012d}") for i in range(1, 6)]
    data = json.loads(matrix(targets, 2))
    assert data == {
        "include": [
            {"chunk": "1", "accounts": "000000000001,000000000002"},
            {"chunk": "2", "accounts": "000000000003,000000000004"},
            {"chunk": "3", "accounts": "000000000005"},
        ]
    }
    with pytest.raises(InputError, match="--chunk-size 2 or more"):
        matrix([AccountTarget(f"{i:012d}") for i in range(300)], 1)
    with pytest.raises(InputError):
        matrix(targets, 0)


def test_select_a_chunk() -> None:
    targets = [AccountTarget(A, "r"), AccountTarget(B)]
    assert select(targets, [B]) == [AccountTarget(B)]
    assert select(targets, []) == targets
    with pytest.raises(InputError, match="333333333333"):
        select(targets, ["333333333333"])
