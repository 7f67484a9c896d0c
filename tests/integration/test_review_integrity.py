"""The review cannot be fooled (issue 24), through the real ``iamgate``: broad acceptance in
disguise, a ref shadowed by a directory, a pull request's own configuration, and baseline
files that resolve outside the reviewed directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from testing import DATA

ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"
AS_OF = "2026-06-01"


def baseline(resource: str, extra: str = "") -> str:
    return (
        f'version: 1\naccount: "{ACCOUNT}"\nexceptions:\n'
        f"  - check: user-console-mfa\n    resource: '{resource}'\n"
        "    reason: Every CI user signs in through the SSO portal, which enforces MFA\n"
        f"    owner: platform\n    expires: 2026-07-01\n{extra}"
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- breadth is explicit ----------------------------------------------------------------------


def test_broad_patterns_in_disguise_fail_lint_and_the_gate(offline: Any, tmp_path: Path) -> None:
    files = [
        write(tmp_path / f"b{n}.yml", baseline(p)) for n, p in enumerate(("arn:*", "*:*", "a*"))
    ]
    run = offline("baseline", "lint", *map(str, files), "--as-of", AS_OF)
    assert run.code == 1, run.stdout + run.stderr
    for n, reach in enumerate(("partition", "start of the ARN", "start of the ARN")):
        assert f"b{n}.yml:5: resource" in run.stdout
        assert f"reaches into the {reach}" in run.stdout.splitlines()[n]
    gate = offline("evaluate", str(DATA / "demo-snapshot.json"), "--baseline", str(files[0]))
    assert gate.code == 2, gate.stderr
    assert "reaches into the partition" in gate.stderr
    narrow = write(tmp_path / f"{ACCOUNT}.yml", baseline(f"{A}:user/ci-*"))  # the near miss
    assert offline("baseline", "lint", str(narrow), "--as-of", AS_OF).code == 0


def test_lint_says_how_many_findings_a_broad_entry_accepts(offline: Any, tmp_path: Path) -> None:
    made = offline("evaluate", str(DATA / "demo-snapshot.json"), "--json", "results.json")
    assert made.code == 1, made.stderr
    broad = write(tmp_path / f"{ACCOUNT}.yml", baseline(f"{A}:user/*", "    allow-broad: true\n"))
    run = offline("baseline", "lint", str(broad), "--results", "results.json", "--as-of", AS_OF)
    assert run.code == 0, run.stdout + run.stderr
    (line,) = [x for x in run.stdout.splitlines() if "broad:" in x]
    assert line.startswith(f"{broad}:4: broad: user-console-mfa on {A}:user/*")
    assert "reaches into the resource type" in line
    count = int(line.rsplit("accepts ", 1)[1].split()[0])
    assert count > 0
