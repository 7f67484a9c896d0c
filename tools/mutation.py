"""Mutation testing of ``src/iamgate/policy/`` with mutmut (not in CI, not in the test extra).

    .venv/bin/pip install 'mutmut==3.8.1'
    .venv/bin/python tools/mutation.py [--max-children N] [--all]

mutmut 3 copies the project into ``mutants/``, runs the tests once to learn which tests reach
which function, then runs, for each mutant, the tests that reach its function. This script does
that in a scratch copy of the work tree (so neither the tree nor ``pyproject.toml`` changes),
with the policy and checks unit tests (the ones that exercise ``policy/``), and prints the
score and every surviving mutant's diff. Figures and the survivors judged equivalent:
docs/checks.md ("Mutation testing").
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The evaluator, the administrator test and the parser: policy/'s logic. wildcard.py has its own
# tests and was measured with the matcher; catalogue/ is data; escalation/ is held to allows()
# by the property tests, to its own explanations, to expected paths by the graph tests and to the
# graph it replaced (testing/reference_graph.py) on random accounts (--all mutates it too).
LOGIC = ("evaluate.py", "admin.py", "document.py", "principals.py")
# The whole package is the source (mutmut copies what it mutates into mutants/src, and the tests
# must import all of iamgate from there); every module but the chosen ones is left alone.
CONFIG = """[mutmut]
source_paths =
    src/iamgate/
do_not_mutate =
{skip}
pytest_add_cli_args_test_selection =
    tests/unit/policy/
    tests/unit/checks/
also_copy =
    testing/
    tests/
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    parser.add_argument("--all", action="store_true", help="every module of policy/")
    args = parser.parse_args()
    chosen = {"policy/"} if args.all else {f"policy/{f}" for f in LOGIC}
    skip = sorted(
        str(p.relative_to(REPO))
        for p in (REPO / "src" / "iamgate").rglob("*.py")
        if not any(str(p.relative_to(REPO / "src" / "iamgate")).startswith(c) for c in chosen)
    )
    mutmut = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or "mutmut"
    work = Path(tempfile.mkdtemp(prefix="iamgate-mutation-"))
    for part in ("src", "tests", "testing", "pyproject.toml"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, work / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / part)
    (work / "setup.cfg").write_text(CONFIG.format(skip="\n".join(f"    {f}" for f in skip)))
    run = subprocess.run(
        [mutmut, "run", "--max-children", str(args.max_children)], cwd=work, check=False
    )
    results = subprocess.run(
        [mutmut, "results", "--all", "true"], cwd=work, capture_output=True, text=True
    ).stdout
    (REPO / "benchmarks" / "mutation-results.txt").write_text(results)
    statuses: dict[str, int] = {}
    survivors = []
    for line in results.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[status] = statuses.get(status, 0) + 1
            if status == "survived":
                survivors.append(name)
    killed = statuses.get("killed", 0)
    total = sum(statuses.values())
    print(f"mutmut exit {run.returncode}; mutants by status: {statuses}")
    if total:
        caught = killed + statuses.get("timeout", 0)  # mutmut counts a timeout as caught
        print(f"killed {killed} of {total} ({100 * killed / total:.1f}%)")
        print(f"killed or timed out {caught} of {total} ({100 * caught / total:.1f}%)")
    for name in survivors:
        diff = subprocess.run(
            [mutmut, "show", name], cwd=work, capture_output=True, text=True
        ).stdout
        print(f"\n--- survived: {name}\n{diff}")
    if args.keep:
        print(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
