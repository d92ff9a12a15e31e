"""Dates and review intervals: parsing with configured formats, calendar arithmetic."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Interval", "add_months", "parse_date", "parse_interval"]

_NAMED_INTERVALS: dict[str, tuple[int, int]] = {
    # name: (months, days)
    "weekly": (0, 7),
    "biweekly": (0, 14),
    "monthly": (1, 0),
    "bimonthly": (2, 0),
    "quarterly": (3, 0),
    "half-yearly": (6, 0),
    "semiannually": (6, 0),
    "yearly": (12, 0),
    "annually": (12, 0),
}
_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7}
_UNIT_MONTHS = {
    "m": 1,
    "mo": 1,
    "month": 1,
    "months": 1,
    "q": 3,
    "quarter": 3,
    "quarters": 3,
    "y": 12,
    "year": 12,
    "years": 12,
}
_INTERVAL_RE = re.compile(r"^\s*(\d+)\s*[-_ ]?\s*([a-z]+)\s*$")


@functools.total_ordering
@dataclass(frozen=True)
class Interval:
    """A review interval: whole calendar months plus days ("quarterly" is 3 months).

    Intervals compare by length (a month counts 30 days), so 60 days is shorter
    than 3 months, not longer because it has more days.
    """

    months: int = 0
    days: int = 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self._key() < other._key()

    def _key(self) -> tuple[int, int, int]:
        return (self.approx_days(), self.months, self.days)

    def after(self, start: dt.date) -> dt.date:
        """The date this interval after `start`; month ends clamp (30 Nov + 3 months = 28 Feb)."""
        return add_months(start, self.months) + dt.timedelta(days=self.days)

    def approx_days(self) -> int:
        return self.months * 30 + self.days

    def __str__(self) -> str:
        for name, (months, days) in _NAMED_INTERVALS.items():
            if (months, days) == (self.months, self.days):
                return name
        if self.months and not self.days:
            return f"{self.months} months"
        if self.days and not self.months:
            return f"{self.days}d"
        return f"{self.months} months {self.days}d"


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` plus `months` calendar months, clamped to the last day of the target month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last))


def parse_interval(text: str | int) -> Interval:
    """Parse `quarterly`, `monthly`, `90d`, `6w`, `3 months`, `180-days` (integers are days).

    Raises ValueError with a readable reason when the text is not an interval.
    """
    if isinstance(text, bool):
        raise ValueError(f"not an interval: {text!r}")
    if isinstance(text, int):
        if text <= 0:
            raise ValueError(f"interval must be positive, got {text}")
        return Interval(days=text)
    raw = str(text).strip().lower()
    if raw.isascii() and raw.isdigit():  # `review_every: "90"` means what `review_every: 90` means
        return parse_interval(int(raw))
    if raw in _NAMED_INTERVALS:
        months, days = _NAMED_INTERVALS[raw]
        return Interval(months=months, days=days)
    match = _INTERVAL_RE.match(raw)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if count <= 0:
            raise ValueError(f"interval must be positive, got {text!r}")
        if unit in _UNIT_DAYS:
            return Interval(days=count * _UNIT_DAYS[unit])
        if unit in _UNIT_MONTHS:
            return Interval(months=count * _UNIT_MONTHS[unit])
    raise ValueError(
        f"not an interval: {text!r} (use e.g. quarterly, monthly, yearly, 90d, 6w, 3 months)"
    )


def parse_date(value: object, formats: tuple[str, ...]) -> dt.date:
    """A date from a front-matter value: a YAML date, or a string in one of `formats`.

    ISO 8601 (`2026-09-14`, with or without a time) is always accepted as well.
    Raises ValueError naming the formats tried.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a date: {value!r}")
    return _parse_date_text(value.strip(), formats)


@lru_cache(maxsize=4096)
def _parse_date_text(text: str, formats: tuple[str, ...]) -> dt.date:
    # a knowledge base repeats the same few hundred date strings; strptime is slow
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    tried = ", ".join(formats) or "ISO 8601"
    raise ValueError(f"not a date in the configured formats ({tried}): {text!r}")
