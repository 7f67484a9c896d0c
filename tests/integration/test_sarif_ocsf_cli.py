"""--sarif and --ocsf as a user runs them: evaluate a saved snapshot, read what was written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema

from testing import DATA, SRC

SNAPSHOT = DATA / "demo-snapshot.json"
BASELINE = Path("baselines/123456789012.yml")


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (DATA / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8")
    )
    return schema


def test_output_dir_writes_results_sarif_and_ocsf_where_asked(offline: Any, tmp_path: Path) -> None:
    from testing.cli import REPO

    baseline = tmp_path / BASELINE
    baseline.parent.mkdir()
    baseline.write_text((REPO / BASELINE).read_text("utf-8"), encoding="utf-8")
    run = offline(
        "evaluate",
        str(SNAPSHOT),
        "--baseline",
        str(BASELINE),
        "--as-of",
        "2026-11-27",
        "--output-dir",
        "out",
        "--ocsf",
        "findings.ocsf.json",
    )
    assert run.code == 1, run.stderr
    sarif = run.json("out/results.sarif")
    jsonschema.Draft4Validator(_schema()).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert results, "the demo snapshot has failures"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"baselines/123456789012.yml"}  # the baseline as the user named it
    assert any("suppressions" in r for r in results)
    from iamgate.report.ocsf import CloudComplianceFinding

    records = run.json("findings.ocsf.json")
    assert records
    for record in records:
        CloudComplianceFinding.model_validate(record)
    assert not (run.cwd / "out" / "findings.ocsf.json").exists()  # only where --ocsf says


def test_sarif_option_overrides_the_output_dir(offline: Any) -> None:
    run = offline(
        "evaluate", str(SNAPSHOT), "--output-dir", "out", "--sarif", "scan.sarif", "--quiet"
    )
    assert run.code == 1, run.stderr
    assert run.json("scan.sarif")["version"] == "2.1.0"
    assert not (run.cwd / "out" / "results.sarif").exists()


_WITHOUT_OCSF = (
    "import sys; sys.modules['py_ocsf_models'] = None; sys.argv[0] = 'iamgate'; "
    "from iamgate.cli import main; main()"
)


def test_ocsf_without_the_extra_is_bad_input_saying_how_to_install_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    env["PYTHONPATH"] = str(SRC)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            _WITHOUT_OCSF,
            "evaluate",
            str(SNAPSHOT),
            "--output-dir",
            "out",
            "--ocsf",
            "f.json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "pip install 'iamgate[ocsf]'" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()  # bad input before any report is written
