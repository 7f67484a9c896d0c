"""The ``iamgate`` command. Thin: parse arguments, call the pipeline, map errors to exit codes.

Exit codes: 0 pass, 1 new non-compliance or expired exception, 2 bad input, 3 could not collect,
4 internal error (a bug). Expected failures print one message on stderr, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from tabulate import tabulate

from iamgate import __version__
from iamgate.baseline import load_baseline
from iamgate.checks import REGISTRY, select_checks
from iamgate.config import Config, load_config
from iamgate.errors import ExitCode, IamgateError, InputError
from iamgate.model import Severity
from iamgate.output import write_atomic
from iamgate.pipeline import GateOptions, Outputs, Report, config_notes, evaluate, write_reports
from iamgate.snapshot import Snapshot, load_snapshot, snapshot_to_json

if TYPE_CHECKING:  # boto3 is imported only by the commands that talk to AWS: it costs a
    # third of the start-up time of every offline command (evaluate, checks, bad input)
    from iamgate.aws import Clients

app = typer.Typer(
    name="iamgate",
    help="An AWS IAM compliance gate for CI: checks an account, compares the findings with a "
    "committed baseline of accepted exceptions, writes JUnit/markdown/JSON reports, and fails "
    "only on new non-compliance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
checks_app = typer.Typer(
    help="The check catalogue.", invoke_without_command=True, rich_markup_mode=None
)
app.add_typer(checks_app, name="checks")

F = TypeVar("F", bound=Callable[..., Any])


class Console:
    """stderr messages: progress only in a terminal (or with --verbose), nothing with --quiet."""

    def __init__(self, verbose: bool = False, quiet: bool = False):
        self.quiet = quiet
        self.progress_on = not quiet and (verbose or sys.stderr.isatty())

    def progress(self, message: str) -> None:
        if self.progress_on:
            typer.echo(f"iamgate: {message}", err=True)

    def info(self, message: str) -> None:
        if not self.quiet:
            typer.echo(message, err=True)


def handle_errors(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except IamgateError as exc:
            kind = "bad input" if exc.exit_code is ExitCode.BAD_INPUT else "could not collect"
            typer.echo(f"iamgate: error ({kind}): {exc}", err=True)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            typer.echo("iamgate: interrupted", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: say so, and never exit 0 or 1
            typer.echo(
                f"iamgate: internal error: {type(exc).__name__}: {exc} (please report "
                "this; set IAMGATE_DEBUG=1 for a traceback)",
                err=True,
            )
            if os.environ.get("IAMGATE_DEBUG"):
                raise
            raise typer.Exit(int(ExitCode.INTERNAL_ERROR)) from None

    return wrapper  # type: ignore[return-value]


def _csv(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}", "--as-of") from None


# --- shared options -------------------------------------------------------------------------
Region = Annotated[
    str | None,
    typer.Option(
        "--region", help="AWS region for API calls (default: the profile's, else us-east-1)."
    ),
]
Profile = Annotated[str | None, typer.Option("--profile", help="AWS profile to use.")]
RoleArn = Annotated[
    str | None,
    typer.Option(
        "--role-arn", help="Role to assume in the target account (read-only; see iam-policy.json)."
    ),
]
ExternalId = Annotated[
    str | None, typer.Option("--external-id", help="External id for --role-arn.")
]
SessionName = Annotated[
    str, typer.Option("--role-session-name", help="Session name for --role-arn.")
]
ConfigPath = Annotated[
    Path | None, typer.Option("--config", help="Config file (default: ./iamgate.toml if present).")
]
BaselinePath = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="Baseline of accepted exceptions (YAML). Without one, every failure is new.",
    ),
]
OutputDir = Annotated[
    Path | None,
    typer.Option(
        "--output-dir", help="Write junit.xml, summary.md, results.json and snapshot.json here."
    ),
]
JunitPath = Annotated[
    Path | None,
    typer.Option("--junit", help="JUnit XML file (overrides --output-dir for this report)."),
]
MarkdownPath = Annotated[Path | None, typer.Option("--markdown", help="Markdown summary file.")]
JsonPath = Annotated[Path | None, typer.Option("--json", help="JSON results file.")]
FailOn = Annotated[
    Severity | None,
    typer.Option(
        "--fail-on",
        help="Lowest severity of a new "
        "finding that fails the gate [default: the "
        "config's, else low].",
        case_sensitive=False,
    ),
]
ChecksOpt = Annotated[
    list[str] | None,
    typer.Option("--checks", help="Only these check ids (comma-separated or repeated)."),
]
SkipOpt = Annotated[list[str] | None, typer.Option("--skip-checks", help="Skip these check ids.")]
AllowPartial = Annotated[
    bool,
    typer.Option(
        "--allow-partial",
        help="Decide on what could be "
        "seen even if some data could not be collected "
        "(errors are still listed).",
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Judge exception expiry on this date (YYYY-MM-DD) instead of today."
    ),
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show progress even when not in a terminal.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def _clients(
    config: Config,
    region: str | None,
    profile: str | None,
    role_arn: str | None,
    external_id: str | None,
    session_name: str,
) -> Clients:
    from iamgate.aws import AwsOptions, Clients

    c = config.collect
    return Clients(
        AwsOptions(
            region=region,
            profile=profile,
            role_arn=role_arn,
            external_id=external_id,
            role_session_name=session_name,
            max_attempts=c.max_attempts,
            retry_mode=c.retry_mode,
            max_backoff=float(c.max_backoff_seconds),
            connect_timeout=c.connect_timeout,
            read_timeout=c.read_timeout,
        )
    )


def _announce_config(config: Config, console: Console) -> None:
    for note in config_notes(config):
        console.info(f"iamgate: config: {note}")


def _finish(report: Report, console: Console, print_summary: bool = True) -> None:
    if print_summary and not console.quiet:
        typer.echo(report.markdown)
    for kind, path in report.written.items():
        console.progress(f"wrote {kind}: {path}")
    console.info(report.verdict.one_line())
    raise typer.Exit(int(report.verdict.exit_code))


def _step_summary() -> Path | None:
    value = os.environ.get("GITHUB_STEP_SUMMARY")
    return Path(value) if value else None


@app.command()
@handle_errors
def scan(
    baseline: BaselinePath = None,
    config: ConfigPath = None,
    output_dir: OutputDir = None,
    junit: JunitPath = None,
    markdown: MarkdownPath = None,
    json_path: JsonPath = None,
    region: Region = None,
    profile: Profile = None,
    role_arn: RoleArn = None,
    external_id: ExternalId = None,
    role_session_name: SessionName = "iamgate",
    fail_on: FailOn = None,
    checks: ChecksOpt = None,
    skip_checks: SkipOpt = None,
    allow_partial: AllowPartial = False,
    as_of: AsOf = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Collect from the account boto3 reaches, check it, gate on the baseline, write reports."""
    console = Console(verbose, quiet)
    cfg = load_config(config)
    _announce_config(cfg, console)
    options = GateOptions(
        baseline=baseline,
        fail_on=fail_on,
        checks=_csv(checks),
        skip_checks=_csv(skip_checks),
        allow_partial=allow_partial,
        as_of=_as_of(as_of),
    )
    outputs = Outputs(
        output_dir=output_dir,
        junit=junit,
        markdown=markdown,
        json=json_path,
        step_summary=_step_summary(),
    )
    # Validate the selection (and the baseline's syntax) before spending API calls.

    select_checks(options.checks, options.skip_checks)
    if baseline is not None:
        load_baseline(baseline, REGISTRY)
    clients = _clients(cfg, region, profile, role_arn, external_id, role_session_name)
    from iamgate.collect import collect as collect_snapshot

    snapshot = collect_snapshot(clients, console.progress, cfg.collect.credential_report_timeout)
    _report_collection(snapshot, console)
    verdict = evaluate(snapshot, cfg, options)
    _finish(write_reports(verdict, outputs, snapshot), console)


