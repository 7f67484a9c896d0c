"""The command line: one module per command, shared options and error handling in
``common.py``, the app in ``app.py``."""

from __future__ import annotations


def main() -> None:
    # Imported here so that ``import iamgate.cli`` stays cheap; the app imports every command.
    from iamgate.cli.app import main as run

    run()
