"""May this volunteer clock in (or out) now? The whole rule, in one pure function: decide_clock.

A scan arrives from the mini-program, the service account (SCAN / subscribe / scancode_*), the
H5 page, or an admin scanning a volunteer's personal code. The service verifies the code's
signature (app/domain/codes.py), loads what the rule needs in one round trip and calls
decide_clock with plain values; the answer is what to write, or a ClockRefused whose `reason` is
the error code of app/errors.py. In the order they are checked:

1. The same code scanned again (a double tap, WeChat's retried event) is the same scan: its
   first result, whatever has happened since, even after the code expired.
2. The code has expired                                   → CLOCK_CODE_EXPIRED
3. The activity was revoked                               → ACTIVITY_REVOKED
4. The volunteer is not admitted to it                    → CLOCK_NOT_ADMITTED
5. The volunteer has not been 面验'd (identity-checked)    → CLOCK_NOT_FACE_CHECKED
6. Outside the activity's time (check-out: up to an hour after its end) → CLOCK_OUTSIDE_ACTIVITY_TIME;
   for a volunteer enrolled in a shift (排班), outside the shift's time, the same way → CLOCK_OUTSIDE_SHIFT
7. Sessions of the (local) day: a check-in while one is open, or a check-out of a closed one,
   repeats the first result; a fourth check-in → CLOCK_DAILY_LIMIT; a check-out with no
   check-in that day → CHECKOUT_WITHOUT_CHECKIN
8. Where the volunteer is (an admin's scan is exempt: the admin is on site and sees them). An
   activity with a venue requires a position unless its admin turned that off (require_location
   false: an online activity; the choice is audited): a scan without one → CLOCK_LOCATION_REQUIRED
   (a code forwarded as a photo cannot be scanned from home by withholding the position). A
   position off the globe, or an accuracy that is not a distance → CLOCK_POSITION_INVALID; a
   reported accuracy (metres, as wx.getLocation and the JS-SDK give it) worse than the radius →
   CLOCK_POSITION_INACCURATE (a fix that could be anywhere in a wider circle proves nothing);
   farther than the activity's radius (500 m unless it sets one) from its venue → CLOCK_TOO_FAR.
   An activity without a venue checks no distance and needs no position.
9. Otherwise record: a check-in opens the next session; a check-out closes the open one with
   its minutes, clipped to the activity's own time (to the shift's, for a volunteer in a shift).
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.geo import valid_coordinates, within_radius
from app.domain.hours import ClockRefused, plan_scan, require_within_window, session_minutes, within_window

CHECKIN, CHECKOUT = "checkin", "checkout"
CHECKOUT_GRACE = timedelta(hours=1)  # people leave a little after the end; their minutes stop at it anyway
DEFAULT_RADIUS_M = 500
ADMIN_SCAN = "admin_scan"
SOURCES = ("miniprogram", "mp_scan", "mp_scancode", "h5", ADMIN_SCAN)


@dataclass(frozen=True, slots=True)
class Claims:
    """What a verified code says. kind None: an admin's scan of a personal code, which clocks the
    volunteer out if a session is open and in otherwise. expires_at None: no expiry of its own
    (a personal code's 30-second step was checked when it was read)."""
    activity_id: int
    kind: str | None
    nonce: str  # names the code: a repeated scan of it is the same scan
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Activity:
    start_at: datetime
    end_at: datetime
    revoked: bool
    latitude: float | None  # the venue, gcj02; None: no venue to measure from
    longitude: float | None
    radius_m: int | None  # None: DEFAULT_RADIUS_M
    require_location: bool  # with a venue: a volunteer's scan must carry a position


@dataclass(frozen=True, slots=True)
class Shift:
    """The shift (排班) the volunteer enrolled in: their own part of the activity's time."""
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True, slots=True)
class DayEvent:
    """One of the volunteer's clock events of this activity on the scan's local day."""
    id: int
    kind: str
    at: datetime
    session_no: int
    code_nonce: str | None
    minutes: int | None


@dataclass(frozen=True, slots=True)
class Record:
    """Write a new event: `kind` in session `session_no`; a check-out closes `checkin` with `minutes`."""
    kind: str
    session_no: int
    minutes: int | None = None
    checkin: DayEvent | None = None


