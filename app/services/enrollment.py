"""报名 and 取消报名: the volunteer's row lock, the quota and the positions' quotas.

The quota holds under any load with one conditional UPDATE:

    UPDATE activities SET taken_count = taken_count + 1
     WHERE id = :id AND taken_count < quota AND <still 马上报名>

MariaDB evaluates it on the latest committed row under the row's write lock, so two hundred
volunteers pressing at once for ten places get exactly ten rows updated; SQLite serialises
writers altogether. A position's quota, and a shift's (排班) capacity, are claimed the same way, in
the same transaction.
The volunteer's own row is locked first (SELECT … FOR UPDATE; on SQLite a no-op UPDATE takes
the write lock) so that their five-pending cap holds when they enroll in two activities at once.

The rest of the enrollment area, each in its own module: invitations (app/services/invitations.py),
admission and removal with their notices (admissions.py), the admin's lists (rosters.py) and the
volunteer's own list (my_activities.py). move() and free_place() below are the moves of an
enrollment row that they share.
"""
from sqlalchemy.exc import IntegrityError

from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Enrollment, Position, Shift, Volunteer
from app.services.unit_of_work import fresh_transaction, use_case
from app.timeutil import utcnow

MAX_IDS = 200  # volunteers in one invitation, admission or removal



def lock_volunteer(account_id):
    """The volunteer of the account, row-locked for the rest of the transaction (per-person limits)."""
    fresh_transaction()
    volunteer = db.session.execute(
        db.select(Volunteer).where(Volunteer.account_id == account_id).with_for_update()
    ).scalar_one_or_none()
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    if db.engine.dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE: a write takes its (database-wide) write lock now.
        db.session.execute(db.update(Volunteer).where(Volunteer.id == volunteer.id).values(id=Volunteer.id))
    return volunteer


def enrollment_of(activity_id, volunteer_id):
    """The volunteer's enrollment in the activity, or None."""
    return db.session.execute(
        db.select(Enrollment).filter_by(activity_id=activity_id, volunteer_id=volunteer_id)
    ).scalar_one_or_none()


def still_open(now):
    return db.and_(Activity.revoked_at.is_(None), Activity.enroll_start <= now, Activity.enroll_end > now,
                   Activity.start_at > now)


