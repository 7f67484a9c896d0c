"""What every command shares: error handling (one place), the console, option definitions,
argument parsers, and how a gating run finishes.

Exit codes: 0 pass, 1 new non-compliance or expired exception, 2 bad input, 3 could not collect,
4 internal error (a bug). Expected failures print one message on stderr, never a traceback.

Every message iamgate prints itself goes through :func:`iamgate.text.terminal` (one line, no
workflow command an account or a baseline could smuggle in), and every error message through
:func:`iamgate.aws.secrets.scrub` (no credential, even one botocore echoes).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, cast, get_args

import typer

from iamgate.aws.secrets import scrub
from iamgate.cli.streams import (
    EXIT_CLOSED_PIPE,
    closed_pipe,
    flush_at_exit,
    pipe_may_close,
    silence_closed,
)
from iamgate.errors import ExitCode, IamgateError, InputError
from iamgate.model.results import Severity  # --fail-on's choices
from iamgate.text import terminal

# The use cases and the reports are imported by the functions that need them, when a command
# runs: the CLI starts (and says --help) without every command's dependencies.
if TYPE_CHECKING:
    from iamgate.app.evaluate import GateOptions
    from iamgate.app.gating import GatingRun
    from iamgate.app.reports import Outputs, Report
    from iamgate.model.config import Config
    from iamgate.model.snapshot import Snapshot

F = TypeVar("F", bound=Callable[..., Any])
_KIND = {ExitCode.BAD_INPUT: "bad input", ExitCode.COLLECT_ERROR: "could not collect"}


class Console:
    """stderr messages: progress only in a terminal (or with --verbose), nothing with --quiet."""

    def __init__(self, verbose: bool = False, quiet: bool = False):
        self.quiet = quiet
        self.progress_on = not quiet and (verbose or sys.stderr.isatty())

    def progress(self, message: str) -> None:
        if self.progress_on:
            say(f"iamgate: {message}")

    def info(self, message: str) -> None:
        if not self.quiet:
            say(message)


def say(message: str, err: bool = True) -> None:
    """Print one line of iamgate's own (stderr by default), made inert (:func:`terminal`)."""
    typer.echo(terminal(message), err=err)


def error_text(message: object) -> str:
    """An error message as it may be shown: no credential in it, one inert line."""
    return terminal(scrub(str(message)))


class Terminated(BaseException):
    """SIGTERM (a CI runner cancelling the job): unwinds like Ctrl-C, so every ``finally``
    runs (temp files removed) and no ``except Exception`` can swallow it."""


def _terminate(signum: int, _frame: Any) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def _sigterm_handled() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


EXIT_TERMINATED = 128 + signal.SIGTERM  # as a shell reports a process ended by SIGTERM


