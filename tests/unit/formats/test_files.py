"""Atomic report writes: an interrupted write never leaves a partial file at the target."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
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


def test_reports_made_while_written_are_staged_one_after_another(tmp_path: Path) -> None:
    out = tmp_path / "out"
    made: list[str] = []

    def report(name: str) -> Iterator[str]:
        made.append(name)
        assert len(made) == 1 or (out / made[-2]).exists() is False  # not renamed yet
        yield f"<{name}>"
        yield "x" * 10

    write_all_atomic(
        {
            out / "junit.xml": lambda: report("junit.xml"),
            out / "summary.md": "# text",
            out / "results.csv": lambda: report("results.csv"),
        }
    )
    assert made == ["junit.xml", "results.csv"]
    assert (out / "junit.xml").read_text(encoding="utf-8") == "<junit.xml>" + "x" * 10
    assert (out / "summary.md").read_text(encoding="utf-8") == "# text"
    assert leftovers(out) == []


def test_a_report_that_fails_while_made_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "junit.xml").write_text("<old/>", encoding="utf-8")
    (out / "results.json").write_text('"old"', encoding="utf-8")

    def broken() -> Iterator[str]:
        yield '"new'
        raise RuntimeError("reporter failed")

    with pytest.raises(RuntimeError, match="reporter failed"):
        write_all_atomic({out / "junit.xml": "<new/>", out / "results.json": broken})
    assert (out / "junit.xml").read_text(encoding="utf-8") == "<old/>"
    assert (out / "results.json").read_text(encoding="utf-8") == '"old"'
    assert leftovers(out) == []


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


# --- a set of reports under signals and a second run -------------------------------------------

_WRITER = """
import os, sys, time
from pathlib import Path
from iamgate.formats import files as output
out, tag, stall = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
real = os.fsync
def slow(fd):
    print("staging", flush=True)  # inside the write, the directory locked
    time.sleep(stall)
    real(fd)
os.fsync = slow
output.write_all_atomic({out / "junit.xml": f"<{tag}/>", out / "results.json": f'"{tag}"'})
print("written", flush=True)
"""

_CLI_WRITER = """
import os, sys, time
from pathlib import Path
from iamgate.cli.common import handle_errors
from iamgate.formats import files as output
out, stage = Path(sys.argv[1]), sys.argv[2]

@handle_errors
def run():
    if stage == "collecting":  # terminated before any report is written
        print("collecting", flush=True)
        time.sleep(30)
    real = os.fsync
    def slow(fd):
        print("staging", flush=True)
        time.sleep(1.5)
        real(fd)
    os.fsync = slow
    output.write_all_atomic({out / "junit.xml": "<new/>", out / "results.json": '"new"'})

try:
    run()
except SystemExit as exc:  # typer.Exit outside a typer app: say the code
    sys.exit(exc.code)
except BaseException as exc:
    code = getattr(exc, "exit_code", None)
    sys.exit(code if code is not None else 99)
"""


def _child(script: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _set(out: Path) -> tuple[str, str]:
    return (
        (out / "junit.xml").read_text(encoding="utf-8"),
        (out / "results.json").read_text(encoding="utf-8"),
    )


def _old_set(out: Path) -> None:
    out.mkdir()
    (out / "junit.xml").write_text("<old/>", encoding="utf-8")
    (out / "results.json").write_text('"old"', encoding="utf-8")


def test_sigterm_while_writing_leaves_the_whole_new_set_and_no_temp_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_set(out)
    child = _child(_WRITER, str(out), "new", "1.5")
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "staging"
    child.send_signal(signal.SIGTERM)  # held until the set is in place, then delivered
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGTERM
    assert _set(out) == ("<new/>", '"new"')
    assert leftovers(out) == []


def test_the_cli_exits_143_after_the_set_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_set(out)
    child = _child(_CLI_WRITER, str(out), "writing")
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "staging"
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 143, stderr
    assert "iamgate: terminated (SIGTERM)" in stderr
    assert _set(out) == ("<new/>", '"new"')
    assert leftovers(out) == []


def test_the_cli_terminated_before_writing_leaves_the_old_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_set(out)
    child = _child(_CLI_WRITER, str(out), "collecting")
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "collecting"
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 143, stderr
    assert _set(out) == ("<old/>", '"old"')
    assert leftovers(out) == []


def test_a_second_run_into_the_same_directory_waits_and_never_mixes_the_sets(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    _old_set(out)
    first = _child(_WRITER, str(out), "first", "1.0")
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "staging"  # the first run holds the directory
    second = _child(_WRITER, str(out), "second", "0.3")
    assert second.stdout is not None
    first.wait(timeout=30)
    # The second run could not stage while the first held the lock: the first's set landed
    # whole, and the second's then replaced it whole.
    assert second.stdout.readline().strip() == "staging"
    assert _set(out) == ("<first/>", '"first"')
    second.wait(timeout=30)
    assert (first.returncode, second.returncode) == (0, 0)
    assert _set(out) == ("<second/>", '"second"')
    assert leftovers(out) == []


def test_temp_files_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    (tmp_path / ".junit.xml.k1ll3d.tmp").write_text("<half", encoding="utf-8")
    (tmp_path / ".unrelated.tmp").write_text("not ours", encoding="utf-8")
    write_all_atomic({tmp_path / "junit.xml": "<new/>"})
    assert leftovers(tmp_path) == [".unrelated.tmp"]


def test_a_directory_held_too_long_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    from iamgate.formats import files

    monkeypatch.setattr(files, "LOCK_WAIT", 0.2)
    held = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another run, writing
        with pytest.raises(InputError, match="another iamgate run has been writing"):
            write_all_atomic({tmp_path / "junit.xml": "<new/>"})
    finally:
        os.close(held)
    assert not (tmp_path / "junit.xml").exists()
    assert leftovers(tmp_path) == []
