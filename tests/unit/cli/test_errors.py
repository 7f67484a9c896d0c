"""Error handling in one place: a bug is exit 4 with one message, never a pass, a finding, or
"could not collect"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamgate.checks import REGISTRY, run_checks
from iamgate.checks.context import Context
from iamgate.checks.registry import Check, Outcome
from iamgate.cli.app import app
from iamgate.errors import InternalError
from iamgate.formats.snapshot_json import snapshot_to_json
from iamgate.model.config import Config
from testing.factories import snap, user


def _crash(_ctx: Context) -> list[Outcome]:
    raise RuntimeError("boom")


@pytest.fixture
def crashing_check(monkeypatch: pytest.MonkeyPatch) -> str:
    meta = REGISTRY["root-mfa"].meta
    monkeypatch.setitem(REGISTRY, "root-mfa", Check(meta, _crash))
    return "root-mfa"


def test_a_crashing_check_stops_the_run_as_an_internal_error(crashing_check: str) -> None:
    with pytest.raises(InternalError, match="check root-mfa crashed: RuntimeError: boom"):
        run_checks(snap(), Config(), [crashing_check])


def test_the_command_exits_4_and_writes_no_report(crashing_check: str, tmp_path: Path) -> None:
    snapshot = tmp_path / "s.json"
    snapshot.write_text(snapshot_to_json(snap()), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["evaluate", str(snapshot), "--output-dir", str(out)])
    assert result.exit_code == 4, result.output
    assert "iamgate: internal error: check root-mfa crashed: RuntimeError: boom" in result.output
    assert not out.exists()


def test_a_malformed_policy_is_an_error_result_not_a_crash() -> None:
    broken = user("bob", inline={"p": {"Statement": "not a list"}})
    [result] = [r for r in run_checks(snap(users=(broken,)), Config(), ["policy-full-admin"])]
    assert result.passed is None
    assert "malformed policy" in result.message


# --- no credential in any error text -----------------------------------------------------------

TOKEN = "FwoGZXIvYXdzEBcaDHhPasted+Token/" + "A1b2" * 40


def test_the_error_handler_never_prints_a_credential(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    from iamgate.cli.common import handle_errors
    from iamgate.errors import CollectError

    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN + "\n")  # pasted with its newline
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    @handle_errors
    def failing() -> None:
        raise CollectError(
            f"Invalid header value b'{TOKEN}\\n' (key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)"
        )

    with pytest.raises(typer.Exit) as exit_:
        failing()
    assert exit_.value.exit_code == 3
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert "K7MDENG" not in err
    assert "[secret redacted]" in err


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("commit 4f2c9a1e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39 not found", True),  # hex: no secret
        ("arn:aws:iam::123456789012:role/a-very-long-role-name-that-is-forty-chars", True),
        ("key AKIAIOSFODNN7EXAMPLE failed", True),  # an access key id is not a secret
        ("secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked", False),
        (f"token {TOKEN} leaked", False),
        # Paths are the same alphabet: a checkout under mktemp -d, a GitHub runner's workspace.
        ("/tmp/tmp.UHDOzUQrPD/tests/data/bad/config/unknown-section.toml:1: bad", True),
        ("/home/runner/work/AcmeOrg/OpsRepo/baselines/123456789012.yml: bad", True),
    ],
)
def test_scrub_hides_what_is_shaped_like_a_secret_and_nothing_else(
    text: str, kept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iamgate.aws.secrets import scrub

    for name in ("AWS_SESSION_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert (scrub(text) == text) is kept
