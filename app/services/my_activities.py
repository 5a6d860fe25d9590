"""我的活动: the volunteer's own enrollments that hold a place, in three groups —
已报名 (waiting for admission), 已录用 (admitted, not yet over), 已结束 (over or revoked)."""
from app.domain import activity_rules as rules
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Enrollment, Volunteer

MY_GROUPS = {"enrolled": "已报名", "admitted": "已录用", "ended": "已结束"}


def my_group(enrollment_status, activity, now):
    """The group of one enrollment (holding a place) at `now`."""
    if activity.revoked_at is not None or activity.end_at <= now:
        return "ended"
    return "admitted" if enrollment_status == rules.ADMITTED else "enrolled"


def my_activities_page(account_id, *, group=None, now, page=1, per_page=20):
    """The page GET /me/activities shows: its rows, each with its group, and every group's size.
    → {"rows": [(Enrollment, Activity, group)], "total", "counts": {group: size}}."""
    volunteer_id = _volunteer_id(account_id)
    rows = db.session.execute(
        _query(volunteer_id, group, now).limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return {"rows": [(e, a, my_group(e.status, a, now)) for e, a in rows],
            "total": _count(volunteer_id, group, now),
            "counts": {name: _count(volunteer_id, name, now) for name in MY_GROUPS}}


def _volunteer_id(account_id):
    volunteer_id = db.session.execute(
        db.select(Volunteer.id).filter_by(account_id=account_id)).scalar_one_or_none()
    if volunteer_id is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return volunteer_id


def _conditions(volunteer_id, group, now):
    conditions = [Enrollment.volunteer_id == volunteer_id, Enrollment.status.in_(rules.HOLDS_A_PLACE)]
    over = db.or_(Activity.revoked_at.is_not(None), Activity.end_at <= now)
    if group == "enrolled":
        conditions += [Enrollment.status == rules.PENDING, db.not_(over)]
    elif group == "admitted":
        conditions += [Enrollment.status == rules.ADMITTED, db.not_(over)]
    elif group == "ended":
        conditions.append(over)
    return conditions


def _query(volunteer_id, group, now):
    order = ([Activity.start_at.desc(), Activity.id.desc()] if group == "ended"
             else [Activity.start_at, Activity.id])
    return (db.select(Enrollment, Activity).join(Activity, Activity.id == Enrollment.activity_id)
            .where(*_conditions(volunteer_id, group, now)).order_by(*order))


def _count(volunteer_id, group, now):
    return db.session.execute(
        db.select(db.func.count()).select_from(Enrollment)
        .join(Activity, Activity.id == Enrollment.activity_id)
        .where(*_conditions(volunteer_id, group, now))).scalar_one()
