"""面验: an admin confirms face to face that a volunteer is who their registration says, once
and for good. Clocking in needs it (app/domain/clocking.py)."""
from app.errors import DomainError
from app.extensions import db
from app.models import Volunteer
from app.services import authz
from app.services.activities import managed_activity
from app.services.enrollment import enrollment_of
from app.services.unit_of_work import use_case
from app.timeutil import to_iso, utcnow


@use_case
def mark_checked(admin, volunteer_id, activity_id):
    """Mark a volunteer enrolled in one of the admin's activities as identity-checked, for good."""
    activity = managed_activity(admin, activity_id)
    # A volunteer id that does not exist answers exactly like one not enrolled in this activity:
    # the admin learns nothing about volunteers outside their own rosters.
    volunteer = db.session.get(Volunteer, volunteer_id)
    enrollment = enrollment_of(activity.id, volunteer.id) if volunteer is not None else None
    if enrollment is None or enrollment.status not in ("pending", "admitted"):
        raise DomainError("VOLUNTEER_NOT_ENROLLED")
    if volunteer.face_checked_at is not None:
        raise DomainError("FACE_CHECK_DONE", checked_at=to_iso(volunteer.face_checked_at))
    # A conditional update: of two admins checking at once, exactly one succeeds.
    changed = db.session.execute(
        db.update(Volunteer).where(Volunteer.id == volunteer.id, Volunteer.face_checked_at.is_(None))
        .values(face_checked_at=utcnow(), face_checked_by=admin.id, face_checked_activity_id=activity.id)
    ).rowcount
    if changed != 1:
        raise DomainError("FACE_CHECK_DONE")
    authz.audit(admin, "volunteer.face_check", org_id=activity.org_id, target_type="volunteer",
                target_id=volunteer.id, detail={"activity_id": activity.id})
    return volunteer  # expired by the commit: read afresh with what was written
