"""Collection: the only code that talks to AWS. Read-only, bulk APIs first.

The number of calls grows with pages of data, not with users: one paginated
``GetAccountAuthorizationDetails``, one credential report, a handful of account-level calls, and
two calls per *distinct* AWS-managed policy that is attached. A call that fails for good is
recorded in the snapshot against the source it was for; the checks that need it report ``error``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from botocore.parsers import ResponseParserError

from iamgate import __version__
from iamgate.aws import Clients
from iamgate.collect_analyzer import collect_access_analyzer
from iamgate.collect_trails import collect_metric_alarms, collect_trails
from iamgate.credreport import CredentialReportError, parse_credential_report
from iamgate.errors import CollectError
from iamgate.snapshot import (
    AttachedPolicy,
    CollectionError,
    CredentialRow,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Role,
    ServerCertificate,
    Snapshot,
    Source,
    User,
    VirtualMfaDevice,
)

Progress = Callable[[str], None]

# Which permission each call needs: named in every error so the fix is one line of policy.
PERMISSIONS = {
    "GetCallerIdentity": "sts:GetCallerIdentity",
    "GetAccountAuthorizationDetails": "iam:GetAccountAuthorizationDetails",
    "GetPolicy": "iam:GetPolicy",
    "GetPolicyVersion": "iam:GetPolicyVersion",
    "GenerateCredentialReport": "iam:GenerateCredentialReport",
    "GetCredentialReport": "iam:GetCredentialReport",
    "GetAccountPasswordPolicy": "iam:GetAccountPasswordPolicy",
    "GetAccountSummary": "iam:GetAccountSummary",
    "ListVirtualMFADevices": "iam:ListVirtualMFADevices",
    "ListServerCertificates": "iam:ListServerCertificates",
    "DescribeRegions": "ec2:DescribeRegions",
    "ListAnalyzers": "access-analyzer:ListAnalyzers",
    "ListFindingsV2": "access-analyzer:ListFindingsV2",
    "GetFindingV2": "access-analyzer:GetFindingV2",
    "DescribeTrails": "cloudtrail:DescribeTrails",
    "GetTrailStatus": "cloudtrail:GetTrailStatus",
    "GetEventSelectors": "cloudtrail:GetEventSelectors",
    "DescribeMetricFilters": "logs:DescribeMetricFilters",
    "DescribeAlarms": "cloudwatch:DescribeAlarms",
}
PAGE_SIZE = 1000  # IAM's MaxItems limit
AUTH_FILTER = ["User", "Role", "Group", "LocalManagedPolicy"]
AWS_MANAGED_SOURCE = Source.AWS_MANAGED_POLICIES  # documents of attached AWS-managed policies
# What a failed call can raise. ResponseParserError (a body that is not valid XML/JSON, e.g. cut
# off) is not a BotoCoreError: without it here a truncated answer escaped as an internal error.
CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId"}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}


class SourceFailed(Exception):
    def __init__(self, error: CollectionError):
        super().__init__(error.describe())
        self.error = error


def hint_for(operation: str, code: str) -> str:
    perm = PERMISSIONS.get(operation, "")
    if code in _DENIED:
        return f"Grant {perm} to the role iamgate runs as (see iam-policy.json)."
    if code in _EXPIRED:
        return "The credentials are expired or invalid: refresh them (or re-assume the role)."
    if code in _THROTTLED:
        return "Throttled past all retries: run again later, or raise [collect] max_attempts."
    if code.startswith("5") or code in ("ServiceUnavailable", "InternalFailure", "ServiceFailure"):
        return "AWS answered with a server error past all retries: run again later."
    if code in (
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    ):
        return "The endpoint could not be reached: check the network, region and AWS_ENDPOINT_URL."
    if code == "MalformedResponse":
        return "AWS returned data iamgate could not read: run again; report it if it persists."
    return f"Needs {perm}." if perm else ""


def _failure(source: str, operation: str, region: str, exc: Exception) -> CollectionError:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(
            err.get("Code")
            or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Unknown")
        )
        message = str(err.get("Message") or "no message")
    elif isinstance(exc, ResponseParserError):
        # Its text carries the raw body (account data, possibly huge): keep the first line only.
        code, message = "MalformedResponse", str(exc).splitlines()[0] if str(exc) else "unreadable"
    else:
        code, message = type(exc).__name__, str(exc)
    return CollectionError(source, operation, region, code, message, hint_for(operation, code))


def _pages(
    client: Any, operation: str, progress: Progress, **kwargs: Any
) -> Iterator[dict[str, Any]]:
    paginator = client.get_paginator(_snake(operation))
    # The largest page IAM serves (default 100): requests then grow with thousands of
    # entities, not hundreds.
    kwargs.setdefault("PaginationConfig", {"PageSize": PAGE_SIZE})
    for n, page in enumerate(paginator.paginate(**kwargs), start=1):
        progress(f"{operation}: page {n}")
        yield page


def _snake(operation: str) -> str:
    out = []
    for i, ch in enumerate(operation):
        if (
            ch.isupper()
            and i
            and (
                not operation[i - 1].isupper()
                or (i + 1 < len(operation) and operation[i + 1].islower())
            )
        ):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _document(value: Any) -> dict[str, Any]:
    """botocore decodes policy documents; keep an undecodable one visibly broken."""
    if isinstance(value, dict):
        return value
    return {"iamgate:unparsed": str(value)}


def _attached(items: list[dict[str, Any]]) -> tuple[AttachedPolicy, ...]:
    return tuple(AttachedPolicy(a.get("PolicyName", ""), a["PolicyArn"]) for a in items)


def _inline(items: list[dict[str, Any]]) -> tuple[InlinePolicy, ...]:
    return tuple(InlinePolicy(p["PolicyName"], _document(p.get("PolicyDocument"))) for p in items)


def _default_document(policy: dict[str, Any]) -> dict[str, Any]:
    default = policy.get("DefaultVersionId")
    for version in policy.get("PolicyVersionList", []):
        if version.get("IsDefaultVersion") or version.get("VersionId") == default:
            return _document(version.get("Document"))
    return {"iamgate:unparsed": "no default version in GetAccountAuthorizationDetails"}


class Collector:
    def __init__(
        self,
        clients: Clients,
        progress: Progress | None = None,
        credential_report_timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        regions: tuple[str, ...] = (),
    ):
        self.clients = clients
        self.progress: Progress = progress or (lambda _msg: None)
        self.report_timeout = credential_report_timeout
        self.sleep = sleep
        self.errors: list[CollectionError] = []
        self.region = clients.region
        self.wanted_regions = regions  # () means every enabled region (ec2:DescribeRegions)

    def _guard(self, source: str, operation: str, fn: Callable[[], Any]) -> Any:
        """Run one source's collection; on failure record it and return None."""
        try:
            return fn()
        except SourceFailed as failed:
            self.errors.append(failed.error)
        except CALL_ERRORS as exc:
            self.errors.append(_failure(source, self._operation(exc, operation), self.region, exc))
        except (KeyError, TypeError, ValueError, AttributeError, CredentialReportError) as exc:
            self.errors.append(
                CollectionError(
                    source,
                    operation,
                    self.region,
                    "MalformedResponse",
                    f"{type(exc).__name__}: {exc}",
                    hint_for(operation, "MalformedResponse"),
                )
            )
        return None

    def _operation(self, exc: Exception, default: str) -> str:
        """The operation that really failed: a source makes several calls."""
        return (
            getattr(exc, "operation_name", None) or self.clients.counter.last_operation() or default
        )

    def _call(self, source: str, operation: str, fn: Callable[[], Any], what: str = "") -> Any:
        """One API call inside a source: a failure names *this* operation (and its permission),
        not the source's last one."""
        try:
            return fn()
        except CALL_ERRORS as exc:
            failure = _failure(source, operation, self.region, exc)
            if what:
                failure = dataclasses.replace(failure, message=f"{what}: {failure.message}")
            raise SourceFailed(failure) from None

    def _identity(self) -> tuple[str, str]:
        """Nothing can be attributed to an account without its id: any failure here is fatal."""
        sts = self.clients.client("sts")
        try:
            identity = sts.get_caller_identity()
            account_id, caller = str(identity["Account"]), str(identity["Arn"])
        except NoCredentialsError:  # before CALL_ERRORS, which would call it a failed call
            raise CollectError(
                "no AWS credentials found: set AWS_PROFILE or the AWS_* variables, or in GitHub "
                "Actions use aws-actions/configure-aws-credentials (see docs/setup-aws.md)"
            ) from None
        except CALL_ERRORS as exc:
            err = _failure(Source.IDENTITY, "GetCallerIdentity", self.region, exc)
            raise CollectError(f"cannot identify the account: {err.describe()}") from None
        except (KeyError, TypeError) as exc:
            raise CollectError(
                f"cannot identify the account: GetCallerIdentity ({self.region}) answered "
                f"without {exc}. {hint_for('GetCallerIdentity', 'MalformedResponse')}"
            ) from None
        return account_id, caller

    def run(self) -> Snapshot:
        account_id, caller = self._identity()
        partition = caller.split(":")[1] if caller.count(":") >= 5 else "aws"
        self.progress(f"collecting IAM of account {account_id} as {caller}")
        collected_at = datetime.now(UTC)

        auth = self._guard(
            Source.AUTHORIZATION_DETAILS,
            "GetAccountAuthorizationDetails",
            self._authorization_details,
        ) or ((), (), (), ())
        users, groups, roles, policies = auth
        policies = tuple(policies) + tuple(self._aws_managed(users, groups, roles))
        report = (
            self._guard(Source.CREDENTIAL_REPORT, "GetCredentialReport", self._credential_report)
            or ()
        )
        password_policy = self._guard(
            Source.PASSWORD_POLICY, "GetAccountPasswordPolicy", self._password_policy
        )
        summary = (
            self._guard(Source.ACCOUNT_SUMMARY, "GetAccountSummary", self._account_summary) or {}
        )
        mfa = (
            self._guard(Source.VIRTUAL_MFA_DEVICES, "ListVirtualMFADevices", self._virtual_mfa)
            or ()
        )
        certs = (
            self._guard(
                Source.SERVER_CERTIFICATES, "ListServerCertificates", self._server_certificates
            )
            or ()
        )
        regions = self._regions()
        analyzer, region_errors = collect_access_analyzer(
            self.clients, regions, self.progress, _failure
        )
        self.errors.extend(region_errors)
        trails = self._guard(Source.CLOUDTRAIL, "DescribeTrails", self._trails) or ()
        metrics = self._guard(
            Source.LOG_METRICS,
            "DescribeMetricFilters",
            lambda: collect_metric_alarms(self.clients, trails, self.progress),
        ) or ((), ())
        return Snapshot(
            account_id=account_id,
            collected_at=collected_at,
            partition=partition,
            caller_arn=caller,
            tool_version=__version__,
            users=users,
            groups=groups,
            roles=roles,
            policies=policies,
            credential_report=report,
            password_policy=None if password_policy is _NO_POLICY else password_policy,
            account_summary=summary,
            virtual_mfa_devices=mfa,
            server_certificates=certs,
            errors=tuple(self.errors),
            api_calls=dict(sorted(self.clients.counter.counts.items())),
            regions=regions,
            access_analyzer=analyzer,
            trails=trails,
            metric_filters=metrics[0],
            alarms=metrics[1],
        )

    def _regions(self) -> tuple[str, ...]:
        """The regions asked for, else every region enabled for the account.

        If ec2:DescribeRegions is denied, the collector's own region is used and the error is
        recorded (so the run is not a silent pass on one region): pass --regions to avoid it.
        """
        if self.wanted_regions:
            return self.wanted_regions

        def enabled() -> tuple[str, ...]:
            ec2 = self.clients.client("ec2")
            found = ec2.describe_regions(AllRegions=False)["Regions"]
            names = sorted(r["RegionName"] for r in found)
            self.progress(f"DescribeRegions: {len(names)} enabled regions")
            return tuple(names)

        return self._guard(Source.REGIONS, "DescribeRegions", enabled) or (self.region,)

    def _trails(self) -> Any:
        return collect_trails(self.clients, self.progress)

    def _authorization_details(
        self,
    ) -> tuple[tuple[User, ...], tuple[Group, ...], tuple[Role, ...], tuple[ManagedPolicy, ...]]:
        iam = self.clients.client("iam")
        users: list[User] = []
        groups: list[Group] = []
        roles: list[Role] = []
        policies: list[ManagedPolicy] = []
        for page in _pages(
            iam, "GetAccountAuthorizationDetails", self.progress, Filter=AUTH_FILTER
        ):
            for u in page.get("UserDetailList", []):
                boundary = u.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
                users.append(
                    User(
                        name=u["UserName"],
                        arn=u["Arn"],
                        create_date=u["CreateDate"],
                        path=u.get("Path", "/"),
                        groups=tuple(u.get("GroupList", [])),
                        attached=_attached(u.get("AttachedManagedPolicies", [])),
                        inline=_inline(u.get("UserPolicyList", [])),
                        permissions_boundary=boundary,
                    )
                )
            for g in page.get("GroupDetailList", []):
                groups.append(
                    Group(
                        name=g["GroupName"],
                        arn=g["Arn"],
                        create_date=g["CreateDate"],
                        path=g.get("Path", "/"),
                        attached=_attached(g.get("AttachedManagedPolicies", [])),
                        inline=_inline(g.get("GroupPolicyList", [])),
                    )
                )
            for r in page.get("RoleDetailList", []):
                boundary = r.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
                roles.append(
                    Role(
                        name=r["RoleName"],
                        arn=r["Arn"],
                        create_date=r["CreateDate"],
                        trust_policy=_document(r.get("AssumeRolePolicyDocument", {})),
                        path=r.get("Path", "/"),
                        attached=_attached(r.get("AttachedManagedPolicies", [])),
                        inline=_inline(r.get("RolePolicyList", [])),
                        permissions_boundary=boundary,
                        last_used=r.get("RoleLastUsed", {}).get("LastUsedDate"),
                    )
                )
            for p in page.get("Policies", []):
                # moto omits PolicyName: derive it from the ARN, which is always there.
                policies.append(
                    ManagedPolicy(
                        arn=p["Arn"],
                        name=p.get("PolicyName") or p["Arn"].rsplit("/", 1)[-1],
                        document=_default_document(p),
                        attachment_count=int(p.get("AttachmentCount", 0)),
                        aws_managed=":aws:policy/" in p["Arn"],
                    )
                )
        return tuple(users), tuple(groups), tuple(roles), tuple(policies)

    def _aws_managed(
        self, users: tuple[User, ...], groups: tuple[Group, ...], roles: tuple[Role, ...]
    ) -> list[ManagedPolicy]:
        """Documents of the AWS-managed policies that are attached (and only those)."""
        entities: list[User | Group | Role] = [*users, *groups, *roles]
        attached = {a.arn for e in entities for a in e.attached if ":aws:policy/" in a.arn}
        bounded: list[User | Role] = [*users, *roles]
        boundaries = {b for e in bounded if (b := e.permissions_boundary) and ":aws:policy/" in b}
        arns = sorted(attached | boundaries)
        iam = self.clients.client("iam")
        found = []
        for arn in arns:

            def fetch(arn: str = arn) -> ManagedPolicy:
                src = AWS_MANAGED_SOURCE
                meta = self._call(src, "GetPolicy", lambda: iam.get_policy(PolicyArn=arn), arn)
                meta = meta["Policy"]
                version = self._call(
                    src,
                    "GetPolicyVersion",
                    lambda: iam.get_policy_version(
                        PolicyArn=arn, VersionId=meta["DefaultVersionId"]
                    ),
                    arn,
                )
                return ManagedPolicy(
                    arn=arn,
                    name=meta["PolicyName"],
                    document=_document(version["PolicyVersion"]["Document"]),
                    attachment_count=int(meta.get("AttachmentCount", 0)),
                    aws_managed=True,
                )

            policy = self._guard(AWS_MANAGED_SOURCE, "GetPolicyVersion", fetch)
            if policy is not None:
                found.append(policy)
        if arns:
            self.progress(f"GetPolicyVersion: {len(found)} attached AWS-managed policies")
        return found

    def _credential_report(self) -> tuple[CredentialRow, ...]:
        iam = self.clients.client("iam")
        deadline = time.monotonic() + self.report_timeout
        delay = 0.2
        while True:
            state = self._call(
                Source.CREDENTIAL_REPORT, "GenerateCredentialReport", iam.generate_credential_report
            ).get("State")
            self.progress(f"GenerateCredentialReport: {state}")
            if state == "COMPLETE":
                break
            if time.monotonic() + delay > deadline:
                raise SourceFailed(
                    CollectionError(
                        Source.CREDENTIAL_REPORT,
                        "GenerateCredentialReport",
                        self.region,
                        "Timeout",
                        f"the report was not ready within {self.report_timeout:.0f} s",
                        "Run again, or raise [collect] credential_report_timeout.",
                    )
                )
            self.sleep(delay)
            delay = min(delay * 2, 5.0)
        response = iam.get_credential_report()
        content = response["Content"]
        text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
        rows = parse_credential_report(text)
        self.progress(f"GetCredentialReport: {len(rows)} rows")
        return rows

    def _password_policy(self) -> Any:
        iam = self.clients.client("iam")
        try:
            return dict(iam.get_account_password_policy()["PasswordPolicy"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
                return _NO_POLICY  # absent is a finding, not an error
            raise

    def _account_summary(self) -> dict[str, int]:
        iam = self.clients.client("iam")
        return {k: int(v) for k, v in iam.get_account_summary()["SummaryMap"].items()}

    def _virtual_mfa(self) -> tuple[VirtualMfaDevice, ...]:
        iam = self.clients.client("iam")
        devices = []
        for page in _pages(iam, "ListVirtualMFADevices", self.progress, AssignmentStatus="Any"):
            for d in page.get("VirtualMFADevices", []):
                devices.append(
                    VirtualMfaDevice(
                        serial=d["SerialNumber"],
                        user_arn=d.get("User", {}).get("Arn"),
                        enable_date=d.get("EnableDate"),
                    )
                )
        return tuple(devices)

    def _server_certificates(self) -> tuple[ServerCertificate, ...]:
        iam = self.clients.client("iam")
        certs = []
        for page in _pages(iam, "ListServerCertificates", self.progress):
            for c in page.get("ServerCertificateMetadataList", []):
                certs.append(
                    ServerCertificate(
                        name=c["ServerCertificateName"],
                        arn=c["Arn"],
                        expiration=c["Expiration"],
                        upload_date=c.get("UploadDate"),
                    )
                )
        return tuple(certs)


_NO_POLICY = object()


def collect(
    clients: Clients,
    progress: Progress | None = None,
    credential_report_timeout: float = 120.0,
    regions: tuple[str, ...] = (),
) -> Snapshot:
    return Collector(clients, progress, credential_report_timeout, regions=regions).run()
