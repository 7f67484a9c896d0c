"""action.yml, run the way GitHub runs a composite action: each ``run:`` step's script under
``bash --noprofile --norc -eo pipefail`` with its ``env:`` resolved (inputs, ``github.action_path``,
earlier steps' outputs), ``GITHUB_OUTPUT``/``GITHUB_STEP_SUMMARY`` files, against moto's server.

``uses:`` steps (actions/setup-python) are skipped, and the install step runs with
``install: false``: a pip install would need the network, which tests never reach. The install
step still runs (it must find the iamgate of this environment on PATH).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from iamgate.demo.seed import seed_clean
from iamgate.demo.standin import MotoAccount
from testing.cli import DATA, REPO, SRC

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class ActionRun:
    code: int
    outputs: dict[str, str]
    summary: str
    stdout: str
    stderr: str
    workspace: Path


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT: ``key=value`` lines and ``key<<DELIM`` blocks."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[key] = "\n".join(lines[i + 1 : j])
            i = j + 1
            continue
        key, _, value = line.partition("=")
        out[key] = value
        i += 1
    return out


def _resolve(value: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    def one(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr == "github.action_path":
            return str(REPO)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        parts = expr.split(".")
        if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
            return steps.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the test does not know how GitHub resolves {expr!r}")

    return EXPR.sub(one, value)


def condition(expr: str, inputs: dict[str, str]) -> bool:
    """The ``if:`` forms action.yml uses: ``inputs.x == 'v'`` / ``!=``, joined by ``&&``."""
    result = True
    for part in expr.split("&&"):
        m = re.fullmatch(r"\s*inputs\.([a-z-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
        assert m, f"the test does not know how GitHub evaluates {part!r}"
        equal = inputs[m.group(1)] == m.group(3)
        result = result and (equal if m.group(2) == "==" else not equal)
    return result


def run_action(
    workspace: Path, env: dict[str, str], cli_dir: Path | None = None, **given: str
) -> ActionRun:
    declared = ACTION["inputs"]
    unknown = set(given) - set(declared)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    inputs.update(given)
    summary = workspace.parent / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    temp = workspace.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    base = dict(env)
    base.pop("GITHUB_STEP_SUMMARY", None)
    base.update(
        GITHUB_ACTIONS="true",
        GITHUB_ACTION_PATH=str(REPO),
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_STEP_SUMMARY=str(summary),
        RUNNER_TEMP=str(temp),
        # This environment's iamgate, running this checkout's code.
        PATH=str(cli_dir or Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath),
        PYTHONPATH=str(SRC),
    )
    steps: dict[str, dict[str, str]] = {}
    stdout = stderr = ""
    code = 0
    for n, step in enumerate(ACTION["runs"]["steps"]):
        if "uses" in step:
            continue
        if "if" in step and not condition(step["if"], inputs):
            continue
        assert "${{" not in step["run"], f"step {step.get('name')}: ${{{{ }}}} inside run:"
        assert step.get("shell") == "bash"
        step_env = dict(base)
        step_env.update({k: _resolve(str(v), inputs, steps) for k, v in step["env"].items()})
        output_file = workspace.parent / f"output-{n}"
        output_file.write_text("", encoding="utf-8")
        step_env["GITHUB_OUTPUT"] = str(output_file)
        script = workspace.parent / f"step-{n}.sh"
        script.write_text(step["run"], encoding="utf-8")
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env=step_env,
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        stdout += proc.stdout
        stderr += proc.stderr
        steps[step.get("id", str(n))] = parse_outputs(output_file.read_text(encoding="utf-8"))
        code = proc.returncode
        if code != 0:
            break
    outputs = {
        name: _resolve(spec["value"], inputs, steps) for name, spec in ACTION["outputs"].items()
    }
    return ActionRun(code, outputs, summary.read_text(encoding="utf-8"), stdout, stderr, workspace)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "workspace"
    ws.mkdir()
    return ws


def test_every_input_is_documented_and_reaches_scripts_through_env() -> None:
    scripts = "\n".join(s.get("run", "") for s in ACTION["runs"]["steps"])
    envs = "\n".join(str(s.get("env", {})) for s in ACTION["runs"]["steps"])
    for name, spec in ACTION["inputs"].items():
        assert spec["description"], name
        assert "default" in spec, name
        assert f"inputs.{name}" in envs or name in ("python-version",), name
    assert "${{" not in scripts


def test_passing_account(aws: MotoAccount, workspace: Path) -> None:
    seed_clean(aws)
    run = run_action(workspace, aws.env(), install="false")
    assert run.code == 0, run.stdout + run.stderr
    out = run.outputs
    assert out["verdict"] == "pass"
    assert (out["new"], out["expired"], out["errors"]) == ("0", "0", "0")
    assert out["results-path"] == "iamgate-report/results.json"
    assert (workspace / out["sarif-path"]).is_file()
    results = json.loads((workspace / out["results-path"]).read_text(encoding="utf-8"))
    assert results["verdict"] == "pass"
    assert (workspace / out["junit-path"]).is_file()
    badge = json.loads((workspace / out["badge-path"]).read_text(encoding="utf-8"))
    assert badge["message"] == "passing"
    assert (workspace / "iamgate-report" / "badge.svg").is_file()
    assert "IAM compliance (iamgate)" in run.summary
    assert "PASS" in run.summary
    assert "::error" not in run.stdout


def test_failing_account_fails_the_step_after_writing_outputs(
    aws: MotoAccount, workspace: Path
) -> None:
    seed_clean(aws)
    iam = aws.client("iam")
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Not-a-real-Passw0rd!")
    badge = "badges/iam.json"
    run = run_action(
        workspace, aws.env(), install="false", **{"badge-path": badge, "fail-on": "medium"}
    )
    assert run.code == 1, run.stdout + run.stderr
    out = run.outputs
    assert out["verdict"] == "fail"
    assert int(out["new"]) >= 1
    assert out["badge-path"] == badge
    message = json.loads((workspace / badge).read_text(encoding="utf-8"))["message"]
    assert message.endswith("new finding") or message.endswith("new findings")
    assert (workspace / "badges" / "iam.svg").is_file()
    assert "FAIL" in run.summary
    assert "user-console-mfa" in run.summary
    assert "::error title=iamgate new finding%3A user-console-mfa (high)::" in run.stdout


def test_no_annotations_and_checks_inputs(aws: MotoAccount, workspace: Path) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="dave")
    iam.create_login_profile(UserName="dave", Password="Not-a-real-Passw0rd!")
    run = run_action(
        workspace,
        aws.env(),
        install="false",
        annotations="false",
        checks="user-console-mfa",
    )
    assert run.code == 1
    assert "::error" not in run.stdout
    results = json.loads((workspace / run.outputs["results-path"]).read_text(encoding="utf-8"))
    assert results["checks"] == ["user-console-mfa"]
    assert run.outputs["new"] == "1"


def test_offline_snapshot_as_in_the_selftest(workspace: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    run = run_action(
        workspace,
        env,
        install="false",
        snapshot=str(DATA / "demo-snapshot.json"),
        baseline=str(REPO / "baselines" / "123456789012.yml"),
    )
    assert run.code == 1, run.stdout + run.stderr
    assert run.outputs["verdict"] == "fail"
    assert int(run.outputs["accepted"]) >= 1


def test_bad_input_gives_error_verdict_and_exit_2(workspace: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    run = run_action(workspace, env, install="false", snapshot="missing.json")
    assert run.code == 2
    assert run.outputs["verdict"] == "error"
    assert run.outputs["new"] == "0"


def test_install_false_without_iamgate_on_path_fails(workspace: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PATH"] = "/usr/bin:/bin"
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    script = workspace / "install.sh"
    script.write_text(step["run"], encoding="utf-8")
    env.update(INPUT_INSTALL="false", ACTION_PATH=str(REPO), GITHUB_OUTPUT=str(workspace / "o"))
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "no iamgate on PATH" in proc.stdout


def test_parse_outputs_reads_both_forms() -> None:
    text = "a=1\nb<<EOF\nx\ny\nEOF\nc=d=e\n"
    assert parse_outputs(text) == {"a": "1", "b": "x\ny", "c": "d=e"}


def test_conditions() -> None:
    inputs = {"install": "true", "python-version": ""}
    assert condition("inputs.install == 'true'", inputs)
    assert not condition("inputs.python-version != '' && inputs.install == 'true'", inputs)
    assert condition("inputs.python-version == '' && inputs.install != 'false'", inputs)


def test_pip_cache_key_is_the_requirements_hash(workspace: Path) -> None:
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "pip-key")
    assert step["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    script = workspace / "key.sh"
    script.write_text(step["run"], encoding="utf-8")
    out = workspace / "out"
    env = dict(os.environ, ACTION_PATH=str(REPO), GITHUB_OUTPUT=str(out))
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        cwd=workspace,
        check=True,
    )
    digest = hashlib.sha256((REPO / "requirements-action.txt").read_bytes()).hexdigest()
    assert parse_outputs(out.read_text(encoding="utf-8")) == {"hash": digest[:32]}


def test_every_input_becomes_its_flag(workspace: Path) -> None:
    """With a stand-in CLI that records the arguments of the gating run."""
    args_file = workspace.parent / "args"
    stub = workspace.parent / "bin" / "iamgate"
    stub.parent.mkdir()
    stub.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = version ]; then exit 0; fi\n'
        # The outputs come from the real command, reading what the stand-in did (nothing).
        f'if [ "$1" = github-outputs ]; then PYTHONPATH="{SRC}" exec "{sys.executable}" '
        '-m iamgate "$@"; fi\n'
        f'printf "%s\\n" "$@" > "{args_file}"\nexit 0\n',
        encoding="utf-8",
    )
    stub.chmod(0o755)
    env = dict(os.environ)
    given = {
        "baseline": "b.yml",
        "config": "c.toml",
        "region": "eu-west-1",
        "regions": "eu-west-1,us-east-1",
        "role-arn": "arn:aws:iam::123456789012:role/audit",
        "fail-on": "high",
        "output-dir": "out dir",
        "checks": "a,b",
        "skip-checks": "c",
        "annotations": "false",
        "badge-path": "badges/x.json",
        "junit-passing": "summary",
    }
    base = dict(env)
    base.pop("PYTHONPATH", None)
    run = run_action(workspace, base, cli_dir=stub.parent, install="false", **given)
    assert args_file.is_file(), run.stdout + run.stderr
    args = args_file.read_text(encoding="utf-8").splitlines()
    assert args == [
        "scan",
        "--region",
        "eu-west-1",
        "--regions",
        "eu-west-1,us-east-1",
        "--role-arn",
        "arn:aws:iam::123456789012:role/audit",
        "--output-dir",
        "out dir",
        "--badge",
        "badges/x.json",
        "--baseline",
        "b.yml",
        "--config",
        "c.toml",
        "--fail-on",
        "high",
        "--checks",
        "a,b",
        "--skip-checks",
        "c",
        "--junit-passing",
        "summary",
        "--no-annotations",
    ]
    # It exited 0 but wrote no results.json: the verdict output is error, never pass.
    assert run.code == 0
    assert run.outputs["verdict"] == "error"


def _recording_cli(workspace: Path) -> tuple[Path, Path]:
    """A stand-in CLI that records the gating run's arguments (as above)."""
    args_file = workspace.parent / "plan-args"
    stub = workspace.parent / "plan-bin" / "iamgate"
    stub.parent.mkdir()
    stub.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = version ]; then exit 0; fi\n'
        f'if [ "$1" = github-outputs ]; then PYTHONPATH="{SRC}" exec "{sys.executable}" '
        '-m iamgate "$@"; fi\n'
        f'printf "%s\\n" "$@" > "{args_file}"\nexit 0\n',
        encoding="utf-8",
    )
    stub.chmod(0o755)
    return stub.parent, args_file


