"""Exit 4 is only for iamgate's bugs (issue 24): every input file type and every option of the
offline commands, fed hostile values, ends with 0, 1, 2 or 3, never 4 and never a traceback.

In-process through the command line's own entry (typer's runner: fast, so Hypothesis can try
many combinations); a few examples also run the real ``iamgate`` as a subprocess, where the
standard streams and the exit code are the operating system's
(``test_fuzz_subprocess.py`` in tests/integration).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from iamgate.cli.app import app
from testing.hostile import COMMANDS, OPTIONS, file_text, option_value


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("fuzz")
    fifo = base / "fifo"
    os.mkfifo(fifo)
    (base / "dir").mkdir()
    return {"dir": str(base / "dir"), "fifo": str(fifo), "base": str(base)}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(COMMANDS),
    file_text,
    st.lists(st.tuples(st.integers(0, 30), option_value), max_size=3),
)
def test_hostile_files_and_options_never_end_as_a_bug(
    places: dict[str, str],
    command: list[str],
    content: str,
    options: list[tuple[int, str]],
) -> None:
    file = Path(places["base"]) / "input"
    file.write_text(content, encoding="utf-8", errors="surrogatepass")
    names = {**places, "file": str(file)}
    args = [a.format(**names) for a in command]
    known = OPTIONS[command[0]]
    for pick, value in options:
        if known:
            args += [known[pick % len(known)], value.format(**names)]
    runner = CliRunner()
    env = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "IAMGATE_DEBUG": ""}
    # Relative outputs (`--junit x`) land in a scratch directory, never the checkout.
    here = os.getcwd()
    os.chdir(places["dir"])
    try:
        result = runner.invoke(app, args, env=env, catch_exceptions=True)
    finally:
        os.chdir(here)
    assert result.exit_code in (0, 1, 2, 3), (args, result.output, result.exception)
    assert "internal error" not in result.output, (args, result.output)
