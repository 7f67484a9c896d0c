from __future__ import annotations

from iamgate.model.snapshot import CollectionError, VirtualMfaDevice
from testing.checks import only
from testing.factories import ACCOUNT, key, row, snap

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"


def root(**kw: object) -> object:
    return row("<root_account>", password=None, **kw)  # type: ignore[arg-type]


def test_root_keys_from_the_credential_report() -> None:
    clean = snap(credential_report=(root(mfa=True),))
    assert only(clean, "root-no-access-keys").passed is True
    with_key = snap(credential_report=(root(mfa=True, keys=(key(1, rotated=400),)),))
    result = only(with_key, "root-no-access-keys")
    assert result.passed is False
    assert "credential report <root_account> row" in result.message


def test_root_keys_fall_back_to_the_account_summary_and_say_so() -> None:
    no_row = snap(credential_report=(), account_summary={"AccountAccessKeysPresent": 1})
    result = only(no_row, "root-no-access-keys")
    assert result.passed is False
    assert "account summary" in result.message
    clean = snap(credential_report=(), account_summary={"AccountAccessKeysPresent": 0})
    assert only(clean, "root-no-access-keys").passed is True


def test_root_mfa_both_sources() -> None:
    assert only(snap(credential_report=(root(mfa=True),)), "root-mfa").passed is True
    assert only(snap(credential_report=(root(mfa=False),)), "root-mfa").passed is False
    summary = snap(credential_report=(), account_summary={"AccountMFAEnabled": 1})
    result = only(summary, "root-mfa")
    assert result.passed is True
    assert "account summary" in result.message


def test_root_hardware_mfa() -> None:
    virtual = VirtualMfaDevice(
        serial=f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device", user_arn=ROOT_ARN
    )
    unassigned = VirtualMfaDevice(serial=f"arn:aws:iam::{ACCOUNT}:mfa/spare", user_arn=None)
    hardware = snap(credential_report=(root(mfa=True),), virtual_mfa_devices=(unassigned,))
    assert only(hardware, "root-hardware-mfa").passed is True
    soft = snap(credential_report=(root(mfa=True),), virtual_mfa_devices=(virtual,))
    result = only(soft, "root-hardware-mfa")
    assert result.passed is False
    assert "virtual" in result.message
    none = snap(credential_report=(root(mfa=False),))
    assert only(none, "root-hardware-mfa").passed is False


def test_root_recent_use_edges() -> None:
    old = snap(credential_report=(root(mfa=True, password_used=31),))
    assert only(old, "root-recent-use").passed is True
    recent = snap(credential_report=(root(mfa=True, password_used=29),))
    result = only(recent, "root-recent-use")
    assert result.passed is False
    assert "29 days ago" in result.message
    by_key = snap(credential_report=(root(mfa=True, keys=(key(1, rotated=400, used=2),)),))
    assert "access key 1" in only(by_key, "root-recent-use").message
    never = snap(credential_report=(root(mfa=True),))
    assert only(never, "root-recent-use").passed is True


def test_root_recent_use_without_a_root_row_is_an_error_not_a_pass() -> None:
    result = only(snap(credential_report=()), "root-recent-use")
    assert result.passed is None
    assert "<root_account>" in result.message


def test_missing_source_is_an_error_for_every_root_check() -> None:
    err = CollectionError(
        "credential_report",
        "GetCredentialReport",
        "us-east-1",
        "AccessDenied",
        "denied",
        "Grant iam:GetCredentialReport",
    )
    broken = snap(errors=(err,))
    for check_id in ("root-no-access-keys", "root-mfa", "root-hardware-mfa", "root-recent-use"):
        result = only(broken, check_id)
        assert result.passed is None, check_id
        assert "GetCredentialReport" in result.message
        assert "iam:GetCredentialReport" in result.message


def test_root_use_after_the_report_was_generated_is_an_error() -> None:
    from datetime import timedelta

    from testing.factories import NOW

    future = snap(credential_report=(root(mfa=True, password_used=NOW + timedelta(days=3)),))
    result = only(future, "root-recent-use")
    assert result.passed is None
    assert "after the credential report was generated" in result.message
