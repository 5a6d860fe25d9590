"""Demo data (API.md): loaded by scripts/serve into an empty database, development only."""
from datetime import date, timedelta

from app.domain.idcard import make_id_number
from app.extensions import db
from app.models import (
    Account,
    Activity,
    ClockEvent,
    Enrollment,
    OrgAdmin,
    Organisation,
    ServiceRecord,
    Volunteer,
)
from app.security.passwords import hash_password
from app.services.unit_of_work import use_case
from app.timeutil import local_date, utcnow

DEMO_PASSWORD = "Demo@2026"
SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪郭邱曾廖赖徐周叶苏庄"
GIVEN = ["小明", "嘉欣", "子豪", "晓琳", "志强", "美玲", "俊杰", "雅婷", "文杰", "慧敏",
         "家豪", "欣怡", "伟明", "思琪", "浩然", "诗涵", "建华", "丽娟", "国栋", "婉清",
         "梓轩", "可欣", "宇航", "静怡"]


def is_empty():
    return db.session.execute(db.select(Organisation.id).limit(1)).first() is None


@use_case
def load_demo_data():
    """Creates the demo organisations, accounts, volunteers and activities in one commit."""
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()

    province = _org("广东省志愿者联合会", "province", None, "440000", regional_authority=True)
    city = _org("广州市志愿者协会", "city", province, "440100", regional_authority=True)
    team = _org("东山街志愿服务队", "team", city, "440104")
    admins = {}
    for username, org, name in (
        ("demo-province-admin", province, "省级管理员"),
        ("demo-city-admin", city, "市级管理员"),
        ("demo-admin", team, "东山街管理员"),
    ):
        account = Account(username=username, real_name=name, password_hash=password_hash, is_demo=True)
        db.session.add(account)
        db.session.flush()
        db.session.add(OrgAdmin(org_id=org.id, account_id=account.id))
        admins[username] = account

    volunteers = []
    for i in range(24):
        username = "demo-volunteer" if i == 0 else f"demo-v{i:02d}"
        status = "pending" if i >= 20 else "approved"
        home = team if (i % 3 != 2 or status == "pending") else city
        account = Account(
            username=username,
            real_name=SURNAMES[i % len(SURNAMES)] + GIVEN[i],
            gender="male" if i % 2 else "female",
            id_type="mainland_id",
            password_hash=password_hash,
            is_demo=True,
        )
        account.id_number = make_id_number("440104", date(1990 + i % 15, 1 + i % 12, 1 + i % 27), 100 + i)
        account.phone = f"1380000{i:04d}"
        account.email = f"{username}@demo.izyz.local"
        db.session.add(account)
        db.session.flush()
        volunteer = Volunteer(
            account_id=account.id,
            volunteer_number=f"44{20260000 + i:010d}",
            home_org_id=home.id,
            review_status=status,
            reviewed_at=now if status == "approved" else None,
            reviewed_by=admins["demo-admin"].id if status == "approved" else None,
            identity_check_status="passed",
            identity_checked_at=now,
            education="本科",
            service_intentions=["网络文明", "社区服务"],
            agreed_at=now,
            face_checked_at=now - timedelta(days=3) if (status == "approved" and i < 12) else None,
            face_checked_by=admins["demo-admin"].id if (status == "approved" and i < 12) else None,
        )
        db.session.add(volunteer)
        volunteers.append(volunteer)
        if status == "approved":
            home.volunteer_count += 1
    db.session.flush()

    def activity(title, start, hours, enroll_start, enroll_end, quota, family=False, category="社区服务"):
        item = Activity(
            org_id=team.id,
            title=title,
            description=f"{title}：欢迎热心市民参与。",
            service_category=category,
            region_code="440104",
            address="广州市越秀区东山街道署前路",
            latitude=23.1235,
            longitude=113.2950,
            radius_m=500,
            enroll_start=enroll_start,
            enroll_end=enroll_end,
            start_at=start,
            end_at=start + timedelta(hours=hours),
            quota=quota,
            contact_name="东山街管理员",
            is_family=family,
            created_by=admins["demo-admin"].id,
        )
        db.session.add(item)
        team.activity_count += 1
        return item

    open_activity = activity("社区垃圾分类宣传", now + timedelta(days=5), 4,
                             now - timedelta(days=2), now + timedelta(days=3), 30)
    running = activity("东山街长者关爱探访", now - timedelta(hours=1), 6,
                       now - timedelta(days=10), now - timedelta(days=1), 20)
    ended = activity("越秀公园环保清洁", now - timedelta(days=7), 3,
                     now - timedelta(days=20), now - timedelta(days=8), 15, category="环境保护")
    family = activity("亲子图书馆志愿体验", now + timedelta(days=9), 3,
                      now - timedelta(days=1), now + timedelta(days=7), 10, family=True,
                      category="亲子体验")
    db.session.flush()

    approved = [v for v in volunteers if v.review_status == "approved"]
    face_checked = [v for v in approved if v.face_checked_at is not None]
    for v in face_checked[:6]:
        _enroll(running, v, "admitted", admins["demo-admin"].id)
    for v in approved[12:15]:
        _enroll(open_activity, v, "pending", None)
    for v in approved[15:17]:
        _enroll(family, v, "pending", None)
    for offset, v in enumerate(face_checked[1:9]):
        _enroll(ended, v, "admitted", admins["demo-admin"].id)
        checkin_at = ended.start_at + timedelta(minutes=5 + offset)
        checkout_at = ended.end_at - timedelta(minutes=offset * 3)
        minutes = int((checkout_at - checkin_at).total_seconds() // 60)
        day = local_date(checkin_at)
        checkin = ClockEvent(activity_id=ended.id, volunteer_id=v.id, kind="checkin", at=checkin_at,
                             service_day=day, session_no=1, source="miniprogram")
        checkout = ClockEvent(activity_id=ended.id, volunteer_id=v.id, kind="checkout", at=checkout_at,
                              service_day=day, session_no=1, source="miniprogram", minutes=minutes)
        db.session.add_all([checkin, checkout])
        db.session.flush()
        db.session.add(ServiceRecord(
            volunteer_id=v.id, activity_id=ended.id, org_id=team.id, minutes=minutes, source="clock",
            service_day=day, checkin_event_id=checkin.id, checkout_event_id=checkout.id,
            status="effective", recorded_at=checkout_at, public_until=checkout_at + timedelta(days=365),
        ))
        v.total_minutes += minutes
        team.total_minutes += minutes
    return {"organisations": 3, "volunteers": len(volunteers), "activities": 4}


def _org(name, category, parent, region, regional_authority=False):
    org = Organisation(name=name, category=category, parent_id=parent.id if parent else None,
                       region_code=region, regional_authority=regional_authority, status="approved")
    db.session.add(org)
    db.session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    return org


def _enroll(activity, volunteer, status, admin_id):
    db.session.add(Enrollment(activity_id=activity.id, volunteer_id=volunteer.id, status=status,
                              decided_by=admin_id, decided_at=utcnow() if admin_id else None))
    activity.taken_count += 1


def today_local():
    return local_date(utcnow())
