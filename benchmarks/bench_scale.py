"""Organization scale, offline: ``iamgate evaluate`` of large snapshots and ``iamgate merge`` of
many accounts' results, each against the floor of reading its input and writing its results;
and how evaluate's time grows with the account.

    python benchmarks/bench_scale.py                        # everything (about 30 min)
    python benchmarks/bench_scale.py --only evaluate        # the 100,000-user snapshot
    python benchmarks/bench_scale.py --only roles           # the 20,000-role snapshot
    python benchmarks/bench_scale.py --only growth          # the growth fit of both families
    python benchmarks/bench_scale.py --accounts 1000        # merge 1,000 accounts' results
    python benchmarks/bench_scale.py --only merge --repeat 5

Two families of accounts: ``users`` (``bench.synthetic_snapshot``: users in groups that share
their policies, a fifth as many roles) and ``roles`` (``synthetic_roles.synthetic_role_snapshot``:
roles made from shared templates, trust chains five roles deep, a tenth as many users). The
growth fit runs evaluate at four sizes of each (``--growth-repeat`` times each, the median
kept) and prints the exponent of a least-squares fit of log(CPU) against log(principals).

The floor is what any tool must do for the same job: ``json.load`` the inputs and ``json.dump``
as many result records as iamgate writes. The floor and iamgate run as child processes, in
turn (floor, iamgate, floor, iamgate, ...), ``--repeat`` times each; CPU (user + sys) and peak
RSS are the kernel's figures for the finished child (``os.wait4``). On a shared machine wall
times move with the load while CPU times stay put, so the ratio is taken pair by pair and its
median printed. iamgate's modules are compiled to ``.pyc`` first, as an installed copy has them
(see ``env``). The data is generated into a temp dir first and is not part of any timing.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ACCOUNT, REPO, iamgate_cmd, synthetic_snapshot
from synthetic_roles import synthetic_role_snapshot

FAMILIES = {"users": synthetic_snapshot, "roles": synthetic_role_snapshot}
# Sizes of each family for the targets and for the growth fit (users, or roles).
TARGET = {"users": 100_000, "roles": 20_000}
GROWTH = {"users": (12_500, 25_000, 50_000, 100_000), "roles": (2_500, 5_000, 10_000, 20_000)}

# The floors, run as ``python -c``: argv[1:] are the inputs, then the output and what to write.
FLOOR_EVALUATE = r"""
import json, sys
snapshot, out, count, length = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(snapshot, encoding="utf-8") as h:
    data = json.load(h)
arns = [p["arn"] for kind in ("users", "roles", "groups", "policies") for p in data[kind]]
pad = "x" * length
records = [
    {
        "account_id": data["account_id"],
        "check": f"check-{i % 40}",
        "resource": arns[i % len(arns)],
        "resource_type": "user",
        "status": "pass",
        "severity": "medium",
        "title": "A check's title",
        "message": pad,
    }
    for i in range(count)
]
with open(out, "w", encoding="utf-8") as h:
    json.dump(records, h)
"""

FLOOR_MERGE = r"""
import json, sys
*inputs, out = sys.argv[1:]
found = []
for path in inputs:
    with open(path, encoding="utf-8") as h:
        found.extend(json.load(h)["findings"])
with open(out, "w", encoding="utf-8") as h:
    json.dump(found, h)
"""


@dataclass
class Run:
    code: int
    wall: float
    cpu: float
    rss_mb: float


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    started = time.perf_counter()
    with (cwd / "stderr.txt").open("wb") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd[:4])} ...: exit {code}\n{(cwd / 'stderr.txt').read_text()}")
    return Run(code, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "?"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}, "
        f"load average {load}"
    )


def env() -> dict[str, str]:
    """The children's environment: no AWS credentials, this checkout's ``src`` first, and
    bytecode cached as an installed package has it (``pip install`` compiles every module; with
    ``PYTHONDONTWRITEBYTECODE`` set, as on some CI machines, each run would compile iamgate's
    modules again: about 0.5 s of CPU that no installed copy spends)."""
    found = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    found["PYTHONPATH"] = str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    return found


def compile_sources() -> None:
    """Write the ``.pyc`` files of iamgate's sources before anything is timed (see ``env``)."""
    compileall.compile_dir(REPO / "src", quiet=1)


