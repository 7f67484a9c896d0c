"""``iamgate demo``: scan an embedded moto account seeded with typical mistakes.

The demo's package is imported only here, and only when the command runs: moto is an optional
extra (``iamgate[demo]``), and every other command works without it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer

from iamgate.cli.common import (
    Console,
    HistoryPath,
    PreviousPath,
    Quiet,
    finish,
    handle_errors,
)
from iamgate.errors import InputError


@handle_errors
def demo(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", help="Where to write the reports.")
    ] = Path("iamgate-demo"),
    history: HistoryPath = None,
    previous: PreviousPath = None,
    quiet: Quiet = False,
) -> None:
    """Scan an embedded moto account seeded with typical mistakes (needs iamgate[demo]).

    Run it again with --previous <first run>/results.json and the same --history file to see
    the trend and what changed since the last run.
    """
    if importlib.util.find_spec("moto") is None:
        raise InputError("the demo needs moto: pip install 'iamgate[demo]'", "iamgate demo")
    from iamgate.demo.run import run_demo

    console = Console(verbose=True, quiet=quiet)
    finish(run_demo(output_dir, console.progress, history, previous), console)
