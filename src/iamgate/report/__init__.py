"""Reporters: pure functions ``Verdict -> str``. The CLI decides where each string goes."""
