"""Enrollment, invitation, admission and removal; the volunteer's own lists.

The quota holds under any load with one conditional UPDATE:

    UPDATE activities SET taken_count = taken_count + 1
     WHERE id = :id AND taken_count < quota AND <still 马上报名>

MariaDB evaluates it on the latest committed row under the row's write lock, so two hundred
volunteers pressing at once for ten places get exactly ten rows updated; SQLite serialises
writers altogether. A position's quota is claimed the same way, in the same transaction.
The volunteer's own row is locked first (SELECT … FOR UPDATE; on SQLite a no-op UPDATE takes
the write lock) so that their five-pending cap holds when they enroll in two activities at once.
"""
from sqlalchemy.exc import IntegrityError

from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.errors import DomainError
from app.extensions import db
from app.models import Account, Activity, Enrollment, Invitation, Position, Volunteer
from app.notify.outbox import queue_message
from app.notify.templates import sms_text
from app.services import authz
from app.services.activities import managed_activity, message_fields
from app.timeutil import utcnow

MAX_IDS = 200


def _checked(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except rules.RuleViolation as exc:
        raise DomainError(exc.code, **exc.details) from None


def fresh_transaction():
    """End whatever the request read before (authentication): on MariaDB a REPEATABLE READ
    snapshot begins at the first plain read, so reads made after a row lock must belong to a
    transaction that starts with that lock to see what the previous holder committed."""
    db.session.commit()


def _lock_volunteer(account_id):
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


def _still_open(now):
    return db.and_(Activity.revoked_at.is_(None), Activity.enroll_start <= now, Activity.enroll_end > now,
                   Activity.start_at > now)


def enroll(account_id, activity_id, position_id=None):
    """报名: → the pending Enrollment. Refusals: see app/errors.py, activities and enrollment."""
    now = utcnow()
    volunteer = _lock_volunteer(account_id)
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    pending = db.session.execute(
        db.select(db.func.count()).select_from(Enrollment)
        .where(Enrollment.volunteer_id == volunteer.id, Enrollment.status == rules.PENDING)
    ).scalar_one()
    state = st.activity_state(st.times_of(activity), now)
    _checked(rules.check_can_enroll, state, volunteer.review_status, pending)
    enrollment = enrollment_of(activity.id, volunteer.id)
    _checked(rules.next_status, enrollment.status if enrollment else None, "enroll")

    position = None
    if activity.positions:
        if position_id is None:
            raise DomainError("POSITION_REQUIRED")
        position = next((p for p in activity.positions if p.id == position_id), None)
        if position is None:
            raise DomainError("POSITION_NOT_FOUND")
    elif position_id is not None:
        raise DomainError("POSITION_NOT_FOUND")

    claimed = db.session.execute(
        db.update(Activity)
        .where(Activity.id == activity.id, Activity.taken_count < Activity.quota, _still_open(now))
        .values(taken_count=Activity.taken_count + 1).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        # Full, or closed/revoked in the meantime (a revocation holds the row lock until it commits).
        latest = db.session.execute(db.select(Activity).where(Activity.id == activity.id)
                                    .with_for_update()).scalar_one()
        db.session.refresh(latest)
        state = st.activity_state(st.times_of(latest), now)
        db.session.rollback()
        if state != st.OPEN:
            raise DomainError("ENROLLMENT_NOT_OPEN", state=state, state_label=st.label(state))
        raise DomainError("QUOTA_FULL")
    if position is not None:
        claimed = db.session.execute(
            db.update(Position).where(Position.id == position.id, Position.taken_count < Position.quota)
            .values(taken_count=Position.taken_count + 1).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            raise DomainError("POSITION_FULL")

    if enrollment is None:
        enrollment = Enrollment(activity_id=activity.id, volunteer_id=volunteer.id)
        db.session.add(enrollment)
    enrollment.status = rules.PENDING
    enrollment.position_id = position.id if position else None
    enrollment.created_at = now
    enrollment.decided_at = enrollment.decided_by = None
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError("ALREADY_ENROLLED") from None
    return enrollment


def _free_place(enrollment):
    db.session.execute(db.update(Activity)
                       .where(Activity.id == enrollment.activity_id, Activity.taken_count > 0)
                       .values(taken_count=Activity.taken_count - 1)
                       .execution_options(synchronize_session=False))
    if enrollment.position_id is not None:
        db.session.execute(db.update(Position)
                           .where(Position.id == enrollment.position_id, Position.taken_count > 0)
                           .values(taken_count=Position.taken_count - 1)
                           .execution_options(synchronize_session=False))


def _move(enrollment, action, **values):
    """Conditional UPDATE from the status we read: a concurrent move of the same row loses cleanly."""
    new_status = _checked(rules.next_status, enrollment.status, action)
    moved = db.session.execute(
        db.update(Enrollment).where(Enrollment.id == enrollment.id, Enrollment.status == enrollment.status)
        .values(status=new_status, **values).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise DomainError("CONFLICT")
    db.session.expire(enrollment)
    return new_status


def cancel(account_id, activity_id):
    """取消报名 by the volunteer, until the activity starts; the place is freed."""
    volunteer = _lock_volunteer(account_id)
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    enrollment = enrollment_of(activity.id, volunteer.id)
    if enrollment is None:
        raise DomainError("NOT_ENROLLED")
    _checked(rules.check_can_cancel, st.activity_state(st.times_of(activity), utcnow()))
    _move(enrollment, "cancel", decided_at=utcnow(), decided_by=account_id)
    _free_place(enrollment)
    db.session.commit()
    return enrollment


def _ids(volunteer_ids):
    ids = list(dict.fromkeys(volunteer_ids))  # de-duplicated, order kept
    if len(ids) > MAX_IDS:
        raise DomainError("TOO_MANY_IDS")
    return ids


def _refusal(volunteer_id, code):
    from app.errors import MESSAGES

    return {"volunteer_id": volunteer_id, "code": code, "message": MESSAGES[code]}


def invite(actor, activity_id, volunteer_ids):
    """邀请: volunteers registered under the activity's organisation. Each is notified and still has
    to enroll. → {"invited": [ids], "refused": [{volunteer_id, code, message}]}."""
    ids = _ids(volunteer_ids)
    activity = managed_activity(actor, activity_id)
    state = st.activity_state(st.times_of(activity), utcnow())
    if state not in (st.NOT_OPEN, st.OPEN):
        raise DomainError("INVITATION_CLOSED", state=state, state_label=st.label(state))
    volunteers = {v.id: v for v in
                  db.session.execute(db.select(Volunteer).where(Volunteer.id.in_(ids))).scalars()}
    invited_before = set(db.session.execute(
        db.select(Invitation.volunteer_id)
        .where(Invitation.activity_id == activity.id, Invitation.volunteer_id.in_(ids))
    ).scalars())
    enrolled = set(db.session.execute(
        db.select(Enrollment.volunteer_id)
        .where(Enrollment.activity_id == activity.id, Enrollment.volunteer_id.in_(ids),
               Enrollment.status.in_(rules.HOLDS_A_PLACE))
    ).scalars())
    try:
        return _record_invitations(actor, activity, ids, volunteers, enrolled, invited_before)
    except IntegrityError:  # another admin invited one of them at the same moment
        db.session.rollback()
        raise DomainError("CONFLICT") from None


def _record_invitations(actor, activity, ids, volunteers, enrolled, invited_before):
    invited, refused = [], []
    fields = message_fields(activity)
    for volunteer_id in ids:
        volunteer = volunteers.get(volunteer_id)
        # Another organisation's volunteer looks exactly like one that does not exist.
        if (volunteer is None or volunteer.home_org_id != activity.org_id
                or volunteer.review_status != "approved"):
            refused.append(_refusal(volunteer_id, "VOLUNTEER_NOT_IN_ORG"))
        elif volunteer_id in enrolled:
            refused.append(_refusal(volunteer_id, "ALREADY_ENROLLED"))
        elif volunteer_id in invited_before:
            refused.append(_refusal(volunteer_id, "ALREADY_INVITED"))
        else:
            invitation = Invitation(activity_id=activity.id, volunteer_id=volunteer_id, invited_by=actor.id)
            db.session.add(invitation)
            db.session.flush()
            queue_message(kind="invitation", account_id=volunteer.account_id, fields=fields,
                          dedupe_key=f"invitation:{invitation.id}", sms_text=sms_text("invitation", fields),
                          page=f"pages/activity/detail?id={activity.id}")
            invited.append(volunteer_id)
    authz.audit(actor, "activity.invite", org_id=activity.org_id, target_type="activity",
                target_id=activity.id,
                detail={"invited": invited, "refused": [r["volunteer_id"] for r in refused]})
    db.session.commit()
    return {"invited": invited, "refused": refused}


def _decide(actor, activity_id, volunteer_ids, action):
    ids = _ids(volunteer_ids)
    activity = managed_activity(actor, activity_id, lock=True)
    _checked(rules.check_can_decide, st.activity_state(st.times_of(activity), utcnow()))
    enrollments = {e.volunteer_id: e for e in db.session.execute(
        db.select(Enrollment).where(Enrollment.activity_id == activity.id, Enrollment.volunteer_id.in_(ids))
    ).scalars()}
    done, refused = [], []
    now = utcnow()
    for volunteer_id in ids:
        enrollment = enrollments.get(volunteer_id)
        if enrollment is None:
            refused.append(_refusal(volunteer_id, "NOT_ENROLLED"))
            continue
        try:
            was = enrollment.status
            _move(enrollment, action, decided_at=now, decided_by=actor.id)
        except DomainError as exc:
            refused.append(_refusal(volunteer_id, exc.code))
            continue
        account_id = db.session.execute(
            db.select(Volunteer.account_id).where(Volunteer.id == volunteer_id)).scalar_one()
        stamp = now.strftime("%Y%m%d%H%M%S%f")
        if action == "admit":
            fields = message_fields(activity, result="已录用")
            queue_message(kind="admission", account_id=account_id, fields=fields,
                          dedupe_key=f"admission:{enrollment.id}:{stamp}",
                          sms_text=sms_text("admission", fields),
                          page=f"pages/activity/detail?id={activity.id}")
        else:
            _free_place(enrollment)
            fields = message_fields(activity, result="未录用" if was == rules.PENDING else "已移出")
            queue_message(kind="removal", account_id=account_id, fields=fields,
                          dedupe_key=f"removal:{enrollment.id}:{stamp}", sms_text=sms_text("removal", fields),
                          page=f"pages/activity/detail?id={activity.id}")
        done.append(volunteer_id)
    authz.audit(actor, f"activity.{action}", org_id=activity.org_id, target_type="activity",
                target_id=activity.id,
                detail={"volunteer_ids": done, "refused": [r["volunteer_id"] for r in refused]})
    db.session.commit()
    return done, refused


def admit(actor, activity_id, volunteer_ids):
    """录用 pending applicants (one or many); each admitted volunteer is notified."""
    done, refused = _decide(actor, activity_id, volunteer_ids, "admit")
    return {"admitted": done, "refused": refused}


def remove(actor, activity_id, volunteer_ids):
    """移除 applicants or admitted volunteers; their places are freed and they are notified."""
    done, refused = _decide(actor, activity_id, volunteer_ids, "remove")
    return {"removed": done, "refused": refused}


def activity_enrollments(actor, activity_id, *, status=None, page=1, per_page=50):
    """The admin's roster of an activity: (activity, [(Enrollment, Volunteer, Account)], total)."""
    activity = managed_activity(actor, activity_id)
    conditions = [Enrollment.activity_id == activity.id]
    if status:
        conditions.append(Enrollment.status == status)
    query = (db.select(Enrollment, Volunteer, Account)
             .join(Volunteer, Volunteer.id == Enrollment.volunteer_id)
             .join(Account, Account.id == Volunteer.account_id).where(*conditions))
    rows = db.session.execute(query.order_by(Enrollment.created_at, Enrollment.id)
                              .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    total = db.session.execute(
        db.select(db.func.count()).select_from(Enrollment).where(*conditions)).scalar_one()
    return activity, rows, total


def invitable_volunteers(actor, activity_id, *, name=None, gender=None, page=1, per_page=20):
    """Approved volunteers registered under the activity's organisation, by name and gender,
    each with whether they were invited or enrolled already.
    → (activity, [(Volunteer, Account, invited, enrollment status or None)], total)."""
    activity = managed_activity(actor, activity_id)
    conditions = [Volunteer.home_org_id == activity.org_id, Volunteer.review_status == "approved",
                  Account.status == "active"]
    if name:
        conditions.append(Account.real_name.contains(name.strip(), autoescape=True))
    if gender:
        conditions.append(Account.gender == gender)
    query = db.select(Volunteer, Account).join(Account, Account.id == Volunteer.account_id).where(*conditions)
    rows = db.session.execute(
        query.order_by(Volunteer.id).limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    total = db.session.execute(
        db.select(db.func.count()).select_from(Volunteer).join(Account, Account.id == Volunteer.account_id)
        .where(*conditions)).scalar_one()
    ids = [v.id for v, _ in rows]
    invited = set(db.session.execute(db.select(Invitation.volunteer_id).where(
        Invitation.activity_id == activity.id, Invitation.volunteer_id.in_(ids))).scalars())
    statuses = dict(db.session.execute(db.select(Enrollment.volunteer_id, Enrollment.status).where(
        Enrollment.activity_id == activity.id, Enrollment.volunteer_id.in_(ids))).all())
    return activity, [(v, a, v.id in invited, statuses.get(v.id)) for v, a in rows], total


# 我的活动: 已报名 (waiting for admission), 已录用 (admitted, not yet over), 已结束 (over).
MY_GROUPS = {"enrolled": "已报名", "admitted": "已录用", "ended": "已结束"}


def my_group(enrollment_status, activity, now):
    if activity.revoked_at is not None or activity.end_at <= now:
        return "ended"
    return "admitted" if enrollment_status == rules.ADMITTED else "enrolled"


def my_activities(account_id, *, group=None, now, page=1, per_page=20):
    """The volunteer's enrollments that hold a place, in one of MY_GROUPS or all of them.
    → [(Enrollment, Activity)], total. Soonest start first; the 已结束 group latest first."""
    volunteer = db.session.execute(db.select(Volunteer).filter_by(account_id=account_id)).scalar_one_or_none()
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    conditions = [Enrollment.volunteer_id == volunteer.id, Enrollment.status.in_(rules.HOLDS_A_PLACE)]
    over = db.or_(Activity.revoked_at.is_not(None), Activity.end_at <= now)
    order = [Activity.start_at, Activity.id]
    if group == "enrolled":
        conditions += [Enrollment.status == rules.PENDING, db.not_(over)]
    elif group == "admitted":
        conditions += [Enrollment.status == rules.ADMITTED, db.not_(over)]
    elif group == "ended":
        conditions.append(over)
        order = [Activity.start_at.desc(), Activity.id.desc()]
    query = (db.select(Enrollment, Activity).join(Activity, Activity.id == Enrollment.activity_id)
             .where(*conditions))
    rows = db.session.execute(
        query.order_by(*order).limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    total = db.session.execute(
        db.select(db.func.count()).select_from(Enrollment)
        .join(Activity, Activity.id == Enrollment.activity_id)
        .where(*conditions)).scalar_one()
    return rows, total
