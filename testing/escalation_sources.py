"""The escalation sources' method lists, vendored under ``tests/data/escalation_sources/`` by
``tools/refresh_escalation_sources.py`` (each file records the repository, commit and date it
was read at): the catalogue must name each method, chain it in ``COMBINATIONS``, or say why it
does not model it (``NOT_MODELLED``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "escalation_sources"


@dataclass(frozen=True)
class SourceMethod:
    """One method of a source: its name there and the actions it asks (empty for PMapper's
    edge checkers, whose actions are in code)."""

    name: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class SourceList:
    """One source's vendored list and where it was read."""

    source: str
    repository: str
    path: str
    commit: str
    date: str
    methods: tuple[SourceMethod, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.methods)


def load(source: str) -> SourceList:
    """The vendored list of ``source`` (prowler, cloudsplaining, pmapper, rhino)."""
    raw = json.loads((DATA / f"{source}.json").read_text(encoding="utf-8"))
    methods = tuple(SourceMethod(m["name"], tuple(m["actions"])) for m in raw["methods"])
    return SourceList(
        raw["source"], raw["repository"], raw["path"], raw["commit"], raw["date"], methods
    )


VENDORED = tuple(load(s) for s in ("prowler", "cloudsplaining", "pmapper", "rhino"))

# Rhino's blog post lists methods its aws_escalate.py never checked (no repository to vendor:
# https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/ and part 2),
# kept here by hand.
RHINO_BLOG = (
    "PassExistingRoleToNewLambdaThenInvokeCrossAccount",
    "PassExistingRoleToNewCloudFormation",
    "AddExistingLambdaLayerToLambdaFunctionWithRole",
    "PassExistingRoleToNewCodeStarProject",
    "CodeStarCreateProjectFromTemplate",
    "CodeStarCreateProjectThenAssociateTeamMember",
    "AccessExistingSageMakerJupyterNotebook",
    "PassRoleToNewSageMakerJupyterNotebook",
)
