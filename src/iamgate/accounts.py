"""Which accounts to scan: an accounts file, or the organization's ACTIVE accounts.

Each target is an account id and the role to assume in it; ``role_arn`` None means "the
caller's own credentials" (the management account the organization is listed from).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError

from iamgate.aws import Clients
from iamgate.baseline import _line, _Loader, _mapping, _scalar, read_text
from iamgate.errors import CollectError, InputError

_ACCOUNT = re.compile(r"^\d{12}$")
_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")
MAX_MATRIX_JOBS = 256  # GitHub Actions' limit per workflow run


@dataclass(frozen=True, slots=True)
class AccountTarget:
    account_id: str
    role_arn: str | None = None  # None: the caller's own credentials


def _account(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:012d}"
    return value if isinstance(value, str) and _ACCOUNT.match(value) else None


def parse_accounts(text: str, source: str) -> list[AccountTarget]:
    """A YAML (or JSON) list of ``{account_id, role_arn}``; every error names file and line."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"invalid YAML/JSON: {exc.problem or exc.context}",
            source,
            mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML/JSON: {exc}", source) from None
    finally:
        loader.dispose()
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        line = _line(root) if root is not None else None
        raise InputError("expected a non-empty list of {account_id, role_arn}", source, line)
    targets: list[AccountTarget] = []
    seen: dict[str, int] = {}
    for item in root.value:
        fields = _mapping(item, "an account entry", source)
        unknown = sorted(set(fields) - {"account_id", "role_arn"})
        if unknown:
            raise InputError(f"unknown key {unknown[0]!r}", source, _line(fields[unknown[0]][0]))
        if "account_id" not in fields:
            raise InputError("account_id is required", source, _line(item))
        node = fields["account_id"][1]
        account = _account(_scalar(loader, node)) if isinstance(node, yaml.ScalarNode) else None
        if account is None:
            raise InputError("account_id must be a 12-digit AWS account id", source, _line(node))
        if account in seen:
            raise InputError(
                f"account {account} is listed twice (first on line {seen[account]})",
                source,
                _line(node),
            )
        seen[account] = _line(node)
        role: str | None = None
        if "role_arn" in fields:
            rnode = fields["role_arn"][1]
            value = _scalar(loader, rnode) if isinstance(rnode, yaml.ScalarNode) else ""
            if value is not None:
                match = _ROLE.match(value) if isinstance(value, str) else None
                if match is None:
                    raise InputError(
                        "role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
                        source,
                        _line(rnode),
                    )
                if match.group(1) != account:
                    raise InputError(
                        f"role_arn is in account {match.group(1)}, not {account}",
                        source,
                        _line(rnode),
                    )
                role = value
        targets.append(AccountTarget(account, role))
    return targets


def load_accounts(path: Path) -> list[AccountTarget]:
    return parse_accounts(read_text(path, "accounts file"), str(path))


def organization_accounts(clients: Clients, role_name: str) -> list[AccountTarget]:
    """The organization's ACTIVE accounts; the caller's own account without assuming a role."""
    org = clients.client("organizations")
    try:
        identity = clients.client("sts").get_caller_identity()
        caller, partition = identity["Account"], identity["Arn"].split(":")[1]
        accounts: list[dict[str, Any]] = []
        for page in org.get_paginator("list_accounts").paginate():
            accounts.extend(page.get("Accounts", []))
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise CollectError(
            f"ListAccounts ({clients.region}) failed: {err.get('Code')}: {err.get('Message')}. "
            "Run from the management account (or a delegated administrator) with "
            "organizations:ListAccounts."
        ) from None
    except BotoCoreError as exc:
        raise CollectError(f"ListAccounts ({clients.region}) failed: {exc}") from None
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


def select(targets: Sequence[AccountTarget], ids: Iterable[str]) -> list[AccountTarget]:
    """Only the given account ids (a matrix chunk); an id that is not a target is bad input."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return list(targets)
    by_id = {t.account_id: t for t in targets}
    missing = [a for a in wanted if a not in by_id]
    if missing:
        raise InputError(f"not among the accounts to scan: {', '.join(missing)}", "--account-ids")
    return [by_id[a] for a in wanted]


def matrix(targets: Sequence[AccountTarget], chunk_size: int) -> str:
    """JSON for ``strategy.matrix``: chunks of account ids, numbered from 1."""
    if chunk_size < 1:
        raise InputError("must be at least 1", "--chunk-size")
    ids = [t.account_id for t in targets]
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    if len(chunks) > MAX_MATRIX_JOBS:
        need = -(-len(ids) // MAX_MATRIX_JOBS)
        raise InputError(
            f"{len(chunks)} chunks exceed GitHub's {MAX_MATRIX_JOBS} matrix jobs; "
            f"use --chunk-size {need} or more",
            "--chunk-size",
        )
    include = [{"chunk": str(n), "accounts": ",".join(c)} for n, c in enumerate(chunks, start=1)]
    return json.dumps({"include": include}, separators=(",", ":"))