def handle_errors(fn: F) -> F:
    """Every command's errors, mapped to one message and its exit code. SIGTERM ends the run
    with exit 143 (Ctrl-C: 130) once the reports being written are complete (``write_all_atomic``
    holds it until then) and every temp file is gone, at once, whatever calls are in flight."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _sigterm_handled():
                return fn(*args, **kwargs)
        except Terminated:
            _stop(EXIT_TERMINATED, "iamgate: terminated (SIGTERM)")
        except IamgateError as exc:
            if exc.exit_code is ExitCode.INTERNAL_ERROR:
                _internal(str(exc))
            typer.echo(f"iamgate: error ({_KIND[exc.exit_code]}): {error_text(exc)}", err=True)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            _stop(EXIT_INTERRUPTED, "iamgate: interrupted")
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BrokenPipeError as exc:
            if not closed_pipe():  # not stdout or stderr: a connection iamgate mishandled
                _internal(f"{type(exc).__name__}: {exc}")
            silence_closed()  # `iamgate ... | head`: stop quietly, as shells expect
            raise typer.Exit(EXIT_CLOSED_PIPE) from None
        except OSError as exc:
            if exc.filename is None:  # not about a file: a bug (or a socket iamgate mishandled)
                _internal(f"{type(exc).__name__}: {exc}")
            # A path the user named that the system refuses (too long, a loop of links, no
            # permission) wherever it is first touched: bad input naming it.
            where = error_text(exc.filename)
            typer.echo(f"iamgate: error (bad input): {where}: {exc.strerror}", err=True)
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
        except Exception as exc:  # a bug
            _internal(f"{type(exc).__name__}: {exc}")

    return wrapper  # type: ignore[return-value]


EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as a shell reports Ctrl-C


def _stop(code: int, message: str) -> NoReturn:
    """End the run now. The signal has unwound the main thread (every ``finally`` ran: temp
    files removed; a report set being written was completed first, ``write_all_atomic`` holds
    signals), but worker threads may be stalled in a call that answers in minutes: the process
    ends without joining them (``os._exit``), after flushing what it printed."""
    with pipe_may_close():
        typer.echo(message, err=True)
    flush_at_exit()
    os._exit(code)


def _internal(what: str) -> NoReturn:
    """Called from an ``except`` block: a bug, said so; never exit 0 or 1."""
    typer.echo(
        f"iamgate: internal error: {error_text(what)} (please report this; set IAMGATE_DEBUG=1 "
        "for a traceback)",
        err=True,
    )
    if os.environ.get("IAMGATE_DEBUG"):
        raise  # the exception being handled: a traceback for the bug report
    raise typer.Exit(int(ExitCode.INTERNAL_ERROR)) from None


# --- argument parsers ---------------------------------------------------------------------------


def split_csv(values: list[str] | None) -> tuple[str, ...]:
    """Comma-separated or repeated option values, in order, blanks dropped."""
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def parse_regions(values: list[str] | None) -> tuple[str, ...]:
    regions = split_csv(values)
    for r in regions:
        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", r):
            raise InputError(f"not an AWS region name: {r!r}", "--regions")
    return regions


_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")


def parse_role_arn(value: str | None, option: str) -> str | None:
    """A role ARN, checked before any call (bad input, not an AssumeRole failure later)."""
    if value is not None and not _ROLE_ARN.fullmatch(value):
        raise InputError(f"not an IAM role ARN: {value!r}", option)
    return value


def parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}", "--as-of") from None


def today_or(value: str | None) -> date:
    return parse_as_of(value) or datetime.now(UTC).date()


def step_summary() -> Path | None:
    value = os.environ.get("GITHUB_STEP_SUMMARY")
    return Path(value) if value else None


def annotations_on(value: bool | None) -> bool:
    return value if value is not None else os.environ.get("GITHUB_ACTIONS") == "true"


# --- options shared by several commands ----------------------------------------------------------
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
        help="Write junit.xml, summary.md, results.json, results.csv, report.html, "
        "results.sarif and snapshot.json here.",
    ),
]
JunitPath = Annotated[
    Path | None,
    typer.Option("--junit", help="JUnit XML file (overrides --output-dir for this report)."),
]
JunitPassingOpt = Annotated[
    str,
    typer.Option(
        "--junit-passing",
        metavar="[auto|each|summary]",
        help="Passing resources in junit.xml: 'each' one test case per resource, 'summary' one "
        "test case per check (and account) that counts them; failures, accepted exceptions and "
        "errors are always one case per resource. 'auto': each for one account, summary for "
        "several.",
    ),
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
        help="Regions to collect IAM Access Analyzer, CloudTrail, metric filters, alarms and "
        "EventBridge rules from (comma-separated or repeated; default: every region enabled "
        "for the account, via ec2:DescribeRegions).",
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
OrganizationRole = Annotated[
    str | None,
    typer.Option(
        "--organization-role",
        help="Read the organization's service and resource control policies (SCPs, RCPs) with "
        "this role of the management account or a delegated administrator (needed to read "
        "them for a member account; without them access is judged by IAM policies alone, and "
        "the reports say so).",
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
HtmlPath = Annotated[
    Path | None,
    typer.Option(
        "--html", help="Self-contained HTML report (overrides --output-dir's report.html)."
    ),
]
HistoryPath = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="Append this run to this history file (JSON lines, the last 400 runs; created when "
        "missing) and draw the trend in the HTML report.",
    ),
]
SarifPath = Annotated[
    Path | None,
    typer.Option(
        "--sarif",
        help="SARIF 2.1.0 file for GitHub code scanning (overrides --output-dir's results.sarif).",
    ),
]
OcsfPath = Annotated[
    Path | None,
    typer.Option(
        "--ocsf",
        help="OCSF Compliance Finding records (JSON) for Security Hub or a security data lake; "
        "needs pip install 'iamgate[ocsf]'.",
    ),
]
PreviousPath = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help="The last run's results.json: say what appeared and what was fixed since then "
        "(summary, HTML report, results.json).",
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


def gate_options(
    baseline: Path | None,
    fail_on: Severity | None,
    checks: list[str] | None,
    skip_checks: list[str] | None,
    allow_partial: bool,
    as_of: str | None,
) -> GateOptions:
    from iamgate.app.evaluate import GateOptions

    return GateOptions(
        baseline=baseline,
        fail_on=fail_on,
        checks=split_csv(checks),
        skip_checks=split_csv(skip_checks),
        allow_partial=allow_partial,
        as_of=parse_as_of(as_of),
    )


def outputs(
    output_dir: Path | None,
    junit: Path | None,
    markdown: Path | None,
    json_path: Path | None,
    csv_path: Path | None,
    badge: Path | None,
    html: Path | None = None,
    history: Path | None = None,
    junit_passing: str = "auto",
    sarif: Path | None = None,
    ocsf: Path | None = None,
) -> Outputs:
    from iamgate.app.reports import Outputs
    from iamgate.report.junit import JunitPassing

    choices = get_args(JunitPassing)
    if junit_passing not in choices:
        named = f"{', '.join(choices[:-1])} or {choices[-1]}"
        raise InputError(f"unknown value {junit_passing!r} ({named})", "--junit-passing")
    if ocsf is not None:
        require_ocsf()
    return Outputs(
        output_dir=output_dir,
        junit=junit,
        markdown=markdown,
        json=json_path,
        step_summary=step_summary(),
        csv=csv_path,
        badge=badge,
        html=html,
        history=history,
        junit_passing=cast(JunitPassing, junit_passing),
        sarif=sarif,
        ocsf=ocsf,
    )


def require_ocsf() -> None:
    """--ocsf needs py-ocsf-models, an optional extra: bad input at once, saying how to get it."""
    try:
        import py_ocsf_models  # noqa: F401  (its package alone: the models load when written)
    except ImportError:
        raise InputError(
            "needs the OCSF models, an optional extra: pip install 'iamgate[ocsf]'", "--ocsf"
        ) from None


def begin(outputs: Outputs, previous: Path | None, console: Console) -> GatingRun:
    """A gating run started: its reports' context and the previous run read before anything
    else is done (bad input at once), and what the history file holds said."""
    from iamgate.app.gating import start_run

    run = start_run(outputs, previous)
    note = run.history_note()
    if note is not None:
        console.info(f"iamgate: history: {note}")
    return run


def announce_config(config: Config, console: Console) -> None:
    from iamgate.app.evaluate import config_notes

    for note in config_notes(config):
        console.info(f"iamgate: config: {note}")


def report_collection(snapshot: Snapshot, console: Console) -> None:
    """What was collected (progress), and every collection error (always)."""
    calls = sum(snapshot.api_calls.values())
    console.progress(
        f"collected account {snapshot.account_id}: {len(snapshot.users)} users, "
        f"{len(snapshot.groups)} groups, {len(snapshot.roles)} roles, {calls} API calls"
    )
    for err in snapshot.errors:
        typer.echo(f"iamgate: collection error: {error_text(err.describe())}", err=True)


def finish(
    report: Report, console: Console, print_summary: bool = True, annotations: bool = False
) -> None:
    """Print what a gating run says, then exit with its verdict's code."""
    # The reports are written and the verdict decided: a reader that stops early (`| head`)
    # ends the printing, not the run, whose exit code stays the verdict's.
    with pipe_may_close():
        if print_summary and not console.quiet:
            typer.echo(report.markdown)
        if annotations:  # even with --quiet: they are how the failures reach the pull request
            from iamgate.report.annotations import render_annotations

            typer.echo(render_annotations(report.verdict), nl=False)
    with pipe_may_close():
        for kind, path in report.written.items():
            console.progress(f"wrote {kind}: {path}")
        for notice in report.notices:  # even with --quiet: a report left something out
            say(f"iamgate: warning: {notice}")
        console.info(report.verdict.one_line())
    raise typer.Exit(int(report.verdict.exit_code))
