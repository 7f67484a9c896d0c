from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamgate.errors import InputError
from iamgate.formats.config_toml import load_config, parse_config
from iamgate.formats.snapshot_json import load_snapshot, snapshot_from_dict, snapshot_to_json
from iamgate.model.config import Config
from iamgate.model.results import Severity
from iamgate.model.snapshot import CollectionError, Sentinel
from testing.factories import ADMIN, doc, group, key, role, row, snap, user


def test_snapshot_round_trips_through_json() -> None:
    original = snap(
        users=(
            user(
                "alice",
                groups=("g",),
                inline={"p": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})},
            ),
        ),
        groups=(group("g", attached=(ADMIN.arn,)),),
        roles=(role("r"),),
        policies=(ADMIN,),
        credential_report=(row("alice", password=True, keys=(key(used=None),)),),
        errors=(
            CollectionError(
                "server_certificates", "ListServerCertificates", "us-east-1", "AccessDenied", "no"
            ),
        ),
        api_calls={"iam:GetAccountSummary": 1},
    )
    again = snapshot_from_dict(json.loads(snapshot_to_json(original)))
    assert again == original
    assert again.credential_report[0].keys[0].last_used is Sentinel.NA


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "expected a JSON object"),
        ({"schema_version": 99}, "unsupported snapshot schema_version 99"),
        (
            {"schema_version": 1, "account_id": 5, "collected_at": "2026-01-01T00:00:00Z"},
            "snapshot.account_id: expected str",
        ),
        (
            {
                "schema_version": 1,
                "account_id": "1",
                "collected_at": "2026-01-01T00:00:00Z",
                "surprise": 1,
            },
            "unknown field(s) surprise",
        ),
        ({"schema_version": 1, "account_id": "1", "collected_at": "yesterday"}, "malformed"),
    ],
)
def test_bad_snapshots_are_bad_input(data: object, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        snapshot_from_dict(data, "s.json")


def test_truncated_snapshot_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(snapshot_to_json(snap())[:-40])
    with pytest.raises(InputError) as info:
        load_snapshot(path)
    assert info.value.source == str(path)
    assert info.value.line is not None


def test_config_defaults_and_overrides() -> None:
    assert Config().overrides() == []
    cfg = parse_config(
        {"thresholds": {"access_key_max_age_days": 30}, "gate": {"fail_on": "high"}}, "iamgate.toml"
    )
    assert cfg.gate.fail_on is Severity.HIGH
    assert ("thresholds.access_key_max_age_days", 30, 90) in cfg.overrides()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[thresholds]\nacces_key_max_age_days = 30\n", "unknown key(s): acces_key_max_age_days"),
        ("[thresholds]\naccess_key_max_age_days = -1\n", "whole number >= 0"),
        ("[thresholds]\naccess_key_max_age_days = '90'\n", "whole number >= 0"),
        ("[gate]\nfail_on = 'severe'\n", "not one of"),
        ("[extras]\n", "unknown section"),
        ("thresholds = 3\n", "must be a table"),
        ("[thresholds\n", "invalid TOML"),
    ],
)
def test_bad_config_is_bad_input(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "iamgate.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")) as info:
        load_config(path)
    assert info.value.source == str(path)
