"""Mutation testing of ``src/iamgate/policy/`` with mutmut (not in CI, not in the test extra).

    .venv/bin/pip install 'mutmut==3.8.1'
    .venv/bin/python tools/mutation.py [--max-children N]

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
CONFIG = """[mutmut]
paths_to_mutate = src/iamgate/policy/
tests_dir = tests/unit/policy/
pytest_add_cli_args_test_selection = tests/unit/policy/ tests/unit/checks/
also_copy =
    testing/
    tests/
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args()
    mutmut = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or "mutmut"
    work = Path(tempfile.mkdtemp(prefix="iamgate-mutation-"))
    for part in ("src", "tests", "testing", "pyproject.toml"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, work / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / part)
    (work / "setup.cfg").write_text(CONFIG)
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
        print(f"killed {killed} of {total} ({100 * killed / total:.1f}%)")
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
