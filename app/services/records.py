"""Service records and the totals they feed; the public hours board (时长公示) and objections.

Every change of an effective record's minutes moves Volunteer.total_minutes and the activity's
Organisation.total_minutes by the same amount in the same transaction (atomic UPDATE … SET
total = total + delta, so concurrent sessions never lose an addition). Star levels are derived
from the volunteer's total (app/domain/stars.py), never stored.
"""
from datetime import timedelta

from app.domain.hours import activity_minutes
from app.domain.stars import minutes_to_next_star, star_label, star_level
from app.errors import DomainError
from app.extensions import db
from app.models import Account, Activity, Objection, OrgAdmin, Organisation, ServiceRecord, Volunteer
from app.notify.outbox import queue_message
from app.security.pii import mask_name
from app.services import authz
from app.services.unit_of_work import fresh_transaction, use_case
from app.timeutil import to_iso, utcnow

PUBLIC_FOR = timedelta(days=365)
RECORD_STATUS_LABELS = {"effective": "已生效", "pending": "未生效", "deleted": "删除"}
RESOLUTIONS = {"keep": "kept", "amend": "amended", "revoke": "revoked"}


def format_minutes(minutes):
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours}小时{rest}分钟"
    return f"{hours}小时" if hours else f"{rest}分钟"


def mask_volunteer_number(number):
    """4400001234 → 44****1234: enough to tell people apart on a public board, not to copy."""
    if not number:
        return ""
    if len(number) <= 6:
        return number[:1] + "*" * (len(number) - 1)
    return number[:2] + "*" * (len(number) - 6) + number[-4:]


def change_totals(volunteer_id, org_id, delta):
    """Add delta minutes to the volunteer's and the organisation's totals (caller commits)."""
    if not delta:
        return
    db.session.execute(db.update(Volunteer).where(Volunteer.id == volunteer_id)
                       .values(total_minutes=Volunteer.total_minutes + delta))
    db.session.execute(db.update(Organisation).where(Organisation.id == org_id)
                       .values(total_minutes=Organisation.total_minutes + delta))
    for obj in list(db.session.identity_map.values()):
        if (isinstance(obj, Volunteer) and obj.id == volunteer_id) or (isinstance(obj, Organisation)
                                                                       and obj.id == org_id):
            db.session.expire(obj, ["total_minutes"])


def add_record(volunteer, activity, minutes, source, now, *, service_day=None, checkin=None, checkout=None,
               supplement=None):
    """A new effective record, the totals and the volunteer's notification (caller commits)."""
    record = ServiceRecord(volunteer_id=volunteer.id, activity_id=activity.id, org_id=activity.org_id,
                           minutes=minutes, source=source, service_day=service_day,
                           checkin_event_id=checkin.id if checkin else None,
                           checkout_event_id=checkout.id if checkout else None,
                           supplement_id=supplement.id if supplement else None,
                           status="effective", recorded_at=now, public_until=now + PUBLIC_FOR)
    db.session.add(record)
    db.session.flush()
    change_totals(volunteer.id, activity.org_id, minutes)
    if minutes > 0:
        total = db.session.execute(db.select(Volunteer.total_minutes).filter_by(id=volunteer.id)).scalar_one()
        queue_message(kind="hours_recorded", account_id=volunteer.account_id, dedupe_key=f"hours:{record.id}",
                      fields={"activity": activity.title, "minutes": format_minutes(minutes),
                              "total": format_minutes(total), "star": star_label(total) or "暂无星级"},
                      page=f"pages/records/index?id={record.id}")
    return record


def record_clock_session(volunteer, activity, checkin, checkout, now):
    if getattr(activity, "title", None) is None:  # the scan's lean row does not carry it
        activity.title = db.session.execute(db.select(Activity.title).filter_by(id=activity.id)).scalar_one()
    return add_record(volunteer, activity, checkout.minutes or 0, "clock", now, service_day=checkout.service_day,
                      checkin=checkin, checkout=checkout)


def totals_of(volunteer):
    total = volunteer.total_minutes or 0
    return {"total_minutes": total, "total_hours": round(total / 60, 1), "star_level": star_level(total),
            "star_label": star_label(total), "minutes_to_next_star": minutes_to_next_star(total)}


