"""docs/checks.md is generated from the registry: it must match the code."""

from __future__ import annotations

import runpy

from testing import REPO

DOCS = REPO / "docs"


def test_checks_md_is_up_to_date() -> None:
    render = runpy.run_path(str(DOCS / "gen_checks.py"))["render"]
    assert (DOCS / "checks.md").read_text(encoding="utf-8") == render(), (
        "docs/checks.md is stale: run python docs/gen_checks.py"
    )
