"""Clocking in and out: the one door from every surface to the clock rule.

scan(): a volunteer scanned a check-in / check-out code — in the mini-program (POST
/api/v1/attendance/scan), through the service account (SCAN, subscribe with qrscene_, scancode_*:
handlers/routes.py) or on the H5 page (app/h5/scan.py); is_clock_code() tells those surfaces a
scanned text that is one of our codes. scan_volunteer(): the reverse, an admin scanned a
volunteer's 30-second personal code. Both load, ask the rule (app/domain/clocking.py
decide_clock) and write.

Exactly once: a scan that repeats one already recorded (same code, or a session already open /
closed) returns the first result and records nothing. Parallel duplicates race to the unique
constraint on clock_events (activity, volunteer, day, session, kind); the loser rolls back,
re-reads and answers with the winner's event.

The check-in burst runs through here: one round trip loads everything (_LOAD), a plain INSERT
writes the event, one commit; no ORM objects on that path.
"""
from sqlalchemy.exc import IntegrityError, OperationalError

from app import metrics
from app.domain import clocking as rules
from app.domain import codes
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, ClockEvent, Volunteer
from app.services import authz
from app.services.activities import managed_activity
from app.services.clock_codes import clock_keyring, epoch, from_epoch
from app.services.records import record_clock_session
from app.services.unit_of_work import use_case
from app.timeutil import local_date, to_iso, utcnow

ATTEMPTS = 3


def is_clock_code(text) -> bool:
    """True when a scanned text or QR scene is shaped like one of our clock codes."""
    return codes.looks_like_clock_code(text)


@metrics.observe_clock
def scan(account_id, text, source, latitude=None, longitude=None, now=None, accuracy=None):
    """A volunteer scanned `text` (a check-in / check-out code) on `source`: "miniprogram", "mp_scan"
    (SCAN / subscribe event), "mp_scancode" (scancode_*) or "h5"; accuracy: the position's reported
    accuracy in metres (None: the client did not say). Returns {"kind": "checkin" |
    "checkout", "activity_id", "at", "minutes"?}; raises DomainError with the clock's codes. A
    repeated scan returns the first result."""
    if source not in rules.SOURCES or source == rules.ADMIN_SCAN:
        raise ValueError(f"unknown source {source!r}")
    return _attempt(_scan_once, account_id, text, source, latitude, longitude, accuracy, now or utcnow())


@metrics.observe_clock
def scan_volunteer(admin, activity_id, code, kind=None, now=None):
    """An admin scanned a volunteer's personal code: clock that volunteer in (or out; kind None:
    out if a session of theirs is open today, in otherwise)."""
    return _attempt(_scan_volunteer_once, admin, activity_id, code, kind, now or utcnow())


def _attempt(once, *args):
    """Run one scan as a use case, and again when it lost a race.

    The loop stays outside @use_case rather than being one: each try must be a transaction of its
    own (after a deadlock InnoDB has rolled back the whole of it), so @use_case on `once` commits a
    try or rolls it back and this loop starts the next. A scan is therefore never part of a
    caller's transaction; inside one, a lost race fails loudly instead of being retried."""
    for attempt in range(ATTEMPTS):
        try:
            return once(*args)
        except (IntegrityError, OperationalError) as exc:
            # Another request recorded this scan first (unique key) or InnoDB chose us as the
            # deadlock victim: start again; the re-read sees the winner's event as a repeat.
            if isinstance(exc, OperationalError) and not _retryable(exc):
                raise
            if attempt == ATTEMPTS - 1:
                raise DomainError("CONFLICT") from None


def _retryable(exc):
    code = getattr(getattr(exc, "orig", None), "args", [None])[0]
    return code in (1213, 1205) or "locked" in str(exc).lower()


@use_case
def _scan_once(account_id, text, source, latitude, longitude, accuracy, now):
    read = codes.read_clock_code(clock_keyring(), text, now=None)  # the signature; expiry is the rule's
    claims = rules.Claims(read.activity_id, read.kind, read.nonce, from_epoch(read.expires_at))
    position = None if latitude is None or longitude is None else (latitude, longitude)
    return _clock("account_id", account_id, claims, position, source, now, accuracy=accuracy)


@use_case
def _scan_volunteer_once(admin, activity_id, code, kind, now):
    activity = managed_activity(admin, activity_id)
    personal = codes.read_personal_code(clock_keyring(), code, epoch(now))
    claims = rules.Claims(activity.id, kind, f"p{personal.step}", None)
    return _clock("volunteer_id", personal.volunteer_id, claims, None, rules.ADMIN_SCAN, now, admin=admin)


def _clock(who, value, claims, position, source, now, admin=None, accuracy=None):
    """Load → decide → write."""
    day = local_date(now)
    activity, volunteer, enrollment_status, events = _load(who, value, claims.activity_id, day)
    decision = rules.decide_clock(claims, activity.terms, admitted=enrollment_status == "admitted",
                                  face_checked=volunteer.face_checked_at is not None, position=position,
                                  source=source, events=events, now=now, shift=activity.shift,
                                  accuracy=accuracy)
    if isinstance(decision, rules.Repeat):
        return _result(decision.event, claims.activity_id)
    return _write(decision, activity, volunteer, day, now, source, claims.nonce, position, admin)


_ACTIVITY_COLUMNS = ("org_id", "start_at", "end_at", "revoked_at", "latitude", "longitude", "radius_m",
                     "require_location")
