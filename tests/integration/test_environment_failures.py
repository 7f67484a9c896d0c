"""Failures of the environment and of input are named, never called a bug (issue 24).

Each case runs the real ``iamgate`` as a user would: a closed pipe, a console that cannot encode
a character, a mistyped region, an AWS setting boto3 could not use, a number past Python's
int-string limit or JSON nested past the recursion limit in every input file, and inputs that
are not regular files. None may end with exit 4 or a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from testing import DATA
from testing.cli import SRC, iamgate_command, without_ci

SNAPSHOT = DATA / "demo-snapshot.json"
HUGE = "1" * 5000  # past sys.get_int_max_str_digits() (4300)
DEEP = "[" * 100_000 + "]" * 100_000


def one_error_line(run: Any, *words: str) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return str(lines[0])


# --- the standard streams -------------------------------------------------------------------


def shell(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``command`` in bash with ``iamgate`` this checkout's command; PIPESTATUS is printed."""
    full = {k: v for k, v in without_ci(os.environ).items() if not k.startswith("AWS_")}
    full.update(env, PYTHONPATH=str(SRC), IAMGATE=" ".join(iamgate_command()))
    return subprocess.run(
        ["bash", "-c", command + '; echo "status=${PIPESTATUS[0]}"'],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def status(proc: subprocess.CompletedProcess[str]) -> int:
    return int(proc.stdout.strip().splitlines()[-1].removeprefix("status="))


def test_a_gate_whose_reader_stops_early_exits_with_its_verdict(tmp_path: Path) -> None:
    # `| true` closes the pipe before iamgate prints: the summary cannot be written at all.
    proc = shell(f"$IAMGATE evaluate {SNAPSHOT} --output-dir out 2>err.txt | true", tmp_path)
    assert status(proc) == 1  # the demo snapshot fails: the verdict, not 4 and not 141
    err = (tmp_path / "err.txt").read_text(encoding="utf-8")
    assert "Traceback" not in err
    assert "internal error" not in err
    assert "Broken pipe" not in err
    assert "FAIL" in err  # the one-line verdict still reaches stderr
    assert json.loads((tmp_path / "out" / "results.json").read_text())["verdict"] == "fail"


def test_a_listing_whose_reader_stops_early_exits_141_quietly(tmp_path: Path) -> None:
    proc = shell("$IAMGATE checks 2>err.txt | true", tmp_path)
    assert status(proc) == 141
    assert (tmp_path / "err.txt").read_text(encoding="utf-8") == ""


def test_a_console_that_cannot_encode_a_character_gets_an_escape(tmp_path: Path) -> None:
    proc = shell(
        f"$IAMGATE evaluate {SNAPSHOT} > out.txt 2> err.txt", tmp_path, PYTHONIOENCODING="cp1252"
    )
    assert status(proc) == 1
    out = (tmp_path / "out.txt").read_bytes().decode("cp1252")
    assert "\\u274c FAIL" in out  # ❌, which cp1252 has not
    assert b"internal error" not in (tmp_path / "err.txt").read_bytes()


# --- AWS settings (every one of them: tests/unit/aws/test_settings.py) -------------------


AWS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x" * 8}


@pytest.mark.parametrize(
    ("env", "args", "named"),
    [
        pytest.param({}, ["--region", "us_east_1"], "--region", id="region"),
        pytest.param({"AWS_ENDPOINT_URL": "http://[::1"}, [], "AWS_ENDPOINT_URL", id="endpoint"),
    ],
)
def test_an_aws_setting_boto3_cannot_use_is_bad_input(
    offline: Any, env: dict[str, str], args: list[str], named: str
) -> None:
    run = offline("scan", "--output-dir", "out", *args, env={**AWS, **env})
    assert run.code == 2, run.stderr
    one_error_line(run, "error (bad input)", named)
    assert not (run.cwd / "out").exists()


def test_an_unparsable_aws_config_file_is_bad_input(offline: Any, tmp_path: Path) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[default\nregion = us-east-1\n", encoding="utf-8")
    run = offline("scan", env={**AWS, "AWS_CONFIG_FILE": str(config)})
    assert run.code == 2, run.stderr
    one_error_line(run, "Unable to parse config file", str(config))


# --- numbers and nesting past Python's limits (every file type: tests/unit/formats/
# test_hostile_files.py) ------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_huge_number_in_json_and_in_toml_is_bad_input(offline: Any, tmp_path: Path) -> None:
    results = write(tmp_path / "results.json", '{"schema_version": ' + HUGE + "}")
    config = write(tmp_path / "iamgate.toml", f"[gate]\nexpiring_within_days = {HUGE}\n")
    for path, args in ((results, ["merge", str(results)]), (config, ["evaluate", str(SNAPSHOT)])):
        run = offline(*args)
        assert run.code == 2, run.stderr
        one_error_line(run, str(path.name), "digits")


def test_a_deeply_nested_history_line_is_bad_input(offline: Any, tmp_path: Path) -> None:
    history = write(tmp_path / "history.jsonl", DEEP + "\n")
    run = offline("evaluate", str(SNAPSHOT), "--history", str(history), "--output-dir", "out")
    assert run.code == 2, run.stderr
    one_error_line(run, f"{history}:1", "nested too deeply")
    assert not (tmp_path / "out").exists()


# --- bounded reads (every file type: tests/unit/formats/test_hostile_files.py) ----------------


def test_a_baseline_or_a_config_that_is_a_symlink_to_dev_zero_is_refused(
    offline: Any, tmp_path: Path
) -> None:
    zero = tmp_path / "123456789012.yml"
    zero.symlink_to("/dev/zero")
    run = offline("evaluate", str(SNAPSHOT), "--baseline", str(zero))
    assert run.code == 2, run.stderr
    one_error_line(run, str(zero), "is a symbolic link (to /dev/zero)")
    config = tmp_path / "iamgate.toml"
    config.symlink_to("/dev/zero")  # a config may be a link: the device is what is refused
    run = offline("evaluate", str(SNAPSHOT), "--config", str(config))
    assert run.code == 2, run.stderr
    one_error_line(run, str(config), "character device, not a regular file")