def test_plan_inputs_become_the_plan_commands_flags(workspace: Path) -> None:
    cli, args_file = _recording_cli(workspace)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    given = {
        "plan-terraform": "infra/plan.json\ninfra/other plan.json\n",
        "plan-cloudformation": "cfn/roles.yml",
        "stack-name": "ci-roles",
        "parameters": "Env=prod\nOrg=acme corp\n",
        "snapshot": "nightly/snapshot.json",
        "previous": "old/results.json",
        "annotations": "false",
        "read-missing-policies": "true",
    }
    run = run_action(workspace, env, cli_dir=cli, install="false", **given)
    args = args_file.read_text(encoding="utf-8").splitlines()
    assert args == [
        "plan",
        "--terraform",
        "infra/plan.json",
        "--terraform",
        "infra/other plan.json",
        "--cloudformation",
        "cfn/roles.yml",
        "--parameter",
        "Env=prod",
        "--parameter",
        "Org=acme corp",
        "--stack-name",
        "ci-roles",
        "--snapshot",
        "nightly/snapshot.json",
        "--read-missing-policies",
        "--output-dir",
        "iamgate-report",
        "--badge",
        "iamgate-report/badge.json",
        "--junit-passing",
        "auto",
        "--no-annotations",
    ]
    assert "INPUT_PREVIOUS is ignored when a change is planned" in run.stdout
    # Its default adds nothing; anything but true or false is bad input before any run.
    args_file.unlink()
    given["read-missing-policies"] = "false"
    run_action(workspace, env, cli_dir=cli, install="false", **given)
    assert "--read-missing-policies" not in args_file.read_text(encoding="utf-8").splitlines()
    args_file.unlink()
    given["read-missing-policies"] = "yes"
    bad = run_action(workspace, env, cli_dir=cli, install="false", **given)
    assert bad.code == 2
    assert "read-missing-policies must be true or false" in bad.stdout
    assert not args_file.exists()


