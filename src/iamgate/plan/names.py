"""IAM names and ARNs, as AWS builds them, and the placeholders that stand for values known only
after apply.

ARN forms: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
(``arn:PARTITION:iam::ACCOUNT:role/PATH/NAME``; a path starts and ends with ``/``). A
placeholder holds parentheses, which no IAM name may (``[\\w+=,.@-]``), so it can never be taken
for a real principal, yet a glob such as ``role/deploy-*`` still matches a generated
``deploy-(...)`` name, as it will match the real one.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamgate.model.change import EntityKind

_KIND_IN_ARN = {"user": "user", "group": "group", "role": "role", "policy": "policy"}


@dataclass(frozen=True, slots=True)
class Account:
    """The account a change lands in."""

    id: str
    partition: str = "aws"

    def arn(self, kind: EntityKind | str, name: str, path: str = "/") -> str:
        return f"arn:{self.partition}:iam::{self.id}:{_KIND_IN_ARN.get(kind, kind)}{path}{name}"

    def provider_arn(self, kind: str, name: str) -> str:
        """``oidc-provider/HOST/PATH`` (the URL without ``https://``) or ``saml-provider/NAME``."""
        return f"arn:{self.partition}:iam::{self.id}:{kind}/{name}"

    def managed_policy(self, name: str) -> str:
        return f"arn:{self.partition}:iam::aws:policy/{name}"


def normal_path(path: object) -> str:
    """An IAM path as stored: ``/`` by default, with its slashes (AWS requires them)."""
    if not isinstance(path, str) or not path:
        return "/"
    return path


def placeholder(prefix: str, what: str) -> str:
    """A name known only after apply: the known prefix, then what generates it."""
    return f"{prefix}({what})"


def name_from_arn(arn: str) -> str:
    """``arn:aws:iam::1:role/path/name`` -> ``name``."""
    return arn.rsplit("/", 1)[-1]


def is_arn(value: object) -> bool:
    return isinstance(value, str) and value.startswith("arn:")
