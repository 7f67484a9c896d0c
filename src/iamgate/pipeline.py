"""Snapshot -> verdict -> report files: the part shared by scan, evaluate and demo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from iamgate import __version__
from iamgate.baseline import EMPTY, Baseline, load_baseline
from iamgate.checks import REGISTRY, run_checks, select_checks
from iamgate.config import Config
from iamgate.errors import InputError
from iamgate.gate import Verdict, apply_baseline
from iamgate.model import Severity
from iamgate.output import append_text, write_all_atomic
from iamgate.report.badge import render_badge_json, render_badge_svg
from iamgate.report.csv_report import render_csv
from iamgate.report.jsonreport import render_json
from iamgate.report.junit import render_junit
from iamgate.report.markdown import render_markdown
from iamgate.snapshot import Snapshot, snapshot_to_json


@dataclass(frozen=True, slots=True)
class GateOptions:
    baseline: Path | None = None
    fail_on: Severity | None = None  # None: the config's (default low)
    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()
    allow_partial: bool = False
    as_of: date | None = None  # the day exception expiry is judged on (default: today, UTC)


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

    def targets(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        names = {
            "junit": "junit.xml",
            "markdown": "summary.md",
            "json": "results.json",
            "snapshot": "snapshot.json",
            "csv": "results.csv",
            "badge": "badge.json",
        }
        for kind, filename in names.items():
            explicit = getattr(self, kind)
            if explicit is not None:
                found[kind] = explicit
            elif self.output_dir is not None:
                found[kind] = self.output_dir / filename
        if "badge" in found:
            found["badge-svg"] = found["badge"].with_suffix(".svg")
        return found


@dataclass(frozen=True, slots=True)
class Report:
    verdict: Verdict
    written: dict[str, Path] = field(default_factory=dict)
    markdown: str = ""


def load_checked_baseline(path: Path | None, account_id: str) -> Baseline:
    if path is None:
        return EMPTY
    return for_account(load_baseline(path, REGISTRY), account_id)


def for_account(baseline: Baseline, account_id: str) -> Baseline:
    """The baseline, if it is the scanned account's; bad input (file and line) otherwise."""
    if baseline.account != account_id:
        raise InputError(
            f"baseline is for account {baseline.account}, but the scanned account is {account_id}",
            baseline.source,
            baseline.account_line,
        )
    return baseline


def config_notes(config: Config) -> list[str]:
    notes = []
    for name, value, default in config.overrides():
        notes.append(f"{name} = {value} (default {default}) from {config.source}")
    return notes


def evaluate(
    snapshot: Snapshot, config: Config, options: GateOptions, baseline: Baseline | None = None
) -> Verdict:
    """``baseline`` (already loaded, e.g. per account) takes the place of ``options.baseline``."""
    selected = select_checks(options.checks, options.skip_checks)
    if baseline is None:
        baseline = load_checked_baseline(options.baseline, snapshot.account_id)
    results = run_checks(snapshot, config, selected)
    now = datetime.now(UTC)
    return apply_baseline(
        results,
        baseline,
        today=options.as_of or now.date(),
        generated_at=now,
        account_id=snapshot.account_id,
        fail_on=options.fail_on or config.gate.fail_on,
        allow_partial=options.allow_partial,
        expiring_within_days=config.gate.expiring_within_days,
        collection_errors=snapshot.errors,
        notes=config_notes(config),
        tool_version=__version__,
        checks=selected,
    )


def write_reports(verdict: Verdict, outputs: Outputs, snapshot: Snapshot | None = None) -> Report:
    """Render and write every requested report. Nothing is written until all are rendered."""
    targets = outputs.targets()
    markdown = render_markdown(verdict)
    rendered: dict[str, str] = {}
    for kind in targets:
        if kind == "junit":
            rendered[kind] = render_junit(verdict)
        elif kind == "markdown":
            rendered[kind] = markdown
        elif kind == "json":
            rendered[kind] = render_json(verdict)
        elif kind == "csv":
            rendered[kind] = render_csv(verdict)
        elif kind == "snapshot" and snapshot is not None:
            rendered[kind] = snapshot_to_json(snapshot)
        elif kind == "badge":
            rendered[kind] = render_badge_json(verdict)
        elif kind == "badge-svg":
            rendered[kind] = render_badge_svg(verdict)
    # All or nothing: one unwritable target must not leave the others as a partial report.
    write_all_atomic({targets[kind]: text for kind, text in rendered.items()})
    written = {kind: targets[kind] for kind in rendered}
    if outputs.step_summary is not None:
        append_text(outputs.step_summary, markdown)
    return Report(verdict, written, markdown)
