"""The city-service pages through the Flask test client: WeChat's OAuth played by the emulator,
and a small world of an organisation, its admin, volunteers and activities in every state."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests

from app.extensions import db
from app.services import records, wechat_identity
from app.timeutil import utcnow
from scripts.emulator import openid_for


def oauth_login(client, emulator, user, path="/h5/"):
    """Open `path` as WeChat user `user`: through the emulator's authorize page and back.
    Returns the final response (the page wanted)."""
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": user}, timeout=5)
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    authorize = response.headers["Location"]
    assert authorize.startswith(emulator.url + "/connect/oauth2/authorize")
    assert "scope=snsapi_base" in authorize
    back = requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"]
    parts = urlsplit(back)
    assert parts.path == "/h5/oauth/callback"
    landing = client.get(f"{parts.path}?{parts.query}")
    assert landing.status_code == 302, landing.get_data(as_text=True)
    return client.get(landing.headers["Location"])


def bind(app, user, account_id):
    wechat_identity.bind(wechat_identity.MP, openid_for(app.config["WECHAT_APPID"], user), account_id)
    db.session.commit()


class World:
    """An organisation with an admin and volunteers, and an activity in each state."""

    def __init__(self, app, factories):
        self.org = factories.org(name="东山街志愿服务队")
        self.admin = factories.admin(self.org, username="h5-admin")
        self.volunteer = factories.volunteer(self.org, face_checked=True, username="h5-vol", real_name="李小明")
        self.applicant = factories.volunteer(self.org, real_name="王芳")
        self.newcomer = factories.volunteer(self.org, status="pending", real_name="陈新")
        self.open = factories.activity(self.org, title="社区垃圾分类宣传", region_code="440104",
                                       address="东山街署前路")
        self.family = factories.activity(self.org, title="亲子图书馆志愿体验", is_family=True,
                                         starts_in=timedelta(days=5))
        # Online (no position required): the pages' browser has no WeChat, so no position to send.
        self.running = factories.activity(self.org, title="长者关爱探访", starts_in=-timedelta(minutes=30), hours=3,
                                          require_location=False)
        self.ended = factories.activity(self.org, title="越秀公园环保清洁", starts_in=-timedelta(days=3), hours=2)
        factories.enroll(self.running, self.volunteer)
        factories.enroll(self.running, self.applicant, status="pending")
        factories.enroll(self.ended, self.volunteer)
        records.add_record(self.volunteer, self.ended, 120, "clock", utcnow())
        db.session.commit()
        bind(app, "h5-admin", self.admin.id)
        bind(app, "h5-vol", self.volunteer.account_id)


@pytest.fixture
def world(app, factories):
    return World(app, factories)