@dataclass(frozen=True, slots=True)
class Repeat:
    """Nothing new: the scan repeats `event`, whose result is answered again."""
    event: DayEvent


def decide_clock(claims: Claims, activity: Activity, *, admitted: bool, face_checked: bool,
                 position: tuple[float, float] | None, source: str, events: list[DayEvent],
                 now: datetime, shift: Shift | None = None, accuracy: float | None = None) -> Record | Repeat:
    """What a scan does (see the module's docstring for the rule). events: the volunteer's events
    of this activity on now's local day, in session order; shift: the volunteer's shift, if any;
    accuracy: the position's reported accuracy in metres, None when the client does not say.
    Raises ClockRefused."""
    if claims.kind is None:
        repeated = next((e for e in events if e.code_nonce == claims.nonce), None)
        if repeated is not None:
            return Repeat(repeated)
        kind = CHECKOUT if _session_open(events) else CHECKIN
    else:
        kind = claims.kind
        repeated = next((e for e in events if e.code_nonce == claims.nonce and e.kind == kind), None)
        if repeated is not None:
            return Repeat(repeated)
    if claims.expires_at is not None and now > claims.expires_at:
        raise ClockRefused("CLOCK_CODE_EXPIRED")
    if activity.revoked:
        raise ClockRefused("ACTIVITY_REVOKED")
    if not admitted:
        raise ClockRefused("CLOCK_NOT_ADMITTED")
    if not face_checked:
        raise ClockRefused("CLOCK_NOT_FACE_CHECKED")
    require_within_window(kind, now, activity.start_at, activity.end_at, CHECKOUT_GRACE)
    if shift is not None:
        require_within_window(kind, now, shift.start_at, shift.end_at, CHECKOUT_GRACE, code="CLOCK_OUTSIDE_SHIFT")
    action, session_no = plan_scan(kind, [(e.session_no, e.kind) for e in events])
    if action == "repeat":
        return Repeat(next(e for e in events if e.session_no == session_no and e.kind == kind))
    if source != ADMIN_SCAN:
        check_position(activity, position, accuracy)
    if kind == CHECKIN:
        return Record(CHECKIN, session_no)
    checkin = next(e for e in events if e.session_no == session_no and e.kind == CHECKIN)
    start_at, end_at = (shift.start_at, shift.end_at) if shift is not None else (activity.start_at, activity.end_at)
    return Record(CHECKOUT, session_no, session_minutes(checkin.at, now, start_at, end_at), checkin)


def check_position(activity: Activity, position: tuple[float, float] | None, accuracy: float | None = None) -> None:
    """The geofence of a volunteer's own scan. Raises ClockRefused."""
    has_venue = activity.latitude is not None and activity.longitude is not None
    if position is None:
        if has_venue and activity.require_location:
            raise ClockRefused("CLOCK_LOCATION_REQUIRED")
        return
    latitude, longitude = position
    if not valid_coordinates(latitude, longitude):
        raise ClockRefused("CLOCK_POSITION_INVALID")
    if accuracy is not None and not (isinstance(accuracy, int | float) and math.isfinite(accuracy) and accuracy >= 0):
        raise ClockRefused("CLOCK_POSITION_INVALID")
    if not has_venue:
        return
    radius = activity.radius_m or DEFAULT_RADIUS_M
    if accuracy is not None and accuracy > radius:
        raise ClockRefused("CLOCK_POSITION_INACCURATE")
    if not within_radius(latitude, longitude, activity.latitude, activity.longitude, radius):
        raise ClockRefused("CLOCK_TOO_FAR")


def may_issue_code(kind: str, now: datetime, start_at: datetime, end_at: datetime) -> bool:
    """A code is shown only while it could be scanned: the window of step 6 (revoked aside)."""
    return within_window(kind, now, start_at, end_at, CHECKOUT_GRACE)


def _session_open(events) -> bool:
    """The day's last session has a check-in and no check-out yet."""
    if not events:
        return False
    last = max(e.session_no for e in events)
    kinds = {e.kind for e in events if e.session_no == last}
    return CHECKIN in kinds and CHECKOUT not in kinds
