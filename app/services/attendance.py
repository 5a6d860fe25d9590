"""面验, check-in / check-out codes and the one clock service every WeChat surface calls.

issue_clock_code: the admin's screen shows a signed code (app/domain/codes.py) that lives
CLOCK_CODE_SECONDS; scan(): a volunteer scans it from the mini-program, the service account
(SCAN / subscribe / scancode_* through app/services/clock_entry.py) or the H5 page;
scan_volunteer(): the reverse, an admin scans a volunteer's 30-second personal code.

Exactly once: a scan that repeats one already recorded (same code, or a session already open /
closed) returns the first result and records nothing. Parallel duplicates race to the unique
constraint on clock_events (activity, volunteer, day, session, kind); the loser rolls back,
re-reads and answers with the winner's event.
"""
import time
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from app.domain import codes
from app.domain.geo import valid_coordinates, within_radius
from app.domain.hours import ClockRefused, plan_scan, require_within_window, session_minutes
from app.errors import DomainError
from app.extensions import db
from app.models import Account, Activity, ClockEvent, Volunteer
from app.services import authz
from app.services.activities import managed_activity
from app.services.enrollment import enrollment_of
from app.services.records import record_clock_session
from app.timeutil import local_date, to_iso, utcnow

CHECKOUT_GRACE = timedelta(hours=1)
SOURCES = ("miniprogram", "mp_scan", "mp_scancode", "h5", "admin_scan")


_EPOCH = datetime(1970, 1, 1)

# --- keys ---

def clock_key() -> bytes:
    """The code-signing key: HKDF from SECRET_KEY (so rotating SECRET_KEY rotates it)."""
    keys = current_app.extensions.setdefault("izyz_code_keys", {})
    key = keys.get("clock")
    if key is None:
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"izyz-clock-code").derive(
            current_app.config["SECRET_KEY"].encode("utf-8"))
        keys["clock"] = key
    return key


def _epoch(dt) -> int:
    """Naive UTC datetime → Unix seconds."""
    return int((dt - _EPOCH).total_seconds())


def _from_epoch(seconds):
    return _EPOCH + timedelta(seconds=seconds)




# --- 面验 ---

