"""An account to scan, and the role to assume in it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountTarget:
    account_id: str
    role_arn: str | None = None  # None: the caller's own credentials
