"""``iamgate plan``: judge a Terraform plan or a CloudFormation template against the account it
will land in, before it is deployed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from iamgate.cli.aws_options import aws_options
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
    ExternalId,
    FailOn,
    HtmlPath,
    JsonPath,
    JunitPassingOpt,
    JunitPath,
    MarkdownPath,
    OcsfPath,
    OutputDir,
    Profile,
    Quiet,
    Region,
    RegionsOpt,
    RoleArn,
    SarifPath,
    SessionName,
    SkipOpt,
    Verbose,
    annotations_on,
    announce_config,
    begin,
    finish,
    gate_options,
    handle_errors,
    outputs,
    parse_regions,
    report_collection,
)

# The parsers of plans and templates (YAML among them) are imported when the command runs.
if TYPE_CHECKING:
    from iamgate.app.plan import PolicyReader
    from iamgate.model.config import Config
    from iamgate.model.snapshot import CollectionError, ManagedPolicy, Snapshot

SnapshotPath = Annotated[
    Path | None,
    typer.Option(
        "--snapshot",
        help="The account before the change: a snapshot.json (e.g. the nightly run's). "
        "Without it, the account is collected read-only, as `scan` does.",
    ),
]
TerraformOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--terraform",
        help="A Terraform or OpenTofu plan in JSON (`terraform show -json PLANFILE`); repeat "
        "for several.",
    ),
]
CloudFormationOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--cloudformation",
        help="A CloudFormation template, JSON or YAML (CDK: cdk.out/*.template.json); repeat "
        "for several.",
    ),
]
StackName = Annotated[
    str | None,
    typer.Option(
        "--stack-name",
        help="The stack the templates deploy as (AWS::StackName, generated names) [default: "
        "each template's file name].",
    ),
]
ParameterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--parameter",
        help="A template parameter, KEY=VALUE; repeat for several (a value may hold commas: "
        "CommaDelimitedList).",
    ),
]
ReadMissing = Annotated[
    bool,
    typer.Option(
        "--read-missing-policies",
        help="With --snapshot: read from AWS (read-only, the usual credential chain: "
        "iam:GetPolicy, iam:GetPolicyVersion) the documents of the AWS-managed policies the "
        "change attaches that the snapshot lacks, and only those. Without --snapshot they "
        "are always read.",
    ),
]


@handle_errors
def plan(
    terraform: TerraformOpt = None,
    cloudformation: CloudFormationOpt = None,
    snapshot_path: SnapshotPath = None,
    stack_name: StackName = None,
    parameter: ParameterOpt = None,
    read_missing_policies: ReadMissing = False,
    baseline: BaselinePath = None,
    config: ConfigPath = None,
    output_dir: OutputDir = None,
    junit: JunitPath = None,
    junit_passing: JunitPassingOpt = "auto",
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
    badge: BadgePath = None,
    html: HtmlPath = None,
    sarif: SarifPath = None,
    ocsf: OcsfPath = None,
    annotations: AnnotationsOpt = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Judge a change before it is deployed: the account as the change would leave it,
    compared with the account before; fails only on findings the change introduces.

    The --region option is also AWS::Region for templates.
    """
    from iamgate.app.gating import finish_run
    from iamgate.app.plan import (
        DEFAULT_REGION,
        PlanFiles,
        parse_parameters,
        plan_change,
        read_change_files,
    )
    from iamgate.checks import select_checks
    from iamgate.formats.config_toml import load_config
    from iamgate.formats.snapshot_json import load_snapshot

    console = Console(verbose, quiet)
    cfg = load_config(config)
    announce_config(cfg, console)
    options = gate_options(baseline, fail_on, checks, skip_checks, allow_partial, as_of)
    where = outputs(
        output_dir,
        junit,
        markdown,
        json_path,
        csv_path,
        badge,
        html,
        None,
        junit_passing,
        sarif,
        ocsf,
    )
    # Bad input before any API call or check: the change files, the selection, the regions.
    files = PlanFiles(
        terraform=tuple(terraform or ()),
        cloudformation=tuple(cloudformation or ()),
        stack_name=stack_name,
        parameters=parse_parameters(parameter or ()),
        region=region or DEFAULT_REGION,
    )
    read = read_change_files(files)
    select_checks(options.checks, options.skip_checks)
    wanted_regions = parse_regions(regions)
    run = begin(where, None, console)
    aws = (region, profile, role_arn, external_id, role_session_name)
    clients = None
    if snapshot_path is not None:
        snapshot = load_snapshot(snapshot_path)
        if read_missing_policies:
            clients = _clients(cfg, aws)
    else:
        clients = _clients(cfg, aws)
        snapshot = _collected(clients, cfg, wanted_regions, console)
    reader = _policy_reader(clients, console) if clients is not None else None
    planned = plan_change(snapshot, cfg, options, read, reader)
    # No snapshot.json: the account after is not an account that was read (the reports say what
    # it is; `evaluate` writes none either).
    report = finish_run(run, planned.verdict)
    finish(report, console, annotations=annotations_on(annotations))


AwsArgs = tuple[str | None, str | None, str | None, str | None, str]


def _clients(cfg: Config, aws: AwsArgs) -> Any:
    """The AWS clients, as ``scan`` builds them (boto3 is imported only when AWS is read)."""
    from iamgate.aws.clients import Clients

    return Clients(aws_options(cfg, *aws))


def _collected(clients: Any, cfg: Config, regions: tuple[str, ...], console: Console) -> Snapshot:
    """The account before the change, read as ``scan`` reads it."""
    from iamgate.app.scan import collect_account

    snapshot = collect_account(clients, cfg, console.progress, regions)
    report_collection(snapshot, console)
    return snapshot


def _policy_reader(clients: Any, console: Console) -> PolicyReader:
    """Reads AWS-managed policies' documents with ``clients`` (only those asked for)."""
    from iamgate.collect.iam import read_aws_managed_policies

    def read(arns: Sequence[str]) -> Mapping[str, ManagedPolicy | CollectionError]:
        return read_aws_managed_policies(clients, arns, console.progress)

    return read
