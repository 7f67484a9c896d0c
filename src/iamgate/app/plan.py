"""``iamgate plan``: the account as a change would leave it, judged against the account before.

The snapshot (saved, or collected as ``scan`` does) and the change files are read first, so bad
input ends the run before any check. The documents of AWS-managed policies the change attaches
and the snapshot lacks are read next (``complete_policies``, by the reader the CLI gives: the
account's clients, or none). The checks run on the snapshot; those that read what the
change touches (``Projected.sources``) run again on the projected snapshot, the others keep the
snapshot's verdicts (their data is the same on both sides, so judging them twice could only
give the same answer). What the change could not work out is an ``error`` result for each check
that reads what it touches. The results after are gated on the baseline as ``evaluate`` gates
them, then compared with the results before (``gate/plan.py``): only introduced findings the
baseline does not accept fail the gate.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from iamgate.app.evaluate import GateOptions, gate_results, load_checked_baseline
from iamgate.checks import REGISTRY, catalogue, run_checks, select_checks
from iamgate.errors import InputError
from iamgate.formats.cloudformation import Template, read_template
from iamgate.formats.terraform_plan import TerraformPlan, read_terraform_plan
from iamgate.gate.plan import PlanInput, compare_plan, introduced_errors
from iamgate.model.change import ChangeSet
from iamgate.model.config import Config
from iamgate.model.results import Result, Verdict
from iamgate.model.snapshot import CollectionError, ManagedPolicy, Snapshot
from iamgate.plan import (
    Account,
    Projected,
    Stack,
    aws_policies_needed,
    cloudformation_changes,
    project,
    terraform_changes,
)

DEFAULT_REGION = "us-east-1"
_STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,127}")


@dataclass(frozen=True, slots=True)
class PlanFiles:
    """The change: Terraform plans in JSON, CloudFormation templates and how they deploy."""

    terraform: tuple[Path, ...] = ()
    cloudformation: tuple[Path, ...] = ()
    stack_name: str | None = None  # default: each template's file name
    parameters: Mapping[str, str] = field(default_factory=dict)
    region: str = DEFAULT_REGION  # AWS::Region

    def __post_init__(self) -> None:
        if not (self.terraform or self.cloudformation):
            raise InputError("give the change: --terraform PLAN.json or --cloudformation FILE")
        if self.stack_name is not None and not _STACK_NAME.fullmatch(self.stack_name):
            raise InputError(
                f"not a stack name: {self.stack_name!r} (a letter, then letters, digits, -)",
                "--stack-name",
            )


@dataclass(frozen=True, slots=True)
class Planned:
    verdict: Verdict
    snapshot: Snapshot  # the account after the change (it says it is a projection)


def parse_parameters(values: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` options, each key once."""
    found: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise InputError(f"expected KEY=VALUE, got {value!r}", "--parameter")
        if key in found:
            raise InputError(f"{key} is given twice", "--parameter")
        found[key] = text
    return found


@dataclass(frozen=True, slots=True)
class ChangeFiles:
    """The change files, read and checked (before any API call or check)."""

    files: PlanFiles
    plans: tuple[TerraformPlan, ...]
    templates: tuple[Template, ...]


def read_change_files(files: PlanFiles) -> ChangeFiles:
    """Every change file read; bad input names the file (and the address or line)."""
    plans = tuple(read_terraform_plan(p) for p in files.terraform)
    templates = tuple(read_template(p) for p in files.cloudformation)
    declared = {name for t in templates for name in t.parameters}
    extra = sorted(set(files.parameters) - declared)
    if extra:
        raise InputError(f"{', '.join(extra)}: not a parameter of any template", "--parameter")
    return ChangeFiles(files, plans, templates)


def map_changes(read: ChangeFiles, snapshot: Snapshot) -> list[ChangeSet]:
    """What each file does to the account (an intrinsic that cannot be evaluated is bad input
    naming the template's line)."""
    account = Account(snapshot.account_id, snapshot.partition)
    changes = [terraform_changes(plan, account) for plan in read.plans]
    for template in read.templates:
        stack = _stack(read.files, template, account)
        changes.append(cloudformation_changes(template, stack, snapshot))
    return changes


def _stack(files: PlanFiles, template: Template, account: Account) -> Stack:
    name = files.stack_name or _stem(template.source)
    mine = {k: v for k, v in files.parameters.items() if k in template.parameters}
    return Stack(name=name, region=files.region, account=account, parameters=mine)


def _stem(source: str) -> str:
    """A stack name from a file name (``ci-roles.yml`` -> ``ci-roles``)."""
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", Path(source).stem).strip("-") or "stack"
    return stem if stem[0].isalpha() else f"stack-{stem}"


# Reads the documents of AWS-managed policies (``collect.iam.read_aws_managed_policies`` with the
# run's clients): ARN -> the policy, or why it could not be read.
PolicyReader = Callable[[Sequence[str]], Mapping[str, ManagedPolicy | CollectionError]]

