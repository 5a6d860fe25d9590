"""Factories that tests call to make organisations, admins, volunteers and activities.

Each returns committed rows; `login` returns the Authorization header for an account.
"""
import itertools
from datetime import date, timedelta

from app.domain.idcard import make_id_number
from app.extensions import db
from app.models import Account, Activity, Enrollment, OrgAdmin, Organisation, Volunteer
from app.security.passwords import hash_password
from app.timeutil import utcnow

PASSWORD = "Passw0rd!"
_counter = itertools.count(1)
_password_hash = None


def password_hash():
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    return _password_hash


class Factories:
    def __init__(self, app):
        self.app = app

    def org(self, name=None, parent=None, category="team", regional_authority=False, region_code="440104"):
        n = next(_counter)
        org = Organisation(name=name or f"测试组织{n}", category=category,
                           parent_id=parent.id if parent else None, region_code=region_code,
                           regional_authority=regional_authority, status="approved")
        db.session.add(org)
        db.session.flush()
        org.path = (parent.path if parent else "/") + f"{org.id}/"
        db.session.commit()
        return org

    def account(self, username=None, **fields):
        n = next(_counter)
        account = Account(username=username or f"user{n}", password_hash=password_hash(),
                          real_name=fields.pop("real_name", f"测试{n}"), **fields)
        db.session.add(account)
        db.session.commit()
        return account

    def admin(self, org, username=None):
        account = self.account(username=username)
        db.session.add(OrgAdmin(org_id=org.id, account_id=account.id))
        db.session.commit()
        return account

    def volunteer(self, org, status="approved", face_checked=False, username=None, real_name=None,
                  id_number=None, phone=None, identity="passed", gender="female"):
        n = next(_counter)
        account = Account(username=username or f"vol{n}", password_hash=password_hash(),
                          real_name=real_name or f"志愿者{n}", gender=gender, id_type="mainland_id")
        account.id_number = id_number or make_id_number("440104", date(1995, 1 + n % 12, 1 + n % 28), n % 1000)
        account.phone = phone or f"139{n:08d}"
        db.session.add(account)
        db.session.flush()
        volunteer = Volunteer(account_id=account.id, volunteer_number=f"44{n:010d}", home_org_id=org.id,
                              review_status=status, identity_check_status=identity,
                              face_checked_at=utcnow() if face_checked else None)
        db.session.add(volunteer)
        db.session.commit()
        return volunteer

    def activity(self, org, starts_in=timedelta(days=3), hours=4, enroll_open=True, quota=10, **fields):
        now = utcnow()
        start = now + starts_in
        if enroll_open:
            enroll_start, enroll_end = now - timedelta(days=1), min(start, now + timedelta(days=1))
        else:
            enroll_start, enroll_end = start - timedelta(days=10), start - timedelta(days=5)
        activity = Activity(org_id=org.id, title=fields.pop("title", "测试活动"),
                            enroll_start=fields.pop("enroll_start", enroll_start),
                            enroll_end=fields.pop("enroll_end", enroll_end),
                            start_at=start, end_at=start + timedelta(hours=hours), quota=quota,
                            latitude=fields.pop("latitude", 23.1235),
                            longitude=fields.pop("longitude", 113.2950), **fields)
        db.session.add(activity)
        db.session.commit()
        return activity

    def enroll(self, activity, volunteer, status="admitted"):
        enrollment = Enrollment(activity_id=activity.id, volunteer_id=volunteer.id, status=status)
        activity.taken_count += 1
        db.session.add(enrollment)
        db.session.commit()
        return enrollment

    def login(self, client, account_or_volunteer, password=PASSWORD):
        account = getattr(account_or_volunteer, "account", None) or account_or_volunteer
        response = client.post("/api/v1/auth/login", json={"account": account.username, "password": password})
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}
