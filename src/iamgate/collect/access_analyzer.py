"""IAM Access Analyzer, collected from every region in scope, concurrently.

Per region: ``ListAnalyzers`` (all pages), then for each ACTIVE analyzer ``ListFindingsV2``
filtered on ``status = ACTIVE`` (all pages), then ``GetFindingV2`` for each external-access
finding, because the list summary does not say who has access, to what, or whether it is public.
A region that fails (denied, unreachable, an answer without the shape the code reads, markers
that never end) becomes one ``CollectionError`` tagged with that region (source
``access_analyzer_region``): the checks report ``error`` for that region only. Pagination goes
through the collection guard (:func:`iamgate.collect.source.paginate`), as every source's does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from iamgate.aws.failures import CALL_ERRORS, malformed
from iamgate.collect.pool import map_promptly
from iamgate.collect.source import SHAPE_ERRORS, DataSource, Session, paginate, parsed_answer
from iamgate.formats.analyzer_findings import finding_from_api
from iamgate.model.snapshot import (
    Analyzer,
    AnalyzerFinding,
    AnalyzerRegion,
    CollectionError,
    Source,
)

MAX_WORKERS = 4  # regions at once: enough to hide latency, few enough not to be throttled
EXTERNAL_TYPES = frozenset({"ACCOUNT", "ORGANIZATION"})


def _region(session: Session, region: str, progress: Callable[[str], None]) -> AnalyzerRegion:
    aa = session.clients.client("accessanalyzer", region)
    most = session.max_pages
    analyzers: list[Analyzer] = []
    for page in paginate(aa, "ListAnalyzers", max_pages=most):
        for a in page["analyzers"]:
            analyzers.append(Analyzer(a["arn"], a["name"], a["type"], a["status"]))
    findings: list[AnalyzerFinding] = []
    for analyzer in analyzers:
        if analyzer.status != "ACTIVE":
            continue
        pages = paginate(
            aa,
            "ListFindingsV2",
            max_pages=most,
            analyzerArn=analyzer.arn,
            filter={"status": {"eq": ["ACTIVE"]}},
        )
        for page in pages:
            for item in page["findings"]:
                if item.get("findingType", "ExternalAccess") == "ExternalAccess" and (
                    analyzer.type in EXTERNAL_TYPES
                ):
                    get = partial(aa.get_finding_v2, analyzerArn=analyzer.arn, id=item["id"])
                    item = parsed_answer("GetFindingV2", get)
                findings.append(finding_from_api(item, analyzer.arn))
    progress(f"Access Analyzer {region}: {len(analyzers)} analyzers, {len(findings)} findings")
    return AnalyzerRegion(region, tuple(analyzers), tuple(findings))


def access_analyzer(session: Session) -> dict[str, Any]:
    """Every region's analyzers and findings; a failed region is kept, empty, with its error."""
    wanted = list(dict.fromkeys(session.found.get("regions") or (session.region,)))
    counter = session.clients.counter
    regional = Source.ACCESS_ANALYZER_REGION

    def one(region: str) -> tuple[AnalyzerRegion, CollectionError | None]:
        counter.begin()
        try:
            return _region(session, region, session.progress), None
        except CALL_ERRORS as exc:
            op = getattr(exc, "operation_name", None) or counter.last_operation() or "ListAnalyzers"
            return AnalyzerRegion(region), session.failure(regional, op, exc, region)
        except SHAPE_ERRORS as exc:
            op = counter.last_operation() or "ListFindingsV2"
            problem = f"{type(exc).__name__}: {exc}"
            return AnalyzerRegion(region), malformed(
                regional, op, session.permissions.get(op, ""), region, problem
            )

    done = map_promptly(one, wanted, MAX_WORKERS)
    session.errors.extend(e for _, e in done if e is not None)
    return {"access_analyzer": tuple(r for r, _ in done)}


ACCESS_ANALYZER = DataSource(
    Source.ACCESS_ANALYZER,
    {
        "ListAnalyzers": "access-analyzer:ListAnalyzers",
        "ListFindingsV2": "access-analyzer:ListFindingsV2",
        "GetFindingV2": "access-analyzer:GetFindingV2",
    },
    access_analyzer,
)
