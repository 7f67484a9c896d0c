"""``iamgate checks``: the catalogue, and one check's rationale and fix."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from iamgate.cli.common import handle_errors
from iamgate.errors import InputError

checks_app = typer.Typer(
    help="The check catalogue.", invoke_without_command=True, rich_markup_mode=None
)


@checks_app.callback()
@handle_errors
def checks_list(
    ctx: typer.Context,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the checks: id, severity, title, CIS and Security Hub (FSBP) controls."""
    from tabulate import tabulate

    from iamgate.checks import REGISTRY  # every check: imported when the command runs

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
    from iamgate.checks import REGISTRY

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
