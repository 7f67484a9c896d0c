"""Running the real ``iamgate`` against the fault proxy (shared by the fault tests)."""

from __future__ import annotations

import os
from pathlib import Path

from iamgate.demo.standin import FAKE_CREDENTIALS
from testing import SRC
from testing.cli import Run, run_cli

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
