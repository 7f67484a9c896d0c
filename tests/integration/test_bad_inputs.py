"""The bad-input corpus (``tests/data/bad/cases.yml``) through the real CLI.

Every case must exit 2 with one message on stderr that names the file (and the line, where
there is one); never a traceback, never an internal error, and never a report written.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamgate.formats.files import SMALL_FILE as MAX_BASELINE_BYTES
from iamgate.formats.snapshot_json import snapshot_to_json
from testing import DATA
from testing.factories import snap

# Not imported from conftest: tests/faults has its own conftest, and under xdist either one may
# be the module named "conftest".
BAD = DATA / "bad"
DEFAULT_RUN = {
    "baseline": "evaluate {snapshot} --baseline {file}",
    "config": "evaluate {snapshot} --config {file}",
    "snapshot": "evaluate {file}",
    "access-analyzer": "evaluate {snapshot} --access-analyzer-findings {file}",
    "results": "merge {file} --output-dir out",
    "accounts": "scan --accounts {file} --output-dir out",
    "terraform": "plan --snapshot {snapshot} --terraform {file} --output-dir out",
    "cloudformation": "plan --snapshot {snapshot} --cloudformation {file} --output-dir out",
}
REPORTS = ("junit.xml", "results.json", "summary.md", "snapshot.json")


def load_cases() -> list[Any]:
    manifest = yaml.safe_load((BAD / "cases.yml").read_text(encoding="utf-8"))
    cases = []
    for group, entries in manifest.items():
        for n, case in enumerate(entries):
            name = Path(case.get("file") or case.get("generate") or "args").stem
            cases.append(pytest.param(group, case, id=f"{group}-{n:02d}-{name}"))
    return cases


CASES = load_cases()


def generate(kind: str, tmp_path: Path) -> Path:
    """Inputs not worth committing: megabytes, deep nesting, directories, missing files."""
    target = tmp_path / "inputs"
    target.mkdir(exist_ok=True)
    if kind == "huge-baseline":
        path = target / "huge.yml"
        head = 'version: 1\naccount: "123456789012"\nexceptions: []\n'
        path.write_text(head + "# padding\n" * (MAX_BASELINE_BYTES // 10 + 1), encoding="utf-8")
    elif kind == "deeply-nested-baseline":
        path = target / "deep.yml"
        path.write_text('version: 1\naccount: "123456789012"\nexceptions: ' + "[" * 20_000)
    elif kind == "deeply-nested-json":
        path = target / "deep.json"
        path.write_text("[" * 200_000 + "]" * 200_000)
    elif kind == "directory":
        path = target / "a-directory"
        path.mkdir()
    elif kind == "missing":
        path = target / "no-such-file.yml"
    elif kind == "file":
        path = target / "a-file"
        path.write_text("not a directory\n")
    else:
        raise AssertionError(f"unknown generator {kind!r}")
    return path


@pytest.mark.parametrize(("group", "case"), CASES)
def test_bad_input_exits_2_with_one_clear_message(
    group: str, case: dict[str, Any], offline: Any, tmp_path: Path
) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(snapshot_to_json(snap()), encoding="utf-8")
    # For the commands that read results and a baseline together (baseline prune).
    (tmp_path / "r.json").write_text((DATA / "golden" / "results.json").read_text("utf-8"))
    (tmp_path / "b.yml").write_text('version: 1\naccount: "123456789012"\nexceptions: []\n')
    if "file" in case:
        path: Path | None = BAD / case["file"]
    elif "generate" in case:
        path = generate(case["generate"], tmp_path)
    else:
        path = None
    template = case.get("run") or DEFAULT_RUN[group]
    args = [a.format(file=path, snapshot=snapshot, dir=tmp_path) for a in shlex.split(template)]
    if "--output-dir" not in args:
        args += ["--output-dir", "out"] if args[0] in ("scan", "evaluate", "merge") else []
    run = offline(*args)

    assert run.code == 2, (run.code, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    assert "internal error" not in run.stderr
    message = [line for line in run.stderr.splitlines() if line.strip()]
    if case.get("usage"):  # the argument parser's own usage error
        assert any(line.startswith("Error:") for line in message), run.stderr
    else:
        assert len(message) == 1, run.stderr
        assert message[0].startswith("iamgate: error (bad input): "), run.stderr
    if case.get("expect"):
        assert case["expect"] in run.stderr, run.stderr
    if path is not None and "{file}" in template:
        where = f"{path}:{case['line']}: " if "line" in case else f"{path}"
        assert where in run.stderr, run.stderr
    for name in REPORTS:  # nothing that could be read as the run's result
        assert not (tmp_path / "out" / name).exists(), name


def test_the_corpus_is_big_enough_and_every_file_is_used() -> None:
    used = {
        case["file"] for _, entries in _manifest().items() for case in entries if "file" in case
    }
    files = {str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file()} - {"cases.yml"}
    assert files - used == set(), "files in tests/data/bad/ that no case runs"
    assert used - files == set(), "cases naming files that do not exist"
    assert len(CASES) >= 140


def _manifest() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((BAD / "cases.yml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
