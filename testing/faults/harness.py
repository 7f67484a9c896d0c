"""Running the real ``iamgate`` against the fault proxy (shared by the fault tests)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from iamgate.demo.standin import FAKE_CREDENTIALS
from testing import SRC
from testing.cli import Run, run_cli
from testing.faults.fault_proxy import FaultProxy, Rule

REGION = "us-east-1"

# Recognisable fake secrets: the seeded user's password, and what the hygiene test puts in the
# credentials. None may ever appear in any output.
CANARY_PASSWORD = "Canary-Pw-7f3a9c1e"
CANARY_SECRET = "CanarySecret/9d2b6e4f0a1c8e7b5d3f"
CANARY_TOKEN = "CanaryToken//8c1d4e7f2a9b0c3d6e5f"


def proxy_env(endpoint: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(FAKE_CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = endpoint
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("GITHUB_STEP_SUMMARY", None)
    env.update(extra)
    return env


def run_iamgate(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> Run:
    return run_cli(args, env, cwd, timeout)


def config(max_attempts: int = 3, retry_mode: str = "standard", extra: str = "") -> str:
    return (
        "[collect]\n"
        f"max_attempts = {max_attempts}\n"
        f'retry_mode = "{retry_mode}"\n'
        "connect_timeout = 1\nread_timeout = 1\nmax_backoff_seconds = 0\n"
        f"{extra}"
    )


@dataclass
class Scan:
    code: int
    stderr: str
    out: Path
    seen: dict[str, int]

    def results(self) -> Any:
        return json.loads((self.out / "results.json").read_text(encoding="utf-8"))

    def statuses(self) -> set[tuple[str, str, str]]:
        return {(f["check"], f["resource"], f["status"]) for f in self.results()["findings"]}

    def junit_errors(self) -> set[str]:
        root = ET.parse(self.out / "junit.xml").getroot()
        return {
            case.get("classname", "").removeprefix("iamgate.")
            for case in root.iter("testcase")
            if case.find("error") is not None
        }


def scan(
    proxy: FaultProxy,
    tmp_path: Path,
    rules: list[Rule],
    *args: str,
    baseline: Path | None = None,
    cfg: str | None = None,
    timeout: float = 120,
) -> Scan:
    proxy.set(*rules)
    (tmp_path / "iamgate.toml").write_text(cfg or config(), encoding="utf-8")
    extra = ["--baseline", str(baseline)] if baseline else []
    run = run_iamgate(
        ["scan", "--regions", REGION, "--output-dir", "out", "--verbose", *extra, *args],
        proxy_env(proxy.endpoint),
        tmp_path,
        timeout,
    )
    assert "Traceback" not in run.stderr, run.stderr
    return Scan(run.code, run.stderr, tmp_path / "out", dict(proxy.seen))


def accepting_baseline(proxy: FaultProxy, tmp_path_factory: Any) -> tuple[Path, Scan]:
    """A baseline accepting every failure of the unfaulted scan, and the scan that then
    passes with it (so a fault that goes unnoticed shows as a pass)."""
    first = scan(proxy, tmp_path_factory.mktemp("clean"), [])
    assert first.code == 1, first.stderr  # the seeded account has findings
    failing = [f for f in first.results()["findings"] if f["status"] == "fail"]
    expires = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    lines = ["version: 1", 'account: "123456789012"', "exceptions:"]
    for f in failing:
        lines += [
            f"  - check: {f['check']}",
            f"    resource: {json.dumps(f['resource'])}",
            "    reason: accepted for the fault matrix",
            "    owner: tests",
            f"    expires: {expires}",
        ]
    baseline = tmp_path_factory.mktemp("baseline") / "baseline.yml"
    baseline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    passing = scan(proxy, tmp_path_factory.mktemp("clean2"), [], baseline=baseline)
    assert passing.code == 0, passing.stderr
    results = passing.results()
    assert results["verdict"] == "pass"
    assert results["errors"] == []
    return baseline, passing
