"""Reporters: pure functions that return strings, one per format, and the registry that names
each one's file. The caller (``iamgate.app.reports``) decides where each string goes.

Most reports are functions of the verdict alone; the HTML page and the history file also read
the run's ``ReportContext`` (the check catalogue, the runs recorded before this one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from iamgate.errors import InternalError
from iamgate.formats.history_jsonl import render_history
from iamgate.formats.results_json import iter_results, render_results
from iamgate.model.results import Verdict
from iamgate.report.badge import render_badge_json, render_badge_svg
from iamgate.report.context import ReportContext
from iamgate.report.csv import iter_csv, render_csv
from iamgate.report.junit import iter_junit, passing_cases, render_junit
from iamgate.report.markdown import render_markdown
from iamgate.report.sarif import render_sarif, sarif_notice

Render = Callable[[Verdict, ReportContext], str]


def of_verdict(render: Callable[[Verdict], str]) -> Render:
    """A reporter that needs only the verdict."""

    def render_verdict(verdict: Verdict, _context: ReportContext) -> str:
        return render(verdict)

    return render_verdict


def _history(verdict: Verdict, context: ReportContext) -> str:
    if context.history is None:  # rewriting the file without its runs would erase them
        raise InternalError("the history file's runs were not read before it is rewritten")
    return render_history(context.history, verdict)


def _html(verdict: Verdict, context: ReportContext) -> str:
    from iamgate.report.html import render_html  # Jinja2: only when the page is written

    return render_html(verdict, context)


def _html_pieces(verdict: Verdict, context: ReportContext) -> Iterable[str]:
    from iamgate.report.html import iter_html

    return iter_html(verdict, context)


def _ocsf(verdict: Verdict, context: ReportContext) -> str:
    from iamgate.report.ocsf import render_ocsf  # py-ocsf-models (an extra): only when asked

    return render_ocsf(verdict, context)


def _junit(verdict: Verdict, context: ReportContext) -> str:
    return render_junit(verdict, passing_cases(verdict, context.junit_passing))


def _junit_pieces(verdict: Verdict, context: ReportContext) -> Iterable[str]:
    return iter_junit(verdict, passing_cases(verdict, context.junit_passing))


Pieces = Callable[[Verdict, ReportContext], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Reporter:
    kind: str  # the option that names its path (``--junit``), and its key in Outputs
    filename: str  # its name under --output-dir; empty: written only where its option says
    render: Render
    beside: str = ""  # written next to this kind's file, with this one's suffix, and only then
    pieces: Pieces | None = None  # the same text as ``render``'s, made piece by piece
    # What the user must hear of the written text (e.g. results left out), said on stderr.
    notice: Callable[[str], str | None] | None = None

    def later(self, verdict: Verdict, context: ReportContext) -> Callable[[], Iterable[str]]:
        """The report, made when it is written: one large report at a time in memory."""
        pieces, render = self.pieces, self.render
        if pieces is not None:
            return lambda: pieces(verdict, context)
        return lambda: (render(verdict, context),)


REPORTERS: tuple[Reporter, ...] = (
    Reporter("junit", "junit.xml", _junit, pieces=_junit_pieces),
    Reporter("markdown", "summary.md", of_verdict(render_markdown)),
    Reporter(
        "json",
        "results.json",
        of_verdict(render_results),
        pieces=lambda verdict, _context: iter_results(verdict),
    ),
    Reporter(
        "csv", "results.csv", of_verdict(render_csv), pieces=lambda verdict, _c: iter_csv(verdict)
    ),
    Reporter("badge", "badge.json", of_verdict(render_badge_json)),
    Reporter("badge-svg", "badge.svg", of_verdict(render_badge_svg), beside="badge"),
    Reporter("html", "report.html", _html, pieces=_html_pieces),
    Reporter("sarif", "results.sarif", render_sarif, notice=sarif_notice),
    # Only where --ocsf says: it needs an optional extra (iamgate[ocsf]).
    Reporter("ocsf", "", _ocsf),
    # Read and rewritten by every run (--history): it outlives one run's output directory.
    Reporter("history", "", _history),
)

__all__ = ["REPORTERS", "ReportContext", "Reporter", "of_verdict"]
