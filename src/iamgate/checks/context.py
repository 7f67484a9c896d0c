"""What a check sees: the snapshot, the configuration, and what is derived from them once per run
(parsed policies, principals' effective access and admin verdicts, the escalation graph)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from iamgate.model.config import Config
from iamgate.model.snapshot import Snapshot
from iamgate.policy.graph import Graph
from iamgate.policy.principals import Principals


class Context:
    """What a check sees: the snapshot, the configuration, and derived indexes built once."""

    def __init__(self, snapshot: Snapshot, config: Config):
        self.snapshot = snapshot
        self.config = config
        self.thresholds = config.thresholds
        # Ages are measured against the time of collection, so a replay gives the same answer.
        self.now: datetime = snapshot.collected_at

    @property
    def account_arn(self) -> str:
        return self.snapshot.account_arn

    @cached_property
    def principals(self) -> Principals:
        """Policies parsed and effective access worked out once, for every check of the run."""
        return Principals(self.snapshot)

    @cached_property
    def graph(self) -> Graph:
        """The escalation graph, built once per run and shared by the checks that ask it."""
        return Graph(self.principals)

    def age_days(self, when: datetime) -> int:
        return (self.now - when).days
