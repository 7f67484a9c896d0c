"""What a check sees: the snapshot, the configuration, and what is derived from them once per run
(parsed policies, principals' effective access and admin verdicts, who can assume each role, the
escalation graph, the credential report checked against the users)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from iamgate.model.config import Config
from iamgate.model.snapshot import CredentialRow, Group, Role, Snapshot, Source, User
from iamgate.policy.escalation import Escalation, Graph, trust_admits
from iamgate.policy.principals import Principals, is_service_linked
from iamgate.policy.trust import Assumers, PolicyFormatError, TrustContext, who_can_assume
from iamgate.policy.trust_statements import TrustStatement

# AWS reuses a credential report for up to four hours (GenerateCredentialReport, "Getting
# credential reports": https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
REPORT_REUSE = timedelta(hours=4)
# A date up to this far after the report's (or the snapshot's) time is clock skew; SigV4 itself
# refuses requests more than five minutes off.
CLOCK_SKEW = timedelta(minutes=5)


class RoleTrust(NamedTuple):
    """A role as the four trust checks read it (a tuple: unpacked once per role and check)."""

    role: Role
    service_linked: bool  # then nothing else is worked out
    model: Assumers | None  # None: the trust is unreadable
    unreadable: str  # why, when it is
    rcp_denies: tuple[TrustStatement, ...]


@dataclass(frozen=True, slots=True)
class ReportUsers:
    """The credential report's user rows, checked against the users the account lists."""

    rows: tuple[CredentialRow, ...]  # rows of users GetAccountAuthorizationDetails lists too
    unmatched: tuple[tuple[str, str], ...]  # (user ARN, why it cannot be evaluated)


def cross_check(snapshot: Snapshot) -> ReportUsers:
    """Every listed user must have a report row, and every row a listed user.

    A user created after the report was generated has no row (AWS reuses a report for up to
    four hours); a row whose user is not listed is a user deleted since, or a listing that is
    incomplete. Either way that user's credentials cannot be judged: it is reported, never
    skipped. When the users could not be listed, there is nothing to compare with (the run
    already says error for the checks that need them).
    """
    rows = tuple(r for r in snapshot.credential_report if not r.is_root)
    if snapshot.errors_for((Source.AUTHORIZATION_DETAILS,)):
        return ReportUsers(rows, ())
    listed = {u.arn for u in snapshot.users}
    reported = {r.arn for r in rows}
    generated = snapshot.credential_report_generated_at
    if generated is not None:
        made = f"generated {generated:%Y-%m-%d %H:%M} UTC"
        renewed = generated + REPORT_REUSE
        again = (
            f"; AWS reuses a report for up to 4 hours: run again after {renewed:%Y-%m-%d %H:%M} UTC"
        )
    else:
        made, again = "generation time not recorded", ""
    unmatched: list[tuple[str, str]] = []
    for u in snapshot.users:
        if u.arn not in reported:
            unmatched.append(
                (
                    u.arn,
                    f"not evaluated: user {u.name} (created {u.create_date:%Y-%m-%d %H:%M} UTC) "
                    f"has no row in the credential report ({made}){again}",
                )
            )
    for r in rows:
        if r.arn not in listed:
            unmatched.append(
                (
                    r.arn,
                    f"not evaluated: user {r.user} is in the credential report ({made}) but "
                    "GetAccountAuthorizationDetails does not list it: deleted since the report "
                    f"was generated, or the listing is incomplete{again}",
                )
            )
    return ReportUsers(tuple(r for r in rows if r.arn in listed), tuple(unmatched))


