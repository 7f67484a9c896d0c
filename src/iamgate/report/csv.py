"""``results.csv``: one row per finding, for reviewers who filter in a spreadsheet.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with ``'``: resource names and messages come from the account, and
anyone who can name a role can otherwise put a formula in the reviewer's sheet (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from iamgate.model.results import Verdict
from iamgate.text import csv_cell

HEADER = (
    "account",
    "check",
    "severity",
    "status",
    "resource_type",
    "resource",
    "message",
    "exception_reason",
    "exception_owner",
    "exception_expires",
)
# A plan's CSV (`iamgate plan`) says what the change does to each finding and which change
# causes it; other runs keep the columns above, so existing sheets and scripts read them alike.
PLAN_HEADER = (*HEADER, "change", "caused_by")


class _Once(dict[str, str]):
    """A cell -> the cell made safe, each once (a dict lookup, in C, for the rest)."""

    def __missing__(self, value: str) -> str:
        made = self[value] = csv_cell(str(value))
        return made


def render_csv(verdict: Verdict) -> str:
    return "".join(iter_csv(verdict))


def iter_csv(verdict: Verdict, rows: int = 4096) -> Iterator[str]:
    """``results.csv`` in pieces of ``rows`` rows: written as it is made, never whole."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    plan = verdict.plan is not None
    writer.writerow(PLAN_HEADER if plan else HEADER)
    # Cells that repeat from row to row (account, check, severity, status, type) are made
    # safe once; the resource and the message of each row are looked at each time.
    once = _Once()
    default = verdict.account_id
    for n, f in enumerate(verdict.findings, 1):
        exc = f.exception
        row: tuple[str, ...] = (
            once[f.account_id or default],
            once[f.check],
            once[f.severity],
            once[f.status],
            once[f.resource_type],
            csv_cell(f.resource),
            csv_cell(f.message),
            csv_cell(exc.reason) if exc else "",
            csv_cell(exc.owner) if exc else "",
            csv_cell(exc.expires.isoformat()) if exc else "",
        )
        if plan:
            cause = csv_cell(f.origin.describe()) if f.origin is not None else ""
            row = (*row, once[f.change or ""], cause)
        writer.writerow(row)
        if n % rows == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
