from __future__ import annotations

import json
import re
import typing
from dataclasses import replace
from pathlib import Path

import pytest

from iamgate.errors import InputError
from iamgate.formats.config_toml import load_config, parse_config
from iamgate.formats.snapshot_json import (
    V1_UNREAD,
    load_snapshot,
    snapshot_from_dict,
    snapshot_to_json,
)
from iamgate.model.config import Config
from iamgate.model.org_policies import (
    OrganizationPolicies,
    OrgLevel,
    OrgPolicy,
    PolicyType,
    TargetKind,
)
from iamgate.model.results import Severity
from iamgate.model.snapshot import SCHEMA_VERSION, CollectionError, Organization, Sentinel
from testing import DATA
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


# --- schema versions: 2 holds the organization's policies; 1 is read as "not collected" ---------

ORG_POLICIES = OrganizationPolicies(
    "o-abcdef1234",
    "999999999999",
    (PolicyType.SCP,),
    (
        OrgLevel("r-ab12", TargetKind.ROOT, scps=(OrgPolicy("p-FullAWSAccess", "Full", {}, True),)),
        OrgLevel(
            "ou-ab12-cdefgh12",
            TargetKind.OU,
            scps=(OrgPolicy("p-denyiam12", "deny-iam", {"Statement": []}),),
        ),
        OrgLevel(
            "123456789012",
            TargetKind.ACCOUNT,
            scps=(OrgPolicy("p-FullAWSAccess", "Full", {}, True),),
        ),
    ),
    read_with="arn:aws:iam::999999999999:role/reader",
)


def test_organization_policies_round_trip() -> None:
    original = snap(
        organization_policies=ORG_POLICIES,
        organization=Organization("o-abcdef1234", "999999999999"),
    )
    again = snapshot_from_dict(json.loads(snapshot_to_json(original)))
    assert again == original
    assert again.organization_policies is not None
    assert again.organization_policies.chain[1].kind is TargetKind.OU


def test_a_version_1_snapshot_reads_as_organization_policies_not_collected() -> None:
    v1 = json.loads((DATA / "demo-snapshot.json").read_text("utf-8"))
    assert v1["schema_version"] == 1  # the file as iamgate 0.1 wrote it
    old = snapshot_from_dict(v1)
    assert old.schema_version == SCHEMA_VERSION == 2
    assert old.organization_policies is None
    assert "schema version 1" in old.organization_policies_unread
    # The same data as version 2 writes it: nothing but the unread reason differs.
    v2 = json.loads(snapshot_to_json(replace(old, organization_policies_unread="")))
    assert v2["schema_version"] == 2
    assert replace(snapshot_from_dict(v2), organization_policies_unread=V1_UNREAD) == old


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"schema_version": 1, "organization_policies": None}, "not a field of schema_version 1"),
        (
            {"schema_version": 1, "organization_policies_unread": "x"},
            "not a field of schema_version 1",
        ),
        (
            {"schema_version": 3},
            "unsupported snapshot schema_version 3 (this iamgate reads 1 and 2)",
        ),
        ({"schema_version": True}, "unsupported snapshot schema_version True"),
    ],
)
def test_versions_that_do_not_fit_are_bad_input(change: dict[str, object], fragment: str) -> None:
    data = {"account_id": "123456789012", "collected_at": "2026-01-01T00:00:00Z", **change}
    with pytest.raises(InputError, match=re.escape(fragment)):
        snapshot_from_dict(data, "s.json")


@pytest.mark.parametrize(
    ("policies", "fragment"),
    [
        (
            replace(ORG_POLICIES, chain=ORG_POLICIES.chain[::-1]),
            "must run from the root to the account",
        ),
        (replace(ORG_POLICIES, chain=ORG_POLICIES.chain[1:]), "must run from the root"),
        (
            replace(
                ORG_POLICIES,
                chain=(ORG_POLICIES.chain[0], ORG_POLICIES.chain[0], ORG_POLICIES.chain[2]),
            ),
            "only OUs between the root and the account",
        ),
        (
            replace(
                ORG_POLICIES,
                chain=(ORG_POLICIES.chain[0], *[ORG_POLICIES.chain[1]] * 6, ORG_POLICIES.chain[2]),
            ),
            "8 levels (AWS allows 7)",
        ),
        (replace(ORG_POLICIES, enabled=()), "SCPs attached to root r-ab12, a type not enabled"),
        (
            replace(ORG_POLICIES, enabled=(PolicyType.SCP, PolicyType.RCP)),
            "no RCP attached to root r-ab12",
        ),
        (
            replace(ORG_POLICIES, organization_id=None),
            "an account in no organization has no levels",
        ),
        (replace(ORG_POLICIES, chain=()), "chain: empty"),
    ],
)
def test_an_impossible_chain_is_bad_input(policies: OrganizationPolicies, fragment: str) -> None:
    # A chain AWS never gives would be judged wrongly (a level without an SCP denies all).
    data = json.loads(snapshot_to_json(snap(organization_policies=policies)))
    with pytest.raises(InputError, match=re.escape(fragment)):
        snapshot_from_dict(data, "s.json")


def _with_keys(*slots: dict[str, object]) -> dict[str, object]:
    data = json.loads(snapshot_to_json(snap(credential_report=(row("alice"),))))
    data["credential_report"][0]["keys"] = list(slots)
    return typing.cast(dict[str, object], data)


_SLOT = {"slot": 1, "active": True, "last_rotated": "N/A", "last_used": "N/A"}


@pytest.mark.parametrize(
    ("near_miss", "fragment"),
    [
        ({**_SLOT, "slot": True, "active": 1}, "keys[1].slot: expected int"),  # == the row above
        ({**_SLOT, "active": 1}, "keys[1].active: expected bool"),
        ({**_SLOT, "slot": 1.0}, "keys[1].slot: expected int"),
        ({**_SLOT, "extra": 1}, "keys[1]: unknown field(s) extra"),
        ({**_SLOT, "last_used": ["N/A"]}, "keys[1].last_used: expected a date or a sentinel"),
    ],
)
def test_equal_rows_share_an_object_but_a_near_miss_is_still_refused(
    near_miss: dict[str, object], fragment: str
) -> None:
    # Rows of scalars are decoded once per distinct row: a row equal in Python (True == 1) but
    # of another type must not be served the first one's object.
    twice = snapshot_from_dict(_with_keys(_SLOT, dict(_SLOT)))
    assert twice.credential_report[0].keys[0] is twice.credential_report[0].keys[1]
    with pytest.raises(InputError, match=re.escape(fragment)):
        snapshot_from_dict(_with_keys(_SLOT, near_miss))


def test_nothing_decoded_is_kept_from_one_read_to_the_next() -> None:
    first = snapshot_from_dict(_with_keys(_SLOT))
    second = snapshot_from_dict(_with_keys(_SLOT))
    assert first == second
    assert first.credential_report[0].keys[0] is not second.credential_report[0].keys[0]
