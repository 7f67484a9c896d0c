"""The four role-trust checks on hand-built snapshots: the verdicts, the exact messages, roles
that are not judged, and what the checks say when they cannot see (the model itself is tested in
tests/unit/policy/test_trust.py)."""

from __future__ import annotations

from typing import Any

import pytest

from iamgate.checks import run_checks
from iamgate.model.config import Config, TrustSettings
from iamgate.model.snapshot import CollectionError, Organization, Role, Snapshot, Source
from testing.factories import ACCOUNT, NOW, role, snap
from testing.trust import GH, WEB, allow, deny, doc, oidc

CHECKS = [
    "role-trust-public",
    "role-trust-external-account",
    "role-trust-federated-subject",
    "role-trust-service-confused-deputy",
]
AUD = {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}
PINNED = {**AUD, "StringLike": {f"{GH}:sub": "repo:my-org/app:*"}}
VENDOR = "210987654321"


def github(condition: Any, sid: str | None = None) -> dict[str, Any]:
    return doc(allow(oidc(GH, ACCOUNT), WEB, condition, sid=sid))


def verdicts(s: Snapshot, config: Config | None = None) -> dict[tuple[str, str], Any]:
    """(check, role name) -> (passed, message)."""
    out = {}
    for r in run_checks(s, config or Config(), CHECKS):
        out[(r.check, r.resource.rsplit("/", 1)[-1])] = (r.passed, r.message)
    return out


