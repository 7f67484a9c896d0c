"""``iamgate accounts``: the accounts a multi-account scan would cover, or their matrix chunks."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from iamgate.cli.aws_options import aws_options
from iamgate.cli.common import (
    AccountIds,
    AccountsFile,
    ConfigPath,
    MemberRole,
    Organization,
    Profile,
    Region,
    handle_errors,
    split_csv,
)


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
    from iamgate.app.targets import matrix, resolve_targets, select  # boto3, only when run
    from iamgate.formats.config_toml import load_config

    cfg = load_config(config)
    aws = aws_options(cfg, region, profile, None, None, "iamgate")
    targets = select(
        resolve_targets(aws, organization, member_role_name, accounts_file),
        split_csv(account_ids),
    )
    if matrix_out:
        typer.echo(matrix(targets, chunk_size))
    else:
        typer.echo(
            json.dumps([{"account_id": t.account_id, "role_arn": t.role_arn} for t in targets])
        )
