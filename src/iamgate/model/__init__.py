"""The data every stage shares: the snapshot, results and verdicts, the baseline, the settings."""