# Each role, and the checks it fails (the rest pass): near misses side by side.
ROLES = [
    ("public", doc(allow("*")), {"role-trust-public"}),
    (
        "org-only",
        doc(
            allow("*"),
            deny("*", condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-mine123456"}}),
        ),
        set(),
    ),
    ("vendor", doc(allow({"AWS": VENDOR})), {"role-trust-external-account"}),
    (
        "vendor-external-id",
        doc(allow({"AWS": VENDOR}, condition={"StringEquals": {"sts:ExternalId": "x-1"}})),
        set(),
    ),
    ("gh-aud-only", github(AUD), {"role-trust-public", "role-trust-federated-subject"}),
    ("gh-pinned", github(PINNED), set()),
    (
        "codebuild",
        doc(allow({"Service": "codebuild.amazonaws.com"})),
        {"role-trust-service-confused-deputy"},
    ),
    (
        "codebuild-source",
        doc(
            allow(
                {"Service": "codebuild.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            )
        ),
        set(),
    ),
    ("lambda", doc(allow({"Service": "lambda.amazonaws.com"})), set()),
]


def test_each_role_fails_exactly_its_checks() -> None:
    s = snap(
        roles=tuple(role(name, trust) for name, trust, _ in ROLES),
        organization=Organization("o-mine123456"),
    )
    got = verdicts(s)
    for name, _, failing in ROLES:
        for check in CHECKS:
            passed, message = got[(check, name)]
            assert passed is (check not in failing), (name, check, message)


def test_the_message_names_who_the_statement_and_the_condition() -> None:
    s = snap(roles=(role("deploy", github(AUD, sid="GitHubDeploy")),))
    passed, message = verdicts(s)[("role-trust-federated-subject", "deploy")]
    assert passed is False
    assert message == (
        "role deploy trusts a web identity or SAML provider without pinning the caller: any "
        "GitHub Actions workflow in any repository (statement 'GitHubDeploy' conditions only on "
        "aud; pin token.actions.githubusercontent.com:sub to repo:OWNER/REPO:...)"
    )


def test_external_message_names_the_account_and_the_fix() -> None:
    s = snap(roles=(role("vendor", doc(allow({"AWS": VENDOR}))),))
    passed, message = verdicts(s)[("role-trust-external-account", "vendor")]
    assert passed is False
    assert message == (
        "role vendor can be assumed from outside this account, its organization and [trust] "
        "trusted_accounts without sts:ExternalId: any principal of account 210987654321 "
        "(statement #1 has no condition) (if an account is yours, list it in [trust] "
        "trusted_accounts)"
    )


def test_pass_messages_say_who_can_assume() -> None:
    s = snap(roles=(role("gh", github(PINNED)),))
    got = verdicts(s)
    assert got[("role-trust-public", "gh")] == (
        True,
        "not assumable by anyone; can assume it: GitHub Actions workflows of my-org/app",
    )
    assert got[("role-trust-federated-subject", "gh")][1] == (
        "every web identity and SAML trust pins the caller: GitHub Actions workflows of my-org/app"
    )
    assert got[("role-trust-service-confused-deputy", "gh")][1] == "no service principal"


def test_owners_list_makes_a_foreign_owner_fail() -> None:
    s = snap(roles=(role("gh", github(PINNED)),))
    config = Config(trust=TrustSettings(oidc_owners=("github:other-org",)))
    passed, message = verdicts(s, config)[("role-trust-federated-subject", "gh")]
    assert passed is False
    assert "my-org/app, an owner not in [trust] oidc_owners" in message
    assert verdicts(s, Config(trust=TrustSettings(oidc_owners=("github:My-Org",))))[
        ("role-trust-federated-subject", "gh")
    ][0]


def test_service_linked_roles_are_not_judged() -> None:
    slr = Role(
        "AWSServiceRoleForElasticLoadBalancing",
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/X",
        NOW,
        doc(allow({"Service": "elasticloadbalancing.amazonaws.com"})),
        path="/aws-service-role/elasticloadbalancing.amazonaws.com/",
    )
    for check in CHECKS:
        (result,) = run_checks(snap(roles=(slr,)), Config(), [check])
        assert result.passed is True
        assert result.message == "service-linked role: AWS owns its trust policy"


def test_a_malformed_trust_is_an_error_for_that_role_only() -> None:
    s = snap(
        roles=(role("broken", {"iamgate:unparsed": "%7Bnot"}), role("public", doc(allow("*"))))
    )
    got = verdicts(s)
    for check in CHECKS:
        passed, message = got[(check, "broken")]
        assert passed is None
        assert message.startswith("not evaluated: malformed trust policy: trust policy could not")
    assert got[("role-trust-public", "public")][0] is False


def test_without_the_organization_the_external_check_is_an_error_never_a_pass() -> None:
    trusts = (
        role("vendor", doc(allow({"AWS": VENDOR}))),
        role("own", doc(allow({"AWS": ACCOUNT}))),
    )
    # An older snapshot: the organization was never read.
    (result,) = run_checks(snap(roles=trusts, organization=None), Config(), [CHECKS[1]])
    assert result.passed is None
    assert result.resource == f"arn:aws:iam::{ACCOUNT}:root"
    assert "no organization data" in result.message
    # The call failed: the runner reports the collection error for the whole check.
    failed = CollectionError(
        Source.ORGANIZATION, "DescribeOrganization", "us-east-1", "AccessDeniedException", "no"
    )
    s = snap(roles=trusts, organization=None, errors=(failed,))
    results = run_checks(s, Config(), CHECKS)
    external = [r for r in results if r.check == CHECKS[1]]
    assert [r.passed for r in external] == [None]
    assert "DescribeOrganization (us-east-1) failed: AccessDeniedException" in external[0].message
    # The checks that do not need the organization are still judged.
    assert {r.passed for r in results if r.check != CHECKS[1]} == {True}


@pytest.mark.parametrize(
    ("org", "passes"), [("o-mine123456", True), ("o-other99999", False), (None, False)]
)
def test_own_organization_is_compared_with_the_collected_one(org: str | None, passes: bool) -> None:
    trust = doc(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-mine123456"}}))
    s = snap(roles=(role("org", trust),), organization=Organization(org))
    passed, message = verdicts(s)[("role-trust-external-account", "org")]
    assert passed is passes, message
    if not passes:
        assert "any principal of organization o-mine123456" in message
