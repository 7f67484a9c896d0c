"""The organization's ACTIVE accounts (``organizations:ListAccounts``), for multi-account scans.

The caller's own account is scanned with the caller's credentials (``role_arn`` None); every
other account through the member role.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from iamgate.aws.clients import Clients
from iamgate.aws.failures import MalformedAnswer
from iamgate.collect.source import SHAPE_ERRORS, check_answer, paginate
from iamgate.errors import CollectError
from iamgate.model.targets import AccountTarget


def organization_accounts(clients: Clients, role_name: str) -> list[AccountTarget]:
    """The organization's ACTIVE accounts; the caller's own account without assuming a role."""
    clients.answer_check = check_answer  # every answer checked before it is read
    org = clients.client("organizations")
    try:
        identity = clients.client("sts").get_caller_identity()
        caller, partition = identity["Account"], identity["Arn"].split(":")[1]
        accounts: list[dict[str, Any]] = []
        for page in paginate(org, "ListAccounts"):
            accounts.extend(page["Accounts"])
        for a in accounts:
            if not isinstance(a.get("Id"), str):
                raise MalformedAnswer("ListAccounts", "an account without an Id")
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise CollectError(
            f"ListAccounts ({clients.region}) failed: {err.get('Code')}: {err.get('Message')}. "
            "Run from the management account (or a delegated administrator) with "
            "organizations:ListAccounts."
        ) from None
    except (BotoCoreError, MalformedAnswer) as exc:
        raise CollectError(f"ListAccounts ({clients.region}) failed: {exc}") from None
    except SHAPE_ERRORS as exc:
        raise CollectError(
            f"ListAccounts ({clients.region}) failed: AWS answered without {exc}"
        ) from None
    targets = []
    for a in sorted(accounts, key=lambda a: str(a["Id"])):
        # ``State`` replaces ``Status`` in newer APIs; either says whether it is usable.
        if (a.get("State") or a.get("Status")) != "ACTIVE":
            continue
        if a["Id"] == caller:
            targets.append(AccountTarget(a["Id"]))
        else:
            targets.append(
                AccountTarget(a["Id"], f"arn:{partition}:iam::{a['Id']}:role/{role_name}")
            )
    return targets
