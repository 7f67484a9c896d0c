"""iamgate's benchmark: a moto account of N users, scanned end to end by the real command.

    python benchmarks/bench.py                  # N = 100, 1000, 5000
    python benchmarks/bench.py 10000 --compare 'prowler aws --service iam ...'
    python benchmarks/bench.py --offline 100000 # evaluate a synthetic snapshot + report writing

moto's server runs in *this* process, behind a small WSGI meter that counts requests per API and
sums the time spent answering them; ``iamgate scan`` runs as a child process. So the child's CPU
(``os.wait4``) is iamgate's, this process's CPU during the scan is moto's, and the metered
server time is the time iamgate spent waiting on responses. Seeding goes straight to moto's
backend objects (over HTTP it would take ~20 s per 1,000 users), and is timed separately.
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
READONLY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# --- the metered moto server -------------------------------------------------------------------


class Meter:
    """WSGI middleware: requests per ``service:Action`` and seconds spent answering them."""

    def __init__(self, app: WSGIApp):
        self.app = app
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.seconds = 0.0

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()
            self.seconds = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        started = time.perf_counter()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        auth = environ.get("HTTP_AUTHORIZATION", "")
        service = auth.split("Credential=", 1)[-1].split("/")[3] if "Credential=" in auth else "?"
        action = environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[-1]
        if not action:
            query = urllib.parse.parse_qs(body.decode("latin-1")) if body else {}
            query = query or urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            action = query.get("Action", [environ.get("PATH_INFO", "?")])[0]
        out = list(self.app(environ, start_response))
        with self.lock:
            self.counts[f"{service}:{action}"] += 1
            self.seconds += time.perf_counter() - started
        return out


def start_server() -> tuple[str, Meter]:
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    import logging

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from moto.server import MotoRequestHandler
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    meter = Meter(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, meter, True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", meter


def reset(endpoint: str) -> None:
    import urllib.request

    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


# --- seeding -----------------------------------------------------------------------------------


def _ago(days: float) -> datetime:
    return (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def seed(n: int, rng: random.Random) -> dict[str, int]:
    """An account of ``n`` users in realistic proportions, with some of every finding."""
    from moto.iam.models import AccessKeyLastUsed, iam_backends

    iam = iam_backends[ACCOUNT]["aws"]
    shape: Counter[str] = Counter()
    iam.update_account_password_policy(
        allow_change_password=True,
        hard_expiry=False,
        max_password_age=0,
        minimum_password_length=8,  # weak on purpose: password-policy findings
        password_reuse_prevention=None,
        require_lowercase_characters=True,
        require_numbers=True,
        require_symbols=False,
        require_uppercase_characters=True,
    )
    policies = []
    for i in range(max(5, n // 100)):
        p = iam.create_policy(
            description="",
            path="/",
            policy_document=_doc(
                {
                    "Effect": "Allow",
                    "Action": ["s3:Get*", "sqs:Send*"],
                    "Resource": f"arn:aws:s3:::b{i}/*",
                }
            ),
            policy_name=f"app-{i}",
            tags=[],
        )
        policies.append(p.arn)
    star = iam.create_policy(
        description="",
        path="/",
        policy_document=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        policy_name="legacy-star",
        tags=[],
    ).arn
    groups = []
    for i in range(max(5, n // 50)):
        name = f"team-{i}"
        iam.create_group(name, "/")
        iam.attach_group_policy(policies[i % len(policies)], name)
        if i % 7 == 0:
            iam.attach_group_policy(READONLY_ARN, name)
        groups.append(name)
    iam.create_group("admins", "/")
    iam.attach_group_policy(ADMIN_ARN, "admins")
    for i in range(max(3, n // 200)):
        iam.create_role(
            f"svc-{i}",
            _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
            "/",
            None,
            "",
            [],
            None,
        )
        iam.attach_role_policy(policies[i % len(policies)], f"svc-{i}")
    for i in range(n):
        name = f"user-{i:06d}"
        user = iam.create_user("us-east-1", name)
        user.create_date = _ago(rng.uniform(1, 1500))
        iam.add_user_to_group(groups[i % len(groups)], name)
        shape["users"] += 1
        r = rng.random()
        if r < 0.005:
            iam.add_user_to_group("admins", name)
            shape["admins (group)"] += 1
        elif r < 0.008:
            iam.attach_user_policy(ADMIN_ARN, name)
            shape["admins (direct)"] += 1
        elif r < 0.03:
            iam.attach_user_policy(policies[i % len(policies)], name)
            shape["direct policies"] += 1
        elif r < 0.035:
            iam.put_user_policy(
                name,
                "inline",
                _doc({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}),
            )
            shape["inline policies"] += 1
        elif r < 0.036:
            iam.attach_user_policy(star, name)
        if rng.random() < 0.30:
            iam.create_login_profile(name, "Passw0rd!Passw0rd")
            shape["console passwords"] += 1
            if rng.random() < 0.85:
                device = iam.create_virtual_mfa_device(name, "/")
                iam.enable_mfa_device(name, device.serial_number, "123456", "654321")
                shape["mfa"] += 1
            if rng.random() < 0.1:
                user.password_last_used = _ago(rng.uniform(100, 400))  # unused password
            elif rng.random() < 0.7:
                user.password_last_used = _ago(rng.uniform(0, 30))
        if rng.random() < 0.60:
            keys = 2 if rng.random() < 0.05 else 1
            for k in range(keys):
                key = iam.create_access_key(name)
                shape["access keys"] += 1
                roll = rng.random()
                if roll < 0.12:
                    key.create_date = _ago(rng.uniform(100, 900))  # not rotated
                    shape["old keys"] += 1
                else:
                    key.create_date = _ago(rng.uniform(1, 80))
                if roll < 0.05:
                    key.last_used = None  # never used
                    shape["unused keys"] += 1
                else:
                    key.last_used = AccessKeyLastUsed(_ago(rng.uniform(0, 120)), "s3", "us-east-1")
                if k == 1 and rng.random() < 0.5:
                    iam.update_access_key(name, key.access_key_id, "Inactive")
    return dict(shape)


# --- running a tool ----------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    wall: float
    cpu: float
    rss_mb: float
    server_seconds: float
    server_cpu: float
    requests: Counter[str] = field(default_factory=Counter)
    counts: dict[str, int] = field(default_factory=dict)
    stderr: str = ""


def run_tool(cmd: list[str] | str, env: dict[str, str], meter: Meter | None, cwd: Path) -> Run:
    """Run a command, measure the child alone (wall, user+sys, peak RSS) and the server."""
    if meter is not None:
        meter.reset()
    err = cwd / "stderr.txt"
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with (cwd / "stdout.txt").open("wb") as out, err.open("wb") as errf:
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=errf, shell=isinstance(cmd, str)
        )
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = (self_after.ru_utime - self_before.ru_utime) + (
        self_after.ru_stime - self_before.ru_stime
    )
    run = Run(
        code=proc.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,
        server_seconds=meter.seconds if meter else 0.0,
        server_cpu=server_cpu,
        requests=Counter(meter.counts) if meter else Counter(),
        stderr=err.read_text(errors="replace")[-2000:],
    )
    results = cwd / "out" / "results.json"
    if results.exists():
        run.counts = json.loads(results.read_text())["counts"]
    return run


def iamgate_cmd() -> list[str]:
    script = shutil.which("iamgate", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "iamgate"]


def tool_env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    return env


def print_run(label: str, run: Run) -> None:
    total = sum(run.requests.values())
    print(
        f"  {label}: exit {run.code}, wall {run.wall:.2f} s, cpu {run.cpu:.2f} s, "
        f"peak RSS {run.rss_mb:.0f} MB"
    )
    print(
        f"    waiting on moto {run.server_seconds:.2f} s (moto's CPU {run.server_cpu:.2f} s); "
        f"in the tool (wall - waiting) {run.wall - run.server_seconds:.2f} s"
    )
    if run.requests:
        aa = sum(v for k, v in run.requests.items() if k.startswith("access-analyzer"))
        print(f"    requests: {total} (excluding Access Analyzer: {total - aa})")
        for api, count in sorted(run.requests.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"      {count:6d}  {api}")
    if run.counts:
        print("    findings: " + ", ".join(f"{k} {v}" for k, v in run.counts.items()))
    if run.code not in (0, 1):
        print("    stderr: " + run.stderr.strip().replace("\n", "\n            "))


def bench_scan(ns: list[int], compare: str | None, keep: bool) -> None:
    endpoint, meter = start_server()
    env = tool_env(endpoint)
    for n in ns:
        reset(endpoint)
        started = time.perf_counter()
        shape = seed(n, random.Random(n))
        seeded = time.perf_counter() - started
        print(f"\n== {n} users (seeded in-process in {seeded:.1f} s: {dict(shape)})")
        work = Path(tempfile.mkdtemp(prefix=f"iamgate-bench-{n}-"))
        run = run_tool([*iamgate_cmd(), "scan", "--output-dir", "out", "-q"], env, meter, work)
        print_run("iamgate scan", run)
        if compare:
            other_dir = work / "compare"
            other_dir.mkdir()
            other = run_tool(compare, env, meter, other_dir)
            print_run(f"compare ({compare})", other)
            print(
                f"    ratios (other / iamgate): wall {other.wall / run.wall:.1f}x, "
                f"cpu {other.cpu / max(run.cpu, 1e-9):.1f}x, "
                f"RSS {other.rss_mb / max(run.rss_mb, 1e-9):.1f}x, requests "
                f"{sum(other.requests.values()) / max(sum(run.requests.values()), 1):.1f}x"
            )
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"    kept: {work}")


# --- offline: a synthetic snapshot and report writing ------------------------------------------


def synthetic_snapshot(n: int) -> Any:
    """An n-user snapshot built directly (no moto): what ``collect`` would produce."""
    from iamgate.model.snapshot import (
        AccessKeySlot,
        AttachedPolicy,
        CredentialRow,
        Group,
        ManagedPolicy,
        Sentinel,
        Snapshot,
        User,
    )

    rng = random.Random(n)
    now = datetime.now(UTC)
    acct = f"arn:aws:iam::{ACCOUNT}"

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    policies = [
        ManagedPolicy(
            arn=f"{acct}:policy/app-{i}",
            name=f"app-{i}",
            document={
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:Get*", "Resource": f"arn:aws:s3:::b{i}/*"}
                ],
            },
            attachment_count=3,
        )
        for i in range(200)
    ]
    policies.append(
        ManagedPolicy(
            arn=ADMIN_ARN,
            name="AdministratorAccess",
            aws_managed=True,
            attachment_count=10,
            document={
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            },
        )
    )
    groups = [
        Group(
            name=f"team-{i}",
            arn=f"{acct}:group/team-{i}",
            create_date=ago(500),
            attached=(AttachedPolicy(f"app-{i % 200}", f"{acct}:policy/app-{i % 200}"),),
        )
        for i in range(max(5, n // 50))
    ]
    users, rows = [], []
    for i in range(n):
        name = f"user-{i:06d}"
        arn = f"{acct}:user/{name}"
        direct = (AttachedPolicy("AdministratorAccess", ADMIN_ARN),) if rng.random() < 0.01 else ()
        users.append(
            User(
                name=name,
                arn=arn,
                create_date=ago(rng.uniform(1, 1500)),
                groups=(groups[i % len(groups)].name,),
                attached=direct,
            )
        )
        password = rng.random() < 0.3
        keys = []
        for slot in (1, 2):
            if slot == 1 and rng.random() < 0.6:
                keys.append(
                    AccessKeySlot(
                        slot,
                        True,
                        ago(rng.uniform(1, 400)),
                        ago(rng.uniform(0, 120)) if rng.random() > 0.05 else Sentinel.NA,
                    )
                )
            else:
                keys.append(AccessKeySlot(slot, False, Sentinel.NA, Sentinel.NA))
        rows.append(
            CredentialRow(
                user=name,
                arn=arn,
                user_creation_time=ago(800),
                password_enabled=password,
                password_last_used=ago(rng.uniform(0, 200)) if password else Sentinel.NA,
                password_last_changed=ago(100) if password else Sentinel.NA,
                mfa_active=password and rng.random() < 0.85,
                keys=tuple(keys),
            )
        )
    return Snapshot(
        account_id=ACCOUNT,
        collected_at=now,
        users=tuple(users),
        groups=tuple(groups),
        policies=tuple(policies),
        credential_report=tuple(rows),
        password_policy={"MinimumPasswordLength": 14, "RequireSymbols": True},
        account_summary={"AccountMFAEnabled": 1},
    )


def timed(label: str, fn: Callable[[], Any]) -> Any:
    """Wall and CPU time: on a shared machine the CPU time is the steadier figure."""
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    print(
        f"  {label}: {time.perf_counter() - started:.2f} s wall, "
        f"{time.process_time() - cpu:.2f} s cpu"
    )
    return value


def bench_offline(n: int, keep: bool) -> None:
    from iamgate.checks import REGISTRY, run_checks
    from iamgate.formats.results_json import render_results as render_json
    from iamgate.formats.snapshot_json import snapshot_to_json
    from iamgate.gate.apply import apply_baseline
    from iamgate.model.config import Config
    from iamgate.model.results import Finding, Severity, Status
    from iamgate.report.junit import render_junit
    from iamgate.report.markdown import render_markdown

    print(f"\n== offline: synthetic snapshot of {n} users")
    work = Path(tempfile.mkdtemp(prefix="iamgate-bench-offline-"))
    snap = timed("build the Snapshot object", lambda: synthetic_snapshot(n))
    text = timed("encode snapshot.json", lambda: snapshot_to_json(snap))
    (work / "snapshot.json").write_text(text)
    print(f"  snapshot.json: {len(text) / 1e6:.1f} MB")
    run = run_tool(
        [*iamgate_cmd(), "evaluate", "snapshot.json", "--output-dir", "out", "-q"],
        tool_env("http://127.0.0.1:9"),
        None,
        work,
    )
    print_run("iamgate evaluate (subprocess, end to end)", run)
    print("  in-process phases:")
    results = timed("checks", lambda: run_checks(snap, Config(), list(REGISTRY)))
    timed(
        "gate",
        lambda: apply_baseline(
            results,
            today=snap.collected_at.date(),
            generated_at=snap.collected_at,
            account_id=ACCOUNT,
            checks=[c.meta.info for c in REGISTRY.values()],
        ),
    )

    print(f"\n== report writing: {n} test cases")
    statuses = [Status.PASS] * 6 + [Status.FAIL] * 3 + [Status.ERROR]
    findings = tuple(
        Finding(
            check=f"check-{i % 20}",
            resource=f"arn:aws:iam::{ACCOUNT}:user/user-{i:06d}",
            resource_type="AWS::IAM::User",
            status=statuses[i % len(statuses)],
            severity=Severity.MEDIUM,
            title="A title",
            message=f'user-{i:06d}: something <&> "q"',
            account_id=ACCOUNT,
        )
        for i in range(n)
    )
    from iamgate.model.results import Verdict
    from iamgate.model.results import count_statuses as _count

    verdict = Verdict(
        account_id=ACCOUNT,
        generated_at=snap.collected_at,
        today=snap.collected_at.date(),
        findings=findings,
        checks=tuple(f"check-{i}" for i in range(20)),
        counts=_count(findings, 0),
    )
    total = 0.0
    for label, fn in (
        ("junit", render_junit),
        ("markdown", render_markdown),
        ("json", render_json),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        out = fn(verdict)
        elapsed = time.perf_counter() - started
        total += elapsed
        print(
            f"  {label}: {elapsed:.2f} s wall, {time.process_time() - cpu:.2f} s cpu "
            f"({len(out) / 1e6:.1f} MB)"
        )
    print(f"  all three: {total:.2f} s")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("users", nargs="*", type=int, help="account sizes (default 100 1000 5000)")
    parser.add_argument("--compare", help="another tool's command (shell), run on the same account")
    parser.add_argument(
        "--offline", type=int, metavar="N", help="only the offline benchmark, N users"
    )
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.offline:
        bench_offline(args.offline, args.keep)
        return
    bench_scan(args.users or [100, 1000, 5000], args.compare, args.keep)


if __name__ == "__main__":
    main()
