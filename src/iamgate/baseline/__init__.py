"""The baseline's life cycle: lint, init, prune and diff, as pure rules over text and parsed
baselines (the CLI reads files and git refs: ``sources.py`` resolves them)."""
