"""Write docs/checks.md from the check registry, so the catalogue and the code cannot drift.

Run: python docs/gen_checks.py (a test fails when docs/checks.md is out of date).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from iamgate.checks import REGISTRY  # noqa: E402
from iamgate.policy import providers  # noqa: E402

HEADER = """# Check catalogue

Generated from the registry by `python docs/gen_checks.py`; do not edit by hand. Every check
yields a result for each resource it evaluated; `fails when` is its title's opposite. Ids are
public: baselines and JUnit test names use them. `iamgate checks show ID` prints one entry.

| id | severity | resource | CIS | FSBP | title |
|---|---|---|---|---|---|
"""


NOTES = """
## Notes on the least-privilege and monitoring checks

**Effective access** (`principal-admin-access`, `policy-privilege-escalation`) is computed from
every policy that applies to the principal: attached managed and inline policies, and for a
user every group's policies. Actions match case-insensitively with `*`/`?` anywhere
(`iam:*Policy*`); `Allow` + `NotAction` grants everything else (admin-equivalent on `*`); an
unconditional `Deny` on `Resource: "*"` removes a grant, while a `Deny` with a `Condition`, on
some resources, or with `NotResource` never does (it may not apply). A permissions boundary
limits the result: an action counts only if the boundary allows it too. A policy, group or
boundary that the snapshot lacks makes the principal `error`, never pass. Findings name the
policy and statement that grant the risky action (and the group it comes through).

