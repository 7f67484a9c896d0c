"""End to end: trust documents of every kind seeded into moto's IAM (with OIDC and SAML
providers and an organization), judged by the real ``iamgate scan`` and by ``iamgate evaluate``
of its snapshot, for the four role-trust checks. One scan judges every role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamgate.demo.standin import MotoAccount
from iamgate.policy.trust import Risk, TrustContext, who_can_assume

ACCOUNT = "123456789012"
VENDOR, TRUSTED = "210987654321", "333344445555"
GH = "token.actions.githubusercontent.com"
EKS = "oidc.eks.us-east-1.amazonaws.com/id/5C5E0A1B2C3D4E5F6A7B8C9D0E1F2A3B"
PROVIDERS = (GH, "gitlab.com", "app.terraform.io", EKS, "auth.example.com")
CHECK_OF = {
    Risk.PUBLIC: "role-trust-public",
    Risk.EXTERNAL: "role-trust-external-account",
    Risk.UNPINNED_FEDERATION: "role-trust-federated-subject",
    Risk.CONFUSED_DEPUTY: "role-trust-service-confused-deputy",
}
CHECKS = list(CHECK_OF.values())
CONFIG = (
    "[trust]\n"
    f'trusted_accounts = ["{TRUSTED}"]\n'
    'oidc_owners = ["github:my-org", "gitlab:my-group", "terraform:my-tf"]\n'
)
ORG = "{org}"  # replaced by the organization moto creates


def statement(principal: Any, action: str, condition: Any = None, effect: str = "Allow") -> Any:
    out: dict[str, Any] = {"Effect": effect, "Principal": principal, "Action": action}
    if condition:
        out["Condition"] = condition
    return out


def trust(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def aws(principal: Any, condition: Any = None) -> dict[str, Any]:
    return trust(statement(principal, "sts:AssumeRole", condition))


def oidc(url: str, condition: Any = None) -> dict[str, Any]:
    provider = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url}"}
    aud = {f"{url}:aud": "sts.amazonaws.com"}
    return trust(
        statement(
            provider, "sts:AssumeRoleWithWebIdentity", {"StringEquals": aud, **(condition or {})}
        )
    )


def sub(url: str, operator: str, value: str) -> dict[str, Any]:
    return {operator: {f"{url}:sub": value}}


ORG_ONLY = {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}

# Role name -> (trust policy, the checks it fails). Near misses side by side.
ROLES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "public": (aws("*"), {"role-trust-public"}),
    "public-secure-transport-only": (
        aws({"AWS": "*"}, {"Bool": {"aws:SecureTransport": "true"}}),
        {"role-trust-public"},
    ),
    "org-deny-outside": (
        trust(statement("*", "sts:AssumeRole"), statement("*", "sts:AssumeRole", ORG_ONLY, "Deny")),
        set(),
    ),
    "org-condition-own": (aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}}), set()),
    "org-condition-foreign": (
        aws("*", {"StringEquals": {"aws:PrincipalOrgID": "o-foreign1234"}}),
        {"role-trust-external-account"},
    ),
    "vendor": (aws({"AWS": f"arn:aws:iam::{VENDOR}:root"}), {"role-trust-external-account"}),
    "vendor-external-id": (
        aws({"AWS": f"arn:aws:iam::{VENDOR}:root"}, {"StringEquals": {"sts:ExternalId": "x-7"}}),
        set(),
    ),
    "vendor-external-id-wildcard": (
        aws({"AWS": VENDOR}, {"StringLike": {"sts:ExternalId": "*"}}),
        {"role-trust-external-account"},
    ),
    "trusted-account": (aws({"AWS": f"arn:aws:iam::{TRUSTED}:root"}), set()),
    "github-aud-only": (oidc(GH), {"role-trust-public", "role-trust-federated-subject"}),
    "github-repo": (oidc(GH, sub(GH, "StringLike", "repo:my-org/app:*")), set()),
    "github-owner-wildcard": (
        oidc(GH, sub(GH, "StringLike", "repo:my-org*")),
        {"role-trust-public", "role-trust-federated-subject"},
    ),
    "github-foreign-owner": (
        oidc(GH, sub(GH, "StringLike", "repo:someone-else/app:*")),
        {"role-trust-federated-subject"},
    ),
    "github-deny-narrows": (
        trust(
            statement(
                {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GH}"},
                "sts:AssumeRoleWithWebIdentity",
            ),
            statement(
                "*",
                "sts:AssumeRoleWithWebIdentity",
                {"StringNotLike": {f"{GH}:sub": "repo:my-org/*"}},
                "Deny",
            ),
        ),
        set(),
    ),
    "gitlab-project": (
        oidc("gitlab.com", sub("gitlab.com", "StringLike", "project_path:my-group/app:*")),
        set(),
    ),
    "terraform-any-org": (
        oidc("app.terraform.io", sub("app.terraform.io", "StringLike", "organization:*")),
        {"role-trust-public", "role-trust-federated-subject"},
    ),
    "eks-aud-only": (oidc(EKS), {"role-trust-federated-subject"}),
    "eks-namespace": (oidc(EKS, sub(EKS, "StringLike", "system:serviceaccount:prod:*")), set()),
    "oidc-unknown-aud-only": (oidc("auth.example.com"), {"role-trust-federated-subject"}),
    "saml-own": (
        trust(
            statement(
                {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"},
                "sts:AssumeRoleWithSAML",
                {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            )
        ),
        set(),
    ),
    "codebuild": (
        aws({"Service": "codebuild.amazonaws.com"}),
        {"role-trust-service-confused-deputy"},
    ),
    "codebuild-source": (
        aws(
            {"Service": "codebuild.amazonaws.com"}, {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        ),
        set(),
    ),
    "lambda": (aws({"Service": "lambda.amazonaws.com"}), set()),
}


def resolved(document: dict[str, Any], org: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(document).replace(ORG, org))
    return loaded


def seed(
    aws_account: MotoAccount, roles: dict[str, tuple[dict[str, Any], set[str]]], org: str
) -> None:
    iam = aws_account.client("iam")
    for url in PROVIDERS:
        iam.create_open_id_connect_provider(
            Url=f"https://{url}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
        )
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument="<EntityDescriptor/>" + " " * 1000)
    for name, (document, _) in roles.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(resolved(document, org)))


def verdicts(results: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """(check, role name) -> (status, message) of the role-trust findings."""
    return {
        (f["check"], f["resource"].rsplit("/", 1)[-1]): (f["status"], f["message"])
        for f in results["findings"]
        if f["check"] in CHECKS and ":role/" in f["resource"]
    }


def scan(iamgate: Any, tmp_path: Path) -> Any:
    (tmp_path / "iamgate.toml").write_text(CONFIG, encoding="utf-8")
    return iamgate(
        "scan", "--regions", "us-east-1", "--checks", ",".join(CHECKS), "--output-dir", "out"
    )


def test_scan_and_evaluate_judge_every_kind_of_trust(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    org = aws.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    seed(aws, ROLES, org)
    run = scan(iamgate, tmp_path)
    assert run.code == 1, run.stderr
    results = run.json()
    assert results["errors"] == []
    got = verdicts(results)
    context = TrustContext(
        ACCOUNT,
        org,
        trusted_accounts=(TRUSTED,),
        oidc_owners=("github:my-org", "gitlab:my-group", "terraform:my-tf"),
    )
    for name, (document, failing) in ROLES.items():
        # The model on the same document agrees with the table...
        risks = {
            r for a in who_can_assume(resolved(document, org), context).entries for r in a.risks
        }
        assert {CHECK_OF[r] for r in risks} == failing, name
        # ...and so does the scan of the account that holds it.
        for check in CHECKS:
            status, message = got[(check, name)]
            assert status == ("fail" if check in failing else "pass"), (name, check, message)
            if status == "fail":
                assert f"role {name} " in message
    assert (
        "any GitHub Actions workflow in any repository (statement #1 conditions only on aud"
        in (got[("role-trust-federated-subject", "github-aud-only")][1])
    )
    assert got[("role-trust-external-account", "org-condition-own")][1].endswith(
        f"can assume it: principals of your organization {org}"
    )
    snapshot = json.loads((tmp_path / "out" / "snapshot.json").read_text(encoding="utf-8"))
    assert snapshot["organization"] == {"id": org, "management_account_id": "123456789012"}

    # The saved snapshot, evaluated offline, gives the same verdicts and messages.
    again = iamgate(
        "evaluate", "out/snapshot.json", "--output-dir", "ev", "--checks", ",".join(CHECKS)
    )
    assert again.code == 1, again.stderr
    assert verdicts(again.json("ev/results.json")) == got


def test_an_account_in_no_organization_trusts_no_organization(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    roles = {name: ROLES[name] for name in ("org-condition-own", "org-deny-outside", "vendor")}
    seed(aws, roles, "o-mine1234567")
    run = scan(iamgate, tmp_path)
    assert run.code == 1, run.stderr
    results = run.json()
    assert results["errors"] == []  # AWSOrganizationsNotInUseException is an answer
    got = verdicts(results)
    for name in roles:
        status, message = got[("role-trust-external-account", name)]
        assert status == "fail", (name, message)
    assert (
        "organization o-mine1234567 (this account is in no organization)"
        in (got[("role-trust-external-account", "org-condition-own")][1])
    )
    assert got[("role-trust-public", "org-deny-outside")][0] == "pass"
    snapshot = json.loads((tmp_path / "out" / "snapshot.json").read_text(encoding="utf-8"))
    assert snapshot["organization"] == {"id": None, "management_account_id": ""}
    # Nothing of an organization applies, and nothing more was called to learn it.
    assert snapshot["organization_policies"]["organization_id"] is None
    assert "organizations:ListRoots" not in snapshot["api_calls"]
    assert (
        "account 123456789012 is in no AWS Organization: no SCP or RCP applies"
        in (results["notes"])
    )
