"""JUnit XML: the document junit-xml defines, written as text.

One ``<testsuite>`` per check (per account and check when several accounts are reported), one
``<testcase>`` per (check, resource): ``failure`` for new and expired, ``skipped`` for accepted,
``error`` where the check could not be evaluated.

The elements, attributes and their order are junit-xml's (``TestSuite.build_xml_doc``), as
ElementTree serializes them, with one element per line. They are written here directly instead
of through junit-xml's objects: an organization's 800,000 test cases cost 14 s and 300 MB as
junit-xml ``TestCase`` objects and an ElementTree, and a few seconds as text. The tests render
every golden verdict and hundreds of random ones with junit-xml itself and compare the bytes
(``testing/junit_reference.py``).

``passing="summary"`` keeps a report of that size usable in the renderers users wire up: every
failure, expired and accepted exception and error stays one test case per resource, while the
passing resources of a check (per account) are one test case that counts them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

from iamgate.model.results import Finding, Status, Verdict
from iamgate.text import xml_attr, xml_text

Passing = Literal["each", "summary"]
# ``auto``: one test case per resource for one account, passing resources counted for several
# (an organization's merged report), where one case per resource would be hundreds of thousands.
JunitPassing = Literal["auto", "each", "summary"]
_PASS, _FAIL, _EXPIRED = Status.PASS, Status.FAIL, Status.EXPIRED  # (enum lookups are slow)
_ACCEPTED, _ERROR = Status.ACCEPTED, Status.ERROR

_attr, _text = xml_attr, xml_text  # the one XML escaper (iamgate.text): hot, so bound once


def _case(f: Finding) -> tuple[str, str]:
    """(the test case's markup, its kind: "" pass, "failure", "skipped" or "error")."""
    head = f'\n  <testcase name="{_attr(f.resource)}" classname="{_attr("iamgate." + f.check)}"'
    status = f.status
    if status is _FAIL or status is _EXPIRED:
        kind = "new" if status is _FAIL else "expired"
        message = f' message="{_attr(f.message)}"' if f.message else ""
        output = _text(f"{f.severity.value}: {f.title}")
        failure = f'<failure type="{kind}"{message}>{output}</failure>'
        return f"{head}>\n   {failure}\n  </testcase>", "failure"
    if status is _ACCEPTED and f.exception is not None:
        e = f.exception
        ticket = f", ticket {e.ticket}" if e.ticket else ""
        reason = (
            f"accepted: {e.reason} (owner {e.owner}, expires {e.expires:%Y-%m-%d}{ticket}, "
            f"{e.source})"
        )
        end = f">{_text(f.message)}</skipped>" if f.message else " />"
        skipped = f'<skipped type="skipped" message="{_attr(reason)}"{end}'
        return f"{head}>\n   {skipped}\n  </testcase>", "skipped"
    if status is _ERROR and f.message:  # junit-xml writes no error without a message
        error = f'<error type="not-evaluated" message="{_attr(f.message)}" />'
        return f"{head}>\n   {error}\n  </testcase>", "error"
    return f"{head} />", ""


def _passing_summary(check: str, passed: list[Finding]) -> tuple[str, str]:
    """One test case for a check's passing resources: how many, not each one."""
    name = f"{len(passed)} passing resource{'s' if len(passed) != 1 else ''}"
    return f'\n  <testcase name="{_attr(name)}" classname="{_attr("iamgate." + check)}" />', ""


def _suite(
    name: str, account: str, timestamp: str, cases: Iterable[tuple[str, str]]
) -> tuple[str, dict[str, int]]:
    markup: list[str] = []
    counts = {"failure": 0, "skipped": 0, "error": 0, "": 0}
    for text, kind in cases:
        markup.append(text)
        counts[kind] += 1
    tests = len(markup)
    head = (
        f'\n <testsuite disabled="0" errors="{counts["error"]}" failures="{counts["failure"]}" '
        f'name="{_attr(name)}" skipped="{counts["skipped"]}" tests="{tests}" time="0" '
        f'timestamp="{_attr(timestamp)}">'
        f'\n  <properties>\n   <property name="account" value="{_attr(account)}" />'
        "\n  </properties>"
    )
    totals = {
        "errors": counts["error"],
        "failures": counts["failure"],
        "tests": tests,
        "skipped": counts["skipped"],
    }
    return head + "".join(markup) + "\n </testsuite>", totals


def passing_cases(verdict: Verdict, wanted: JunitPassing) -> Passing:
    """How passing resources are written: as asked, or for ``auto`` by how many accounts the
    verdict covers."""
    if wanted != "auto":
        return wanted
    return "summary" if len(verdict.accounts) > 1 else "each"


def render_junit(verdict: Verdict, passing: Passing = "each") -> str:
    """The JUnit document; ``passing="summary"`` counts each check's passing resources in one
    test case instead of one per resource."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    if verdict.accounts:  # every scanned account, even one with no findings at all
        accounts = {a.account_id for a in verdict.accounts}
    else:
        accounts = {f.account_id for f in verdict.findings} or {verdict.account_id}
    many = len(accounts) > 1
    for account in sorted(accounts) if many else [verdict.account_id]:
        for check in verdict.checks:
            groups[(account, check)] = []
    for f in verdict.findings:
        groups[(f.account_id if many else verdict.account_id, f.check)].append(f)
    timestamp = verdict.generated_at.isoformat()
    suites: list[str] = []
    totals = dict.fromkeys(("errors", "failures", "tests", "skipped"), 0)
    for (account, check), found in groups.items():
        if passing == "summary":
            passed = [f for f in found if f.status is _PASS]
            cases = [_case(f) for f in found if f.status is not _PASS]
            if passed:
                cases.append(_passing_summary(check, passed))
        else:
            cases = [_case(f) for f in found]
        text, counts = _suite(f"{account}.{check}" if many else check, account, timestamp, cases)
        suites.append(text)
        for key, n in counts.items():
            totals[key] += n
    root = (
        f'<testsuites disabled="0" errors="{totals["errors"]}" failures="{totals["failures"]}" '
        f'tests="{totals["tests"]}" time="0.0" skipped="{totals["skipped"]}" name="iamgate"'
    )
    body = f"{root}>{''.join(suites)}\n</testsuites>" if suites else f"{root} />"
    return f"<?xml version='1.0' encoding='utf-8'?>\n{body}\n"
