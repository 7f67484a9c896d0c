"""Sample CloudTrail records, shaped as CloudTrail writes them to CloudWatch Logs, and as
CloudTrail hands them to EventBridge.

Field names and values follow the record reference
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
and the sign-in examples
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
Records are deep-frozen (read-only mappings, tuples for arrays) so the control tables stay
constants; :meth:`Sample.as_dict` gives a plain copy.

Where an event is recorded decides which EventBridge bus receives it
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html): IAM and
Organizations record in us-east-1 only; sign-ins in the region the record names (us-east-1, or
us-east-2, eu-north-1, ap-southeast-2 for the global endpoint with an account-alias cookie, or the
region of a regional sign-in endpoint); every other service in the region the call was made in,
for which the sample's region is one example (:attr:`Sample.anywhere`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

ACCOUNT = "111122223333"
API_CALL = "AWS API Call via CloudTrail"
# What CloudTrail puts in detail-type for sign-in events (seen in working rules); the EventBridge
# guide spells it "AWS Console Signin via CloudTrail" - see NOTES.md, open questions.
SIGN_IN = "AWS Console Sign In via CloudTrail"
SERVICE_EVENT = "AWS Service Event via CloudTrail"
_DETAIL_TYPES = {
    "AwsApiCall": API_CALL,
    "AwsConsoleSignIn": SIGN_IN,
    "AwsServiceEvent": SERVICE_EVENT,
}
_ids = itertools.count(1)
# Services whose events are recorded in fixed regions, whatever region the caller used.
FIXED_REGION_SOURCES = frozenset(
    {"iam.amazonaws.com", "organizations.amazonaws.com", "signin.amazonaws.com"}
)
_EVENTBRIDGE_SOURCES = {"monitoring.amazonaws.com": "aws.cloudwatch"}


@dataclass(frozen=True, slots=True)
class Sample:
    """One event: ``label`` is what gap messages name ("AttachGroupPolicy"), ``variant`` what
    sets it apart from samples with the same label ("by the root user"; "" when alone)."""

    label: str
    variant: str
    record: Mapping[str, Any]

    @property
    def region(self) -> str:
        return str(self.record["awsRegion"])

    @property
    def read_only(self) -> bool:
        return self.record.get("readOnly") is True

    @property
    def detail_type(self) -> str:
        return _DETAIL_TYPES[str(self.record["eventType"])]

    @property
    def anywhere(self) -> bool:
        """Recorded in whatever region the call is made in (the sample's region is one)."""
        return self.record["eventSource"] not in FIXED_REGION_SOURCES

    def eventbridge_event(self, region: str) -> dict[str, Any]:
        """The event as CloudTrail delivers it to ``region``'s default bus: the record is the
        ``detail``; ``source`` is ``aws.<service>``."""
        record = self.as_dict()
        record["awsRegion"] = region
        source = str(record["eventSource"])
        return {
            "version": "0",
            "id": record["eventID"],
            "detail-type": self.detail_type,
            "source": _EVENTBRIDGE_SOURCES.get(source, "aws." + source.split(".")[0]),
            "account": record["recipientAccountId"],
            "time": record["eventTime"],
            "region": region,
            "resources": [],
            "detail": record,
        }

    def describe(self) -> str:
        return f"{self.label} ({self.variant})" if self.variant else self.label

    def as_dict(self) -> dict[str, Any]:
        thawed = _thaw(self.record)
        assert isinstance(thawed, dict)
        return thawed


IAM_USER: dict[str, Any] = {
    "type": "IAMUser",
    "principalId": "AIDAEXAMPLEALICE0001",
    "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
    "accountId": ACCOUNT,
    "accessKeyId": "AKIAEXAMPLEALICE0001",
    "userName": "alice",
}
ROLE: dict[str, Any] = {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLEDEPLOYER1:bob",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/bob",
    "accountId": ACCOUNT,
    "accessKeyId": "ASIAEXAMPLEBOB000001",
    "sessionContext": {
        "sessionIssuer": {
            "type": "Role",
            "principalId": "AROAEXAMPLEDEPLOYER1",
            "arn": f"arn:aws:iam::{ACCOUNT}:role/deployer",
            "accountId": ACCOUNT,
            "userName": "deployer",
        },
        "attributes": {"creationDate": "2024-05-01T09:00:00Z", "mfaAuthenticated": "false"},
    },
}
ROOT: dict[str, Any] = {
    "type": "Root",
    "principalId": ACCOUNT,
    "arn": f"arn:aws:iam::{ACCOUNT}:root",
    "accountId": ACCOUNT,
    "accessKeyId": "ASIAEXAMPLEROOT00001",
}
SSO_USER: dict[str, Any] = {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLESSOADMIN1:alice@example.com",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com",
    "accountId": ACCOUNT,
}
LOG_DELIVERY: dict[str, Any] = {"type": "AWSService", "invokedBy": "delivery.logs.amazonaws.com"}
LAMBDA_SERVICE: dict[str, Any] = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
KMS_SERVICE: dict[str, Any] = {"accountId": ACCOUNT, "invokedBy": "kms.amazonaws.com"}
IDENTITIES = {
    "user": IAM_USER,
    "role": ROLE,
    "root": ROOT,
    "sso": SSO_USER,
    "log-delivery": LOG_DELIVERY,
    "lambda": LAMBDA_SERVICE,
    "kms": KMS_SERVICE,
}


def api_call(
    name: str,
    source: str,
    who: str,
    *,
    region: str = "us-east-1",
    error: str = "",
    read_only: bool = False,
    via: str = "",
    event_type: str = "AwsApiCall",
) -> dict[str, Any]:
    """An API call by ``who`` (a key of IDENTITIES); ``via`` is the AWS service that made the
    call for them (``userIdentity.invokedBy``), ``error`` an errorCode."""
    identity = dict(IDENTITIES[who])
    if via:
        identity["invokedBy"] = via
    caller = via or identity.get("invokedBy") or "198.51.100.7"
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": caller,
        "userAgent": via or "aws-cli/2.15.0",
        "requestParameters": {},
        "responseElements": None,
        "requestID": f"req-{next(_ids):06d}",
        "eventID": f"00000000-0000-4000-8000-{next(_ids):012d}",
        "readOnly": read_only,
        "eventType": event_type,
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error:
        action = f"{source.split('.')[0]}:{name}"
        record["errorCode"] = error
        record["errorMessage"] = (
            f"{identity.get('arn', who)} is not authorized to perform: {action}"
        )
    return record


def sign_in(
    who: str,
    *,
    mfa: bool = False,
    success: bool = True,
    region: str = "us-east-1",
    error_message: str = "Failed authentication",
    event_name: str = "ConsoleLogin",
) -> dict[str, Any]:
    """A console sign-in event (eventType AwsConsoleSignIn), as in the CloudTrail examples."""
    identity = {k: v for k, v in IDENTITIES[who].items() if k != "sessionContext"}
    identity["accessKeyId"] = ""
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2024-05-01T08:00:00Z",
        "eventSource": "signin.amazonaws.com",
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "requestParameters": None,
        "responseElements": {event_name: "Success" if success else "Failure"},
        "eventID": f"00000000-0000-4000-8000-{next(_ids):012d}",
        "readOnly": False,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if event_name == "ConsoleLogin":
        record["additionalEventData"] = {
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "Yes" if mfa else "No",
        }
    if not success:
        record["errorMessage"] = error_message
    return record


def sample(label: str, variant: str, record: dict[str, Any]) -> Sample:
    return Sample(label, variant, _freeze(record))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


# Ordinary activity no control names: an alert that fires on these fires all day.
ROUTINE: tuple[Sample, ...] = (
    sample(
        "DescribeInstances",
        "by an assumed role in eu-west-1",
        api_call(
            "DescribeInstances", "ec2.amazonaws.com", "role", region="eu-west-1", read_only=True
        ),
    ),
    sample(
        "CreateTags",
        "by an IAM user in eu-west-1",
        api_call("CreateTags", "ec2.amazonaws.com", "user", region="eu-west-1"),
    ),
    sample(
        "CreateBucket", "by an assumed role", api_call("CreateBucket", "s3.amazonaws.com", "role")
    ),
    sample(
        "GetRole",
        "by an assumed role",
        api_call("GetRole", "iam.amazonaws.com", "role", read_only=True),
    ),
    sample(
        "AssumeRole",
        "by the Lambda service",
        api_call("AssumeRole", "sts.amazonaws.com", "lambda", read_only=True),
    ),
    sample("console sign-in", "by an IAM user with MFA", sign_in("user", mfa=True)),
    sample(
        "RotateKey",
        "an AWS service event",
        api_call("RotateKey", "kms.amazonaws.com", "kms", event_type="AwsServiceEvent"),
    ),
)
