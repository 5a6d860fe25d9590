"""Helpers shared by the activity and enrollment tests."""
from datetime import timedelta

from app.extensions import db
from app.models import WechatIdentity
from app.services.sessions import issue_token
from app.timeutil import to_iso, utcnow


def bearer(account_or_volunteer):
    """A session for the account without a password round (fast enough for hundreds)."""
    account_id = getattr(account_or_volunteer, "account_id", None) or account_or_volunteer.id
    token, _ = issue_token(3600, account_id=account_id)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def bind_mp(volunteer, openid=None):
    """The volunteer follows the service account and bound it: template messages reach them."""
    openid = openid or f"o-mp-{volunteer.id}"
    db.session.add(WechatIdentity(app="mp", openid=openid, account_id=volunteer.account_id, subscribed=True))
    db.session.commit()
    return openid


def activity_body(**overrides):
    """A valid publish body: enrollment open now, the activity in three days."""
    now = utcnow()
    body = {
        "title": "社区垃圾分类宣传",
        "description": "在社区宣传垃圾分类。",
        "service_category": "社区服务",
        "region_code": "440104",
        "address": "广州市越秀区东山街道署前路",
        "latitude": 23.1235,
        "longitude": 113.295,
        "radius_m": 300,
        "require_location": True,
        "cover_url": "https://example.org/cover.jpg",
        "enroll_start": to_iso(now - timedelta(hours=1)),
        "enroll_end": to_iso(now + timedelta(days=2)),
        "start_at": to_iso(now + timedelta(days=3)),
        "end_at": to_iso(now + timedelta(days=3, hours=4)),
        "quota": 10,
        "contact_name": "王老师",
        "contact_phone": "13800138000",
        "is_family": False,
    }
    body.update(overrides)
    return body


def code(response):
    return response.json["error"]["code"]
