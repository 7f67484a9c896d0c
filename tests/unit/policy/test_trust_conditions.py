"""Trust conditions read by operator (issue 20), each with a failing and a passing twin: the
in-account caller's keys are supplied, exact operators read ``*`` and ``?`` as characters,
wildcards in organization ids and paths pin nothing, a provider's subject is judged against its
grammar, and a service held to a caller key no service principal carries is no confused
deputy."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from iamgate.model.config import TrustSettings
from iamgate.model.snapshot import Organization, Tag
from iamgate.policy import providers as pv
from iamgate.policy.escalation import Graph
from iamgate.policy.principals import Principals
from iamgate.policy.trust import Assumers, Risk, TrustContext, who_can_assume
from testing import factories as f
from testing.trust import ASSUME, GH, OTHER, OWN, WEB, allow, doc, oidc

CTX = TrustContext(OWN, "o-mine123456")
ROOT = {"AWS": f"arn:aws:iam::{OWN}:root"}
USER = f"arn:aws:iam::{OWN}:user/alice"
ROLE = f"arn:aws:iam::{OWN}:role/ci"


def trust(condition: dict[str, Any], principal: Any = ROOT, action: str = ASSUME) -> Assumers:
    return who_can_assume(doc(allow(principal, action, condition)), CTX)


# --- the in-account caller's keys --------------------------------------------------------------

CALLER = [
    # (condition, admitted, not admitted)
    ({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, ROLE, USER),
    ({"StringEquals": {"aws:PrincipalType": "User"}}, USER, ROLE),
    ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OWN}:role/*"}}, ROLE, USER),
    ({"StringEquals": {"aws:username": "alice"}}, USER, ROLE),
    ({"Null": {"aws:username": "true"}}, ROLE, USER),
]


@pytest.mark.parametrize(("condition", "admitted", "refused"), CALLER)
def test_an_account_trust_narrowed_by_the_callers_keys(
    condition: dict[str, Any], admitted: str, refused: str
) -> None:
    found = trust(condition)
    assert found.admits(admitted) is not None
    assert found.admits(refused) is None


def test_the_callers_tags_come_from_the_snapshot() -> None:
    """aws:PrincipalTag of a user is its tags; of a role whose trust allows sts:TagSession, the
    caller's choice (session tags override it), so it counts as met."""
    tagged = dataclasses.replace(f.user("alice"), tags=(Tag("Team", "ops"),))
    other = dataclasses.replace(f.user("bob"), tags=(Tag("team", "dev"),))
    session = f.doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f.ACCOUNT},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    )
    free = dataclasses.replace(f.role("free", session), tags=(Tag("team", "dev"),))
    fixed = dataclasses.replace(f.role("fixed"), tags=(Tag("team", "dev"),))
    snapshot = f.snap(users=(tagged, other), roles=(free, fixed))
    ctx = TrustContext.of(snapshot, TrustSettings())
    condition = {"StringEquals": {"aws:PrincipalTag/team": "ops"}}
    found = who_can_assume(doc(allow({"AWS": f.ACCOUNT}, ASSUME, condition)), ctx)
    assert found.admits(tagged.arn) is not None
    assert found.admits(other.arn) is None
    assert found.admits(free.arn) is not None  # may set team=ops as a session tag
    assert found.admits(fixed.arn) is None
    untagged = f.snap(users=(f.user("alice"),))  # a snapshot without tags: unknown, so met
    ctx = TrustContext.of(untagged, TrustSettings())
    assert who_can_assume(doc(allow({"AWS": f.ACCOUNT}, ASSUME, condition)), ctx).admits(
        USER.replace(OWN, f.ACCOUNT)
    )


def test_the_graph_follows_the_callers_type() -> None:
    """An administrator role trusting the account root for assumed roles only: a user allowed
    sts:AssumeRole does not reach it; a role allowed the same does."""
    only_roles = f.doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{f.ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalType": "AssumedRole"}},
        }
    )
    boss = f.role("boss", only_roles, attached=(f.ADMIN.arn,))
    assume = {"p": f.doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})}
    user = f.user("alice", inline=assume)
    worker = f.role("worker", inline=assume)
    s = f.snap(users=(user,), roles=(boss, worker), policies=(f.ADMIN,))
    found = {e.principal.rsplit("/", 1)[-1]: e for e in Graph(Principals(s)).escalations().values()}
    assert found["alice"].status == "none", found["alice"].message
    assert found["worker"].status == "escalates", found["worker"].message


# --- exact operators: a literal * matches no token ------------------------------------------

