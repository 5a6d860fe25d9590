"""Displayed states, data rules and enrollment moves: pure functions, every case."""
from datetime import datetime, timedelta

import pytest

from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.domain.regions import is_known, region_name, region_prefix

T0 = datetime(2026, 12, 1, 1, 0)  # naive UTC
TIMES = st.Times(enroll_start=T0, enroll_end=T0 + timedelta(days=2), start_at=T0 + timedelta(days=3),
                 end_at=T0 + timedelta(days=3, hours=4))


@pytest.mark.parametrize("now, state", [
    (T0 - timedelta(seconds=1), st.NOT_OPEN),
    (T0, st.OPEN),  # enrollment opens at its start time
    (T0 + timedelta(days=2) - timedelta(seconds=1), st.OPEN),
    (T0 + timedelta(days=2), st.CLOSED),  # and closes at the deadline
    (T0 + timedelta(days=3) - timedelta(seconds=1), st.CLOSED),
    (T0 + timedelta(days=3), st.IN_PROGRESS),  # 执行中 by itself at the start time
    (T0 + timedelta(days=3, hours=4) - timedelta(seconds=1), st.IN_PROGRESS),
    (T0 + timedelta(days=3, hours=4), st.ENDED),
    (T0 + timedelta(days=400), st.ENDED),
])
def test_state_follows_the_clock(now, state):
    assert st.activity_state(TIMES, now) == state


@pytest.mark.parametrize("now", [T0 - timedelta(days=1), T0 + timedelta(days=1), T0 + timedelta(days=5)])
def test_revoked_is_final_whatever_the_clock(now):
    revoked = st.Times(TIMES.enroll_start, TIMES.enroll_end, TIMES.start_at, TIMES.end_at, revoked=True)
    assert st.activity_state(revoked, now) == st.REVOKED


def test_every_state_has_its_chinese_label():
    assert {s: st.label(s) for s in st.STATES} == {
        "not_open": "报名未开始", "open": "马上报名", "closed": "报名结束",
        "in_progress": "执行中", "ended": "已结束", "revoked": "已撤销"}


@pytest.mark.parametrize("offsets, error", [
    ((0, 0, 3, 4), "ENROLL_WINDOW_INVALID"),  # deadline not after the start of enrollment
    ((2, 1, 3, 4), "ENROLL_WINDOW_INVALID"),
    ((0, 4, 3, 5), "ENROLL_ENDS_AFTER_START"),
    ((0, 1, 3, 3), "ACTIVITY_ENDS_BEFORE_START"),
    ((0, 1, 3, 2), "ACTIVITY_ENDS_BEFORE_START"),
])
def test_schedule_out_of_order_is_refused(offsets, error):
    times = [T0 + timedelta(days=d) for d in offsets]
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_schedule(*times)
    assert caught.value.code == error


def test_enrollment_may_close_exactly_at_the_start():
    rules.check_schedule(T0, T0 + timedelta(days=1), T0 + timedelta(days=1), T0 + timedelta(days=2))


@pytest.mark.parametrize("quota, taken, error", [(0, 0, "QUOTA_INVALID"), (-3, 0, "QUOTA_INVALID"),
                                                 (None, 0, "QUOTA_INVALID"), (4, 5, "QUOTA_BELOW_TAKEN")])
def test_quota_rules(quota, taken, error):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_quota(quota, taken)
    assert caught.value.code == error


@pytest.mark.parametrize("lat, lng", [(91, 113), (-90.5, 113), (23, 181), (23, -180.1), (23, None), (None, 113)])
def test_coordinates_out_of_range_or_half_given(lat, lng):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_location(lat, lng)
    assert caught.value.code == "COORDINATES_INVALID"


@pytest.mark.parametrize("lat, lng", [(None, None), (90, 180), (-90, -180), (23.1235, 113.295)])
def test_coordinates_in_range(lat, lng):
    rules.check_location(lat, lng)


