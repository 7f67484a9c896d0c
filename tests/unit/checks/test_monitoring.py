"""Access Analyzer and CloudTrail checks from hand-built snapshots, both sides (the alerts on
CloudTrail: test_alarms.py)."""

from __future__ import annotations

from typing import Any

import pytest

from iamgate.checks import run_checks
from iamgate.model.config import Config
from iamgate.model.snapshot import (
    AnalyzerRegion,
    CollectionError,
    Snapshot,
    Source,
)
from testing.factories import ACCOUNT, aa_finding, analyzer, snap, trail

ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def results(check: str, snapshot: Snapshot) -> dict[str, Any]:
    return {r.resource: (r.passed, r.message) for r in run_checks(snapshot, Config(), [check])}


def region_arn(region: str) -> str:
    return f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer"


DENIED = CollectionError(
    Source.ACCESS_ANALYZER_REGION, "ListAnalyzers", "eu-west-1", "AccessDeniedException", "no"
)


def test_analyzer_enabled_per_region_and_a_denied_region_is_error_alone() -> None:
    s = snap(
        access_analyzer=(
            AnalyzerRegion("us-east-1", (analyzer("us-east-1"),)),
            AnalyzerRegion("us-west-2", (analyzer("us-west-2", type="ACCOUNT_UNUSED_ACCESS"),)),
            AnalyzerRegion("eu-west-1"),
        ),
        errors=(DENIED,),
    )
    got = results("access-analyzer-enabled", s)
    assert got[region_arn("us-east-1")][0] is True
    assert got[region_arn("us-west-2")][0] is False
    assert got[region_arn("eu-west-1")][0] is None
    assert "AccessDeniedException" in got[region_arn("eu-west-1")][1]
    assert ROOT not in got  # not the whole check


def test_no_access_analyzer_data_is_an_error() -> None:
    got = results("access-analyzer-enabled", snap())
    assert list(got) == [ROOT]
    assert got[ROOT][0] is None
    assert "no IAM Access Analyzer data" in got[ROOT][1]


def test_external_access_findings_one_result_per_resource() -> None:
    bucket = "arn:aws:s3:::shared"
    s = snap(
        access_analyzer=(
            AnalyzerRegion(
                "us-east-1",
                (analyzer(),),
                (
                    aa_finding("f1", bucket, public=True, principal={"AWS": "*"}),
                    aa_finding("f2", bucket, actions=("s3:PutObject",)),
                    aa_finding("f3", "arn:aws:iam::1:role/x", finding_type="UnusedIAMRole"),
                ),
            ),
            AnalyzerRegion("ap-south-1", (analyzer("ap-south-1"),)),
            AnalyzerRegion("eu-west-1"),
        ),
        errors=(DENIED,),
    )
    got = results("access-analyzer-external-access", s)
    passed, message = got[bucket]
    assert passed is False
    assert "PUBLIC" in message
    assert "s3:PutObject" in message
    assert "AWS::S3::Bucket" in message
    assert got[region_arn("ap-south-1")][0] is True
    assert got[region_arn("eu-west-1")][0] is None
    assert "arn:aws:iam::1:role/x" not in got


def test_unused_access_findings() -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/idle"
    unused = analyzer(type="ACCOUNT_UNUSED_ACCESS")
    s = snap(
        access_analyzer=(
            AnalyzerRegion(
                "us-east-1",
                (unused,),
                (aa_finding("u1", role_arn, finding_type="UnusedIAMRole"),),
            ),
            AnalyzerRegion("eu-west-1", (analyzer("eu-west-1", type="ACCOUNT_UNUSED_ACCESS"),)),
        )
    )
    got = results("access-analyzer-unused-access", s)
    assert got[role_arn][0] is False
    assert "unused role" in got[role_arn][1]
    assert got[region_arn("eu-west-1")][0] is True


def test_exported_findings_replace_collected_ones() -> None:
    s = snap(
        access_analyzer=(
            AnalyzerRegion("eu-west-1"),
            AnalyzerRegion("export", (), (aa_finding("e1", "arn:aws:s3:::x"),), export="f.json"),
        ),
        errors=(DENIED,),
    )
    got = results("access-analyzer-external-access", s)
    assert got == {"arn:aws:s3:::x": (False, got["arn:aws:s3:::x"][1])}


# --- CloudTrail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trails", "passes"),
    [
        ((trail(),), True),
        ((trail(multi_region=False),), False),
        ((trail(logging=False),), False),
        ((trail(management="WriteOnly"),), False),
        ((trail(management=""),), False),
        ((trail(logging=None),), False),
        ((), False),
        ((trail("a", multi_region=False), trail("b")), True),
    ],
)
def test_cloudtrail_multi_region(trails: tuple[Any, ...], passes: bool) -> None:
    got = results("cloudtrail-multi-region", snap(trails=trails, regions=("us-east-1",)))
    assert got[ROOT][0] is passes


def test_cloudtrail_global_events_and_log_validation() -> None:
    good, no_global, single = (
        trail("good"),
        trail("noglobal", global_events=False, log_validation=False),
        trail("single", multi_region=False, global_events=False),
    )
    s = snap(trails=(good, no_global, single))
    glob = results("cloudtrail-global-events", s)
    assert glob[good.arn][0] is True
    assert glob[no_global.arn][0] is False
    assert single.arn not in glob
    valid = results("cloudtrail-log-validation", s)
    assert valid[good.arn][0] is True
    assert valid[no_global.arn][0] is False


def test_a_snapshot_without_cloudtrail_data_is_an_error_not_a_failure() -> None:
    for check in ("cloudtrail-multi-region",):
        got = results(check, snap())
        assert got[ROOT][0] is None
        assert "no CloudTrail data" in got[ROOT][1]
