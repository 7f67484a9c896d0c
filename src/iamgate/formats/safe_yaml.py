"""Safe YAML, node by node: the one YAML reader of hand-written inputs (baselines, accounts).

PyYAML's *safe* composer only, so every message can name the file and line. Anchors and aliases
are refused (no alias bombs, and an entry is written out in full where it is reviewed), and so
are duplicate keys.
"""

from __future__ import annotations

from typing import Any

import yaml

from iamgate.errors import InputError


class Loader(yaml.SafeLoader):
    """Safe loader that refuses anchors/aliases and keeps node positions."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                "anchors and aliases are not allowed in a baseline", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                "anchors and aliases are not allowed in a baseline", event.start_mark
            )
        return super().compose_node(parent, index)


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def scalar(loader: Loader, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. "!!timestamp 2026-99-01": give it the node's line
        raise yaml.MarkedYAMLError(
            problem=f"cannot read value: {exc}", problem_mark=node.start_mark
        ) from None


def mapping(node: yaml.Node, what: str, source: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise InputError(f"{what} must be a mapping", source, line_of(node))
    result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise InputError(f"{what}: keys must be plain strings", source, line_of(key_node))
        key = str(key_node.value)
        if key in result:
            raise InputError(
                f"{what}: duplicate key {key!r} (first on line {line_of(result[key][0])})",
                source,
                line_of(key_node),
            )
        result[key] = (key_node, value_node)
    return result
