"""Who can obtain whose access: the privilege-escalation graph of an account.

Nodes (:mod:`.nodes`): every user and role as it is, every group, the variants a writer can
turn a principal into, and one new principal. Edges come from the catalogue
(:mod:`iamgate.policy.catalogue`), one rule per edge kind with its targets beside its
explanation (:mod:`.rules`), asked of what each node may do (:mod:`.facts`, through
:func:`iamgate.policy.evaluate.allows` and :func:`iamgate.policy.admin.admin`) and of what the
account holds (:mod:`.index`: membership, policy holders, role trust through the one adapter
:data:`Admits`). Shortest paths: :mod:`.paths`. The graph and each verdict: :mod:`.graph`.

Cost (docs/performance.md): edges are parts shared by the principals whose policies give the
same answer (:mod:`.targets` keeps one principal's own additions small), and the backward
search visits each node and each (node, part) pair once, so the graph grows with the edges
that exist rather than with the square of the account.
"""

from iamgate.policy.escalation.admission import Admits, default_admits, trust_admits
from iamgate.policy.escalation.graph import Escalation, Graph, Status
from iamgate.policy.escalation.nodes import Node, Variant
from iamgate.policy.escalation.rules import RULES, Hop, Rule

__all__ = [
    "RULES",
    "Admits",
    "Escalation",
    "Graph",
    "Hop",
    "Node",
    "Rule",
    "Status",
    "Variant",
    "default_admits",
    "trust_admits",
]