_EVENT_COLUMNS = ("id", "kind", "at", "session_no", "code_nonce", "minutes")
# The hot path of a check-in burst, as one plain statement: building an ORM select with twenty
# labelled columns cost more CPU per request than the database took to answer it.
_LOAD_SQL = """
SELECT v.id AS v_id, v.account_id AS v_account_id, v.face_checked_at AS v_face_checked_at,
       en.status AS enrollment, s.starts_at AS s_starts_at, s.ends_at AS s_ends_at,
       {activity_columns}, {event_columns}
FROM volunteers AS v
JOIN activities AS a ON a.id = :activity_id
LEFT OUTER JOIN enrollments AS en ON en.activity_id = a.id AND en.volunteer_id = v.id
LEFT OUTER JOIN shifts AS s ON s.id = en.shift_id
LEFT OUTER JOIN clock_events AS ce ON ce.activity_id = a.id AND ce.volunteer_id = v.id AND ce.service_day = :day
WHERE {who}
ORDER BY ce.session_no, ce.id
""".format(activity_columns=", ".join(f"a.{c} AS a_{c}" for c in _ACTIVITY_COLUMNS),
           event_columns=", ".join(f"ce.{c} AS e_{c}" for c in _EVENT_COLUMNS), who="{who}")
_LOAD_TYPES = {"v_face_checked_at": db.DateTime, "a_start_at": db.DateTime, "a_end_at": db.DateTime,
               "a_revoked_at": db.DateTime, "a_require_location": db.Boolean, "e_at": db.DateTime,
               "s_starts_at": db.DateTime, "s_ends_at": db.DateTime}
_LOAD = {
    key: db.text(_LOAD_SQL.format(who=condition)).bindparams(db.bindparam("day", type_=db.Date))
    .columns(**_LOAD_TYPES)
    for key, condition in (("account_id", "v.account_id = :who"), ("volunteer_id", "v.id = :who"))
}
_EVENT_KEYS = tuple(f"e_{c}" for c in _EVENT_COLUMNS)  # in the order of rules.DayEvent's fields
_INSERT_EVENT = db.insert(ClockEvent)


class _Row:
    """Plain values of the columns a scan needs (the check-in burst reads only these)."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _load(who, value, activity_id, day):
    """Everything a scan decides on, in one round trip and only the columns it needs:
    (activity, volunteer, enrollment status or None, the volunteer's events of that day)."""
    rows = db.session.execute(_LOAD[who], {"who": value, "activity_id": activity_id, "day": day}).mappings().all()
    if not rows:
        if who == "account_id" and db.session.execute(
                db.select(Volunteer.id).filter_by(account_id=value)).first() is None:
            raise DomainError("CLOCK_NOT_A_VOLUNTEER")
        raise DomainError("CLOCK_CODE_INVALID")  # a signed code of an activity that no longer exists
    first = rows[0]
    activity = _Row(id=activity_id, org_id=first["a_org_id"], terms=rules.Activity(
        start_at=first["a_start_at"], end_at=first["a_end_at"], revoked=first["a_revoked_at"] is not None,
        latitude=first["a_latitude"], longitude=first["a_longitude"], radius_m=first["a_radius_m"],
        require_location=bool(first["a_require_location"])),
        shift=rules.Shift(first["s_starts_at"], first["s_ends_at"]) if first["s_starts_at"] is not None else None)
    volunteer = _Row(id=first["v_id"], account_id=first["v_account_id"], face_checked_at=first["v_face_checked_at"])
    events = [rules.DayEvent(*(row[k] for k in _EVENT_KEYS)) for row in rows if row["e_id"] is not None]
    return activity, volunteer, first["enrollment"], events


def _write(decision, activity, volunteer, day, now, source, nonce, position, admin):
    latitude, longitude = position or (None, None)
    values = {"activity_id": activity.id, "volunteer_id": volunteer.id, "kind": decision.kind, "at": now,
              "service_day": day, "session_no": decision.session_no, "source": source, "code_nonce": nonce,
              "latitude": latitude, "longitude": longitude, "minutes": decision.minutes}
    # A plain INSERT (no unit-of-work flush: this is the hot path); the unique key decides a race here.
    inserted = db.session.connection().execute(_INSERT_EVENT, values)
    event = _Row(id=inserted.inserted_primary_key[0], **values)
    if decision.kind == rules.CHECKOUT:
        record_clock_session(volunteer, activity, decision.checkin, event, now)
    if admin is not None:
        authz.audit(admin, f"attendance.admin_{decision.kind}", org_id=activity.org_id, target_type="volunteer",
                    target_id=volunteer.id, detail={"activity_id": activity.id, "session_no": decision.session_no})
    return _result(event, activity.id)


def _result(event, activity_id):
    result = {"kind": event.kind, "activity_id": activity_id, "at": to_iso(event.at)}
    if event.kind == rules.CHECKOUT:
        result["minutes"] = event.minutes or 0
    return result


# --- what the volunteer sees ---

def my_scans(account, page=1, per_page=20):
    """The volunteer's clock events, newest first."""
    if account.volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    query = (db.select(ClockEvent, Activity.title).join(Activity, Activity.id == ClockEvent.activity_id)
             .where(ClockEvent.volunteer_id == account.volunteer.id)
             .order_by(ClockEvent.at.desc(), ClockEvent.id.desc()))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return [{"id": e.id, "kind": e.kind, "activity_id": e.activity_id, "activity_title": title,
             "at": to_iso(e.at), "service_day": e.service_day.isoformat(), "session_no": e.session_no,
             "source": e.source, "minutes": e.minutes} for e, title in rows]
