"""IAM Access Analyzer review: an analyzer in every region, and its ACTIVE findings.

A finding accepted "as per use case" belongs in the baseline, with its reason, owner and expiry,
instead of being archived in the console where nobody reviews it. A region whose collection
failed is ``error`` for that region only. Findings read from ``--access-analyzer-findings``
(regions with ``export`` set) replace the collected ones for the two findings checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from iamgate.checks.aws_docs import ACCESS_ANALYZER, UNUSED_CREDENTIALS
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import AnalyzerFinding, AnalyzerRegion, Source

_AA = (Source.ACCESS_ANALYZER, Source.IDENTITY)
EXTERNAL_TYPES = frozenset({"ACCOUNT", "ORGANIZATION"})
UNUSED_TYPES = frozenset({"ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"})
UNUSED_WORDS = {
    "UnusedIAMRole": "unused role",
    "UnusedIAMUserAccessKey": "unused access key",
    "UnusedIAMUserPassword": "unused console password",
    "UnusedPermission": "unused permissions",
}


def region_arn(ctx: Context, region: str) -> str:
    """The resource a per-region result is about (the analyzers of that region)."""
    snap = ctx.snapshot
    return f"arn:{snap.partition}:access-analyzer:{region}:{snap.account_id}:analyzer"


def _region_error(ctx: Context, region: str) -> str | None:
    for e in ctx.snapshot.errors:
        if e.source == Source.ACCESS_ANALYZER_REGION and e.region == region:
            return f"not evaluated in {region}: {e.describe()}"
    return None


def _not_collected(ctx: Context) -> Outcome:
    return Outcome(
        ctx.account_arn,
        "account",
        None,
        "not evaluated: the snapshot has no IAM Access Analyzer data (collected by an older "
        "iamgate?); collect again, or pass --access-analyzer-findings",
    )


@check(
    id="access-analyzer-enabled",
    title="IAM Access Analyzer watches every region for external access",
    severity=Severity.MEDIUM,
    resource_type="region",
    requires=_AA,
    cis=("1.20",),
    fsbp=("IAM.28",),
    semantics=(ACCESS_ANALYZER,),
    rationale="Access Analyzer is regional: without an ACTIVE external-access analyzer in a "
    "region, a bucket, key or role shared with the world there goes unnoticed.",
    remediation="aws accessanalyzer create-analyzer --analyzer-name account --type ACCOUNT "
    "--region REGION (ORGANIZATION from the delegated administrator), in every region used.",
)
def access_analyzer_enabled(ctx: Context) -> Iterator[Outcome]:
    collected = [r for r in ctx.snapshot.access_analyzer if not r.export]
    if not collected:
        yield _not_collected(ctx)
        return
    for reg in collected:
        resource = region_arn(ctx, reg.region)
        problem = _region_error(ctx, reg.region)
        if problem:
            yield Outcome(resource, "region", None, problem)
            continue
        active = [a for a in reg.analyzers if a.status == "ACTIVE" and a.type in EXTERNAL_TYPES]
        if active:
            yield Outcome(resource, "region", True, f"ACTIVE analyzer {active[0].name}")
        else:
            others = ", ".join(f"{a.name} ({a.type}, {a.status})" for a in reg.analyzers)
            detail = f" (has {others})" if others else ""
            yield Outcome(
                resource,
                "region",
                False,
                f"no ACTIVE external-access analyzer in {reg.region}{detail}",
            )


def _sources(ctx: Context) -> list[AnalyzerRegion]:
    exported = [r for r in ctx.snapshot.access_analyzer if r.export]
    return exported or list(ctx.snapshot.access_analyzer)


def _is(f: AnalyzerFinding, wanted: str) -> bool:
    if wanted == "external":
        return f.finding_type == "ExternalAccess"
    return f.finding_type.startswith("Unused")


def _by_resource(findings: list[AnalyzerFinding]) -> dict[str, list[AnalyzerFinding]]:
    grouped: dict[str, list[AnalyzerFinding]] = defaultdict(list)
    for f in findings:
        grouped[f.resource or f.id].append(f)
    return grouped


def _findings_check(ctx: Context, wanted: str, analyzer_types: frozenset[str]) -> Iterator[Outcome]:
    regions = _sources(ctx)
    if not regions:
        yield _not_collected(ctx)
        return
    for reg in regions:
        if not reg.export:
            problem = _region_error(ctx, reg.region)
            if problem:
                yield Outcome(region_arn(ctx, reg.region), "region", None, problem)
                continue
        findings = [f for f in reg.findings if f.status == "ACTIVE" and _is(f, wanted)]
        for resource, group in _by_resource(findings).items():
            message = _external(group) if wanted == "external" else _unused(group)
            yield Outcome(resource, group[0].resource_type, False, message)
        watched = any(a.status == "ACTIVE" and a.type in analyzer_types for a in reg.analyzers)
        if not findings and (watched or reg.export):
            yield Outcome(
                region_arn(ctx, reg.region),
                "region",
                True,
                f"no ACTIVE {'external-access' if wanted == 'external' else 'unused-access'} "
                f"finding{' in ' + reg.export if reg.export else ' in ' + reg.region}",
            )


def _principal(f: AnalyzerFinding) -> str:
    if not f.principal:
        return "an outside principal"
    return ", ".join(f"{k} {v}" for k, v in sorted(f.principal.items()))


def _external(group: list[AnalyzerFinding]) -> str:
    first = group[0]
    parts = []
    for f in group:
        public = {True: "PUBLIC", False: "not public", None: "public or not unknown"}[f.is_public]
        actions = ", ".join(f.actions[:6]) + (" ..." if len(f.actions) > 6 else "")
        parts.append(f"{_principal(f)} can {actions or 'act on it'} ({public}; finding {f.id})")
    return f"{first.resource_type} {first.resource} is shared outside the account: " + "; ".join(
        parts
    )


def _unused(group: list[AnalyzerFinding]) -> str:
    first = group[0]
    parts = []
    for f in group:
        what = UNUSED_WORDS.get(f.finding_type, f.finding_type)
        parts.append(f"{what}{': ' + f.detail if f.detail else ''} (finding {f.id})")
    return f"{first.resource_type} {first.resource} has unused access: " + "; ".join(parts)


@check(
    id="access-analyzer-external-access",
    title="No resource is shared outside the account unreviewed",
    severity=Severity.HIGH,
    resource_type="resource",
    requires=_AA,
    semantics=(ACCESS_ANALYZER,),
    rationale="Each ACTIVE external-access finding is a bucket, key, role, queue ... that a "
    "principal outside the account (or the public) can use. Access meant to be shared is "
    "accepted in the baseline with its reason, where it is reviewed; the rest is removed.",
    remediation="Remove the outside principal from the resource policy, or accept the finding in "
    "the baseline (check access-analyzer-external-access, resource = the finding's resource ARN).",
)
def access_analyzer_external_access(ctx: Context) -> Iterator[Outcome]:
    yield from _findings_check(ctx, "external", EXTERNAL_TYPES)


@check(
    id="access-analyzer-unused-access",
    title="No unused role, key, password or permission lingers",
    severity=Severity.MEDIUM,
    resource_type="resource",
    requires=_AA,
    semantics=(ACCESS_ANALYZER, UNUSED_CREDENTIALS),
    rationale="Unused access is risk without benefit: a role nobody assumes, a key or password "
    "nobody uses, permissions never exercised. Access Analyzer's unused-access analyzer finds "
    "them from actual use.",
    remediation="Delete the unused role, key or password, or remove the unused permissions "
    "(Access Analyzer proposes the policy); accept in the baseline what must stay.",
)
def access_analyzer_unused_access(ctx: Context) -> Iterator[Outcome]:
    yield from _findings_check(ctx, "unused", UNUSED_TYPES)
