"""``iamgate demo``: the stand-in account seeded with the mistakes audits find most, scanned.

The scan itself is the real one: boto3 over HTTP to moto's server on 127.0.0.1, then the same
checks, gate and reporters as ``iamgate scan``. Exception expiry in the demo baseline is judged
as of ``DEMO_DATE``, so every status (new, accepted, expiring, expired, stale) shows whatever
day the demo runs; credential ages are set relative to now.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from iamgate.app.evaluate import GateOptions, evaluate
from iamgate.app.gating import finish_run, start_run
from iamgate.app.reports import Outputs, Report
from iamgate.aws.clients import Clients
from iamgate.collect.snapshot import collect
from iamgate.demo.seed import DEMO_REGIONS, seed_demo
from iamgate.demo.standin import DEFAULT_ACCOUNT, MotoAccount
from iamgate.errors import InputError
from iamgate.model.config import Config

DEMO_DATE = date(2026, 11, 27)
ACCOUNT = DEFAULT_ACCOUNT


def demo_baseline_path() -> Path:
    """The repository's ``baselines/123456789012.yml`` (a copy ships inside the wheel)."""
    here = Path(__file__).resolve()
    source_tree = here.parents[3] / "baselines" / f"{ACCOUNT}.yml"
    if source_tree.is_file():
        return source_tree
    packaged = here.parents[1] / "data" / "demo-baseline.yml"
    if packaged.is_file():
        return packaged
    raise InputError("the demo baseline is missing from this installation", str(source_tree))


def run_demo(
    output_dir: Path,
    progress: Callable[[str], None],
    history: Path | None = None,
    previous: Path | None = None,
) -> Report:
    """``history`` and ``previous`` as ``scan --history/--previous``: a second run given the
    first one's ``results.json`` and the same history file shows the trend and what changed."""
    outputs = Outputs(output_dir=output_dir, step_summary=None, history=history)
    run = start_run(outputs, previous)  # bad input before the account is started
    progress("starting an embedded moto account on 127.0.0.1 ...")
    account = MotoAccount()
    try:
        seed_demo(account)
        clients = Clients(account.options())
        snapshot = collect(clients, progress, regions=DEMO_REGIONS)
    finally:
        account.stop()
    baseline = demo_baseline_path()
    # Name the file as the user would type it, when it is below the working directory.
    with contextlib.suppress(ValueError):
        baseline = baseline.relative_to(Path.cwd())
    progress(f"gating on {baseline} as of {DEMO_DATE} (the demo's fixed date)")
    verdict = evaluate(snapshot, Config(), GateOptions(baseline=baseline, as_of=DEMO_DATE))
    return finish_run(run, verdict, snapshot)
