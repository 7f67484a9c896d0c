"""Where a run's reports go, and writing them as one set.

Every report is rendered and staged before any target is touched (a reporter that fails leaves
every file as it was), one report at a time: each is made while its temp file is written and
dropped before the next (an organization's reports are never all in memory at once). All of them
are written by ``iamgate.formats.files.write_all_atomic``: they appear together or not at all,
even when the run is terminated (SIGTERM, Ctrl-C) or a second run writes into the same
``--output-dir``, and no temp file is left behind. Reports named one by one
(``--junit`` elsewhere) are part of the same set, each beside its own target. Files a run does
not write (``snapshot.json`` after ``evaluate``) are left as they were. ``$GITHUB_STEP_SUMMARY``
is not part of the set: other steps write to it too, so it is appended to, after the set is in
place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iamgate.app.batch import without_cycle_collection
from iamgate.checks import catalogue
from iamgate.formats.files import Content, append_text, write_all_atomic
from iamgate.formats.history_jsonl import load_history
from iamgate.formats.snapshot_json import snapshot_to_json
from iamgate.model.results import Verdict
from iamgate.model.snapshot import Snapshot
from iamgate.report import REPORTERS, ReportContext
from iamgate.report.junit import JunitPassing
from iamgate.report.markdown import render_markdown

SNAPSHOT_FILE = "snapshot.json"


@dataclass(frozen=True, slots=True)
class Outputs:
    output_dir: Path | None = None
    junit: Path | None = None
    markdown: Path | None = None
    json: Path | None = None
    snapshot: Path | None = None
    step_summary: Path | None = None  # $GITHUB_STEP_SUMMARY
    csv: Path | None = None
    badge: Path | None = None  # shields.io endpoint JSON; the SVG is written beside it (.svg)
    html: Path | None = None
    history: Path | None = None  # read, then rewritten with this run's line (--history)
    junit_passing: JunitPassing = "auto"  # one test case per passing resource, or counted

    def targets(self) -> dict[str, Path]:
        """Report kind -> path, for every report this run writes."""
        found: dict[str, Path] = {}
        for reporter in REPORTERS:
            if reporter.beside:
                if reporter.beside in found:
                    suffix = Path(reporter.filename).suffix
                    found[reporter.kind] = found[reporter.beside].with_suffix(suffix)
                continue
            explicit: Path | None = getattr(self, reporter.kind)
            if explicit is not None:
                found[reporter.kind] = explicit
            elif self.output_dir is not None and reporter.filename:
                found[reporter.kind] = self.output_dir / reporter.filename
        if self.snapshot is not None:
            found["snapshot"] = self.snapshot
        elif self.output_dir is not None:
            found["snapshot"] = self.output_dir / SNAPSHOT_FILE
        return found


@dataclass(frozen=True, slots=True)
class Report:
    verdict: Verdict
    written: dict[str, Path] = field(default_factory=dict)
    markdown: str = ""


def report_context(outputs: Outputs) -> ReportContext:
    """What the reports show beyond the verdict: the check catalogue, and the runs recorded in
    the history file. Load it before a scan, so a malformed history is bad input at once."""
    history = load_history(outputs.history) if outputs.history is not None else None
    return ReportContext(checks=catalogue(), history=history, junit_passing=outputs.junit_passing)


def write_reports(
    verdict: Verdict,
    outputs: Outputs,
    snapshot: Snapshot | None = None,
    context: ReportContext | None = None,
) -> Report:
    """Render and write every requested report. No target is replaced until all are staged."""
    targets = outputs.targets()
    if context is None:
        context = report_context(outputs)
    markdown = render_markdown(verdict)
    rendered: dict[str, Content] = {}
    for reporter in REPORTERS:
        if reporter.kind in targets:
            rendered[reporter.kind] = (
                markdown if reporter.kind == "markdown" else reporter.later(verdict, context)
            )
    if snapshot is not None and "snapshot" in targets:
        rendered["snapshot"] = lambda: (snapshot_to_json(snapshot),)
    # All rendered before any is written: one unwritable target must not leave the others as a
    # partial report.
    with without_cycle_collection():  # reports of every finding (app/batch.py)
        write_all_atomic({targets[kind]: text for kind, text in rendered.items()})
    written = {kind: targets[kind] for kind in rendered}
    if outputs.step_summary is not None:
        append_text(outputs.step_summary, markdown)
    return Report(verdict, written, markdown)
