"""Exports for organisation admins: an activity's roster with each volunteer's sessions and
hours, and an organisation's hours for a period (its own, and with regional authority its
subtree), as CSV or xlsx (app/services/tables.py streams both).

Personal numbers (ID number, phone) are masked unless the admin may see them in full: the
platform admin, or an admin of the organisation the export is about (the one that face-checks
its volunteers against their ID cards) — not a higher organisation acting by regional authority.
A full export is refused to anyone else, and every export is audited, saying whether numbers
went out in full.

The use case checks, audits and commits; the rows are read afterwards, as the file is written,
in batches from a streaming cursor (yield_per): nothing holds all the rows.
"""
from dataclasses import dataclass

from app.errors import DomainError
from app.extensions import db
from app.models import Account, Activity, Enrollment, OrgAdmin, Organisation, ServiceRecord, Volunteer
from app.security.pii import decrypt, mask_id, mask_phone
from app.services import authz, tables
from app.services.unit_of_work import use_case
from app.timeutil import to_iso

BATCH = 1000
ENROLLMENT_LABELS = {"pending": "待录用", "admitted": "已录用"}
SOURCE_LABELS = {"clock": "扫码签到", "supplement": "时长补录"}
HOURS = ("服务时长（分钟）", "服务时长（小时）")
ROSTER_HEADERS = ("姓名", "志愿者编号", "证件号码", "手机号", "报名状态", "服务次数", *HOURS)
SESSION_HEADERS = ("姓名", "志愿者编号", "服务日期", "来源", "时长（分钟）", "记录时间")
BY_VOLUNTEER_HEADERS = ("姓名", "志愿者编号", "证件号码", "归属组织", "服务次数", *HOURS)
BY_ACTIVITY_HEADERS = ("活动", "组织", "活动开始", "参与人数", "服务次数", *HOURS)


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    chunks: object  # an iterator of bytes, to be sent as it comes


def _stream(query):
    return db.session.execute(query.execution_options(yield_per=BATCH))


def _may_see_full_numbers(admin, org_id):
    if admin.is_platform_admin:
        return True
    return db.session.execute(db.select(OrgAdmin.id).filter_by(org_id=org_id, account_id=admin.id)).first() is not None


def _numbers(full):
    def show(token, mask):
        if not token:
            return ""
        value = decrypt(token)
        return value if full else mask(value)
    return show


def _hours(minutes):
    return round((minutes or 0) / 60, 2)


def _check_numbers(admin, org_id, full_numbers):
    if full_numbers and not _may_see_full_numbers(admin, org_id):
        raise DomainError("FORBIDDEN", "只有本组织管理员可以导出完整的证件号码和手机号。")


@use_case
def activity_roster(admin, activity_id, fmt="xlsx", full_numbers=False):
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    authz.require_org(admin, activity.org_id)
    _check_numbers(admin, activity.org_id, full_numbers)
    authz.audit(admin, "export.activity_roster", org_id=activity.org_id, target_type="activity",
                target_id=activity.id, detail={"format": fmt, "full_numbers": bool(full_numbers)})
    mimetype, extension, chunks = tables.file_of(fmt, [
        ("名单与时长", ROSTER_HEADERS, roster_rows(activity.id, full_numbers)),
        ("服务记录", SESSION_HEADERS, session_rows(activity.id))])
    return ExportFile(f"activity-{activity.id}-roster.{extension}", mimetype, chunks)


def roster_rows(activity_id, full_numbers=False):
    show = _numbers(full_numbers)
    sums = (db.select(ServiceRecord.volunteer_id, db.func.count(ServiceRecord.id).label("sessions"),
                      db.func.sum(ServiceRecord.minutes).label("minutes"))
            .where(ServiceRecord.activity_id == activity_id, ServiceRecord.status == "effective")
            .group_by(ServiceRecord.volunteer_id).subquery())
    query = (db.select(Account.real_name, Volunteer.volunteer_number, Account.id_number_enc, Account.phone_enc,
                       Enrollment.status, sums.c.sessions, sums.c.minutes)
             .join(Volunteer, Volunteer.id == Enrollment.volunteer_id)
             .join(Account, Account.id == Volunteer.account_id)
             .outerjoin(sums, sums.c.volunteer_id == Enrollment.volunteer_id)
             .where(Enrollment.activity_id == activity_id, Enrollment.status.in_(tuple(ENROLLMENT_LABELS)))
             .order_by(Enrollment.id))
    for name, number, id_enc, phone_enc, status, sessions, minutes in _stream(query):
        yield (name or "", number, show(id_enc, mask_id), show(phone_enc, mask_phone), ENROLLMENT_LABELS[status],
               int(sessions or 0), int(minutes or 0), _hours(minutes))


