"""Where ``iamgate evaluate`` spends its CPU on a snapshot file: each phase timed in this process
(``time.process_time``), every check and every report apart.

    python benchmarks/phases.py snapshot.json [--repeat 3]

The phases are those of ``iamgate evaluate --output-dir``: importing iamgate, reading the
snapshot, the checks (each check's time includes what it is the first to build: parsed policies,
the escalation graph), the gate, then each report rendered (not written to disk: ``bench_scale``
times the whole command). With ``--repeat N`` each phase's minimum over N runs in fresh
processes is printed: on a shared machine the minimum is the figure least moved by the load.
The cyclic collector is paused as ``iamgate`` pauses it (``app/batch.py``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STARTED = time.process_time()


@contextmanager
def timed(phases: dict[str, float], name: str) -> Iterator[None]:
    """Add the CPU time of the block to ``phases[name]``."""
    started = time.process_time()
    yield
    phases[name] = time.process_time() - started


def measure(snapshot_path: Path) -> dict[str, float]:
    """One run of every phase, in this process: phase name -> CPU seconds."""
    from iamgate.app.batch import without_cycle_collection
    from iamgate.app.evaluate import GateOptions, gate_results, load_checked_baseline
    from iamgate.app.reports import Outputs, report_context
    from iamgate.checks import REGISTRY
    from iamgate.checks.context import Context
    from iamgate.checks.runner import run_check
    from iamgate.formats.snapshot_json import load_snapshot
    from iamgate.model.config import Config
    from iamgate.model.results import Result
    from iamgate.report import REPORTERS
    from iamgate.report.markdown import render_markdown

    phases = {"import": time.process_time() - STARTED}
    with without_cycle_collection():
        with timed(phases, "load"):
            snapshot = load_snapshot(snapshot_path)
        config, checks = Config(), list(REGISTRY)
        ctx = Context(snapshot, config)
        results: list[Result] = []
        for check_id in checks:
            with timed(phases, f"check {check_id}"):
                results.extend(run_check(REGISTRY[check_id], snapshot, ctx))
        ctx.close()
        options = GateOptions()
        baseline = load_checked_baseline(options.baseline, snapshot.account_id)
        with timed(phases, "gate"):
            verdict = gate_results(results, snapshot, config, options, baseline, checks)
        results.clear()
        context = report_context(Outputs())
        for reporter in REPORTERS:
            if reporter.kind == "markdown":
                with timed(phases, "report markdown"):
                    render_markdown(verdict)
            elif reporter.kind not in ("history", "ocsf"):
                with timed(phases, f"report {reporter.kind}"):
                    sum(map(len, reporter.later(verdict, context)()))
    phases["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes; minimum kept")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one child's run
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.snapshot)))
        return
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, __file__, str(args.snapshot), "--json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(args.repeat)
    ]
    best = {name: min(run[name] for run in runs) for name in runs[0]}
    checks = sum(v for k, v in best.items() if k.startswith("check "))
    reports = sum(v for k, v in best.items() if k.startswith("report "))
    print(f"{args.snapshot}: minimum of {args.repeat} run(s), CPU seconds")
    for name in ("import", "load"):
        print(f"  {name:38s} {best[name]:7.2f}")
    print(f"  {'checks':38s} {checks:7.2f}")
    for name, value in sorted(best.items(), key=lambda kv: -kv[1]):
        if name.startswith("check ") and value >= 0.1:
            print(f"    {name[6:]:36s} {value:7.2f}")
    print(f"  {'gate':38s} {best['gate']:7.2f}")
    print(f"  {'reports':38s} {reports:7.2f}")
    for name, value in best.items():
        if name.startswith("report "):
            print(f"    {name[7:]:36s} {value:7.2f}")
    total = sum(v for k, v in best.items() if k != "peak RSS MB")
    print(f"  {'total':38s} {total:7.2f}   peak RSS {best['peak RSS MB']:.0f} MB")


if __name__ == "__main__":
    main()