def _report_collection(snapshot: Snapshot, console: Console) -> None:
    calls = sum(snapshot.api_calls.values())
    console.progress(
        f"collected account {snapshot.account_id}: {len(snapshot.users)} users, "
        f"{len(snapshot.groups)} groups, {len(snapshot.roles)} roles, "
        f"{calls} API calls"
    )
    for err in snapshot.errors:
        typer.echo(f"iamgate: collection error: {err.describe()}", err=True)


@app.command()
@handle_errors
def collect(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the snapshot.")],
    config: ConfigPath = None,
    region: Region = None,
    profile: Profile = None,
    role_arn: RoleArn = None,
    external_id: ExternalId = None,
    role_session_name: SessionName = "iamgate",
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Collect a snapshot only (for offline replay with `iamgate evaluate`).

    Exits 3 if any data could not be collected; the snapshot is still written, with the errors.
    """
    console = Console(verbose, quiet)
    cfg = load_config(config)
    clients = _clients(cfg, region, profile, role_arn, external_id, role_session_name)
    from iamgate.collect import collect as collect_snapshot

    snapshot = collect_snapshot(clients, console.progress, cfg.collect.credential_report_timeout)
    write_atomic(output, snapshot_to_json(snapshot))
    _report_collection(snapshot, console)
    console.info(
        f"iamgate: wrote snapshot of account {snapshot.account_id} to {output} "
        f"({len(snapshot.errors)} collection errors)"
    )
    raise typer.Exit(int(ExitCode.COLLECT_ERROR if snapshot.errors else ExitCode.PASS))


@app.command("evaluate")
@handle_errors
def evaluate_cmd(
    snapshot_path: Annotated[
        Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot.json from `collect`.")
    ],
    baseline: BaselinePath = None,
    config: ConfigPath = None,
    output_dir: OutputDir = None,
    junit: JunitPath = None,
    markdown: MarkdownPath = None,
    json_path: JsonPath = None,
    fail_on: FailOn = None,
    checks: ChecksOpt = None,
    skip_checks: SkipOpt = None,
    allow_partial: AllowPartial = False,
    as_of: AsOf = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Check a saved snapshot offline and gate it on the baseline (no AWS access)."""
    console = Console(verbose, quiet)
    cfg = load_config(config)
    _announce_config(cfg, console)
    snapshot = load_snapshot(snapshot_path)
    options = GateOptions(
        baseline=baseline,
        fail_on=fail_on,
        checks=_csv(checks),
        skip_checks=_csv(skip_checks),
        allow_partial=allow_partial,
        as_of=_as_of(as_of),
    )
    outputs = Outputs(
        output_dir=output_dir,
        junit=junit,
        markdown=markdown,
        json=json_path,
        step_summary=_step_summary(),
    )
    verdict = evaluate(snapshot, cfg, options)
    _finish(write_reports(verdict, outputs), console)


@checks_app.callback()
@handle_errors
def checks_list(
    ctx: typer.Context,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the checks: id, severity, title, CIS and Security Hub (FSBP) controls."""
    if ctx.invoked_subcommand is not None:
        return
    metas = [c.meta for c in REGISTRY.values()]
    if output_format == "json":
        typer.echo(
            json.dumps(
                [
                    {
                        "id": m.id,
                        "severity": m.severity.value,
                        "title": m.title,
                        "resource_type": m.resource_type,
                        "cis": list(m.cis),
                        "fsbp": list(m.fsbp),
                        "requires": [s.value for s in m.requires],
                        "rationale": m.rationale,
                        "remediation": m.remediation,
                    }
                    for m in metas
                ],
                indent=2,
            )
        )
    elif output_format == "table":
        rows = [
            [m.id, m.severity.value, m.title, ", ".join(m.cis), ", ".join(m.fsbp)] for m in metas
        ]
        typer.echo(
            tabulate(
                rows, headers=["id", "severity", "title", "CIS", "FSBP"], disable_numparse=True
            )
        )
    else:
        raise InputError(f"unknown format {output_format!r} (table or json)", "--format")


@checks_app.command("show")
@handle_errors
def checks_show(check_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Show one check's rationale and remediation."""
    chk = REGISTRY.get(check_id)
    if chk is None:
        raise InputError(f"unknown check {check_id!r} (see `iamgate checks`)", "ID")
    m = chk.meta
    typer.echo(
        f"{m.id}: {m.title}\n"
        f"severity:    {m.severity.value}\n"
        f"resource:    {m.resource_type}\n"
        f"CIS:         {', '.join(m.cis) or '-'}\n"
        f"FSBP:        {', '.join(m.fsbp) or '-'}\n"
        f"data:        {', '.join(s.value for s in m.requires)}\n\n"
        f"Why: {m.rationale}\n\nFix: {m.remediation}"
    )


@app.command()
@handle_errors
def demo(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", help="Where to write the reports.")
    ] = Path("iamgate-demo"),
    quiet: Quiet = False,
) -> None:
    """Scan an embedded moto account seeded with typical mistakes (needs iamgate[demo])."""
    from iamgate.demo import run_demo

    console = Console(verbose=True, quiet=quiet)
    report = run_demo(output_dir, console.progress)
    _finish(report, console)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"iamgate {__version__}")


def main() -> None:
    app()
