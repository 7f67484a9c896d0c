"""Fixtures for the fault matrix: a private moto server, seeded once, behind the fault proxy.

The moto server runs in its own process (not the session's shared one), so the seeded account
cannot be reset by other tests running on the same xdist worker; a scan does not change it, so
every fault case reuses it, with the proxy's rules reset per case.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fault_proxy import FaultProxy
from harness import CANARY_PASSWORD

from iamgate.moto_account import REGION

_SERVER = """
import os, sys, logging
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
logging.getLogger("werkzeug").setLevel(logging.ERROR)
from moto.server import ThreadedMotoServer
from iamgate.moto_account import RootRow, _ROOT_ROWS, _patch_credential_report
_patch_credential_report()  # a root row, as real AWS has: the root checks then have data
_ROOT_ROWS["123456789012"] = RootRow(mfa_active=True)
s = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
s.start()
print("%s:%s" % s.get_host_and_port(), flush=True)
sys.stdin.read()
"""


# Secrets the seeded account holds (the access key's secret): never to be seen in any output.
SEEDED_SECRETS: list[str] = []


def seed(endpoint: str) -> None:
    """A small account that makes the collector call every operation and fail some checks."""
    kw: dict[str, Any] = {
        "region_name": REGION,
        "endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password=CANARY_PASSWORD)  # no MFA: a finding
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    SEEDED_SECRETS.append(key["SecretAccessKey"])
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(
        GroupName="admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    iam.put_user_policy(
        UserName="bob",
        PolicyName="inline-s3",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"s3:GetObject","Resource":"*"}]}',
    )
    everything = iam.create_policy(
        PolicyName="everything",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"*","Resource":"*"}]}',
    )
    # One AWS-managed policy attached (one GetPolicy + GetPolicyVersion), one customer-managed.
    iam.attach_user_policy(UserName="bob", PolicyArn=everything["Policy"]["Arn"])
    iam.create_role(
        RoleName="app",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )
    iam.update_account_password_policy(MinimumPasswordLength=8)
    iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")


@pytest.fixture(scope="session")
def fault_moto() -> Iterator[str]:
    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    endpoint = "http://" + proc.stdout.readline().strip()
    try:
        seed(endpoint)
        yield endpoint
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def fault_proxy(fault_moto: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(fault_moto, read_timeout=1.0)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def seeded_secrets(fault_moto: str) -> list[str]:
    return list(SEEDED_SECRETS)


@pytest.fixture
def proxied(fault_proxy: FaultProxy) -> FaultProxy:
    """The proxy with no rules (a test sets its own)."""
    fault_proxy.set()
    return fault_proxy
