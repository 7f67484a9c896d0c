"""``iamgate baseline ...``: init, lint, diff and prune. Files and git refs are read here; the
rules live in ``baseline_ops.py``.

A side of ``diff`` is, in this order:
  PATH        a file or a directory in the working tree (a directory: every *.yml/*.yaml in it)
  REF:PATH    that file or directory at a git ref (PATH relative to the current directory)
  REF         the --path directory (default ``baselines``) at a git ref, e.g. ``origin/main``
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from iamgate.baseline import Baseline, parse_baseline, read_text
from iamgate.baseline_ops import (
    Change,
    LintProblem,
    Review,
    diff_baselines,
    init_from_results,
    lint_baseline,
    prune_text,
    render_review,
)
from iamgate.checks import REGISTRY
from iamgate.config import load_config
from iamgate.errors import ExitCode, InputError
from iamgate.output import append_text, write_atomic
from iamgate.report.annotations import command

baseline_app = typer.Typer(
    help="Baseline lifecycle: init, lint, diff (pull-request review) and prune.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _guarded(fn: F) -> F:
    """The CLI's error handling (imported late: cli.py imports this module)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from iamgate.cli import handle_errors

        return handle_errors(fn)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Config file (default: ./iamgate.toml if present)."),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Judge expiry on this date (YYYY-MM-DD), not today.")
]


def _today(as_of: str | None) -> date:
    if as_of is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {as_of!r}", "--as-of") from None


def _horizon(config: Path | None) -> int:
    return load_config(config).baseline.max_expiry_days


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_text(path, "results"))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", str(path), exc.lineno) from None
    if not isinstance(data, dict):
        raise InputError("not an iamgate results file", str(path))
    return data


# --- init -------------------------------------------------------------------------------------


