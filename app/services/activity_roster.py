"""The admin's roster of one activity on the phone: 面验 at the venue (admitted volunteers,
searched by name) and admission / removal (待录用 and 已录用), with the counts of each."""
from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.extensions import db
from app.models import Account, Enrollment, Volunteer
from app.security.pii import mask_id, mask_phone
from app.services.activities import managed_activity

ROSTER_LIMIT = 200


def activity_roster(admin, activity_id, *, now, status=None, name=None):
    """→ {"activity", "state", "state_label", "counts": {status: n}, "rows": [{"volunteer_id",
    "name", "phone", "id_number", "status", "status_label", "face_checked"}]} for the
    enrollments holding a place (or of one `status`), by enrollment time; NOT_FOUND for an
    activity the admin may not manage."""
    activity = managed_activity(admin, activity_id)
    state = st.activity_state(st.times_of(activity), now)
    counts = dict(db.session.execute(
        db.select(Enrollment.status, db.func.count()).where(Enrollment.activity_id == activity.id)
        .group_by(Enrollment.status)).all())
    statuses = (status,) if status in rules.HOLDS_A_PLACE else rules.HOLDS_A_PLACE
    query = (db.select(Enrollment, Volunteer, Account)
             .join(Volunteer, Volunteer.id == Enrollment.volunteer_id)
             .join(Account, Account.id == Volunteer.account_id)
             .where(Enrollment.activity_id == activity.id, Enrollment.status.in_(statuses)))
    if name and name.strip():
        query = query.where(Account.real_name.contains(name.strip(), autoescape=True))
    rows = db.session.execute(query.order_by(Enrollment.created_at, Enrollment.id).limit(ROSTER_LIMIT)).all()
    return {
        "activity": activity, "state": state, "state_label": st.label(state),
        "counts": {s: counts.get(s, 0) for s in rules.HOLDS_A_PLACE},
        "rows": [{"volunteer_id": v.id, "name": a.real_name or a.username, "phone": mask_phone(a.phone or ""),
                  "id_number": mask_id(a.id_number or ""), "status": e.status,
                  "status_label": rules.ENROLLMENT_LABELS[e.status], "face_checked": v.face_checked_at is not None}
                 for e, v, a in rows],
    }
