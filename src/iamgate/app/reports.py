"""Where a run's reports go, and writing them as one set.

Every report is rendered and staged before any target is touched (a reporter that fails leaves
every file as it was), one report at a time: each is made while its temp file is written and
dropped before the next (an organization's reports are never all in memory at once). All of them
are written by ``iamgate.formats.files.write_all_atomic``: they appear together or not at all,
even when the run is terminated (SIGTERM, Ctrl-C) or a second run writes into the same
``--output-dir``, and no temp file is left behind. Reports named one by one
(``--junit`` elsewhere) are part of the same set, each beside its own target. Files a run does
not write (``snapshot.json`` after ``evaluate``) are left as they were. ``$GITHUB_STEP_SUMMARY``
is appended to (other steps write to it too) once every report is staged and before any is
renamed into place: if it cannot be written, no report of this run is (exit 2), so nothing says
"pass" for a run whose outputs are incomplete.

Every target has one owner: two outputs on one path (``--json out/junit.xml`` beside
``--output-dir out``, a report on ``$GITHUB_STEP_SUMMARY``, a symlink or a hard link to another
target) are refused before anything is read or written (:func:`check_targets`). The history
file is read again, under the lock, when it is rewritten: two overlapping runs appending to one
``--history`` both keep their line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iamgate.app.batch import without_cycle_collection
from iamgate.checks import catalogue
from iamgate.errors import InputError
from iamgate.formats.files import Content, append_text, same_file, write_all_atomic
from iamgate.formats.history_jsonl import load_history, render_history
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
    sarif: Path | None = None  # SARIF 2.1.0 for GitHub code scanning (results.sarif)
    ocsf: Path | None = None  # OCSF Compliance Findings (JSON), only where --ocsf says
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

    def describe(self, kind: str) -> str:
        """How the user named the target of ``kind``: its option, or its file in --output-dir."""
        if kind == "step-summary":
            return "$GITHUB_STEP_SUMMARY"
        if getattr(self, kind.replace("-", "_"), None) is not None:
            return f"--{kind}"
        beside = next((r.beside for r in REPORTERS if r.kind == kind and r.beside), "")
        if beside:
            return f"the {Path(self.targets()[kind]).suffix} beside {self.describe(beside)}"
        return f"{self.targets()[kind].name} of --output-dir"


def check_targets(outputs: Outputs) -> None:
    """Bad input when two outputs would be written to one file: one would silently replace the
    other (JSON where the JUnit report goes). Every target of :meth:`Outputs.targets` counts,
    and the step summary."""
    named = list(outputs.targets().items())
    if outputs.step_summary is not None:
        named.append(("step-summary", outputs.step_summary))
    for n, (kind, path) in enumerate(named):
        for other, other_path in named[:n]:
            if same_file(path, other_path):
                raise InputError(
                    f"{outputs.describe(other)} and {outputs.describe(kind)} would both be "
                    "written here: give each output its own file",
                    str(path),
                )


@dataclass(frozen=True, slots=True)
class Report:
    verdict: Verdict
    written: dict[str, Path] = field(default_factory=dict)
    markdown: str = ""
    notices: tuple[str, ...] = ()  # what a report says the user must hear (on stderr)


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
    notices: list[str] = []
    for reporter in REPORTERS:
        if reporter.kind not in targets:
            continue
        if reporter.kind == "markdown":
            rendered[reporter.kind] = markdown
        elif reporter.notice is not None:  # made now: what it says is known before the write
            text = reporter.render(verdict, context)
            rendered[reporter.kind] = text
            if (notice := reporter.notice(text)) is not None:
                notices.append(notice)
        else:
            rendered[reporter.kind] = reporter.later(verdict, context)
    if snapshot is not None and "snapshot" in targets:
        rendered["snapshot"] = lambda: (snapshot_to_json(snapshot),)
    if "history" in rendered:  # read again under the lock: a run that ended since keeps its line
        path = targets["history"]
        rendered["history"] = lambda: (render_history(load_history(path), verdict),)
    summary = outputs.step_summary
    # All staged before any is renamed into place: one unwritable target, or a step summary that
    # cannot be appended, must not leave the others as a partial report set.
    with without_cycle_collection():  # reports of every finding (app/batch.py)
        write_all_atomic(
            {targets[kind]: text for kind, text in rendered.items()},
            before_commit=(lambda: append_text(summary, markdown)) if summary is not None else None,
        )
    written = {kind: targets[kind] for kind in rendered}
    return Report(verdict, written, markdown, tuple(notices))
