"""Policy documents and builders for the policy-language tests: AWS's own documents (as published
in the IAM documentation and the managed-policy reference), and one-line statements."""

from __future__ import annotations

from typing import Any

from iamgate.policy.document import parse_policy
from iamgate.policy.evaluate import Access, Attachment, Identity, Kind

ACCOUNT = "123456789012"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: Any = "*", resource: Any = "*", sid: str = "", **extra: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if sid:
        st["Sid"] = sid
    return st


def deny(action: Any = "*", resource: Any = "*", sid: str = "", **extra: Any) -> dict[str, Any]:
    return {**allow(action, resource, sid, **extra), "Effect": "Deny"}


def trust_service(service: str) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def trust_aws(*who: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": list(who)},
        "Action": "sts:AssumeRole",
    }
    if condition:
        st["Condition"] = condition
    return doc(st)


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
ADMIN = doc(allow("*", "*", "Admin"))
# arn:aws:iam::aws:policy/PowerUserAccess (its default version).
POWER_USER = doc(
    {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
    allow(
        [
            "account:GetAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeOrganization",
        ]
    ),
)
_OWN = "arn:aws:iam::*:user/${aws:username}"
# The IAM documentation's "allows MFA-authenticated IAM users to manage their own credentials"
# (reference_policies_examples_aws_my-sec-creds-self-manage).
OWN_CREDENTIALS = doc(
    allow(
        ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], "*", "AllowViewAccountInfo"
    ),
    allow(["iam:ChangePassword", "iam:GetUser"], _OWN, "AllowManageOwnPasswords"),
    allow(
        [
            "iam:CreateAccessKey",
            "iam:DeleteAccessKey",
            "iam:ListAccessKeys",
            "iam:UpdateAccessKey",
            "iam:GetAccessKeyLastUsed",
        ],
        _OWN,
        "AllowManageOwnAccessKeys",
    ),
    allow(
        [
            "iam:DeleteSigningCertificate",
            "iam:ListSigningCertificates",
            "iam:UpdateSigningCertificate",
            "iam:UploadSigningCertificate",
        ],
        _OWN,
        "AllowManageOwnSigningCertificates",
    ),
    allow(
        [
            "iam:DeleteSSHPublicKey",
            "iam:GetSSHPublicKey",
            "iam:ListSSHPublicKeys",
            "iam:UpdateSSHPublicKey",
            "iam:UploadSSHPublicKey",
        ],
        _OWN,
        "AllowManageOwnSSHPublicKeys",
    ),
    allow(
        [
            "iam:CreateServiceSpecificCredential",
            "iam:DeleteServiceSpecificCredential",
            "iam:ListServiceSpecificCredentials",
            "iam:ResetServiceSpecificCredential",
            "iam:UpdateServiceSpecificCredential",
        ],
        _OWN,
        "AllowManageOwnGitCredentials",
    ),
    allow("iam:CreateVirtualMFADevice", "arn:aws:iam::*:mfa/*", "AllowManageOwnVirtualMFADevice"),
    allow(
        [
            "iam:DeactivateMFADevice",
            "iam:EnableMFADevice",
            "iam:ListMFADevices",
            "iam:ResyncMFADevice",
        ],
        _OWN,
        "AllowManageOwnUserMFA",
    ),
    {
        "Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny",
        "NotAction": [
            "iam:CreateVirtualMFADevice",
            "iam:EnableMFADevice",
            "iam:GetUser",
            "iam:ListMFADevices",
            "iam:ListVirtualMFADevices",
            "iam:ResyncMFADevice",
            "sts:GetSessionToken",
        ],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    },
)
# AdministratorAccess with an unconditional Deny of everything but S3: only S3 is left.
ONLY_S3 = doc(
    allow("*", "*", "Admin"),
    {"Sid": "OnlyS3", "Effect": "Deny", "NotAction": "s3:*", "Resource": "*"},
)


def access(
    *docs: dict[str, Any] | str,
    kind: Kind = "user",
    name: str = "alice",
    boundary: dict[str, Any] | None = None,
    groups: tuple[str, ...] = (),
) -> Access:
    """The access of ``kind/name`` holding ``docs`` (as customer-managed policies p0, p1...)."""
    me = arn(kind, name)
    who = Identity(me, kind, name, ACCOUNT)
    atts = tuple(
        Attachment(parse_policy(arn("policy", f"p{i}"), d), me) for i, d in enumerate(docs)
    )
    b = parse_policy(arn("policy", "boundary"), boundary) if boundary is not None else None
    return Access(who, atts, b, groups)
