"""Collect a snapshot: identify the account, then run every data source in order.

Read-only, bulk APIs first, and every source under the one guard of
:meth:`iamgate.collect.source.Session.run`: a source that fails is a ``CollectionError`` in the
snapshot, and the checks that need it say ``error``. Only the identity is fatal: nothing can be
attributed to an account whose id is unknown.

A new data source is a module with a :class:`~iamgate.collect.source.DataSource` and one line in
``SOURCES`` (docs/architecture.md, "How to add a data source").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from botocore.exceptions import NoCredentialsError

from iamgate import __version__
from iamgate.aws.clients import Clients
from iamgate.aws.failures import CALL_ERRORS, MALFORMED, MalformedAnswer, classify, hint_for
from iamgate.collect import (
    access_analyzer,
    account,
    cloudtrail,
    credential_report,
    eventbridge,
    iam,
    regions,
    sns,
)
from iamgate.collect.membership import ORGANIZATION
from iamgate.collect.org_policies import ORGANIZATION_POLICIES
from iamgate.collect.source import (
    MAX_PAGES,
    SHAPE_ERRORS,
    DataSource,
    OrganizationReader,
    Progress,
    Session,
    parsed_answer,
)
from iamgate.errors import CollectError
from iamgate.model.snapshot import Snapshot, Source

# In order: a source may read what an earlier one found (AWS-managed policies read the
# authorization details; Access Analyzer reads the regions; alarms read the trails; SNS reads
# the alarms and the rules; the organization's policies read whether the account is its
# management account).
SOURCES: tuple[DataSource, ...] = (
    iam.AUTHORIZATION_DETAILS,
    iam.AWS_MANAGED_POLICIES,
    credential_report.CREDENTIAL_REPORT,
    account.PASSWORD_POLICY,
    account.ACCOUNT_SUMMARY,
    account.VIRTUAL_MFA_DEVICES,
    account.SERVER_CERTIFICATES,
    regions.REGIONS,
    access_analyzer.ACCESS_ANALYZER,
    cloudtrail.CLOUDTRAIL,
    cloudtrail.LOG_METRICS,
    ORGANIZATION,
    ORGANIZATION_POLICIES,
    eventbridge.EVENT_RULES,
    sns.SNS_SUBSCRIPTIONS,
)
IDENTITY_OPERATIONS = {"GetCallerIdentity": "sts:GetCallerIdentity"}
# Every operation a scan may call and the permission it needs (iam-policy.json lists them).
PERMISSIONS: dict[str, str] = {
    **IDENTITY_OPERATIONS,
    **{op: perm for src in SOURCES for op, perm in src.operations.items()},
}
# Operation -> the members its answers must carry (the collection guard checks every answer).
ANSWERS: dict[str, tuple[str, ...]] = {
    op: paths for src in SOURCES for op, paths in src.answers.items()
}
# Where a failed operation is recorded (what the checks that need it depend on). Access
# Analyzer's calls fail per region: only that region's results say error.
OPERATION_SOURCE: dict[str, Source] = {
    "GetCallerIdentity": Source.IDENTITY,
    **{
        op: Source.ACCESS_ANALYZER_REGION if src.source is Source.ACCESS_ANALYZER else src.source
        for src in SOURCES
        for op in src.operations
    },
}


def identify(clients: Clients) -> tuple[str, str]:
    """(account id, caller ARN). Any failure is fatal."""
    sts = clients.client("sts")
    region = clients.region
    try:
        identity = parsed_answer("GetCallerIdentity", sts.get_caller_identity)
        account, arn = identity["Account"], identity["Arn"]
        if not (isinstance(account, str) and re.fullmatch(r"[0-9]{12}", account)):
            raise MalformedAnswer("GetCallerIdentity", f"not a 12-digit account id: {account!r}")
        return account, str(arn)
    except NoCredentialsError:  # before CALL_ERRORS, which would call it a failed call
        raise CollectError(
            "no AWS credentials found: set AWS_PROFILE or the AWS_* variables, or in GitHub "
            "Actions use aws-actions/configure-aws-credentials (see docs/setup-aws.md)"
        ) from None
    except CALL_ERRORS as exc:
        permission = IDENTITY_OPERATIONS["GetCallerIdentity"]
        err = classify(Source.IDENTITY, "GetCallerIdentity", permission, region, exc)
        raise CollectError(f"cannot identify the account: {err.describe()}") from None
    except SHAPE_ERRORS as exc:
        hint = hint_for(MALFORMED, IDENTITY_OPERATIONS["GetCallerIdentity"])
        raise CollectError(
            f"cannot identify the account: GetCallerIdentity ({region}) answered "
            f"without {exc}. {hint}"
        ) from None


def collect(
    clients: Clients,
    progress: Progress | None = None,
    credential_report_timeout: float = 120.0,
    regions: tuple[str, ...] = (),
    sleep: Callable[[float], None] = time.sleep,
    sources: tuple[DataSource, ...] = SOURCES,
    max_pages: int = MAX_PAGES,
    organization: OrganizationReader | None = None,
    aws_managed: tuple[str, ...] = (),
) -> Snapshot:
    """Identify the account, then run every source. ``organization`` reads its SCPs and RCPs
    with other credentials (an organization scan's, or ``--organization-role``);
    ``aws_managed``: AWS-managed policies to read even when nothing holds them (those of
    another partition than the account's are left out: that account cannot attach them)."""
    say: Progress = progress or (lambda _msg: None)
    account_id, caller = identify(clients)
    partition = caller.split(":")[1] if caller.count(":") >= 5 else "aws"
    say(f"collecting IAM of account {account_id} as {caller}")
    collected_at = datetime.now(UTC)
    session = Session(
        clients,
        say,
        PERMISSIONS,
        wanted_regions=regions,
        account_id=account_id,
        credential_report_timeout=credential_report_timeout,
        sleep=sleep,
        answers=ANSWERS,
        max_pages=max_pages,
        organization_reader=organization,
        expected_policies=tuple(a for a in aws_managed if a.split(":")[1:2] == [partition]),
    )
    for spec in sources:
        session.found.update(session.run(spec))
    return Snapshot(
        account_id=account_id,
        collected_at=collected_at,
        partition=partition,
        caller_arn=caller,
        tool_version=__version__,
        errors=tuple(session.errors),
        api_calls=dict(sorted(clients.counter.counts.items())),
        **session.found,
    )
