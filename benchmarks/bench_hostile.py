"""Hostile sizes: what a pull request or a policy author can hand the gate to stall it.

    python benchmarks/bench_hostile.py           # every case
    python benchmarks/bench_hostile.py gate diff # some of them: gate, globs, yaml, diff, evaluate

No AWS and no network: baselines, snapshots and findings are built here. Each case prints wall
and CPU time (on a shared machine the CPU time is the steadier figure) and, where the code it
replaced is small enough to keep here, that code's time on a smaller size, to show the growth.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from iamgate.baseline.diff import build_review  # noqa: E402
from iamgate.baseline.review import render_review  # noqa: E402
from iamgate.baseline.sources import Side  # noqa: E402
from iamgate.checks import REGISTRY, catalogue, run_checks  # noqa: E402
from iamgate.errors import InputError  # noqa: E402
from iamgate.formats import safe_yaml  # noqa: E402
from iamgate.formats.baseline_yaml import parse_baseline  # noqa: E402
from iamgate.formats.files import SMALL_FILE  # noqa: E402
from iamgate.formats.snapshot_json import snapshot_to_json  # noqa: E402
from iamgate.gate.apply import apply_baseline  # noqa: E402
from iamgate.model.baseline import Baseline, BaselineException  # noqa: E402
from iamgate.model.config import Config  # noqa: E402
from iamgate.model.results import Result  # noqa: E402
from iamgate.model.snapshot import InlinePolicy, Role  # noqa: E402
from iamgate.policy.wildcard import match_action  # noqa: E402
from testing.factories import row, snap  # noqa: E402

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/"
TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
CHECK = "user-console-mfa"


def timed(label: str, fn: Callable[[], Any]) -> Any:
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    print(f"  {label:<58} {wall:7.2f} s wall {used:7.2f} s cpu")
    return value


def exceptions(resources: list[str], expires: date = date(2026, 7, 1)) -> tuple[Any, ...]:
    return tuple(
        BaselineException(CHECK, r, "accepted", "team", expires, source="b.yml", line=4 + 5 * n)
        for n, r in enumerate(resources)
    )


def gate(results: list[Result], baseline: Baseline) -> Any:
    return apply_baseline(
        results,
        baseline,
        today=TODAY,
        generated_at=NOW,
        account_id=ACCOUNT,
        checks=[REGISTRY[CHECK].meta.info],
    )


def per_check_scan(results: list[Result], baseline: Baseline) -> int:
    """The matching this replaced: every exception of the finding's check, tried in turn."""
    by_check: dict[str, list[BaselineException]] = {}
    for e in baseline.exceptions:
        by_check.setdefault(e.check, []).append(e)
    matched = 0
    for r in results:
        matched += sum(1 for e in by_check.get(r.check, ()) if e.matches(r.check, r.resource))
    return matched


def case_gate() -> None:
    print("\n== gate: findings against the baseline")
    n = 40_000
    resources = [f"{USER}user-{i:06d}" for i in range(n)]
    results = [Result(CHECK, r, "user", False, "no MFA", ACCOUNT) for r in resources]
    exact = Baseline(ACCOUNT, exceptions(resources), "b.yml")
    verdict = timed(f"{n:,} findings vs {n:,} exact exceptions", lambda: gate(results, exact))
    assert verdict.counts["accepted"] == n
    small = 5_000
    base = Baseline(ACCOUNT, exceptions(resources[:small]), "b.yml")
    timed(
        f"  the per-check scan it replaced, {small:,} vs {small:,}",
        lambda: per_check_scan(results[:small], base),
    )
    print(f"  (quadratic: x{(n / small) ** 2:.0f} at {n:,}, about the 10 minutes reported)")
    globs = [f"{USER}team-{t:03d}-*" for t in range(1000)]
    mixed = [
        Result(CHECK, f"{USER}team-{i % 1000:03d}-u{i}", "user", False, "", ACCOUNT)
        for i in range(n)
    ]
    with_globs = Baseline(ACCOUNT, exceptions(globs), "b.yml")
    verdict = timed(
        f"{n:,} findings vs 1,000 globs with distinct prefixes", lambda: gate(mixed, with_globs)
    )
    assert verdict.counts["accepted"] == n
    hostile = Baseline(
        ACCOUNT, exceptions([f"{USER}*-x{i}*" for i in range(5_000)]), "b.yml"
    )  # 5,000 globs, one shared prefix: 200 million runs if nothing stopped them

    def refused() -> str:
        try:
            gate(results, hostile)
        except InputError as exc:
            return exc.message[:60]
        return "not refused"

    print(f"    -> {timed(f'{n:,} findings vs 5,000 globs sharing one prefix', refused)}")


def case_globs() -> None:
    print("\n== globs written to stall a matcher")
    stars = 300
    text = "a" * (stars * 100)
    pattern = "a*" * stars + "b"
    timed(
        f"action glob with {stars} stars vs a {len(text):,}-character text",
        lambda: match_action(pattern, text),
    )
    small, length = 12, 32
    regex = re.compile(".*".join(re.escape(p) for p in ("a*" * small + "b").split("*")))
    timed(
        f"  a backtracking regex of that shape: {small} stars, {length} characters",
        lambda: regex.fullmatch("a" * length),
    )
    never = "*a" * stars + "b"
    hostile = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["i*a*m*:*P*a*s*s*R*o*l*e*", "l*a*m*b*d*a*:*F*u*n*c*t*i*o*n*", never],
                "Resource": ["arn:aws:*" + "*a" * stars + "b", "*"],
            }
        ],
    }
    roles = tuple(
        Role(
            f"r{i}",
            f"arn:aws:iam::{ACCOUNT}:role/r{i}",
            NOW,
            {},
            inline=(InlinePolicy("p", hostile),),
        )
        for i in range(200)
    )
    snapshot = snap(roles=roles)
    checks = ["policy-privilege-escalation", "principal-admin-access", "policy-service-wildcard"]
    timed(
        f"3 least-privilege checks, 200 roles with {stars}-star globs",
        lambda: run_checks(snapshot, Config(), checks),
    )


