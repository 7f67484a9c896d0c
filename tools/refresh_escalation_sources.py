"""Rebuild ``tests/data/escalation_sources/*.json``: each escalation source's method names and
actions, read from a fetched checkout (a work tree or a bare git directory) of its repository.

    .venv/bin/python tools/refresh_escalation_sources.py \\
        --prowler PATH --cloudsplaining PATH --pmapper PATH@v1.2.0-dev --rhino PATH

``PATH[@REF]``: a git work tree or git directory, and the ref to read (default ``HEAD``). Only
the given sources are rewritten. The files are parsed with :mod:`ast` and never run; each output
records the repository, file, ref, commit and commit date it was read at. Then
``tests/unit/policy/test_escalation_sources.py`` names every method the catalogue
(``src/iamgate/policy/catalogue/``) does not cover: add a row, a chain (``COMBINATIONS``) or a
reasoned ``NOT_MODELLED`` entry for each.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "escalation_sources"
Methods = list[dict[str, Any]]


@dataclass(frozen=True)
class Source:
    """Where one source keeps its list, and how to read it."""

    name: str
    repository: str
    path: str
    variable: str
    read: Callable[[Any, str], Methods]  # (the variable's value node, whole file) -> methods


def _literal_methods(node: Any, _text: str) -> Methods:
    """``{name: {actions...}}`` (Prowler), ``{name: [actions]}`` (Cloudsplaining) or
    ``{name: {action: bool}}`` (Rhino's ``aws_escalate.py``)."""
    value = ast.literal_eval(node)
    return [{"name": name, "actions": sorted(actions)} for name, actions in value.items()]


def _pmapper_methods(node: Any, text: str) -> Methods:
    """PMapper's ``checker_map`` names edge checkers (``'ecs': ECSEdgeChecker``), each in
    ``graphing/<key>_edges.py``; the admin test is ``gathering.update_admin_status``, asked of
    every node (its actions are the self-writes, kept in the catalogue's rows)."""
    keys = [ast.literal_eval(k) for k in node.keys]
    methods: Methods = [{"name": f"{k}_edges", "actions": []} for k in keys]
    methods.append({"name": "gathering.update_admin_status", "actions": []})
    return methods


SOURCES = {
    s.name: s
    for s in (
        Source(
            "prowler",
            "prowler-cloud/prowler",
            "prowler/providers/aws/services/iam/lib/privilege_escalation.py",
            "privilege_escalation_policies_combination",
            _literal_methods,
        ),
        Source(
            "cloudsplaining",
            "salesforce/cloudsplaining",
            "cloudsplaining/shared/constants.py",
            "PRIVILEGE_ESCALATION_METHODS",
            _literal_methods,
        ),
        Source(
            "pmapper",
            "nccgroup/PMapper",
            "principalmapper/graphing/edge_identification.py",
            "checker_map",
            _pmapper_methods,
        ),
        Source(
            "rhino",
            "RhinoSecurityLabs/Security-Research",
            "tools/aws-pentest-tools/aws_escalate.py",
            "escalation_methods",
            _literal_methods,
        ),
    )
}


def _git(where: Path, *args: str) -> str:
    """Run git on a work tree or a bare git directory (read-only commands only)."""
    flag = "-C" if (where / ".git").exists() else "--git-dir"
    done = subprocess.run(
        ["git", flag, str(where), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _assigned(tree: ast.AST, variable: str) -> Any:
    """The value assigned to ``variable`` anywhere in the module (top level or in a function)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == variable for t in node.targets
        ):
            return node.value
    raise SystemExit(f"{variable} not found: the source moved its list; update SOURCES")


def read_source(source: Source, where: Path, ref: str) -> dict[str, Any]:
    """One source's record: where it was read, at which commit and date, and its methods."""
    commit, date = _git(where, "log", "-1", "--format=%H %cs", ref, "--").split()
    text = _git(where, "show", f"{commit}:{source.path}")
    methods = source.read(_assigned(ast.parse(text), source.variable), text)
    return {
        "source": source.name,
        "repository": source.repository,
        "path": source.path,
        "variable": source.variable,
        "ref": ref,
        "commit": commit,
        "date": date,
        "methods": methods,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in SOURCES:
        parser.add_argument(f"--{name}", metavar="PATH[@REF]", help=f"a checkout of {name}")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    chosen = {n: getattr(args, n) for n in SOURCES if getattr(args, n)}
    if not chosen:
        parser.error("name at least one source checkout")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, spec in chosen.items():
        path, _, ref = spec.partition("@")
        record = read_source(SOURCES[name], Path(path), ref or "HEAD")
        target = args.out / f"{name}.json"
        target.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"{target}: {len(record['methods'])} methods at {record['commit'][:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
