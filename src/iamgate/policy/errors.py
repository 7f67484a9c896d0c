"""The one error of the policy language: a document AWS would not store, or that cannot be read."""

from __future__ import annotations


class PolicyFormatError(ValueError):
    pass
