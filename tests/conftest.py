"""Shared fixtures: one moto server per test session, reset between tests.

The CLI under test runs as a subprocess (the real ``iamgate`` command) that knows only
``AWS_ENDPOINT_URL`` and fake credentials; the test reaches moto's backends in-process to set
what no AWS API can (ages, last-used dates, the credential report's root row).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from iamgate.demo.standin import MotoAccount
from testing.cli import Run, run_cli, without_ci


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
