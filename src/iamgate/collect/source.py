"""The one shape of a data source, and the one guard around every source.

A :class:`DataSource` names the snapshot source it fills (what checks ``require``), the AWS
operations it calls with the permission each needs (named in every error and in
``iam-policy.json``), and a function that returns snapshot fields. The :class:`Session` runs each
source under one guard: a call that fails for good, or an answer without the shape the code
reads, is recorded as a ``CollectionError`` against the source, never an exception that loses
the rest of the collection.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name

from iamgate.aws.clients import Clients
from iamgate.aws.failures import CALL_ERRORS, classify, malformed
from iamgate.model.snapshot import CollectionError, Source

Progress = Callable[[str], None]
PAGE_SIZE = 1000  # IAM's MaxItems limit (its default page is 100)


class SourceFailed(Exception):
    """A source gave up, with the error already classified."""

    def __init__(self, error: CollectionError):
        super().__init__(error.describe())
        self.error = error


@dataclass(frozen=True, slots=True)
class DataSource:
    source: Source
    # Operation -> the IAM permission it needs, in call order. The first names a failure that
    # happens before any call.
    operations: Mapping[str, str]
    collect: Callable[[Session], Mapping[str, Any]]  # -> snapshot fields
    # Snapshot fields when the source failed (else the Snapshot's defaults).
    fallback: Callable[[Session], Mapping[str, Any]] | None = None


@dataclass
class Session:
    """What a source may use while it collects: clients, progress, what earlier sources found."""

    clients: Clients
    progress: Progress
    permissions: Mapping[str, str]
    wanted_regions: tuple[str, ...] = ()  # () means every enabled region
    account_id: str = ""  # the account being read (a resource of another is out of reach)
    credential_report_timeout: float = 120.0
    sleep: Callable[[float], None] = lambda _s: None
    found: dict[str, Any] = field(default_factory=dict)
    errors: list[CollectionError] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.clients.region

    def failure(
        self, source: str, operation: str, exc: Exception, region: str | None = None
    ) -> CollectionError:
        permission = self.permissions.get(operation, "")
        return classify(source, operation, permission, region or self.region, exc)

    def call(self, source: str, operation: str, fn: Callable[[], Any], what: str = "") -> Any:
        """One API call: a failure names *this* operation (and its permission), not the
        source's first one. ``what`` says which item it was for (e.g. a policy ARN)."""
        try:
            return fn()
        except CALL_ERRORS as exc:
            failure = self.failure(source, operation, exc)
            if what:
                failure = dataclasses.replace(failure, message=f"{what}: {failure.message}")
            raise SourceFailed(failure) from None

    def pages(self, client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated operation, at the largest page size IAM serves, so requests
        grow with thousands of entities, not hundreds."""
        paginator = client.get_paginator(xform_name(operation))
        kwargs.setdefault("PaginationConfig", {"PageSize": PAGE_SIZE})
        for n, page in enumerate(paginator.paginate(**kwargs), start=1):
            self.progress(f"{operation}: page {n}")
            yield page

    def run(self, spec: DataSource) -> Mapping[str, Any]:
        """Collect one source; on failure record why and return its fallback fields."""
        first = next(iter(spec.operations))
        self.clients.counter.begin()
        try:
            return spec.collect(self)
        except SourceFailed as failed:
            self.errors.append(failed.error)
        except CALL_ERRORS as exc:
            operation = (
                getattr(exc, "operation_name", None)
                or self.clients.counter.last_operation()
                or first
            )
            self.errors.append(self.failure(spec.source, operation, exc))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            operation = self.clients.counter.last_operation() or first
            self.errors.append(
                malformed(
                    spec.source,
                    operation,
                    self.permissions.get(operation, ""),
                    self.region,
                    f"{type(exc).__name__}: {exc}",
                )
            )
        return spec.fallback(self) if spec.fallback else {}