**Escalation paths** are the hand-kept catalogue in `src/iamgate/policy/escalation.py` (Rhino
Security Labs' 21 methods plus permissions-boundary removal); each concrete action is matched
against the policies' wildcards, so no catalogue of every AWS action is needed. A full
administrator is reported as such ("every path is open"). A grant scoped to some resources
still counts.

**Not judged:** service-linked roles (path `/aws-service-role/`): AWS owns their policies and
trust. IAM Identity Center roles (`/aws-reserved/sso.amazonaws.com/`) are judged, and the message
says to change the permission set instead of the role.

**Trusted accounts and your CI owners:** see [Role trust](#role-trust) below.

**IAM policy change alarm** (`iam-change-alarm`, CIS 4.4): a logging trail sends its events to
CloudWatch Logs; a metric filter on that log group whose pattern catches all 16 event names
below, each as an alternative of its own (`||`; spacing, quotes and order are free; an
`$.eventSource = iam.amazonaws.com &&` is allowed; any other test, `&&` between names, `!=` or
`NOT EXISTS` is not); and a metric alarm with at least one action on the filter's metric.

```
{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||
 ($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||
 ($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||
 ($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||
 ($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||
 ($.eventName=DetachGroupPolicy)}
```

**CloudTrail** is read from the collector's region with shadow trails, which lists every
multi-region trail wherever it lives; status and event selectors are asked in each trail's home
region. Single-region trails of other regions are not seen (no check needs them).

**Access Analyzer:** see [access-analyzer.md](access-analyzer.md).
"""


SEMANTICS = [
    # (what AWS does, what iamgate uses it for, the source)
    (
        "Condition keys are case-insensitive; `StringEquals`/`StringLike` values are "
        "case-sensitive, `StringEqualsIgnoreCase` is not; `StringLike`'s `*`/`?` may "
        "span `:`; `ArnLike`/`ArnEquals` match each of the six ARN components on its "
        "own",
        "reading every condition (`conditions.py`, through the one glob matcher "
        "`wildcard.match_text`)",
        "[condition "
        "operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)",
    ),
    (
        "A key absent from the request makes a condition false, except the negated "
        "operators (true), `...IfExists` (true) and `Null`; several values of one key "
        "are OR, several keys and operators are AND",
        "what pins the caller; what a Deny spares",
        "[condition "
        "logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html)",
    ),
    (
        '`ForAllValues` is true when the key is absent (or an empty set) and "can be '
        'overly permissive" with Allow; `ForAnyValue` is then false',
        "`ForAllValues` never pins; `ForAnyValue` on a present key pins like the plain operator",
        "[single- and multivalued "
        "keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)",
    ),
    (
        "`aws:PrincipalOrgID`/`aws:PrincipalOrgPaths` are present only for principals "
        "in an organization; `aws:SourceAccount`/`aws:SourceArn`/`aws:SourceOrgID` only "
        "when a service acts for a resource; `aws:PrincipalIsAWSService` on every "
        "signed request",
        'absent-key logic; `"*"` held to `aws:Source*` is "AWS services acting for X"',
        "[global condition "
        "keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)",
    ),
    (
        '"AWS does not treat the external ID as a secret"',
        "`sts:ExternalId` passes `role-trust-external-account` for a named account, "
        'never makes `"*"` non-public',
        "[external "
        "id](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html)",
    ),
    (
        "An explicit Deny wins",
        'Deny narrowing: "allow `*`, deny everyone outside the organization" is the organization',
        "[evaluation "
        "logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)",
    ),
    (
        '`"Principal": "*"` and `{"AWS": "*"}` are everyone; a deleted principal shows '
        "as its unique id (`AROA...`) and matches no one; `NotPrincipal` is not allowed "
        "in trust policies (read with the resource-policy meaning)",
        "principals",
        "[Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)"
        ", [NotPrincipal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)",
    ),
    (
        "OIDC condition keys are `PROVIDER_URL:CLAIM`; AWS passes only `aud`, `sub`, "
        "`amr` (Cognito), `oaud`/`azp` (Google) and the Facebook / Login with Amazon "
        'ids; GitHub: "Support for custom claims for OIDC is unavailable in AWS"',
        "`sub` is the only pin for CI providers; `aud` alone never pins",
        "[web identity keys]"
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif)"
        ", [GitHub on AWS]"
        "(https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services)",
    ),
    (
        "A web identity gets in only through `sts:AssumeRoleWithWebIdentity`, a SAML "
        "user through `sts:AssumeRoleWithSAML`; `sts:TagSession` alone grants nothing",
        "which statements admit which callers",
        "[AssumeRoleWithWebIdentity](https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html)",
    ),
    (
        "The cross-service confused deputy: hold service principals to "
        "`aws:SourceArn`/`aws:SourceAccount`/`aws:SourceOrgID`; with an `aws:SourceArn` "
        "that has no account (an S3 bucket) use `aws:SourceAccount` too",
        "`role-trust-service-confused-deputy`",
        "[confused "
        "deputy](https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention)",
    ),
    (
        "`iam:PassRole` passes only a role of the caller's own account",
        "why EC2, Lambda, ECS tasks and EKS need no source condition",
        "[PassRole](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)",
    ),
    (
        "Within one account, a resource-based policy that names the principal itself "
        "needs no identity-based allow; a trust that names the account (`root`) "
        "delegates to the identity policy, which must allow `sts:AssumeRole`",
        "`Assumers.admits` (the privilege-escalation graph's edges)",
        "[evaluation logic, same "
        "account](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)",
    ),
]


TRUST_NOTES = """
## Role trust

`role-trust-public`, `role-trust-external-account`, `role-trust-federated-subject` and
`role-trust-service-confused-deputy` ask one model (`src/iamgate/policy/trust.py`, with
`trust_statements.py`, `trust_pins.py`, `conditions.py` and the provider table
`providers.py`) who can assume each role, worked out from every statement of its trust policy
as AWS decides it. Each finding names who can assume the role, the statement and the condition
that let them in, and, for an unpinned web identity trust, the claim that would pin it:

```
role deploy trusts a web identity or SAML provider without pinning the caller: any GitHub Actions
workflow in any repository (statement 'GitHubDeploy' conditions only on aud; pin
token.actions.githubusercontent.com:sub to repo:OWNER/REPO:...)
```

**Configuration** (`iamgate.toml`, validated: a bad entry is bad input naming the file and line):

```toml
[trust]
trusted_accounts = ["111122223333", "444455556666"]  # your other accounts
oidc_owners = ["github:my-org", "gitlab:my-group/platform", "terraform:my-tf-org"]
```

`oidc_owners` entries are `PROVIDER:OWNER[/PATH]` with PROVIDER one of
`github`, `gitlab`, `terraform`, `buildkite`, `circleci` (the org id), `bitbucket` (the
workspace); `github:id:NUMBER` names a `repository_owner_id`. Owners compare without case, path
segment by path segment (`github:my-org` covers `repo:my-org/app:*`, not `repo:my-org-evil/x`;
GitHub's immutable `repo:my-org@1234/app@5678:*` is covered by `github:my-org` and
`github:id:1234`). Empty (the default): any pinned owner passes. With one entry or more: every
pinned owner of every provider above must be listed, or the trust fails
`role-trust-federated-subject` ("an owner not in [trust] oidc_owners").

**The organization** is read with `organizations:DescribeOrganization` (any account of an
organization may call it). `AWSOrganizationsNotInUseException` means the account is in no
organization: then every organization id in a trust is someone else's. Any other failure is a
collection error, and `role-trust-external-account` says `error` for the account (never pass);
a snapshot taken before iamgate read the organization does the same ("collect again").

### AWS semantics relied on

{semantics}

**What pins the caller.** A condition pins only when it is positive, false for a request
without its key, and every value is a real pin: an account or organization id with no wildcard
where the id sits (`arn:aws:iam::*:role/x`, `o-*`, `*` pin nothing; `1234*` or `o-abc*` are
"some unknown accounts": external); an external id with no wildcard; a web identity subject read
by its provider's grammar from its start (a wildcard before the owner means any owner). Keys
that say nothing about who calls (`aws:SecureTransport`, `aws:SourceIp`, `aws:SourceVpc`,
request tags) narrow nothing. A condition the model cannot read (an unmodelled operator, a
policy variable) pins nothing in an Allow and makes a Deny remove nothing; the message says so.

**Deny narrowing.** A Deny counts against a caller only when it covers every action the caller
uses and certainly names it; then each of its conditions must say whom it spares
(`StringNotEquals aws:PrincipalOrgID o-x`, plain or `IfExists` or `ForAllValues`, spares
`o-x`; `Null K true` spares callers with K; `BoolIfExists aws:PrincipalIsAWSService false`
spares services). `{"AWS": "*"}` in a Deny is not documented to cover service principals, so
"allow `*`, deny `{"AWS": "*"}` outside the organization" still leaves any service (a
`role-trust-service-confused-deputy` finding).

### Web identity providers

Generated from `src/iamgate/policy/providers.py` (one row per provider, with its documentation).
"Open" providers hand a token to anyone who signs up: a trust that pins nothing there fails
`role-trust-public` as well as `role-trust-federated-subject`.

{providers}

A SAML provider of this account pins the caller (its own IdP decides who gets the role;
`SAML:aud` only names the sign-in endpoint); a SAML or OIDC provider registered in another
account does not. Cognito: `aud` names the identity pool, and the trust passes only when `amr`
excludes `unauthenticated` (guests are anyone).

### Services that act only for this account

Not flagged by `role-trust-service-confused-deputy` (every other service, unknown ones and
`"*"` are, at low severity):

{services}

### Judgement calls

- **One risk, one check, mostly.** A public assumer fails `role-trust-public` only, not
  `role-trust-external-account` too (that check's pass message then says "anyone can assume it
  (role-trust-public)"). A web identity trust that pins nothing fails
  `role-trust-federated-subject`, and `role-trust-public` too when the provider is open
  (github.com, gitlab.com, HCP Terraform, Buildkite, Google, Facebook, Login with Amazon,
  Cognito): "no role can be assumed by anyone" would be false otherwise, and the check failed
  for a web identity trust with no condition before.
- **`ForAllValues` and `...IfExists` never pin in an Allow,** even on a claim every token
  carries (GitHub's `sub`): AWS warns that they can be overly permissive, and the fix is one
  word. The message names the qualifier.
- **Wildcards under `StringEquals`** are read as wildcards. AWS compares them literally, so
  such a value matches nothing real; reading them as globs never hides a caller.
- **Customised GitHub subjects**: only the first claim is read (`repo`, `repository_owner`,
  `repository_owner_id`); a subject that starts with `job_workflow_ref`, `environment` or
  `context` pins no owner (a reusable workflow can be called from any repository).
- **Tenants in the URL**: CircleCI (`/org/ORG_ID`) and Bitbucket (`/workspaces/WORKSPACE`)
  issuers pin their tenant. GitHub's enterprise issuer, GHE.com and GHES still need a `sub` pin
  (any member can create a repository), but an unpinned one is not public. EKS needs at least a
  namespace (`system:serviceaccount:prod:*` is an owner-wide pin, like `repo:my-org/*`).
- **Unknown OIDC providers** need one exact `sub`; an unpinned one is not called public (who may
  sign up is not known).
- **`aws:SourceArn` without an account** (an S3 bucket) is not a pin on its own, as AWS's
  confused-deputy page says; a `StringLike aws:SourceArn` with a wildcard before the account
  (`arn:aws:cloudtrail:*:123456789012:trail/*`) pins nothing either, because `StringLike`'s `*`
  spans colons: use `ArnLike`.
- **Named accounts held to `aws:Source*`** keep the account (an IAM principal never carries
  those keys, so such a statement admits no one; reported, not hidden).
- **In-account admission** (`Assumers.admits`, for the privilege-escalation graph): a principal
  named by its ARN, or let in by `"*"` or `NotPrincipal` (an org-wide trust is `"*"` with a
  condition), is admitted without identity permission: the trust grants to the principal itself,
  as PMapper (`resource_policy_authorization`: `"*"` is a `NODE_MATCH`) and
  cloud-copilot/iam-simulate (`"*"` is a direct `Match`) also read it. A trust of the account
  (`root`, or its id) admits it only with `sts:AssumeRole` in its identity policy. A condition the
  snapshot cannot decide (MFA, source IP, tags, the external id the caller chooses, the
  organization when it could not be read) counts as met in an Allow and avoidable in a Deny:
  escalation is never under-reported.

**Left open.** Resource control policies can deny `sts:AssumeRole` from outside the
organization for every role; iamgate does not read them, so a public trust under such an RCP
still fails (the safe direction). Which services populate `aws:SourceArn` on `AssumeRole` is
reviewed by hand (the list above); AWS publishes no complete list, and some services do not set
the keys, so a condition on them breaks the service (prowler-cloud/prowler#4714, #7021): the
check is low severity and its remediation says to check the service's documentation first.

### Where iamgate differs from Prowler and Checkov

Code read: prowler-cloud/prowler `prowler/providers/aws/services/iam/lib/policy.py`
(`is_policy_public`, `is_condition_block_restrictive`,
`is_condition_block_restrictive_organization`, `has_restrictive_source_arn_condition`) and
`iam_role_cross_service_confused_deputy_prevention`; bridgecrewio/checkov
`checkov/terraform/checks/data/aws/GithubActionsOIDCTrustPolicy.py` (CKV_AWS_358), its resource
form `GithubActionsOIDCTrustPolicyOnRole.py` (CKV_AWS_393) and `checkov/common/util/oidc_utils.py`.

**Prowler `is_policy_public`:**

- It reads only Allow statements (`# TODO: Add logic for deny statements`): "allow `*`, deny
  everyone outside the organization" is public there. Here the Deny narrows the Allow to the
  organization: a false failure avoided.
- It looks operators up by their exact names (`StringEquals`, `StringLike`, `ArnLike`,
  `ArnEquals`), so `ForAnyValue:`, `ForAllValues:`, `...IfExists` and the negated forms are never
  read: the documented `ForAnyValue:StringLike aws:PrincipalOrgPaths` is public there (a false
  failure); here it pins the organization.
- With `is_cross_account_allowed=True` (its default) any value of a listed key is "restrictive":
  `StringLike aws:PrincipalAccount "*"`, `aws:PrincipalArn "*"`, `aws:PrincipalOrgID "o-*"` pass
  there (false passes); here they pin nothing. Its list includes keys that do not say who calls
  (`aws:SourceVpc`, `aws:SourceVpce`, `aws:UserId`), and an `IpAddress aws:SourceIp` in private
  ranges counts too; here network location never narrows *who*.
- The organization id is never compared with the account's own: a trust pinned to someone else's
  organization is "not public" and nothing else. Here it fails `role-trust-external-account`.
- Federated principals are not considered: an `aud`-only GitHub trust is not public there, and no
  IAM check reads OIDC subjects. Here `role-trust-federated-subject` (and `role-trust-public`).
- Confused deputy: every `*.amazonaws.com` service but `secretsmanager` and `eks` is flagged, so
  EC2 and Lambda roles fail there (prowler-cloud/prowler#2810); here the services above are
  exempt. Any value of a source key passes there, and an S3 `aws:SourceArn` without
  `aws:SourceAccount` counts as restrictive; here neither pins.

**Checkov CKV_AWS_358 / CKV_AWS_393:**

- Terraform source only, and only `token.actions.githubusercontent.com`; GHES, GHE.com and every
  other provider are not covered. Here every provider above, from the account itself.
- It returns PASSED at the first statement that is not a GitHub federation, so an EC2 statement
  followed by an `aud`-only GitHub statement passes (a false pass); here every statement counts.
- It never reads the operator: `StringNotLike sub "repo:evil/*"`, `ForAllValues:StringLike` and
  `StringLikeIfExists` count as pins there (false passes); here none of them pin.
- CKV_AWS_358 reads the first value of a list, so `["repo:my-org/app:*", "*"]` passes there; here
  one value that matches everyone means no pin.
- It splits the value on `:` and rejects a fixed list of "abusable" leading claims; a wildcard
  before the owner (`*repo:my-org/app*`) or a `job_workflow_ref:` subject pass there. Here a
  wildcard before the owner, or a leading claim that names no owner, pins nothing. Both agree
  that `repo:*` and `repo:my-org*` fail and `repo:my-org/*` passes.
- No owner list: `repo:someone-else/*` passes there; here `[trust] oidc_owners` catches it.
- It ignores Deny statements: a `Deny ... StringNotLike sub repo:my-org/*` does not rescue an
  `aud`-only Allow there; here it pins the caller to my-org.
"""


def _providers_table() -> str:
    rows = [
        "| provider | issuer (provider URL) | pin with | a pin looks like | open | docs |",
        "|---|---|---|---|---|---|",
    ]
    for p in providers.PROVIDERS:
        docs = ", ".join(f"[{n}]({url})" for n, url in enumerate(p.docs, start=1))
        rows.append(
            f"| {p.name} | `{p.issuer}` | `<url>:{p.subject_claim}` | `{p.subject_form}` | "
            f"{'yes' if p.open_signup else 'no'} | {docs} |"
        )
    return "\n".join(rows)


def _semantics_table() -> str:
    rows = ["| semantics | used for | source |", "|---|---|---|"]
    rows += [f"| {what} | {use} | {source} |" for what, use, source in SEMANTICS]
    return "\n".join(rows)


def _services_table() -> str:
    rows = ["| service principal | why | docs |", "|---|---|---|"]
    for service, (why, url) in providers.SERVICES_FOR_OWN_RESOURCES.items():
        rows.append(f"| `{service}` | {why} | [link]({url}) |")
    return "\n".join(rows)


def render() -> str:
    metas = [c.meta for c in REGISTRY.values()]
    rows = [
        f"| [`{m.id}`](#{m.id}) | {m.severity.value} | {m.resource_type} | "
        f"{', '.join(m.cis) or '-'} | {', '.join(m.fsbp) or '-'} | {m.title} |"
        for m in metas
    ]
    sections = [
        f"## {m.id}\n\n**{m.title}** ({m.severity.value}; resource: {m.resource_type}; data: "
        f"{', '.join(s.value for s in m.requires)})\n\n**Why:** {m.rationale}\n\n"
        f"**Fix:** {m.remediation}\n"
        for m in metas
    ]
    trust = TRUST_NOTES.replace("{semantics}", _semantics_table())
    trust = trust.replace("{providers}", _providers_table())
    trust = trust.replace("{services}", _services_table())
    return HEADER + "\n".join(rows) + "\n\n" + "\n".join(sections) + NOTES + trust


if __name__ == "__main__":
    (HERE / "checks.md").write_text(render(), encoding="utf-8")
