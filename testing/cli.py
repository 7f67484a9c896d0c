"""Running the real ``iamgate`` command as a subprocess, as a user would.

A module of its own (not conftest): tests/faults has a conftest too, and under xdist a test that
imports "conftest" may get either one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testing import DATA, REPO, SRC  # noqa: F401 (re-exported for tests)


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
