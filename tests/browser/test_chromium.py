"""report.html in a real browser: Debian's headless Chromium opens the file from disk, with no
network, runs its script, and we read the DOM it ends up with (``--dump-dom``) or its PDF.

CI installs Chromium from the distribution's packages (``.ci/run``) and sets
IAMGATE_REQUIRE_BROWSER=1, so there a missing browser fails these tests; elsewhere it skips them
with the reason. ``CHROMIUM`` names another binary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from iamgate.checks import catalogue
from iamgate.report import html as html_module
from iamgate.report.context import ReportContext
from iamgate.report.html import render_html
from testing import REPO
from testing.cli import run_cli, without_ci
from testing.htmlpage import read_page
from testing.verdicts import hostile_verdict, large_verdict

FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def find_chromium() -> str | None:
    named = os.environ.get("CHROMIUM")
    if named:
        return shutil.which(named)
    return next(
        filter(None, (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))),
        None,
    )


def need(tool: str | None, what: str) -> str:
    if tool is None:
        message = f"{what} is not installed (.ci/run installs it: apt-get install -y chromium)"
        if os.environ.get("IAMGATE_REQUIRE_BROWSER"):
            pytest.fail(f"IAMGATE_REQUIRE_BROWSER is set, but {message}")
        pytest.skip(message)
    return tool


def browser(*args: str) -> str:
    binary = need(find_chromium(), "Chromium")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout


def dom(path: Path, fragment: str = "") -> Any:
    return read_page(browser("--dump-dom", path.as_uri() + fragment))


def rows(page: Any) -> list[dict[str, str | None]]:
    return [e.attrs for e in page.all("tr") if "data-severity" in e.attrs]


def shown(page: Any) -> list[dict[str, str | None]]:
    return [r for r in rows(page) if "hidden" not in r]


def by_id(page: Any, id_: str) -> dict[str, str | None]:
    return next(e.attrs for e in page.elements if e.attrs.get("id") == id_)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The real command's report.html and results.json (the demo account's saved snapshot)."""
    out = tmp_path_factory.mktemp("report")
    env = {k: v for k, v in without_ci(os.environ).items() if not k.startswith("AWS_")}
    run = run_cli(
        [
            "evaluate",
            str(REPO / "tests" / "data" / "demo-snapshot.json"),
            "--baseline",
            str(REPO / "baselines" / "123456789012.yml"),
            "--as-of",
            "2026-11-27",
            "--output-dir",
            str(out),
            "--quiet",
        ],
        env,
        out,
    )
    assert run.code == 1, run.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return out / "report.html", results


def test_the_page_shows_the_counts_and_its_script_ran(report: tuple[Path, Any]) -> None:
    path, results = report
    page = dom(path)
    text = " ".join(page.text.split())
    counts = results["counts"]
    assert "FAIL" in text
    for key, label in (("new", "New"), ("expired", "Expired"), ("accepted", "Accepted")):
        assert f"{counts[key]} {label}" in text
    failing = counts["new"] + counts["expired"]
    # The CSP's hash let the page's own script run: it showed the filter bar and counted.
    assert "hidden" not in by_id(page, "filters")
    assert len(shown(page)) == failing
    assert f"{failing} of {failing} shown" in text


def test_a_fragment_filters_the_table(report: tuple[Path, Any]) -> None:
    path, results = report
    failing = [f for f in results["findings"] if f["status"] in ("fail", "expired")]
    high = [f for f in failing if f["severity"] == "high"]
    assert 0 < len(high) < len(failing)
    page = dom(path, "#severity=high")
    visible = shown(page)
    assert len(rows(page)) == len(failing)
    assert len(visible) == len(high)
    assert {r["data-severity"] for r in visible} == {"high"}
    assert f"{len(high)} of {len(failing)} shown" in page.text
    assert page.all("html")[0].attrs.get("data-shown") == str(len(high))
    # Two filters at once, as the reviewers use them: new findings on roles.
    roles = [f for f in failing if f["resource_type"] == "role" and f["status"] == "fail"]
    visible = shown(dom(path, "#type=role&status=new"))
    assert sorted(r["data-check"] or "" for r in visible) == sorted(f["check"] for f in roles)


def test_hostile_text_runs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    verdict = hostile_verdict()
    path.write_text(render_html(verdict, ReportContext(checks=catalogue())), encoding="utf-8")
    page = dom(path)
    root = page.all("html")[0].attrs
    assert "data-pwned" not in root  # neither injected handler nor script ran
    assert root.get("data-shown")  # while the page's own script did
    assert not page.all("img")
    assert len(page.all("script")) == 1
    assert not any(name.startswith("on") for e in page.elements for name in e.attrs)
    assert '<img src=x onerror="document.documentElement.dataset.pwned=1">' in page.text


