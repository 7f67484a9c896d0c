"""``iamgate github-outputs``: the Action's outputs (``key=value`` lines for ``$GITHUB_OUTPUT``),
read from a run's results.json.

Fail closed: no results, results that cannot be read, or an exit code that is neither pass nor
fail all give ``verdict=error``. The Action calls this after every run, whatever its verdict,
so later steps (the JUnit renderer, the badge) always have their outputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iamgate.cli.common import handle_errors
from iamgate.errors import InputError
from iamgate.model.results import COUNT_KEYS, Change, Status
from iamgate.text import github_output as _line

if TYPE_CHECKING:
    from iamgate.model.results import Verdict


def _counts(verdict: Verdict) -> dict[str, int]:
    """The counts a later step reads. A plan's ``new`` counts only the failures the change
    introduces (the ones that fail its gate), and ``introduced`` / ``fixed`` say what it does."""
    counts = dict(verdict.counts)
    if verdict.plan is not None:
        introduced = [f for f in verdict.findings if f.change is Change.INTRODUCED]
        counts["new"] = sum(f.status is Status.FAIL for f in introduced)
        counts["introduced"] = len(verdict.plan.introduced)
        counts["fixed"] = len(verdict.plan.fixed)
    return counts


@handle_errors
def github_outputs(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", help="The run's --output-dir.")
    ] = Path("iamgate-report"),
    badge: Annotated[
        Path | None,
        typer.Option("--badge", help="The run's --badge path [default: OUTPUT_DIR/badge.json]."),
    ] = None,
    exit_code: Annotated[
        int, typer.Option("--exit-code", help="The exit code of the run (scan or evaluate).")
    ] = 0,
) -> None:
    """Print the GitHub Action's outputs for a finished run (verdict, counts, report paths)."""
    # Imported when the command runs (cli/common.py says why).
    from iamgate.formats.results_json import load_results
    from iamgate.gate.combine import combine

    results = output_dir / "results.json"
    verdict, counts = "error", dict.fromkeys(COUNT_KEYS, 0)
    if exit_code in (0, 1) and results.is_file():
        try:
            verdicts = load_results(results)
        except InputError:
            pass  # unreadable results: the verdict stays error
        else:
            # One account is its own verdict (a plan's keeps its comparison: only what the
            # change introduces fails); several are combined.
            combined = verdicts[0] if len(verdicts) == 1 else combine(verdicts)
            verdict, counts = combined.status, _counts(combined)
    lines = [_line("verdict", verdict if verdict in ("pass", "fail") else "error")]
    keys = ("new", "expired", "accepted", "stale", "errors", "introduced", "fixed")
    lines += [_line(key, counts.get(key, 0)) for key in keys]
    lines += [
        _line("junit-path", output_dir / "junit.xml"),
        _line("summary-path", output_dir / "summary.md"),
        _line("results-path", results),
        _line("sarif-path", output_dir / "results.sarif"),
        _line("badge-path", badge if badge is not None else output_dir / "badge.json"),
    ]
    typer.echo("\n".join(lines))
