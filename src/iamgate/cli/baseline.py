"""``iamgate baseline ...``: init, lint, diff and prune. Files and git refs are read here; the
rules live in ``iamgate.baseline``."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iamgate.cli.common import handle_errors, say, step_summary, today_or
from iamgate.errors import ExitCode, InputError
from iamgate.formats.files import append_text, write_atomic
from iamgate.text import workflow_command

# The rules, the check registry and the YAML reader are imported when a command runs
# (cli/common.py says why).
if TYPE_CHECKING:
    from iamgate.baseline.lint import BroadEntry, LintProblem
    from iamgate.model.results import Verdict

baseline_app = typer.Typer(
    help="Baseline lifecycle: init, lint, diff (pull-request review) and prune.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Config file (default: ./iamgate.toml if present)."),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Judge expiry on this date (YYYY-MM-DD), not today.")
]


def _horizon(config: Path | None) -> int:
    from iamgate.formats.config_toml import load_config

    return load_config(config).baseline.max_expiry_days


# --- init -------------------------------------------------------------------------------------


@baseline_app.command("init")
@handle_errors
def init_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="The baseline file to write.")],
    results: Annotated[
        Path | None, typer.Option("--results", help="A results.json from scan/evaluate.")
    ] = None,
    snapshot: Annotated[
        Path | None, typer.Option("--snapshot", help="A snapshot.json (checked offline).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Write a baseline accepting today's failures, with placeholders lint rejects."""
    from iamgate.app.evaluate import GateOptions, evaluate
    from iamgate.baseline.init import init_from_verdicts
    from iamgate.formats.config_toml import load_config
    from iamgate.formats.results_json import load_results
    from iamgate.formats.snapshot_json import load_snapshot

    if (results is None) == (snapshot is None):
        raise InputError("give exactly one of --results or --snapshot", "baseline init")
    if output.exists() and not force:
        raise InputError("exists; use --force to overwrite it", str(output))
    today = today_or(as_of)
    if results is not None:
        verdicts, source = load_results(results), str(results)
    else:
        assert snapshot is not None
        verdict = evaluate(load_snapshot(snapshot), load_config(config), GateOptions(as_of=today))
        verdicts, source = [verdict], str(snapshot)
    text = init_from_verdicts(verdicts, today=today, horizon_days=_horizon(config), source=source)
    write_atomic(output, text)
    count = text.count("  - check: ")
    say(
        f"iamgate: wrote {output} with {count} exceptions; fill in every reason and owner "
        "(`iamgate baseline lint` rejects the placeholders)"
    )


# --- lint -------------------------------------------------------------------------------------


def _lint_files(
    paths: list[Path], today: date, horizon: int, results: list[Verdict] | None
) -> tuple[list[LintProblem], list[BroadEntry], bool]:
    from iamgate.baseline.lint import LintProblem, broad_entries, lint_baseline
    from iamgate.checks import catalogue
    from iamgate.formats.baseline_yaml import read_baseline

    problems: list[LintProblem] = []
    broad: list[BroadEntry] = []
    unreadable = False
    known = catalogue()
    for path in paths:
        try:
            text = read_baseline(path)
        except InputError as exc:
            problems.append(LintProblem(exc.source or str(path), exc.line, exc.message))
            unreadable = True
            continue
        problems += lint_baseline(text, str(path), known, today=today, horizon_days=horizon)
        broad += broad_entries(text, str(path), known, results)
    return problems, broad, unreadable


