"""The clock rule, decide_clock, without the app: every refusal and every action."""
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from app.domain.clocking import (
    ADMIN_SCAN,
    CHECKOUT_GRACE,
    Activity,
    Claims,
    DayEvent,
    Record,
    Repeat,
    decide_clock,
    may_issue_code,
)
from app.domain.hours import ClockRefused

START = datetime(2026, 11, 22, 1, 0)  # 09:00 in Shanghai
END = START + timedelta(hours=4)
NOW = START + timedelta(hours=1)
VENUE = (23.1235, 113.2950)
METRE = 1 / 111_195  # a metre of latitude, in degrees

ACTIVITY = Activity(start_at=START, end_at=END, revoked=False, latitude=VENUE[0], longitude=VENUE[1],
                    radius_m=None, require_location=False)
LOCATED = replace(ACTIVITY, require_location=True)  # what an activity with a venue is unless its admin says otherwise


def claims(kind="checkin", nonce="n-new", expires_at=NOW + timedelta(minutes=2)):
    return Claims(activity_id=7, kind=kind, nonce=nonce, expires_at=expires_at)


def event(session_no, kind, minutes_after_start=0, nonce=None, minutes=None, id=None):
    return DayEvent(id=id or session_no * 10 + (kind == "checkout"), kind=kind,
                    at=START + timedelta(minutes=minutes_after_start), session_no=session_no,
                    code_nonce=nonce or f"n{session_no}{kind[-3:]}", minutes=minutes)


IN_1 = event(1, "checkin", 10)
OUT_1 = event(1, "checkout", 40, minutes=30)
IN_2 = event(2, "checkin", 50)
OUT_2 = event(2, "checkout", 55, minutes=5)
IN_3 = event(3, "checkin", 58)
OUT_3 = event(3, "checkout", 59, minutes=1)


def decide(claims=None, activity=ACTIVITY, *, admitted=True, face_checked=True, position=VENUE, source="miniprogram",
           events=(), now=NOW, accuracy=None):
    return decide_clock(claims or globals()["claims"](), activity, admitted=admitted, face_checked=face_checked,
                        position=position, source=source, events=list(events), now=now, accuracy=accuracy)


def north(metres):
    return (VENUE[0] + metres * METRE, VENUE[1])


# --- refusals ---

@pytest.mark.parametrize("reason, case", [
    ("CLOCK_CODE_EXPIRED", {"claims": claims(expires_at=NOW - timedelta(seconds=1))}),
    ("ACTIVITY_REVOKED", {"activity": replace(ACTIVITY, revoked=True)}),
    ("CLOCK_NOT_ADMITTED", {"admitted": False}),
    ("CLOCK_NOT_FACE_CHECKED", {"face_checked": False}),
    ("CLOCK_OUTSIDE_ACTIVITY_TIME", {"now": START - timedelta(seconds=1),
                                     "claims": claims(expires_at=END)}),
    ("CLOCK_OUTSIDE_ACTIVITY_TIME", {"now": END + timedelta(seconds=1), "claims": claims(expires_at=None)}),
    ("CLOCK_OUTSIDE_ACTIVITY_TIME", {"now": END + CHECKOUT_GRACE + timedelta(seconds=1),
                                     "claims": claims("checkout", expires_at=None), "events": [IN_1]}),
    ("CLOCK_DAILY_LIMIT", {"events": [IN_1, OUT_1, IN_2, OUT_2, IN_3, OUT_3]}),
    ("CHECKOUT_WITHOUT_CHECKIN", {"claims": claims("checkout")}),
    ("CLOCK_LOCATION_REQUIRED", {"activity": replace(ACTIVITY, require_location=True), "position": None}),
    ("CLOCK_POSITION_INVALID", {"position": (91.0, 113.0)}),
    # A forwarded photo of the code, scanned at home with the position withheld.
    ("CLOCK_LOCATION_REQUIRED", {"activity": LOCATED, "position": None}),
    ("CLOCK_LOCATION_REQUIRED", {"activity": replace(LOCATED, radius_m=5000), "position": None,
                                 "claims": claims("checkout"), "events": [IN_1]}),
    # A fix whose circle of uncertainty is wider than the activity's radius proves nothing.
    ("CLOCK_POSITION_INACCURATE", {"activity": LOCATED, "position": north(10), "accuracy": 501}),
    ("CLOCK_POSITION_INACCURATE", {"activity": replace(LOCATED, radius_m=100), "position": VENUE,
                                   "accuracy": 150.5}),
    ("CLOCK_POSITION_INVALID", {"position": VENUE, "accuracy": -1}),
    ("CLOCK_POSITION_INVALID", {"position": VENUE, "accuracy": float("nan")}),
    ("CLOCK_POSITION_INVALID", {"position": VENUE, "accuracy": float("inf")}),
    ("CLOCK_POSITION_INVALID", {"position": (float("nan"), 113.0)}),
    ("CLOCK_TOO_FAR", {"position": north(520)}),  # the default radius, 500 m
    ("CLOCK_TOO_FAR", {"activity": replace(ACTIVITY, radius_m=100), "position": north(120)}),
    ("CLOCK_CODE_EXPIRED", {"claims": claims(kind=None, expires_at=NOW - timedelta(seconds=1)), "events": [IN_1]}),
    ("CLOCK_NOT_FACE_CHECKED", {"claims": claims(kind=None, expires_at=None), "face_checked": False,
                                "source": ADMIN_SCAN, "position": None}),
])
def test_each_refusal_with_its_code(reason, case):
    with pytest.raises(ClockRefused) as info:
        decide(**case)
    assert info.value.reason == reason


