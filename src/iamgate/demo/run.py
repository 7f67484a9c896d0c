"""``iamgate demo``: the stand-in account seeded with the mistakes audits find most, scanned.

The scan itself is the real one: boto3 over HTTP to moto's server on 127.0.0.1, then the same
checks, gate and reporters as ``iamgate scan``. Exception expiry in the demo baseline is judged
as of ``DEMO_DATE``, so every status (new, accepted, expiring, expired, stale) shows whatever
day the demo runs; credential ages are set relative to now.

Then the pull request's side: ``iamgate plan`` of a Terraform plan (``plan.json`` beside this
module) against the snapshot just taken, written to ``plan/`` in the output directory. The plan
adds a role any GitHub repository can assume, with a policy that passes the account's Lambda
administrator role, and a trust on ``deployer`` that opens a path from ``alice`` to
administrator; it deletes the public ``shared-reports`` role (a fix).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from iamgate.app.evaluate import GateOptions, evaluate
from iamgate.app.gating import finish_run, start_run
from iamgate.app.plan import PlanFiles, plan_change, read_change_files
from iamgate.app.reports import Outputs, Report, write_reports
from iamgate.aws.clients import Clients
from iamgate.collect.snapshot import collect
from iamgate.demo.seed import DEMO_REGIONS, seed_demo
from iamgate.demo.standin import DEFAULT_ACCOUNT, MotoAccount
from iamgate.errors import InputError
from iamgate.model.config import Config
from iamgate.model.snapshot import Snapshot

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
    options = GateOptions(baseline=baseline, as_of=DEMO_DATE)
    verdict = evaluate(snapshot, Config(), options)
    report = finish_run(run, verdict, snapshot)
    run_demo_plan(snapshot, options, output_dir / "plan", progress)
    return report


def demo_plan_path() -> Path:
    """The demo's Terraform plan (``terraform show -json`` of a plan against the demo account)."""
    return Path(__file__).resolve().parent / "plan.json"


def run_demo_plan(
    snapshot: Snapshot, options: GateOptions, output_dir: Path, progress: Callable[[str], None]
) -> Report:
    """``iamgate plan --snapshot`` (the demo's) ``--terraform plan.json``: what a pull request
    would be told before the change is applied."""
    plan = demo_plan_path()
    read = read_change_files(PlanFiles(terraform=(plan,)))
    planned = plan_change(snapshot, Config(), options, read)
    report = write_reports(planned.verdict, Outputs(output_dir=output_dir))
    comparison = planned.verdict.plan
    if comparison is not None:
        progress(
            f"plan ({plan.name}, a pull request's change): introduces "
            f"{len(comparison.introduced)} findings and fixes {len(comparison.fixed)}; "
            f"its reports are in {output_dir} ({planned.verdict.status.upper()})"
        )
        for f in comparison.introduced:
            origin = f.origin.describe() if f.origin else "the change"
            progress(f"  introduced: {f.check} on {f.resource} by {origin}")
    return report
