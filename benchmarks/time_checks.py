"""Time iamgate's check phase on a snapshot file, in this process, and print the figures as JSON.

    PYTHONPATH=<a checkout's src> python benchmarks/time_checks.py snapshot.json

``bench.py --offline N`` runs it once per tree (this one, and the commit it compares with) in
fresh processes, so the two check phases are measured in one benchmark run on the same
snapshot. Only the check phase is timed (loading the snapshot is not). Every check runs in
registry order with one shared Context, as ``run_checks`` does; each check's time includes what
it is the first to build (parsed policies, the escalation graph).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from iamgate.checks import REGISTRY
from iamgate.checks.context import Context
from iamgate.checks.runner import run_check
from iamgate.formats.snapshot_json import load_snapshot
from iamgate.model.config import Config


def main() -> None:
    snapshot = load_snapshot(Path(sys.argv[1]))
    ctx = Context(snapshot, Config())
    by_check: dict[str, float] = {}
    results = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for check_id, chk in REGISTRY.items():
        started = time.process_time()
        results += sum(1 for _ in run_check(chk, snapshot, ctx))
        by_check[check_id] = time.process_time() - started
    out = {
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "results": results,
        "by_check": by_check,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
