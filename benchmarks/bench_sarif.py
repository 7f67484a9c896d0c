"""results.sarif at scale: render time, size and gzip size for N failing findings, and what is
left out past GitHub's 25,000 results per run.

    python benchmarks/bench_sarif.py                 # 1,000, 25,000 and 60,000 findings
    python benchmarks/bench_sarif.py 100000

The verdict is synthetic (no AWS, no moto): N failing findings over 40 checks, a quarter of them
accepted by an exception. CPU time of this process, measured around the render alone.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from datetime import UTC, date, datetime

from iamgate.checks import catalogue
from iamgate.model.results import ExceptionRef, Finding, Status, Verdict
from iamgate.report.context import ReportContext
from iamgate.report.sarif import render_sarif

ACCOUNT = "123456789012"


def verdict(n: int) -> Verdict:
    checks = list(catalogue().values())[:40]
    findings = []
    for i in range(n):
        info = checks[i % len(checks)]
        resource = f"arn:aws:iam::{ACCOUNT}:role/service-role/app-{i:06d}-deploy"
        accepted = i % 4 == 0
        findings.append(
            Finding(
                check=info.id,
                resource=resource,
                resource_type="role",
                status=Status.ACCEPTED if accepted else Status.FAIL,
                severity=info.severity,
                title=info.title,
                message=f"role app-{i:06d}-deploy was last used {90 + i % 300} days ago",
                account_id=ACCOUNT,
                exception=ExceptionRef(
                    info.id,
                    resource,
                    "Kept for the quarterly batch",
                    "data",
                    date(2027, 1, 1),
                    "SEC-1",
                    f"baselines/{ACCOUNT}.yml:{4 + 6 * i}",
                )
                if accepted
                else None,
            )
        )
    return Verdict(
        account_id=ACCOUNT,
        generated_at=datetime(2026, 6, 1, tzinfo=UTC),
        today=date(2026, 6, 1),
        findings=tuple(findings),
        checks=tuple(c.id for c in checks),
        baseline=f"baselines/{ACCOUNT}.yml",
    )


def main(ns: list[int]) -> None:
    context = ReportContext(checks=catalogue())
    for n in ns:
        v = verdict(n)
        start = time.process_time()
        text = render_sarif(v, context)
        cpu = time.process_time() - start
        run = json.loads(text)["runs"][0]
        size, packed = len(text.encode()), len(gzip.compress(text.encode()))
        print(
            f"{n:>7,} findings: {len(run['results']):>6,} results "
            f"({run['properties']['iamgate']['omitted']:,} left out), {size / 1e6:6.1f} MB, "
            f"{packed / 1e6:5.2f} MB gzip, {cpu:5.2f} s CPU"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 25_000, 60_000])
