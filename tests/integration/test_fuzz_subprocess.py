"""Exit 4 is only for iamgate's bugs (issue 24), with the operating system's streams and exit
code: a small budget of hostile files and options run through the real ``iamgate`` (the many
combinations run in-process: tests/unit/cli/test_fuzz_cli.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testing.hostile import COMMANDS, OPTIONS, file_text, option_value


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(COMMANDS),
    file_text,
    st.lists(st.tuples(st.integers(0, 30), option_value), max_size=3),
)
def test_the_real_command_never_ends_as_a_bug(
    offline: Any,
    tmp_path_factory: Any,
    command: list[str],
    content: str,
    options: list[tuple[int, str]],
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    (base / "dir").mkdir()
    os.mkfifo(base / "fifo")
    file = base / "input"
    file.write_text(content, encoding="utf-8", errors="surrogatepass")
    names = {"dir": str(base / "dir"), "fifo": str(base / "fifo"), "file": str(file)}
    args = [a.format(**names) for a in command]
    known = OPTIONS[command[0]]
    for pick, value in options:
        if known:
            args += [known[pick % len(known)], value.format(**names)]
    args = [a.replace("\x00", "") for a in args]  # an argument cannot hold NUL
    run = offline(*args, cwd=Path(base))
    assert run.code in (0, 1, 2, 3), (args, run.stderr)
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stderr
