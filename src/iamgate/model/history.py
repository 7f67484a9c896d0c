"""One recorded run of the ``--history`` file: what the trend of ``report.html`` is drawn from.

Counts only, no finding: the file is kept beside the badge (on the ``badges`` branch in the
nightly workflow) and says no more about the account than the badge does, plus the checks run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    time: datetime  # the run's ``Verdict.generated_at`` (timezone-aware), never the clock's
    accounts: tuple[str, ...]
    verdict: str  # fail, error or pass
    counts: dict[str, int]  # keyed as ``results.COUNT_KEYS``
    failing_by_severity: dict[str, int]  # new + expired findings at each severity
    checks: tuple[str, ...] = ()  # the checks that ran, in catalogue order
