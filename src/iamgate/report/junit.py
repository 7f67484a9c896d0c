"""JUnit XML, written with the ``junit-xml`` package.

One ``<testsuite>`` per check (per account and check when several accounts are reported), one
``<testcase>`` per (check, resource): ``failure`` for new and expired, ``skipped`` for accepted,
``error`` where the check could not be evaluated.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from junit_xml import TestCase, TestSuite, to_xml_report_string

from iamgate.gate import Verdict
from iamgate.model import Finding, Status

# Characters XML 1.0 cannot carry, even escaped, and the "discouraged" ones junit-xml deletes
# silently. A control character in a name or a message (messages quote policy documents) made
# rendering crash on junit-xml's invalid character references; they become U+FFFD, visibly.
_NOT_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufddf"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}-{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)


def xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _case(f: Finding) -> TestCase:
    f = dataclasses.replace(
        f,
        resource=xml_text(f.resource),
        message=xml_text(f.message),
        title=xml_text(f.title),
        exception=None
        if f.exception is None
        else dataclasses.replace(
            f.exception,
            reason=xml_text(f.exception.reason),
            owner=xml_text(f.exception.owner),
            ticket=xml_text(f.exception.ticket) if f.exception.ticket else None,
            source=xml_text(f.exception.source),
        ),
    )
    case = TestCase(name=f.resource, classname=f"iamgate.{f.check}", file=None)
    if f.status is Status.FAIL:
        case.add_failure_info(
            message=f.message, output=f"{f.severity.value}: {f.title}", failure_type="new"
        )
    elif f.status is Status.EXPIRED:
        case.add_failure_info(
            message=f.message, output=f"{f.severity.value}: {f.title}", failure_type="expired"
        )
    elif f.status is Status.ACCEPTED and f.exception is not None:
        e = f.exception
        ticket = f", ticket {e.ticket}" if e.ticket else ""
        case.add_skipped_info(
            message=f"accepted: {e.reason} (owner {e.owner}, expires "
            f"{e.expires:%Y-%m-%d}{ticket}, {e.source})",
            output=f.message,
        )
    elif f.status is Status.ERROR:
        case.add_error_info(message=f.message, error_type="not-evaluated")
    return case


def render_junit(verdict: Verdict) -> str:
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    accounts = {f.account_id for f in verdict.findings} or {verdict.account_id}
    many = len(accounts) > 1
    for account in sorted(accounts) if many else [verdict.account_id]:
        for check in verdict.checks:
            groups[(account, check)] = []
    for f in verdict.findings:
        groups[(f.account_id if many else verdict.account_id, f.check)].append(f)
    suites = []
    for (account, check), findings in groups.items():
        name = f"{account}.{check}" if many else check
        suites.append(
            TestSuite(
                name=name,
                test_cases=[_case(f) for f in findings],
                timestamp=verdict.generated_at.isoformat(),
                properties={"account": account},
            )
        )
    text = to_xml_report_string(suites, prettyprint=False)
    # junit-xml leaves "skipped" off <testsuites>; CI renderers read it there too.
    root = ET.fromstring(text)  # noqa: S314  (our own output, not untrusted input)
    root.set("skipped", str(sum(int(s.get("skipped", 0)) for s in root.iter("testsuite"))))
    root.set("name", "iamgate")
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