def paired(
    label: str,
    floor: list[str],
    iamgate: list[str],
    cwd: Path,
    repeat: int,
    after_first: Any = None,
) -> None:
    """Time iamgate and its floor in turn; print each run, the medians and the ratios."""
    children = env()
    floors: list[Run] = []
    tools: list[Run] = []
    for i in range(repeat):
        tools.append(run(iamgate, cwd, children))
        if i == 0 and after_first is not None:
            floor = after_first(floor)
        floors.append(run(floor, cwd, children))
        print(
            f"  run {i + 1}: floor {floors[-1].cpu:6.2f} s cpu {floors[-1].wall:6.2f} s wall "
            f"{floors[-1].rss_mb:6.0f} MB | iamgate {tools[-1].cpu:6.2f} s cpu "
            f"{tools[-1].wall:6.2f} s wall {tools[-1].rss_mb:6.0f} MB (exit {tools[-1].code})",
            flush=True,
        )

    def median(runs: list[Run], field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs)

    cpu_ratio = statistics.median(t.cpu / f.cpu for t, f in zip(tools, floors, strict=True))
    wall_ratio = statistics.median(t.wall / f.wall for t, f in zip(tools, floors, strict=True))
    rss = median(tools, "rss_mb")
    print(f"  {label}, median of {repeat}:")
    print(
        f"    floor:   {median(floors, 'cpu'):6.2f} s cpu, {median(floors, 'wall'):6.2f} s wall, "
        f"peak RSS {median(floors, 'rss_mb'):5.0f} MB"
    )
    print(
        f"    iamgate: {median(tools, 'cpu'):6.2f} s cpu, {median(tools, 'wall'):6.2f} s wall, "
        f"peak RSS {rss:5.0f} MB"
    )
    print(
        f"    ratio iamgate / floor (median of the pairs): cpu {cpu_ratio:.2f}x, wall "
        f"{wall_ratio:.2f}x; targets: <= 3x {'met' if cpu_ratio <= 3 else 'MISSED'} (cpu), "
        f"< 1 GB {'met' if rss < 1000 else 'MISSED'} ({rss:.0f} MB)"
    )


