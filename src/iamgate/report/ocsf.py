"""``--ocsf``: findings as OCSF Compliance Finding records (class 2003, with the ``cloud``
profile), for Security Hub and security data lakes.

A compliance finding is "the result of an evaluation against a resource, checking compliance
with a standard" (https://schema.ocsf.io/1.5.0/classes/compliance_finding): what a check is.
Records are built and validated with ``py-ocsf-models`` (Prowler's), an optional extra
(``iamgate[ocsf]``): its pydantic models refuse a record the schema would not take.

One record per finding that needs someone: failing (``New``), expired (``New``, the exception
named), accepted (``Suppressed``, with the exception's reason, owner and expiry), could not be
evaluated (``New``, compliance ``Unknown``), and, with ``--previous``, fixed since the last run
(``Resolved``, activity ``Close``). Passing resources are not records. The file is a JSON array,
one record per line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime

from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.events.findings.compliance_finding_type_id import ComplianceFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import Account, TypeID
from py_ocsf_models.objects.check import Check
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.compliance import Compliance
from py_ocsf_models.objects.compliance_status import StatusID as ComplianceStatusID
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import ResourceDetails

from iamgate import __version__
from iamgate.model.results import CheckInfo, Finding, Severity, Status, Verdict
from iamgate.report.context import ReportContext

CIS = "CIS AWS Foundations Benchmark"
FSBP = "AWS Foundational Security Best Practices"

SEVERITY = {
    Severity.INFO: SeverityID.Informational,
    Severity.LOW: SeverityID.Low,
    Severity.MEDIUM: SeverityID.Medium,
    Severity.HIGH: SeverityID.High,
    Severity.CRITICAL: SeverityID.Critical,
}
# iamgate's resource types as CloudFormation names them (what Security Hub's resources use).
RESOURCE_TYPE = {
    "user": "AWS::IAM::User",
    "group": "AWS::IAM::Group",
    "role": "AWS::IAM::Role",
    "policy": "AWS::IAM::ManagedPolicy",
    "certificate": "AWS::IAM::ServerCertificate",
    "account": "AWS::::Account",
    "trail": "AWS::CloudTrail::Trail",
}


class CloudComplianceFinding(ComplianceFinding):  # type: ignore[misc]  # untyped package
    """A Compliance Finding with OCSF's ``cloud`` profile: the account the resource is in."""

    cloud: Cloud


def _uid(f: Finding) -> str:
    key = "\0".join((f.account_id, f.check, f.resource))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _compliance(f: Finding, info: CheckInfo, outcome: ComplianceStatusID) -> Compliance:
    requirements = [f"CIS {c}" for c in info.cis] + [f"FSBP {c}" for c in info.fsbp]
    standards = ([CIS] if info.cis else []) + ([FSBP] if info.fsbp else [])
    return Compliance(
        control=f.check,
        requirements=requirements or None,
        standards=standards or None,
        status_id=outcome,
        desc=info.rationale or None,
        checks=[Check(uid=f.check, name=info.title, severity=f.severity.value)],
    )


def _status(f: Finding, resolved: bool) -> tuple[StatusID, ComplianceStatusID, str]:
    """The finding's workflow status, its compliance status, and what to say of them."""
    if resolved:
        return StatusID.Resolved, ComplianceStatusID.Pass, "fixed since the previous run"
    if f.status is Status.ERROR:
        return StatusID.New, ComplianceStatusID.Unknown, "could not be evaluated"
    e = f.exception
    if f.status is Status.ACCEPTED and e is not None:
        ticket = f"; ticket {e.ticket}" if e.ticket else ""
        said = f"accepted in {e.source}: {e.reason} (owner {e.owner}; expires {e.expires}{ticket})"
        return StatusID.Suppressed, ComplianceStatusID.Fail, said
    if f.status is Status.EXPIRED and e is not None:
        return (
            StatusID.New,
            ComplianceStatusID.Fail,
            f"exception expired on {e.expires} ({e.source})",
        )
    return StatusID.New, ComplianceStatusID.Fail, "new non-compliance"


def record(
    f: Finding, info: CheckInfo, when: datetime, resolved: bool = False
) -> dict[str, object]:
    """One finding as a validated OCSF record (a JSON-ready dict)."""
    status, outcome, detail = _status(f, resolved)
    activity = ActivityID.Close if resolved else ActivityID.Create
    event = CloudComplianceFinding(
        class_name="Compliance Finding",  # the class's caption (the models' default is a name)
        activity_id=activity,
        activity_name=activity.name,
        type_uid=ComplianceFindingTypeID(2003 * 100 + activity.value),
        time=_ms(when),
        time_dt=when,
        severity_id=SEVERITY[f.severity],
        severity=SEVERITY[f.severity].name,
        status_id=status,
        status=status.name,
        status_detail=detail,
        message=f.message,
        metadata=Metadata(
            version=OCSF_VERSION,
            profiles=["cloud"],
            event_code=f.check,
            product=Product(name="iamgate", vendor_name="iamgate", version=__version__),
        ),
        finding_info=FindingInformation(
            uid=_uid(f), title=info.title, desc=f.message, types=["IAM"], src_url=_doc(info)
        ),
        compliance=_compliance(f, info, outcome),
        resources=[
            ResourceDetails(
                uid=f.resource,
                type=RESOURCE_TYPE.get(f.resource_type, f.resource_type),
                cloud_partition=f.resource.split(":", 2)[1]
                if f.resource.startswith("arn:")
                else None,
            )
        ],
        remediation=Remediation(desc=info.remediation, references=list(info.docs) or None)
        if info.remediation
        else None,
        cloud=Cloud(
            provider="AWS",
            account=Account(uid=f.account_id, name=f.account_id, type_id=TypeID.AWS_Account),
        ),
    )
    data: dict[str, object] = event.model_dump(mode="json", exclude_none=True)
    return data


def _doc(info: CheckInfo) -> str | None:
    return info.docs[0] if info.docs else None


def records(verdict: Verdict, context: ReportContext) -> Iterator[dict[str, object]]:
    def info(f: Finding) -> CheckInfo:
        return context.checks.get(f.check) or CheckInfo(f.check, f.title, f.severity)

    for f in verdict.findings:
        if f.status is not Status.PASS:
            yield record(f, info(f), verdict.generated_at)
    if verdict.since is not None:
        for f in verdict.since.fixed:
            yield record(f, info(f), verdict.generated_at, resolved=True)


def _line(record: dict[str, object]) -> str:
    """One record, one line: the JSON escapes of U+2028 and U+2029 (which a line reader may
    split on) in place of the characters."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_ocsf(verdict: Verdict, context: ReportContext) -> str:
    lines = [_line(r) for r in records(verdict, context)]
    if not lines:
        return "[]\n"
    return "[\n" + ",\n".join(lines) + "\n]\n"
