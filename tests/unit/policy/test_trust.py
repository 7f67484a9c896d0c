"""Trust documents, who can assume them, and the risks each assumer is.

Each row: a trust policy, the context, the expected assumers ("kind|text the `who` contains",
in order) and the risks found (short names: public, external, federated, deputy: one per
role-trust check). Near-miss rows sit next to each other: the trust that must fail beside the
nearly identical one that must pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from iamgate.policy.trust import PolicyFormatError, Risk, TrustContext, who_can_assume
from testing.trust import (
    ASSUME,
    ORG,
    OTHER,
    OTHER_ORG,
    OWN,
    SAML,
    TRUSTED,
    WEB,
    allow,
    deny,
    doc,
    oidc,
)

CTX = TrustContext(OWN, ORG, trusted_accounts=(TRUSTED,))
NO_ORG = TrustContext(OWN, None)
UNKNOWN_ORG = TrustContext(OWN, None, org_known=False, trusted_accounts=(TRUSTED,))
OWNERS = TrustContext(
    OWN,
    ORG,
    trusted_accounts=(TRUSTED,),
    oidc_owners=(
        "github:my-org",
        "gitlab:my-group",
        "terraform:my-tf",
        "buildkite:my-bk",
        "circleci:0b2f0f7e-aaaa-bbbb-cccc-123456789abc",
        "bitbucket:my-ws",
    ),
)
GH = "token.actions.githubusercontent.com"
GHES = "ghe.example.com/_services/token"
CIRCLE = "oidc.circleci.com/org/0b2f0f7e-aaaa-bbbb-cccc-123456789abc"
BITBUCKET = "api.bitbucket.org/2.0/workspaces/my-ws/pipelines-config/identity/oidc"
COGNITO = {"Federated": "cognito-identity.amazonaws.com"}
POOL = {"cognito-identity.amazonaws.com:aud": "eu-west-1:0a1b2c3d-aaaa"}
EKS = "oidc.eks.eu-west-1.amazonaws.com/id/5C5E0A1B2C3D4E5F6A7B8C9D0E1F2A3B"
SHORT = {
    Risk.PUBLIC: "public",
    Risk.EXTERNAL: "external",
    Risk.UNPINNED_FEDERATION: "federated",
    Risk.CONFUSED_DEPUTY: "deputy",
}


def when(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {operator: {key: value}}


def star(condition: Any = None) -> dict[str, Any]:
    return doc(allow("*", condition=condition))


def gh(condition: Any, url: str = GH, sid: str | None = None) -> dict[str, Any]:
    return doc(allow(oidc(url), WEB, condition, sid=sid))


AUD = {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}


def sub(op: str, value: Any, url: str = GH, claim: str = "sub") -> dict[str, Any]:
    return {"StringEquals": {f"{url}:aud": "sts.amazonaws.com"}, op: {f"{url}:{claim}": value}}


@dataclass(frozen=True)
class Case:
    id: str
    document: Any
    who: tuple[str, ...]  # "kind|substring of who", one per assumer, in order
    fails: frozenset[str] = frozenset()  # short names: public, external, federated, deputy
    ctx: TrustContext = CTX
    why: str = ""  # a substring the first assumer's description must contain
    notes: tuple[str, ...] = field(default_factory=tuple)


def case(
    id: str,
    document: Any,
    who: str | tuple[str, ...],
    fails: str = "",
    *,
    ctx: TrustContext = CTX,
    why: str = "",
    notes: tuple[str, ...] = (),
) -> Case:
    whos = (who,) if isinstance(who, str) else who
    return Case(
        id, document, tuple(w for w in whos if w), frozenset(fails.split()), ctx, why, notes
    )


ANY_ACCOUNT = "anyone|any principal of any AWS account"
NOT_OTHER = {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}
SOURCE_OWN = {"StringEquals": {"aws:SourceAccount": OWN}}

CASES = [
    # --- public, and what narrows it ----------------------------------------------------------
    case("star", doc(allow("*")), ANY_ACCOUNT, "public", why="has no condition"),
    case("aws-star", doc(allow({"AWS": "*"})), ANY_ACCOUNT, "public"),
    case(
        "star-key-not-identity",
        star(when("Bool", "aws:SecureTransport", "true")),
        ANY_ACCOUNT,
        "public",
        why="conditions only on aws:SecureTransport",
    ),
    case(
        "star-own-org",
        star(when("StringEquals", "aws:PrincipalOrgID", ORG)),
        "organization|principals of your organization o-mine123456",
    ),
    case(
        "star-other-org",
        star(when("StringEquals", "aws:PrincipalOrgID", OTHER_ORG)),
        "organization|organization o-other12345 (yours is o-mine123456)",
        "external",
    ),
    case(
        "star-org-but-account-in-no-org",
        doc(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})),
        "organization|this account is in no organization",
        "external",
        ctx=NO_ORG,
    ),
    case(
        "star-org-key-case-insensitive",
        doc(allow("*", condition={"StringEquals": {"AWS:PRINCIPALORGID": ORG}})),
        "organization|your organization",
    ),
    case(
        "star-org-value-case-sensitive",
        doc(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": ORG.upper()}})),
        "organization|O-MINE123456",
        "external",
    ),
    case(
        "star-org-wildcard",
        star(when("StringLike", "aws:PrincipalOrgID", "o-*")),
        ANY_ACCOUNT,
        "public",
        why="'o-*' matches every organization",
    ),
    case(
        "star-org-ifexists",
        doc(allow("*", condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}})),
        ANY_ACCOUNT,
        "public",
        why="true when aws:PrincipalOrgID is absent",
    ),
    case(
        "star-org-forallvalues",
        doc(allow("*", condition={"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}})),
        ANY_ACCOUNT,
        "public",
        why="ForAllValues:StringEquals is true when",
    ),
    case(
        "star-org-foranyvalue",
        doc(allow("*", condition={"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ORG}})),
        "organization|your organization",
    ),
    case(
        "star-org-notequals",
        doc(allow("*", condition={"StringNotEquals": {"aws:PrincipalOrgID": OTHER_ORG}})),
        ANY_ACCOUNT,
        "public",
        why="only excludes some values",
    ),
    case(
        "star-org-ignorecase",
        star(when("StringEqualsIgnoreCase", "aws:PrincipalOrgID", ORG.upper())),
        "organization|your organization",
    ),
    case(
        "star-is-aws-service-on-named-account",
        doc(allow({"AWS": OTHER}, condition=when("Bool", "aws:PrincipalIsAWSService", "true"))),
        (),
    ),
    case(
        "star-org-paths",
        doc(
            allow(
                "*",
                condition={
                    "ForAnyValue:StringLike": {
                        "aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-ab12-11111111/*"
                    }
                },
            )
        ),
        "organization|your organization",
    ),
    case(
        "star-org-null-false",
        star(when("Null", "aws:PrincipalOrgID", "false")),
        ANY_ACCOUNT,
        "public",
        why="only tests whether the key is present",
    ),
    case(
        "star-principal-arn-own",
        doc(
            allow(
                "*",
                condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OWN}:role/deploy-*"}},
            )
        ),
        "account|account 111111111111",
    ),
    case(
        "star-principal-arn-any-account",
        doc(allow("*", condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy"}})),
        ANY_ACCOUNT,
        "public",
        why="matches every account",
    ),
    case(
        "star-principal-arn-stringlike-spans-colons",
        doc(allow("*", condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}})),
        ANY_ACCOUNT,
        "public",
    ),
    case(
        "star-principal-arn-partial-account",
        doc(allow("*", condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::1111*"}})),
        "account|accounts matching 1111*",
        "external",
    ),
    case(
        "star-principal-account-other",
        doc(allow("*", condition={"StringEquals": {"aws:PrincipalAccount": OTHER}})),
        "account|account 999999999999",
        "external",
    ),
    case(
        "star-principal-account-two-values-or",
        doc(allow("*", condition={"StringEquals": {"aws:PrincipalAccount": [OWN, OTHER]}})),
        "account|account 999999999999",
        "external",
    ),
    case(
        "star-and-of-two-keys",
        doc(
            allow(
                "*",
                condition={
                    "StringEquals": {"aws:PrincipalAccount": [OWN, OTHER]},
                    "ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{OWN}:role/ci"},
                },
            )
        ),
        "account|account 111111111111",
    ),
    case(
        "star-external-id-only",
        star(when("StringEquals", "sts:ExternalId", "x1")),
        ANY_ACCOUNT,
        "public",
        why="an external id is not a secret",
    ),
    case(
        "star-policy-variable",
        doc(
            allow(
                "*",
                condition={"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalTag/acct}"}},
            )
        ),
        ANY_ACCOUNT,
        "public",
        why="policy variable",
    ),
    case(
        "allow-notprincipal",
        doc(allow({"AWS": f"arn:aws:iam::{OTHER}:root"}, not_principal=True)),
        "anyone|anyone but the principals in NotPrincipal",
        "public",
    ),
    case(
        "notaction-grants-assume",
        {"Statement": {"Effect": "Allow", "Principal": "*", "NotAction": "sts:TagSession"}},
        ANY_ACCOUNT,
        "public",
    ),
    case(
        "star-source-key-on-named-account",
        doc(allow({"AWS": OTHER}, condition={"StringEquals": {"aws:SourceAccount": OWN}})),
        "account|account 999999999999",
        "external",
    ),
    case(
        "star-is-aws-service-false",
        doc(allow("*", condition={"Bool": {"aws:PrincipalIsAWSService": "false"}})),
        ANY_ACCOUNT,
        "public",
    ),
    # --- other accounts -----------------------------------------------------------------------
    case(
        "account-other",
        doc(allow({"AWS": OTHER})),
        "account|any principal of account 999999999999",
        "external",
        why="has no condition",
    ),
    case(
        "account-other-external-id",
        doc(allow({"AWS": OTHER}, condition={"StringEquals": {"sts:ExternalId": "a1b2c3"}})),
        "account|account 999999999999",
    ),
    case(
        "account-other-external-id-wildcard",
        doc(allow({"AWS": OTHER}, condition={"StringLike": {"sts:ExternalId": "*"}})),
        "account|account 999999999999",
        "external",
        why="sts:ExternalId '*' is a wildcard",
    ),
    case(
        "account-other-external-id-forallvalues",
        doc(
            allow(
                {"AWS": OTHER},
                condition={"ForAllValues:StringEquals": {"sts:ExternalId": "a1b2c3"}},
            )
        ),
        "account|999999999999",
        "external",
        why="is true when sts:ExternalId is absent",
    ),
    case(
        "account-trusted",
        doc(allow({"AWS": f"arn:aws:iam::{TRUSTED}:root"})),
        "account|account 222222222222",
    ),
    case(
        "account-own-root",
        doc(allow({"AWS": f"arn:aws:iam::{OWN}:root"})),
        "account|account 111111111111",
    ),
    case(
        "role-other",
        doc(allow({"AWS": f"arn:aws:iam::{OTHER}:role/vendor"})),
        "account|arn:aws:iam::999999999999:role/vendor",
        "external",
    ),
    case(
        "account-other-in-own-org",
        doc(allow({"AWS": OTHER}, condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})),
        "account|999999999999 in your organization",
    ),
    case(
        "accounts-list-mixed",
        doc(allow({"AWS": [OWN, OTHER]})),
        ("account|account 111111111111", "account|account 999999999999"),
        "external",
    ),
    case(
        "canonical-user",
        doc(allow({"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"})),
        "account|canonical user",
        "external",
    ),
    case(
        "deleted-principal",
        doc(allow({"AWS": "AROA1234567890EXAMPLE"})),
        (),
        notes=("deleted principal",),
    ),
    case(
        "tag-session-only",
        doc(allow({"AWS": OTHER}, "sts:TagSession")),
        (),
        notes=("does not grant sts:AssumeRole",),
    ),
    case(
        "action-wildcard",
        doc(allow({"AWS": OTHER}, "sts:Assume*")),
        "account|999999999999",
        "external",
    ),
    case(
        "action-case-insensitive",
        doc(allow({"AWS": OTHER}, ["STS:ASSUMEROLE"])),
        "account|999999999999",
        "external",
    ),
    case("web-identity-action-for-aws-principal", doc(allow({"AWS": OTHER}, WEB)), ()),
    # --- Deny statements ----------------------------------------------------------------------
    case(
        "deny-outside-org",
        doc(allow("*"), deny("*", condition=NOT_OTHER)),
        "organization|your organization",
        why="Deny statement #2 lets through only StringEquals aws:PrincipalOrgID = 'o-mine123456'",
    ),
    case(
        "deny-outside-org-foranyvalue",
        doc(
            allow("*"),
            deny("*", condition={"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": ORG}}),
        ),
        ANY_ACCOUNT,
        "public",
        why="Deny statement #2 has a condition on aws:PrincipalOrgID that does not say whom",
    ),
    case(
        "deny-outside-org-forallvalues",
        doc(
            allow("*"),
            deny("*", condition={"ForAllValues:StringNotEquals": {"aws:PrincipalOrgID": ORG}}),
        ),
        "organization|your organization",
    ),
    case(
        "deny-outside-org-or-service",
        doc(
            allow("*"),
            deny(
                "*", condition={**NOT_OTHER, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}
            ),
        ),
        ("organization|your organization", "service|any AWS service acting for any account"),
        "deputy",
    ),
    case(
        "deny-not-understood",
        doc(
            allow("*"),
            deny("*", condition={**NOT_OTHER, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        ),
        ANY_ACCOUNT,
        "public",
        why="Deny statement #2 has a condition on aws:SourceIp",
    ),
    case(
        "deny-or-service-leaves-web-identity",
        doc(
            allow("*", "sts:*"),
            deny("*", "sts:*", {**NOT_OTHER, "Bool": {"aws:PrincipalIsAWSService": "false"}}),
        ),
        "anyone|any principal of any AWS account",
        "public",
    ),
    case(
        "deny-or-service-ifexists-covers-web-identity",
        doc(
            allow("*", "sts:*"),
            deny(
                "*", "sts:*", {**NOT_OTHER, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}
            ),
        ),
        ("organization|your organization", "service|any AWS service"),
        "deputy",
    ),
    case(
        "deny-aws-star-not-for-web-identity",
        doc(allow("*", "sts:*"), deny({"AWS": "*"}, "sts:*", NOT_OTHER)),
        ANY_ACCOUNT,
        "public",
    ),
    case(
        "deny-aws-star-for-assume-role",
        doc(allow("*"), deny({"AWS": "*"}, ASSUME, NOT_OTHER)),
        ("service|any AWS service acting for any account", "organization|your organization"),
        "deputy",
        why='Deny statement #2 names {"AWS": "*"}, not documented to cover',
    ),
    case(
        "deny-aws-star-everyone",
        doc(allow("*"), deny({"AWS": "*"})),
        "service|any AWS service acting for any account",
        "deputy",
    ),
    case(
        "deny-notequals-ifexists",
        doc(
            allow("*"),
            deny("*", condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}),
        ),
        "organization|your organization",
    ),
    case(
        "deny-arn-not-like",
        doc(
            allow("*"),
            deny(
                "*", condition={"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{OWN}:role/ci-*"}}
            ),
        ),
        "account|account 111111111111",
    ),
    case(
        "deny-positive-condition-removes-nothing",
        doc(allow("*"), deny("*", condition={"StringEquals": {"aws:PrincipalAccount": OTHER}})),
        ANY_ACCOUNT,
        "public",
    ),
    case(
        "deny-narrower-action",
        doc(allow("*", "sts:*"), deny("*", ASSUME, NOT_OTHER)),
        ANY_ACCOUNT,
        "public",
    ),
    case(
        "deny-notprincipal-own-account",
        doc(allow("*"), deny({"AWS": f"arn:aws:iam::{OWN}:root"}, not_principal=True)),
        "account|account 111111111111",
    ),
    case("deny-everyone", doc(allow("*"), deny("*")), ()),
    case("deny-the-allowed-account", doc(allow({"AWS": OTHER}), deny({"AWS": OTHER}, "sts:*")), ()),
    case(
        "deny-other-account-leaves-star",
        doc(allow("*"), deny({"AWS": OTHER})),
        ANY_ACCOUNT,
        "public",
    ),
    case(
        "deny-without-external-id",
        doc(
            allow({"AWS": OTHER}),
            deny("*", condition={"StringNotEquals": {"sts:ExternalId": "a1b2c3"}}),
        ),
        "account|999999999999",
    ),
    case(
        "deny-null-external-id",
        doc(allow({"AWS": OTHER}), deny("*", condition={"Null": {"sts:ExternalId": "true"}})),
        "account|999999999999",
        "external",
        why="Null on sts:ExternalId only tests whether the key is present",
    ),
    case(
        "deny-sid-label",
        doc(allow("*", sid="Open"), deny("*", condition=NOT_OTHER, sid="OrgOnly")),
        "organization|your organization",
        why="Deny statement 'OrgOnly'",
    ),
    # --- GitHub Actions -----------------------------------------------------------------------
    case(
        "gh-aud-only",
        gh(AUD),
        "web-identity|any GitHub Actions workflow in any repository",
        "public federated",
        why="statement #1 conditions only on aud",
    ),
    case(
        "gh-no-condition",
        gh(None),
        "web-identity|any GitHub Actions workflow",
        "public federated",
        why="has no condition",
    ),
    case(
        "gh-repo-star-gives-no-only-on",
        gh(sub("StringLike", "repo:*")),
        "web-identity|any",
        "public federated",
        why="statement #1 token.actions.githubusercontent.com:sub 'repo:*'",
    ),
    case(
        "gh-repo-star",
        gh(sub("StringLike", "repo:*")),
        "web-identity|any repository",
        "public federated",
        why="'repo:*' pins no repository;",
    ),
    case("gh-star", gh(sub("StringLike", "*")), "web-identity|any repository", "public federated"),
    case(
        "gh-owner-wildcard",
        gh(sub("StringLike", "repo:my-org*")),
        "web-identity|any repository",
        "public federated",
    ),
    case(
        "gh-owner-wide",
        gh(sub("StringLike", "repo:my-org/*")),
        "web-identity|GitHub Actions workflows of my-org",
    ),
    case(
        "gh-exact",
        gh(sub("StringEquals", "repo:my-org/app:ref:refs/heads/main")),
        "web-identity|workflows of my-org/app",
    ),
    case(
        "gh-owner-listed",
        gh(sub("StringLike", "repo:my-org/app:*")),
        "web-identity|my-org/app",
        ctx=OWNERS,
    ),
    case(
        "gh-owner-not-listed",
        gh(sub("StringLike", "repo:someone-else/app:*")),
        "web-identity|someone-else/app, an owner not in [trust] oidc_owners",
        "federated",
        ctx=OWNERS,
    ),
    case(
        "gh-owner-any-when-list-empty",
        gh(sub("StringLike", "repo:someone-else/app:*")),
        "web-identity|someone-else/app",
    ),
    case(
        "gh-owner-listed-path-narrower",
        gh(sub("StringLike", "repo:my-org/*")),
        "web-identity|my-org",
        "federated",
        ctx=TrustContext(OWN, ORG, oidc_owners=("github:my-org/deploy",)),
    ),
    case(
        "gh-forallvalues",
        gh(sub("ForAllValues:StringLike", "repo:my-org/app:*")),
        "web-identity|any repository",
        "public federated",
        why="true when",
    ),
    case(
        "gh-foranyvalue",
        gh(sub("ForAnyValue:StringLike", "repo:my-org/app:*")),
        "web-identity|my-org/app",
    ),
    case(
        "gh-ifexists",
        gh(sub("StringLikeIfExists", "repo:my-org/app:*")),
        "web-identity|any repository",
        "public federated",
    ),
    case(
        "gh-notlike",
        gh(sub("StringNotLike", "repo:evil/*")),
        "web-identity|any repository",
        "public federated",
        why="only excludes some values",
    ),
    case(
        "gh-one-value-matches-all",
        gh(sub("StringLike", ["repo:my-org/app:*", "*"])),
        "web-identity|any repository",
        "public federated",
    ),
    case(
        "gh-two-values-both-pinned",
        gh(sub("StringLike", ["repo:my-org/a:*", "repo:my-org/b:*"])),
        "web-identity|my-org/a, my-org/b",
    ),
    case(
        "gh-leading-wildcard",
        gh(sub("StringLike", "*repo:my-org/app*")),
        "web-identity|any repository",
        "public federated",
    ),
    case(
        "gh-job-workflow-ref-first",
        gh(
            sub(
                "StringLike",
                "job_workflow_ref:my-org/ci/.github/workflows/deploy.yml@refs/heads/main",
            )
        ),
        "web-identity|any repository",
        "public federated",
    ),
    case(
        "gh-custom-repository-owner",
        gh(sub("StringLike", "repository_owner:my-org:*")),
        "web-identity|of my-org",
    ),
    case(
        "gh-unsupported-claim",
        gh(
            {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:repository_owner": "my-org"}}
        ),
        "web-identity|any repository",
        "public federated",
        why="conditions only on aud, repository_owner",
    ),
    case(
        "gh-key-case",
        gh(when("StringLike", "Token.Actions.GitHubUserContent.com:SUB", "repo:my-org/*")),
        "web-identity|of my-org",
    ),
    case(
        "gh-enterprise-issuer",
        gh(sub("StringEquals", "sts.amazonaws.com", f"{GH}/acme", "aud"), f"{GH}/acme"),
        "web-identity|any repository (token.actions.githubusercontent.com/acme)",
        "federated",
    ),
    case(
        "ghes-pinned",
        gh(sub("StringLike", "repo:my-org/app:*", GHES), GHES),
        "web-identity|my-org/app",
    ),
    case(
        "gh-deny-narrows",
        doc(
            allow(oidc(GH), WEB, AUD),
            deny("*", WEB, {"StringNotLike": {f"{GH}:sub": "repo:my-org/*"}}),
        ),
        "web-identity|of my-org",
        why=f"Deny statement #2 lets through only StringLike {GH}:sub",
    ),
    case(
        "gh-provider-other-account",
        doc(allow(oidc(GH, OTHER), WEB, sub("StringLike", "repo:my-org/*"))),
        "web-identity|of my-org",
        "federated",
        why="registered in account 999999999999",
    ),
    case(
        "gh-second-statement",
        doc(allow({"Service": "ec2.amazonaws.com"}), allow(oidc(GH), WEB, AUD)),
        (
            "service|ec2.amazonaws.com for this account's own resources",
            "web-identity|any repository",
        ),
        "public federated",
    ),
    # --- other CI providers -------------------------------------------------------------------
    case(
        "gitlab-pinned",
        gh(
            sub("StringLike", "project_path:my-group/app:ref_type:branch:ref:main", "gitlab.com"),
            "gitlab.com",
        ),
        "web-identity|my-group/app",
        ctx=OWNERS,
    ),
    case(
        "gitlab-wildcard",
        gh(sub("StringLike", "project_path:*", "gitlab.com"), "gitlab.com"),
        "web-identity|any GitLab CI/CD job in any project",
        "public federated",
    ),
    case(
        "gitlab-self-managed-pinned",
        gh(
            sub("StringLike", "project_path:my-group/*", "gitlab.example.com"), "gitlab.example.com"
        ),
        "web-identity|GitLab CI/CD jobs of my-group (gitlab.example.com)",
        ctx=OWNERS,
    ),
    case(
        "gitlab-self-managed-foreign",
        gh(sub("StringLike", "project_path:other/*", "gitlab.example.com"), "gitlab.example.com"),
        "web-identity|an owner not in [trust] oidc_owners",
        "federated",
        ctx=OWNERS,
    ),
    case(
        "terraform-pinned",
        gh(
            sub(
                "StringLike",
                "organization:my-tf:project:*:workspace:*:run_phase:*",
                "app.terraform.io",
            ),
            "app.terraform.io",
        ),
        "web-identity|HCP Terraform runs of my-tf",
        ctx=OWNERS,
    ),
    case(
        "terraform-any-org",
        gh(sub("StringLike", "organization:*", "app.terraform.io"), "app.terraform.io"),
        "web-identity|any HCP Terraform run in any organization",
        "public federated",
    ),
    case(
        "circleci-org-in-url",
        gh(sub("StringEquals", "0b2f0f7e-aaaa-bbbb-cccc-123456789abc", CIRCLE, "aud"), CIRCLE),
        "web-identity|CircleCI jobs of 0b2f0f7e",
        ctx=OWNERS,
    ),
    case(
        "circleci-org-not-listed",
        gh(None, "oidc.circleci.com/org/ffffffff-0000-0000-0000-000000000000"),
        "web-identity|an owner not in [trust] oidc_owners",
        "federated",
        ctx=OWNERS,
    ),
    case(
        "bitbucket-workspace-in-url",
        gh(None, BITBUCKET),
        "web-identity|Bitbucket Pipelines steps of my-ws",
        ctx=OWNERS,
    ),
    case(
        "buildkite-pinned",
        gh(
            sub("StringLike", "organization:my-bk:pipeline:deploy:*", "agent.buildkite.com"),
            "agent.buildkite.com",
        ),
        "web-identity|Buildkite jobs of my-bk/deploy",
        ctx=OWNERS,
    ),
    case(
        "buildkite-aud-only",
        gh(
            sub("StringEquals", "sts.amazonaws.com", "agent.buildkite.com", "aud"),
            "agent.buildkite.com",
        ),
        "web-identity|any Buildkite job in any organization",
        "public federated",
    ),
    case(
        "eks-service-account",
        gh(sub("StringEquals", "system:serviceaccount:prod:app", EKS), EKS),
        "web-identity|Kubernetes service accounts of prod/app",
    ),
    case(
        "eks-namespace-wide",
        gh(sub("StringLike", "system:serviceaccount:prod:*", EKS), EKS),
        "web-identity|service accounts of prod",
    ),
    case(
        "eks-aud-only",
        gh(sub("StringEquals", "sts.amazonaws.com", EKS, "aud"), EKS),
        "web-identity|any service account in any namespace of the cluster (oidc.eks",
        "federated",
        why=f"pin {EKS}:sub to system:serviceaccount:NAMESPACE:NAME",
    ),
    case(
        "eks-any-namespace",
        gh(sub("StringLike", "system:serviceaccount:*", EKS), EKS),
        "web-identity|any service account",
        "federated",
    ),
    # --- Google, Cognito, unknown providers, SAML ---------------------------------------------
    case(
        "google-aud-only",
        doc(
            allow(
                {"Federated": "accounts.google.com"},
                WEB,
                {"StringEquals": {"accounts.google.com:aud": "123-abc.apps.googleusercontent.com"}},
            )
        ),
        "web-identity|any Google account",
        "public federated",
    ),
    case(
        "google-sub",
        doc(
            allow(
                {"Federated": "accounts.google.com"},
                WEB,
                {
                    "StringEquals": {
                        "accounts.google.com:aud": "123-abc.apps.googleusercontent.com",
                        "accounts.google.com:sub": "110169484474386276334",
                    }
                },
            )
        ),
        "web-identity|Google accounts of 110169484474386276334",
    ),
    case(
        "cognito-authenticated",
        doc(
            allow(
                COGNITO,
                WEB,
                {
                    "StringEquals": POOL,
                    "ForAnyValue:StringLike": {
                        "cognito-identity.amazonaws.com:amr": "authenticated"
                    },
                },
            )
        ),
        "web-identity|authenticated identities of identity pool eu-west-1:0a1b2c3d-aaaa",
    ),
    case(
        "cognito-unauthenticated",
        doc(
            allow(
                COGNITO,
                WEB,
                {
                    "StringEquals": POOL,
                    "ForAnyValue:StringLike": {
                        "cognito-identity.amazonaws.com:amr": "unauthenticated"
                    },
                },
            )
        ),
        "web-identity|unauthenticated (guest) identities",
        "public federated",
    ),
    case(
        "cognito-no-amr",
        doc(allow(COGNITO, WEB, {"StringEquals": POOL})),
        "web-identity|unauthenticated (guest) identities",
        "public federated",
        why="amr = 'authenticated'",
    ),
    case(
        "cognito-no-aud",
        doc(
            allow(
                COGNITO,
                WEB,
                {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}},
            )
        ),
        "web-identity|any identity of any Cognito identity pool",
        "public federated",
    ),
    case(
        "unknown-aud-only",
        gh(sub("StringEquals", "my-client", "auth.example.com", "aud"), "auth.example.com"),
        "web-identity|any identity of OIDC provider auth.example.com",
        "federated",
        why="pin auth.example.com:sub",
    ),
    case(
        "unknown-sub-exact",
        gh(sub("StringEquals", "svc-deployer", "auth.example.com"), "auth.example.com"),
        "web-identity|identities of svc-deployer",
    ),
    case(
        "unknown-sub-wildcard",
        gh(sub("StringLike", "svc-*", "auth.example.com"), "auth.example.com"),
        "web-identity|any identity",
        "federated",
    ),
    case(
        "saml-own",
        doc(
            allow(
                {"Federated": f"arn:aws:iam::{OWN}:saml-provider/Okta"},
                SAML,
                {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            )
        ),
        "saml|users that SAML provider Okta signs in",
    ),
    case(
        "saml-other-account",
        doc(allow({"Federated": f"arn:aws:iam::{OTHER}:saml-provider/Okta"}, SAML)),
        "saml|of account 999999999999",
        "federated",
    ),
    case(
        "saml-wrong-action",
        doc(allow({"Federated": f"arn:aws:iam::{OWN}:saml-provider/Okta"}, WEB)),
        (),
    ),
    # --- services -----------------------------------------------------------------------------
    case(
        "svc-cloudtrail-bare",
        doc(allow({"Service": "cloudtrail.amazonaws.com"})),
        "service|cloudtrail.amazonaws.com acting for any account",
        "deputy",
    ),
    case(
        "svc-cloudtrail-source-account",
        doc(allow({"Service": "cloudtrail.amazonaws.com"}, condition=SOURCE_OWN)),
        "service|acting for account 111111111111",
    ),
    case(
        "svc-ec2-bare",
        doc(allow({"Service": ["ec2.amazonaws.com"]})),
        "service|ec2.amazonaws.com for this account's own resources",
    ),
    case(
        "svc-config-arn-any-account",
        doc(
            allow(
                {"Service": "config.amazonaws.com"},
                condition={"ArnLike": {"aws:SourceArn": "arn:aws:config:*:*:*"}},
            )
        ),
        "service|acting for any account",
        "deputy",
        why="matches every account",
    ),
    case(
        "svc-s3-bucket-arn-only",
        doc(
            allow(
                {"Service": "s3.amazonaws.com"},
                condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}},
            )
        ),
        "service|acting for any account",
        "deputy",
        why="AWS asks for aws:SourceAccount",
    ),
    case(
        "svc-s3-bucket-arn-and-account",
        doc(
            allow(
                {"Service": "s3.amazonaws.com"},
                condition={
                    "ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"},
                    "StringEquals": {"aws:SourceAccount": OWN},
                },
            )
        ),
        "service|acting for account 111111111111",
    ),
    case(
        "svc-source-account-other",
        doc(
            allow(
                {"Service": "logs.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": OTHER}},
            )
        ),
        "service|acting for account 999999999999",
        "external",
    ),
    case(
        "svc-source-org-own",
        doc(
            allow(
                {"Service": "sns.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceOrgID": ORG}},
            )
        ),
        "service|acting for organization o-mine",
    ),
    case(
        "svc-source-account-ifexists",
        doc(
            allow(
                {"Service": "events.amazonaws.com"},
                condition={"StringEqualsIfExists": {"aws:SourceAccount": OWN}},
            )
        ),
        "service|acting for any account",
        "deputy",
    ),
    case(
        "star-source-account-own",
        doc(allow("*", condition={"StringEquals": {"aws:SourceAccount": OWN}})),
        "service|any AWS service acting for account 111111111111",
    ),
    case(
        "star-is-aws-service",
        doc(allow("*", condition={"Bool": {"aws:PrincipalIsAWSService": "true"}})),
        "service|any AWS service acting for any account",
        "deputy",
        why="conditions only on aws:PrincipalIsAWSService",
    ),
    case("json-text", json.dumps(doc(allow({"AWS": OTHER}))), "account|999999999999", "external"),
    case("url-encoded-text", quote(json.dumps(doc(allow("*")))), ANY_ACCOUNT, "public"),
    case(
        "single-statement-object",
        {"Statement": allow({"AWS": OTHER})},
        "account|999999999999",
        "external",
    ),
    # --- added in iamgate: the organization when it could not be read, and more near misses ------
    case(
        "star-own-org-but-org-unknown",
        star(when("StringEquals", "aws:PrincipalOrgID", ORG)),
        "organization|this account's organization could not be read",
        "external",
        ctx=UNKNOWN_ORG,
    ),
    case(
        "deny-outside-account",
        doc(allow("*"), deny("*", condition=when("StringNotEquals", "aws:PrincipalAccount", OWN))),
        "account|account 111111111111",
        why="Deny statement #2 lets through only StringEquals aws:PrincipalAccount",
    ),
    case(
        "deny-outside-account-and-a-vendor",
        doc(
            allow("*"),
            deny("*", condition=when("StringNotEquals", "aws:PrincipalAccount", [OWN, OTHER])),
        ),
        "account|account 999999999999",
        "external",
    ),
    # Organization ids are random: a pattern in one is no one's organization (issue 20).
    case(
        "star-org-pattern",
        star(when("StringLike", "aws:PrincipalOrgID", "o-mine*")),
        ANY_ACCOUNT,
        "public",
        why="'o-mine*' matches every organization",
    ),
    case(
        "star-org-foranyvalue-notequals-in-allow",
        star(when("ForAnyValue:StringNotEquals", "aws:PrincipalOrgID", OTHER_ORG)),
        ANY_ACCOUNT,
        "public",
        why="only excludes some values",
    ),
    case(
        "star-principal-arn-stringlike-own-account-prefix",
        star(when("StringLike", "aws:PrincipalArn", f"arn:aws:iam::{OWN}*")),
        "account|account 111111111111",
    ),
    case(
        "star-principal-arn-arnequals-other",
        star(when("ArnEquals", "aws:PrincipalArn", f"arn:aws:iam::{OTHER}:role/ci")),
        "account|account 999999999999",
        "external",
    ),
    case(
        "account-other-external-id-stringlike-exact",
        doc(allow({"AWS": OTHER}, condition=when("StringLike", "sts:ExternalId", "a1b2c3"))),
        "account|999999999999",
    ),
    case(
        "deny-notprincipal-one-role-of-other-account",
        doc(
            allow({"AWS": OTHER}),
            deny({"AWS": f"arn:aws:iam::{OTHER}:role/vendor"}, not_principal=True),
        ),
        "account|arn:aws:iam::999999999999:role/vendor",
        "external",
    ),
    case(
        "gh-two-sub-conditions-and",
        gh(
            {
                "StringLike": {f"{GH}:sub": "repo:*"},
                "StringEquals": {f"{GH}:sub": "repo:my-org/app:ref:refs/heads/main"},
            }
        ),
        "web-identity|workflows of my-org/app",
    ),
    case(
        "gh-ignorecase-exact",
        gh(sub("StringEqualsIgnoreCase", "repo:my-org/app:environment:prod")),
        "web-identity|workflows of my-org/app",
    ),
    case(
        "gh-owner-id-listed",
        gh(sub("StringLike", "repository_owner_id:1234:*")),
        "web-identity|workflows of id:1234",
        ctx=TrustContext(OWN, ORG, oidc_owners=("github:id:1234",)),
    ),
    case(
        "gh-owner-id-not-listed",
        gh(sub("StringLike", "repository_owner_id:9999:*")),
        "web-identity|an owner not in [trust] oidc_owners",
        "federated",
        ctx=TrustContext(OWN, ORG, oidc_owners=("github:id:1234",)),
    ),
    case(
        "gh-immutable-subject",
        gh(sub("StringLike", "repo:octocat@123456/app@456789:*")),
        "web-identity|workflows of octocat@123456/app@456789",
        ctx=TrustContext(OWN, ORG, oidc_owners=("github:octocat",)),
    ),
    case(
        "gh-immutable-subject-owner-id-listed",
        gh(sub("StringLike", "repo:octocat@123456/*")),
        "web-identity|workflows of octocat@123456",
        ctx=TrustContext(OWN, ORG, oidc_owners=("github:id:123456",)),
    ),
    case(
        "gh-immutable-subject-other-owner-id",
        gh(sub("StringLike", "repo:octocat@999/*")),
        "web-identity|an owner not in [trust] oidc_owners",
        "federated",
        ctx=TrustContext(OWN, ORG, oidc_owners=("github:id:123456",)),
    ),
    case(
        "gh-immutable-subject-any-id-of-a-name",
        gh(sub("StringLike", "repo:octocat@*")),
        "web-identity|workflows of octocat",
    ),
    case(
        "ghe-com-tenant-unpinned-is-not-public",
        gh(None, "token.actions.acme.ghe.com"),
        "web-identity|any GitHub Actions workflow in any repository (token.actions.acme.ghe.com)",
        "federated",
    ),
    case(
        "gitlab-self-managed-unpinned-is-not-public",
        gh(
            sub("StringEquals", "sts.amazonaws.com", "gitlab.example.com", "aud"),
            "gitlab.example.com",
        ),
        "web-identity|any identity of OIDC provider gitlab.example.com",
        "federated",
    ),
    case(
        "eks-no-condition",
        gh(None, EKS),
        "web-identity|any service account in any namespace",
        "federated",
        why="has no condition",
    ),
    case(
        "saml-own-with-aud",
        doc(
            allow(
                {"Federated": f"arn:aws:iam::{OWN}:saml-provider/Okta"},
                SAML,
                when("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml"),
            )
        ),
        "saml|Okta",
    ),
    case(
        "svc-star-principal",
        doc(allow({"Service": "*"})),
        "service|any AWS service acting for any account",
        "deputy",
    ),
    case(
        "svc-source-arn-own-account",
        doc(
            allow(
                {"Service": "sns.amazonaws.com"},
                condition=when("ArnLike", "aws:SourceArn", f"arn:aws:sns:*:{OWN}:alerts"),
            )
        ),
        "service|acting for account 111111111111",
    ),
    case(
        "svc-source-arn-stringlike-account-field",
        doc(
            allow(
                {"Service": "cloudtrail.amazonaws.com"},
                condition=when(
                    "StringLike", "aws:SourceArn", f"arn:aws:cloudtrail:*:{OWN}:trail/*"
                ),
            )
        ),
        # StringLike's "*" spans ':' (ArnLike's does not): the account field is not fixed.
        "service|acting for any account",
        "deputy",
        why="matches every account",
    ),
    case(
        "svc-source-org-other",
        doc(
            allow(
                {"Service": "sns.amazonaws.com"},
                condition=when("StringEquals", "aws:SourceOrgID", OTHER_ORG),
            )
        ),
        "service|acting for organization o-other12345",
        "external",
    ),
    case(
        "svc-codebuild-bare",
        doc(allow({"Service": "codebuild.amazonaws.com"})),
        "service|codebuild.amazonaws.com acting for any account",
        "deputy",
    ),
    case(
        "svc-lambda-china",
        doc(allow({"Service": "lambda.amazonaws.com.cn"})),
        "service|for this account's own resources",
    ),
]


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_who_can_assume(c: Case) -> None:
    assumers = who_can_assume(c.document, c.ctx)
    got = [f"{a.kind}|{a.who}" for a in assumers.entries]
    assert len(got) == len(c.who), got
    for expected, actual in zip(c.who, got, strict=True):
        kind, text = expected.split("|", 1)
        assert actual.startswith(kind + "|"), (expected, actual)
        assert text in actual, (expected, actual)
    found = {SHORT[risk] for a in assumers.entries for risk in a.risks}
    assert found == set(c.fails), [(a.describe(), sorted(a.risks)) for a in assumers.entries]
    if c.why:
        assert c.why in assumers.entries[0].describe(), assumers.entries[0].describe()
    for note in c.notes:
        assert any(note in n for n in assumers.notes), assumers.notes


def test_enough_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    # Near misses: every risk is both found and not found somewhere in the table.
    for short in SHORT.values():
        assert any(short in c.fails for c in CASES)
    assert any(not c.fails for c in CASES)


def test_notes_name_statements_that_grant_nothing() -> None:
    result = who_can_assume(doc(allow({"AWS": OTHER}, "sts:TagSession", sid="Tags")), CTX)
    assert result.entries == ()
    assert result.notes == ("statement 'Tags' does not grant sts:AssumeRole to 999999999999",)


def test_policy_text_and_parsed_document_agree() -> None:
    document = doc(allow({"AWS": OTHER}), deny("*", condition=NOT_OTHER))
    assert who_can_assume(json.dumps(document), CTX) == who_can_assume(document, CTX)


# --- malformed documents ------------------------------------------------------------------------

MALFORMED = [
    ("list", [allow("*")]),
    ("number", 3),
    ("not-json", "{not json"),
    ("unparsed-by-the-collector", {"iamgate:unparsed": "%7Bnot"}),
    ("no-statement", {"Version": "2012-10-17"}),
    ("statement-string", {"Statement": "Allow everyone"}),
    ("statement-item-string", {"Statement": ["x"]}),
    ("bad-effect", {"Statement": [{"Effect": "Permit", "Principal": "*", "Action": ASSUME}]}),
    ("no-principal", {"Statement": [{"Effect": "Allow", "Action": ASSUME}]}),
    ("no-action", {"Statement": [{"Effect": "Allow", "Principal": "*"}]}),
    ("principal-list", doc(allow(["*"]))),
    ("principal-unknown-type", doc(allow({"Robot": "x"}))),
    ("principal-bad-value", doc(allow({"AWS": "my-friend"}))),
    ("principal-number", doc(allow({"AWS": 123456789012}))),
    ("action-number", doc(allow("*", 7))),
    ("condition-list", doc(allow("*", condition=["x"]))),
    ("condition-operator-string", doc(allow("*", condition={"StringEquals": "x"}))),
    ("condition-value-object", doc(allow("*", condition={"StringEquals": {"k": {"a": 1}}}))),
    ("deep-json", "[" * 100000 + "]" * 100000),
]


@pytest.mark.parametrize(("name", "document"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_documents_raise_policy_format_error(name: str, document: Any) -> None:
    with pytest.raises(PolicyFormatError):
        who_can_assume(document, CTX)


def test_policy_format_error_is_the_document_modules_one_error() -> None:
    from iamgate.policy.document import PolicyFormatError as DocumentError

    assert PolicyFormatError is DocumentError
    assert issubclass(PolicyFormatError, ValueError)


# --- admits: can a principal of the role's own account assume it? -------------------------------
#
# The privilege-escalation graph's question. Expected: None (not admitted) or (needs identity
# permission, the statement, a fragment of why).

ROLE_CI = f"arn:aws:iam::{OWN}:role/ci"
ROLE_DEPLOY = f"arn:aws:iam::{OWN}:role/deploy-prod"
USER = f"arn:aws:iam::{OWN}:user/alice"
ROOT = f"arn:aws:iam::{OWN}:root"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
SESSION = f"arn:aws:sts::{OWN}:assumed-role/ci/build-42"

ADMITS: list[tuple[str, Any, str, TrustContext, tuple[bool, str, str] | None]] = [
    ("named-role", doc(allow({"AWS": ROLE_CI})), ROLE_CI, CTX, (False, "#1", "names")),
    ("named-user", doc(allow({"AWS": USER})), USER, CTX, (False, "#1", "names")),
    ("named-user-not-role", doc(allow({"AWS": USER})), f"arn:aws:iam::{OWN}:role/alice", CTX, None),
    (
        "named-role-with-path",
        doc(allow({"AWS": f"arn:aws:iam::{OWN}:role/team/ci"})),
        f"arn:aws:iam::{OWN}:role/team/ci",
        CTX,
        (False, "#1", "names"),
    ),
    ("other-role", doc(allow({"AWS": ROLE_DEPLOY})), ROLE_CI, CTX, None),
    ("account-root", doc(allow({"AWS": ROOT})), ROLE_CI, CTX, (True, "#1", "also needs")),
    ("account-id", doc(allow({"AWS": OWN})), USER, CTX, (True, "#1", "trusts the account")),
    ("other-account", doc(allow({"AWS": OTHER})), ROLE_CI, CTX, None),
    ("caller-of-other-account", doc(allow("*")), f"arn:aws:iam::{OTHER}:role/ci", CTX, None),
    ("star", doc(allow("*")), ROLE_CI, CTX, (False, "#1", 'every principal ("*")')),
    (
        "star-pinned-to-own-account",  # a common mistake: no identity permission needed
        star(when("StringEquals", "aws:PrincipalAccount", OWN)),
        USER,
        CTX,
        (False, "#1", "every principal"),
    ),
    (
        "org-wide",
        star(when("StringEquals", "aws:PrincipalOrgID", ORG)),
        USER,
        CTX,
        (False, "#1", ""),
    ),
    ("other-org", star(when("StringEquals", "aws:PrincipalOrgID", OTHER_ORG)), USER, CTX, None),
    ("org-wide-no-org", star(when("StringEquals", "aws:PrincipalOrgID", ORG)), USER, NO_ORG, None),
    (
        "org-wide-org-unknown",
        star(when("StringEquals", "aws:PrincipalOrgID", ORG)),
        USER,
        UNKNOWN_ORG,
        (False, "#1", "cannot tell: StringEquals aws:PrincipalOrgID"),
    ),
    (
        "principal-arn-pattern-hit",
        star(when("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{OWN}:role/deploy-*")),
        ROLE_DEPLOY,
        CTX,
        (False, "#1", "every principal"),
    ),
    (
        "principal-arn-pattern-miss",
        star(when("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{OWN}:role/deploy-*")),
        ROLE_CI,
        CTX,
        None,
    ),
    (
        "session-names-its-role",
        doc(allow({"AWS": ROLE_CI})),
        SESSION,
        CTX,
        (False, "#1", "names"),
    ),
    (
        "session-principal-arn-undecided",  # a session ARN has no path: aws:PrincipalArn unknown
        star(when("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{OWN}:role/team/ci")),
        SESSION,
        CTX,
        (False, "#1", "cannot tell"),
    ),
    (
        "source-account-is-absent-for-iam-callers",
        star(when("StringEquals", "aws:SourceAccount", OWN)),
        ROLE_CI,
        CTX,
        None,
    ),
    (
        "external-id-is-the-callers-choice",
        star(when("StringEquals", "sts:ExternalId", "x1")),
        ROLE_CI,
        CTX,
        (False, "#1", "cannot tell: StringEquals sts:ExternalId"),
    ),
    (
        "mfa-undecided",
        doc(allow({"AWS": ROOT}, condition=MFA)),
        USER,
        CTX,
        (True, "#1", "MultiFactor"),
    ),
    ("web-identity", gh(AUD), ROLE_CI, CTX, None),
    ("service", doc(allow({"Service": "ec2.amazonaws.com"})), ROLE_CI, CTX, None),
    ("web-identity-action-only", doc(allow({"AWS": ROOT}, WEB)), ROLE_CI, CTX, None),
    (
        "direct-beats-account",
        doc(allow({"AWS": ROOT}, sid="Account"), allow({"AWS": ROLE_CI}, sid="Named")),
        ROLE_CI,
        CTX,
        (False, "'Named'", "names"),
    ),
    (
        "deny-outside-org-spares-own",
        doc(allow({"AWS": ROOT}), deny("*", condition=NOT_OTHER)),
        ROLE_CI,
        CTX,
        (True, "#1", ""),
    ),
    (
        "deny-outside-org-no-org",
        doc(allow({"AWS": ROOT}), deny("*", condition=NOT_OTHER)),
        ROLE_CI,
        NO_ORG,
        None,
    ),
    (
        "deny-undecided-is-avoidable",
        doc(
            allow({"AWS": ROOT}),
            deny("*", condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
        ),
        ROLE_CI,
        CTX,
        (True, "#1", ""),
    ),
    ("deny-account-root", doc(allow({"AWS": ROLE_CI}), deny({"AWS": ROOT})), ROLE_CI, CTX, None),
    (
        "deny-own-account-by-condition",
        doc(
            allow({"AWS": ROOT}),
            deny("*", condition=when("StringEquals", "aws:PrincipalAccount", OWN)),
        ),
        ROLE_CI,
        CTX,
        None,
    ),
    (
        "deny-notprincipal-spares-caller",
        doc(allow({"AWS": ROLE_CI}), deny({"AWS": ROLE_CI}, not_principal=True)),
        ROLE_CI,
        CTX,
        (False, "#1", "names"),
    ),
    (
        "deny-notprincipal-other",
        doc(allow({"AWS": ROOT}), deny({"AWS": ROLE_DEPLOY}, not_principal=True)),
        ROLE_CI,
        CTX,
        None,
    ),
    (
        "allow-notprincipal",
        doc(allow({"AWS": ROLE_DEPLOY}, not_principal=True)),
        ROLE_CI,
        CTX,
        (False, "#1", "everyone but"),
    ),
    (
        "allow-notprincipal-account",
        doc(allow({"AWS": ROOT}, not_principal=True)),
        ROLE_CI,
        CTX,
        None,
    ),
    (
        "deny-other-action",
        doc(allow({"AWS": ROOT}), deny("*", WEB)),
        ROLE_CI,
        CTX,
        (True, "#1", ""),
    ),
]


@pytest.mark.parametrize(
    ("name", "document", "caller", "ctx", "expected"), ADMITS, ids=[a[0] for a in ADMITS]
)
def test_admits(
    name: str,
    document: Any,
    caller: str,
    ctx: TrustContext,
    expected: tuple[bool, str, str] | None,
) -> None:
    admission = who_can_assume(document, ctx).admits(caller)
    if expected is None:
        assert admission is None
        return
    assert admission is not None
    needs, statement, why = expected
    assert admission.needs_identity_permission is needs
    assert admission.statement.endswith(statement), admission
    assert why in admission.why, admission


def test_admits_rejects_what_is_not_a_user_or_role() -> None:
    assumers = who_can_assume(doc(allow("*")), CTX)
    for bad in ("123456789012", f"arn:aws:iam::{OWN}:group/admins", "arn:aws:s3:::bucket"):
        with pytest.raises(ValueError, match="not a user or role ARN"):
            assumers.admits(bad)