@pytest.mark.parametrize("first, case", [
    # Checked in the order a newcomer reads them: the code, the activity, the volunteer, the time,
    # the sessions, the place.
    ("CLOCK_CODE_EXPIRED", {"claims": claims(expires_at=NOW - timedelta(seconds=1)),
                            "activity": replace(ACTIVITY, revoked=True)}),
    ("ACTIVITY_REVOKED", {"activity": replace(ACTIVITY, revoked=True), "admitted": False}),
    ("CLOCK_NOT_ADMITTED", {"admitted": False, "face_checked": False}),
    ("CLOCK_NOT_FACE_CHECKED", {"face_checked": False, "now": END + timedelta(seconds=1),
                                "claims": claims(expires_at=None)}),
    ("CLOCK_OUTSIDE_ACTIVITY_TIME", {"now": END + timedelta(seconds=1), "claims": claims(expires_at=None),
                                     "events": [IN_1, OUT_1, IN_2, OUT_2, IN_3, OUT_3]}),
    ("CLOCK_DAILY_LIMIT", {"events": [IN_1, OUT_1, IN_2, OUT_2, IN_3, OUT_3], "position": north(2000)}),
])
def test_refusals_come_in_their_order(first, case):
    with pytest.raises(ClockRefused) as info:
        decide(**case)
    assert info.value.reason == first


# --- actions ---

@pytest.mark.parametrize("case, expected", [
    ({}, Record("checkin", 1)),
    ({"events": [IN_1, OUT_1]}, Record("checkin", 2)),
    ({"events": [IN_1, OUT_1, IN_2, OUT_2]}, Record("checkin", 3)),
    ({"claims": claims("checkout"), "events": [IN_1]}, Record("checkout", 1, 50, IN_1)),  # 09:10 → 10:00
    ({"claims": claims("checkout"), "events": [IN_1, OUT_1, IN_2]}, Record("checkout", 2, 10, IN_2)),
    # Minutes stop at the activity's end; a check-out is taken up to an hour after it.
    ({"claims": claims("checkout", expires_at=None), "events": [IN_1], "now": END + timedelta(minutes=59)},
     Record("checkout", 1, 230, IN_1)),
    ({"claims": claims("checkout"), "events": [IN_1], "now": IN_1.at}, Record("checkout", 1, 0, IN_1)),
    # The place: within the default 500 m, anywhere when no venue is set, none when none is required.
    ({"position": north(480)}, Record("checkin", 1)),
    ({"activity": replace(ACTIVITY, radius_m=2000), "position": north(1500)}, Record("checkin", 1)),
    ({"activity": replace(ACTIVITY, latitude=None, longitude=None), "position": north(50_000)}, Record("checkin", 1)),
    ({"position": None}, Record("checkin", 1)),  # the admin turned the requirement off (online)
    # No venue: nothing to measure from, so no position is needed even where it is required.
    ({"activity": replace(LOCATED, latitude=None, longitude=None), "position": None}, Record("checkin", 1)),
    ({"activity": replace(LOCATED, latitude=None, longitude=None), "position": VENUE, "accuracy": 9000},
     Record("checkin", 1)),
    # An accuracy within the radius is a fix good enough to measure.
    ({"activity": LOCATED, "position": north(100), "accuracy": 500}, Record("checkin", 1)),
    ({"activity": LOCATED, "position": north(100), "accuracy": 0}, Record("checkin", 1)),
    # An admin's scan: on site, so no position is needed even where the activity requires one.
    ({"source": ADMIN_SCAN, "position": None, "activity": replace(ACTIVITY, require_location=True)},
     Record("checkin", 1)),
])
def test_what_is_recorded(case, expected):
    assert decide(**case) == expected


