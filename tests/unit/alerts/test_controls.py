"""The control tables themselves: complete, well-formed, and in line with their sources."""

from __future__ import annotations

from typing import Any

import pytest

from iamgate.alerts import event_pattern, filter_pattern
from iamgate.alerts.controls import (
    BY_ID,
    CONTROLS,
    ENABLED,
    ENABLED_ALL,
    IAM_POLICY_EVENTS,
    Control,
)
from iamgate.alerts.coverage import filter_gaps, noise
from iamgate.alerts.events import ROUTINE
from iamgate.checks import REGISTRY

# The pattern iamgate documented before the seven controls, and its 16 names.
ISSUE_PATTERN = (
    "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
    "($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||"
    "($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||"
    "($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||"
    "($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
    "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
    "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"
)


def test_the_seven_controls() -> None:
    assert [(c.cis, c.id) for c in CONTROLS] == [
        ("4.1", "unauthorized-api-alarm"),
        ("4.2", "console-no-mfa-alarm"),
        ("4.3", "root-usage-alarm"),
        ("4.4", "iam-change-alarm"),
        ("4.5", "cloudtrail-change-alarm"),
        ("4.6", "console-auth-failure-alarm"),
        ("4.15", "organizations-change-alarm"),
    ]


def test_each_control_is_a_registered_check_with_its_cis_number() -> None:
    for control in CONTROLS:
        assert REGISTRY[control.id].meta.cis == (control.cis,)


def test_iam_table_matches_what_iamgate_documented() -> None:
    assert BY_ID["iam-change-alarm"].filter_pattern == ISSUE_PATTERN
    assert len(set(IAM_POLICY_EVENTS)) == 16


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.cis)
def test_control_is_well_formed(control: Control) -> None:
    assert control.required, "a control names at least one event"
    assert all(source.startswith("https://") for source in control.sources)
    assert control.eventbridge_state in (ENABLED, ENABLED_ALL)
    assert not isinstance(
        event_pattern.parse(control.eventbridge_pattern), event_pattern.EventPatternError
    )
    assert not isinstance(filter_pattern.parse(control.filter_pattern), filter_pattern.PatternError)
    described = [s.describe() for s in control.required]
    assert len(described) == len(set(described)), "each required sample is told apart"


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.cis)
def test_samples_are_cloudtrail_records(control: Control) -> None:
    for s in (*control.required, *control.optional, *ROUTINE):
        record: Any = s.record
        for field in (
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "eventID",
            "eventType",
            "recipientAccountId",
        ):
            assert field in record, (s.describe(), field)
        assert record["eventType"] in ("AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent")
        assert record["eventSource"].endswith(".amazonaws.com")
        if record["eventType"] != "AwsConsoleSignIn":  # a failed sign-in has no errorCode
            assert ("errorCode" in record) == ("errorMessage" in record)


def test_event_ids_are_unique() -> None:
    ids = [s.record["eventID"] for c in CONTROLS for s in (*c.required, *c.optional)]
    ids += [s.record["eventID"] for s in ROUTINE]
    assert len(ids) == len(set(ids))


def test_samples_are_frozen_but_thaw_to_plain_json() -> None:
    s = BY_ID["root-usage-alarm"].required[0]
    record: Any = s.record
    with pytest.raises(TypeError):
        record["eventName"] = "Other"
    with pytest.raises(TypeError):
        record["userIdentity"]["type"] = "IAMUser"
    plain = s.as_dict()
    plain["userIdentity"]["type"] = "IAMUser"
    assert s.record["userIdentity"]["type"] == "Root"


@pytest.mark.parametrize(
    ("control_id", "excluded"),
    [
        # the exclusions the CIS pattern makes on purpose are the optional samples
        (
            "root-usage-alarm",
            {
                "call an AWS service made for the root user (invokedBy is set)",
                "AWS service event in the root user's name",
            },
        ),
        ("console-auth-failure-alarm", {"console sign-in with an unknown user name"}),
        (
            "cloudtrail-change-alarm",
            {("PutEventSelectors (can switch off management events; not in CIS)")},
        ),
        (
            "organizations-change-alarm",
            {
                "CancelHandshake (Prowler requires it; CIS does not list it)",
                "CreateOrganization (Prowler requires it; CIS does not list it)",
                "EnableAllFeatures (Prowler requires it; CIS does not list it)",
            },
        ),
    ],
)
def test_optional_samples_the_cis_pattern_ignores(control_id: str, excluded: set[str]) -> None:
    control = BY_ID[control_id]
    node = filter_pattern.parse(control.filter_pattern)
    assert not isinstance(node, filter_pattern.PatternError)
    ignored = {s.describe() for s in control.optional if not filter_pattern.matches(node, s.record)}
    assert ignored == excluded


def test_the_recommended_4_1_exclusions_ignore_log_delivery_and_head_bucket() -> None:
    control = BY_ID["unauthorized-api-alarm"]
    node = filter_pattern.parse(control.filter_pattern)
    assert not isinstance(node, filter_pattern.PatternError)
    assert not any(filter_pattern.matches(node, s.record) for s in control.optional)
    # the v3.0 text as printed ORs the exclusions in, so it matches them (and everything else)
    printed = filter_pattern.parse(control.cis_pattern)
    assert not isinstance(printed, filter_pattern.PatternError)
    assert all(filter_pattern.matches(printed, s.record) for s in control.optional)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.cis)
def test_the_docs_pattern_passes_quietly(control: Control) -> None:
    assert filter_gaps(control, [control.filter_pattern]) == []
    assert noise(control.filter_pattern) == ()


@pytest.mark.parametrize(
    ("control_id", "reads"),
    [(c.id, c.id in ("unauthorized-api-alarm", "root-usage-alarm")) for c in CONTROLS],
)
def test_which_controls_need_read_only_events(control_id: str, reads: bool) -> None:
    # A trail that records only write events misses them: the chain asks for read events too.
    assert BY_ID[control_id].needs_read_events is reads


def test_where_samples_are_recorded() -> None:
    iam = BY_ID["iam-change-alarm"].required
    assert not any(s.anywhere for s in iam)  # IAM: us-east-1 only
    cloudtrail = BY_ID["cloudtrail-change-alarm"].required
    assert all(s.anywhere for s in cloudtrail)  # wherever the trail is changed
    sign_ins = BY_ID["console-no-mfa-alarm"].required
    assert [(s.anywhere, s.region) for s in sign_ins] == [
        (False, "us-east-1"),
        (False, "us-east-2"),
    ]