def test_the_csp_stops_a_script_that_slipped_in(report: tuple[Path, Any], tmp_path: Path) -> None:
    """As if an escape had been missed: the injected script must not run, ours must."""
    path, _ = report
    html = path.read_text(encoding="utf-8").replace(
        "</main>",
        "<script>document.documentElement.dataset.pwned='1'</script>"
        '<img src="https://example.invalid/x.png"></main>',
    )
    injected = tmp_path / "injected.html"
    injected.write_text(html, encoding="utf-8")
    root = dom(injected).all("html")[0].attrs
    assert "data-pwned" not in root
    assert root.get("data-shown")


def test_the_pdf_prints_every_row_whatever_the_filter(
    report: tuple[Path, Any], tmp_path: Path
) -> None:
    path, results = report
    pdf = tmp_path / "report.pdf"
    browser("--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri() + "#severity=high")
    pdftotext = need(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    low = next(f for f in results["findings"] if f["severity"] == "low" and f["status"] == "fail")
    assert low["check"] in text  # hidden on screen by the filter, printed all the same
    assert "No finding matches" not in text
    assert "shown" not in text  # no filter bar on paper
    pages = re.findall(r"Page (\d+) of (\d+)", text)
    assert pages
    assert pages[0][0] == "1"


# --- a page with more findings than it lists at first -------------------------------------------

_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)


def _row_cells(page: str, resource: str) -> str:
    """The cells of the live row that shows ``resource`` (outside any <template>), with the
    white space between tags dropped (the template writes one cell per line, the script none)."""
    live = re.sub(r"<template\b.*?</template>", "", page, flags=re.S)
    found = [m.group(1) for m in _ROW.finditer(live) if resource + "<" in m.group(1)]
    assert len(found) == 1, (resource, len(found))
    return re.sub(r">\s+<", "><", found[0]).strip()


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same 2,503 findings as a page that lists the first 100 of each check (the rest
    waiting in a <template>), and as one that lists them all (the rows to compare with)."""
    out = tmp_path_factory.mktemp("large")
    verdict = large_verdict()
    context = ReportContext(checks=catalogue())
    waiting = out / "report.html"
    waiting.write_text(render_html(verdict, context), encoding="utf-8")
    listed = out / "listed.html"
    first, html_module.FIRST_ROWS = html_module.FIRST_ROWS, 10_000
    try:
        listed.write_text(render_html(verdict, context), encoding="utf-8")
    finally:
        html_module.FIRST_ROWS = first
    return waiting, listed


def test_a_large_page_lists_the_first_rows_and_counts_every_one(large: tuple[Path, Path]) -> None:
    path, _ = large
    source = path.read_text(encoding="utf-8")
    assert source.count("<template data-") == 1  # user-inactive's 2,400 rows past its first 100
    found = browser("--dump-dom", path.as_uri())
    page = read_page(found)
    text = " ".join(page.text.split())
    assert "2503 of 2503 shown" in text  # every row counted, listed or waiting
    assert page.all("html")[0].attrs.get("data-shown") == "2503"
    live = re.sub(r"<template\b.*?</template>", "", found, flags=re.S)
    listed = re.findall(r"<tr data-severity[^>]*>", live)
    assert len(listed) == 103  # 100 of user-inactive, the 3 of root-mfa
    assert "2400 more matching findings of user-inactive" in text


def test_a_filter_finds_a_waiting_row_as_the_page_would_list_it(large: tuple[Path, Path]) -> None:
    path, listed_path = large
    listed = browser("--dump-dom", listed_path.as_uri())
    for fragment, resource, count in (
        ("#type=role", "u001800", "1 of 2503 shown"),  # the role, 1,800 rows down
        ("#status=expired", "u001500", "1 of 2503 shown"),  # the expired exception
    ):
        found = browser("--dump-dom", path.as_uri() + fragment)
        assert count in " ".join(read_page(found).text.split()), fragment
        visible = [
            m.group(0)
            for m in re.finditer(r"<tr data-severity[^>]*>", found)
            if "hidden" not in m.group(0)
        ]
        assert len(visible) == 1, (fragment, visible)
        # Moved out of its template and completed by the script, it reads as a listed row.
        assert _row_cells(found, resource) == _row_cells(listed, resource), fragment
