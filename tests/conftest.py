"""Shared fixtures: one moto server per test session, reset between tests.

The CLI under test runs as a subprocess (the real ``iamgate`` command) that knows only
``AWS_ENDPOINT_URL`` and fake credentials; the test reaches moto's backends in-process to set
what no AWS API can (ages, last-used dates, the credential report's root row).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from iamgate.moto_account import MotoAccount

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
DATA = Path(__file__).resolve().parent / "data"


def iamgate_command() -> list[str]:
    """The installed ``iamgate`` console script of this interpreter's environment."""
    script = shutil.which("iamgate", path=str(Path(sys.executable).parent))
    if script is None:  # not installed as a script: still run the real entry point
        return [sys.executable, "-m", "iamgate"]
    return [script]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    cwd: Path

    def json(self, name: str = "out/results.json") -> Any:
        return json.loads((self.cwd / name).read_text(encoding="utf-8"))

    def text(self, name: str) -> str:
        return (self.cwd / name).read_text(encoding="utf-8")


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 180) -> Run:
    env = dict(env)
    # Run this checkout's code even when the environment's install points elsewhere.
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [*iamgate_command(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, cwd)


def without_ci(env: Mapping[str, str]) -> dict[str, str]:
    """The environment minus what GitHub Actions sets, so a test run in CI writes no summary."""
    return {k: v for k, v in env.items() if not k.startswith("GITHUB_")}


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoAccount]:
    account = MotoAccount()
    yield account
    account.stop()


@pytest.fixture
def aws(moto_server: MotoAccount) -> MotoAccount:
    """A clean moto account for this test."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def iamgate(aws: MotoAccount, tmp_path: Path) -> Any:
    """Run the real ``iamgate`` command against the test's moto account, in ``tmp_path``."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
        full = without_ci(aws.env())
        full.update(env or {})
        return run_cli(list(args), full, cwd or tmp_path)

    return run


@pytest.fixture
def offline(tmp_path: Path) -> Any:
    """Run ``iamgate`` with no AWS at all (evaluate, checks, baseline commands)."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
        full = {k: v for k, v in without_ci(os.environ).items() if not k.startswith("AWS_")}
        full["AWS_EC2_METADATA_DISABLED"] = "true"
        full.update(env or {})
        return run_cli(list(args), full, cwd or tmp_path)

    return run
