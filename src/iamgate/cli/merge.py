"""``iamgate merge``: the results.json of several jobs (a matrix) as one report and exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iamgate.cli.common import (
    AnnotationsOpt,
    BadgePath,
    Console,
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
    Verbose,
    annotations_on,
    begin,
    finish,
    handle_errors,
    outputs,
)


@handle_errors
def merge_cmd(
    files: Annotated[
        list[Path], typer.Argument(metavar="RESULTS...", help="results.json files to combine.")
    ],
    output_dir: OutputDir = None,
    junit: JunitPath = None,
    junit_passing: JunitPassingOpt = "auto",
    markdown: MarkdownPath = None,
    json_path: JsonPath = None,
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
    """Combine the results.json of several jobs (a matrix) into one report and exit code."""
    # Imported when the command runs (cli/common.py says why).
    from iamgate.app.batch import without_cycle_collection
    from iamgate.app.gating import finish_run
    from iamgate.gate.merge import merge

    console = Console(verbose, quiet)
    where = outputs(
        output_dir,
        junit,
        markdown,
        json_path,
        None,
        badge,
        html,
        history,
        junit_passing,
        sarif,
        ocsf,
    )
    run = begin(where, previous, console)
    with without_cycle_collection():  # every file's findings (app/batch.py)
        merged = merge(files)
    report = finish_run(run, merged)
    finish(report, console, annotations=annotations_on(annotations))
