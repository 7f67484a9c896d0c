"""Access Analyzer end to end: the real CLI against moto's server wrapped with the canned
Access Analyzer, and exported findings files given to `evaluate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamgate.demo import access_analyzer as ma
from iamgate.demo.standin import MotoAccount
from iamgate.formats.snapshot_json import snapshot_to_json
from iamgate.model.snapshot import AnalyzerRegion
from testing.factories import snap

ACCOUNT = "123456789012"


def by_key(results: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["check"], f["resource"]): f for f in results["findings"]}


def test_scan_collects_pages_and_reports_a_denied_region_alone(
    aws: MotoAccount, iamgate: Any
) -> None:
    east = ma.analyzer("us-east-1")
    findings = [
        ma.external_finding(
            f"f{i}",
            f"arn:aws:s3:::bucket-{i}",
            "AWS::S3::Bucket",
            {"AWS": "*"},
            ["s3:GetObject"],
            is_public=True,
        )
        for i in range(3)  # more than a page (PAGE_SIZE = 2)
    ]
    aws.set_access_analyzer("us-east-1", [east], {east["arn"]: findings})
    aws.set_access_analyzer("eu-west-1", [], denied=True)
    run = iamgate(
        "scan",
        "--regions", "us-east-1,eu-west-1",
        "--checks", "access-analyzer-enabled,access-analyzer-external-access",
        "--output-dir", "out",
        "--csv", "review.csv",
    )  # fmt: skip
    assert run.code == 1, run.stderr  # new failures decide; the denied region is an error
    assert "2 errors" in run.stderr
    got = by_key(run.json())
    east_arn = f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer"
    west_arn = f"arn:aws:access-analyzer:eu-west-1:{ACCOUNT}:analyzer"
    assert got[("access-analyzer-enabled", east_arn)]["status"] == "pass"
    assert got[("access-analyzer-enabled", west_arn)]["status"] == "error"
    assert got[("access-analyzer-external-access", west_arn)]["status"] == "error"
    assert "AccessDeniedException" in got[("access-analyzer-enabled", west_arn)]["message"]
    for i in range(3):
        finding = got[("access-analyzer-external-access", f"arn:aws:s3:::bucket-{i}")]
        assert finding["status"] == "fail"
        assert "PUBLIC" in finding["message"]
    assert "access-analyzer:ListAnalyzers" in run.stderr
    assert (run.cwd / "review.csv").read_text().startswith("account,check,severity")
    assert not (run.cwd / "out" / "results.csv").exists()  # --csv overrides --output-dir


def test_canned_bodies_are_checked_against_the_service_model() -> None:
    bad = ma.analyzer("us-east-1")
    del bad["status"]  # required by the model
    with pytest.raises(ma.ModelMismatch, match="status"):
        ma.AnalyzerState().set("us-east-1", [bad])
    with pytest.raises(ma.ModelMismatch, match="not in the model"):
        ma.validate_output("ListAnalyzers", {"analyzers": [], "analyzer": []})


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_text(snapshot_to_json(snap(access_analyzer=(AnalyzerRegion("us-east-1"),))))
    return path


CLI_EXPORT = {
    "findings": [
        {
            "id": "c1",
            "resource": "arn:aws:s3:::shared",
            "resourceType": "AWS::S3::Bucket",
            "resourceOwnerAccount": ACCOUNT,
            "status": "ACTIVE",
            "findingType": "ExternalAccess",
            "createdAt": "2026-10-01T00:00:00Z",
            "analyzedAt": "2026-10-01T00:00:00Z",
            "updatedAt": "2026-10-01T00:00:00Z",
        },
        {
            "id": "c2",
            "resource": "arn:aws:s3:::old",
            "resourceType": "AWS::S3::Bucket",
            "status": "ARCHIVED",
            "findingType": "ExternalAccess",
        },
    ]
}
CONSOLE_EXPORT = [
    {
        "Id": "k1",
        "Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k",
        "ResourceType": "AWS::KMS::Key",
        "Status": "ACTIVE",
        "Principal": {"AWS": "444455556666"},
        "Action": ["kms:Decrypt"],
        "IsPublic": False,
    }
]


@pytest.mark.parametrize(
    ("export", "resource", "words"),
    [
        (CLI_EXPORT, "arn:aws:s3:::shared", "AWS::S3::Bucket"),
        (CONSOLE_EXPORT, f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k", "kms:Decrypt (not public"),
    ],
)
def test_evaluate_with_exported_findings(
    offline: Any, snapshot_file: Path, tmp_path: Path, export: Any, resource: str, words: str
) -> None:
    (tmp_path / "findings.json").write_text(json.dumps(export))
    run = offline(
        "evaluate", str(snapshot_file),
        "--access-analyzer-findings", "findings.json",
        "--checks", "access-analyzer-external-access",
        "--json", "out/results.json",
    )  # fmt: skip
    assert run.code == 1, run.stderr
    got = by_key(run.json())
    assert words in got[("access-analyzer-external-access", resource)]["message"]
    assert ("access-analyzer-external-access", "arn:aws:s3:::old") not in got  # archived


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"findings": [\n  {"id": "x",}\n]}', "findings.json:2: invalid JSON"),
        ('{"analyzers": []}', 'findings.json: expected {"findings": [...]}'),
        ('[{"resource": "arn:x"}]', "finding #1 is not an object with an 'id'"),
    ],
)
def test_bad_findings_file_is_bad_input(
    offline: Any, snapshot_file: Path, tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "findings.json").write_text(text)
    run = offline("evaluate", str(snapshot_file), "--access-analyzer-findings", "findings.json")
    assert run.code == 2
    assert expected in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_region_name_is_bad_input(offline: Any) -> None:
    run = offline("scan", "--regions", "us-east-1,Mars")
    assert run.code == 2
    assert "--regions: not an AWS region name: 'Mars'" in run.stderr
