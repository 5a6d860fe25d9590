"""The organisation admin's lists of an activity's people: its enrollments (the roster) and the
volunteers it may still invite. Read only; scoped by app.services.authz through managed_activity."""
from app.extensions import db
from app.models import Account, Enrollment, Invitation, Volunteer
from app.services.activities import managed_activity


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
