"""Who holds what: users, groups, roles and policies, in bulk.

One paginated ``GetAccountAuthorizationDetails`` (filtered to the account's own entities and
customer-managed policies), then ``GetPolicy`` + ``GetPolicyVersion`` for each *distinct*
AWS-managed policy that is attached or used as a boundary: calls grow with pages and with the
distinct policies in use, never with users.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iamgate.aws.clients import Clients
from iamgate.collect.source import DataSource, Progress, Session
from iamgate.model.snapshot import (
    AttachedPolicy,
    CollectionError,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Role,
    Source,
    Tag,
    User,
)

AUTH_FILTER = ["User", "Role", "Group", "LocalManagedPolicy"]
UNPARSED = "iamgate:unparsed"  # the key of a document botocore could not decode


def _document(value: Any) -> dict[str, Any]:
    """botocore decodes policy documents; keep an undecodable one visibly broken."""
    if isinstance(value, dict):
        return value
    return {UNPARSED: str(value)}


def _attached(items: list[dict[str, Any]]) -> tuple[AttachedPolicy, ...]:
    return tuple(AttachedPolicy(a.get("PolicyName", ""), a["PolicyArn"]) for a in items)


def _inline(items: list[dict[str, Any]]) -> tuple[InlinePolicy, ...]:
    return tuple(InlinePolicy(p["PolicyName"], _document(p.get("PolicyDocument"))) for p in items)


def _default_document(policy: dict[str, Any]) -> dict[str, Any]:
    default = policy.get("DefaultVersionId")
    for version in policy.get("PolicyVersionList", []):
        if version.get("IsDefaultVersion") or version.get("VersionId") == default:
            return _document(version.get("Document"))
    return {UNPARSED: "no default version in GetAccountAuthorizationDetails"}


def _tags(entity: dict[str, Any]) -> tuple[Tag, ...]:
    """``Tags`` of a UserDetail or RoleDetail; AWS (and moto) omit the member when there are
    none."""
    return tuple(Tag(t["Key"], t.get("Value", "")) for t in entity.get("Tags") or ())


def _boundary(entity: dict[str, Any]) -> str | None:
    found = entity.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return str(found) if found else None


def authorization_details(session: Session) -> dict[str, Any]:
    iam = session.clients.client("iam")
    users: list[User] = []
    groups: list[Group] = []
    roles: list[Role] = []
    policies: list[ManagedPolicy] = []
    for page in session.pages(iam, "GetAccountAuthorizationDetails", Filter=AUTH_FILTER):
        for u in page.get("UserDetailList", []):
            users.append(
                User(
                    name=u["UserName"],
                    arn=u["Arn"],
                    create_date=u["CreateDate"],
                    path=u.get("Path", "/"),
                    groups=tuple(u.get("GroupList", [])),
                    attached=_attached(u.get("AttachedManagedPolicies", [])),
                    inline=_inline(u.get("UserPolicyList", [])),
                    permissions_boundary=_boundary(u),
                    tags=_tags(u),
                    unique_id=u.get("UserId"),
                )
            )
        for g in page.get("GroupDetailList", []):
            groups.append(
                Group(
                    name=g["GroupName"],
                    arn=g["Arn"],
                    create_date=g["CreateDate"],
                    path=g.get("Path", "/"),
                    attached=_attached(g.get("AttachedManagedPolicies", [])),
                    inline=_inline(g.get("GroupPolicyList", [])),
                )
            )
        for r in page.get("RoleDetailList", []):
            roles.append(
                Role(
                    name=r["RoleName"],
                    arn=r["Arn"],
                    create_date=r["CreateDate"],
                    trust_policy=_document(r.get("AssumeRolePolicyDocument", {})),
                    path=r.get("Path", "/"),
                    attached=_attached(r.get("AttachedManagedPolicies", [])),
                    inline=_inline(r.get("RolePolicyList", [])),
                    permissions_boundary=_boundary(r),
                    last_used=r.get("RoleLastUsed", {}).get("LastUsedDate"),
                    last_used_region=r.get("RoleLastUsed", {}).get("Region"),
                    tags=_tags(r),
                )
            )
        for p in page.get("Policies", []):
            # moto omits PolicyName: derive it from the ARN, which is always there.
            policies.append(
                ManagedPolicy(
                    arn=p["Arn"],
                    name=p.get("PolicyName") or p["Arn"].rsplit("/", 1)[-1],
                    document=_default_document(p),
                    attachment_count=int(p.get("AttachmentCount", 0)),
                    aws_managed=":aws:policy/" in p["Arn"],
                )
            )
    return {
        "users": tuple(users),
        "groups": tuple(groups),
        "roles": tuple(roles),
        "policies": tuple(policies),
    }


def aws_managed_policies(session: Session) -> dict[str, Any]:
    """Documents of the AWS-managed policies in use, and of those the config lists
    (``[collect] aws_managed_policies``: the ones a team expects to attach, so that an offline
    ``plan`` can judge a change that attaches one). One policy that cannot be read is one
    error; the others are still collected."""
    found = session.found
    entities: list[User | Group | Role] = [
        *found.get("users", ()),
        *found.get("groups", ()),
        *found.get("roles", ()),
    ]
    attached = {a.arn for e in entities for a in e.attached if ":aws:policy/" in a.arn}
    boundaries = {
        b
        for e in entities
        if not isinstance(e, Group) and (b := e.permissions_boundary) and ":aws:policy/" in b
    }
    arns = sorted(attached | boundaries | set(session.expected_policies))
    collected = []
    for arn in arns:
        one = session.run(_policy_source(session, arn))
        if "policy" in one:
            collected.append(one["policy"])
    if arns:
        session.progress(f"GetPolicyVersion: {len(collected)} AWS-managed policies")
    return {"policies": (*found.get("policies", ()), *collected)}


def _policy_source(session: Session, arn: str) -> DataSource:
    """One AWS-managed policy's document: ``GetPolicy`` for its default version, then
    ``GetPolicyVersion``; a failure names the policy."""
    iam = session.clients.client("iam")
    source = Source.AWS_MANAGED_POLICIES

    def fetch(_session: Session) -> dict[str, Any]:
        meta = session.call(source, "GetPolicy", lambda: iam.get_policy(PolicyArn=arn), arn)
        meta = meta["Policy"]
        version = session.call(
            source,
            "GetPolicyVersion",
            lambda: iam.get_policy_version(PolicyArn=arn, VersionId=meta["DefaultVersionId"]),
            arn,
        )
        policy = ManagedPolicy(
            arn=arn,
            name=meta["PolicyName"],
            document=_document(version["PolicyVersion"]["Document"]),
            attachment_count=int(meta.get("AttachmentCount", 0)),
            aws_managed=True,
        )
        return {"policy": policy}

    return DataSource(source, AWS_MANAGED_OPERATIONS, fetch)


def read_aws_managed_policies(
    clients: Clients, arns: Sequence[str], progress: Progress
) -> dict[str, ManagedPolicy | CollectionError]:
    """The documents of ``arns`` (AWS-managed policies), each read as an attached one is
    (read-only: ``iam:GetPolicy``, ``iam:GetPolicyVersion``), every answer checked by the same
    guard; a policy that cannot be read is its :class:`CollectionError`. For ``iamgate plan``:
    the policies a change attaches that its snapshot lacks."""
    session = Session(clients, progress, AWS_MANAGED_OPERATIONS, answers=AWS_MANAGED_ANSWERS)
    read: dict[str, ManagedPolicy | CollectionError] = {}
    for arn in arns:
        one = session.run(_policy_source(session, arn))
        read[arn] = one["policy"] if "policy" in one else session.errors[-1]
    if arns:
        progress(
            f"GetPolicyVersion: {sum(isinstance(v, ManagedPolicy) for v in read.values())} "
            "AWS-managed policies the change attaches"
        )
    return read


AWS_MANAGED_OPERATIONS = {"GetPolicy": "iam:GetPolicy", "GetPolicyVersion": "iam:GetPolicyVersion"}

AWS_MANAGED_ANSWERS = {
    "GetPolicy": ("Policy.PolicyName", "Policy.DefaultVersionId"),
    "GetPolicyVersion": ("PolicyVersion.Document",),
}

AUTHORIZATION_DETAILS = DataSource(
    Source.AUTHORIZATION_DETAILS,
    {"GetAccountAuthorizationDetails": "iam:GetAccountAuthorizationDetails"},
    authorization_details,
    # Every page carries all four lists (empty ones too): a page without them is not "none".
    answers={
        "GetAccountAuthorizationDetails": (
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        )
    },
)
AWS_MANAGED_POLICIES = DataSource(
    Source.AWS_MANAGED_POLICIES,
    AWS_MANAGED_OPERATIONS,
    aws_managed_policies,
    answers=AWS_MANAGED_ANSWERS,
)