def face_check(admin, volunteer_id, activity_id):
    """Mark a volunteer enrolled in one of the admin's activities as identity-checked, for good."""
    activity = managed_activity(admin, activity_id)
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise DomainError("NOT_FOUND")
    enrollment = enrollment_of(activity.id, volunteer.id)
    if enrollment is None or enrollment.status not in ("pending", "admitted"):
        raise DomainError("VOLUNTEER_NOT_ENROLLED")
    if volunteer.face_checked_at is not None:
        raise DomainError("FACE_CHECK_DONE", checked_at=to_iso(volunteer.face_checked_at))
    now = utcnow()
    # A conditional update: of two admins checking at once, exactly one succeeds.
    changed = db.session.execute(
        db.update(Volunteer).where(Volunteer.id == volunteer.id, Volunteer.face_checked_at.is_(None))
        .values(face_checked_at=now, face_checked_by=admin.id, face_checked_activity_id=activity.id)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise DomainError("FACE_CHECK_DONE")
    authz.audit(admin, "volunteer.face_check", org_id=activity.org_id, target_type="volunteer",
                target_id=volunteer.id, detail={"activity_id": activity.id})
    db.session.commit()
    db.session.refresh(volunteer)
    return volunteer


# --- codes ---

def issue_clock_code(admin, activity_id, kind, now=None):
    """A fresh signed code for the activity. Returns {"code", "kind", "activity_id", "expires_at"}."""
    activity = managed_activity(admin, activity_id)
    if activity.revoked_at is not None:
        raise DomainError("ACTIVITY_REVOKED")
    now = now or utcnow()
    try:
        require_within_window(kind, now, activity.start_at, activity.end_at, CHECKOUT_GRACE,
                              code="CLOCK_CODE_NOT_YET")
    except ClockRefused as refused:
        raise DomainError(refused.reason) from None
    expires = now + timedelta(seconds=current_app.config["CLOCK_CODE_SECONDS"])
    code = codes.make_clock_code(clock_key(), activity_id=activity.id, kind=kind, expires_at=_epoch(expires))
    authz.audit(admin, "activity.clock_code", org_id=activity.org_id, target_type="activity",
                target_id=activity.id, detail={"kind": kind, "expires_at": to_iso(expires)})
    db.session.commit()
    return {"code": code, "kind": kind, "activity_id": activity.id, "expires_at": _from_epoch(_epoch(expires))}


def is_clock_code(text) -> bool:
    """True when a scanned text or QR scene is shaped like one of our clock codes."""
    return codes.looks_like_clock_code(text)


def personal_code(account, now=None):
    """The volunteer's rotating personal code (30 s) for an admin to scan."""
    volunteer = account.volunteer
    if volunteer is None:
        raise DomainError("CLOCK_NOT_A_VOLUNTEER")
    seconds = int(time.time()) if now is None else _epoch(now)
    step_end = (codes.personal_step(seconds) + 1) * codes.PERSONAL_STEP_SECONDS
    return {"code": codes.make_personal_code(clock_key(), volunteer.id, seconds),
            "expires_at": _from_epoch(step_end), "refresh_in": step_end - seconds}


# --- the clock service ---

def scan(account_id, code, source, latitude=None, longitude=None, now=None):
    """A volunteer scanned a clock code. → {"kind", "activity_id", "at", "minutes"?}."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    now = now or utcnow()
    try:
        decoded = codes.read_clock_code(clock_key(), code, now=None)  # signature; expiry below
    except codes.CodeRefused as refused:
        raise DomainError(refused.reason) from None
    who = {"account_id": account_id}
    return _clock(who, decoded.activity_id, decoded.kind, now, source, nonce=decoded.nonce,
                  expires_at=_from_epoch(decoded.expires_at), latitude=latitude, longitude=longitude)


def scan_volunteer(admin, activity_id, code, kind=None, now=None):
    """An admin scanned a volunteer's personal code: clock that volunteer in (or out)."""
    activity = managed_activity(admin, activity_id)
    now = now or utcnow()
    try:
        personal = codes.read_personal_code(clock_key(), code, _epoch(now))
    except codes.CodeRefused as refused:
        raise DomainError(refused.reason) from None
    who = {"volunteer_id": personal.volunteer_id}
    nonce = f"p{personal.step}"
    if kind is None:
        _, _, _, events = _load(who, activity.id, local_date(now))
        scanned = [e for e in events if e.code_nonce == nonce]
        if scanned:  # this very code was scanned already: its first result
            return _result(scanned[0])
        kind = "checkout" if _open_session(events) else "checkin"
    return _clock(who, activity.id, kind, now, "admin_scan", nonce=nonce, admin=admin)


def _open_session(events):
    try:
        return plan_scan("checkin", [(e.session_no, e.kind) for e in events])[0] == "repeat"
    except ClockRefused:
        return False


_ACTIVITY_COLUMNS = ("org_id", "start_at", "end_at", "revoked_at", "latitude", "longitude", "radius_m",
                     "require_location")
_EVENT_COLUMNS = ("id", "kind", "at", "session_no", "code_nonce", "minutes")
# The hot path of a check-in burst, as one plain statement: building an ORM select with twenty
# labelled columns cost more CPU per request than the database took to answer it.
_LOAD_SQL = """
SELECT v.id AS v_id, v.account_id AS v_account_id, v.face_checked_at AS v_face_checked_at,
       en.status AS enrollment, {activity_columns}, {event_columns}
FROM volunteers AS v
JOIN activities AS a ON a.id = :activity_id
LEFT OUTER JOIN enrollments AS en ON en.activity_id = a.id AND en.volunteer_id = v.id
LEFT OUTER JOIN clock_events AS ce ON ce.activity_id = a.id AND ce.volunteer_id = v.id AND ce.service_day = :day
WHERE {who}
ORDER BY ce.session_no, ce.id
""".format(activity_columns=", ".join(f"a.{c} AS a_{c}" for c in _ACTIVITY_COLUMNS),
           event_columns=", ".join(f"ce.{c} AS e_{c}" for c in _EVENT_COLUMNS), who="{who}")
_LOAD_TYPES = {"v_face_checked_at": db.DateTime, "a_start_at": db.DateTime, "a_end_at": db.DateTime,
               "a_revoked_at": db.DateTime, "a_require_location": db.Boolean, "e_at": db.DateTime}
_LOAD = {
    key: db.text(_LOAD_SQL.format(who=condition)).bindparams(db.bindparam("day", type_=db.Date))
    .columns(**_LOAD_TYPES)
    for key, condition in (("account_id", "v.account_id = :who"), ("volunteer_id", "v.id = :who"))
}
_INSERT_EVENT = db.insert(ClockEvent)


class _Row:
    """Plain values of the columns a scan needs (the check-in burst reads only these)."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _load(who, activity_id, day):
    """Everything a scan decides on, in one round trip and only the columns it needs:
    (activity, volunteer, enrollment status or None, the volunteer's events of that day)."""
    key, value = next(iter(who.items()))
    rows = db.session.execute(_LOAD[key], {"who": value, "activity_id": activity_id, "day": day}).mappings().all()
    if not rows:
        if key == "account_id" and db.session.execute(
                db.select(Volunteer.id).filter_by(account_id=value)).first() is None:
            raise DomainError("CLOCK_NOT_A_VOLUNTEER")
        raise DomainError("CLOCK_CODE_INVALID")  # a signed code of an activity that no longer exists
    first = rows[0]
    activity = _Row(id=activity_id, **{c: first[f"a_{c}"] for c in _ACTIVITY_COLUMNS})
    volunteer = _Row(id=first["v_id"], account_id=first["v_account_id"], face_checked_at=first["v_face_checked_at"])
    events = [_Row(activity_id=activity_id, **{c: row[f"e_{c}"] for c in _EVENT_COLUMNS})
              for row in rows if row["e_id"] is not None]
    return activity, volunteer, first["enrollment"], events


def _clock(who, activity_id, kind, now, source, *, nonce, expires_at=None, latitude=None,
           longitude=None, admin=None, attempts=3):
    for attempt in range(attempts):
        try:
            return _clock_once(who, activity_id, kind, now, source, nonce=nonce, expires_at=expires_at,
                               latitude=latitude, longitude=longitude, admin=admin)
        except (IntegrityError, OperationalError) as exc:
            # Another request recorded this scan first (unique key) or InnoDB chose us as the
            # deadlock victim: start again; the re-read sees the winner's event as a repeat.
            db.session.rollback()
            if isinstance(exc, OperationalError) and not _retryable(exc):
                raise
            if attempt == attempts - 1:
                raise DomainError("CONFLICT") from None


def _retryable(exc):
    code = getattr(getattr(exc, "orig", None), "args", [None])[0]
    return code in (1213, 1205) or "locked" in str(exc).lower()


def _result(event):
    result = {"kind": event.kind, "activity_id": event.activity_id, "at": to_iso(event.at)}
    if event.kind == "checkout":
        result["minutes"] = event.minutes or 0
    return result


def _clock_once(who, activity_id, kind, now, source, *, nonce, expires_at, latitude, longitude, admin):
    day = local_date(now)
    activity, volunteer, enrollment_status, events = _load(who, activity_id, day)
    # The same code scanned again (a retried WeChat event, a double tap): the first result.
    for event in events:
        if event.code_nonce == nonce and event.kind == kind:
            return _result(event)
    if expires_at is not None and now > expires_at:
        raise DomainError("CLOCK_CODE_EXPIRED")
    if activity.revoked_at is not None:
        raise DomainError("ACTIVITY_REVOKED")
    if enrollment_status != "admitted":
        raise DomainError("CLOCK_NOT_ADMITTED")
    if volunteer.face_checked_at is None:
        raise DomainError("CLOCK_NOT_FACE_CHECKED")
    try:
        require_within_window(kind, now, activity.start_at, activity.end_at, CHECKOUT_GRACE)
        action, session_no = plan_scan(kind, [(e.session_no, e.kind) for e in events])
    except ClockRefused as refused:
        raise DomainError(refused.reason) from None
    if action == "repeat":
        # Already checked in (or out) in this session: the first result, nothing new.
        first = next(e for e in events if e.session_no == session_no and e.kind == kind)
        return _result(first)
    _check_location(activity, latitude, longitude, source)

    values = {"activity_id": activity.id, "volunteer_id": volunteer.id, "kind": kind, "at": now,
              "service_day": day, "session_no": session_no, "source": source, "code_nonce": nonce,
              "latitude": latitude, "longitude": longitude, "minutes": None}
    if kind == "checkout":
        checkin = next(e for e in events if e.session_no == session_no and e.kind == "checkin")
        values["minutes"] = session_minutes(checkin.at, now, activity.start_at, activity.end_at)
    # A plain INSERT (no unit-of-work flush: this is the hot path); the unique key decides a race here.
    inserted = db.session.connection().execute(_INSERT_EVENT, values)
    event = _Row(id=inserted.inserted_primary_key[0], **values)
    if kind == "checkout":
        record_clock_session(volunteer, activity, checkin, event, now)
    if admin is not None:
        authz.audit(admin, f"attendance.admin_{kind}", org_id=activity.org_id, target_type="volunteer",
                    target_id=volunteer.id, detail={"activity_id": activity.id, "session_no": session_no})
    result = _result(event)  # before the commit expires the row (no reload)
    db.session.commit()
    return result


def _check_location(activity, latitude, longitude, source):
    if source == "admin_scan":
        return  # the admin is on site and sees the volunteer
    if latitude is None or longitude is None:
        if activity.require_location:
            raise DomainError("CLOCK_LOCATION_REQUIRED")
        return
    if not valid_coordinates(latitude, longitude):
        raise DomainError("VALIDATION_ERROR", "位置坐标无效。")
    if activity.latitude is None or activity.longitude is None:
        return
    if not within_radius(latitude, longitude, activity.latitude, activity.longitude, activity.radius_m or 500):
        raise DomainError("CLOCK_TOO_FAR")


# --- what the volunteer sees ---

def my_scans(account, page=1, per_page=20):
    volunteer = _volunteer_of(account)
    query = (db.select(ClockEvent, Activity.title).join(Activity, Activity.id == ClockEvent.activity_id)
             .where(ClockEvent.volunteer_id == volunteer.id)
             .order_by(ClockEvent.at.desc(), ClockEvent.id.desc()))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return [{"id": e.id, "kind": e.kind, "activity_id": e.activity_id, "activity_title": title,
             "at": to_iso(e.at), "service_day": e.service_day.isoformat(), "session_no": e.session_no,
             "source": e.source, "minutes": e.minutes} for e, title in rows]


def _volunteer_of(account):
    if account.volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return account.volunteer


def account_for_volunteer(volunteer_id):
    volunteer = db.session.get(Volunteer, volunteer_id)
    return db.session.get(Account, volunteer.account_id) if volunteer else None


# --- the same code on WeChat's own surfaces ---

CLOCK_PAGE = "pages/attendance/scan"  # the mini-program page a mini-program code opens


def wechat_surface(code, surface):
    """Issue `code` as a mini-program code ("wxacode") or a service-account parametric QR code
    ("mp_qrcode"); the image (or the QR's URL) is kept in Redis for as long as the code lives.

    Returns {"surface", "image_path", "ticket"?, "qr_url"?}. Raises WECHAT_CODE_FAILED.
    """
    from app.extensions import redis_store
    from app.wechat.gateway import WechatApiError, get_gateway

    seconds = current_app.config["CLOCK_CODE_SECONDS"]
    try:
        if surface == "wxacode":
            image = get_gateway().get_wxa_code_unlimited(code, page=CLOCK_PAGE)
            redis_store.client.set(redis_store.key("clock-wxacode", code), image, ex=seconds + 60)
            return {"surface": surface, "image_path": f"/api/v1/attendance/codes/{code}/wxacode.png"}
        if surface == "mp_qrcode":
            qr = get_gateway().create_qr_scene(code, expire_seconds=max(60, seconds))
            redis_store.client.set(redis_store.key("clock-mpqr", code), qr["url"], ex=seconds + 60)
            return {"surface": surface, "image_path": f"/api/v1/attendance/codes/{code}/mp.png",
                    "ticket": qr["ticket"], "qr_url": qr["url"]}
    except WechatApiError as exc:
        raise DomainError("WECHAT_CODE_FAILED", errcode=exc.errcode) from None
    raise ValueError(surface)


def stored_surface(code, surface):
    """The stored mini-program code image (bytes) or parametric QR URL (str) of a live code."""
    from app.extensions import redis_store

    key = redis_store.key("clock-wxacode" if surface == "wxacode" else "clock-mpqr", code)
    value = redis_store.client.get(key)
    if value is None:
        return None
    return value if surface == "wxacode" else value.decode("utf-8")
