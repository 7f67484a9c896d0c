"""The use cases: evaluate a snapshot, scan one account, scan many, write the reports."""
