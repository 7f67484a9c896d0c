"""Properties of the trust model, on random trusts (Hypothesis, derandomized, sized for CI).

**No false pass.** A concrete request is evaluated the way AWS does (an Allow matches and no
Deny matches); if an attacker gets in, the model must report the matching risk. The attacker
chooses everything an attacker can: an account nobody named (or 999999999999 where that is the
trusted party), no organization or one of its own (or the foreign one a policy names), any
external id, any role name, any GitHub repository not of my-org, and CloudTrail acting for its
account. Where AWS is silent the evaluator takes the worst case: ``{"AWS": "*"}`` matches
everything in an Allow but only AWS principals in a Deny.

**Escalation is never under-reported.** If a principal of the role's own account gets in
concretely, ``Assumers.admits`` must admit it, and without identity permission when the
principal was matched directly (``"*"`` or its ARN) rather than through its account.

**Robustness.** Arbitrary JSON gives a result or ``PolicyFormatError``, never another exception.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from iamgate.policy.conditions import parse_condition
from iamgate.policy.trust import PolicyFormatError, Risk, TrustContext, who_can_assume
from iamgate.policy.wildcard import match_action
from testing.trust import ASSUME, GH, ORG, OTHER, OTHER_ORG, OWN, TRUSTED, WEB, doc, oidc, st

CTX = TrustContext(OWN, ORG, trusted_accounts=(TRUSTED,))
OWNERS = TrustContext(OWN, ORG, oidc_owners=("github:my-org", "gitlab:my-group"))
ATTACKER = "333333333333"
ROLE_CI = f"arn:aws:iam::{OWN}:role/ci"
# CI runs each property this many times, derandomized (the same trusts every run). For a wider,
# random search: IAMGATE_TRUST_EXAMPLES=20000 pytest tests/unit/policy/test_trust_properties.py
EXAMPLES = int(os.environ.get("IAMGATE_TRUST_EXAMPLES", "0")) or 300
DERANDOMIZE = "IAMGATE_TRUST_EXAMPLES" not in os.environ

_VALUES = {
    "aws:PrincipalOrgID": [ORG, OTHER_ORG, "o-*", "*", "o-mine*"],
    "aws:PrincipalAccount": [OWN, OTHER, ATTACKER[:4] + "*", "*"],
    "aws:PrincipalArn": [
        ROLE_CI,
        "arn:aws:iam::*:role/deploy",
        f"arn:aws:iam::{OTHER}:role/*",
        "*",
    ],
    "sts:ExternalId": ["x1", "*", ""],
    "aws:SecureTransport": ["true"],
    "aws:SourceAccount": [OWN, OTHER, "*"],
    "aws:PrincipalIsAWSService": ["true", "false"],
    f"{GH}:sub": ["repo:my-org/app:*", "repo:*", "repo:my-org*", "*", "repo:my-org/*"],
    f"{GH}:aud": ["sts.amazonaws.com"],
}
_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIfExists",
    "StringNotEqualsIfExists",
    "ForAnyValue:StringLike",
    "ForAllValues:StringLike",
    "ForAnyValue:StringNotLike",
    "ForAllValues:StringNotEquals",
    "ArnLike",
    "ArnNotLike",
    "Null",
    "Bool",
    "BoolIfExists",
]
_PRINCIPALS: list[Any] = [
    "*",
    {"AWS": "*"},
    {"AWS": OTHER},
    {"AWS": OWN},
    {"AWS": ROLE_CI},
    {"AWS": f"arn:aws:iam::{OTHER}:role/vendor"},
    oidc(GH),
    {"Service": "cloudtrail.amazonaws.com"},
]


@hs.composite
def _condition(draw: Any) -> dict[str, Any]:
    block: dict[str, Any] = {}
    for _ in range(draw(hs.integers(0, 2))):
        operator = draw(hs.sampled_from(_OPERATORS))
        key = draw(hs.sampled_from(sorted(_VALUES)))
        value: Any
        if operator[:4] in ("Null", "Bool"):
            value = draw(hs.sampled_from(["true", "false"]))
        else:
            value = draw(hs.lists(hs.sampled_from(_VALUES[key]), min_size=1, max_size=2))
        block.setdefault(operator, {})[key] = value
    return block


@hs.composite
def _statement(draw: Any, effect: str) -> dict[str, Any]:
    not_principal = effect == "Deny" and draw(hs.booleans())
    principal = draw(hs.sampled_from(_PRINCIPALS[2:5] if not_principal else _PRINCIPALS))
    action = draw(hs.sampled_from([ASSUME, WEB, "sts:*", "sts:TagSession"]))
    return st(effect, principal, action, draw(_condition()), not_principal=not_principal)


@hs.composite
def _trust(draw: Any) -> dict[str, Any]:
    allows = draw(hs.lists(_statement("Allow"), min_size=1, max_size=2))
    denies = draw(hs.lists(_statement("Deny"), max_size=2))
    return doc(*allows, *denies)


def _principal_match(statement: dict[str, Any], request: dict[str, Any]) -> str | None:
    """ "direct" (``*`` or the caller's ARN), "account", or None. The worst case where AWS is
    not explicit: {"AWS": "*"} matches services and web identities in an Allow, and only AWS
    principals in a Deny."""
    raw: Any = statement.get("Principal", statement.get("NotPrincipal"))
    allow = statement["Effect"] == "Allow"
    how: str | None = None
    if raw == "*" or (raw == {"AWS": "*"} and (allow or request.get("account"))):
        how = "direct"
    elif "Federated" in raw:
        how = "direct" if request["federated"] == raw["Federated"] else None
    elif "Service" in raw:
        how = "direct" if request.get("service") == raw["Service"] else None
    else:
        values = raw["AWS"] if isinstance(raw["AWS"], list) else [raw["AWS"]]
        account, arn = request.get("account"), request.get("arn")
        for v in values:
            if account is None:
                break
            if v in ("*", arn):
                how = "direct"
            elif v in (account, f"arn:aws:iam::{account}:root") and how is None:
                how = "account"
    if "NotPrincipal" in statement:
        return None if how else "direct"
    return how


def _matches(statement: dict[str, Any], request: dict[str, Any]) -> str | None:
    if not match_action(statement["Action"], request["action"]):
        return None
    how = _principal_match(statement, request)
    if how is None:
        return None
    context: dict[str, tuple[str, ...]] = request["context"]
    clauses = parse_condition(statement.get("Condition"), "x")
    return how if all(c.evaluate(context.get(c.key_lower)) for c in clauses) else None


def _allowed(document: dict[str, Any], request: dict[str, Any]) -> str | None:
    """How the request gets in ("direct" before "account"), or None."""
    statements = document["Statement"]
    if any(s["Effect"] == "Deny" and _matches(s, request) for s in statements):
        return None
    found = {_matches(s, request) for s in statements if s["Effect"] == "Allow"}
    return "direct" if "direct" in found else "account" if "account" in found else None


def _aws_requests(
    account: str, orgs: list[str | None], external_ids: tuple[str | None, ...] = (None,)
) -> list[dict[str, Any]]:
    out = []
    for org in orgs:
        for external_id in external_ids:
            for role in ("deploy", "ci", "vendor", "attacker"):
                arn = f"arn:aws:iam::{account}:role/{role}"
                context = {
                    "aws:principalaccount": (account,),
                    "aws:principalarn": (arn,),
                    "aws:securetransport": ("true",),
                    "aws:principalisawsservice": ("false",),
                }
                if org:
                    context["aws:principalorgid"] = (org,)
                if external_id:
                    context["sts:externalid"] = (external_id,)
                out.append(
                    {
                        "action": ASSUME,
                        "account": account,
                        "arn": arn,
                        "context": context,
                        "federated": None,
                    }
                )
    return out


# "anyone": an account and org no value in the pool can name, short of a full wildcard
PUBLIC_PROBES = _aws_requests("444444444444", [None, "o-attacker00"], (None, "x1", "any"))
# outside, without an external id (the check accepts a third party held to one): the named
# foreign account, the foreign org, an account a pattern names
EXTERNAL_PROBES = _aws_requests(OTHER, [None, OTHER_ORG]) + _aws_requests(
    ATTACKER, [None, OTHER_ORG]
)
GITHUB_PROBES = [
    {
        "action": WEB,
        "federated": oidc(GH)["Federated"],
        "context": {
            f"{GH}:sub".lower(): (f"repo:{owner}/x:ref:refs/heads/main",),
            f"{GH}:aud".lower(): ("sts.amazonaws.com",),
        },
    }
    for owner in ("evil", "my-org-evil")
]
SERVICE_PROBES = [
    {
        "action": ASSUME,
        "service": "cloudtrail.amazonaws.com",
        "federated": None,
        "context": {
            "aws:sourceaccount": (ATTACKER,),
            "aws:sourcearn": (f"arn:aws:cloudtrail::{ATTACKER}:trail/t",),
            "aws:principalisawsservice": ("true",),
            "aws:securetransport": ("true",),
        },
    }
]
# The own account's role "ci", in the own organization, with any external id it likes.
INSIDE_PROBES = [r for r in _aws_requests(OWN, [ORG], (None, "x1", "any")) if r["arn"] == ROLE_CI]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_trust())
def test_no_false_pass_and_no_escalation_under_reported(document: dict[str, Any]) -> None:
    result = who_can_assume(document, CTX)
    risks = {risk for a in result.entries for risk in a.risks}
    if any(_allowed(document, r) for r in PUBLIC_PROBES):
        assert Risk.PUBLIC in risks, (document, risks)
    if any(_allowed(document, r) for r in EXTERNAL_PROBES):
        assert risks & {Risk.PUBLIC, Risk.EXTERNAL}, (document, risks)
    if any(_allowed(document, r) for r in GITHUB_PROBES):
        assert risks & {Risk.PUBLIC, Risk.UNPINNED_FEDERATION}, (document, risks)
    if any(_allowed(document, r) for r in SERVICE_PROBES):
        assert risks & {Risk.PUBLIC, Risk.EXTERNAL, Risk.CONFUSED_DEPUTY}, (document, risks)
    ways = {_allowed(document, r) for r in INSIDE_PROBES} - {None}
    if ways:
        admission = result.admits(ROLE_CI)
        assert admission is not None, (document, ways)
        if "direct" in ways:
            assert not admission.needs_identity_permission, (document, admission)


_KEYS = hs.sampled_from(
    [
        "Statement",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Condition",
        "Sid",
        "AWS",
        "Service",
        "Federated",
        "StringLike",
        "ForAnyValue:StringNotEquals",
        "Null",
        "aws:PrincipalArn",
        f"{GH}:sub",
        "Allow",
        "Deny",
    ]
) | hs.text(max_size=5)
_LEAVES = (
    hs.none()
    | hs.booleans()
    | hs.integers()
    | hs.floats()
    | hs.sampled_from(
        [
            "*",
            "Allow",
            "Deny",
            ASSUME,
            WEB,
            OTHER,
            "arn:aws:iam::1:root",
            f"arn:aws:iam::{OWN}:oidc-provider/{GH}",
            "repo:*",
            "${x}",
        ]
    )
    | hs.text(max_size=8)
)
_JSON = hs.recursive(
    _LEAVES,
    lambda inner: hs.lists(inner, max_size=3) | hs.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=25,
)
_SHAPED = hs.builds(
    lambda effect, principal, action, condition: {
        "Statement": [
            {"Effect": effect, "Principal": principal, "Action": action, "Condition": condition}
        ]
    },
    hs.sampled_from(["Allow", "Deny"]),
    _JSON | hs.sampled_from(_PRINCIPALS),
    _JSON | hs.just("sts:*"),
    _JSON | _condition(),
)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE)
@given(hs.dictionaries(_KEYS, _JSON, max_size=3) | _JSON | _SHAPED)
def test_any_json_gives_a_result_or_policy_format_error(document: Any) -> None:
    try:
        result = who_can_assume(document, OWNERS)
    except PolicyFormatError:
        return
    for entry in result.entries:
        assert entry.describe().startswith(entry.who)
    admission = result.admits(ROLE_CI)  # never raises for a readable trust
    assert admission is None or admission.statement.startswith("statement ")
