"""The state an activity shows, computed from the clock and its times: never stored.

    revoked_at set            → revoked      已撤销 (final)
    now ≥ end_at              → ended        已结束
    now ≥ start_at            → in_progress  执行中
    now < enroll_start        → not_open     报名未开始
    enroll_start ≤ now < enroll_end → open   马上报名
    enroll_end ≤ now < start_at     → closed 报名结束

The boundaries here are the same as the SQL conditions of app/services/activity_search.py
(a test checks that both agree at every boundary).
"""
from dataclasses import dataclass

NOT_OPEN = "not_open"
OPEN = "open"
CLOSED = "closed"
IN_PROGRESS = "in_progress"
ENDED = "ended"
REVOKED = "revoked"

STATES = (NOT_OPEN, OPEN, CLOSED, IN_PROGRESS, ENDED, REVOKED)

LABELS = {
    NOT_OPEN: "报名未开始",
    OPEN: "马上报名",
    CLOSED: "报名结束",
    IN_PROGRESS: "执行中",
    ENDED: "已结束",
    REVOKED: "已撤销",
}


@dataclass(frozen=True)
class Times:
    enroll_start: object
    enroll_end: object
    start_at: object
    end_at: object
    revoked: bool = False


def activity_state(times, now):
    """The displayed state code of an activity at `now` (all times naive UTC)."""
    if times.revoked:
        return REVOKED
    if now >= times.end_at:
        return ENDED
    if now >= times.start_at:
        return IN_PROGRESS
    if now < times.enroll_start:
        return NOT_OPEN
    if now < times.enroll_end:
        return OPEN
    return CLOSED


def label(state):
    return LABELS[state]


def times_of(activity):
    """Times from anything with the Activity attributes (the ORM row, a test double)."""
    return Times(activity.enroll_start, activity.enroll_end, activity.start_at, activity.end_at,
                 activity.revoked_at is not None)
