"""What a report may show beyond the verdict. Most reports need the verdict alone; the HTML
page also shows the check catalogue's standards and themes, and the trend of earlier runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from iamgate.model.history import HistoryEntry
from iamgate.model.results import CheckInfo
from iamgate.report.junit import JunitPassing


@dataclass(frozen=True, slots=True)
class ReportContext:
    checks: Mapping[str, CheckInfo] = field(default_factory=dict)  # the catalogue, by check id
    # The runs recorded before this one (``--history``), oldest first; None: no history kept.
    history: tuple[HistoryEntry, ...] | None = None
    junit_passing: JunitPassing = "auto"  # --junit-passing
