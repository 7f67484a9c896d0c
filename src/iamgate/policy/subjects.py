"""How a web identity subject value is read: the segments it fixes, owner first.

One reader per subject grammar (:mod:`.providers` names which provider uses which). Each reads
a value from its start up to the first wildcard (``*``, ``?``): a wildcard before the owner
means any owner, so the reader answers None. Literal ``*``/``?`` (an exact operator's value)
come in as :data:`.wildcard.LITERAL_STAR` / :data:`.wildcard.LITERAL_QMARK`.
"""

from __future__ import annotations

from collections.abc import Callable

from iamgate.policy.wildcard import has_wildcard, literal_prefix

Path = tuple[str, ...]
Reader = Callable[[str], Path | None]


def _path_value(value: str, complete: bool) -> Path | None:
    """``OWNER/REPO`` or ``GROUP/SUB/PROJECT``: the segments fixed before any wildcard."""
    segments = value.split("/")
    if not complete:
        segments = segments[:-1]  # the last segment runs into a wildcard: not fixed
    if not segments or not all(segments):
        return None
    return tuple(segments)


def github(pattern: str) -> Path | None:
    """``repo:OWNER/REPO:...``, or with immutable ids ``repo:OWNER@ID/REPO@ID:...`` (the default
    for repositories created or renamed from July 2026); a custom template may start with
    ``repository_owner`` or ``repository_owner_id``. Any other first claim
    (``job_workflow_ref``, ``environment``...) names no owner."""
    head = literal_prefix(pattern)
    key, sep, rest = head.partition(":")
    if not sep:
        return None
    value, sep, _ = rest.partition(":")
    complete = bool(sep) or head == pattern
    key = key.lower()
    if key in ("repo", "repository"):
        if not complete and len(value) > 1 and value.endswith("@"):
            return _path_value(value[:-1], True)  # NAME@<wildcard>: the name, any id
        return _path_value(value, complete)
    if key == "repository_owner" and complete and value:
        return (value,)
    if key == "repository_owner_id" and complete and value.isdigit():
        return (f"id:{value}",)
    return None


def gitlab(pattern: str) -> Path | None:
    head = literal_prefix(pattern)
    key, sep, rest = head.partition(":")
    if not sep or key.lower() != "project_path":
        return None
    value, sep, _ = rest.partition(":")
    return _path_value(value, bool(sep) or head == pattern)


def _pairs(pattern: str) -> list[tuple[str, str]]:
    """``key:value:key:value...`` pairs fixed before the first wildcard."""
    head = literal_prefix(pattern)
    tokens = head.split(":")
    if head != pattern:
        tokens = tokens[:-1]  # runs into a wildcard
    return [(tokens[i].lower(), tokens[i + 1]) for i in range(0, len(tokens) - 1, 2)]


def named_pairs(first: str, then: tuple[str, ...]) -> Reader:
    def read(pattern: str) -> Path | None:
        pairs = _pairs(pattern)
        if not pairs or pairs[0][0] != first or not pairs[0][1]:
            return None
        path = [pairs[0][1]]
        for (key, value), expected in zip(pairs[1:], then, strict=False):
            if key != expected or not value:
                break
            path.append(value)
        return tuple(path)

    return read


def eks(pattern: str) -> Path | None:
    head = literal_prefix(pattern)
    prefix = "system:serviceaccount:"
    if not head.lower().startswith(prefix):
        return None
    namespace, sep, name = head[len(prefix) :].partition(":")
    if not namespace or not (sep or head == pattern):
        return None
    return (namespace, name) if name and head == pattern else (namespace,)


def circleci(pattern: str) -> Path | None:
    """``org/ORG_ID/project/PROJECT_ID/user/USER_ID``: the values of the fixed pairs."""
    head = literal_prefix(pattern)
    tokens = head.split("/")
    if head != pattern:
        tokens = tokens[:-1]
    path = [tokens[i + 1] for i in range(0, len(tokens) - 1, 2) if tokens[i + 1]]
    return tuple(path[:2]) if path else None


def bitbucket(pattern: str) -> Path | None:
    """``{REPOSITORY_UUID}:{STEP_UUID}``: the repository is the pin."""
    head = literal_prefix(pattern)
    repository = head.split(":")[0]
    return (repository,) if repository and (":" in head or head == pattern) else None


def exact(pattern: str) -> Path | None:
    return (pattern,) if pattern and not has_wildcard(pattern) else None
