"""Hostile inputs for the command line's fuzz tests (issue 24): pieces of every input file's
format, values past Python's limits, and option values that are not what an option expects."""

from __future__ import annotations

from hypothesis import strategies as st

from testing import DATA

SNAPSHOT = str(DATA / "demo-snapshot.json")
HUGE = "9" * 5000
DEEP = "[" * 5000 + "]" * 5000

# Hostile text for a file's content: pieces of every format, and values past Python's limits.
FILE_PIECES = [
    "{",
    "}",
    "[",
    "]",
    '"',
    ":",
    ",",
    "\n",
    "version: 1\n",
    'account: "123456789012"\n',
    "exceptions:\n",
    "  - check: root-mfa\n",
    "    resource: '*'\n",
    "[gate]\n",
    "fail_on = ",
    '"x"',
    HUGE,
    DEEP,
    "-1",
    "1e999",
    "NaN",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "\\ud800",
    '"schema_version": 1',
    '"findings": ',
    '{"v": 1',
    "&",
    "!!python/object:os.system",
    "*a",
    "&a",
    "\t",
    "\x00",
    "é",
    "\ufeff",
]
file_text = st.lists(st.sampled_from(FILE_PIECES), max_size=12).map("".join)
# Hostile option values: empty, dashes, paths that are not files, numbers past every limit.
OPTION_VALUES = [
    "",
    "-",
    "--",
    "x",
    "../../..",
    "/dev/zero",
    "/dev/null",
    "/",
    "/nonexistent/x",
    "{file}",
    "{dir}",
    "{fifo}",
    HUGE,
    "-5",
    "0",
    "us_east_1",
    "9999-99-99",
    "2026-01-01",
    "critical",
    "LOW",
    "each",
    "\u202e",
    "a" * 5000,
    "::error::x",
    "{file}:x",
]
option_value = st.sampled_from(OPTION_VALUES)

COMMANDS = [
    ["evaluate", SNAPSHOT],
    ["evaluate", "{file}"],
    ["merge", "{file}"],
    ["baseline", "lint", "{file}"],
    ["baseline", "prune", "{file}", "--results", "{file}", "--dry-run"],
    ["baseline", "init", "--results", "{file}", "-o", "{dir}/new.yml"],
    ["baseline", "diff", "{file}", "{file}"],
    ["checks"],
    ["github-outputs", "--output-dir", "{dir}"],
]
OPTIONS = {
    "evaluate": [
        "--baseline",
        "--config",
        "--output-dir",
        "--junit",
        "--markdown",
        "--json",
        "--csv",
        "--badge",
        "--html",
        "--history",
        "--previous",
        "--access-analyzer-findings",
        "--fail-on",
        "--checks",
        "--skip-checks",
        "--as-of",
        "--junit-passing",
    ],
    "merge": ["--output-dir", "--junit", "--json", "--history", "--previous", "--junit-passing"],
    "baseline": ["--config", "--as-of"],
    "checks": [],
    "github-outputs": ["--badge", "--exit-code"],
}
