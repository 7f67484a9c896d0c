"""Which accounts a multi-account run covers: a matrix chunk of them, or the chunks themselves
as a GitHub Actions ``strategy.matrix``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from iamgate.aws.clients import AwsOptions, Clients
from iamgate.collect.organization import organization_accounts
from iamgate.errors import InputError
from iamgate.formats.accounts_file import load_accounts
from iamgate.model.targets import AccountTarget

MAX_MATRIX_JOBS = 256  # GitHub Actions' limit per workflow run


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


def resolve_targets(
    aws: AwsOptions, organization: bool, member_role: str | None, accounts_file: Path | None
) -> list[AccountTarget]:
    """The accounts of ``--organization`` (listed with the caller's credentials) or
    ``--accounts FILE``: exactly one of them."""
    if organization == (accounts_file is not None):
        raise InputError("give exactly one of --organization and --accounts", "--organization")
    if accounts_file is not None:
        return load_accounts(accounts_file)
    if not member_role:
        raise InputError("--organization needs --member-role-name", "--member-role-name")
    return organization_accounts(Clients(aws), member_role)
