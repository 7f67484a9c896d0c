"""``iamgate collect``: a snapshot only, for offline replay with ``iamgate evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iamgate.cli.aws_options import aws_options
from iamgate.cli.common import (
    ConfigPath,
    Console,
    ExternalId,
    OrganizationRole,
    Profile,
    Quiet,
    Region,
    RegionsOpt,
    RoleArn,
    SessionName,
    Verbose,
    handle_errors,
    parse_regions,
    parse_role_arn,
    report_collection,
)
from iamgate.errors import ExitCode
from iamgate.formats.files import write_atomic


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
    organization_role: OrganizationRole = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Collect a snapshot only (for offline replay with `iamgate evaluate`).

    Exits 3 if any data could not be collected; the snapshot is still written, with the errors.
    """
    from iamgate.app.scan import collect_account, organization_role_reader
    from iamgate.aws.clients import Clients  # boto3: imported when a collection runs
    from iamgate.formats.config_toml import load_config
    from iamgate.formats.snapshot_json import snapshot_to_json

    console = Console(verbose, quiet)
    cfg = load_config(config)
    wanted_regions = parse_regions(regions)  # bad input before any API call
    org_role = parse_role_arn(organization_role, "--organization-role")
    clients = Clients(aws_options(cfg, region, profile, role_arn, external_id, role_session_name))
    reader = organization_role_reader(clients, org_role, cfg)
    snapshot = collect_account(clients, cfg, console.progress, wanted_regions, reader)
    write_atomic(output, snapshot_to_json(snapshot))
    report_collection(snapshot, console)
    console.info(
        f"iamgate: wrote snapshot of account {snapshot.account_id} to {output} "
        f"({len(snapshot.errors)} collection errors)"
    )
    raise typer.Exit(int(ExitCode.COLLECT_ERROR if snapshot.errors else ExitCode.PASS))
