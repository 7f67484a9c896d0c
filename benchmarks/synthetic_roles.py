"""A role-heavy synthetic account: what a shared account of a large organization looks like
when every workload, CI pipeline and tenant has its roles (issue 21).

``synthetic_role_snapshot(n)`` has ``n`` roles and ``n // 10`` users:

- **templates**: roles are made from ``n // 200`` templates (a pipeline, a tenant): every role
  of a template holds the template's managed policies, so many principals share policies:
  ``pipeline-t`` (``iam:PassRole`` on the template's service roles, ``lambda:CreateFunction``
  / ``InvokeFunction``) or ``chain-t`` (``sts:AssumeRole`` on ``role/chain-*``), and ``data-t``;
- **trust chains** (40%): chains of five roles, ``chain-c-0`` trusted by the account (or a named
  user), each next one trusting the one before it by ARN;
  the last one passes the template's service roles, or (one chain in ten) is an
  administrator: paths several hops deep;
- **service roles** (40%): trusted by Lambda, EC2, ECS tasks, CodeBuild or Glue (passed by the
  template's pipelines); in one template in four, 5% are administrators;
- **account roles** (13%): pipelines trusted by the account, a quarter with an MFA condition;
- **other accounts** (5%): trusted by another account with an external id;
- **break-glass roles** (1%): trusted by the account with a ``StringLike aws:PrincipalArn``
  condition on the chain roles (asked per caller that may assume them);
- a workload boundary on 10% of the roles, ``ssm:SendCommand`` on 5% of the pipelines;
- users in groups of 20 (an application policy and AWS's own-credentials policy), 5% of them
  allowed ``sts:AssumeRole`` on the chains' first roles, 1% administrators.

Every other source the checks read comes from ``bench.synthetic_sources`` (no errors).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import ACCOUNT, ADMIN_ARN, SERVICES, synthetic_sources

CHAIN = 5  # roles per trust chain


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(sid: str, action: Any, resource: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}


def _trust(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return _doc(st)


class _Builder:
    """The roles and policies of one account, built in a fixed order from one seed."""

    def __init__(self, n: int) -> None:
        from iamgate.model.snapshot import ManagedPolicy

        self.rng = random.Random(n)
        self.now = datetime.now(UTC)
        self.acct = f"arn:aws:iam::{ACCOUNT}"
        self.templates = max(10, n // 200)
        self.policies: list[Any] = []
        for t in range(self.templates):
            self.policies.append(
                self._policy(
                    f"pipeline-{t}",
                    _allow("Pass", "iam:PassRole", f"{self.acct}:role/svc-{t}-*"),
                    _allow("Deploy", ["lambda:CreateFunction", "lambda:InvokeFunction"], "*"),
                )
            )
            self.policies.append(
                self._policy(
                    f"chain-{t}", _allow("Chain", "sts:AssumeRole", f"{self.acct}:role/chain-*")
                )
            )
            self.policies.append(
                self._policy(
                    f"data-{t}",
                    _allow("Read", ["s3:GetObject", "dynamodb:Query"], "*"),
                    _allow("Queue", "sqs:*", f"arn:aws:sqs:*:{ACCOUNT}:tenant-{t}-*"),
                )
            )
        self.ops = self._policy("ops", _allow("Run", ["ssm:SendCommand", "ec2:Describe*"], "*"))
        self.boundary = self._policy(
            "workload-boundary",
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
        )
        self.policies += [self.ops, self.boundary]
        self.ManagedPolicy = ManagedPolicy

    def _policy(self, name: str, *statements: dict[str, Any]) -> Any:
        from iamgate.model.snapshot import ManagedPolicy

        return ManagedPolicy(
            arn=f"{self.acct}:policy/{name}",
            name=name,
            document=_doc(*statements),
            attachment_count=1,
        )

    def role(self, name: str, trust: dict[str, Any], template: int, job: str = "pipeline") -> Any:
        """A role of a template; ``job``: ``pipeline`` (passes the template's service roles),
        ``chain`` (assumes the chain roles) or ``admin``."""
        from iamgate.model.snapshot import AttachedPolicy, Role

        rng = self.rng
        admin = job == "admin"
        if admin:
            attached = [AttachedPolicy("AdministratorAccess", ADMIN_ARN)]
        else:
            attached = [
                AttachedPolicy(f"{job}-{template}", f"{self.acct}:policy/{job}-{template}"),
                AttachedPolicy(f"data-{template}", f"{self.acct}:policy/data-{template}"),
            ]
            if job == "pipeline" and rng.random() < 0.05:
                attached.append(AttachedPolicy(self.ops.name, self.ops.arn))
        return Role(
            name=name,
            arn=f"{self.acct}:role/{name}",
            create_date=self.now - timedelta(days=rng.uniform(1, 900)),
            trust_policy=trust,
            attached=tuple(attached),
            permissions_boundary=(self.boundary.arn if not admin and rng.random() < 0.1 else None),
        )


def _roles(b: _Builder, n: int, users: list[str]) -> list[Any]:
    """The chains first (their names are what the pipelines may assume), then the rest."""
    rng, acct = b.rng, b.acct
    roles = []
    chains = int(n * 0.4) // CHAIN
    for c in range(chains):
        template = c % b.templates
        for i in range(CHAIN):
            if i == 0:
                named = rng.random() < 0.3
                who = f"{acct}:user/{rng.choice(users)}" if named else f"{acct}:root"
                trust = _trust({"AWS": who})
            else:
                trust = _trust({"AWS": f"{acct}:role/chain-{c}-{i - 1}"})
            # The last role of a chain deploys (passes the template's service roles); one chain
            # in ten ends in an administrator.
            job = "chain" if i < CHAIN - 1 else "admin" if c % 10 == 0 else "pipeline"
            roles.append(b.role(f"chain-{c}-{i}", trust, template, job))
    rest = n - len(roles)
    for k in range(rest):
        template = k % b.templates
        pick = rng.random()
        if pick < 0.67:
            # Administrators that code can carry, in one template in four.
            admin = template % 4 == 0 and rng.random() < 0.05
            service = SERVICES[k % (2 if admin else len(SERVICES))]
            trust = _trust({"Service": service})
            roles.append(
                b.role(f"svc-{template}-{k}", trust, template, "admin" if admin else "chain")
            )
        elif pick < 0.89:
            mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}} if rng.random() < 0.25 else None
            trust = _trust({"AWS": f"{acct}:root"}, mfa)
            roles.append(b.role(f"acct-{template}-{k}", trust, template))
        elif pick < 0.98:
            external = {"StringEquals": {"sts:ExternalId": f"x-{k}"}}
            trust = _trust({"AWS": "arn:aws:iam::210987654321:root"}, external)
            roles.append(b.role(f"ext-{template}-{k}", trust, template))
        else:
            pinned = {"StringLike": {"aws:PrincipalArn": f"{acct}:role/chain-*"}}
            roles.append(
                b.role(f"breakglass-{k}", _trust({"AWS": f"{acct}:root"}, pinned), template)
            )
    return roles


def synthetic_role_snapshot(n: int) -> Any:
    """``n`` roles (see the module docstring) and every source the checks read."""
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

    b = _Builder(n)
    rng, acct, now = b.rng, b.acct, b.now
    n_users = max(20, n // 10)
    own = ManagedPolicy(
        arn=f"{acct}:policy/own-credentials",
        name="own-credentials",
        document=_doc(
            _allow(
                "OwnCredentials",
                ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ChangePassword"],
                "arn:aws:iam::*:user/${aws:username}",
            )
        ),
        attachment_count=1,
    )
    app = [
        ManagedPolicy(
            arn=f"{acct}:policy/app-{i}",
            name=f"app-{i}",
            document=_doc(_allow("Read", "s3:Get*", f"arn:aws:s3:::app-{i}/*")),
            attachment_count=1,
        )
        for i in range(20)
    ]
    entry = ManagedPolicy(
        arn=f"{acct}:policy/chain-entry",
        name="chain-entry",
        document=_doc(_allow("Enter", "sts:AssumeRole", f"{acct}:role/chain-*-0")),
        attachment_count=1,
    )
    admin = ManagedPolicy(
        arn=ADMIN_ARN,
        name="AdministratorAccess",
        aws_managed=True,
        attachment_count=1,
        document=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    groups = [
        Group(
            name=f"team-{g}",
            arn=f"{acct}:group/team-{g}",
            create_date=now - timedelta(days=400),
            attached=(
                AttachedPolicy(f"app-{g % 20}", f"{acct}:policy/app-{g % 20}"),
                AttachedPolicy(own.name, own.arn),
            ),
        )
        for g in range(max(1, n_users // 20))
    ]
    users, rows = [], []
    for i in range(n_users):
        name = f"dev-{i:06d}"
        attached = []
        if rng.random() < 0.05:
            attached.append(AttachedPolicy(entry.name, entry.arn))
        if rng.random() < 0.01:
            attached.append(AttachedPolicy("AdministratorAccess", ADMIN_ARN))
        users.append(
            User(
                name=name,
                arn=f"{acct}:user/{name}",
                create_date=now - timedelta(days=rng.uniform(1, 900)),
                groups=(groups[i % len(groups)].name,),
                attached=tuple(attached),
            )
        )
        rows.append(
            CredentialRow(
                user=name,
                arn=f"{acct}:user/{name}",
                user_creation_time=now - timedelta(days=800),
                password_enabled=False,
                password_last_used=Sentinel.NA,
                password_last_changed=Sentinel.NA,
                mfa_active=False,
                keys=(
                    AccessKeySlot(1, True, now - timedelta(days=30), now - timedelta(days=1)),
                    AccessKeySlot(2, False, Sentinel.NA, Sentinel.NA),
                ),
            )
        )
    rows.append(
        CredentialRow(
            user="<root_account>",
            arn=f"arn:aws:iam::{ACCOUNT}:root",
            user_creation_time=now - timedelta(days=2000),
            password_enabled=None,
            password_last_used=now - timedelta(days=400),
            password_last_changed=Sentinel.NOT_SUPPORTED,
            mfa_active=True,
            keys=(
                AccessKeySlot(1, False, Sentinel.NA, Sentinel.NA),
                AccessKeySlot(2, False, Sentinel.NA, Sentinel.NA),
            ),
        )
    )
    roles = _roles(b, n, [u.name for u in users])
    return Snapshot(
        account_id=ACCOUNT,
        collected_at=now,
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        policies=tuple([*b.policies, own, *app, entry, admin]),
        credential_report=tuple(rows),
        credential_report_generated_at=now,
        password_policy={"MinimumPasswordLength": 14, "RequireSymbols": True},
        account_summary={"AccountMFAEnabled": 1},
        **synthetic_sources(n, [r.arn for r in roles], [u.arn for u in users]),
    )
