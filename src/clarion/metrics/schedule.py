"""When a published part is read: daily in its first 30 days, monthly after.

Most engagement comes in a post's first days, so a part is read on every run
(the metrics workflow runs once a day) until it is 30 days old. After that it
is read once every 30 days, on the days it turns 60, 90, ... days old: so the
reads of an archive of years are spread evenly over the month, and the files
grow with what changes, not with the size of the archive (SPEC, "Engagement").

A line is written only when the counts changed, so "the last line seen" is not
the last read. It still counts: a part whose last line is recent (an imported
archive's counts, a read on an earlier day) is not read again on its monthly
day. A day without a run costs the parts of that day one monthly reading,
never a burst of reads later.

Pure functions of the clock, for the tests to drive.
"""

from __future__ import annotations

import datetime as dt
import zlib
from enum import StrEnum

DAILY_DAYS = 30  # read on every run while younger than this
EVERY_DAYS = 30  # then once in this many days
RECENT = dt.timedelta(days=15)  # a line newer than this makes a monthly read needless


class Due(StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"


def due(
    now: dt.datetime, published: dt.datetime | None, last_line: dt.datetime | None, key: str = ""
) -> Due | None:
    """Whether a part published at `published` (None: unknown) and last seen in a
    line at `last_line` (None: never) is read at `now`, and why; None: not now.

    A part of unknown date is read monthly, on a day its `key` (its id) picks.
    """
    today = now.astimezone(dt.UTC).date()
    if published is None:
        slot = zlib.crc32(key.encode("utf-8")) % EVERY_DAYS
        on_its_day = today.toordinal() % EVERY_DAYS == slot
        return Due.MONTHLY if on_its_day and _not_recent(now, last_line) else None
    age = (today - published.astimezone(dt.UTC).date()).days
    if age < DAILY_DAYS:
        return Due.DAILY
    if age % EVERY_DAYS == 0 and _not_recent(now, last_line):
        return Due.MONTHLY
    return None


def _not_recent(now: dt.datetime, last_line: dt.datetime | None) -> bool:
    return last_line is None or now - last_line >= RECENT


def parse_time(text: str | None) -> dt.datetime | None:
    """A receipt's or a line's `at` (ISO 8601, `Z` or an offset) in UTC; None if unreadable."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)
