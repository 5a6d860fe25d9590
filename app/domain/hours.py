"""Service-hours rules: when codes may be issued and scanned, sessions per day, minutes.

i志愿's publishing rules: multi-day activities clock in and out every (local) day, at most 3
sessions per person per activity per day; the time between check-in and check-out is the
service time, never more than the activity's own time. The whole rule of a scan, built from
these, is decide_clock in app/domain/clocking.py.
"""
from datetime import datetime, timedelta

MAX_SESSIONS_PER_DAY = 3
KINDS = ("checkin", "checkout")


class ClockRefused(ValueError):
    """`reason` is the stable error code."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def clock_window(kind: str, start_at: datetime, end_at: datetime, checkout_grace: timedelta):
    """(from, until) within which a code of `kind` may be issued or scanned.

    Check-in from the activity's start to its end; check-out until the end plus a grace period
    (people leave a few minutes after the end; their minutes are clipped to the end anyway).
    """
    if kind == "checkin":
        return start_at, end_at
    return start_at, end_at + checkout_grace


def within_window(kind, now, start_at, end_at, checkout_grace) -> bool:
    opens, closes = clock_window(kind, start_at, end_at, checkout_grace)
    return opens <= now <= closes


def require_within_window(kind, now, start_at, end_at, checkout_grace, code="CLOCK_OUTSIDE_ACTIVITY_TIME"):
    if not within_window(kind, now, start_at, end_at, checkout_grace):
        raise ClockRefused(code)


def plan_scan(kind: str, events_today):
    """Decide what a scan of `kind` does, given the volunteer's events of this activity today.

    events_today: iterable of (session_no, kind). Returns ("record", session_no) for a new event,
    or ("repeat", session_no) when the scan repeats one already recorded (the first result is
    returned and nothing new is recorded). Raises ClockRefused.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    sessions = {}
    for session_no, event_kind in events_today:
        sessions.setdefault(session_no, set()).add(event_kind)
    last_no = max(sessions) if sessions else 0
    last = sessions.get(last_no, set())
    open_session = "checkin" in last and "checkout" not in last
    if kind == "checkin":
        if open_session:
            return "repeat", last_no
        if last_no >= MAX_SESSIONS_PER_DAY:
            raise ClockRefused("CLOCK_DAILY_LIMIT")
        return "record", last_no + 1
    if last_no == 0:
        raise ClockRefused("CHECKOUT_WITHOUT_CHECKIN")
    if "checkout" in last:
        return "repeat", last_no
    return "record", last_no


def session_minutes(checkin_at: datetime, checkout_at: datetime, start_at: datetime, end_at: datetime) -> int:
    """Whole minutes between check-in and check-out, clipped to [start_at, end_at]; never negative."""
    begin = max(checkin_at, start_at)
    finish = min(checkout_at, end_at)
    if finish <= begin:
        return 0
    return int((finish - begin) // timedelta(minutes=1))


def activity_minutes(start_at: datetime, end_at: datetime) -> int:
    return max(0, int((end_at - start_at) // timedelta(minutes=1)))


def supplement_allowed_minutes(requested: int, start_at, end_at, already_recorded: int) -> bool:
    """A supplementary entry may not take a volunteer's minutes past the activity's own time."""
    return 0 < requested and already_recorded + requested <= activity_minutes(start_at, end_at)


def amended_totals(total: int, old_minutes: int, new_minutes: int) -> int:
    return total - old_minutes + new_minutes
