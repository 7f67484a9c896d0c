"""``iamgate merge``: the results.json of several jobs (a matrix) as one report and exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iamgate.app.batch import without_cycle_collection
from iamgate.app.reports import write_reports
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
    OutputDir,
    PreviousPath,
    Quiet,
    Verbose,
    annotations_on,
    finish,
    handle_errors,
    load_context,
    load_previous,
    outputs,
    since_previous,
)
from iamgate.gate.merge import merge


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
    history: HistoryPath = None,
    previous: PreviousPath = None,
    annotations: AnnotationsOpt = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Combine the results.json of several jobs (a matrix) into one report and exit code."""
    console = Console(verbose, quiet)
    where = outputs(
        output_dir, junit, markdown, json_path, None, badge, html, history, junit_passing
    )
    context = load_context(where, console)
    before = load_previous(previous)
    with without_cycle_collection():  # every file's findings (app/batch.py)
        merged = merge(files)
    verdict = since_previous(merged, before, previous)
    report = write_reports(verdict, where, None, context)
    finish(report, console, annotations=annotations_on(annotations))
