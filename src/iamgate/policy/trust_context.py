"""What a role's trust is compared with: the account, its organization, the configured trusted
accounts and CI owners, and what the snapshot tells of the account's own users and roles as
callers of ``sts:AssumeRole`` (their tags and user ids)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from iamgate.model.config import TrustSettings
from iamgate.model.snapshot import Role, Snapshot, Source, User
from iamgate.policy.request import Identity, tags_of
from iamgate.policy.trust_statements import allows_session_tags


class _Callers(Mapping[str, Identity]):
    """The account's users and roles as callers, by ARN: each :class:`Identity` made when a
    trust first asks of it (most never are), then kept."""

    def __init__(self, snapshot: Snapshot, org_id: str | None, known: bool) -> None:
        self._entities: dict[str, User | Role] = {u.arn: u for u in snapshot.users}
        self._entities.update((r.arn, r) for r in snapshot.roles)
        self._account, self._org_id, self._known = snapshot.account_id, org_id, known
        self._made: dict[str, Identity] = {}

    def __getitem__(self, arn: str) -> Identity:
        found = self._made.get(arn)
        if found is None:
            found = self._made[arn] = self._identity(self._entities[arn])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._entities)

    def __len__(self) -> int:
        return len(self._entities)

    def _identity(self, entity: User | Role) -> Identity:
        account, org_id, known = self._account, self._org_id, self._known
        if isinstance(entity, User):
            tags = None if entity.tags is None else tags_of((t.key, t.value) for t in entity.tags)
            return Identity(
                entity.arn, "user", entity.name, account, tags, org_id, known, entity.unique_id
            )
        # Session tags override a role's tags when its trust allows them.
        fixed = entity.tags is not None and not allows_session_tags(entity.trust_policy)
        tags = tags_of((t.key, t.value) for t in entity.tags or ()) if fixed else None
        return Identity(entity.arn, "role", entity.name, account, tags, org_id, known)


@dataclass(frozen=True, slots=True)
class TrustContext:
    """What a trust is compared with.

    ``oidc_owners`` lists the owners that are yours, one ``"<provider>:<owner>"`` each
    (``"github:my-org"``, ``"gitlab:my-group/sub"``, ``"github:id:1234"`` for a
    ``repository_owner_id``); an owner may name a path to accept less. Empty: any pinned owner
    passes; once it has an entry, every pinned owner of every provider must be listed.
    """

    account_id: str
    org_id: str | None = None  # None: the account is in no organization (or it is not known)
    org_known: bool = True  # False: the organization could not be read
    trusted_accounts: tuple[str, ...] = ()
    oidc_owners: tuple[str, ...] = ()
    # What the snapshot tells of the account's users and roles as callers of sts:AssumeRole
    # (their tags and user ids), by ARN; a caller not in it is known by its ARN alone.
    callers: Mapping[str, Identity] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, snapshot: Snapshot, settings: TrustSettings) -> TrustContext:
        org = snapshot.organization
        known = org is not None and not snapshot.errors_for([Source.ORGANIZATION])
        org_id = org.id if org is not None else None
        account = snapshot.account_id
        callers = _Callers(snapshot, org_id, known)
        return cls(account, org_id, known, settings.trusted_accounts, settings.oidc_owners, callers)

    @property
    def own_org(self) -> str | None:
        return self.org_id if self.org_known else None

    def internal_account(self, account: str) -> bool:
        return account == self.account_id or account in self.trusted_accounts

    def owns(self, provider_ids: Iterable[str], path: tuple[str, ...]) -> bool:
        """Is a pin to ``path`` (owner first) inside one of the configured owners?"""
        if not self.oidc_owners:
            return True
        wanted = set(provider_ids)
        for entry in self.oidc_owners:
            provider, _, owner = entry.partition(":")
            mine = owner.split("/")
            fits = len(path) >= len(mine) and all(map(_same_segment, mine, path))
            if provider in wanted and fits:
                return True
        return False


def _same_segment(mine: str, pinned: str) -> bool:
    """Names compare without case; GitHub's immutable ``NAME@ID`` matches ``NAME``, and the
    ``id:ID`` of a ``repository_owner_id`` matches ``NAME@ID`` too."""
    name, _, ident = pinned.partition("@")
    if mine.startswith("id:"):
        return pinned == mine or (bool(ident) and ident == mine[3:])
    return mine.casefold() in (pinned.casefold(), name.casefold())
