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

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

from iamgate.model.results import Finding, Status, Verdict
from iamgate.text import xml_attr, xml_text

Passing = Literal["each", "summary"]
# ``auto``: one test case per resource for one account, passing resources counted for several
# (an organization's merged report), where one case per resource would be hundreds of thousands.
JunitPassing = Literal["auto", "each", "summary"]
_PASS, _FAIL, _EXPIRED = Status.PASS, Status.FAIL, Status.EXPIRED  # (enum lookups are slow)
_ACCEPTED, _ERROR = Status.ACCEPTED, Status.ERROR

_STATUS, _ACCOUNT = attrgetter("status"), attrgetter("account_id")
_attr, _text = xml_attr, xml_text  # the one XML escaper (iamgate.text): hot, so bound once


def _case(f: Finding, classname: str = "") -> tuple[str, str]:
    """(the test case's markup, its kind: "" pass, "failure", "skipped" or "error");
    ``classname``: the check's, escaped (the same for a whole suite)."""
    classname = classname or _attr("iamgate." + f.check)
    head = f'\n  <testcase name="{_attr(f.resource)}" classname="{classname}"'
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


def _passing_summary(check: str, passed: int) -> tuple[str, str]:
    """One test case for a check's passing resources: how many, not each one."""
    name = f"{passed} passing resource{'s' if passed != 1 else ''}"
    return f'\n  <testcase name="{_attr(name)}" classname="{_attr("iamgate." + check)}" />', ""


def _kind(f: Finding) -> str:
    """What ``_case`` writes for the finding: "failure", "skipped", "error" or "" (a pass)."""
    status = f.status
    if status is _FAIL or status is _EXPIRED:
        return "failure"
    if status is _ACCEPTED and f.exception is not None:
        return "skipped"
    if status is _ERROR and f.message:
        return "error"
    return ""


def _suite_head(name: str, account: str, timestamp: str, counts: dict[str, int]) -> str:
    tests = sum(counts.values())
    return (
        f'\n <testsuite disabled="0" errors="{counts["error"]}" failures="{counts["failure"]}" '
        f'name="{_attr(name)}" skipped="{counts["skipped"]}" tests="{tests}" time="0" '
        f'timestamp="{_attr(timestamp)}">'
        f'\n  <properties>\n   <property name="account" value="{_attr(account)}" />'
        "\n  </properties>"
    )


def passing_cases(verdict: Verdict, wanted: JunitPassing) -> Passing:
    """How passing resources are written: as asked, or for ``auto`` by how many accounts the
    verdict covers."""
    if wanted != "auto":
        return wanted
    return "summary" if len(verdict.accounts) > 1 else "each"


_KINDS = ("failure", "skipped", "error", "")


@dataclass
class _Suite:
    """One ``<testsuite>``: its findings, and how many cases of each kind it will write."""

    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_KINDS, 0))


def _suites(verdict: Verdict, passing: Passing) -> tuple[dict[tuple[str, str], _Suite], bool]:
    """The suites in document order, counted (the heads carry the totals), and whether they
    are per account."""
    groups: dict[tuple[str, str], _Suite] = {}
    if verdict.accounts:  # every scanned account, even one with no findings at all
        accounts = {a.account_id for a in verdict.accounts}
    else:
        accounts = set(map(_ACCOUNT, verdict.findings)) or {verdict.account_id}
    many = len(accounts) > 1
    for account in sorted(accounts) if many else [verdict.account_id]:
        for check in verdict.checks:
            groups[(account, check)] = _Suite()
    if many:
        for f in verdict.findings:
            key = (f.account_id, f.check)
            suite = groups.get(key)
            if suite is None:
                suite = groups[key] = _Suite()
            suite.findings.append(f)
    else:  # one account: a suite per check, found by the check alone (no key made per finding)
        single = verdict.account_id
        add = {check: suite.findings.append for (_a, check), suite in groups.items()}
        for f in verdict.findings:
            found = add.get(f.check)
            if found is None:  # a check known only from a results file
                suite = groups.setdefault((single, f.check), _Suite())
                found = add[f.check] = suite.findings.append
            found(f)
    for suite in groups.values():
        _count(suite, passing)
    return groups, many


def _count(suite: _Suite, passing: Passing) -> None:
    """How many cases of each kind the suite writes (as ``_case`` decides, in one C-level
    count of statuses and a look at the few findings that are not passes)."""
    statuses = Counter(map(_STATUS, suite.findings))
    counts = suite.counts
    counts["failure"] = statuses[_FAIL] + statuses[_EXPIRED]
    others = statuses[_ACCEPTED] + statuses[_ERROR]
    if others:
        for f in suite.findings:
            if f.status is _ACCEPTED or f.status is _ERROR:
                counts[_kind(f)] += 1
    passed = statuses[_PASS]
    counts[""] += (1 if passed else 0) if passing == "summary" else passed


def iter_junit(verdict: Verdict, passing: Passing = "each") -> Iterator[str]:
    """The JUnit document in pieces, one suite's cases at a time: an organization's report is
    never whole in memory. The same text as :func:`render_junit`."""
    suites, many = _suites(verdict, passing)
    totals = dict.fromkeys(_KINDS, 0)
    for suite in suites.values():
        for kind, n in suite.counts.items():
            totals[kind] += n
    tests = sum(totals.values())
    root = (
        f'<testsuites disabled="0" errors="{totals["error"]}" failures="{totals["failure"]}" '
        f'tests="{tests}" time="0.0" skipped="{totals["skipped"]}" name="iamgate"'
    )
    yield "<?xml version='1.0' encoding='utf-8'?>\n"
    if not suites:
        yield f"{root} />\n"
        return
    yield f"{root}>"
    timestamp = verdict.generated_at.isoformat()
    for (account, check), suite in suites.items():
        name = f"{account}.{check}" if many else check
        yield _suite_head(name, account, timestamp, suite.counts)
        yield from _cases(check, suite.findings, passing)
        yield "\n </testsuite>"
    yield "\n</testsuites>\n"


def _cases(check: str, found: list[Finding], passing: Passing) -> Iterator[str]:
    """A suite's test cases, a few thousand to a piece."""
    batch: list[str] = []
    passed = 0
    classname = _attr("iamgate." + check)
    summary = passing == "summary"
    for f in found:
        if f.status is _PASS:  # most cases: written here, without a call to _case
            if summary:
                passed += 1
                continue
            batch.append(f'\n  <testcase name="{_attr(f.resource)}" classname="{classname}" />')
        else:
            batch.append(_case(f, classname)[0])
        if len(batch) >= 4096:
            yield "".join(batch)
            batch = []
    if passed:
        batch.append(_passing_summary(check, passed)[0])
    if batch:
        yield "".join(batch)


def render_junit(verdict: Verdict, passing: Passing = "each") -> str:
    """The JUnit document; ``passing="summary"`` counts each check's passing resources in one
    test case instead of one per resource."""
    return "".join(iter_junit(verdict, passing))