def baseline_text(resources: list[str]) -> str:
    lines = ["version: 1", f'account: "{ACCOUNT}"', "exceptions:"]
    for r in resources:
        lines += [f"  - check: {CHECK}", f"    resource: {r}", "    reason: r", "    owner: o"]
        lines.append("    expires: 2026-07-01")
    return "\n".join(lines) + "\n"


def largest_baseline() -> tuple[int, str]:
    n = 40_000
    while True:
        text = baseline_text([f"{USER}user-{i:06d}" for i in range(n)])
        if len(text.encode()) <= SMALL_FILE:
            return n, text
        n -= 1_000


def case_yaml() -> None:
    print("\n== reading the largest baseline allowed (5 MiB)")
    n, text = largest_baseline()
    print(f"  {n:,} exceptions, {len(text) / 2**20:.1f} MiB")
    timed("libyaml events, composed in one pass", lambda: parse_baseline(text, "b.yml", REGISTRY))
    saved, safe_yaml._FAST = safe_yaml._FAST, None
    try:
        timed(
            "PyYAML's pure-Python reader (before)", lambda: parse_baseline(text, "b.yml", REGISTRY)
        )
    finally:
        safe_yaml._FAST = saved


def linear_scan_pairing(added: list[Any], removed: list[Any]) -> int:
    """The pairing this replaced: every removal tried for every addition."""

    def widens(wide: Any, narrow: Any) -> bool:
        return bool(
            wide.resource != narrow.resource and wide.matches(narrow.check, narrow.resource)
        )

    pairs = 0
    for a in list(added):
        partner = next(
            (r for r in removed if r.check == a.check and (widens(a, r) or widens(r, a))), None
        )
        if partner is not None:
            removed.remove(partner)
            pairs += 1
    return pairs


def case_diff() -> None:
    print("\n== baseline diff: 10,000 entries")
    n = 10_000
    base = baseline_text([f"{USER}user-{i:06d}" for i in range(n)])
    # Every entry changed: half renamed (added + removed), a fifth widened to a glob.
    head_resources = [
        f"{USER}user-{i:06d}*" if i % 5 == 0 else f"{USER}{'new' if i % 2 else 'user'}-{i:06d}"
        for i in range(n)
    ]
    head = baseline_text(head_resources).replace("2026-07-01", "2026-08-01")
    known = catalogue()

    def review() -> str:
        side = lambda label, text: Side(label, True, {"": (label, text)})  # noqa: E731
        found = build_review(side("base", base), side("head", head), known, TODAY, 90)
        return render_review(found, known)

    markdown = timed("build_review + render_review (in-process)", review)
    print(f"  review: {len(markdown) / 1e6:.1f} MB of markdown")
    small = 2_000
    olds = parse_baseline(baseline_text([f"{USER}user-{i:06d}" for i in range(small)]), "b", known)
    news = parse_baseline(baseline_text(head_resources[:small]), "b", known)
    timed(
        f"  the pairing it replaced, on {small:,} entries",
        lambda: linear_scan_pairing(list(news.exceptions), list(olds.exceptions)),
    )
    print(f"  (quadratic: x{(n / small) ** 2:.0f} at {n:,})")
    work = Path(tempfile.mkdtemp(prefix="iamgate-bench-diff-"))
    (work / "base.yml").write_text(base, encoding="utf-8")
    (work / "head.yml").write_text(head, encoding="utf-8")
    cmd = [sys.executable, "-m", "iamgate", "baseline", "diff", "base.yml", "head.yml"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    timed(
        "iamgate baseline diff (subprocess, end to end)",
        lambda: subprocess.run(cmd, cwd=work, env=env, capture_output=True, check=False),
    )


def case_evaluate() -> None:
    print("\n== iamgate evaluate: 40,000 failing users and the largest baseline allowed")
    n = 40_000
    rows = [row("<root_account>", password=None, mfa=True)]
    rows += [row(f"user-{i:06d}", password=True, mfa=False) for i in range(n)]
    snapshot = snap(credential_report=tuple(rows))
    accepted, text = largest_baseline()
    work = Path(tempfile.mkdtemp(prefix="iamgate-bench-evaluate-"))
    (work / "snapshot.json").write_text(snapshot_to_json(snapshot), encoding="utf-8")
    (work / f"{ACCOUNT}.yml").write_text(text, encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "iamgate",
        "evaluate",
        "snapshot.json",
        "--baseline",
        f"{ACCOUNT}.yml",
        "--checks",
        CHECK,
        "--as-of",
        "2026-06-01",
        "--output-dir",
        "out",
        "-q",
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = timed(
        f"{n:,} findings, {accepted:,} exceptions (subprocess, end to end)",
        lambda: subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, check=False),
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    counts = json.loads((work / "out" / "results.json").read_text())["counts"]
    print(f"  exit {run.returncode}, child cpu {cpu:.2f} s, counts {counts}")


CASES = {
    "gate": case_gate,
    "globs": case_globs,
    "yaml": case_yaml,
    "diff": case_diff,
    "evaluate": case_evaluate,
}


def main() -> None:
    wanted = sys.argv[1:] or list(CASES)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load {load:.1f}")
    for name in wanted:
        CASES[name]()


if __name__ == "__main__":
    main()