def my_records(account, page=1, per_page=20):
    volunteer = account.volunteer
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    rows = db.session.execute(
        db.select(ServiceRecord, Activity.title).join(Activity, Activity.id == ServiceRecord.activity_id)
        .where(ServiceRecord.volunteer_id == volunteer.id)
        .order_by(ServiceRecord.recorded_at.desc(), ServiceRecord.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return {**totals_of(volunteer), "page": page,
            "records": [_record_json(r, title) for r, title in rows]}


def _record_json(record, title):
    return {"id": record.id, "activity_id": record.activity_id, "activity_title": title,
            "minutes": record.minutes, "source": record.source, "status": record.status,
            "status_label": RECORD_STATUS_LABELS.get(record.status, record.status),
            "service_day": record.service_day.isoformat() if record.service_day else None,
            "recorded_at": to_iso(record.recorded_at), "public_until": to_iso(record.public_until),
            "amended_from_minutes": record.amended_from_minutes}


# --- 时长公示 ---

def hours_board(activity_id=None, page=1, per_page=20, now=None):
    """Effective records still within their year of public display, names and numbers masked."""
    now = now or utcnow()
    query = (db.select(ServiceRecord, Activity.title, Account.real_name, Volunteer.volunteer_number)
             .join(Activity, Activity.id == ServiceRecord.activity_id)
             .join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id)
             .join(Account, Account.id == Volunteer.account_id)
             .where(ServiceRecord.status == "effective", ServiceRecord.public_until > now))
    if activity_id is not None:
        query = query.where(ServiceRecord.activity_id == activity_id)
    rows = db.session.execute(query.order_by(ServiceRecord.recorded_at.desc(), ServiceRecord.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return {"page": page, "items": [{
        "record_id": r.id, "activity_id": r.activity_id, "activity_title": title,
        "volunteer_name": mask_name(name or ""), "volunteer_number": mask_volunteer_number(number),
        "minutes": r.minutes, "source": r.source, "amended": r.amended_from_minutes is not None,
        "service_day": r.service_day.isoformat() if r.service_day else None,
        "recorded_at": to_iso(r.recorded_at), "public_until": to_iso(r.public_until),
    } for r, title, name, number in rows]}


@use_case
def file_objection(record_id, text, contact=None, filer_account_id=None, now=None):
    """我有异议: anyone may object to a public record; the activity's admins are notified."""
    now = now or utcnow()
    record = db.session.get(ServiceRecord, record_id)
    if record is None or record.status != "effective" or record.public_until <= now:
        raise DomainError("OBJECTION_RECORD_NOT_PUBLIC")
    activity = db.session.get(Activity, record.activity_id)
    objection = Objection(record_id=record.id, text=text.strip(), contact=(contact or "").strip() or None,
                          filer_account_id=filer_account_id, status="open", created_at=now)
    db.session.add(objection)
    db.session.flush()
    admins = db.session.execute(db.select(OrgAdmin.account_id).filter_by(org_id=activity.org_id)).scalars().all()
    volunteer = db.session.get(Volunteer, record.volunteer_id)
    name = mask_name(db.session.get(Account, volunteer.account_id).real_name or "")
    for admin_id in admins:
        queue_message(kind="objection_filed", account_id=admin_id, dedupe_key=f"objection:{objection.id}:{admin_id}",
                      fields={"activity": activity.title, "volunteer": name,
                              "minutes": format_minutes(record.minutes), "text": objection.text[:100]})
    return objection


def list_objections(admin, status="open", page=1, per_page=20):
    query = (db.select(Objection, ServiceRecord, Activity.title)
             .join(ServiceRecord, ServiceRecord.id == Objection.record_id)
             .join(Activity, Activity.id == ServiceRecord.activity_id)
             .where(authz.managed_org_filter(admin, Activity.org_id)))
    if status:
        query = query.where(Objection.status == status)
    rows = db.session.execute(query.order_by(Objection.created_at.desc(), Objection.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return [objection_json(o, r, title) for o, r, title in rows]


def objection_json(objection, record, title):
    return {"id": objection.id, "record_id": record.id, "activity_id": record.activity_id,
            "activity_title": title, "text": objection.text, "status": objection.status,
            "record_minutes": record.minutes, "record_status": record.status,
            "resolution_note": objection.resolution_note, "created_at": to_iso(objection.created_at),
            "resolved_at": to_iso(objection.resolved_at)}


@use_case
def resolve_objection(admin, objection_id, action, note=None, minutes=None, now=None):
    """The activity's admin keeps the record, amends its minutes or revokes it (audited)."""
    now = now or utcnow()
    if action not in RESOLUTIONS:
        raise DomainError("VALIDATION_ERROR")
    # The objection first, locked: of two admins resolving at once, the second reads it resolved
    # (and not, say, the first one's revocation of the record) once the first commits.
    fresh_transaction()
    objection = db.session.execute(
        db.select(Objection).filter_by(id=objection_id).with_for_update()).scalar_one_or_none()
    if objection is None:
        raise DomainError("NOT_FOUND")
    record = db.session.execute(
        db.select(ServiceRecord).filter_by(id=objection.record_id).with_for_update()).scalar_one()
    activity = db.session.get(Activity, record.activity_id)
    authz.require_org(admin, activity.org_id)
    if objection.status != "open":
        raise DomainError("OBJECTION_ALREADY_RESOLVED")
    note = (note or "").strip() or None
    if action != "keep" and not note:
        raise DomainError("REASON_REQUIRED")
    detail = {"action": action, "record_id": record.id, "minutes_before": record.minutes}
    if action in ("amend", "revoke") and record.status == "deleted":
        raise DomainError("RECORD_ALREADY_REVOKED")
    if action == "amend":
        if minutes is None or minutes < 0 or minutes > activity_minutes(activity.start_at, activity.end_at):
            raise DomainError("OBJECTION_MINUTES_INVALID")
        delta = minutes - record.minutes
        record.amended_from_minutes = record.minutes
        record.minutes = minutes
        change_totals(record.volunteer_id, record.org_id, delta)
        detail["minutes_after"] = minutes
    elif action == "revoke":
        record.status = "deleted"
        change_totals(record.volunteer_id, record.org_id, -record.minutes)
    # Conditional: of two admins resolving at once, one wins and the other is told.
    changed = db.session.execute(
        db.update(Objection).where(Objection.id == objection.id, Objection.status == "open")
        .values(status=RESOLUTIONS[action], resolution_note=note, resolved_by=admin.id, resolved_at=now)
    ).rowcount
    if changed != 1:
        raise DomainError("OBJECTION_ALREADY_RESOLVED")
    authz.audit(admin, "objection.resolve", org_id=activity.org_id, target_type="objection",
                target_id=objection.id, detail=detail)
    db.session.refresh(objection)  # the resolution as stored by the conditional UPDATE above
    return objection_json(objection, record, activity.title)
