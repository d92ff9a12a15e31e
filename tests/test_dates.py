"""Dates from front matter and review intervals."""

from __future__ import annotations

import datetime as dt

import pytest

from kbtool.dates import Interval, add_months, parse_date, parse_interval

D = dt.date


@pytest.mark.parametrize(
    ("value", "formats", "expected"),
    [
        (D(2026, 9, 14), (), D(2026, 9, 14)),
        (dt.datetime(2026, 9, 14, 23, 59), (), D(2026, 9, 14)),
        ("2026-09-14", ("%Y-%m-%d",), D(2026, 9, 14)),
        ("  2026-09-14 ", (), D(2026, 9, 14)),  # ISO is always accepted
        ("2026-09-14T10:00:00Z", (), D(2026, 9, 14)),
        ("2026-09-14 10:00:00+02:00", (), D(2026, 9, 14)),
        ("09/14/2026", ("%m/%d/%Y",), D(2026, 9, 14)),
        ("9/4/2026", ("%m/%d/%Y",), D(2026, 9, 4)),
        ("04/01/2021", ("%m/%d/%Y",), D(2021, 4, 1)),  # US: April 1st
        ("04/01/2021", ("%d/%m/%Y", "%m/%d/%Y"), D(2021, 1, 4)),  # the first format wins
        ("14.09.2026", ("%m/%d/%Y", "%d.%m.%Y"), D(2026, 9, 14)),
        ("14 September 2026", ("%d %B %Y",), D(2026, 9, 14)),
    ],
)
def test_parse_date(value: object, formats: tuple[str, ...], expected: dt.date) -> None:
    assert parse_date(value, formats) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "not a date in the configured formats (%Y-%m-%d): '2026-02-30'"),
        ("next week", "not a date in the configured formats (%Y-%m-%d): 'next week'"),
        ("13/01/2026", "not a date in the configured formats (%Y-%m-%d): '13/01/2026'"),
        ("", "not a date: ''"),
        ("   ", "not a date: '   '"),
        (20260914, "not a date: 20260914"),
        (None, "not a date: None"),
        (["2026-09-14"], "not a date: ['2026-09-14']"),
    ],
)
def test_parse_date_errors_say_what_was_tried(value: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(value, ("%Y-%m-%d",))
    assert str(info.value) == message


def test_parse_date_without_formats_names_iso() -> None:
    with pytest.raises(ValueError, match=r"configured formats \(ISO 8601\)"):
        parse_date("soon", ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quarterly", Interval(months=3)),
        (" Quarterly ", Interval(months=3)),
        ("monthly", Interval(months=1)),
        ("half-yearly", Interval(months=6)),
        ("yearly", Interval(months=12)),
        ("annually", Interval(months=12)),
        ("weekly", Interval(days=7)),
        ("biweekly", Interval(days=14)),
        ("90d", Interval(days=90)),
        ("180-days", Interval(days=180)),  # Microsoft Learn's ms.update-cycle
        ("6w", Interval(days=42)),
        ("2 weeks", Interval(days=14)),
        ("3 months", Interval(months=3)),
        ("1 month", Interval(months=1)),
        ("2q", Interval(months=6)),
        ("1 year", Interval(months=12)),
        ("10_days", Interval(days=10)),
        (90, Interval(days=90)),  # a YAML integer is days
        ("90", Interval(days=90)),  # and so is the same number quoted
    ],
)
def test_parse_interval(text: str | int, expected: Interval) -> None:
    assert parse_interval(text) == expected


@pytest.mark.parametrize(
    "text", ["", "often", "0d", "0", -5, 0, True, "90 fortnights", "d90", "1.5 months", "²"]
)
def test_parse_interval_rejects(text: str | int) -> None:
    with pytest.raises(ValueError) as info:
        parse_interval(text)
    message = str(info.value)
    assert message.startswith(("not an interval", "interval must be positive"))
    assert "\n" not in message


def test_unknown_interval_message_gives_examples() -> None:
    with pytest.raises(ValueError) as info:
        parse_interval("often")
    assert str(info.value) == (
        "not an interval: 'often' (use e.g. quarterly, monthly, yearly, 90d, 6w, 3 months)"
    )


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 15), 3, D(2026, 4, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # clamped to the month's end
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 12, 1), 12, D(2027, 12, 1)),
        (D(2026, 5, 5), 0, D(2026, 5, 5)),
    ],
)
def test_add_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_interval_after() -> None:
    assert parse_interval("quarterly").after(D(2026, 11, 30)) == D(2027, 2, 28)
    assert parse_interval("90d").after(D(2026, 11, 30)) == D(2027, 2, 28)
    assert parse_interval("90d").after(D(2026, 1, 1)) == D(2026, 4, 1)
    assert Interval(months=1, days=2).after(D(2026, 1, 31)) == D(2026, 3, 2)


def test_intervals_compare_by_length() -> None:
    assert Interval(days=60) < Interval(months=3)
    assert Interval(months=1) < Interval(days=45)
    assert Interval(days=7) < Interval(months=1) < Interval(months=3) < Interval(months=12)
    assert max(Interval(days=200), Interval(months=6)) == Interval(days=200)
    mixed = [Interval(months=12), Interval(days=7), Interval(days=45), Interval(months=1)]
    assert sorted(mixed) == [
        Interval(days=7), Interval(months=1), Interval(days=45), Interval(months=12),
    ]  # fmt: skip
    # the same length in different units: distinct and consistently ordered
    assert Interval(months=1) != Interval(days=30)
    assert Interval(days=30) < Interval(months=1)
    assert not Interval(months=1) < Interval(days=30)
    assert Interval(months=3) <= Interval(months=3) >= Interval(days=90)


def test_interval_str_reads_back() -> None:
    for text in ("quarterly", "monthly", "yearly", "weekly", "half-yearly", "90d", "4 months"):
        interval = parse_interval(text)
        assert str(interval) == text
        assert parse_interval(str(interval)) == interval
    assert Interval(months=3).approx_days() == 90
