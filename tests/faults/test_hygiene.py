"""Secrets never reach output: canary values in the credentials and in the account.

moto accepts any credentials, so the canaries still let the scan work. Every byte the run
writes (stdout, stderr, every report, the snapshot) is searched for each canary.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.faults.fault_proxy import FaultProxy
from testing.faults.harness import (
    CANARY_PASSWORD,
    CANARY_SECRET,
    CANARY_TOKEN,
    proxy_env,
    run_iamgate,
)

CANARY_ENV = {
    "AWS_SECRET_ACCESS_KEY": CANARY_SECRET,
    "AWS_SESSION_TOKEN": CANARY_TOKEN,
    "GITHUB_TOKEN": "ghs_CanaryGithubToken0123456789",
}


def _canaries(seeded_secrets: list[str]) -> list[str]:
    return [CANARY_SECRET, CANARY_TOKEN, CANARY_PASSWORD, *CANARY_ENV.values(), *seeded_secrets]


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--verbose", "--output-dir", "out"],
        ["collect", "--verbose", "--output", "out/snapshot.json"],
    ],
    ids=["scan", "collect"],
)
def test_no_secret_appears_in_any_output(
    args: list[str], proxied: FaultProxy, tmp_path: Path, seeded_secrets: list[str]
) -> None:
    assert seeded_secrets, "the seeded account should hold an access key secret"
    run = run_iamgate(args, proxy_env(proxied.endpoint, **CANARY_ENV), tmp_path)
    assert run.code in (0, 1), run.stderr  # the canary credentials did work
    written = sorted((tmp_path / "out").iterdir())
    assert written, "nothing was written"
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in written})
    assert "snapshot.json" in texts
    for canary in _canaries(seeded_secrets):
        for name, text in texts.items():
            assert canary not in text, f"a secret leaked into {name}"


def test_collection_errors_do_not_echo_credentials(
    proxied: FaultProxy, tmp_path: Path, seeded_secrets: list[str]
) -> None:
    # An error path prints more (the failing request, its endpoint): still no secret.
    from testing.faults.fault_proxy import Rule

    proxied.set(
        Rule("GetAccountAuthorizationDetails", "expired"), Rule("GetCallerIdentity", "reset", 1)
    )
    (tmp_path / "iamgate.toml").write_text("[collect]\nmax_attempts = 2\nmax_backoff_seconds = 0\n")
    run = run_iamgate(
        ["scan", "--verbose", "--output-dir", "out"],
        proxy_env(proxied.endpoint, **CANARY_ENV),
        tmp_path,
    )
    assert run.code == 1, run.stderr
    assert "ExpiredToken" in run.stderr
    everything = run.stdout + run.stderr
    everything += "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    for canary in _canaries(seeded_secrets):
        assert canary not in everything


@pytest.mark.parametrize("command", ["scan", "collect"])
def test_a_pasted_token_with_a_trailing_newline_is_never_echoed(
    command: str, proxied: FaultProxy, tmp_path: Path, seeded_secrets: list[str]
) -> None:
    # botocore cannot send a header value with a newline, and its error text carries the value:
    # the run must say it could not collect, and print the token nowhere.
    env = proxy_env(proxied.endpoint, **{**CANARY_ENV, "AWS_SESSION_TOKEN": CANARY_TOKEN + "\n"})
    out = ["--output-dir", "out"] if command == "scan" else ["--output", "out/snapshot.json"]
    run = run_iamgate([command, "--verbose", *out], env, tmp_path)
    assert run.code == 3, run.stderr
    assert "iamgate: error (could not collect)" in run.stderr
    assert "[secret redacted]" in run.stderr  # said what happened, without the value
    assert "internal error" not in run.stderr
    everything = run.stdout + run.stderr
    if (tmp_path / "out").exists():
        everything += "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    for canary in _canaries(seeded_secrets):
        assert canary not in everything
    assert CANARY_TOKEN[:20] not in everything  # nor a recognisable part of it
