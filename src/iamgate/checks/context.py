"""What a check sees: the snapshot, the configuration, and what is derived from them once per run
(parsed policies, principals' effective access and admin verdicts, who can assume each role, the
escalation graph)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from iamgate.model.config import Config
from iamgate.model.snapshot import Role, Snapshot
from iamgate.policy.graph import Graph, trust_admits
from iamgate.policy.principals import Principals
from iamgate.policy.trust import Assumers, TrustContext, who_can_assume


class Context:
    """What a check sees: the snapshot, the configuration, and derived indexes built once."""

    def __init__(self, snapshot: Snapshot, config: Config):
        self.snapshot = snapshot
        self.config = config
        self.thresholds = config.thresholds
        # Ages are measured against the time of collection, so a replay gives the same answer.
        self.now: datetime = snapshot.collected_at
        self._assumers: dict[str, Assumers] = {}

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
        """Who can assume ``role``, worked out once per run (PolicyFormatError if unreadable)."""
        if role.arn not in self._assumers:
            self._assumers[role.arn] = who_can_assume(role.trust_policy, self.trust)
        return self._assumers[role.arn]

    @cached_property
    def graph(self) -> Graph:
        """The escalation graph, built once per run and shared by the checks that ask it; who a
        role admits comes from the same trust model as the trust checks."""
        return Graph(self.principals, trust_admits(self.assumers))

    def age_days(self, when: datetime) -> int:
        return (self.now - when).days
