"""When a part is read: daily in its first 30 days, then on each 30th day, and not
again on its monthly day when a line of it is recent. Decided in process, with the
clock given."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from clarion.metrics.schedule import Due, due, parse_time

NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("published", "last_line", "expected"),
    [
        (ago(0), None, Due.DAILY),  # published this morning
        (NOW + dt.timedelta(hours=2), None, Due.DAILY),  # a receipt a little ahead
        (ago(1), ago(1), Due.DAILY),  # daily, whatever the last line
        (ago(29), ago(0.5), Due.DAILY),  # the last day of the first 30
        (ago(30), ago(1), None),  # day 30: a line from yesterday makes it needless
        (ago(30), None, Due.MONTHLY),  # day 30, never seen: read
        (ago(30), ago(16), Due.MONTHLY),  # day 30, the last line over 15 days old
        (ago(31), None, None),  # between monthly days
        (ago(45), ago(40), None),
        (ago(60), ago(30), Due.MONTHLY),
        (ago(61), ago(31), None),  # a missed day is not made up
        (ago(3660), ago(300), Due.MONTHLY),  # ten years on: still once in 30 days
        (ago(3661), ago(300), None),
        (ago(90), ago(3), None),  # an imported archive's counts, three days old
    ],
)
def test_when_a_part_is_due(
    published: dt.datetime, last_line: dt.datetime | None, expected: Due | None
) -> None:
    assert due(NOW, published, last_line) == expected


def test_the_day_counts_in_utc_not_the_hour() -> None:
    late = dt.datetime(2026, 11, 7, 23, 59, tzinfo=dt.UTC)  # 30 days before, by the date
    assert due(NOW, late, None) == Due.MONTHLY
    assert due(NOW.replace(hour=0, minute=1), late, None) == Due.MONTHLY
    elsewhere = dt.datetime(2026, 11, 8, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert due(NOW, elsewhere, None) == Due.MONTHLY  # 2026-11-07 22:00 UTC


def test_a_part_of_unknown_date_is_read_once_in_30_days_on_a_day_its_id_picks() -> None:
    days = [NOW + dt.timedelta(days=n) for n in range(90)]
    read = [day for day in days if due(day, None, None, "113000000000000042") is Due.MONTHLY]
    assert len(read) == 3
    assert {(b - a).days for a, b in itertools.pairwise(read)} == {30}
    assert due(read[0], None, read[0] - dt.timedelta(days=2), "113000000000000042") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-07T06:00:00Z", NOW),
        ("2026-12-07T07:00:00+01:00", NOW),
        ("2026-12-07T06:00:00", NOW),  # no offset: UTC, as receipts are written
        ("2026-12-07T06:00:00.123456Z", NOW.replace(microsecond=123456)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_receipt_times_are_read_as_utc(text: str | None, expected: dt.datetime | None) -> None:
    assert parse_time(text) == expected
