"""What a volunteer asks the service account about themself: hours, stars, recent activities.
Plain values out; the callback's replies turn them into text."""
from app.domain.stars import STAR_THRESHOLDS_HOURS, star_level
from app.extensions import db
from app.models import Account, Activity, Enrollment, Volunteer


def hours_of(account_id):
    """→ {"name", "total_minutes", "level", "next_threshold_hours"} or None (not a volunteer)."""
    row = db.session.execute(
        db.select(Account.real_name, Volunteer.total_minutes)
        .join(Volunteer, Volunteer.account_id == Account.id)
        .where(Account.id == account_id)
    ).first()
    if row is None:
        return None
    total = int(row.total_minutes or 0)
    level = star_level(total)
    return {"name": row.real_name, "total_minutes": total, "level": level,
            "next_threshold_hours": STAR_THRESHOLDS_HOURS[level] if level < 5 else None}


def recent_activities(account_id, limit=5):
    """The volunteer's latest enrollments, newest activity first: [{"title", "start_at", "status"}]."""
    rows = db.session.execute(
        db.select(Activity.title, Activity.start_at, Enrollment.status)
        .join(Enrollment, Enrollment.activity_id == Activity.id)
        .join(Volunteer, Volunteer.id == Enrollment.volunteer_id)
        .where(Volunteer.account_id == account_id)
        .order_by(Activity.start_at.desc())
        .limit(limit)
    ).all()
    return [{"title": r.title, "start_at": r.start_at, "status": r.status} for r in rows]


def activity_title(activity_id):
    return db.session.execute(db.select(Activity.title).filter_by(id=activity_id)).scalar_one_or_none()
