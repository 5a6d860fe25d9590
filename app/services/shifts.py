"""排班: an activity's shifts, defined by its organisation's admin; volunteers pick one when they
enroll (app/services/enrollment.py claims its capacity); 我的排班 lists a volunteer's shifts.
Clocking follows the shift's times (decide_clock in app/domain/clocking.py)."""
from app.domain import activity_rules
from app.domain import shifts as rules
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Enrollment, Shift
from app.services import authz
from app.services.activities import managed_activity
from app.services.unit_of_work import use_case


@use_case
def add_shift(admin, activity_id, starts_at, ends_at, capacity):
    """A new shift (times in naive UTC, as stored) inside the activity's time."""
    activity = managed_activity(admin, activity_id, lock=True)
    if activity.revoked_at is not None:
        raise DomainError("ACTIVITY_REVOKED")
    rules.check_shift(starts_at, ends_at, capacity, activity.start_at, activity.end_at)
    if len(activity.shifts) >= rules.MAX_SHIFTS:
        raise DomainError("TOO_MANY_SHIFTS")
    shift = Shift(activity_id=activity.id, starts_at=starts_at, ends_at=ends_at, capacity=capacity, taken_count=0)
    db.session.add(shift)
    db.session.flush()
    authz.audit(admin, "activity.shift_add", org_id=activity.org_id, target_type="shift", target_id=shift.id,
                detail={"activity_id": activity.id, "capacity": capacity})
    return shift


@use_case
def remove_shift(admin, activity_id, shift_id):
    activity = managed_activity(admin, activity_id, lock=True)
    shift = next((s for s in activity.shifts if s.id == shift_id), None)
    if shift is None:
        raise DomainError("SHIFT_NOT_FOUND")
    held = db.session.execute(
        db.select(db.func.count()).select_from(Enrollment)
        .where(Enrollment.shift_id == shift.id, Enrollment.status.in_(activity_rules.HOLDS_A_PLACE))
    ).scalar_one()
    if held or shift.taken_count:
        raise DomainError("SHIFT_IN_USE")
    db.session.execute(db.update(Enrollment).where(Enrollment.shift_id == shift.id).values(shift_id=None))
    db.session.delete(shift)
    db.session.flush()
    db.session.expire(activity, ["shifts"])
    authz.audit(admin, "activity.shift_remove", org_id=activity.org_id, target_type="shift", target_id=shift_id,
                detail={"activity_id": activity.id})
    return activity


def shifts_of(activity_id):
    """The shifts of a visible activity, in time order."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.revoked_at is not None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    return activity.shifts


def my_shifts(account):
    """我的排班: the shifts of my enrollments that hold a place, soonest first → [(shift, enrollment, activity)]."""
    if account.volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return db.session.execute(
        db.select(Shift, Enrollment, Activity)
        .join(Enrollment, Enrollment.shift_id == Shift.id)
        .join(Activity, Activity.id == Shift.activity_id)
        .where(Enrollment.volunteer_id == account.volunteer.id,
               Enrollment.status.in_(activity_rules.HOLDS_A_PLACE))
        .order_by(Shift.starts_at, Shift.id)
    ).all()