class Context:
    """What a check sees: the snapshot, the configuration, and derived indexes built once."""

    def __init__(self, snapshot: Snapshot, config: Config):
        self.snapshot = snapshot
        self.config = config
        self.thresholds = config.thresholds
        # Ages are measured against the time of collection, so a replay gives the same answer.
        self.now: datetime = snapshot.collected_at
        self._assumers: dict[str, Assumers] = {}
        self._rcp_denies: dict[str, tuple[TrustStatement, ...]] = {}
        # Keyed by the trust's text and the RCP Denies on the role (the same for most roles).
        self._by_document: dict[tuple[str, tuple[int, ...]], Assumers] = {}

    def close(self) -> None:
        """Drop what the checks derived, once they have all run. The escalation graph holds a
        bound method of this context (``trust_admits(self.assumers)``): a reference cycle that
        reference counts alone never free, and a run pauses the cyclic collector and then
        freezes what it left (``app/batch.py``), so without this the graph and every
        principal's derived access (3 million objects, 200 MB at 100,000 users) would stay
        beside the reports until the process ends. The context is not used again."""
        vars(self).clear()

    @property
    def account_arn(self) -> str:
        return self.snapshot.account_arn

    @cached_property
    def principals(self) -> Principals:
        """Policies parsed and effective access worked out once, for every check of the run."""
        return Principals(self.snapshot)

    @cached_property
    def trust(self) -> TrustContext:
        """What trust policies are compared with: the account, its organization, the config."""
        return TrustContext.of(self.snapshot, self.config.trust)

    def assumers(self, role: Role) -> Assumers:
        """Who can assume ``role``, worked out once per run and per distinct trust policy
        (roles made from one template share theirs), with the RCP Denies on it applied;
        PolicyFormatError if unreadable."""
        found = self._assumers.get(role.arn)
        if found is None:
            found = self._assumers[role.arn] = self._who_can_assume(role, self.rcp_denies(role))
        return found

    @cached_property
    def role_trusts(self) -> list[RoleTrust]:
        """Per role, in the snapshot's order, what the four trust checks each read of it:
        whether it is service-linked (then nothing else is worked out), its trust model or
        why its trust is unreadable, and the RCP Denies on it. Read once for all four."""
        found: list[RoleTrust] = []
        for role in self.snapshot.roles:
            if is_service_linked(role):
                found.append(RoleTrust(role, True, None, "", ()))
                continue
            try:
                found.append(RoleTrust(role, False, self.assumers(role), "", self.rcp_denies(role)))
            except PolicyFormatError as exc:
                found.append(RoleTrust(role, False, None, str(exc), ()))
        return found

    def assumers_by_trust(self, role: Role) -> Assumers:
        """Who the role's trust alone lets assume it, without the organization's RCPs."""
        return self._who_can_assume(role, ())

    def rcp_denies(self, role: Role) -> tuple[TrustStatement, ...]:
        """The organization's RCP Denies on assuming ``role``: none for a service-linked role
        (RCPs do not restrict a service assuming it), the management account, or when the
        RCPs were not read. Worked out once per role (each trust check asks it again)."""
        found = self._rcp_denies.get(role.arn)
        if found is None:
            denies = self.principals.organization.trust_denies
            found = () if is_service_linked(role) else denies(role.arn)
            self._rcp_denies[role.arn] = found
        return found

    def _who_can_assume(self, role: Role, outside: tuple[TrustStatement, ...]) -> Assumers:
        key = (self.principals.trust_key(role), tuple(map(id, outside)))
        found = self._by_document.get(key)
        if found is None:
            parsed = self.principals.parsed_trust(role)
            found = who_can_assume(role.trust_policy, self.trust, outside, parsed)
            self._by_document[key] = found
        return found

    @cached_property
    def graph(self) -> Graph:
        """The escalation graph, built once per run and shared by the checks that ask it; who a
        role admits comes from the same trust model as the trust checks."""
        return Graph(self.principals, trust_admits(self.assumers))

    def entity(self, arn: str) -> User | Group | Role | None:
        """The user, group or role with this ARN (None: not in the snapshot)."""
        return self._entities.get(arn)

    @cached_property
    def _entities(self) -> dict[str, User | Group | Role]:
        snap = self.snapshot
        every: list[User | Group | Role] = [*snap.users, *snap.groups, *snap.roles]
        return {e.arn: e for e in every}

    @cached_property
    def escalations_by_iam_alone(self) -> dict[str, Escalation] | None:
        """Every escalation verdict with no SCP applied, to say which verdicts the SCPs
        change; None when no SCP could change one (none read, or FullAWSAccess alone)."""
        if not self.principals.organization.scps_restrict:
            return None
        alone = Principals(replace(self.snapshot, organization_policies=None))
        return Graph(alone, trust_admits(self.assumers)).escalations()

    def age_days(self, when: datetime) -> int:
        return (self.now - when).days

    @cached_property
    def report_users(self) -> ReportUsers:
        """The credential report's user rows checked against the listed users, once per run."""
        return cross_check(self.snapshot)

    @cached_property
    def latest_credential_date(self) -> datetime:
        """The latest date a credential report can truthfully hold: when it was generated (or
        the snapshot taken, whichever is later), plus clock skew. A later date is a data error,
        never "fresh"."""
        generated = self.snapshot.credential_report_generated_at
        latest = max(self.now, generated) if generated is not None else self.now
        return latest + CLOCK_SKEW

    def future(self, when: object) -> bool:
        return isinstance(when, datetime) and when > self.latest_credential_date
