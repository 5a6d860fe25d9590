"""排班: an activity's shifts (start, end, capacity). A volunteer picks one at enrollment; check-in
and check-out then follow the shift's times (decide_clock in app/domain/clocking.py)."""
from app.errors import DomainError

MAX_SHIFTS = 50


def check_shift(starts_at, ends_at, capacity, activity_start, activity_end):
    """A shift lies inside its activity's time, starts before it ends, and has places."""
    if not starts_at < ends_at:
        raise DomainError("SHIFT_TIMES_INVALID")
    if starts_at < activity_start or ends_at > activity_end:
        raise DomainError("SHIFT_OUTSIDE_ACTIVITY")
    if not isinstance(capacity, int) or capacity < 1:
        raise DomainError("QUOTA_INVALID")
