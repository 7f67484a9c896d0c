from __future__ import annotations

import pytest

from iamgate.collect.credential_report import CredentialReportError, parse_credential_report
from iamgate.model.snapshot import Sentinel

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
ROOT = (
    "<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,"
    "2026-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,"
    "N/A,N/A,N/A,N/A,false,N/A,false,N/A"
)
ALICE = (
    "alice,arn:aws:iam::123456789012:user/alice,2024-01-01T00:00:00+00:00,true,"
    "no_information,2024-01-01T00:00:00+00:00,N/A,false,true,2024-02-01T00:00:00+00:00,N/A,"
    "N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
)
SVC = (
    "svc,arn:aws:iam::123456789012:user/svc,2024-01-01T00:00:00+00:00,false,not_supported,"
    "N/A,N/A,false,true,2024-02-01T00:00:00+00:00,2026-05-30T00:00:00+00:00,us-east-1,s3,"
    "true,2024-03-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A"
)


def test_every_sentinel_is_parsed_on_purpose() -> None:
    root, alice, svc = parse_credential_report("\n".join([HEADER, ROOT, ALICE, SVC]) + "\n")
    assert root.is_root
    assert root.password_enabled is None  # not_supported for root
    assert root.mfa_active is True
    assert alice.password_enabled is True
    assert alice.password_last_used is Sentinel.NO_INFORMATION
    assert alice.keys[0].active is True
    assert alice.keys[0].last_used is Sentinel.NA
    assert svc.password_last_used is Sentinel.NOT_SUPPORTED
    assert svc.password_last_changed is Sentinel.NA
    assert [k.active for k in svc.keys] == [True, True]
    assert svc.keys[0].last_used.year == 2026  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (HEADER + "\n" + ALICE[:60] + "\n", "wrong number of fields"),
        ("user,arn\nalice,x\n", "missing column"),
        (
            HEADER + "\n" + ALICE.replace("2024-02-01T00:00:00+00:00", "yesterday") + "\n",
            "not a date",
        ),
        (HEADER + "\n" + ALICE.replace(",true,", ",maybe,", 1) + "\n", "not true/false"),
        (HEADER + "\n" + ALICE + ',"unterminated\n', "line"),
    ],
)
def test_malformed_reports_are_errors_never_empty(content: str, fragment: str) -> None:
    with pytest.raises(CredentialReportError, match=fragment):
        parse_credential_report(content)


def test_header_only_is_an_empty_account() -> None:
    assert parse_credential_report(HEADER + "\n") == ()
