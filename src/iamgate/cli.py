"""The ``iamgate`` command. Thin: parse arguments, call the pipeline, map errors to exit codes.

Exit codes: 0 pass, 1 new non-compliance or expired exception, 2 bad input, 3 could not collect,
4 internal error (a bug). Expected failures print one message on stderr, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from tabulate import tabulate

from iamgate import __version__
from iamgate.accounts import (
    AccountTarget,
    load_accounts,
    matrix,
    organization_accounts,
    select,
)
from iamgate.analyzer_export import load_findings_file, with_exported_findings
from iamgate.aws import AwsOptions, Clients
from iamgate.baseline import load_baseline
from iamgate.baseline_cli import baseline_app
from iamgate.checks import REGISTRY, select_checks
from iamgate.collect import collect as collect_snapshot
from iamgate.config import Config, load_config
from iamgate.errors import ExitCode, IamgateError, InputError
from iamgate.merge import merge as merge_results
from iamgate.model import Severity
from iamgate.multiscan import DEFAULT_JOBS, PLACEHOLDER, baseline_for, scan_accounts
from iamgate.output import write_atomic
from iamgate.pipeline import (
    GateOptions,
    Outputs,
    Report,
    config_notes,
    evaluate,
    for_account,
    write_reports,
)
from iamgate.report.annotations import render_annotations
from iamgate.snapshot import Snapshot, load_snapshot, snapshot_to_json

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
app.add_typer(baseline_app, name="baseline")

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


def _regions(values: list[str] | None) -> tuple[str, ...]:
    regions = _csv(values)
    for r in regions:
        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", r):
            raise InputError(f"not an AWS region name: {r!r}", "--regions")
    return regions


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
        "--output-dir",
        help="Write junit.xml, summary.md, results.json, results.csv and snapshot.json here.",
    ),
]
JunitPath = Annotated[
    Path | None,
    typer.Option("--junit", help="JUnit XML file (overrides --output-dir for this report)."),
]
MarkdownPath = Annotated[Path | None, typer.Option("--markdown", help="Markdown summary file.")]
JsonPath = Annotated[Path | None, typer.Option("--json", help="JSON results file.")]
CsvPath = Annotated[
    Path | None, typer.Option("--csv", help="CSV file, one row per finding (for reviewers).")
]
RegionsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--regions",
        help="Regions to collect IAM Access Analyzer from (comma-separated or repeated; "
        "default: every region enabled for the account, via ec2:DescribeRegions).",
    ),
]
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
Organization = Annotated[
    bool,
    typer.Option(
        "--organization",
        help="Scan every ACTIVE account of the organization (needs --member-role-name; the "
        "caller's own account is scanned with the caller's credentials).",
    ),
]
MemberRole = Annotated[
    str | None,
    typer.Option(
        "--member-role-name", help="With --organization: the role to assume in each account."
    ),
]
AccountsFile = Annotated[
    Path | None,
    typer.Option(
        "--accounts",
        help="Scan the accounts in this YAML/JSON list of {account_id, role_arn}.",
    ),
]
AccountIds = Annotated[
    list[str] | None,
    typer.Option(
        "--account-ids",
        help="With --organization/--accounts: only these accounts (a matrix chunk).",
    ),
]
Jobs = Annotated[
    int,
    typer.Option("--jobs", help="Accounts scanned at a time (IAM and STS throttle)."),
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show progress even when not in a terminal.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
BadgePath = Annotated[
    Path | None,
    typer.Option(
        "--badge",
        help="Status badge: shields.io endpoint JSON here, and an SVG beside it (.svg).",
    ),
]
AnnotationsOpt = Annotated[
    bool | None,
    typer.Option(
        "--annotations/--no-annotations",
        help="Print GitHub ::error/::warning workflow commands for new failures and expiring "
        "exceptions [default: on when GITHUB_ACTIONS=true].",
    ),
]


def _aws_options(
    config: Config,
    region: str | None,
    profile: str | None,
    role_arn: str | None,
    external_id: str | None,
    session_name: str,
) -> AwsOptions:
    c = config.collect
    return AwsOptions(
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


def _clients(
    config: Config,
    region: str | None,
    profile: str | None,
    role_arn: str | None,
    external_id: str | None,
    session_name: str,
) -> Clients:
    return Clients(_aws_options(config, region, profile, role_arn, external_id, session_name))


def _announce_config(config: Config, console: Console) -> None:
    for note in config_notes(config):
        console.info(f"iamgate: config: {note}")


def _annotations_on(value: bool | None) -> bool:
    return value if value is not None else os.environ.get("GITHUB_ACTIONS") == "true"


def _finish(
    report: Report, console: Console, print_summary: bool = True, annotations: bool = False
) -> None:
    if print_summary and not console.quiet:
        typer.echo(report.markdown)
    if annotations:  # even with --quiet: they are how the failures reach the pull request
        typer.echo(render_annotations(report.verdict), nl=False)
    for kind, path in report.written.items():
        console.progress(f"wrote {kind}: {path}")
    console.info(report.verdict.one_line())
    raise typer.Exit(int(report.verdict.exit_code))


def _gate_options(
    baseline: Path | None,
    fail_on: Severity | None,
    checks: list[str] | None,
    skip_checks: list[str] | None,
    allow_partial: bool,
    as_of: str | None,
) -> GateOptions:
    return GateOptions(
        baseline=baseline,
        fail_on=fail_on,
        checks=_csv(checks),
        skip_checks=_csv(skip_checks),
        allow_partial=allow_partial,
        as_of=_as_of(as_of),
    )


def _outputs(
    output_dir: Path | None,
    junit: Path | None,
    markdown: Path | None,
    json_path: Path | None,
    csv_path: Path | None,
    badge: Path | None,
) -> Outputs:
    return Outputs(
        output_dir=output_dir,
        junit=junit,
        markdown=markdown,
        json=json_path,
        step_summary=_step_summary(),
        csv=csv_path,
        badge=badge,
    )


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
    csv_path: CsvPath = None,
    region: Region = None,
    regions: RegionsOpt = None,
    profile: Profile = None,
    role_arn: RoleArn = None,
    external_id: ExternalId = None,
    role_session_name: SessionName = "iamgate",
    fail_on: FailOn = None,
    checks: ChecksOpt = None,
    skip_checks: SkipOpt = None,
    allow_partial: AllowPartial = False,
    as_of: AsOf = None,
    organization: Organization = False,
    member_role_name: MemberRole = None,
    accounts_file: AccountsFile = None,
    account_ids: AccountIds = None,
    jobs: Jobs = DEFAULT_JOBS,
    badge: BadgePath = None,
    annotations: AnnotationsOpt = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Collect from the account boto3 reaches, check it, gate on the baseline, write reports.

    With --organization or --accounts, every listed account is scanned by assuming its role,
    and --baseline is a template such as 'baselines/{account_id}.yml'.
    """
    console = Console(verbose, quiet)
    cfg = load_config(config)
    _announce_config(cfg, console)
    options = _gate_options(baseline, fail_on, checks, skip_checks, allow_partial, as_of)
    outputs = _outputs(output_dir, junit, markdown, json_path, csv_path, badge)
    # Validate the selection (and the baseline's syntax) before spending API calls.

    select_checks(options.checks, options.skip_checks)
    wanted_regions = _regions(regions)  # bad input before any API call
    if organization or accounts_file is not None or account_ids:
        if role_arn is not None:
            raise InputError(
                "is for one account; with --organization/--accounts each account's role is used",
                "--role-arn",
            )
        aws = _aws_options(cfg, region, profile, None, external_id, role_session_name)
        targets = select(
            _targets(aws, organization, member_role_name, accounts_file), _csv(account_ids)
        )
        console.progress(f"scanning {len(targets)} accounts, {jobs} at a time")
        verdict = scan_accounts(
            targets,
            aws,
            cfg,
            replace(options, baseline=None),
            str(baseline) if baseline is not None else None,
            jobs,
            console.progress,
            wanted_regions,
        )
        for err in verdict.collection_errors:
            typer.echo(f"iamgate: collection error: [{err.account_id}] {err.describe()}", err=True)
        _finish(write_reports(verdict, outputs), console, annotations=_annotations_on(annotations))
    template = baseline is not None and PLACEHOLDER in str(baseline)
    # Read (and so validated) before spending API calls; its account is checked once known.
    loaded = load_baseline(baseline, REGISTRY) if baseline is not None and not template else None
    clients = _clients(cfg, region, profile, role_arn, external_id, role_session_name)
    snapshot = collect_snapshot(
        clients, console.progress, cfg.collect.credential_report_timeout, wanted_regions
    )
    _report_collection(snapshot, console)
    if template:  # 'baselines/{account_id}.yml': the account is known only now
        chosen = baseline_for(str(baseline), snapshot.account_id)
        verdict = evaluate(snapshot, cfg, replace(options, baseline=None), chosen.baseline)
        if chosen.note:
            verdict = replace(verdict, notes=(*verdict.notes, chosen.note))
    else:
        checked = for_account(loaded, snapshot.account_id) if loaded is not None else None
        verdict = evaluate(snapshot, cfg, replace(options, baseline=None), checked)
    _finish(
        write_reports(verdict, outputs, snapshot), console, annotations=_annotations_on(annotations)
    )


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
    regions: RegionsOpt = None,
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
    wanted_regions = _regions(regions)  # bad input before any API call
    clients = _clients(cfg, region, profile, role_arn, external_id, role_session_name)
    snapshot = collect_snapshot(
        clients, console.progress, cfg.collect.credential_report_timeout, wanted_regions
    )
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
    annotations: AnnotationsOpt = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Check a saved snapshot offline and gate it on the baseline (no AWS access)."""
    console = Console(verbose, quiet)
    cfg = load_config(config)
    _announce_config(cfg, console)
    snapshot = load_snapshot(snapshot_path)
    if access_analyzer_findings is not None:
        exported = load_findings_file(access_analyzer_findings)
        snapshot = with_exported_findings(snapshot, exported)
        console.progress(f"{len(exported.findings)} ACTIVE findings from {exported.export}")
    options = _gate_options(baseline, fail_on, checks, skip_checks, allow_partial, as_of)
    outputs = _outputs(output_dir, junit, markdown, json_path, csv_path, badge)
    verdict = evaluate(snapshot, cfg, options)
    _finish(write_reports(verdict, outputs), console, annotations=_annotations_on(annotations))


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


def _targets(
    aws: AwsOptions, organization: bool, member_role: str | None, accounts_file: Path | None
) -> list[AccountTarget]:
    if organization == (accounts_file is not None):
        raise InputError("give exactly one of --organization and --accounts", "--organization")
    if accounts_file is not None:
        return load_accounts(accounts_file)
    if not member_role:
        raise InputError("--organization needs --member-role-name", "--member-role-name")
    return organization_accounts(Clients(aws), member_role)


@app.command()
@handle_errors
def accounts(
    organization: Organization = False,
    member_role_name: MemberRole = None,
    accounts_file: AccountsFile = None,
    account_ids: AccountIds = None,
    matrix_out: Annotated[
        bool,
        typer.Option("--matrix", help="Print the JSON for a GitHub Actions strategy.matrix."),
    ] = False,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Accounts per matrix job.")] = 10,
    config: ConfigPath = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """List the accounts a multi-account scan would cover (or chunk them for a matrix)."""
    cfg = load_config(config)
    aws = _aws_options(cfg, region, profile, None, None, "iamgate")
    targets = select(
        _targets(aws, organization, member_role_name, accounts_file), _csv(account_ids)
    )
    if matrix_out:
        typer.echo(matrix(targets, chunk_size))
    else:
        typer.echo(
            json.dumps([{"account_id": t.account_id, "role_arn": t.role_arn} for t in targets])
        )


@app.command("merge")
@handle_errors
def merge_cmd(
    files: Annotated[
        list[Path], typer.Argument(metavar="RESULTS...", help="results.json files to combine.")
    ],
    output_dir: OutputDir = None,
    junit: JunitPath = None,
    markdown: MarkdownPath = None,
    json_path: JsonPath = None,
    badge: BadgePath = None,
    annotations: AnnotationsOpt = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Combine the results.json of several jobs (a matrix) into one report and exit code."""
    console = Console(verbose, quiet)
    verdict = merge_results(files)
    outputs = _outputs(output_dir, junit, markdown, json_path, None, badge)
    _finish(write_reports(verdict, outputs), console, annotations=_annotations_on(annotations))


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"iamgate {__version__}")


def main() -> None:
    app()
