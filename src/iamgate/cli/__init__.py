"""The command line: one module per command, shared options and error handling in
``common.py``, the app in ``app.py``, the standard streams as shells give them in
``streams.py``."""

from __future__ import annotations


def main() -> None:
    from iamgate.cli.streams import flush_at_exit, tolerant_encoding

    tolerant_encoding()
    # Imported here so that ``import iamgate.cli`` stays cheap; the app imports every command.
    from iamgate.cli.app import main as run

    try:
        run()
    finally:
        flush_at_exit()