@baseline_app.command("init")
@_guarded
def init_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="The baseline file to write.")],
    results: Annotated[
        Path | None, typer.Option("--results", help="A results.json from scan/evaluate.")
    ] = None,
    snapshot: Annotated[
        Path | None, typer.Option("--snapshot", help="A snapshot.json (checked offline).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Write a baseline accepting today's failures, with placeholders lint rejects."""
    if (results is None) == (snapshot is None):
        raise InputError("give exactly one of --results or --snapshot", "baseline init")
    if output.exists() and not force:
        raise InputError("exists; use --force to overwrite it", str(output))
    today = _today(as_of)
    if results is not None:
        data, source = _load_json(results), str(results)
    else:
        from iamgate.pipeline import GateOptions, evaluate
        from iamgate.report.jsonreport import render_json
        from iamgate.snapshot import load_snapshot

        assert snapshot is not None
        verdict = evaluate(load_snapshot(snapshot), load_config(config), GateOptions(as_of=today))
        data, source = json.loads(render_json(verdict)), str(snapshot)
    text = init_from_results(data, today=today, horizon_days=_horizon(config), source=source)
    write_atomic(output, text)
    count = text.count("  - check: ")
    typer.echo(
        f"iamgate: wrote {output} with {count} exceptions; fill in every reason and owner "
        "(`iamgate baseline lint` rejects the placeholders)",
        err=True,
    )


# --- lint -------------------------------------------------------------------------------------


def _lint_files(paths: list[Path], today: date, horizon: int) -> tuple[list[LintProblem], bool]:
    problems: list[LintProblem] = []
    unreadable = False
    for path in paths:
        try:
            text = read_text(path, "baseline")
        except InputError as exc:
            problems.append(LintProblem(exc.source or str(path), exc.line, exc.message))
            unreadable = True
            continue
        problems += lint_baseline(text, str(path), REGISTRY, today=today, horizon_days=horizon)
    return problems, unreadable


@baseline_app.command("lint")
@_guarded
def lint_cmd(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Baseline files.")],
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    annotations: Annotated[
        bool | None,
        typer.Option(
            "--annotations/--no-annotations",
            help="Also print GitHub ::error workflow commands [default: on when "
            "GITHUB_ACTIONS=true].",
        ),
    ] = None,
) -> None:
    """Check baseline files: schema, unknown checks, placeholders, expiry, broad globs.

    Exits 0 when clean, 1 on problems, 2 when a file cannot be read.
    """
    problems, unreadable = _lint_files(files, _today(as_of), _horizon(config))
    if annotations is None:
        annotations = os.environ.get("GITHUB_ACTIONS") == "true"
    for p in problems:
        typer.echo(str(p))
        if annotations:
            props = {"file": p.source, "title": "iamgate baseline lint"}
            if p.line:
                props["line"] = str(p.line)
            typer.echo(command("error", p.message, **props))
    n = len(problems)
    typer.echo(
        f"iamgate: {n} problem{'s' if n != 1 else ''} in {len(files)} file"
        f"{'s' if len(files) != 1 else ''}"
        if n
        else f"iamgate: {len(files)} baseline(s) clean",
        err=True,
    )
    if unreadable:
        raise typer.Exit(int(ExitCode.BAD_INPUT))
    raise typer.Exit(int(ExitCode.FAIL) if problems else 0)


# --- diff -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    label: str
    single: bool  # one file (key "") rather than a directory of files
    files: Mapping[str, tuple[str, str | None]]  # key -> (display name, text or None if absent)


def _git(*args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed", "baseline diff") from None
    if proc.returncode != 0:
        msg = proc.stderr.strip().splitlines()
        raise InputError(f"git {' '.join(args)}: {msg[-1] if msg else 'failed'}", "baseline diff")
    return proc.stdout


def _is_baseline_name(name: str) -> bool:
    return name.endswith((".yml", ".yaml"))


def _resolve(spec: str, default_dir: str) -> Side:
    path = Path(spec)
    if path.is_file():
        return Side(spec, True, {"": (spec, read_text(path, "baseline"))})
    if path.is_dir():
        files = {
            str(p.relative_to(path)): (str(p), read_text(p, "baseline"))
            for p in sorted(path.rglob("*"))
            if p.is_file() and _is_baseline_name(p.name)
        }
        return Side(spec, False, files)
    ref, _, sub = spec.partition(":")
    sub = sub or default_dir
    try:
        _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except InputError as exc:
        raise InputError(
            f"{spec!r} is not a file, a directory, REF:PATH or a git ref ({exc.message})",
            "baseline diff",
        ) from None
    label = f"{ref}:{sub}"
    kind = subprocess.run(
        ["git", "cat-file", "-t", f"{ref}:./{sub}"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if kind == "blob":
        return Side(label, True, {"": (label, _git("show", f"{ref}:./{sub}"))})
    if kind == "tree":
        names = _git("ls-tree", "-r", "--name-only", ref, "--", sub).splitlines()
        prefix = sub.rstrip("/") + "/"
        files = {}
        for name in names:
            if _is_baseline_name(name):
                key = name[len(prefix) :] if name.startswith(prefix) else name
                files[key] = (f"{ref}:{name}", _git("show", f"{ref}:./{name}"))
        return Side(label, False, files)
    # Not there at that ref: a baseline (or the directory) added by this change.
    single = _is_baseline_name(sub)
    return Side(label, single, {"": (label, None)} if single else {})


def _parse_quiet(text: str | None, source: str) -> tuple[Baseline | None, str | None]:
    if text is None:
        return None, None
    try:
        return parse_baseline(text, source, REGISTRY), None
    except InputError as exc:
        return None, str(exc)


def build_review(base: Side, head: Side, today: date, horizon: int) -> Review:
    if base.single != head.single:
        raise InputError(
            "compare a file with a file, or a directory with a directory "
            f"({base.label} vs {head.label})",
            "baseline diff",
        )
    changes: list[Change] = []
    lint: list[LintProblem] = []
    notes: list[str] = []
    keys = sorted(base.files.keys() | head.files.keys())
    for key in keys:
        base_name, base_text = base.files.get(key, (key, None))
        head_name, head_text = head.files.get(key, (key, None))
        if head_text is not None:
            lint += lint_baseline(head_text, head_name, REGISTRY, today=today, horizon_days=horizon)
        old, old_err = _parse_quiet(base_text, base_name)
        new, new_err = _parse_quiet(head_text, head_name)
        if old_err:
            notes.append(f"the base could not be read, so every entry shows as added: {old_err}")
        if new_err:
            notes.append(f"the head could not be read, so it is not compared: {new_err}")
            continue
        changes += diff_baselines(old, new, head_name, base_name)
    return Review(base.label, head.label, changes, lint, notes, len(keys))


@baseline_app.command("diff")
@_guarded
def diff_cmd(
    base: Annotated[str, typer.Argument(metavar="BASE", help="PATH, REF:PATH or REF.")],
    head: Annotated[
        str | None,
        typer.Argument(metavar="[HEAD]", help="PATH, REF:PATH or REF [default: the --path dir]."),
    ] = None,
    path: Annotated[
        str, typer.Option("--path", help="The baselines directory used with a bare REF.")
    ] = "baselines",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the markdown here.")
    ] = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Review a baseline change as markdown: added, changed, removed, what needs security review.

    Exits 1 when the head fails lint. Appends to $GITHUB_STEP_SUMMARY when it is set.
    """
    base_side = _resolve(base, path)
    head_side = _resolve(head if head is not None else path, path)
    review = build_review(base_side, head_side, _today(as_of), _horizon(config))
    text = render_review(review, REGISTRY)
    typer.echo(text)
    if output is not None:
        write_atomic(output, text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        append_text(Path(summary), text)
    for p in review.lint:
        typer.echo(f"iamgate: lint: {p}", err=True)
    raise typer.Exit(int(ExitCode.FAIL) if review.lint else 0)


# --- prune ------------------------------------------------------------------------------------


@baseline_app.command("prune")
@_guarded
def prune_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The baseline to prune.")],
    results: Annotated[
        Path, typer.Option("--results", help="results.json of a scan with this baseline.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; change nothing.")
    ] = False,
) -> None:
    """Remove the exceptions that results.json lists as stale (they match no current failure)."""
    data = _load_json(results)
    stale_raw = data.get("stale_exceptions")
    if not isinstance(stale_raw, list):
        raise InputError("not an iamgate results file (no stale_exceptions)", str(results))
    text = read_text(file, "baseline")
    current = parse_baseline(text, str(file), REGISTRY)
    account = data.get("account_id")
    if account and account != current.account:
        raise InputError(
            f"results are for account {account}, the baseline for {current.account}", str(results)
        )
    stale = [(str(s["check"]), str(s["resource"])) for s in stale_raw if isinstance(s, dict)]
    checks = data.get("checks")
    result = prune_text(
        text, str(file), REGISTRY, stale, checks if isinstance(checks, list) else None
    )
    verb = "would remove" if dry_run else "removed"
    for e in result.removed:
        typer.echo(f"{verb}: {e.check} on {e.resource} ({e.where}, owner {e.owner})")
    for check, resource, why in result.skipped:
        typer.echo(f"kept: {check} on {resource}: {why}")
    if result.removed and not dry_run:
        write_atomic(file, result.text)
    typer.echo(
        f"iamgate: {verb} {len(result.removed)} stale exception"
        f"{'s' if len(result.removed) != 1 else ''} from {file}",
        err=True,
    )
