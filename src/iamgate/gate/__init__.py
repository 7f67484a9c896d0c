"""The gate: results + baseline -> a verdict; several verdicts -> one (combine, merge)."""
