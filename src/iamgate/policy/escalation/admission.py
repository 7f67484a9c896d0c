"""Who a role's trust admits: the one adapter to the trust model, and the answers shared
between callers that the trust cannot tell apart.

``admits(role, principal)`` takes a principal ARN of the account or a service principal
(``lambda.amazonaws.com``) and answers an :class:`~iamgate.policy.trust.Admission` or None:
:func:`trust_admits` asks the trust model (:mod:`iamgate.policy.trust`), which evaluates
conditions and Denies.

Sharing: :meth:`~iamgate.policy.trust.Assumers.admits` reads of its caller only whether a
principal of the trust names it (by kind and name) and, through ``aws:PrincipalArn``, its ARN;
the rest of the request is the same for every user and role of the account. So for a trust
that does not name the caller and has no condition on who the caller is (:func:`_personal`),
one answer per kind of caller stands for all; a property test holds the shared answers equal
to the direct ones. Without that, a trust with a condition would be asked once per caller that
may assume it: the square of the account.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from iamgate.model.config import TrustSettings
from iamgate.model.snapshot import Role, Snapshot
from iamgate.policy.document import PolicyFormatError, parse_document
from iamgate.policy.trust import Admission, Assumers, TrustContext, who_can_assume
from iamgate.policy.trust_statements import document_key

Admits = Callable[[Role, str], Admission | None]

# Condition keys (and policy variables) that can make a trust's answer differ between two
# users or roles of the same account: the caller's ARN, tags, type, ids and name.
_CALLER_KEYS = ("principalarn", "principaltag", "principaltype", "userid", "username", "${")
_PIECES = re.compile(r'["/]')


class TrustModel:
    """The trust model as the graph's :data:`Admits`. Its answers are alike for callers a
    trust cannot tell apart (the module docstring says which), so :class:`Admissions` asks it
    once for them; any other adapter is asked once per caller."""

    def __init__(self, assumers: Callable[[Role], Assumers]) -> None:
        self.assumers = assumers
        self._models: dict[str, Assumers] = {}

    def model(self, role: Role) -> Assumers:
        """The role's trust model, kept: roles whose policies are the same text get the same
        object from ``Context.assumers``, so its identity names the policy."""
        found = self._models.get(role.arn)
        if found is None:
            found = self._models[role.arn] = self.assumers(role)
        return found

    def __call__(self, role: Role, principal: str) -> Admission | None:
        found = self.model(role)
        if principal.startswith("arn:"):
            return found.admits(principal)
        return found.admits_service(principal)


def trust_admits(assumers: Callable[[Role], Assumers]) -> Admits:
    """The graph's :data:`Admits`, over the trust model (:mod:`iamgate.policy.trust`): a user
    or role of the account through :meth:`~iamgate.policy.trust.Assumers.admits`, a service
    principal through :meth:`~iamgate.policy.trust.Assumers.admits_service`. ``assumers`` is
    the per-run cache of who can assume each role (``checks.context.Context.assumers``)."""
    return TrustModel(assumers)


def default_admits(snapshot: Snapshot) -> Admits:
    """Who can assume each role, with the default trust settings (the checks pass their own,
    from the config, through ``Context.assumers``); one model per distinct trust policy."""
    context = TrustContext.of(snapshot, TrustSettings())
    by_role: dict[str, Assumers] = {}
    by_document: dict[str, Assumers] = {}

    def assumers(role: Role) -> Assumers:
        found = by_role.get(role.arn)
        if found is None:
            key = document_key(role.trust_policy)
            found = by_document.get(key)
            if found is None:
                found = by_document[key] = who_can_assume(role.trust_policy, context)
            by_role[role.arn] = found
        return found

    return trust_admits(assumers)


def strings(value: Any) -> Iterator[str]:
    """Every string value in a JSON document (not its keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def uniform(trust: Mapping[str, Any]) -> bool:
    """A trust whose answer is the same for every principal of the account it does not name:
    no Condition, no Deny, no NotPrincipal (then one representative answers for all)."""
    try:
        doc = parse_document(trust)
    except PolicyFormatError:
        return False
    raw = doc.get("Statement", [])
    for st in [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []:
        if not isinstance(st, Mapping):
            return False
        if st.get("Condition") or st.get("Effect") != "Allow" or "NotPrincipal" in st:
            return False
    return True


def _words(trust: Mapping[str, Any] | str) -> tuple[frozenset[str], bool]:
    """(every ``/``-separated piece of the trust's text, lower-cased: a superset of the names
    it may give a caller; whether it reads who the caller is beyond its account). Read from
    the document as JSON text: one pass in C, keys and values alike."""
    try:
        doc = parse_document(trust)
    except PolicyFormatError:
        return frozenset(), True
    text = json.dumps(doc).lower()
    personal = any(key in text for key in _CALLER_KEYS)
    return frozenset(_PIECES.split(text)), personal


class Admissions:
    """``admits`` asked once per (role, caller), or once per (role, kind of caller) where the
    trust cannot tell callers of one kind apart (see the module docstring)."""

    def __init__(self, admits: Admits) -> None:
        self.admits = admits
        self.alike = isinstance(admits, TrustModel)  # others: asked once per caller
        self._answers: dict[tuple[object, str], Admission | None] = {}
        self._words: dict[object, tuple[frozenset[str], bool]] = {}
        self._names: dict[str, tuple[str, str]] = {}
        self._trust_keys: dict[str, object] = {}

    def admit(self, role: Role, principal: str, share: bool = True) -> Admission | None:
        """The answer for ``principal``; ``share=False`` when it is asked once anyway (then
        the trust's names are not looked at). Roles with the same trust policy share their
        answers (the trust model's are the same: it reads the policy and the run alone)."""
        key = (self.trust_key(role), self.caller_key(role, principal) if share else principal)
        if key not in self._answers:
            self._answers[key] = self.admits(role, principal)
        return self._answers[key]

    def trust_key(self, role: Role) -> object:
        """What the answers depend on: the role's trust model (one object per distinct trust
        policy, see ``Context.assumers``), or the role itself for another adapter."""
        found = self._trust_keys.get(role.arn)
        if found is None:  # asked again and again per role: looked up once
            # The model's id: kept alive by the model's cache.
            models = self.admits if isinstance(self.admits, TrustModel) else None
            found = id(models.model(role)) if models is not None else role.arn
            self._trust_keys[role.arn] = found
        return found

    def words(self, role: Role) -> tuple[frozenset[str], bool]:
        """(the names the role's trust may give a caller, whether it reads who the caller is
        beyond its account): a caller it does not name, of a trust that reads nothing else of
        it, gets the answer of any other caller of its kind. Every trust reads the caller for
        an adapter other than the trust model."""
        key = self.trust_key(role)
        found = self._words.get(key)
        if found is None:
            names, personal = _words(role.trust_policy)
            found = self._words[key] = (names, personal or not self.alike)
        return found

    def caller_key(self, role: Role, principal: str) -> str:
        """The caller itself, or its kind when the trust cannot tell it from its peers."""
        if not principal.startswith("arn:"):
            return principal  # a service
        names, personal = self.words(role)
        found = self._names.get(principal)
        if found is None:
            found = self._names[principal] = caller_name(principal)
        kind, name = found
        if not self.alike or personal or not name or name in names or kind not in ("user", "role"):
            return principal
        return f"any {kind} of {principal.split(':', 5)[4]} not named"


def caller_name(principal: str) -> tuple[str, str]:
    """(``user`` or ``role``, the lower-cased name) of a principal ARN, as a trust names it."""
    parts = principal.split(":", 5)
    kind, _, rest = parts[5].partition("/") if len(parts) == 6 else ("", "", "")
    return kind, rest.rsplit("/", 1)[-1].lower()
