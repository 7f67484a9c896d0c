"""The accounts file of ``--accounts``: a YAML (or JSON) list of ``{account_id, role_arn}``.

Every error names the file and line. ``role_arn`` absent or null means the caller's own
credentials.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from iamgate.errors import InputError
from iamgate.formats.files import read_text
from iamgate.formats.safe_yaml import compose, line_of, mapping, scalar, yaml_errors
from iamgate.model.targets import AccountTarget

_ACCOUNT = re.compile(r"[0-9]{12}")
_ROLE = re.compile(r"arn:aws[a-z-]*:iam::([0-9]{12}):role/[\w+=,.@/-]+", re.ASCII)


def _account(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:012d}"
    return value if isinstance(value, str) and _ACCOUNT.fullmatch(value) else None


def parse_accounts(text: str, source: str) -> list[AccountTarget]:
    """A YAML (or JSON) list of ``{account_id, role_arn}``; every error names file and line.

    Every YAML failure is caught, wherever it happens: making the loader (a control character),
    composing (syntax, nesting), or constructing a value (a bad ``!!timestamp``)."""
    with yaml_errors(text, source, "YAML/JSON"):
        return _parse_accounts(text, source)


def _parse_accounts(text: str, source: str) -> list[AccountTarget]:
    loader, root = compose(text)
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        line = line_of(root) if root is not None else None
        raise InputError("expected a non-empty list of {account_id, role_arn}", source, line)
    targets: list[AccountTarget] = []
    seen: dict[str, int] = {}
    for item in root.value:
        fields = mapping(item, "an account entry", source)
        unknown = sorted(set(fields) - {"account_id", "role_arn"})
        if unknown:
            raise InputError(f"unknown key {unknown[0]!r}", source, line_of(fields[unknown[0]][0]))
        if "account_id" not in fields:
            raise InputError("account_id is required", source, line_of(item))
        node = fields["account_id"][1]
        account = _account(scalar(loader, node)) if isinstance(node, yaml.ScalarNode) else None
        if account is None:
            raise InputError("account_id must be a 12-digit AWS account id", source, line_of(node))
        if account in seen:
            raise InputError(
                f"account {account} is listed twice (first on line {seen[account]})",
                source,
                line_of(node),
            )
        seen[account] = line_of(node)
        role: str | None = None
        if "role_arn" in fields:
            rnode = fields["role_arn"][1]
            value = scalar(loader, rnode) if isinstance(rnode, yaml.ScalarNode) else ""
            if value is not None:
                match = _ROLE.fullmatch(value) if isinstance(value, str) else None
                if match is None:
                    raise InputError(
                        "role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
                        source,
                        line_of(rnode),
                    )
                if match.group(1) != account:
                    raise InputError(
                        f"role_arn is in account {match.group(1)}, not {account}",
                        source,
                        line_of(rnode),
                    )
                role = value
        targets.append(AccountTarget(account, role))
    return targets


def load_accounts(path: Path) -> list[AccountTarget]:
    return parse_accounts(read_text(path, "accounts file"), str(path))
