"""Small random accounts that exercise every edge kind of the escalation graph, for the tests
that hold it to the reference graph (``testing/reference_graph.py``) and to its own
explanations. Seeded: a failure names the seed that reproduces it.

Each account mixes: users (some with a path, some in groups), groups, roles trusted by a
service, by the account, by named users or roles, by everyone, by another account, with
conditions the snapshot cannot decide, with a condition on ``aws:PrincipalArn``, with a Deny;
service-linked roles; a credential report row for most users (with or without a password,
with zero to two access keys: what AWS refuses credentials edges on); policies granting the
catalogue's actions on every resource, on named principals, on prefixes, on
``${aws:username}`` (the "own credentials" pattern and others),
with ``NotAction``/``NotResource``, Denies and conditions; administrators, boundaries, and a
policy missing from the snapshot now and then.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from iamgate.model.snapshot import (
    AccessKeySlot,
    AttachedPolicy,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Role,
    Sentinel,
    Snapshot,
    Tag,
    User,
)
from testing.factories import ADMIN, ago, row, snap
from testing.policies import ACCOUNT, arn

SERVICES = (
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "codebuild.amazonaws.com",
    "glue.amazonaws.com",
)
ACTIONS = (
    "sts:AssumeRole",
    "iam:PassRole",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "lambda:UpdateFunctionCode",
    "ec2:RunInstances",
    "ssm:SendCommand",
    "codebuild:StartBuild",
    "glue:CreateJob",
    "glue:StartJobRun",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:DeleteAccessKey",
    "iam:DeleteLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:Put*",
    "iam:*",
    "lambda:*",
    "s3:GetObject",
)


class _Account:
    """The names of one random account, and the random choices made over them."""

    def __init__(self, rng: random.Random, keyed: random.Random | None = None) -> None:
        self.rng = rng
        self.keyed = keyed  # conditions on edge and target keys, drawn apart (see random_account)
        self.users = [f"u{i}" for i in range(rng.randint(2, 7))]
        self.roles = [f"r{i}" for i in range(rng.randint(2, 7))]
        self.groups = [f"g{i}" for i in range(rng.randint(0, 3))]
        self.paths = {u: rng.choice(("/", "/", "/", "/team/")) for u in self.users}
        self.policies = [f"p{i}" for i in range(rng.randint(1, 4))]

    def principal_arn(self, kind: str, name: str) -> str:
        path = self.paths.get(name, "/") if kind == "user" else "/"
        return f"arn:aws:iam::{ACCOUNT}:{kind}{path}{name}"

    def resource(self) -> Any:
        rng = self.rng
        options: list[Any] = [
            "*",
            "*",
            self.principal_arn("user", rng.choice(self.users)),
            self.principal_arn("role", rng.choice(self.roles)),
            arn("role", "r*"),
            arn("user", "u1*"),
            "arn:aws:iam::*:user/${aws:username}",
            "arn:aws:iam::*:user/${aws:username}",
            f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
            "arn:aws:iam::*:role/${aws:PrincipalTag/team}",
            "arn:aws:lambda:*:*:function:${aws:username}-*",
            "arn:aws:iam::*:user/${aws:username, 'u0'}",
            arn("policy", rng.choice(self.policies)),
            [arn("role", rng.choice(self.roles)), arn("user", rng.choice(self.users))],
        ]
        if self.groups:
            options.append(arn("group", rng.choice(self.groups)))
        return rng.choice(options)

    def statement(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.08:  # a new version of a policy someone holds
            write = rng.choice(("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"))
            return {"Effect": "Allow", "Action": write, "Resource": arn("policy", "p*")}
        actions = rng.sample(ACTIONS, rng.randint(1, 3))
        st: dict[str, Any] = {
            "Effect": "Deny" if rng.random() < 0.15 else "Allow",
            "NotAction" if rng.random() < 0.08 else "Action": actions,
            "NotResource" if rng.random() < 0.06 else "Resource": self.resource(),
        }
        if rng.random() < 0.1:
            st["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        if rng.random() < 0.3:
            st["Sid"] = f"S{rng.randint(0, 9)}"
        if self.keyed is not None and self.keyed.random() < 0.4:
            condition: dict[str, dict[str, str]] = dict(st.get("Condition", {}))
            for operator, test in self._edge_condition().items():
                condition[operator] = {**condition.get(operator, {}), **test}
            st["Condition"] = condition
        return st

    def _edge_condition(self) -> dict[str, dict[str, str]]:
        """A condition on a key the edge or its target fixes."""
        rng = self.keyed
        assert rng is not None
        options: list[dict[str, dict[str, str]]] = [
            {"StringEquals": {"iam:PassedToService": rng.choice(SERVICES)}},
            {"StringLike": {"iam:PassedToService": "ec2.*"}},
            {
                "ArnEquals": {
                    "iam:PolicyARN": rng.choice((ADMIN.arn, READ_ONLY, arn("policy", "p0")))
                }
            },
            {"StringEquals": {"iam:PermissionsBoundary": arn("policy", "p0")}},
            {"StringEquals": {"aws:ResourceTag/team": rng.choice(("a", "b"))}},
            {"StringNotEquals": {"iam:ResourceTag/team": "a"}},
            {"Null": {"aws:ResourceTag/team": rng.choice(("true", "false"))}},
            {"StringEquals": {"aws:ResourceAccount": rng.choice((ACCOUNT, "210987654321"))}},
        ]
        return rng.choice(options)

    def document(self) -> dict[str, Any]:
        count = self.rng.randint(1, 3)
        return {"Version": "2012-10-17", "Statement": [self.statement() for _ in range(count)]}

    def attached(self) -> tuple[AttachedPolicy, ...]:
        rng = self.rng
        chosen = rng.sample(self.policies, rng.randint(0, min(2, len(self.policies))))
        found = [AttachedPolicy(p, arn("policy", p)) for p in chosen]
        if rng.random() < 0.08:
            found.append(AttachedPolicy(ADMIN.name, ADMIN.arn))
        if rng.random() < 0.02:
            found.append(AttachedPolicy("gone", arn("policy", "gone")))  # not in the snapshot
        return tuple(found)

    def inline(self) -> tuple[InlinePolicy, ...]:
        return tuple(InlinePolicy(f"i{i}", self.document()) for i in range(self.rng.randint(0, 2)))

    def boundary(self) -> str | None:
        return arn("policy", self.rng.choice(self.policies)) if self.rng.random() < 0.2 else None

    def trust(self, name: str) -> dict[str, Any]:
        rng = self.rng
        statements = []
        for _ in range(rng.randint(1, 2)):
            statements.append(self._trust_statement(name))
        if rng.random() < 0.1:
            denied = self.principal_arn("user", rng.choice(self.users))
            statements.append(
                {"Effect": "Deny", "Principal": {"AWS": denied}, "Action": "sts:AssumeRole"}
            )
        return {"Version": "2012-10-17", "Statement": statements}

    def _trust_statement(self, name: str) -> dict[str, Any]:
        rng = self.rng
        pick = rng.random()
        principal: Any
        condition: dict[str, Any] | None = None
        if pick < 0.3:
            principal = {"Service": rng.choice(SERVICES)}
        elif pick < 0.55:
            principal = {"AWS": rng.choice((ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"))}
        elif pick < 0.8:
            kind = rng.choice(("user", "role"))
            pool = self.users if kind == "user" else [r for r in self.roles if r != name]
            principal = {"AWS": self.principal_arn(kind, rng.choice(pool or self.users))}
        elif pick < 0.85:
            principal = "*"
        elif pick < 0.9:
            principal = {"AWS": "arn:aws:iam::210987654321:root"}
            condition = {"StringEquals": {"sts:ExternalId": "x"}}
        else:
            principal = {"AWS": ACCOUNT}
        if condition is None and rng.random() < 0.2:
            condition = rng.choice(
                (
                    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                    {"StringEquals": {"sts:ExternalId": "x"}},
                    {"StringEquals": {"aws:PrincipalArn": arn("user", rng.choice(self.users))}},
                    {"StringLike": {"aws:PrincipalArn": arn("role", "r*")}},
                )
            )
        st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        if condition:
            st["Condition"] = condition
        return st


READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def random_account(seed: int, edge_keys: bool = False) -> Snapshot:
    """One random account (see the module docstring); the same seed gives the same one.
    ``edge_keys``: also conditions on the keys an edge or its target fixes (the service a role
    is passed to, the policy attached, the boundary set, the target's tags and account), and
    tags on users and roles; drawn from a generator of their own, so that the account is
    otherwise the one ``edge_keys=False`` gives."""
    rng = random.Random(seed)
    keyed = random.Random(seed ^ 0xED6E) if edge_keys else None
    names = _Account(rng, keyed)
    policies = [
        ManagedPolicy(arn=arn("policy", p), name=p, document=names.document())
        for p in names.policies
    ]
    groups = [
        Group(
            name=g,
            arn=arn("group", g),
            create_date=ago(10),
            attached=names.attached(),
            inline=names.inline(),
        )
        for g in names.groups
    ]
    users = [
        User(
            name=u,
            arn=names.principal_arn("user", u),
            path=names.paths[u],
            create_date=ago(10),
            groups=tuple(rng.sample(names.groups, rng.randint(0, len(names.groups)))),
            attached=names.attached(),
            inline=names.inline(),
            permissions_boundary=names.boundary(),
        )
        for u in names.users
    ]
    roles = []
    for r in names.roles:
        linked = rng.random() < 0.05
        roles.append(
            Role(
                name=r,
                arn=arn("role", f"aws-service-role/x/{r}" if linked else r),
                path="/aws-service-role/x/" if linked else "/",
                create_date=ago(10),
                trust_policy=names.trust(r),
                attached=names.attached(),
                inline=names.inline(),
                permissions_boundary=names.boundary(),
            )
        )
    if keyed is not None:
        users = [dataclasses.replace(u, tags=_tags(keyed)) for u in users]
        roles = [dataclasses.replace(r, tags=_tags(keyed)) for r in roles]
    return snap(
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        policies=(ADMIN, *policies),
        credential_report=_report(seed, users),
    )


def _tags(rng: random.Random) -> tuple[Tag, ...] | None:
    """A principal's tags: none, a team, or not collected."""
    return rng.choice(((), (Tag("team", "a"),), (Tag("team", "b"),), None))


def _report(seed: int, users: list[User]) -> tuple[Any, ...]:
    """The root's row and one for most users (its own generator: the accounts' other choices
    stay as they were): a password or none, zero to two keys, an inactive one now and then."""
    rng = random.Random(seed ^ 0x5EED)
    rows = [row("<root_account>", password=None, mfa=True)]
    for u in users:
        if rng.random() < 0.2:
            continue  # created after the report: no row
        keys = tuple(
            AccessKeySlot(n, rng.random() < 0.7, ago(5), Sentinel.NA)
            for n in range(1, rng.choice((0, 1, 2, 2)) + 1)
        )
        found = row(u.name, password=rng.random() < 0.5, keys=keys)
        rows.append(dataclasses.replace(found, arn=u.arn))
    return tuple(rows)
