"""IAM Access Analyzer, collected from every region in scope, concurrently.

Per region: ``ListAnalyzers`` (all pages), then for each ACTIVE analyzer ``ListFindingsV2``
filtered on ``status = ACTIVE`` (all pages), then ``GetFindingV2`` for each external-access
finding, because the list summary does not say who has access, to what, or whether it is public.
A region that fails (denied, unreachable) becomes one ``CollectionError`` tagged with that region
(source ``access_analyzer_region``): the checks report ``error`` for that region only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from iamgate.aws import Clients
from iamgate.snapshot import (
    Analyzer,
    AnalyzerFinding,
    AnalyzerRegion,
    CollectionError,
    Source,
)

MAX_WORKERS = 4  # regions at once: enough to hide latency, few enough not to be throttled
EXTERNAL_TYPES = frozenset({"ACCOUNT", "ORGANIZATION"})


def _text_principal(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def finding_from_api(item: dict[str, Any], analyzer_arn: str = "") -> AnalyzerFinding:
    """A finding from ListFindingsV2 / GetFindingV2, the v1 ListFindings shape, or the console.

    Fields are read defensively: the console export and the two API versions differ in which
    ones they carry (v1 and the console have ``principal``/``action``/``isPublic`` at the top;
    v2 has them under ``findingDetails[].externalAccessDetails``).
    """
    principal = _text_principal(item.get("principal"))
    actions = [str(a) for a in item.get("action") or [] if isinstance(a, str)]
    public = item.get("isPublic")
    unused: list[str] = []
    for details in item.get("findingDetails") or []:
        if not isinstance(details, dict):
            continue
        ext = details.get("externalAccessDetails")
        if isinstance(ext, dict):
            principal.update(_text_principal(ext.get("principal")))
            actions.extend(str(a) for a in ext.get("action") or [])
            if isinstance(ext.get("isPublic"), bool):
                public = ext["isPublic"]
        perm = details.get("unusedPermissionDetails")
        if isinstance(perm, dict):
            names = [
                str(a.get("action"))
                for a in perm.get("actions") or []
                if isinstance(a, dict) and a.get("action")
            ]
            service = str(perm.get("serviceNamespace", "?"))
            unused.append(f"{service}: {', '.join(names)}" if names else f"{service} (all)")
    finding_type = str(item.get("findingType") or "ExternalAccess")
    return AnalyzerFinding(
        id=str(item.get("id", "")),
        resource=str(item.get("resource") or ""),
        resource_type=str(item.get("resourceType") or "unknown"),
        finding_type=finding_type,
        status=str(item.get("status") or "ACTIVE"),
        analyzer_arn=analyzer_arn or str(item.get("analyzerArn") or ""),
        resource_owner_account=str(item.get("resourceOwnerAccount") or ""),
        principal=principal,
        actions=tuple(dict.fromkeys(actions)),
        is_public=public if isinstance(public, bool) else None,
        detail="; ".join(unused),
    )


def _region(clients: Clients, region: str, progress: Callable[[str], None]) -> AnalyzerRegion:
    aa = clients.client("accessanalyzer", region)
    analyzers: list[Analyzer] = []
    for page in aa.get_paginator("list_analyzers").paginate():
        for a in page.get("analyzers", []):
            analyzers.append(Analyzer(a["arn"], a["name"], a["type"], a["status"]))
    findings: list[AnalyzerFinding] = []
    for analyzer in analyzers:
        if analyzer.status != "ACTIVE":
            continue
        pages = aa.get_paginator("list_findings_v2").paginate(
            analyzerArn=analyzer.arn, filter={"status": {"eq": ["ACTIVE"]}}
        )
        for page in pages:
            for item in page.get("findings", []):
                if item.get("findingType", "ExternalAccess") == "ExternalAccess" and (
                    analyzer.type in EXTERNAL_TYPES
                ):
                    item = aa.get_finding_v2(analyzerArn=analyzer.arn, id=item["id"])
                findings.append(finding_from_api(item, analyzer.arn))
    progress(f"Access Analyzer {region}: {len(analyzers)} analyzers, {len(findings)} findings")
    return AnalyzerRegion(region, tuple(analyzers), tuple(findings))


def collect_access_analyzer(
    clients: Clients,
    regions: Iterable[str],
    progress: Callable[[str], None],
    failure: Callable[[str, str, str, Exception], CollectionError],
) -> tuple[tuple[AnalyzerRegion, ...], list[CollectionError]]:
    """Every region's analyzers and findings; a failed region is kept, empty, with its error."""
    wanted = list(dict.fromkeys(regions))

    def one(region: str) -> tuple[AnalyzerRegion, CollectionError | None]:
        try:
            return _region(clients, region, progress), None
        except (ClientError, BotoCoreError, ResponseParserError) as exc:
            op = (
                getattr(exc, "operation_name", None)
                or clients.counter.last_operation()
                or "ListAnalyzers"
            )
            return AnalyzerRegion(region), failure(Source.ACCESS_ANALYZER_REGION, op, region, exc)
        except (KeyError, TypeError, ValueError) as exc:
            return AnalyzerRegion(region), CollectionError(
                Source.ACCESS_ANALYZER_REGION,
                "ListFindingsV2",
                region,
                "MalformedResponse",
                f"{type(exc).__name__}: {exc}",
            )

    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        done = list(pool.map(one, wanted))
    errors = [e for _, e in done if e is not None]
    return tuple(r for r, _ in done), errors
