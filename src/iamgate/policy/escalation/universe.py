"""The ARNs of one kind of resource, and which of them a Resource glob names: the vectorised
form of :func:`iamgate.policy.evaluate.resource_applies`, held equal to it by a property test.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from iamgate.policy.document import Statement
from iamgate.policy.escalation.targets import EMPTY, Targets, every
from iamgate.policy.evaluate import Identity, Known, resource_globs
from iamgate.policy.wildcard import (
    LITERAL_QMARK,
    LITERAL_STAR,
    compile_glob,
    has_wildcard,
    literal_prefix,
)


def _plain(text: str) -> str:
    """A glob without wildcards as the text it matches (variable values keep their ``*``)."""
    return text.replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?")


class Universe:
    """ARNs of one kind, sorted; the ARN at ``arns[i]`` has position ``first + i`` (users and
    roles share one numbering, users first, so a set of principals needs no shifting)."""

    def __init__(
        self, arns: Sequence[str], first: int = 0, knowns: Sequence[Known] | None = None
    ) -> None:
        self.arns = list(arns)
        # The target keys of each ARN (its tags, its account): :mod:`.edge_keys`.
        self.knowns = list(knowns) if knowns is not None else [Known()] * len(self.arns)
        self.first = first
        self.position = {a: first + i for i, a in enumerate(self.arns)}
        self.all = every(first, len(self.arns))
        self._globs: dict[str, Targets] = {}
        self._tails: dict[str, list[int]] | None = None
        self._heads: list[str] = []

    def _by_tail(self) -> dict[str, list[int]]:
        """ARNs by their resource part ("user/alice"): globs such as
        "arn:aws:iam::*:user/${aws:username}" wildcard only the account. Built when first
        needed."""
        if self._tails is None:
            self._tails = {}
            for i, a in enumerate(self.arns):
                head, _, tail = a.rpartition(":") if a.count(":") == 5 else ("", "", a)
                self._heads.append(head)
                self._tails.setdefault(tail, []).append(i)
        return self._tails

    def match(self, glob: str) -> Targets:
        """The ARNs ``glob`` matches (memoised: the same globs recur across principals)."""
        found = self._globs.get(glob)
        if found is None:
            found = self._globs[glob] = self._match(glob)
        return found

    def _match(self, glob: str) -> Targets:
        if not has_wildcard(glob):
            at = self.position.get(_plain(glob))
            return EMPTY if at is None else Targets.of((at,))
        parts = glob.split(":", 5)
        if len(parts) == 6 and not has_wildcard(parts[5]):
            # "arn:aws:iam::*:user/alice": the literal tail picks the candidates, and one
            # compiled head ("arn:aws:iam::*", shared by every such glob) decides.
            head = compile_glob(":".join(parts[:5]), "resource")
            return Targets.of(
                self.first + i
                for i in self._by_tail().get(_plain(parts[5]), ())
                if head.matches(self._heads[i])
            )
        compiled = compile_glob(glob, "resource")
        if compiled.shape == "all":
            return self.all
        # Only ARNs that start with the literal prefix can match.
        prefix = literal_prefix(glob)
        low = bisect.bisect_left(self.arns, prefix)
        high = bisect.bisect_left(self.arns, prefix + "\U0010ffff", low)
        return Targets.of(
            self.first + i for i in range(low, high) if compiled.matches(self.arns[i])
        )

    def known(self, position: int) -> Known:
        """The target keys of the ARN at ``position``."""
        return self.knowns[position - self.first]

    def statement(self, st: Statement, who: Identity | None) -> Targets:
        """The ARNs ``st`` applies to, for ``who`` (its policy variables resolved)."""
        hits = EMPTY
        for glob in resource_globs(st, who).globs:
            hits = hits | self.match(glob)
        return self.all - hits if st.not_resource else hits
