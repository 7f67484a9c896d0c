"""Safe YAML, node by node: the one YAML reader of hand-written inputs (baselines, accounts).

PyYAML's *safe* composer only, so every message can name the file and line. Anchors and aliases
are refused (no alias bombs, and an entry is written out in full where it is reviewed), and so
are duplicate keys.

:func:`compose` reads with libyaml (C) when PyYAML has it: a 5 MiB baseline of tens of thousands
of entries takes seconds, where the pure-Python reader took a minute. Anchors and aliases are
refused from libyaml's event stream before anything is composed. On any YAML error the text is
read again by the pure-Python reader, so every message and line is PyYAML's, whichever ran.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from iamgate.errors import InputError


class Loader(yaml.SafeLoader):
    """Safe loader that refuses anchors/aliases and keeps node positions."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _Refused(_ANCHORS, event.start_mark)
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise _Refused(_ANCHORS, event.start_mark)
        return super().compose_node(parent, index)


_FAST: Any = getattr(yaml, "CSafeLoader", None)
_ANCHORS = "anchors and aliases are not allowed (every entry is written out in full)"
_STR = "tag:yaml.org,2002:str"
# Where libyaml and PyYAML read the same text differently (tabs inside plain scalars, byte-order
# marks, Unicode line breaks): such text goes to PyYAML, so both readers always agree.
_EXOTIC = re.compile("[\t\ufeff\u2028\u2029\x85]")


@contextmanager
def yaml_errors(text: str, source: str, kind: str = "YAML") -> Iterator[None]:
    """Every YAML failure as an ``InputError`` naming ``source`` and the line, wherever it happens:
    making the loader (a control character), composing (syntax, nesting too deep) or
    constructing a value (a bad ``!!timestamp``); otherwise they escape as internal errors
    (exit 4). ``kind`` names the format in the message (``YAML/JSON`` for lists)."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid {kind}: {problem}", source, line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InputError(
            f"invalid {kind}: character U+{char:04X} is not allowed", source, line
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid {kind}: {' '.join(str(exc).split())}", source) from None
    except RecursionError:
        raise InputError(f"invalid {kind}: nested too deeply", source) from None


def compose(text: str) -> tuple[Any, yaml.Node | None]:
    """The single document's node tree, and the loader that constructs its scalars
    (:func:`scalar`). Raises PyYAML's errors (``yaml.YAMLError``), with its messages."""
    if _FAST is not None and not _EXOTIC.search(text):
        try:
            parser = _FAST(text)
            try:  # libyaml's events, pulled directly (no generator between)
                root = _from_events(iter(parser.get_event, None))
            finally:
                parser.dispose()
            if isinstance(root, yaml.MappingNode | yaml.SequenceNode):
                return Loader(""), root  # constructs (and resolves) the scalars that are read
        except _Refused:
            raise
        except (yaml.YAMLError, _Unusual):
            pass  # read again below: PyYAML's own message and line
    loader = Loader(text)
    try:
        return loader, loader.get_single_node()
    finally:
        loader.dispose()


class _Unusual(Exception):
    """Something the fast path leaves to PyYAML's own composer (and its message)."""


def _from_events(events: Any) -> yaml.Node | None:
    """Compose the nodes from libyaml's events in one pass, refusing anchors and aliases as
    they come. Scalars keep their tag unresolved (``None``): :func:`scalar` resolves the few
    that are read, not every key."""
    root: yaml.Node | None = None
    stack: list[yaml.Node] = []
    documents = 0
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor:
                raise _Refused(_ANCHORS, event.start_mark)
            node: yaml.Node = yaml.ScalarNode(
                event.tag if event.tag not in (None, "!") else None,  # type: ignore[arg-type]
                event.value,
                event.start_mark,
                event.end_mark,
                style=event.style,
            )
            node.implicit = event.implicit  # type: ignore[attr-defined]
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor:
                raise _Refused(_ANCHORS, event.start_mark)
            mapping = kind is yaml.MappingStartEvent
            default = "tag:yaml.org,2002:map" if mapping else "tag:yaml.org,2002:seq"
            tag = event.tag if event.tag not in (None, "!") else default
            cls = yaml.MappingNode if mapping else yaml.SequenceNode
            stack.append(cls(tag, [], event.start_mark, None, flow_style=event.flow_style))
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            node = stack.pop()
            node.end_mark = event.end_mark
            if isinstance(node, yaml.MappingNode):  # keys and values, paired
                flat = node.value
                node.value = list(zip(flat[::2], flat[1::2], strict=True))
        elif kind is yaml.AliasEvent:
            raise _Refused(_ANCHORS, event.start_mark)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual("several documents")
            continue
        else:  # stream and document ends
            continue
        if stack:
            stack[-1].value.append(node)
        else:
            root = node
    return root


class _Refused(yaml.MarkedYAMLError):
    def __init__(self, problem: str, mark: Any):
        super().__init__(problem=problem, problem_mark=mark)


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def scalar(loader: Any, node: yaml.Node) -> Any:
    if node.tag is None:  # composed by the fast path: resolved when read, as PyYAML would
        node.tag = loader.resolve(yaml.ScalarNode, node.value, node.implicit)
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value  # what SafeConstructor makes of it, without its bookkeeping
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