NOT_READ = (
    "the snapshot lacks the document of AWS-managed policy {arn}, which the change attaches: "
    "add --read-missing-policies to read it from AWS (read-only: iam:GetPolicy, "
    "iam:GetPolicyVersion), or plan without --snapshot, or list it in iamgate.toml under "
    "[collect] aws_managed_policies so that the nightly snapshot holds it"
)
NOT_READABLE = (
    "the document of AWS-managed policy {arn}, which the change attaches, could not be read: "
    "{error}"
)


def complete_policies(
    snapshot: Snapshot, changes: Sequence[ChangeSet], reader: PolicyReader | None
) -> tuple[Snapshot, dict[str, str]]:
    """The snapshot with the documents of the AWS-managed policies the change attaches that it
    lacks (read by ``reader``), and, for each one still missing, why and how to fix it.

    Such a policy is attached nowhere in the account (``collect`` reads every one in use), so it
    is added with no attachment: no check judges an unattached AWS-managed policy, and the
    verdicts on the account before are unchanged."""
    needed = aws_policies_needed(snapshot, changes)
    if not needed:
        return snapshot, {}
    if reader is None:
        return snapshot, {arn: NOT_READ.format(arn=arn) for arn in needed}
    answers = reader(needed)
    found: list[ManagedPolicy] = []
    absent: dict[str, str] = {}
    for arn in needed:
        got = answers.get(arn)
        if isinstance(got, ManagedPolicy) and got.arn == arn:
            found.append(dataclasses.replace(got, attachment_count=0, aws_managed=True))
        else:
            error = got.describe() if isinstance(got, CollectionError) else "no answer"
            absent[arn] = NOT_READABLE.format(arn=arn, error=error)
    return dataclasses.replace(snapshot, policies=(*snapshot.policies, *found)), absent


def plan_change(
    snapshot: Snapshot,
    config: Config,
    options: GateOptions,
    read: ChangeFiles,
    reader: PolicyReader | None = None,
) -> Planned:
    """The plan's verdict: the account after the change, compared with the account before.
    ``reader`` reads the AWS-managed policies the change attaches that the snapshot lacks (none:
    each is an ``error`` saying how to supply it)."""
    selected = select_checks(options.checks, options.skip_checks)
    baseline = load_checked_baseline(options.baseline, snapshot.account_id)
    changes = map_changes(read, snapshot)
    snapshot, absent = complete_policies(snapshot, changes, reader)
    projected = project(snapshot, changes, absent)
    files = read.files
    rerun = frozenset(
        c for c in selected if projected.sources.intersection(REGISTRY[c].meta.requires)
    )
    before = run_checks(snapshot, config, selected)
    after = _results_after(before, projected, config, selected, rerun)
    verdict = gate_results(after, projected.snapshot, config, options, baseline, selected)
    assumed: dict[str, list[str]] = {}
    for a in projected.assumed:
        assumed.setdefault(a.origin.address, []).append(a.note)
    compared = compare_plan(
        verdict,
        PlanInput(
            sources=tuple(str(p) for p in (*files.terraform, *files.cloudformation)),
            changes=projected.snapshot.projection.changes if projected.snapshot.projection else 0,
            before=before,
            rerun=rerun,
            touched=projected.touched,
            assumed={k: tuple(dict.fromkeys(v)) for k, v in assumed.items()},
            checks=catalogue(),
        ),
    )
    return Planned(compared, projected.snapshot)


def _results_after(
    before: Sequence[Result],
    projected: Projected,
    config: Config,
    selected: Sequence[str],
    rerun: frozenset[str],
) -> list[Result]:
    """The results on the account after, in catalogue order: the checks judged again, the
    others as they were, and an ``error`` for what the change could not work out."""
    if not rerun:
        return list(before)
    again = run_checks(projected.snapshot, config, [c for c in selected if c in rerun])
    snapshot = projected.snapshot
    errors = []
    for u in projected.unresolved:
        reads = [c for c in selected if set(REGISTRY[c].meta.requires) & set(u.touches)]
        errors += introduced_errors([(u.origin, u.reason, u.resource)], reads, snapshot.account_arn)
    # One result per (check, resource): what could not be worked out replaces the verdict.
    replaced = {(r.check, r.resource): r for r in reversed(errors)}
    by_check: dict[str, list[Result]] = {}
    for r in (*(b for b in before if b.check not in rerun), *again, *replaced.values()):
        if (r.check, r.resource) in replaced and r is not replaced[r.check, r.resource]:
            continue
        by_check.setdefault(r.check, []).append(r)
    account = snapshot.account_id
    return [
        r
        if r.account_id
        else Result(r.check, r.resource, r.resource_type, r.passed, r.message, account)
        for check in selected
        for r in by_check.get(check, ())
    ]