@pytest.mark.parametrize("case, first", [
    # The same code again, even expired, even after the session it opened was closed.
    ({"claims": claims(nonce=IN_1.code_nonce), "events": [IN_1]}, IN_1),
    ({"claims": claims(nonce=IN_1.code_nonce, expires_at=NOW - timedelta(hours=1)), "events": [IN_1, OUT_1]}, IN_1),
    ({"claims": claims("checkout", nonce=OUT_1.code_nonce), "events": [IN_1, OUT_1, IN_2]}, OUT_1),
    # A repeat answers before anything else is checked: the first result stands.
    ({"claims": claims(nonce=IN_1.code_nonce), "events": [IN_1], "admitted": False, "position": north(5000),
      "activity": replace(ACTIVITY, revoked=True), "now": END + timedelta(hours=3)}, IN_1),
    # Another check-in code while checked in, another check-out code after checking out.
    ({"events": [IN_1]}, IN_1),
    ({"claims": claims("checkout"), "events": [IN_1, OUT_1]}, OUT_1),
    ({"events": [IN_1, OUT_1, IN_2]}, IN_2),
    # ... from wherever the volunteer is: the repeat is found before the place is checked.
    ({"events": [IN_1], "position": north(5000)}, IN_1),
])
def test_what_repeats_the_first_result(case, first):
    assert decide(**case) == Repeat(first)


@pytest.mark.parametrize("events, expected", [
    ([], Record("checkin", 1)),
    ([IN_1], Record("checkout", 1, 50, IN_1)),
    ([IN_1, OUT_1], Record("checkin", 2)),
    ([IN_1, OUT_1, IN_2], Record("checkout", 2, 10, IN_2)),
])
def test_an_admins_scan_of_a_personal_code_clocks_in_or_out_by_the_day(events, expected):
    personal = Claims(activity_id=7, kind=None, nonce="p59000", expires_at=None)
    assert decide(personal, source=ADMIN_SCAN, position=None, events=events) == expected


def test_an_admins_scan_of_the_same_personal_code_again_is_the_first_result_whatever_its_kind():
    personal = Claims(activity_id=7, kind=None, nonce="p59000", expires_at=None)
    scanned = event(1, "checkin", 10, nonce="p59000")
    assert decide(personal, source=ADMIN_SCAN, position=None, events=[scanned]) == Repeat(scanned)
    named = Claims(activity_id=7, kind="checkout", nonce="p59000", expires_at=None)  # the admin chose the kind
    assert decide(named, source=ADMIN_SCAN, position=None, events=[scanned]) == Record("checkout", 1, 50, scanned)


def test_a_daily_limit_reached_by_closed_sessions_refuses_an_admins_scan_too():
    personal = Claims(activity_id=7, kind=None, nonce="p59000", expires_at=None)
    with pytest.raises(ClockRefused) as info:
        decide(personal, source=ADMIN_SCAN, position=None, events=[IN_1, OUT_1, IN_2, OUT_2, IN_3, OUT_3])
    assert info.value.reason == "CLOCK_DAILY_LIMIT"


@pytest.mark.parametrize("kind, at, ok", [
    ("checkin", START - timedelta(seconds=1), False), ("checkin", START, True), ("checkin", END, True),
    ("checkin", END + timedelta(seconds=1), False), ("checkout", END + timedelta(minutes=60), True),
    ("checkout", END + timedelta(minutes=61), False),
])
def test_codes_are_issued_in_the_window_they_may_be_scanned(kind, at, ok):
    assert may_issue_code(kind, at, START, END) is ok
