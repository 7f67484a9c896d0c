"""The one shape of a data source, and the one guard around every source.

A :class:`DataSource` names the snapshot source it fills (what checks ``require``), the AWS
operations it calls with the permission each needs (named in every error and in
``iam-policy.json``), the members it reads from each answer (``answers``), and a function that
returns snapshot fields. The :class:`Session` runs each source under one guard:

- every successful answer is checked before any code reads it (:func:`check_answer`): its
  members have the types of botocore's service model, the model's required members are there,
  and so is every member the source declares it reads. An empty or truncated body, an item that
  is not an object, a list that is missing: each is a ``MalformedResponse`` collection error,
  never an empty list that reads as "nothing found";
- every paginated call goes through :func:`paginate`: a marker that was already used (A, B, A,
  ...), a page that says "truncated" but gives no marker, or more pages than ``max_pages`` stop
  the call with the same error, never an endless loop or a silently shortened list;
- a call that fails for good is recorded as a ``CollectionError`` against the source, never an
  exception that loses the rest of the collection. The run then exits 3 with its reports.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from botocore import xform_name
from botocore.loaders import create_loader

from iamgate.aws.clients import Clients
from iamgate.aws.failures import CALL_ERRORS, MalformedAnswer, classify, malformed
from iamgate.model.org_policies import OrganizationPolicies
from iamgate.model.snapshot import CollectionError, Organization, Source

Progress = Callable[[str], None]
PAGE_SIZE = 1000  # IAM's MaxItems limit (its default page is 100)
# Pages per paginated call before it is stopped ([collect] max_pages). IAM's quotas keep an
# account's authorization details to a few dozen pages of 1,000; Access Analyzer and CloudWatch
# answer 100 items a page. A call that needs more is far more likely a marker that never ends.
MAX_PAGES = 2000
# Errors that botocore's parsers raise on a body of the wrong shape (a finding that is a string
# instead of an object: ``'str' object has no attribute 'get'``), and what collectors raise
# when an answer lacks a member they read.
SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


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
    # Operation -> members every answer must carry, beyond the model's required ones: those the
    # code reads with a default (``page.get("Users", [])``), where absent would read as empty.
    # Paths: ``SummaryMap``, ``Policy.DefaultVersionId``, ``UserDetailList[].UserName``.
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# --- the answer guard -------------------------------------------------------------------------


def check_answer(model: Any, parsed: Any, needs: Sequence[str] = ()) -> None:
    """Raise :class:`MalformedAnswer` unless ``parsed`` (botocore's parsed answer to the
    operation ``model``) has the shape the code reads: the model's types and required members,
    and every member path in ``needs``."""
    operation = str(model.name)
    if not isinstance(parsed, dict):
        raise MalformedAnswer(operation, f"{operation}: the answer is not an object")
    answer = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    shape = model.output_shape
    problem = _shape_problem(shape, answer, "") if shape is not None else None
    for path in needs:
        if problem is not None:
            break
        problem = _missing(answer, path.split("."))
    if problem is not None:
        raise MalformedAnswer(operation, f"{operation} answered without the expected {problem}")


_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (datetime,),
    "blob": (bytes, bytearray),
}


_KINDS: dict[type, str] = {dict: "an object", list: "a list", str: "a string"}


def _kind(value: Any) -> str:
    return _KINDS.get(type(value)) or type(value).__name__


def _shape_problem(shape: Any, value: Any, path: str) -> str | None:
    """The first place where ``value`` does not fit ``shape`` (None when it fits)."""
    kind = shape.type_name
    where = path or "answer"
    if kind == "structure":
        if not isinstance(value, dict):
            return f"{where} (an object, got {_kind(value)})"
        for name in shape.required_members:
            if value.get(name) is None:
                return f"{path + '.' if path else ''}{name} (missing)"
        members = shape.members
        for name, item in value.items():
            sub = members.get(name)
            if sub is not None and item is not None:
                found = _shape_problem(sub, item, f"{path + '.' if path else ''}{name}")
                if found is not None:
                    return found
        return None
    if kind == "list":
        if not isinstance(value, list):
            return f"{where} (a list, got {_kind(value)})"
        member = shape.member
        if member.type_name == "string" and all(type(v) is str and v.isascii() for v in value):
            return None  # the common case, checked quickly
        for i, item in enumerate(value):
            found = _shape_problem(member, item, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return f"{where} (an object, got {_kind(value)})"
        for key, item in value.items():
            found = _shape_problem(shape.value, item, f"{path}[{key!r}]")
            if found is not None:
                return found
        return None
    allowed = _SCALARS.get(kind)
    if allowed is None:  # documents and anything newer: botocore leaves them as they came
        return None
    if kind == "string" and isinstance(value, dict) and shape.name == "policyDocumentType":
        return None  # botocore decodes IAM policy documents into objects
    if isinstance(value, bool) and kind != "boolean":
        return f"{where} ({kind}, got {value!r})"
    if not isinstance(value, allowed):
        return f"{where} ({kind}, got {_kind(value)})"
    if isinstance(value, str) and not value.isascii():
        try:  # a JSON "\\ud800" escape: not text, and it could not be written out later
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where} (text, got a lone surrogate)"
    return None


def _missing(value: Any, parts: list[str]) -> str | None:
    """The first member of the path ``parts`` that ``value`` lacks (``[]``: every item)."""
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    name = head.removesuffix("[]")
    if not isinstance(value, dict) or value.get(name) is None:
        return f"{name} (missing)"
    item = value[name]
    if head.endswith("[]"):
        if not isinstance(item, list):
            return f"{name} (a list, got {_kind(item)})"
        for i, element in enumerate(item):
            found = _missing(element, rest)
            if found is not None:
                return f"{name}[{i}].{found}"
        return None
    found = _missing(item, rest)
    return f"{name}.{found}" if found is not None else None


def parsed_answer(operation: str, call: Callable[[], Any]) -> Any:
    """One call; a body botocore's parser chokes on is a :class:`MalformedAnswer`, never an
    ``AttributeError`` that reads as a bug."""
    try:
        return call()
    except CALL_ERRORS:
        raise
    except SHAPE_ERRORS as exc:
        raise MalformedAnswer(
            operation, f"{operation}: the answer could not be read ({type(exc).__name__}: {exc})"
        ) from None


# --- pagination ---------------------------------------------------------------------------------

_LOADER = create_loader()


@functools.cache
def _pagination(service: str, operation: str) -> Mapping[str, Any]:
    """botocore's paginator config of ``operation`` (tokens, more-results flag, limit key)."""
    model = _LOADER.load_service_model(service, "paginators-1")
    return dict(model["pagination"][operation])


