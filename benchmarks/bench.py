"""iamgate's benchmark: a moto account of N users, scanned end to end by the real command.

    python benchmarks/bench.py                  # N = 100, 1000, 5000
    python benchmarks/bench.py 10000 --compare 'prowler aws --service iam ...'
    python benchmarks/bench.py --offline 100000 # evaluate a synthetic snapshot + report writing
    python benchmarks/bench.py --offline 10000 --compare-ref main  # check phase: main vs this tree

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
import statistics
import subprocess
import sys
import tarfile
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


SERVICES = (
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "codebuild.amazonaws.com",
    "glue.amazonaws.com",
)


def _statement(sid: str, action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource, **extra}


def synthetic_roles(n: int, rng: random.Random, users: list[str]) -> tuple[list[Any], list[Any]]:
    """``n // 5`` roles and the policies that make an account's escalation graph: services,
    the account and named users trusted; deployers passing their team's roles to Lambda; ops
    policies that run commands on instances; own-credentials and assume-role grants; a few
    administrator roles that code can carry. Returns (roles, extra managed policies)."""
    from iamgate.model.snapshot import AttachedPolicy, ManagedPolicy, Role

    acct = f"arn:aws:iam::{ACCOUNT}"
    now = datetime.now(UTC)
    teams = max(5, n // 500)

    def policy(name: str, *statements: dict[str, Any]) -> Any:
        return ManagedPolicy(
            arn=f"{acct}:policy/{name}",
            name=name,
            document={"Version": "2012-10-17", "Statement": list(statements)},
            attachment_count=1,
        )

    pool = [
        policy(
            f"deploy-{t}",
            _statement("PassTeamRoles", "iam:PassRole", f"{acct}:role/team-{t}-*"),
            _statement("Functions", ["lambda:CreateFunction", "lambda:InvokeFunction"], "*"),
            _statement("Artifacts", ["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::team-{t}/*"),
        )
        for t in range(teams)
    ]
    pool += [
        policy(
            f"data-{t}",
            _statement("Read", ["s3:Get*", "s3:List*", "dynamodb:Query", "kms:Decrypt"], "*"),
            _statement("Queue", "sqs:*", f"arn:aws:sqs:*:{ACCOUNT}:team-{t}-*"),
        )
        for t in range(teams)
    ]
    ops = policy(
        "ops-commands",
        _statement("RunCommands", ["ssm:SendCommand", "ec2:Describe*"], "*"),
    )
    assume = policy(
        "assume-team-roles",
        _statement("AssumeTeam", "sts:AssumeRole", f"{acct}:role/team-*"),
    )
    boundary = policy(
        "workload-boundary",
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
    )
    roles = []
    for i in range(n // 5):
        team = i % teams
        name = f"team-{team}-r{i}"
        pick = rng.random()
        admin = rng.random() < 0.01  # an administrator role that EC2 or Lambda can carry
        if admin:
            principal: dict[str, Any] = {"Service": SERVICES[i % 2]}
        elif pick < 0.40:
            principal = {"Service": SERVICES[i % len(SERVICES)]}
        elif pick < 0.75:
            principal = {"AWS": f"{acct}:root"}
        elif pick < 0.95:
            principal = {"AWS": [f"{acct}:user/{u}" for u in rng.sample(users, 2)]}
        else:
            principal = {"AWS": "arn:aws:iam::210987654321:root"}
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "sts:AssumeRole",
        }
        if pick >= 0.95 and not admin:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"x-{i}"}}
        if admin:
            attached = [AttachedPolicy("AdministratorAccess", ADMIN_ARN)]
        else:
            attached = [AttachedPolicy(p.name, p.arn) for p in rng.sample(pool, 2)]
            if rng.random() < 0.05:
                attached.append(AttachedPolicy(ops.name, ops.arn))
            if rng.random() < 0.05:
                attached.append(AttachedPolicy(assume.name, assume.arn))
        roles.append(
            Role(
                name=name,
                arn=f"{acct}:role/{name}",
                create_date=now - timedelta(days=rng.uniform(1, 900)),
                trust_policy={"Version": "2012-10-17", "Statement": [statement]},
                attached=tuple(attached),
                permissions_boundary=boundary.arn if rng.random() < 0.1 else None,
            )
        )
    return roles, [*pool, ops, assume, boundary]


def synthetic_snapshot(n: int) -> Any:
    """An n-user snapshot built directly (no moto): what ``collect`` would produce, with n / 5
    roles (see :func:`synthetic_roles`)."""
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
    own = ManagedPolicy(
        arn=f"{acct}:policy/own-credentials",
        name="own-credentials",
        attachment_count=1,
        document={
            "Version": "2012-10-17",
            "Statement": [
                _statement(
                    "OwnCredentials",
                    ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ChangePassword"],
                    "arn:aws:iam::*:user/${aws:username}",
                )
            ],
        },
    )
    dev = ManagedPolicy(
        arn=f"{acct}:policy/dev-functions",
        name="dev-functions",
        attachment_count=1,
        document={
            "Version": "2012-10-17",
            "Statement": [
                _statement(
                    "DevFunctions",
                    "lambda:UpdateFunctionCode",
                    f"arn:aws:lambda:*:{ACCOUNT}:function:dev-*",
                )
            ],
        },
    )
    policies += [own, dev]
    groups = [
        Group(
            name=f"team-{i}",
            arn=f"{acct}:group/team-{i}",
            create_date=ago(500),
            attached=(
                AttachedPolicy(f"app-{i % 200}", f"{acct}:policy/app-{i % 200}"),
                AttachedPolicy(own.name, own.arn),
                *((AttachedPolicy(dev.name, dev.arn),) if i % 20 == 0 else ()),
            ),
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
    rows.append(
        CredentialRow(
            user="<root_account>",
            arn=f"arn:aws:iam::{ACCOUNT}:root",
            user_creation_time=ago(2000),
            password_enabled=None,
            password_last_used=ago(400),
            password_last_changed=Sentinel.NOT_SUPPORTED,
            mfa_active=True,
            keys=(
                AccessKeySlot(1, False, Sentinel.NA, Sentinel.NA),
                AccessKeySlot(2, False, Sentinel.NA, Sentinel.NA),
            ),
        )
    )
    roles, more = synthetic_roles(n, rng, [u.name for u in users])
    return Snapshot(
        account_id=ACCOUNT,
        collected_at=now,
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        policies=tuple(policies + more),
        credential_report=tuple(rows),
        credential_report_generated_at=now,
        password_policy={"MinimumPasswordLength": 14, "RequireSymbols": True},
        account_summary={"AccountMFAEnabled": 1},
        **synthetic_sources(n, [r.arn for r in roles], [u.arn for u in users]),
    )


REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")


def synthetic_sources(n: int, roles: list[str], users: list[str]) -> dict[str, Any]:
    """What ``collect`` reads besides IAM, so that every check has its data (no errors): the
    regions, an organization, Access Analyzer in each region (external and unused-access
    analyzers, with findings in proportion to ``n``), a multi-region organization trail sent to
    CloudWatch Logs, a metric filter and alarm for every CIS alert (one of them missing, one
    left to an EventBridge rule), the SNS topic they notify, and each region's default bus."""
    from iamgate.alerts.controls import CONTROLS, ENABLED_ALL
    from iamgate.model.snapshot import (
        Alarm,
        Analyzer,
        AnalyzerFinding,
        AnalyzerRegion,
        EventBus,
        EventRule,
        MetricFilter,
        Organization,
        SnsTopic,
        Trail,
    )

    rng = random.Random(n + 1)  # its own stream: the IAM part stays as it was for each n
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts"
    group = "cloudtrail/organization"
    regions = []
    for index, region in enumerate(REGIONS):
        analyzers = [
            Analyzer(
                f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/external",
                "external",
                "ACCOUNT",
                "ACTIVE",
            )
        ]
        if index % 2 == 0:
            analyzers.append(
                Analyzer(
                    f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/unused",
                    "unused",
                    "ACCOUNT_UNUSED_ACCESS",
                    "ACTIVE",
                )
            )
        findings = [
            AnalyzerFinding(
                id=f"{region}-x{i}",
                resource=f"arn:aws:s3:::shared-{region}-{i}",
                resource_type="AWS::S3::Bucket",
                finding_type="ExternalAccess",
                analyzer_arn=analyzers[0].arn,
                resource_owner_account=ACCOUNT,
                principal={"AWS": f"{rng.randrange(10**11, 10**12)}"},
                actions=("s3:GetObject", "s3:ListBucket"),
                is_public=rng.random() < 0.1,
            )
            for i in range(max(1, n // 2000))
        ]
        if len(analyzers) > 1:
            findings += [
                AnalyzerFinding(
                    id=f"{region}-u{i}",
                    resource=arn,
                    resource_type="AWS::IAM::Role" if ":role/" in arn else "AWS::IAM::User",
                    finding_type="UnusedIAMRole" if ":role/" in arn else "UnusedIAMUserAccessKey",
                    analyzer_arn=analyzers[1].arn,
                    resource_owner_account=ACCOUNT,
                    detail="last used more than 90 days ago",
                )
                for i, arn in enumerate(rng.sample(roles + users, max(1, n // 1000)))
            ]
        regions.append(
            AnalyzerRegion(region=region, analyzers=tuple(analyzers), findings=tuple(findings))
        )
    # Every alert by a metric filter and an alarm, but the last: that one by an EventBridge
    # rule in each region; and the first filter's alarm notifies nobody (a finding).
    by_filter, by_rule = CONTROLS[:-1], CONTROLS[-1]

    def metric(c: Any) -> str:
        return "CIS/" + "".join(w.title() for w in c.id.split("-"))

    filters = tuple(
        MetricFilter(group, "us-east-1", c.id, c.filter_pattern, (metric(c),)) for c in by_filter
    )
    alarms = tuple(
        Alarm(c.id, "us-east-1", metric(c), () if i == 0 else (topic,), True)
        for i, c in enumerate(by_filter)
    )
    buses = tuple(
        EventBus(
            region,
            (
                EventRule(
                    by_rule.id,
                    f"arn:aws:events:{region}:{ACCOUNT}:rule/{by_rule.id}",
                    by_rule.eventbridge_state or ENABLED_ALL,
                    by_rule.eventbridge_pattern,
                    (topic,),
                ),
            ),
        )
        for region in REGIONS
    )
    trail = Trail(
        name="organization",
        arn=f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/organization",
        home_region="us-east-1",
        multi_region=True,
        global_events=True,
        log_validation=True,
        is_logging=True,
        management_events="All",
        log_group_arn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}:*",
        organization=True,
    )
    return {
        "regions": REGIONS,
        "organization": Organization("o-bench00001"),
        "access_analyzer": tuple(regions),
        "trails": (trail,),
        "metric_filters": filters,
        "alarms": alarms,
        "event_buses": buses,
        "sns_topics": (SnsTopic(topic, confirmed=2),),
    }


def timed(label: str, fn: Callable[[], Any]) -> Any:
    """Wall and CPU time: on a shared machine the CPU time is the steadier figure."""
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    print(
        f"  {label}: {time.perf_counter() - started:.2f} s wall, "
        f"{time.process_time() - cpu:.2f} s cpu"
    )
    return value


def export_src(ref: str, dest: Path) -> tuple[Path, str]:
    """``src/`` of the commit ``ref``, extracted under ``dest`` (the code to compare with)."""
    sha = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "src"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src", sha


def time_check_phase(src: Path, snapshot: Path) -> dict[str, Any]:
    """One fresh process timing the check phase of the tree at ``src`` (time_checks.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = str(src)
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "time_checks.py"), str(snapshot)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


def compare_check_phase(snapshot: Path, ref: str, repeat: int, work: Path) -> None:
    """The check phase of ``ref`` (today's checks) and of this tree, on the same snapshot,
    alternating in fresh processes; medians, because the machine is shared."""
    old_src, sha = export_src(ref, work / "baseline-tree")
    trees = {f"{ref} ({sha})": old_src, "this tree": REPO / "src"}
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
    for _ in range(repeat):
        for label, src in trees.items():
            runs[label].append(time_check_phase(src, snapshot))
    print(f"\n== check phase, {repeat} runs each (alternating, fresh processes), CPU seconds")
    medians = {}
    for label, got in runs.items():
        cpu = sorted(r["cpu"] for r in got)
        wall = sorted(r["wall"] for r in got)
        medians[label] = statistics.median(cpu)
        print(
            f"  {label}: median {statistics.median(cpu):.2f} s cpu "
            f"({', '.join(f'{c:.2f}' for c in cpu)}), median {statistics.median(wall):.2f} s "
            f"wall, {got[0]['results']} results"
        )
    old, new = medians.values()
    print(f"  ratio (this tree / {ref}): {new / old:.2f}x")
    checks = sorted({c for got in runs.values() for r in got for c in r["by_check"]})
    print("  per check (median cpu s), the ones above 0.05 s in either tree:")
    for check in checks:
        values = [
            statistics.median(r["by_check"].get(check, 0.0) for r in got) for got in runs.values()
        ]
        if max(values) >= 0.05:
            print(f"    {check:32s} " + "  ".join(f"{v:6.2f}" for v in values))


def bench_offline(n: int, keep: bool, ref: str | None = None, repeat: int = 5) -> None:
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
    if ref:
        compare_check_phase(work / "snapshot.json", ref, repeat, work)
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
    parser.add_argument(
        "--compare-ref",
        metavar="REF",
        help="with --offline: also time the check phase of the commit REF (e.g. main) against "
        "this tree on the same snapshot, alternating in fresh processes",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per tree for --compare-ref")
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.offline:
        bench_offline(args.offline, args.keep, args.compare_ref, args.repeat)
        return
    bench_scan(args.users or [100, 1000, 5000], args.compare, args.keep)


if __name__ == "__main__":
    main()
