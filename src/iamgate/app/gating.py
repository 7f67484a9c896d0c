"""A gating run: what every command that gates (``scan``, ``evaluate``, ``merge``, the demo) does
around its verdict, in one place.

Everything the reports depend on besides the verdict (the history file, the previous run's
``results.json``) is read first, by :func:`start_run`, so bad input ends the run before any API
call or check. :func:`finish_run` then tells the verdict what changed since the previous run and
writes every report as one set (``app/reports.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iamgate.app.reports import Outputs, Report, check_targets, report_context, write_reports
from iamgate.formats.results_json import load_results
from iamgate.gate.since import with_since
from iamgate.model.results import Verdict
from iamgate.model.snapshot import Snapshot
from iamgate.report.context import ReportContext


@dataclass(frozen=True, slots=True)
class GatingRun:
    """A run's outputs and what was read for them before the run started."""

    outputs: Outputs
    context: ReportContext
    previous: tuple[Verdict, ...] | None = None  # --previous: the last run's verdicts
    previous_source: str | None = None

    def history_note(self) -> str | None:
        """What the history file holds, when one is kept: a mistyped path must not start a new
        history unnoticed."""
        if self.outputs.history is None:
            return None
        runs = len(self.context.history or ())
        if not runs:
            return f"{self.outputs.history} is new; it starts with this run"
        return f"{runs} earlier run{'s' if runs > 1 else ''} in {self.outputs.history}"


def start_run(outputs: Outputs, previous: Path | None = None) -> GatingRun:
    """Check that every output has a file of its own, then read the reports' context and the
    previous run, before anything else is done."""
    check_targets(outputs)
    context = report_context(outputs)
    if previous is None:
        return GatingRun(outputs, context)
    return GatingRun(outputs, context, tuple(load_results(previous)), str(previous))


def finish_run(run: GatingRun, verdict: Verdict, snapshot: Snapshot | None = None) -> Report:
    """The verdict told what changed since the previous run (when one was given), then every
    report written as one set; ``snapshot`` is written too when the outputs ask for it."""
    if run.previous is not None and run.previous_source is not None:
        verdict = with_since(verdict, run.previous, run.previous_source)
    return write_reports(verdict, run.outputs, snapshot, run.context)
