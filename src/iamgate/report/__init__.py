"""Reporters: pure functions ``Verdict -> str``, one per format, and the registry that names
each one's file. The caller (``iamgate.app.reports``) decides where each string goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from iamgate.formats.results_json import render_results
from iamgate.model.results import Verdict
from iamgate.report.badge import render_badge_json, render_badge_svg
from iamgate.report.csv import render_csv
from iamgate.report.junit import render_junit
from iamgate.report.markdown import render_markdown


@dataclass(frozen=True, slots=True)
class Reporter:
    kind: str  # the option that names its path (``--junit``), and its key in Outputs
    filename: str  # its name under --output-dir
    render: Callable[[Verdict], str]
    beside: str = ""  # written next to this kind's file, with this one's suffix, and only then


REPORTERS: tuple[Reporter, ...] = (
    Reporter("junit", "junit.xml", render_junit),
    Reporter("markdown", "summary.md", render_markdown),
    Reporter("json", "results.json", render_results),
    Reporter("csv", "results.csv", render_csv),
    Reporter("badge", "badge.json", render_badge_json),
    Reporter("badge-svg", "badge.svg", render_badge_svg, beside="badge"),
)
