"""Account-level IAM settings: the password policy, the account summary, virtual MFA devices
and server certificates (one small source each)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from iamgate.collect.source import DataSource, Session
from iamgate.model.snapshot import ServerCertificate, Source, VirtualMfaDevice


def password_policy(session: Session) -> dict[str, Any]:
    iam = session.clients.client("iam")
    try:
        return {"password_policy": dict(iam.get_account_password_policy()["PasswordPolicy"])}
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return {"password_policy": None}  # absent is a finding, not an error
        raise


def account_summary(session: Session) -> dict[str, Any]:
    iam = session.clients.client("iam")
    summary = iam.get_account_summary()["SummaryMap"]
    return {"account_summary": {k: int(v) for k, v in summary.items()}}


def virtual_mfa_devices(session: Session) -> dict[str, Any]:
    iam = session.clients.client("iam")
    devices = []
    for page in session.pages(iam, "ListVirtualMFADevices", AssignmentStatus="Any"):
        for d in page.get("VirtualMFADevices", []):
            devices.append(
                VirtualMfaDevice(
                    serial=d["SerialNumber"],
                    user_arn=d.get("User", {}).get("Arn"),
                    enable_date=d.get("EnableDate"),
                )
            )
    return {"virtual_mfa_devices": tuple(devices)}


def server_certificates(session: Session) -> dict[str, Any]:
    iam = session.clients.client("iam")
    certs = []
    for page in session.pages(iam, "ListServerCertificates"):
        for c in page.get("ServerCertificateMetadataList", []):
            certs.append(
                ServerCertificate(
                    name=c["ServerCertificateName"],
                    arn=c["Arn"],
                    expiration=c["Expiration"],
                    upload_date=c.get("UploadDate"),
                )
            )
    return {"server_certificates": tuple(certs)}


PASSWORD_POLICY = DataSource(
    Source.PASSWORD_POLICY,
    {"GetAccountPasswordPolicy": "iam:GetAccountPasswordPolicy"},
    password_policy,
)
ACCOUNT_SUMMARY = DataSource(
    Source.ACCOUNT_SUMMARY,
    {"GetAccountSummary": "iam:GetAccountSummary"},
    account_summary,
    answers={"GetAccountSummary": ("SummaryMap",)},
)
VIRTUAL_MFA_DEVICES = DataSource(
    Source.VIRTUAL_MFA_DEVICES,
    {"ListVirtualMFADevices": "iam:ListVirtualMFADevices"},
    virtual_mfa_devices,
)
SERVER_CERTIFICATES = DataSource(
    Source.SERVER_CERTIFICATES,
    {"ListServerCertificates": "iam:ListServerCertificates"},
    server_certificates,
)