@use_case
def enroll(account_id, activity_id, position_id=None, shift_id=None):
    """报名: → the pending Enrollment. Refusals: see app/errors.py, activities and enrollment."""
    now = utcnow()
    volunteer = lock_volunteer(account_id)
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    pending = db.session.execute(
        db.select(db.func.count()).select_from(Enrollment)
        .where(Enrollment.volunteer_id == volunteer.id, Enrollment.status == rules.PENDING)
    ).scalar_one()
    state = st.activity_state(st.times_of(activity), now)
    rules.check_can_enroll(state, volunteer.review_status, pending)
    enrollment = enrollment_of(activity.id, volunteer.id)
    rules.next_status(enrollment.status if enrollment else None, "enroll")
    position = chosen_position(activity, position_id)
    shift = chosen_shift(activity, shift_id)

    claimed = db.session.execute(
        db.update(Activity)
        .where(Activity.id == activity.id, Activity.taken_count < Activity.quota, still_open(now))
        .values(taken_count=Activity.taken_count + 1).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        # Full, or closed/revoked in the meantime (a revocation holds the row lock until it commits).
        latest = db.session.execute(db.select(Activity).where(Activity.id == activity.id)
                                    .with_for_update()).scalar_one()
        db.session.refresh(latest)
        state = st.activity_state(st.times_of(latest), now)
        if state != st.OPEN:
            raise DomainError("ENROLLMENT_NOT_OPEN", state=state, state_label=st.label(state))
        raise DomainError("QUOTA_FULL")
    if position is not None:
        claimed = db.session.execute(
            db.update(Position).where(Position.id == position.id, Position.taken_count < Position.quota)
            .values(taken_count=Position.taken_count + 1).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise DomainError("POSITION_FULL")  # the activity's place claimed above is rolled back too
    if shift is not None:
        claimed = db.session.execute(
            db.update(Shift).where(Shift.id == shift.id, Shift.taken_count < Shift.capacity)
            .values(taken_count=Shift.taken_count + 1).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise DomainError("SHIFT_FULL")  # the places claimed above are rolled back too

    if enrollment is None:
        enrollment = Enrollment(activity_id=activity.id, volunteer_id=volunteer.id)
        db.session.add(enrollment)
    enrollment.status = rules.PENDING
    enrollment.position_id = position.id if position else None
    enrollment.shift_id = shift.id if shift else None
    enrollment.created_at = now
    enrollment.decided_at = enrollment.decided_by = None
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError("ALREADY_ENROLLED") from None
    return enrollment


def chosen_position(activity, position_id):
    """The position the volunteer chose: required when the activity has positions, refused otherwise."""
    if not activity.positions:
        if position_id is not None:
            raise DomainError("POSITION_NOT_FOUND")
        return None
    if position_id is None:
        raise DomainError("POSITION_REQUIRED")
    position = next((p for p in activity.positions if p.id == position_id), None)
    if position is None:
        raise DomainError("POSITION_NOT_FOUND")
    return position


def chosen_shift(activity, shift_id):
    """The shift the volunteer chose: required when the activity has shifts, refused otherwise."""
    if not activity.shifts:
        if shift_id is not None:
            raise DomainError("SHIFT_NOT_FOUND")
        return None
    if shift_id is None:
        raise DomainError("SHIFT_REQUIRED")
    shift = next((s for s in activity.shifts if s.id == shift_id), None)
    if shift is None:
        raise DomainError("SHIFT_NOT_FOUND")
    return shift


def free_place(enrollment):
    """Give the enrollment's place (and its position's and shift's) back."""
    db.session.execute(db.update(Activity)
                       .where(Activity.id == enrollment.activity_id, Activity.taken_count > 0)
                       .values(taken_count=Activity.taken_count - 1)
                       .execution_options(synchronize_session=False))
    if enrollment.position_id is not None:
        db.session.execute(db.update(Position)
                           .where(Position.id == enrollment.position_id, Position.taken_count > 0)
                           .values(taken_count=Position.taken_count - 1)
                           .execution_options(synchronize_session=False))
    if enrollment.shift_id is not None:
        db.session.execute(db.update(Shift)
                           .where(Shift.id == enrollment.shift_id, Shift.taken_count > 0)
                           .values(taken_count=Shift.taken_count - 1)
                           .execution_options(synchronize_session=False))


def move(enrollment, action, **values):
    """Conditional UPDATE from the status we read: a concurrent move of the same row loses cleanly."""
    new_status = rules.next_status(enrollment.status, action)
    moved = db.session.execute(
        db.update(Enrollment).where(Enrollment.id == enrollment.id, Enrollment.status == enrollment.status)
        .values(status=new_status, **values).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise DomainError("CONFLICT")
    db.session.expire(enrollment)
    return new_status


@use_case
def cancel(account_id, activity_id):
    """取消报名 by the volunteer, until the activity starts; the place is freed."""
    volunteer = lock_volunteer(account_id)
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    enrollment = enrollment_of(activity.id, volunteer.id)
    if enrollment is None:
        raise DomainError("NOT_ENROLLED")
    rules.check_can_cancel(st.activity_state(st.times_of(activity), utcnow()))
    move(enrollment, "cancel", decided_at=utcnow(), decided_by=account_id)
    free_place(enrollment)
    return enrollment


def volunteer_ids(ids):
    """The ids of a batch (invitation, admission, removal): de-duplicated, order kept, at most MAX_IDS."""
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_IDS:
        raise DomainError("TOO_MANY_IDS")
    return ids


def refusal(volunteer_id, code):
    """One volunteer of a batch refused: {volunteer_id, code, message}."""
    return {"volunteer_id": volunteer_id, "code": code, "message": DomainError(code).message}