EXACT = [
    # (exact condition, its glob twin): the exact one admits no one, the glob one everyone
    (
        {"StringEquals": {"aws:PrincipalAccount": "*"}},
        {"StringLike": {"aws:PrincipalAccount": "*"}},
    ),
    (
        {"StringEquals": {"aws:PrincipalOrgID": "o-*"}},
        {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
    ),
    (
        {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
        {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
    ),
    (
        {"StringEqualsIgnoreCase": {"aws:PrincipalOrgPaths": "o-*/*"}},
        {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*/*"}},
    ),
]


@pytest.mark.parametrize(("exact", "glob"), EXACT)
def test_an_exact_operator_reads_a_star_as_a_star(
    exact: dict[str, Any], glob: dict[str, Any]
) -> None:
    assert trust(exact, {"AWS": "*"}).entries == ()
    (everyone,) = trust(glob, {"AWS": "*"}).entries
    assert Risk.PUBLIC in everyone.risks


def test_an_exact_external_id_of_a_star_is_no_secret_sent() -> None:
    """AssumeRole refuses an ExternalId with a * ([\\w+=,.@:/-]*): StringEquals "*" admits no
    one; StringLike "*" admits any caller of that account that sends one."""
    other = {"AWS": OTHER}
    assert trust({"StringEquals": {"sts:ExternalId": "*"}}, other).entries == ()
    (caller,) = trust({"StringLike": {"sts:ExternalId": "*"}}, other).entries
    assert Risk.EXTERNAL in caller.risks


def test_an_exact_account_is_a_pin() -> None:
    (caller,) = trust({"StringEquals": {"aws:PrincipalAccount": OTHER}}, {"AWS": "*"}).entries
    assert caller.pinned
    assert Risk.PUBLIC not in caller.risks


# --- organization ids and paths --------------------------------------------------------------

ORGS = [
    ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*/*"}}, False),
    ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-mine1*/*"}}, False),
    ({"StringLike": {"aws:PrincipalOrgID": "o-mine12345?"}}, False),
    ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-mine123456/*"}}, True),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-mine123456"}}, True),
]


@pytest.mark.parametrize(("condition", "pins"), ORGS)
def test_a_wildcard_in_an_organization_pins_nothing(condition: dict[str, Any], pins: bool) -> None:
    (caller,) = trust(condition, {"AWS": "*"}).entries
    assert caller.pinned is pins, caller.describe()
    assert (Risk.PUBLIC in caller.risks) is not pins


# --- a provider's subject against its grammar ------------------------------------------------

BITBUCKET = "api.bitbucket.org/2.0/workspaces/my-ws/pipelines-config/identity/oidc"
EVERYONE = {
    # provider URL: spellings that match every subject it issues
    GH: ["*", "**", "repo:*", "repo:**", "repo:*/*", "repo:?*", "re*", "*:*"],
    "gitlab.com": ["*", "project_path:*", "project_path:*/*:*", "pro*"],
    "app.terraform.io": ["*", "organization:*", "organization:**:project:*"],
    "oidc.eks.us-east-1.amazonaws.com/id/ABC": ["*", "system:serviceaccount:*", "system:*"],
    "agent.buildkite.com": ["*", "organization:*:pipeline:*", "org*"],
    "accounts.google.com": ["*", "?*", "**"],
    "oidc.example.com": ["*", "?*", "*?"],
}
PINNED = {
    GH: "repo:octo-org/*",
    "gitlab.com": "project_path:my-group/*",
    "app.terraform.io": "organization:acme:*",
    "oidc.eks.us-east-1.amazonaws.com/id/ABC": "system:serviceaccount:default:*",
    "agent.buildkite.com": "organization:acme:*",
    "accounts.google.com": "1234567890",
    "oidc.example.com": "exactly-me",
}


@pytest.mark.parametrize(("url", "pattern"), [(u, p) for u, ps in EVERYONE.items() for p in ps])
def test_a_pattern_matching_every_subject_pins_nothing(url: str, pattern: str) -> None:
    claim = "aud" if url == "cognito-identity.amazonaws.com" else "sub"
    (caller,) = trust({"StringLike": {f"{url}:{claim}": pattern}}, oidc(url), WEB).entries
    assert not caller.pinned, caller.describe()
    assert Risk.UNPINNED_FEDERATION in caller.risks


@pytest.mark.parametrize(("url", "pattern"), sorted(PINNED.items()))
def test_the_twin_that_names_an_owner_pins(url: str, pattern: str) -> None:
    (caller,) = trust({"StringLike": {f"{url}:sub": pattern}}, oidc(url), WEB).entries
    assert caller.pinned, caller.describe()


@pytest.mark.parametrize("pattern", ["{*}:{*}", "{*}:*", "*", "{*}", "{????????-*}:{*}"])
def test_bitbucket_subjects_in_its_own_id_format(pattern: str) -> None:
    """``{REPOSITORY_UUID}:{STEP_UUID}`` written with ``{*}`` names no repository: only the
    workspace of the provider URL narrows (and a repository does when written out)."""
    (caller,) = trust({"StringLike": {f"{BITBUCKET}:sub": pattern}}, oidc(BITBUCKET), WEB).entries
    assert caller.who == f"Bitbucket Pipelines steps of my-ws ({BITBUCKET})"
    assert "pins no repository" in caller.why
    (named,) = trust(
        {"StringLike": {f"{BITBUCKET}:sub": "{1b2c3d4e-0000-1111-2222-333344445555}:*"}},
        oidc(BITBUCKET),
        WEB,
    ).entries
    assert named.who.startswith("Bitbucket Pipelines steps of my-ws/{1b2c3d4e")


def test_every_provider_declares_its_grammar() -> None:
    for provider in pv.PROVIDERS:
        assert provider.grammar, provider.id
        # the grammar's own shapes pin nothing, as a pattern
        for shape in provider.grammar:
            assert pv.read_subject(provider, shape, exact=False) is None, (provider.id, shape)


def test_an_exact_subject_of_a_star_admits_no_one() -> None:
    assert trust({"StringEquals": {f"{GH}:sub": "*"}}, oidc(GH), WEB).entries == ()
    (literal,) = trust(
        {"StringEquals": {f"{GH}:sub": "repo:octo-org/app:*"}}, oidc(GH), WEB
    ).entries
    assert literal.pinned  # a literal subject of octo-org/app (no workflow has it, but it is that)
    (glob,) = trust({"StringLike": {f"{GH}:sub": "*"}}, oidc(GH), WEB).entries
    assert not glob.pinned


# --- service principals and caller keys ------------------------------------------------------

SERVICE = {"Service": "sns.amazonaws.com"}
DEPUTY = [
    ({"StringEquals": {"aws:PrincipalAccount": OWN}}, False),
    ({"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{OWN}:role/x"}}, False),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-mine123456"}}, False),
    ({"StringEquals": {"aws:SourceAccount": OWN}}, False),
    ({"StringEquals": {"aws:SourceOrgID": "o-mine123456"}}, False),
    ({"ForAnyValue:StringLike": {"aws:SourceOrgPaths": "o-mine123456/*"}}, False),
    # twins: a caller key that might match anything, or that is true when absent
    ({"StringLike": {"aws:PrincipalAccount": "*"}}, True),
    ({"StringEqualsIfExists": {"aws:PrincipalAccount": OWN}}, True),
    ({"StringNotEquals": {"aws:PrincipalAccount": OTHER}}, True),
    ({"StringEquals": {"aws:ResourceAccount": OWN}}, True),  # the role's own account: always true
    ({}, True),
]


@pytest.mark.parametrize(("condition", "deputy"), DEPUTY)
def test_a_service_held_to_a_key_it_cannot_meet(condition: dict[str, Any], deputy: bool) -> None:
    found = (
        trust(condition or None, SERVICE) if condition else who_can_assume(doc(allow(SERVICE)), CTX)
    )
    risky = found.with_risk(Risk.CONFUSED_DEPUTY)
    assert bool(risky) is deputy, [a.describe() for a in found.entries]


def test_the_organization_of_the_snapshot() -> None:
    """The caller's organization from the snapshot decides aws:PrincipalOrgID for in-account
    callers; an organization that could not be read leaves it unknown (met)."""
    s = f.snap(users=(f.user("alice"),), organization=Organization("o-mine123456"))
    ctx = TrustContext.of(s, TrustSettings())
    alice = f.arn("user", "alice")
    other_org = {"StringEquals": {"aws:PrincipalOrgID": "o-other12345"}}
    assert (
        who_can_assume(doc(allow({"AWS": f.ACCOUNT}, ASSUME, other_org)), ctx).admits(alice) is None
    )
    own_org = {"StringEquals": {"aws:PrincipalOrgID": "o-mine123456"}}
    assert who_can_assume(doc(allow({"AWS": f.ACCOUNT}, ASSUME, own_org)), ctx).admits(alice)
