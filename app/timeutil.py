"""Times are stored as naive UTC and shown in Asia/Shanghai (ISO 8601 with +08:00)."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC now; the one clock every service reads (tests may monkeypatch it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_iso(dt):
    """Naive UTC from the database → ISO 8601 in Shanghai time, e.g. 2026-11-22T09:30:00+08:00."""
    if dt is None:
        return None
    try:
        return dt.replace(tzinfo=UTC).astimezone(SHANGHAI).isoformat(timespec="seconds")
    except OverflowError:
        # Within 8 hours of datetime.max (a row older than the API's year range, or written
        # around it): the same instant in UTC rather than a 500 on every page that lists it.
        return dt.replace(tzinfo=UTC).isoformat(timespec="seconds")


def from_aware(dt: datetime) -> datetime:
    """An aware datetime (any offset) → naive UTC for storage. Naive input is Shanghai time."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    return dt.astimezone(UTC).replace(tzinfo=None)


def local_date(dt):
    """The Shanghai calendar day of a naive UTC datetime (service days are local days)."""
    return dt.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def minutes_between(start, end) -> int:
    return max(0, int((end - start) // timedelta(minutes=1)))
