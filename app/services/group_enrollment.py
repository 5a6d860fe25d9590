"""团体报名: an organisation's admin enrolls a group of its own volunteers (registered under it, or
joined members: app/services/memberships.py) in an activity — typically another organisation's —
in one request: all of them, within the quota (and the position's or shift's), or none.

The volunteers' rows are locked in id order (as one volunteer's enrollment locks theirs) so that
their five-pending cap holds against their own enrollments at the same moment; the places are
claimed for the whole group by one conditional UPDATE per counter, as for one volunteer
(app/services/enrollment.py), so a group never overbooks an activity under load.
"""
from app.domain import activity_state as st
from app.domain import group_enrollment as rules
from app.domain.activity_rules import PENDING
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Enrollment, Position, Shift, Volunteer
from app.services import authz
from app.services.enrollment import chosen_position, chosen_shift, refusal, still_open, volunteer_ids
from app.services.memberships import member_volunteer_ids
from app.services.unit_of_work import fresh_transaction, use_case
from app.timeutil import utcnow


def _lock_volunteers(ids):
    fresh_transaction()
    volunteers = db.session.execute(
        db.select(Volunteer).where(Volunteer.id.in_(ids)).order_by(Volunteer.id).with_for_update()
    ).scalars().all()
    if volunteers and db.engine.dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE: a write takes its (database-wide) write lock now.
        db.session.execute(db.update(Volunteer).where(Volunteer.id == volunteers[0].id).values(id=Volunteer.id))
    return {v.id: v for v in volunteers}


@use_case
def enroll_group(admin, org_id, activity_id, ids, position_id=None, shift_id=None):
    """→ the group's enrollments (待录用). Refusals: GROUP_EMPTY, TOO_MANY_IDS, NOT_FOUND (an
    organisation the admin does not manage), ACTIVITY_NOT_FOUND, ENROLLMENT_NOT_OPEN,
    GROUP_ENROLLMENT_REFUSED (with `refused`: each volunteer who may not and why), QUOTA_FULL /
    POSITION_FULL / SHIFT_FULL (with places_left)."""
    ids = volunteer_ids(ids)
    if not ids:
        raise DomainError("GROUP_EMPTY")
    volunteers = _lock_volunteers(ids)
    org = authz.require_org(admin, org_id)
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    now = utcnow()
    members = member_volunteer_ids(org.id, ids)
    pending = dict(db.session.execute(
        db.select(Enrollment.volunteer_id, db.func.count()).where(
            Enrollment.volunteer_id.in_(ids), Enrollment.status == PENDING)
        .group_by(Enrollment.volunteer_id)
    ).all())
    existing = {e.volunteer_id: e for e in db.session.execute(
        db.select(Enrollment).where(Enrollment.activity_id == activity.id, Enrollment.volunteer_id.in_(ids))
    ).scalars()}
    group = [rules.Member(
        volunteer_id=i,
        own=i in volunteers and (volunteers[i].home_org_id == org.id or i in members),
        review_status=volunteers[i].review_status if i in volunteers else None,
        pending_count=pending.get(i, 0),
        enrollment_status=existing[i].status if i in existing else None,
    ) for i in ids]
    refused = rules.refusals(st.activity_state(st.times_of(activity), now), group)
    if refused:
        raise DomainError("GROUP_ENROLLMENT_REFUSED", refused=[refusal(i, code) for i, code in refused])
    position = chosen_position(activity, position_id)
    shift = chosen_shift(activity, shift_id)
    _claim_places(activity, position, shift, len(ids), now)

    enrollments = []
    for volunteer_id in ids:
        enrollment = existing.get(volunteer_id)
        if enrollment is None:
            enrollment = Enrollment(activity_id=activity.id, volunteer_id=volunteer_id)
            db.session.add(enrollment)
        enrollment.status = PENDING
        enrollment.position_id = position.id if position else None
        enrollment.shift_id = shift.id if shift else None
        enrollment.created_at = now
        enrollment.decided_at = enrollment.decided_by = None
        enrollments.append(enrollment)
    db.session.flush()
    authz.audit(admin, "activity.group_enroll", org_id=org.id, target_type="activity", target_id=activity.id,
                detail={"volunteer_ids": ids, "activity_org_id": activity.org_id})
    return enrollments


def _claim_places(activity, position, shift, wanted, now):
    """Claims `wanted` places at once from each counter, or refuses the whole group."""
    rules.check_places(activity.quota, activity.taken_count, wanted)
    claimed = db.session.execute(
        db.update(Activity)
        .where(Activity.id == activity.id, Activity.taken_count + wanted <= Activity.quota, still_open(now))
        .values(taken_count=Activity.taken_count + wanted).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:  # filled or closed in the meantime
        db.session.refresh(activity)
        state = st.activity_state(st.times_of(activity), now)
        if state != st.OPEN:
            raise DomainError("ENROLLMENT_NOT_OPEN", state=state, state_label=st.label(state))
        rules.check_places(activity.quota, activity.taken_count, wanted)
        raise DomainError("QUOTA_FULL")
    for row, model, capacity_column, code in ((position, Position, Position.quota, "POSITION_FULL"),
                                               (shift, Shift, Shift.capacity, "SHIFT_FULL")):
        if row is None:
            continue
        rules.check_places(getattr(row, capacity_column.key), row.taken_count, wanted, code)
        claimed = db.session.execute(
            db.update(model).where(model.id == row.id, model.taken_count + wanted <= capacity_column)
            .values(taken_count=model.taken_count + wanted).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise DomainError(code)  # the places claimed above are rolled back with the rest
