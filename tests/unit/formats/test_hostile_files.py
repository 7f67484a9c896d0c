"""Every input file type against what a hostile or broken environment hands it (issue 24):
numbers past Python's int-string limit, JSON nested past the recursion limit, and paths that
are not regular files (a FIFO would block the run, ``/dev/zero`` never ends). Each loader gives
bad input naming the file, never another exception."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from iamgate.checks import REGISTRY
from iamgate.errors import InputError
from iamgate.formats.accounts_file import load_accounts
from iamgate.formats.analyzer_findings import load_findings_file
from iamgate.formats.baseline_yaml import load_baseline
from iamgate.formats.config_toml import load_config
from iamgate.formats.files import read_bytes
from iamgate.formats.history_jsonl import load_history
from iamgate.formats.results_json import load_results
from iamgate.formats.snapshot_json import load_snapshot
from iamgate.policy.document import PolicyFormatError, parse_document

HUGE = "1" * 5000  # past sys.get_int_max_str_digits() (4300)
DEEP = "[" * 100_000 + "]" * 100_000

LOADERS: dict[str, Callable[[Path], Any]] = {
    "baseline": lambda p: load_baseline(p, REGISTRY),
    "config": load_config,
    "history": load_history,
    "results": load_results,
    "snapshot": load_snapshot,
    "findings export": load_findings_file,
    "accounts": load_accounts,
}
# Each file type with a hostile value where a value belongs.
HOSTILE = {
    "baseline": 'version: 1\naccount: "123456789012"\nexceptions: {v}\n',
    "config": "[gate]\nexpiring_within_days = {v}\n",
    "history": '{{"v": {v}}}\n',
    "results": '{{"schema_version": {v}}}',
    "snapshot": '{{"schema_version": {v}}}',
    "findings export": '{{"findings": {v}}}',
    "accounts": '[{{"account_id": {v}}}]',
}


def refused(load: Callable[[Path], Any], path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load(path)
    assert caught.value.source == str(path)
    return caught.value


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_number_past_the_int_string_limit_is_bad_input(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "input"
    path.write_text(HOSTILE[kind].format(v=HUGE), encoding="utf-8")
    refused(LOADERS[kind], path)


@pytest.mark.parametrize("kind", sorted(set(LOADERS) - {"baseline", "config"}))
def test_json_nested_past_the_recursion_limit_is_bad_input(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "input"
    path.write_text(HOSTILE[kind].format(v=DEEP), encoding="utf-8")
    refused(LOADERS[kind], path)


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_device_or_a_fifo_is_refused_without_reading_it(kind: str, tmp_path: Path) -> None:
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")  # st_size 0 and endless: the cap must hold while reading
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    # A baseline that is a link is refused as one before it is opened (the gate must read the
    # reviewed file); every other input follows the link and finds a device.
    device = "is a symbolic link" if kind == "baseline" else "character device, not a regular file"
    assert device in refused(LOADERS[kind], zero).message
    assert "FIFO (named pipe), not a regular file" in refused(LOADERS[kind], fifo).message


def test_the_cap_holds_while_reading_not_only_by_st_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "grows.yml"
    path.write_bytes(b"x" * 2000)
    real_fstat = os.fstat

    def small(fd: int) -> os.stat_result:  # a file that says it is smaller than it is
        info = list(real_fstat(fd))
        info[6] = 10  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", small)
    with pytest.raises(InputError, match="larger than"):
        read_bytes(path, "baseline", max_bytes=1000)
    assert read_bytes(path, "baseline", max_bytes=2000) == b"x" * 2000  # the near miss


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_bytes(tmp_path)


def test_a_policy_document_with_a_huge_number_is_a_format_error_not_a_crash() -> None:
    with pytest.raises(PolicyFormatError):
        parse_document('{"Version": ' + HUGE + "}")
