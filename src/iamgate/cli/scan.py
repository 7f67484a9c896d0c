"""``iamgate scan``: collect, check, gate on the baseline, write reports."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import typer

from iamgate.cli.aws_options import aws_options
from iamgate.cli.common import (
    AccountIds,
    AccountsFile,
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
    HistoryPath,
    HtmlPath,
    Jobs,
    JsonPath,
    JunitPassingOpt,
    JunitPath,
    MarkdownPath,
    MemberRole,
    OcsfPath,
    Organization,
    OrganizationRole,
    OutputDir,
    PreviousPath,
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
    error_text,
    finish,
    gate_options,
    handle_errors,
    outputs,
    parse_regions,
    parse_role_arn,
    report_collection,
    split_csv,
)
from iamgate.errors import InputError
from iamgate.model.targets import DEFAULT_JOBS

if TYPE_CHECKING:
    from iamgate.model.snapshot import Snapshot


@handle_errors
def scan(
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
    organization: Organization = False,
    member_role_name: MemberRole = None,
    organization_role: OrganizationRole = None,
    accounts_file: AccountsFile = None,
    account_ids: AccountIds = None,
    jobs: Jobs = DEFAULT_JOBS,
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
    """Collect from the account boto3 reaches, check it, gate on the baseline, write reports.

    With --organization or --accounts, every listed account is scanned by assuming its role,
    and --baseline is a template such as 'baselines/{account_id}.yml'. The organization's SCPs
    and RCPs are read once for every account (docs/organizations.md).
    """
    # The AWS side (boto3) and the use cases are imported when a scan runs, not by every
    # command of the CLI.
    from iamgate.app.gating import finish_run
    from iamgate.app.scan import scan_one
    from iamgate.app.scan_many import organization_reader, scan_accounts
    from iamgate.app.targets import resolve_targets, select
    from iamgate.aws.clients import Clients
    from iamgate.checks import select_checks
    from iamgate.formats.config_toml import load_config

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
        history,
        junit_passing,
        sarif,
        ocsf,
    )
    # Bad input before any API call: the selection, the region names, the earlier runs.
    select_checks(options.checks, options.skip_checks)
    run = begin(where, previous, console)
    wanted_regions = parse_regions(regions)
    org_role = parse_role_arn(organization_role, "--organization-role")
    annotate = annotations_on(annotations)
    if organization or accounts_file is not None or account_ids:
        if role_arn is not None:
            raise InputError(
                "is for one account; with --organization/--accounts each account's role is used",
                "--role-arn",
            )
        aws = aws_options(cfg, region, profile, None, external_id, role_session_name)
        targets = select(
            resolve_targets(aws, organization, member_role_name, accounts_file),
            split_csv(account_ids),
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
            organization_reader(aws, cfg, organization, org_role),
        )
        for err in verdict.collection_errors:
            typer.echo(
                f"iamgate: collection error: [{err.account_id}] {error_text(err.describe())}",
                err=True,
            )
        finish(finish_run(run, verdict), console, annotations=annotate)
        return
    clients = Clients(aws_options(cfg, region, profile, role_arn, external_id, role_session_name))

    def collected(snapshot: Snapshot) -> None:
        report_collection(snapshot, console)

    scanned = scan_one(clients, cfg, options, console.progress, wanted_regions, collected, org_role)
    finish(finish_run(run, scanned.verdict, scanned.snapshot), console, annotations=annotate)
