"""An account to scan, and the role to assume in it."""

from __future__ import annotations

from dataclasses import dataclass

# Accounts scanned at once. IAM throttles per account, but every job shares the caller's STS
# rate and this runner's CPU: a handful of accounts at a time keeps each within its retries.
DEFAULT_JOBS = 4


@dataclass(frozen=True, slots=True)
class AccountTarget:
    account_id: str
    role_arn: str | None = None  # None: the caller's own credentials
