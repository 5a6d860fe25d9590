"""decide_clock with a shift (排班): check-in and check-out follow the volunteer's shift."""
from datetime import datetime, timedelta

import pytest

from app.domain.clocking import CHECKOUT_GRACE, Activity, Claims, DayEvent, Record, Shift, decide_clock
from app.domain.hours import ClockRefused
from app.domain.shifts import check_shift
from app.errors import DomainError

START = datetime(2026, 11, 22, 1, 0)  # 09:00 in Shanghai
END = START + timedelta(hours=8)
ACTIVITY = Activity(start_at=START, end_at=END, revoked=False, latitude=None, longitude=None, radius_m=None,
                    require_location=False)
AFTERNOON = Shift(start_at=START + timedelta(hours=4), end_at=START + timedelta(hours=6))


def decide(kind, now, events=(), shift=AFTERNOON):
    claims = Claims(activity_id=1, kind=kind, nonce=f"n-{kind}-{now.isoformat()}",
                    expires_at=now + timedelta(minutes=2))
    return decide_clock(claims, ACTIVITY, admitted=True, face_checked=True, position=None, source="miniprogram",
                        events=list(events), now=now, shift=shift)


def checkin_at(minutes_after_start):
    return DayEvent(id=1, kind="checkin", at=START + timedelta(minutes=minutes_after_start), session_no=1,
                    code_nonce="n-in", minutes=None)


@pytest.mark.parametrize("hours", [0, 1, 3.99, 6.01, 7.5])
def test_a_check_in_outside_the_shift_is_refused_even_inside_the_activity(hours):
    with pytest.raises(ClockRefused) as refused:
        decide("checkin", START + timedelta(hours=hours))
    assert refused.value.reason == "CLOCK_OUTSIDE_SHIFT"


@pytest.mark.parametrize("hours", [4, 5, 6])
def test_a_check_in_inside_the_shift_is_recorded(hours):
    assert decide("checkin", START + timedelta(hours=hours)) == Record("checkin", 1)


def test_check_out_until_the_grace_after_the_shift_with_minutes_clipped_to_it():
    events = [checkin_at(3 * 60 + 50)]  # checked in (by an admin's mistake) before the shift: clipped
    late = AFTERNOON.end_at + CHECKOUT_GRACE
    decision = decide("checkout", late, events)
    assert decision.kind == "checkout" and decision.minutes == 120
    with pytest.raises(ClockRefused) as refused:
        decide("checkout", late + timedelta(seconds=1), events)
    assert refused.value.reason == "CLOCK_OUTSIDE_SHIFT"


def test_the_activitys_own_window_still_comes_first():
    with pytest.raises(ClockRefused) as refused:
        decide("checkin", END + timedelta(minutes=1), shift=Shift(START, END + timedelta(hours=2)))
    assert refused.value.reason == "CLOCK_OUTSIDE_ACTIVITY_TIME"


def test_without_a_shift_the_activitys_time_counts():
    assert decide("checkin", START + timedelta(hours=1), shift=None) == Record("checkin", 1)


@pytest.mark.parametrize(("start", "end", "capacity", "code"), [
    (2, 2, 5, "SHIFT_TIMES_INVALID"),
    (3, 2, 5, "SHIFT_TIMES_INVALID"),
    (-1, 2, 5, "SHIFT_OUTSIDE_ACTIVITY"),
    (7, 9, 5, "SHIFT_OUTSIDE_ACTIVITY"),
    (1, 2, 0, "QUOTA_INVALID"),
])
def test_a_shift_lies_inside_its_activity_and_has_places(start, end, capacity, code):
    with pytest.raises(DomainError) as refused:
        check_shift(START + timedelta(hours=start), START + timedelta(hours=end), capacity, START, END)
    assert refused.value.code == code


def test_a_valid_shift_passes():
    check_shift(AFTERNOON.start_at, AFTERNOON.end_at, 10, START, END)
