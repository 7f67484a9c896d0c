"""The account's own organization (``organizations:DescribeOrganization``).

Role trusts that name an organization (``aws:PrincipalOrgID``, ``aws:SourceOrgID``) are internal
only when it is this one. Any account of an organization may call it, the management account or
not; its ``MasterAccountId`` says whether this account is the management account (which SCPs and
RCPs never bound, and which alone may read them). ``AWSOrganizationsNotInUseException`` means
the account is in no organization: an answer, not an error. Any other failure is a collection
error, and the checks that need the organization say ``error``.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from iamgate.collect.source import DataSource, Session
from iamgate.model.snapshot import Organization, Source

NOT_IN_USE = "AWSOrganizationsNotInUseException"


def organization(session: Session) -> dict[str, Any]:
    client = session.clients.client("organizations")
    try:
        answer = client.describe_organization()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == NOT_IN_USE:
            return {"organization": Organization(None)}
        raise
    org_id = answer["Organization"]["Id"]
    if not isinstance(org_id, str) or not org_id.startswith("o-"):
        raise ValueError(f"DescribeOrganization answered with organization id {org_id!r}")
    management = answer["Organization"]["MasterAccountId"]
    if not re.fullmatch(r"[0-9]{12}", management):
        raise ValueError(f"DescribeOrganization answered with management account {management!r}")
    return {"organization": Organization(org_id, management)}


ORGANIZATION = DataSource(
    Source.ORGANIZATION,
    {"DescribeOrganization": "organizations:DescribeOrganization"},
    organization,
    answers={"DescribeOrganization": ("Organization.Id", "Organization.MasterAccountId")},
)
