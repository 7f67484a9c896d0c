"""One owner per output path (issue 24): two outputs on one file are refused before anything is
written; the history file is appended under the report set's lock (two overlapping runs both
keep their line); a step summary that cannot be written leaves no report saying "pass"."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iamgate.app.gating import finish_run, start_run
from iamgate.app.reports import Outputs, check_targets
from iamgate.errors import InputError
from testing import REPO, SRC
from testing.verdicts import fixture_verdict


@pytest.mark.parametrize(
    ("clash", "named"),
    [
        (
            lambda d: Outputs(output_dir=d, json=d / "junit.xml"),
            "junit.xml of --output-dir and --json",
        ),
        (lambda d: Outputs(markdown=d / "a.md", history=d / "a.md"), "--markdown and --history"),
        (
            lambda d: Outputs(output_dir=d, step_summary=d / "summary.md"),
            "summary.md of --output-dir and $GITHUB_STEP_SUMMARY",
        ),
        (
            lambda d: Outputs(badge=d / "b.json", html=d / "b.svg"),
            "the .svg beside --badge and --html",
        ),
        (lambda d: Outputs(junit=d / "x" / ".." / "j.xml", csv=d / "j.xml"), "--junit and --csv"),
    ],
)
def test_two_outputs_on_one_file_are_refused(tmp_path: Path, clash: object, named: str) -> None:
    outputs = clash(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError, match="would both be written here") as caught:
        start_run(outputs)
    assert named in caught.value.message
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing created


def test_a_symlink_or_a_hard_link_to_another_target_is_the_same_file(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(tmp_path / "results.json")
    os.link(tmp_path / "results.json", tmp_path / "hard.json")
    for other in ("link.json", "hard.json"):
        with pytest.raises(InputError, match="--json and --badge"):
            check_targets(Outputs(json=tmp_path / "results.json", badge=tmp_path / other))
    # The near miss: separate files, and every report of --output-dir, are fine.
    check_targets(Outputs(json=tmp_path / "results.json", badge=tmp_path / "badge.json"))
    check_targets(Outputs(output_dir=tmp_path, history=tmp_path / "history.jsonl"))


def test_a_step_summary_that_cannot_be_written_leaves_no_report(tmp_path: Path) -> None:
    summary = tmp_path / "summary-is-a-directory"
    summary.mkdir()
    out = tmp_path / "out"
    run = start_run(Outputs(output_dir=out, step_summary=summary))
    with pytest.raises(InputError, match="cannot append"):
        finish_run(run, fixture_verdict())
    assert sorted(p.name for p in out.iterdir()) == []  # staged, never renamed, cleaned up


# Two runs that read the history before either writes, then write at the same moment.
RACER = """
import sys, time
from pathlib import Path
from iamgate.app.gating import finish_run, start_run
from iamgate.app.reports import Outputs
from testing.verdicts import fixture_verdict
history, ready, go = map(Path, sys.argv[1:4])
run = start_run(Outputs(output_dir=Path(sys.argv[4]), history=history))
ready.touch()
while not go.exists():
    time.sleep(0.01)
finish_run(run, fixture_verdict())
"""


def test_two_overlapping_runs_appending_to_one_history_lose_no_line(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{REPO}"}
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                RACER,
                str(history),
                str(tmp_path / f"ready{n}"),
                str(go),
                str(tmp_path / f"out{n}"),
            ],
            env=env,
        )
        for n in range(2)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready{n}").exists() for n in range(2)):
        assert time.monotonic() < deadline, "the runs never started"
        time.sleep(0.02)
    go.touch()  # both have read an empty history; both now write
    assert [r.wait(timeout=60) for r in racers] == [0, 0]
    assert len(history.read_text(encoding="utf-8").splitlines()) == 2
