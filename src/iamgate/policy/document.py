"""Policy documents: parsed once into :class:`Policy` values of :class:`Statement`.

One place normalizes the str-or-list fields (``Action``/``NotAction``, ``Resource``/
``NotResource``) and rejects what AWS would not store (a statement needs exactly one of
``Action``/``NotAction`` and one of ``Resource``/``NotResource``); everything else in ``policy/``
works on parsed statements. A statement keeps its patterns compiled (:mod:`.wildcard`) and a
policy caches which of its statements cover an action, because the same few dozen actions are
asked of every principal holding it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from iamgate.policy.condition_keys import decidable
from iamgate.policy.conditions import Clause, parse_condition

# Re-exported: the error of the whole policy language.
from iamgate.policy.errors import PolicyFormatError as PolicyFormatError
from iamgate.policy.wildcard import (
    Glob,
    compile_glob,
    covers_action,
    covers_resource,
    literal_prefix,
)

Effect = Literal["Allow", "Deny"]
PolicyKind = Literal["inline", "managed", "aws-managed", "synthetic"]
Document = Mapping[str, Any] | str

VARIABLES_VERSION = "2012-10-17"  # policy variables are substituted only in this version
# Every real action is "service:name" and every resource an ARN, so these globs are the
# universes that "every action on every resource" is measured against ("*" covers both).
EVERY_ACTION = "*:*"
EVERY_RESOURCE = "arn:*"
UNPARSED = "iamgate:unparsed"  # the collector's marker for a document botocore could not decode


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: statements are cache keys
class Statement:
    effect: Effect
    actions: tuple[str, ...]  # the Action list, or the NotAction list when ``not_action``
    not_action: bool
    resources: tuple[str, ...]  # the Resource list, or the NotResource list when ``not_resource``
    not_resource: bool
    condition_keys: tuple[str, ...]  # lower-cased, sorted; () means unconditional
    sid: str
    index: int  # position in the policy, for messages when there is no Sid
    policy: str  # the policy that holds it: an ARN or "<principal ARN>#inline/<name>"
    variables: bool  # ${...} in resources are policy variables (Version 2012-10-17)
    clauses: tuple[Clause, ...] = ()  # the Condition block (``condition_keys`` are theirs)
    # Keys of clauses already decided true for the principal the statement was read for
    # (``request.specialize``), as written: for messages.
    met: tuple[str, ...] = ()
    # Derived once at parse time (the hot paths read them for every principal):
    has_variables: bool = field(init=False)  # some Resource entry holds a variable
    action_globs: tuple[Glob, ...] = field(init=False, repr=False)
    all_actions: bool = field(init=False)  # an Action (not NotAction) pattern covers "*:*"
    no_action: bool = field(init=False)  # NotAction covering "*:*": the statement names none
    universal: bool = field(init=False)  # applies to every resource (before variables)
    # Its variables may resolve so that it applies to every resource: an entry that is only a
    # variable (``${aws:PrincipalTag/x}``), or a NotResource entry that may resolve to nothing.
    may_be_universal: bool = field(init=False)
    # Resource globs with the variables resolved, per principal (``evaluate.resource_globs``).
    resolved: dict[Any, Any] = field(init=False, repr=False)
    # Some clause is on a key whose value may be known (:mod:`.condition_keys`): only then is
    # the Condition worth reading for a request (``request.truth``, cached per principal).
    decidable: bool = field(init=False)
    truths: dict[Any, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "resolved", {})
        put(self, "truths", {})
        put(self, "decidable", any(decidable(c.key) for c in self.clauses))
        put(self, "has_variables", self.variables and any("${" in r for r in self.resources))
        put(self, "action_globs", tuple(compile_glob(p, "action") for p in self.actions))
        covers_all = any(covers_action(p, EVERY_ACTION) for p in self.actions)
        put(self, "all_actions", covers_all and not self.not_action)
        put(self, "no_action", covers_all and self.not_action)
        put(
            self,
            "may_be_universal",
            self.has_variables
            and (
                any("${" in r for r in self.resources)
                if self.not_resource
                else any(EVERY_RESOURCE.startswith(_head(r)) for r in self.resources)
            ),
        )
        put(
            self,
            "universal",
            (not self.resources)
            if self.not_resource
            else any(covers_resource(r, EVERY_RESOURCE) for r in self.resources),
        )

    @property
    def conditioned(self) -> bool:
        return bool(self.condition_keys)

    @property
    def label(self) -> str:
        name = f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"
        return f"{name} of {short_name(self.policy)}" if self.policy else name

    def covers_action(self, action: str) -> bool:
        """Whether the Action (or NotAction, as a complement) covers ``action``."""
        lowered = action.lower()
        hit = any(g.matches_lowered(lowered) for g in self.action_globs)
        return hit != self.not_action

    def describe(self) -> str:
        """``Allow NotAction [iam:*] on *``: the statement's shape, for messages."""
        acts = ", ".join(self.actions)
        what = f"NotAction [{acts}]" if self.not_action else acts
        res = ", ".join(self.resources)
        where = f"NotResource [{res}]" if self.not_resource else res
        return f"{self.effect} {what} on {where}"


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    id: str  # a managed policy's ARN, or "<holder ARN>#inline/<name>"
    statements: tuple[Statement, ...]
    kind: PolicyKind = "inline"
    _by_action: dict[str, tuple[Statement, ...]] = field(default_factory=dict, repr=False)
    # Facts derived from the policy alone, computed on first use by their owners (e.g. which
    # of a fixed list of actions some Allow covers): shared by every holder of the policy.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    has_variables: bool = field(init=False, repr=False)
    # The statements that can matter to "every action on every resource": Denies that name
    # an action, unconditional or with a condition that may be decided for a principal, and
    # Allows on every resource (or with variables, which may resolve to every resource). Most
    # policies have none.
    broad: tuple[Statement, ...] = field(init=False, repr=False)
    # The statements with a condition that may be decided for a principal (``request.specialize``).
    decidable: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "has_variables", any(s.has_variables for s in self.statements))
        decidable = tuple(i for i, s in enumerate(self.statements) if s.decidable)
        object.__setattr__(self, "decidable", decidable)
        object.__setattr__(
            self,
            "broad",
            tuple(
                st
                for st in self.statements
                if (
                    st.effect == "Deny"
                    and (st.decidable or not st.conditioned)
                    and not st.no_action
                )
                or (st.effect == "Allow" and (st.universal or st.may_be_universal))
            ),
        )

    def statements_for(self, action: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction covers ``action`` (cached per policy)."""
        key = action.lower()
        found = self._by_action.get(key)
        if found is None:
            found = tuple(st for st in self.statements if st.covers_action(key))
            self._by_action[key] = found
        return found

    def allows_some(self, action: str) -> bool:
        """Some Allow of this policy covers the action (on some resource)."""
        return any(st.effect == "Allow" for st in self.statements_for(action))

    def allowed_among(self, key: str, actions: tuple[str, ...]) -> frozenset[str]:
        """Those of ``actions`` some Allow covers, memoised under ``key`` (one per list)."""
        found: frozenset[str] | None = self.memo.get(key)
        if found is None:
            found = self.memo[key] = frozenset(a for a in actions if self.allows_some(a))
        return found


def _head(pattern: str) -> str:
    """The literal text before the first wildcard or variable."""
    cut = len(pattern)
    for mark in ("*", "?", "${"):
        at = pattern.find(mark)
        if at != -1:
            cut = min(cut, at)
    return pattern[:cut]


def policy_kind(policy_id: str) -> PolicyKind:
    if ":iam::aws:policy/" in policy_id:
        return "aws-managed"
    if ":policy/" in policy_id and "#inline/" not in policy_id:
        return "managed"
    return "inline"


def short_name(arn: str) -> str:
    """``arn:aws:iam::1:user/path/ci`` -> ``user/ci``; inline ids keep their tail; an
    AWS-managed policy says so (a customer may have a policy of the same name); an
    organization policy's id (``SCP name (level)``, :mod:`.organization`) is its name."""
    if arn.startswith(("SCP ", "RCP ")):
        return arn
    head, sep, inline = arn.partition("#inline/")
    resource = head.split(":", 5)[-1] if head.startswith("arn:") else head
    kind, _, rest = resource.partition("/")
    base = f"{kind}/{rest.rsplit('/', 1)[-1]}" if rest else resource
    if ":iam::aws:policy/" in head:
        base += " (AWS managed)"
    return f"{base}#inline/{inline}" if sep else base


def inline_policy_id(principal_arn: str, name: str) -> str:
    """Inline policies have no ARN; this names one for findings and baselines."""
    return f"{principal_arn}#inline/{name}"


def as_tuple(value: Any, field: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyFormatError(f"{field} must be a string or a list of strings")


def parse_document(document: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """Accept a document as AWS returns it: a dict, or JSON text (possibly URL-encoded)."""
    if isinstance(document, str):
        text = document if document.lstrip().startswith("{") else unquote(document)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyFormatError(f"policy document is not JSON: {exc.msg}") from None
        except RecursionError:
            raise PolicyFormatError("policy document is nested too deeply") from None
        except ValueError:  # a number past Python's int-string limit
            raise PolicyFormatError("policy document holds a number too long to read") from None
    if not isinstance(document, Mapping):
        raise PolicyFormatError("policy document is not a JSON object")
    return document


def parse_policy(policy_id: str, document: Document, kind: PolicyKind | None = None) -> Policy:
    doc = parse_document(document)
    if UNPARSED in doc:
        raise PolicyFormatError(f"policy document could not be read: {doc[UNPARSED]!r}")
    if "Statement" not in doc:
        raise PolicyFormatError("policy document has no Statement")
    raw = doc["Statement"]
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise PolicyFormatError("Statement must be an object or a list")
    variables = doc.get("Version") == VARIABLES_VERSION
    out = []
    for i, st in enumerate(raw):
        where = f"statement #{i + 1}"
        if not isinstance(st, Mapping):
            raise PolicyFormatError(f"{where} is not an object")
        effect = st.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyFormatError(f"{where}: Effect must be Allow or Deny")
        action = as_tuple(st.get("Action"), "Action")
        not_action = as_tuple(st.get("NotAction"), "NotAction")
        resource = as_tuple(st.get("Resource"), "Resource")
        not_resource = as_tuple(st.get("NotResource"), "NotResource")
        if (action is None) == (not_action is None):
            raise PolicyFormatError(f"{where}: needs exactly one of Action and NotAction")
        if (resource is None) == (not_resource is None):
            raise PolicyFormatError(f"{where}: needs exactly one of Resource and NotResource")
        clauses = parse_condition(st.get("Condition") or None, where)
        keys = sorted({c.key_lower for c in clauses})
        out.append(
            Statement(
                effect=effect,
                actions=action if action is not None else not_action or (),
                not_action=action is None,
                resources=resource if resource is not None else not_resource or (),
                not_resource=resource is None,
                condition_keys=tuple(keys),
                sid=str(st.get("Sid") or ""),
                index=i,
                policy=policy_id,
                variables=variables,
                clauses=clauses,
            )
        )
    return Policy(policy_id, tuple(out), kind or policy_kind(policy_id))


def statements(document: Document, source: str = "") -> tuple[Statement, ...]:
    """The statements of one document (a policy parsed under the id ``source``)."""
    return parse_policy(source, document).statements


def _services_named(pattern: str) -> set[str]:
    """Services an action pattern may cover whole, to test: its service part with ``*`` left
    out and ``?`` as any letter (a pattern covers a service's every action for one such
    instance exactly when it does for every service it matches there), and its literal head."""
    head = pattern.split(":", 1)[0] if ":" in pattern else pattern
    instance = head.replace("*", "").replace("?", "a") or "a"
    literal = literal_prefix(pattern).split(":", 1)[0]
    return {instance, *([literal] if literal else [])}


# Every action is ``service:Name``; the shortest names AWS documents have three letters
# (``apigateway:GET``), so "every action of s3" is ``s3:???*``.
_EVERY_NAME = "???*"


def allows_a_whole_service(pattern: str) -> bool:
    """Whether an Action pattern matches every action of some service (``s3:*``, ``S3:**``,
    ``s3:*?*``, ``s*:*``, ``*``): judged by what it matches, not by how it is spelled."""
    low = pattern.lower()
    return any(covers_action(low, f"{svc}:{_EVERY_NAME}") for svc in _services_named(low))


def service_wildcards(sts: Iterable[Statement]) -> list[tuple[str, Statement]]:
    """``(what, statement)`` for each Allow of every action of a service: an Action pattern
    that matches them all (:func:`allows_a_whole_service`), or a NotAction list, which allows
    every action of every service it does not name. A statement allowing every action on every
    resource is left to the administrator checks."""
    found: list[tuple[str, Statement]] = []
    for st in sts:
        if st.effect != "Allow" or (st.all_actions and st.universal):
            continue
        if st.not_action:
            if not st.no_action:
                found.append((f"NotAction [{', '.join(st.actions)}]", st))
            continue
        found.extend((action, st) for action in st.actions if allows_a_whole_service(action))
    return found


ALLOW_ALL_ID = "iamgate:any-policy"
_ALLOW_ALL = Policy(
    ALLOW_ALL_ID,
    (Statement("Allow", ("*",), False, ("*",), False, (), "", 0, ALLOW_ALL_ID, False),),
    "synthetic",
)


def allow_all_policy() -> Policy:
    """The policy a principal that may write its own policies can give itself."""
    return _ALLOW_ALL