def results_summary(path: Path) -> tuple[int, int, int]:
    """(results, results that are errors, collection errors) of a results.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = len(data["errors"]) + sum(len(a["errors"]) for a in data.get("accounts", []))
    return len(data["findings"]), data["counts"]["errors"], errors


def generate(what: str, work: Path, *sizes: int) -> None:
    """Make the data in a child process: this one stays small. (A child's peak RSS, as the
    kernel counts it, is at least its parent's at the fork: a parent that built a 100,000-user
    snapshot would lend every child its 1.4 GB.)"""
    command = [sys.executable, __file__, "--generate", what, str(work), *map(str, sizes)]
    subprocess.run(command, check=True, env=env())


def bench_evaluate(family: str, size: int, repeat: int, work: Path) -> None:
    print(f"\n== evaluate --output-dir: synthetic snapshot of {size:,} {family}", flush=True)
    started = time.perf_counter()
    generate(family, work, size)
    print(
        f"  snapshot.json: {(work / 'snapshot.json').stat().st_size / 1e6:.1f} MB (generated in "
        f"{time.perf_counter() - started:.1f} s, not timed)"
    )
    out = work / "out"
    iamgate = [*iamgate_cmd(), "evaluate", "snapshot.json", "--output-dir", "out", "-q"]
    floor = [sys.executable, "-c", FLOOR_EVALUATE, "snapshot.json", "floor.json"]

    def sized(floor: list[str]) -> list[str]:
        """The floor writes as many records as iamgate did, messages as long on average."""
        findings = json.loads((out / "results.json").read_text(encoding="utf-8"))["findings"]
        length = sum(len(f["message"]) for f in findings) // max(1, len(findings))
        return [*floor, str(len(findings)), str(length)]

    paired(f"evaluate of {size:,} {family}", floor, iamgate, work, repeat, sized)
    results, failed, errors = results_summary(out / "results.json")
    print(
        f"  {results:,} results, {failed} not evaluated, {errors} collection errors; reports: "
        + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(out.iterdir()))
    )


def principals_of(work: Path) -> int:
    """Written by the child that made the snapshot (reading it here would lend every later
    child this process's memory: see ``generate``)."""
    return int((work / "principals.txt").read_text(encoding="utf-8"))


def fit_exponent(points: list[tuple[int, float]]) -> float:
    """The slope of the least-squares line through (log size, log time)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def bench_growth(family: str, repeat: int, work: Path) -> None:
    """Evaluate at four sizes; the exponent of CPU time against the number of principals."""
    print(f"\n== growth: evaluate --output-dir of the {family} family, median of {repeat}")
    children = env()
    points: list[tuple[int, float]] = []
    iamgate = [*iamgate_cmd(), "evaluate", "snapshot.json", "--output-dir", "out", "-q"]
    for size in GROWTH[family]:
        here = work / f"{family}-{size}"
        here.mkdir()
        generate(family, here, size)
        principals = principals_of(here)
        runs = [run(iamgate, here, children) for _ in range(repeat)]
        cpu = statistics.median(r.cpu for r in runs)
        rss = statistics.median(r.rss_mb for r in runs)
        points.append((principals, cpu))
        per = cpu / principals * 1e6
        print(
            f"  {size:>7,} {family} ({principals:>7,} principals): {cpu:6.2f} s cpu "
            f"({', '.join(f'{r.cpu:.2f}' for r in runs)}), {per:5.0f} us per principal, "
            f"peak RSS {rss:4.0f} MB",
            flush=True,
        )
        shutil.rmtree(here, ignore_errors=True)
    exponent = fit_exponent(points)
    print(
        f"  exponent of the fit (cpu ~ principals^k): k = {exponent:.3f}; target <= 1.15 "
        f"{'met' if exponent <= 1.15 else 'MISSED'}"
    )


def page_verdict(n: int) -> Any:
    """A verdict of ``n`` findings to act on over twenty checks (one in seven on a role), with
    messages as long as a check's."""
    from iamgate.checks import catalogue
    from iamgate.model.results import Finding, Status, Verdict, count_statuses

    known = catalogue()
    checks = list(known)[:20]
    findings = []
    for i in range(n):
        info = known[checks[i % len(checks)]]
        kind = "role" if i % 7 == 0 else "user"
        findings.append(
            Finding(
                check=info.id,
                resource=f"arn:aws:iam::{ACCOUNT}:{kind}/name-{i:06d}",
                resource_type=kind,
                status=Status.FAIL,
                severity=info.severity,
                title=info.title,
                message=f"{kind} name-{i:06d} has not used its credentials for {90 + i % 800} "
                "days (limit 90)",
                account_id=ACCOUNT,
            )
        )
    now = datetime.now(UTC)
    return Verdict(
        account_id=ACCOUNT,
        generated_at=now,
        today=now.date(),
        findings=tuple(findings),
        checks=tuple(checks),
        counts=count_statuses(findings, 0),
    )


# What the timed copy of the page adds: when the page's own script starts (the document is
# parsed up to it, at the end of the body) and how long it runs (the first filter).
_TIMER_START = "var iamgateT0 = performance.now();"
_TIMER_END = (
    "document.title = 'parsed ' + Math.round(iamgateT0) + ' ms, script ' + "
    "Math.round(performance.now() - iamgateT0) + ' ms';"
)


def bench_page(n: int, repeat: int, work: Path) -> None:
    """report.html of ``n`` findings to act on: made how fast, how large, and opened by
    Chromium (headless, from disk) how fast: parsed, then filtered by its script."""
    from iamgate.checks import catalogue
    from iamgate.report.context import ReportContext
    from iamgate.report.html import iter_html

    print(f"\n== report.html of {n:,} findings to act on", flush=True)
    verdict = page_verdict(n)
    started = time.process_time()
    path = work / "report.html"
    with path.open("w", encoding="utf-8") as handle:
        for piece in iter_html(verdict, ReportContext(checks=catalogue())):
            handle.write(piece)
    print(
        f"  made in {time.process_time() - started:.2f} s cpu: {path.stat().st_size / 1e6:.1f} MB"
    )
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("  Chromium is not installed: not opened")
        return
    # A copy whose script also times itself (and without the CSP, which pins the script).
    page = path.read_text(encoding="utf-8")
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    page = page.replace("<script>", "<script>" + _TIMER_START, 1)
    page = page.replace("}());\n</script>", "}());\n" + _TIMER_END + "\n</script>", 1)
    timed = work / "timed.html"
    timed.write_text(page, encoding="utf-8")
    for fragment in ("", "#type=role"):
        found = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as profile:
                dump = subprocess.run(
                    [
                        chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                        f"--user-data-dir={profile}",
                        "--dump-dom",
                        timed.as_uri() + fragment,
                    ],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=True,
                ).stdout
            match = re.search(r"<title>parsed (\d+) ms, script (\d+) ms", dump)
            shown = re.search(r"(\d+) of (\d+) shown", dump)
            if match is None or shown is None:
                sys.exit(f"report.html{fragment}: the page's script did not run")
            found.append((int(match[1]), int(match[2]), shown[0]))
        parsed = statistics.median(p for p, _, _ in found)
        script = statistics.median(s for _, s, _ in found)
        print(
            f"  opened{' with ' + fragment if fragment else ''}, median of {repeat}: parsed "
            f"in {parsed:.0f} ms, filtered by its script in {script:.0f} ms ({found[0][2]})"
        )


def write_accounts(accounts: int, users: int, work: Path) -> list[str]:
    """``accounts`` single-account results.json files, each of a ``users``-user account: one
    synthetic account evaluated, its results written under every account id, with its user
    names made distinct per account (resources and messages differ between accounts, as they
    do in an organization)."""
    from iamgate.app.evaluate import GateOptions, evaluate
    from iamgate.formats.results_json import render_results
    from iamgate.model.config import Config

    text = render_results(evaluate(synthetic_snapshot(users), Config(), GateOptions()))
    name = re.compile(r"user-(?=[0-9]{6})")
    names = []
    for i in range(accounts):
        account = f"{200000000000 + i:012d}"
        one = name.sub(f"user-a{i}-", text.replace(ACCOUNT, account))
        names.append(f"results-{account}.json")
        (work / names[-1]).write_text(one, encoding="utf-8")
    return names


def bench_merge(accounts: int, users: int, repeat: int, work: Path) -> None:
    print(f"\n== merge --output-dir: {accounts} accounts of {users:,} users each", flush=True)
    started = time.perf_counter()
    generate("accounts", work, accounts, users)
    names = sorted(p.name for p in work.glob("results-*.json"))
    size = sum((work / n).stat().st_size for n in names)
    print(
        f"  {accounts} results.json files, {size / 1e6:.0f} MB (generated in "
        f"{time.perf_counter() - started:.1f} s, not timed)"
    )
    iamgate = [*iamgate_cmd(), "merge", *names, "--output-dir", "out", "-q"]
    floor = [sys.executable, "-c", FLOOR_MERGE, *names, "floor.json"]
    paired(f"merge of {accounts} accounts", floor, iamgate, work, repeat)
    results, failed, errors = results_summary(work / "out" / "results.json")
    print(
        f"  {results:,} results, {failed} not evaluated, {errors} collection errors; reports: "
        + ", ".join(
            f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted((work / "out").iterdir())
        )
    )


def main() -> None:
    if sys.argv[1:2] == ["--generate"]:  # a child of generate()
        what, work, *sizes = sys.argv[2:]
        if what in FAMILIES:
            from iamgate.formats.snapshot_json import snapshot_to_json

            snapshot = FAMILIES[what](int(sizes[0]))
            (Path(work) / "snapshot.json").write_text(snapshot_to_json(snapshot), encoding="utf-8")
            principals = len(snapshot.users) + len(snapshot.roles)
            (Path(work) / "principals.txt").write_text(str(principals), encoding="utf-8")
        else:
            write_accounts(int(sizes[0]), int(sizes[1]), Path(work))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=TARGET["users"], help="users (evaluate)")
    parser.add_argument("--roles", type=int, default=TARGET["roles"], help="roles (--only roles)")
    parser.add_argument("--accounts", type=int, default=100, help="results.json files to merge")
    parser.add_argument("--account-users", type=int, default=1000, help="users per merged account")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, in turn")
    parser.add_argument("--growth-repeat", type=int, default=3, help="runs per size (growth)")
    parser.add_argument("--page", type=int, default=100_000, help="findings in report.html")
    parser.add_argument(
        "--only",
        choices=("evaluate", "roles", "growth", "page", "merge"),
        help="one of the benchmarks",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"iamgate: {' '.join(iamgate_cmd())} (src: {REPO / 'src'}, compiled to .pyc first)")
    compile_sources()
    work = Path(tempfile.mkdtemp(prefix="iamgate-bench-scale-"))
    try:
        if args.only in (None, "evaluate"):
            (work / "evaluate").mkdir()
            bench_evaluate("users", args.users, args.repeat, work / "evaluate")
        if args.only in (None, "roles"):
            (work / "roles").mkdir()
            bench_evaluate("roles", args.roles, args.repeat, work / "roles")
        if args.only in (None, "page"):
            (work / "page").mkdir()
            bench_page(args.page, args.repeat, work / "page")
        if args.only in (None, "growth"):
            for family in FAMILIES:
                (work / "growth").mkdir(exist_ok=True)
                bench_growth(family, args.growth_repeat, work / "growth")
        if args.only in (None, "merge"):
            (work / "merge").mkdir()
            bench_merge(args.accounts, args.account_users, args.repeat, work / "merge")
        print(f"\nmachine after: {machine()}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
