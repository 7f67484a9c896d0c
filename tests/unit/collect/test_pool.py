"""The worker pool never holds up a stop (issue 24): Ctrl-C or SIGTERM while calls stall in
worker threads ends the command at once, with its exit code, through the one error handler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from iamgate.collect.pool import map_promptly
from testing import SRC

_STALLED = """
import sys, time
from iamgate.cli.common import handle_errors
from iamgate.collect.pool import map_promptly

def stall(n):
    if n == 0:
        print("stalled", flush=True)
    time.sleep(600)  # an endpoint that never answers

@handle_errors
def run():
    map_promptly(stall, range(8), 4)

run()
"""


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_the_command_while_workers_stall(sent: int, code: int) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _STALLED],
        env=dict(os.environ, PYTHONPATH=str(SRC)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "stalled"
        started = time.monotonic()
        child.send_signal(sent)
        _, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == code, stderr
    assert time.monotonic() - started < 10
    assert "Traceback" not in stderr


def test_results_come_in_order_and_errors_propagate() -> None:
    assert map_promptly(lambda n: n * n, range(10), 3) == [n * n for n in range(10)]
    with pytest.raises(ZeroDivisionError):
        map_promptly(lambda n: 1 // n, [1, 0, 2], 2)
