"""Data: every condition key the evaluator knows, and where its value comes from.

A condition is decided only when the value of each of its keys is fixed by something iamgate
knows. Four origins (docs/checks.md shows this table, generated from it):

- **caller**: the principal being evaluated (its ARN, type, name, account, organization, tags);
  :class:`~.request.Identity` answers them;
- **edge**: the step of a privilege-escalation path being asked (the service a role is passed
  to, the policy an attach writes); the caller of :func:`.evaluate.allows` passes them in a
  :class:`~.request.Known`;
- **target**: the principal or resource acted on (its tags, account, organization); also passed
  in a :class:`~.request.Known`;
- **request**: chosen by whoever sends the request, or by circumstances (MFA, source IP, VPC,
  time, region, the service it comes through): never known. Every key not in the table is one.

A key whose value is unknown keeps the conservative reading: an ``Allow`` conditioned on it
grants, and a ``Deny`` conditioned on it removes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

_GLOBAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html"
SESSION_TAGS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html"
FEDERATION_TOKEN = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html"


class Origin(StrEnum):
    EDGE = "edge"
    CALLER = "caller"
    TARGET = "target"
    REQUEST = "request"


@dataclass(frozen=True, slots=True)
class ConditionKey:
    name: str  # as AWS documents it; a name ending in "/" is a family (one key per tag)
    origin: Origin
    value: str  # where iamgate finds the value
    docs: str

    @property
    def family(self) -> bool:
        return self.name.endswith("/")


def _g(anchor: str) -> str:
    return f"{_GLOBAL}#condition-keys-{anchor}"


def _iam(anchor: str) -> str:
    return f"{_IAM}#ck_{anchor}"


_CALLER_NOTE = (
    "; unknown for a user that may call sts:GetFederationToken (its federated sessions carry "
    "other values) and for a placeholder principal (a group's member, a managed policy's holder)"
)

KEYS: tuple[ConditionKey, ...] = (
    # --- the edge ------------------------------------------------------------------------------
    ConditionKey(
        "iam:PassedToService",
        Origin.EDGE,
        "the service a pass-and-run edge passes the role to",
        _iam("PassedToService"),
    ),
    ConditionKey(
        "iam:PolicyARN",
        Origin.EDGE,
        "the managed policy an attach edge attaches",
        _iam("PolicyARN"),
    ),
    ConditionKey(
        "iam:PermissionsBoundary",
        Origin.EDGE,
        "the boundary a create or put edge sets (absent when it sets none)",
        _iam("PermissionsBoundary"),
    ),
    ConditionKey(
        "iam:AssociatedResourceArn",
        Origin.EDGE,
        "the resource a passed role is associated with; not decided (no inventory of instances "
        "or functions is collected): an Allow on it grants, a Deny removes nothing",
        _iam("AssociatedResourceArn"),
    ),
    # --- the caller ----------------------------------------------------------------------------
    ConditionKey(
        "aws:PrincipalType",
        Origin.CALLER,
        "User for a user, AssumedRole for a role's sessions" + _CALLER_NOTE,
        _g("principaltype"),
    ),
    ConditionKey(
        "aws:PrincipalArn",
        Origin.CALLER,
        "the user's ARN; for a role's sessions the role's ARN (not the session's)" + _CALLER_NOTE,
        _g("principalarn"),
    ),
    ConditionKey(
        "aws:PrincipalAccount", Origin.CALLER, "the account scanned", _g("principalaccount")
    ),
    ConditionKey(
        "aws:PrincipalOrgID",
        Origin.CALLER,
        "the account's organization (organizations:DescribeOrganization); absent when it is in "
        "none; unknown when that could not be read",
        _g("principalorgid"),
    ),
    ConditionKey(
        "aws:PrincipalOrgPaths",
        Origin.CALLER,
        "absent when the account is in no organization; otherwise unknown (the account's path "
        "is not collected)",
        _g("principalorgpaths"),
    ),
    ConditionKey(
        "aws:PrincipalTag/",
        Origin.CALLER,
        "the user's or role's tags (GetAccountAuthorizationDetails); unknown for a role whose "
        "trust allows sts:TagSession (session tags override role tags) and in a snapshot "
        "without tags" + _CALLER_NOTE,
        _g("principaltag"),
    ),
    ConditionKey(
        "aws:username",
        Origin.CALLER,
        "the user's name; absent for a role's sessions" + _CALLER_NOTE,
        _g("username"),
    ),
    ConditionKey(
        "aws:userid",
        Origin.CALLER,
        "the user's unique id (AIDA...); unknown for a role (role-id:session-name, the session "
        "name is the caller's choice) and in a snapshot without ids" + _CALLER_NOTE,
        _g("userid"),
    ),
    ConditionKey(
        "aws:PrincipalIsAWSService",
        Origin.CALLER,
        "false: a user or role signs its own requests",
        _g("principalisawsservice"),
    ),
    ConditionKey(
        "aws:PrincipalServiceName",
        Origin.CALLER,
        "absent: present only when a service principal calls",
        _g("principalservicename"),
    ),
    # --- the target ----------------------------------------------------------------------------
    ConditionKey(
        "aws:ResourceTag/",
        Origin.TARGET,
        "the tags of the user or role acted on",
        _g("resourcetag"),
    ),
    ConditionKey(
        "iam:ResourceTag/",
        Origin.TARGET,
        "the tags of the user or role acted on",
        _iam("ResourceTag"),
    ),
    ConditionKey(
        "aws:ResourceAccount",
        Origin.TARGET,
        "the account of the resource acted on",
        _g("resourceaccount"),
    ),
    ConditionKey(
        "aws:ResourceOrgID",
        Origin.TARGET,
        "the organization of the account of the resource acted on",
        _g("resourceorgid"),
    ),
    # --- the request: never known ------------------------------------------------------------
    *(
        ConditionKey(name, Origin.REQUEST, why, _g(anchor))
        for name, anchor, why in (
            ("aws:MultiFactorAuthPresent", "multifactorauthpresent", "how the caller signed in"),
            ("aws:MultiFactorAuthAge", "multifactorauthage", "how the caller signed in"),
            ("aws:SourceIp", "sourceip", "where the request comes from"),
            ("aws:SourceVpc", "sourcevpc", "where the request comes from"),
            ("aws:SourceVpce", "sourcevpce", "where the request comes from"),
            ("aws:VpcSourceIp", "vpcsourceip", "where the request comes from"),
            ("aws:CurrentTime", "currenttime", "when the request is sent"),
            ("aws:EpochTime", "epochtime", "when the request is sent"),
            ("aws:TokenIssueTime", "tokenissuetime", "the credentials the caller uses"),
            ("aws:RequestedRegion", "requestedregion", "the region the caller picks"),
            ("aws:CalledVia", "calledvia", "the service the request comes through"),
            ("aws:CalledViaFirst", "calledviafirst", "the service the request comes through"),
            ("aws:CalledViaLast", "calledvialast", "the service the request comes through"),
            ("aws:ViaAWSService", "viaawsservice", "the service the request comes through"),
            ("aws:SecureTransport", "securetransport", "how the request is sent"),
            ("aws:UserAgent", "useragent", "the caller's choice"),
            ("aws:referer", "referer", "the caller's choice"),
            ("aws:RequestTag/", "requesttag", "the tags the request carries"),
            ("aws:TagKeys", "tagkeys", "the tags the request carries"),
            ("aws:SourceIdentity", "sourceidentity", "set when a role is assumed"),
            ("aws:SourceArn", "sourcearn", "present only when a service acts for a resource"),
            ("aws:SourceAccount", "sourceaccount", "present only when a service acts for one"),
        )
    ),
)

_EXACT = {k.name.lower(): k for k in KEYS if not k.family}
_FAMILIES = tuple((k.name.lower(), k) for k in KEYS if k.family)


def find(key: str) -> ConditionKey | None:
    """The table's row for a condition key (keys are case-insensitive); None: not in the table."""
    low = key.lower()
    found = _EXACT.get(low)
    if found is not None:
        return found
    return next((row for prefix, row in _FAMILIES if low.startswith(prefix)), None)


def origin(key: str) -> Origin:
    """Where the key's value comes from; every key not in the table is the request's."""
    found = find(key)
    return Origin.REQUEST if found is None else found.origin


def decidable(key: str) -> bool:
    """Whether some request may know the key's value (every origin but the request)."""
    return origin(key) is not Origin.REQUEST
