"""AWS access: the one place clients are built, and what a failed call means."""
