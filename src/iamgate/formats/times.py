"""Timestamps in every file iamgate writes: ISO 8601 in UTC, with a ``Z``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def format_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def days_after(day: date, days: int) -> date:
    """``day`` plus ``days``, or the last day of the calendar when that is past it: an
    ``--as-of 9999-12-31`` or a huge horizon must not overflow."""
    if days >= (date.max - day).days:
        return date.max
    return day + timedelta(days=days)
