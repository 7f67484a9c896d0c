"""Test helpers and doubles, outside the package: running the CLI, snapshot factories, the fault
proxy. Tests import them as ``from testing.X import Y``."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
DATA = REPO / "tests" / "data"
