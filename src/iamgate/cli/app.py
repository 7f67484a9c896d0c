"""The ``iamgate`` command: every subcommand registered on one typer app."""

from __future__ import annotations

import typer

from iamgate import __version__
from iamgate.cli.accounts import accounts
from iamgate.cli.baseline import baseline_app
from iamgate.cli.checks import checks_app
from iamgate.cli.collect import collect
from iamgate.cli.demo import demo
from iamgate.cli.evaluate import evaluate_cmd
from iamgate.cli.github_outputs import github_outputs
from iamgate.cli.merge import merge_cmd
from iamgate.cli.plan import plan
from iamgate.cli.scan import scan

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
app.add_typer(checks_app, name="checks")
app.add_typer(baseline_app, name="baseline")
app.command("scan")(scan)
app.command("collect")(collect)
app.command("evaluate")(evaluate_cmd)
app.command("plan")(plan)
app.command("demo")(demo)
app.command("accounts")(accounts)
app.command("merge")(merge_cmd)
app.command("github-outputs")(github_outputs)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"iamgate {__version__}")


def main() -> None:
    app()