@pytest.mark.parametrize("code", ["", None, "110000", "440199", "44010", "abcdef"])
def test_unknown_region_is_refused(code):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_region(code)
    assert caught.value.code == "REGION_UNKNOWN"


def test_regions_nest_by_prefix():
    assert is_known("440104") and is_known("440300") and is_known("440000")
    assert region_prefix("440000") == "44"
    assert region_prefix("440100") == "4401"
    assert region_prefix("440104") == "440104"
    assert region_name("440104") == "广州市越秀区"
    assert region_name("440300") == "深圳市"


@pytest.mark.parametrize("positions, error", [
    ([("引导", 0, 0)], "POSITION_INVALID"),
    ([("引导", 3, 0), ("引导", 2, 0)], "POSITION_INVALID"),
    ([("  ", 3, 0)], "POSITION_INVALID"),
    ([("引导", 6, 0), ("讲解", 5, 0)], "POSITIONS_EXCEED_QUOTA"),
    ([("引导", 2, 3)], "QUOTA_BELOW_TAKEN"),
])
def test_position_rules(positions, error):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_positions(positions, 10)
    assert caught.value.code == error


@pytest.mark.parametrize("status, action, after", [
    (s, a, n) for (s, a), n in rules.TRANSITIONS.items()])
def test_every_allowed_move(status, action, after):
    assert rules.next_status(status, action) == after


@pytest.mark.parametrize("status, action, error", [
    ("pending", "enroll", "ALREADY_ENROLLED"),
    ("admitted", "enroll", "ALREADY_ENROLLED"),
    ("removed", "enroll", "ENROLLMENT_REMOVED"),
    ("admitted", "admit", "ENROLLMENT_NOT_PENDING"),
    ("cancelled", "admit", "ENROLLMENT_NOT_PENDING"),
    ("removed", "admit", "ENROLLMENT_NOT_PENDING"),
    ("removed", "remove", "ENROLLMENT_NOT_ACTIVE"),
    ("cancelled", "remove", "ENROLLMENT_NOT_ACTIVE"),
    ("cancelled", "cancel", "ENROLLMENT_NOT_ACTIVE"),
    ("removed", "cancel", "ENROLLMENT_NOT_ACTIVE"),
])
def test_every_illegal_move_raises(status, action, error):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.next_status(status, action)
    assert caught.value.code == error


@pytest.mark.parametrize("state", [s for s in st.STATES if s != st.OPEN])
def test_enrollment_only_while_open(state):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_can_enroll(state, "approved", 0)
    assert caught.value.code == "ENROLLMENT_NOT_OPEN"
    assert caught.value.details["state_label"] == st.label(state)


@pytest.mark.parametrize("review", ["pending", "rejected"])
def test_enrollment_only_for_approved_volunteers(review):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_can_enroll(st.OPEN, review, 0)
    assert caught.value.code == "VOLUNTEER_NOT_APPROVED"


def test_at_most_five_pending():
    rules.check_can_enroll(st.OPEN, "approved", 4)
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_can_enroll(st.OPEN, "approved", 5)
    assert caught.value.code == "TOO_MANY_PENDING"


@pytest.mark.parametrize("state, allowed", [(st.NOT_OPEN, True), (st.OPEN, True), (st.CLOSED, True),
                                            (st.IN_PROGRESS, False), (st.ENDED, False), (st.REVOKED, False)])
def test_cancel_until_the_start(state, allowed):
    if allowed:
        rules.check_can_cancel(state)
    else:
        with pytest.raises(rules.RuleViolation) as caught:
            rules.check_can_cancel(state)
        assert caught.value.code == "CANCEL_TOO_LATE"


@pytest.mark.parametrize("state, error", [(st.REVOKED, "ACTIVITY_REVOKED"), (st.ENDED, "ACTIVITY_ENDED")])
def test_no_decisions_on_revoked_or_ended(state, error):
    with pytest.raises(rules.RuleViolation) as caught:
        rules.check_can_decide(state)
    assert caught.value.code == error
    with pytest.raises(rules.RuleViolation):
        rules.check_editable(state)
