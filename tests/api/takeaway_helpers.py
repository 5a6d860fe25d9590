"""Helpers for the certificate, export, transfer, report and message-centre tests: service records
made the way the clock and 补录 make them (app/services/records.py add_record)."""
from datetime import date, timedelta

from app.extensions import db
from app.models import Activity, Volunteer
from app.services.records import add_record
from app.timeutil import utcnow


def record(volunteer, activity, minutes, day=None, source="clock"):
    """An effective record of `minutes` on `day` (default: the activity's start), committed."""
    volunteer = db.session.get(Volunteer, volunteer.id)
    activity = db.session.get(Activity, activity.id)
    made = add_record(volunteer, activity, minutes, source, utcnow(),
                      service_day=day or activity.start_at.date())
    db.session.commit()
    return made


def past_activity(factories, org, title, days_ago=30, hours=6, category=None):
    return factories.activity(org, starts_in=-timedelta(days=days_ago), hours=hours, enroll_open=False,
                              title=title, service_category=category)


def day(text):
    return date.fromisoformat(text)