def session_rows(activity_id):
    query = (db.select(Account.real_name, Volunteer.volunteer_number, ServiceRecord.service_day,
                       ServiceRecord.source, ServiceRecord.minutes, ServiceRecord.recorded_at)
             .join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id)
             .join(Account, Account.id == Volunteer.account_id)
             .where(ServiceRecord.activity_id == activity_id, ServiceRecord.status == "effective")
             .order_by(ServiceRecord.volunteer_id, ServiceRecord.service_day, ServiceRecord.id))
    for name, number, day, source, minutes, recorded_at in _stream(query):
        yield (name or "", number, day.isoformat() if day else "", SOURCE_LABELS.get(source, source), minutes,
               to_iso(recorded_at))


def scope_filter(admin, org, column):
    """Rows of `org` and, where the admin's regional authority reaches, of its subtree."""
    subtree = db.select(Organisation.id).where(Organisation.path.startswith(org.path))
    return db.and_(column.in_(subtree), authz.managed_org_filter(admin, column))


@use_case
def organisation_hours(admin, org_id, start=None, end=None, by="volunteer", fmt="xlsx", full_numbers=False):
    if start and end and start > end:
        raise DomainError("PERIOD_INVALID")
    org = authz.require_org(admin, org_id)
    _check_numbers(admin, org.id, full_numbers)
    authz.audit(admin, "export.organisation_hours", org_id=org.id, target_type="organisation", target_id=org.id,
                detail={"format": fmt, "by": by, "full_numbers": bool(full_numbers),
                        "start": start.isoformat() if start else None, "end": end.isoformat() if end else None})
    if by == "activity":
        sheet = ("按活动", BY_ACTIVITY_HEADERS, hours_by_activity(admin, org, start, end))
    else:
        sheet = ("按志愿者", BY_VOLUNTEER_HEADERS, hours_by_volunteer(admin, org, start, end, full_numbers))
    mimetype, extension, chunks = tables.file_of(fmt, [sheet])
    return ExportFile(f"organisation-{org.id}-hours-by-{by}.{extension}", mimetype, chunks)


def _period(query, start, end):
    query = query.where(ServiceRecord.status == "effective")
    if start:
        query = query.where(ServiceRecord.service_day >= start)
    if end:
        query = query.where(ServiceRecord.service_day <= end)
    return query


def hours_by_volunteer(admin, org, start=None, end=None, full_numbers=False):
    show = _numbers(full_numbers)
    sums = _period(db.select(ServiceRecord.volunteer_id, db.func.count(ServiceRecord.id).label("sessions"),
                             db.func.sum(ServiceRecord.minutes).label("minutes"))
                   .where(scope_filter(admin, org, ServiceRecord.org_id)), start, end) \
        .group_by(ServiceRecord.volunteer_id).subquery()
    home = db.aliased(Organisation)
    query = (db.select(Account.real_name, Volunteer.volunteer_number, Account.id_number_enc, home.name,
                       sums.c.sessions, sums.c.minutes)
             .join(Volunteer, Volunteer.id == sums.c.volunteer_id)
             .join(Account, Account.id == Volunteer.account_id)
             .join(home, home.id == Volunteer.home_org_id)
             .order_by(Volunteer.id))
    for name, number, id_enc, home_name, sessions, minutes in _stream(query):
        yield (name or "", number, show(id_enc, mask_id), home_name, int(sessions), int(minutes or 0),
               _hours(minutes))


def hours_by_activity(admin, org, start=None, end=None):
    sums = _period(db.select(ServiceRecord.activity_id,
                             db.func.count(db.distinct(ServiceRecord.volunteer_id)).label("people"),
                             db.func.count(ServiceRecord.id).label("sessions"),
                             db.func.sum(ServiceRecord.minutes).label("minutes"))
                   .where(scope_filter(admin, org, ServiceRecord.org_id)), start, end) \
        .group_by(ServiceRecord.activity_id).subquery()
    query = (db.select(Activity.title, Organisation.name, Activity.start_at, sums.c.people, sums.c.sessions,
                       sums.c.minutes)
             .join(Activity, Activity.id == sums.c.activity_id)
             .join(Organisation, Organisation.id == Activity.org_id)
             .order_by(Activity.start_at, Activity.id))
    for title, org_name, start_at, people, sessions, minutes in _stream(query):
        yield (title, org_name, to_iso(start_at), int(people), int(sessions), int(minutes or 0), _hours(minutes))