@baseline_app.command("lint")
@handle_errors
def lint_cmd(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Baseline files.")],
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    annotations: Annotated[
        bool | None,
        typer.Option(
            "--annotations/--no-annotations",
            help="Also print GitHub ::error workflow commands [default: on when "
            "GITHUB_ACTIONS=true].",
        ),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="A results.json of a recent run: say how many findings each broad entry "
            "accepts today.",
        ),
    ] = None,
) -> None:
    """Check baseline files: schema, unknown checks, placeholders, expiry, broad globs.

    Lists every broad entry (allow-broad) with what its wildcard reaches into. Exits 0 when
    clean, 1 on problems, 2 when a file cannot be read.
    """
    from iamgate.formats.results_json import load_results

    verdicts = load_results(results) if results is not None else None
    problems, broad, unreadable = _lint_files(files, today_or(as_of), _horizon(config), verdicts)
    for entry in broad:
        say(str(entry), err=False)
    if annotations is None:
        annotations = os.environ.get("GITHUB_ACTIONS") == "true"
    for p in problems:
        say(str(p), err=False)
        if annotations:
            props = {"file": p.source, "title": "iamgate baseline lint"}
            if p.line:
                props["line"] = str(p.line)
            typer.echo(workflow_command("error", p.message, **props))
    n = len(problems)
    say(
        f"iamgate: {n} problem{'s' if n != 1 else ''} in {len(files)} file"
        f"{'s' if len(files) != 1 else ''}"
        if n
        else f"iamgate: {len(files)} baseline(s) clean"
    )
    if unreadable:
        raise typer.Exit(int(ExitCode.BAD_INPUT))
    raise typer.Exit(int(ExitCode.FAIL) if problems else 0)


# --- diff -------------------------------------------------------------------------------------


@baseline_app.command("diff")
@handle_errors
def diff_cmd(
    base: Annotated[
        str, typer.Argument(metavar="BASE", help="REF:PATH, ./PATH or REF (never ambiguous).")
    ],
    head: Annotated[
        str | None,
        typer.Argument(
            metavar="[HEAD]", help="REF:PATH, ./PATH or REF [default: the --path directory]."
        ),
    ] = None,
    path: Annotated[
        str, typer.Option("--path", help="The baselines directory used with a bare REF.")
    ] = "baselines",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the markdown here.")
    ] = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Review a baseline change as markdown: added, changed, removed, what needs security review.

    The head is judged with the base's configuration (iamgate.toml at the base ref), and every
    setting the change makes to it is shown. A side that names both a path and a git ref is
    refused: write REF:PATH, or ./PATH. Exits 1 when the head fails lint. Appends to
    $GITHUB_STEP_SUMMARY when it is set.
    """
    from iamgate.app.review import review_change
    from iamgate.baseline.review import render_review
    from iamgate.checks import catalogue

    review = review_change(base, head, path, config, today_or(as_of))
    text = render_review(review, catalogue())
    # Written before it is printed: a reader that stops early (`| head`) loses no output file.
    if output is not None:
        write_atomic(output, text)
    summary = step_summary()
    if summary is not None:
        append_text(summary, text)
    typer.echo(text)
    for p in review.lint:
        say(f"iamgate: lint: {p}")
    raise typer.Exit(int(ExitCode.FAIL) if review.lint else 0)


# --- prune ------------------------------------------------------------------------------------


@baseline_app.command("prune")
@handle_errors
def prune_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The baseline to prune.")],
    results: Annotated[
        Path, typer.Option("--results", help="results.json of a scan with this baseline.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; change nothing.")
    ] = False,
) -> None:
    """Remove the exceptions that results.json lists as stale (they match no current failure)."""
    from iamgate.baseline.prune import prune_text
    from iamgate.checks import catalogue
    from iamgate.formats.baseline_yaml import parse_baseline, read_baseline
    from iamgate.formats.results_json import load_results

    verdicts = load_results(results)
    text = read_baseline(file)
    known = catalogue()
    current = parse_baseline(text, str(file), known)
    mine = [v for v in verdicts if v.account_id == current.account]
    if not mine:
        accounts = ", ".join(v.account_id for v in verdicts)
        raise InputError(
            f"results are for account {accounts}, the baseline for {current.account}",
            str(results),
        )
    verdict = mine[0]
    stale = [(e.check, e.resource) for e in verdict.stale]
    result = prune_text(text, str(file), known, stale, verdict.checks)
    verb = "would remove" if dry_run else "removed"
    for e in result.removed:
        say(f"{verb}: {e.check} on {e.resource} ({e.where}, owner {e.owner})", err=False)
    for check, resource, why in result.skipped:
        say(f"kept: {check} on {resource}: {why}", err=False)
    if result.removed and not dry_run:
        write_atomic(file, result.text)
    say(
        f"iamgate: {verb} {len(result.removed)} stale exception"
        f"{'s' if len(result.removed) != 1 else ''} from {file}"
    )
