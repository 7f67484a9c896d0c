"""Atomic report writes: an interrupted write never leaves a partial file at the target."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from iamgate.errors import InputError
from iamgate.formats.files import write_all_atomic, write_atomic
from testing import SRC


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_a_write_interrupted_midway_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "junit.xml"
    target.write_text("<old/>", encoding="utf-8")

    def killed(_fd: int) -> None:  # the temp file is written; the run dies before the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "<new>" + "x" * 100_000)
    assert target.read_text(encoding="utf-8") == "<old/>"
    assert leftovers(tmp_path) == []


def test_one_unwritable_target_writes_none_of_the_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "results.json").mkdir(parents=True)  # cannot become a file
    with pytest.raises(InputError, match="is a directory"):
        write_all_atomic(
            {out / "junit.xml": "<testsuites/>", out / "results.json": "{}", out / "s.md": "#"}
        )
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]


def test_a_failed_rename_cleans_up_the_staged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace
    calls = []

    def second_rename_fails(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", second_rename_fails)
    with pytest.raises(InputError, match="No space left"):
        write_all_atomic({tmp_path / "a.xml": "a", tmp_path / "b.json": "b"})
    assert leftovers(tmp_path) == []


_CHILD = """
import os, sys, time
from pathlib import Path
from iamgate.formats import files as output
os.fsync = lambda fd: (print("staged", flush=True), time.sleep(60))  # a stalled disk
output.write_atomic(Path(sys.argv[1]), "<testsuites>" + "<testcase/>" * 200_000)
"""


def test_a_killed_process_leaves_no_report(tmp_path: Path) -> None:
    target = tmp_path / "junit.xml"
    env = dict(os.environ, PYTHONPATH=str(SRC))
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(target)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "staged"  # the whole report is in the temp file
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert not target.exists()
    staged = [p for p in tmp_path.iterdir() if p.name.startswith(".junit.xml.")]
    assert staged, "the report was being written to a temp file"
    assert staged[0].stat().st_size > 0
