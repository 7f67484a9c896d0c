"""Small hand-built snapshots for unit tests of checks, the gate and the reporters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from iamgate.model.snapshot import (
    AccessKeySlot,
    AttachedPolicy,
    CredentialRow,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Organization,
    ReportDate,
    Role,
    Sentinel,
    Snapshot,
    User,
)

ACCOUNT = "123456789012"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STRONG_POLICY: Mapping[str, Any] = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
    "ExpirePasswords": True,
}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def key(
    slot: int = 1,
    *,
    active: bool = True,
    rotated: ReportDate | float = 10,
    used: ReportDate | float | None = 1,
) -> AccessKeySlot:
    def when(v: ReportDate | float | None) -> ReportDate:
        if v is None:
            return Sentinel.NA
        return ago(v) if isinstance(v, int | float) else v

    return AccessKeySlot(slot=slot, active=active, last_rotated=when(rotated), last_used=when(used))


NO_KEY = AccessKeySlot(slot=2, active=False, last_rotated=Sentinel.NA, last_used=Sentinel.NA)


def row(
    name: str = "alice",
    *,
    created: float = 100,
    password: bool | None = False,
    password_used: ReportDate | float | None = None,
    password_changed: ReportDate | float | None = None,
    mfa: bool = False,
    keys: tuple[AccessKeySlot, ...] = (),
) -> CredentialRow:
    def when(v: ReportDate | float | None, default: ReportDate) -> ReportDate:
        if v is None:
            return default
        return ago(v) if isinstance(v, int | float) else v

    slots = list(keys) + [
        AccessKeySlot(n, False, Sentinel.NA, Sentinel.NA) for n in range(len(keys) + 1, 3)
    ]
    return CredentialRow(
        user=name,
        arn=f"arn:aws:iam::{ACCOUNT}:root" if name == "<root_account>" else arn("user", name),
        user_creation_time=ago(created),
        password_enabled=password,
        password_last_used=when(
            password_used, Sentinel.NO_INFORMATION if password else Sentinel.NOT_SUPPORTED
        ),
        password_last_changed=when(password_changed, ago(created) if password else Sentinel.NA),
        mfa_active=mfa,
        keys=tuple(slots),
    )


def user(
    name: str,
    *,
    groups: tuple[str, ...] = (),
    attached: tuple[str, ...] = (),
    inline: Mapping[str, Mapping[str, Any]] | None = None,
    boundary: str | None = None,
) -> User:
    return User(
        name=name,
        arn=arn("user", name),
        create_date=ago(100),
        groups=groups,
        attached=tuple(AttachedPolicy(a.rsplit("/", 1)[-1], a) for a in attached),
        inline=tuple(InlinePolicy(k, v) for k, v in (inline or {}).items()),
        permissions_boundary=boundary,
    )


def group(
    name: str,
    *,
    attached: tuple[str, ...] = (),
    inline: Mapping[str, Mapping[str, Any]] | None = None,
) -> Group:
    return Group(
        name=name,
        arn=arn("group", name),
        create_date=ago(100),
        attached=tuple(AttachedPolicy(a.rsplit("/", 1)[-1], a) for a in attached),
        inline=tuple(InlinePolicy(k, v) for k, v in (inline or {}).items()),
    )


def role(
    name: str,
    trust: Mapping[str, Any] | None = None,
    *,
    attached: tuple[str, ...] = (),
    inline: Mapping[str, Mapping[str, Any]] | None = None,
    boundary: str | None = None,
) -> Role:
    trust = trust or doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    return Role(
        name=name,
        arn=arn("role", name),
        create_date=ago(100),
        trust_policy=trust,
        attached=tuple(AttachedPolicy(a.rsplit("/", 1)[-1], a) for a in attached),
        inline=tuple(InlinePolicy(k, v) for k, v in (inline or {}).items()),
        permissions_boundary=boundary,
    )


def doc(*statements: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def managed(
    name: str, document: Mapping[str, Any], *, attachments: int = 1, aws_managed: bool = False
) -> ManagedPolicy:
    policy_arn = f"arn:aws:iam::aws:policy/{name}" if aws_managed else arn("policy", name)
    return ManagedPolicy(
        arn=policy_arn,
        name=name,
        document=document,
        attachment_count=attachments,
        aws_managed=aws_managed,
    )


ADMIN = managed(
    "AdministratorAccess",
    doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    aws_managed=True,
)


def snap(**fields: Any) -> Snapshot:
    """A snapshot; unless ``users`` is given, the users are those of the credential report's
    rows (the two sources agree, as they do when nothing changed since the report)."""
    base: dict[str, Any] = {
        "account_id": ACCOUNT,
        "collected_at": NOW,
        "password_policy": STRONG_POLICY,
        "credential_report": (row("<root_account>", password=None, mfa=True),),
        "organization": Organization(None),  # read, and the account is in no organization
    }
    base.update(fields)
    if "users" not in fields:
        base["users"] = tuple(
            User(name=r.user, arn=r.arn, create_date=ago(100))
            for r in base["credential_report"]
            if not r.is_root
        )
    return Snapshot(**base)


# --- Access Analyzer and CloudTrail (least-privilege / monitoring checks) ----------------------


def analyzer(region: str = "us-east-1", *, type: str = "ACCOUNT", status: str = "ACTIVE") -> Any:
    from iamgate.model.snapshot import Analyzer

    name = type.lower()
    return Analyzer(
        f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}", name, type, status
    )


def aa_finding(
    finding_id: str,
    resource: str,
    *,
    finding_type: str = "ExternalAccess",
    resource_type: str = "AWS::S3::Bucket",
    principal: Mapping[str, str] | None = None,
    actions: tuple[str, ...] = ("s3:GetObject",),
    public: bool | None = False,
    status: str = "ACTIVE",
) -> Any:
    from iamgate.model.snapshot import AnalyzerFinding

    return AnalyzerFinding(
        id=finding_id,
        resource=resource,
        resource_type=resource_type,
        finding_type=finding_type,
        status=status,
        principal=dict(principal or {"AWS": "999988887777"}),
        actions=actions,
        is_public=public,
    )


def trail(
    name: str = "main",
    *,
    multi_region: bool = True,
    global_events: bool = True,
    log_validation: bool = True,
    logging: bool | None = True,
    management: str = "All",
    log_group: str | None = None,
) -> Any:
    from iamgate.model.snapshot import Trail

    return Trail(
        name=name,
        arn=f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}",
        home_region="us-east-1",
        multi_region=multi_region,
        global_events=global_events,
        log_validation=log_validation,
        is_logging=logging,
        management_events=management,
        log_group_arn=log_group,
    )