def _names(value: str | list[str]) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else tuple(value)
    for name in names:  # the expressions some services use would need JMESPath
        if not name.isidentifier():
            raise ValueError(f"unsupported pagination token {name!r}")
    return names


def paginate(
    client: Any,
    operation: str,
    *,
    max_pages: int = MAX_PAGES,
    page_size: int | None = None,
    **params: Any,
) -> Iterator[dict[str, Any]]:
    """Every page of a paginated operation, each checked before the next is asked for.

    botocore's paginators stop only when the *same* marker comes twice in a row, and stop
    silently on a page that says "truncated" without a marker. Here a marker seen before
    (cycling A, B, A, B, ...), a truncated page without a marker, and page ``max_pages + 1``
    each raise :class:`MalformedAnswer`: the call fails closed instead of looping or returning
    part of a list.
    """
    config = _pagination(client.meta.service_model.service_name, operation)
    inputs, outputs = _names(config["input_token"]), _names(config["output_token"])
    more, limit = config.get("more_results"), config.get("limit_key")
    method = getattr(client, xform_name(operation))
    request = dict(params)
    if page_size is not None and limit:
        request[limit] = page_size
    seen: set[tuple[Any, ...]] = set()
    for n in itertools.count(1):
        page = parsed_answer(operation, lambda: method(**request))
        yield page
        tokens = tuple(page.get(name) for name in outputs)
        marked = any(t not in (None, "") for t in tokens)
        if more is not None:
            if not page.get(more):
                return
            if not marked:
                raise MalformedAnswer(
                    operation,
                    f"{operation}: page {n} says there is more ({more}) but gives no "
                    f"{'/'.join(outputs)}: the rest of the list cannot be fetched",
                )
        elif not marked:
            return
        if tokens in seen:
            raise MalformedAnswer(
                operation,
                f"{operation}: page {n} gives a pagination marker that was already used (the "
                "markers cycle): stopped instead of looping",
            )
        if n >= max_pages:
            raise MalformedAnswer(
                operation,
                f"{operation}: more than {max_pages} pages: stopped (raise [collect] max_pages "
                "if the account really has that many)",
            )
        seen.add(tokens)
        request.update(zip(inputs, tokens, strict=True))


# --- the session --------------------------------------------------------------------------------


class OrganizationReader(Protocol):
    """Reads the SCPs and RCPs over an account with other credentials than the account's own
    (``collect/org_policies.py``: an organization scan's, or ``--organization-role``)."""

    def read(
        self, account_id: str, organization: Organization, progress: Progress
    ) -> OrganizationPolicies: ...


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
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # op -> member paths
    max_pages: int = MAX_PAGES
    organization_reader: OrganizationReader | None = None
    # AWS-managed policies to read besides those in use ([collect] aws_managed_policies).
    expected_policies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Every answer the clients get is checked before a source reads it.
        self.clients.answer_check = self.check_answer

    def check_answer(self, model: Any, parsed: Any) -> None:
        check_answer(model, parsed, self.answers.get(str(model.name), ()))

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
            return parsed_answer(operation, fn)
        except CALL_ERRORS as exc:
            failure = self.failure(source, operation, exc)
            if what:
                failure = dataclasses.replace(failure, message=f"{what}: {failure.message}")
            raise SourceFailed(failure) from None

    def pages(
        self, client: Any, operation: str, page_size: int | None = PAGE_SIZE, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated operation (:func:`paginate`), at the largest page size
        IAM serves, so requests grow with thousands of entities, not hundreds."""
        pages = paginate(client, operation, max_pages=self.max_pages, page_size=page_size, **kwargs)
        for n, page in enumerate(pages, start=1):
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
        except SHAPE_ERRORS as exc:
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
