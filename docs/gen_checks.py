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
    return HEADER + "\n".join(rows) + "\n\n" + "\n".join(sections) + NOTES


if __name__ == "__main__":
    (HERE / "checks.md").write_text(render(), encoding="utf-8")