SELFTEST = yaml.safe_load((REPO / ".github" / "workflows" / "selftest.yml").read_text("utf-8"))


def _selftest_env(step: dict[str, object], ran: dict[str, ActionRun]) -> dict[str, str]:
    """A check step's env: ``steps.<id>.outcome`` and ``steps.<id>.outputs.<name>``."""

    def one(m: re.Match[str]) -> str:
        parts = m.group(1).split(".")
        run = ran[parts[1]]
        if parts[2] == "outcome":
            return "success" if run.code == 0 else "failure"
        assert parts[2] == "outputs", m.group(0)
        return run.outputs[parts[3]]

    env = step.get("env", {})
    assert isinstance(env, dict)
    return {k: EXPR.sub(one, str(v)) for k, v in env.items()}


def test_the_selftests_plan_steps_do_what_ci_checks(tmp_path: Path) -> None:
    """selftest.yml's plan steps, run as GitHub runs them (the action's steps, then the check
    step after each, on its outputs) in a workspace holding the repository's fixtures."""
    workspace = tmp_path / "repo"
    workspace.mkdir()
    for name in ("tests", "baselines"):
        (workspace / name).symlink_to(REPO / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    steps = SELFTEST["jobs"]["selftest"]["steps"]
    ran: dict[str, ActionRun] = {}
    checked = []
    for step, after in itertools.pairwise(steps):
        if step.get("uses") != "./" or not step["id"].startswith("plan-"):
            continue
        inputs = {k: str(v) for k, v in step["with"].items() if k != "python-version"}
        ran[step["id"]] = run = run_action(workspace, env, install="false", **inputs)
        assert (run.code != 0) is bool(step.get("continue-on-error")), run.stdout + run.stderr
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", after["run"]],
            env={**env, **_selftest_env(after, ran)},
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, f"{after['name']}: {proc.stdout}{proc.stderr}"
        checked.append(step["id"])
    assert checked == ["plan-failing", "plan-passing"]
    assert ran["plan-failing"].outputs["verdict"] == "fail"
    assert ran["plan-passing"].outputs["verdict"] == "pass"
