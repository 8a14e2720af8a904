"""Timestamp identifiers (atproto.com/specs/tid): Bluesky's record keys and revisions.

A TID is a 64-bit integer written as 13 characters of base32-sortable, most
significant first: a zero bit, 53 bits of microseconds since the Unix epoch,
then 10 bits of "clock id". Their text sorts as their time does.

Pure on purpose: the adapter, the stand-in and the importer share it, and none
of them should load atproto to read or write 13 characters.
"""

from __future__ import annotations

import datetime as dt
import re
import time

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
LENGTH = 13
CLOCK_IDS = 1 << 10
MAX_MICROS = (1 << 53) - 1
# The first character carries the zero top bit, so it is one of the first 16.
PATTERN = re.compile(rf"[{ALPHABET[:16]}][{ALPHABET}]{{{LENGTH - 1}}}")


def encode(micros: int, clock_id: int) -> str:
    """The TID of `micros` since the epoch and `clock_id` (0 to 1023)."""
    if not 0 <= micros <= MAX_MICROS:
        raise ValueError(f"a TID holds 0 to {MAX_MICROS} microseconds, not {micros}")
    if not 0 <= clock_id < CLOCK_IDS:
        raise ValueError(f"a TID's clock id is 0 to {CLOCK_IDS - 1}, not {clock_id}")
    value = micros << 10 | clock_id
    return "".join(ALPHABET[(value >> shift) & 31] for shift in range(5 * (LENGTH - 1), -1, -5))


def is_tid(text: str) -> bool:
    return PATTERN.fullmatch(text) is not None


def decode(text: str) -> tuple[int, int] | None:
    """(microseconds since the epoch, clock id) of a TID; None if `text` is not one."""
    if not is_tid(text):
        return None
    value = 0
    for char in text:
        value = value << 5 | ALPHABET.index(char)
    return value >> 10, value & (CLOCK_IDS - 1)


def now(clock_id: int) -> str:
    """A TID for this moment."""
    return encode(time.time_ns() // 1000, clock_id)


def moment(text: str) -> dt.datetime | None:
    """The time a TID holds, in UTC; None if `text` is not a TID or its time is out of range."""
    decoded = decode(text)
    if decoded is None:
        return None
    try:
        return dt.datetime.fromtimestamp(decoded[0] / 1e6, dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None
