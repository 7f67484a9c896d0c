"""``results.csv``: one row per finding, for reviewers who filter in a spreadsheet.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with ``'``: resource names and messages come from the account, and
anyone who can name a role can otherwise put a formula in the reviewer's sheet (CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from iamgate.model.results import Verdict
from iamgate.text import Memo, csv_cell

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


def _quoted_by_csv() -> str:
    """The characters for which ``csv.writer`` (``QUOTE_MINIMAL``, lines ending in ``\n``)
    quotes a field, asked of the module itself: rows are written here as it would write them,
    whatever the Python version."""
    found = ""
    for c in ',"\n\r':
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([f"a{c}b", "x"])
        if out.getvalue().startswith('"'):
            found += c
    return found


_QUOTE = re.compile("[" + re.escape(_quoted_by_csv()) + "]")


def _field(value: str) -> str:
    """One field as ``csv.writer`` writes it (doubled quotes inside quotes)."""
    if _QUOTE.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _cell(value: str) -> str:
    """A cell made safe (:func:`.csv_cell`) and quoted."""
    return _field(csv_cell(str(value)))


def render_csv(verdict: Verdict) -> str:
    return "".join(iter_csv(verdict))


def iter_csv(verdict: Verdict, rows: int = 4096) -> Iterator[str]:
    """``results.csv`` in pieces of ``rows`` rows: written as it is made, never whole. Each
    line is what ``csv.writer`` would write (a test compares them on hostile text), made here
    with a few C-level string operations (the writer took 6 s for 921,000 rows)."""
    plan = verdict.plan is not None
    yield ",".join(_field(h) for h in (PLAN_HEADER if plan else HEADER)) + "\n"
    # Cells that repeat from row to row (account, check, severity, status, type, and a
    # resource's in every check) are made safe once: a dict lookup, in C, for the rest.
    once = Memo(_cell)
    default = verdict.account_id
    lines: list[str] = []
    for f in verdict.findings:
        exc = f.exception
        tail = (
            f"{_field(csv_cell(exc.reason))},{_field(csv_cell(exc.owner))},"
            f"{_field(csv_cell(exc.expires.isoformat()))}"
            if exc
            else ",,"
        )
        if plan:
            cause = _field(csv_cell(f.origin.describe())) if f.origin is not None else ""
            tail = f"{tail},{once[f.change or '']},{cause}"
        lines.append(
            f"{once[f.account_id or default]},{once[f.check]},{once[f.severity]},"
            f"{once[f.status]},{once[f.resource_type]},{once[f.resource]},"
            f"{once[f.message]},{tail}\n"
        )
        if len(lines) >= rows:
            yield "".join(lines)
            lines = []
    yield "".join(lines)
