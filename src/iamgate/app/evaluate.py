"""Snapshot -> verdict: run the selected checks and gate their results on the baseline. Shared
by ``scan``, ``evaluate``, multi-account scans and the demo."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from iamgate import __version__
from iamgate.app.batch import without_cycle_collection
from iamgate.checks import REGISTRY, catalogue, run_checks, select_checks
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import load_baseline
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import EMPTY, Baseline
from iamgate.model.config import Config
from iamgate.model.results import Severity, Verdict
from iamgate.model.snapshot import AnalyzerRegion, Snapshot


@dataclass(frozen=True, slots=True)
class GateOptions:
    baseline: Path | None = None
    fail_on: Severity | None = None  # None: the config's (default low)
    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()
    allow_partial: bool = False
    as_of: date | None = None  # the day exception expiry is judged on (default: today, UTC)


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
    return [
        f"{name} = {value} (default {default}) from {config.source}"
        for name, value, default in config.overrides()
    ]


# A credential report this much older than the snapshot is said in the summary: changes to
# credentials since it was generated are not in it (AWS reuses a report for up to four hours).
REPORT_AGE_NOTE = timedelta(minutes=5)


def snapshot_notes(snapshot: Snapshot) -> list[str]:
    """What the summary must say about the data itself (e.g. an old credential report)."""
    generated = snapshot.credential_report_generated_at
    if generated is None or snapshot.collected_at - generated <= REPORT_AGE_NOTE:
        return []
    age = snapshot.collected_at - generated
    hours, minutes = divmod(int(age.total_seconds()) // 60, 60)
    return [
        f"the credential report was generated at {generated:%Y-%m-%d %H:%M} UTC, {hours} h "
        f"{minutes:02d} min before this snapshot: credential changes since then are not in it "
        "(AWS reuses a report for up to 4 hours; users created since are reported as errors)"
    ]


def with_exported_findings(snapshot: Snapshot, exported: AnalyzerRegion) -> Snapshot:
    """The snapshot with exported Access Analyzer findings; they replace the collected ones."""
    regions = (*(r for r in snapshot.access_analyzer if not r.export), exported)
    return dataclasses.replace(snapshot, access_analyzer=regions)


def evaluate(
    snapshot: Snapshot, config: Config, options: GateOptions, baseline: Baseline | None = None
) -> Verdict:
    """``baseline`` (already loaded, e.g. per account) takes the place of ``options.baseline``."""
    selected = select_checks(options.checks, options.skip_checks)
    if baseline is None:
        baseline = load_checked_baseline(options.baseline, snapshot.account_id)
    with without_cycle_collection():  # a result and a finding per resource (app/batch.py)
        return _gate(snapshot, config, options, baseline, selected)


def _gate(
    snapshot: Snapshot,
    config: Config,
    options: GateOptions,
    baseline: Baseline,
    selected: list[str],
) -> Verdict:
    results = run_checks(snapshot, config, selected)
    info = catalogue()
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
        notes=[*config_notes(config), *snapshot_notes(snapshot)],
        tool_version=__version__,
        checks=[info[c] for c in selected],
    )
