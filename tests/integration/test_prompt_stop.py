"""Prompt stop (issue 24): one SIGTERM or Ctrl-C ends a scan within seconds while its regional
calls stall in worker threads (an endpoint that never answers), with the documented exit code
(143, 130) and no report set written. Before, the run went on until every stalled call timed
out: a minute per call, per retry."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from iamgate.demo.standin import MotoAccount
from testing.cli import SRC, iamgate_command, without_ci
from testing.faults.fault_proxy import FaultProxy, Rule

STALL = 600.0  # seconds the proxy holds each stalled call: far past the test's patience


@pytest.fixture
def stalling(aws: MotoAccount) -> Iterator[FaultProxy]:
    proxy = FaultProxy(aws.endpoint, read_timeout=STALL)
    proxy.set(Rule("DescribeTrails", "timeout"))  # every region's trails: a worker thread each
    yield proxy
    proxy.stop()


def test_one_sigterm_ends_a_scan_whose_regional_calls_stall(
    aws: MotoAccount, stalling: FaultProxy, tmp_path: Path
) -> None:
    """Ctrl-C takes the same path (tests/unit/collect/test_pool.py: exit 130)."""
    sent, code = signal.SIGTERM, 143
    (tmp_path / "iamgate.toml").write_text(
        "[collect]\nread_timeout = 900\nmax_attempts = 1\n", encoding="utf-8"
    )
    env = without_ci(aws.env())
    env.update(AWS_ENDPOINT_URL=stalling.endpoint, PYTHONPATH=str(SRC))
    child = subprocess.Popen(
        [
            *iamgate_command(),
            "scan",
            "--regions",
            "us-east-1,eu-west-1,ap-south-1",
            "--output-dir",
            "out",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while stalling.seen["DescribeTrails"] < 3:  # every region's call is now stalled
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the scan never reached its regional calls"
            time.sleep(0.05)
        sent_at = time.monotonic()
        child.send_signal(sent)
        _, stderr = child.communicate(timeout=30)
        took = time.monotonic() - sent_at
    finally:
        child.kill()
    assert child.returncode == code, stderr
    assert took < 10, f"the run took {took:.1f} s to stop"
    assert "Traceback" not in stderr
    assert not (tmp_path / "out").exists()  # no partial report set
