"""``iamgate evaluate``: check a saved snapshot offline and gate it on the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iamgate.cli.common import (
    AllowPartial,
    AnnotationsOpt,
    AsOf,
    BadgePath,
    BaselinePath,
    ChecksOpt,
    ConfigPath,
    Console,
    CsvPath,
    FailOn,
    HistoryPath,
    HtmlPath,
    JsonPath,
    JunitPassingOpt,
    JunitPath,
    MarkdownPath,
    OcsfPath,
    OutputDir,
    PreviousPath,
    Quiet,
    SarifPath,
    SkipOpt,
    Verbose,
    annotations_on,
    announce_config,
    begin,
    finish,
    gate_options,
    handle_errors,
    outputs,
)


@handle_errors
def evaluate_cmd(
    snapshot_path: Annotated[
        Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot.json from `collect`.")
    ],
    baseline: BaselinePath = None,
    config: ConfigPath = None,
    output_dir: OutputDir = None,
    junit: JunitPath = None,
    junit_passing: JunitPassingOpt = "auto",
    markdown: MarkdownPath = None,
    json_path: JsonPath = None,
    csv_path: CsvPath = None,
    access_analyzer_findings: Annotated[
        Path | None,
        typer.Option(
            "--access-analyzer-findings",
            help="IAM Access Analyzer findings exported as JSON (aws accessanalyzer "
            "list-findings-v2, or the console's export); they replace the collected findings.",
        ),
    ] = None,
    fail_on: FailOn = None,
    checks: ChecksOpt = None,
    skip_checks: SkipOpt = None,
    allow_partial: AllowPartial = False,
    as_of: AsOf = None,
    badge: BadgePath = None,
    html: HtmlPath = None,
    sarif: SarifPath = None,
    ocsf: OcsfPath = None,
    history: HistoryPath = None,
    previous: PreviousPath = None,
    annotations: AnnotationsOpt = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Check a saved snapshot offline and gate it on the baseline (no AWS access)."""
    # Imported when the command runs (cli/common.py says why).
    from iamgate.app.batch import without_cycle_collection
    from iamgate.app.evaluate import evaluate, with_exported_findings
    from iamgate.app.gating import finish_run
    from iamgate.formats.analyzer_findings import load_findings_file
    from iamgate.formats.config_toml import load_config
    from iamgate.formats.snapshot_json import load_snapshot

    console = Console(verbose, quiet)
    cfg = load_config(config)
    announce_config(cfg, console)
    with without_cycle_collection():  # the snapshot's objects (app/batch.py)
        snapshot = load_snapshot(snapshot_path)
    if access_analyzer_findings is not None:
        exported = load_findings_file(access_analyzer_findings)
        snapshot = with_exported_findings(snapshot, exported)
        console.progress(f"{len(exported.findings)} ACTIVE findings from {exported.export}")
    options = gate_options(baseline, fail_on, checks, skip_checks, allow_partial, as_of)
    where = outputs(
        output_dir,
        junit,
        markdown,
        json_path,
        csv_path,
        badge,
        html,
        history,
        junit_passing,
        sarif,
        ocsf,
    )
    run = begin(where, previous, console)
    report = finish_run(run, evaluate(snapshot, cfg, options))
    finish(report, console, annotations=annotations_on(annotations))
