"""The volunteer's and the admin's pages through the test client: each form does what it says
(with the session's CSRF token) and a refusal is a Chinese message, never a stack trace."""
import pytest

from app.extensions import db
from app.models import CardApplication, Enrollment, Invitation, Objection, Volunteer
from app.services import clock_codes
from tests.factories import PASSWORD
from tests.h5.conftest import oauth_login


def token(client):
    with client.session_transaction() as session:
        return session["wx_bind_csrf"]


def post(client, path, **data):
    return client.post(path, data={"csrf": token(client), **data})


def test_the_volunteer_edits_profile_changes_password_applies_for_a_card_and_objects(client, world, emulator):
    oauth_login(client, emulator, "h5-vol", "/h5/me/")
    saved = post(client, "/h5/me/profile", email="li@example.org", education="本科", gender="male")
    assert saved.status_code == 302
    assert "资料已保存" in client.get("/h5/me/profile").get_data(as_text=True)
    bad = post(client, "/h5/me/profile", email="not-an-email")
    assert bad.status_code == 422 and "邮箱格式不正确" in bad.get_data(as_text=True)

    wrong = post(client, "/h5/me/password", old_password="nope", new_password="NewPassw0rd",
                 new_password_again="NewPassw0rd")
    assert wrong.status_code == 403 and "原密码不正确" in wrong.get_data(as_text=True)
    changed = post(client, "/h5/me/password", old_password=PASSWORD, new_password="NewPassw0rd",
                   new_password_again="NewPassw0rd")
    assert changed.status_code == 302

    applied = post(client, "/h5/me/card", bank="boc", card_type="debit", delivery_name="李小明",
                   delivery_phone="13912345678", delivery_address="广州市越秀区东山街")
    assert applied.status_code == 302
    assert "已提交" in client.get("/h5/me/card").get_data(as_text=True)

    board = client.get("/h5/board/").get_data(as_text=True)
    assert "越秀公园环保清洁" in board and "李**" in board
    record_link = board.split('href="/h5/board/records/')[1].split('"')[0]
    filed = post(client, f"/h5/board/records/{record_link}", text="实际只服务了一小时", contact="")
    assert filed.status_code == 302

    code = client.get("/h5/me/code.png")
    assert code.status_code == 200 and code.mimetype == "image/png"
    db.session.commit()
    profile = db.session.get(Volunteer, world.volunteer.id)
    assert profile.education == "本科"
    assert db.session.execute(db.select(CardApplication)).scalar_one().volunteer_id == world.volunteer.id
    assert db.session.execute(db.select(Objection)).scalar_one().text == "实际只服务了一小时"


def test_the_admin_scans_a_personal_code_and_runs_the_roster(client, world, emulator, factories):
    oauth_login(client, emulator, "h5-admin", "/h5/")
    running = world.running.id
    personal = clock_codes.personal_code(world.volunteer.account)["code"]
    scanned = post(client, f"/h5/admin/activities/{running}/scan", code=personal)
    assert scanned.status_code == 200 and "签到成功" in scanned.get_data(as_text=True)
    forged = post(client, f"/h5/admin/activities/{running}/scan", code="P" + "A" * 28)
    assert forged.status_code >= 400 and 'role="alert"' in forged.get_data(as_text=True)

    fresh = client.get(f"/h5/admin/activities/{running}/code.json?kind=checkout").get_json()
    assert fresh["ok"] and fresh["code"].startswith("C") and fresh["image_url"].endswith(".png")
    future = client.get(f"/h5/admin/activities/{world.open.id}/code.json").get_json()
    assert future == {"ok": False, "code": "CLOCK_CODE_NOT_YET", "message": future["message"]}
    refused = client.get(f"/h5/admin/activities/{world.open.id}/code")
    assert refused.status_code == 409 and "不能生成签到/签退码" in refused.get_data(as_text=True)

    removed = post(client, f"/h5/admin/activities/{running}/decisions", action="remove",
                   volunteer_id=str(world.applicant.id))
    assert removed.status_code == 302
    assert "已移除 1 人" in client.get(removed.headers["Location"]).get_data(as_text=True)

    other = factories.volunteer(world.org, real_name="周到")
    listed = client.get(f"/h5/admin/activities/{world.open.id}/invitations?name=周").get_data(as_text=True)
    assert "周到" in listed
    invited = post(client, f"/h5/admin/activities/{world.open.id}/invitations", volunteer_id=str(other.id))
    assert "已邀请 1 人" in client.get(invited.headers["Location"]).get_data(as_text=True)

    pending = client.get("/h5/admin/reviews").get_data(as_text=True)
    assert "陈新" in pending
    no_reason = post(client, f"/h5/admin/reviews/{world.newcomer.id}", decision="reject", name="陈新")
    assert "陈新：" in client.get(no_reason.headers["Location"]).get_data(as_text=True)
    approved = post(client, f"/h5/admin/reviews/{world.newcomer.id}", decision="approve", name="陈新")
    assert "已通过 陈新 的注册" in client.get(approved.headers["Location"]).get_data(as_text=True)

    db.session.commit()
    status = db.session.execute(db.select(Enrollment.status).filter_by(
        activity_id=running, volunteer_id=world.applicant.id)).scalar_one()
    assert status == "removed"
    assert db.session.execute(db.select(Invitation.volunteer_id)).scalar_one() == other.id
    assert db.session.get(Volunteer, world.newcomer.id).review_status == "approved"


def test_another_organisations_activity_is_not_found_for_an_admin(client, world, emulator, factories):
    elsewhere = factories.activity(factories.org(), title="别处的活动")
    oauth_login(client, emulator, "h5-admin", "/h5/")
    page = client.get(f"/h5/admin/activities/{elsewhere.id}")
    assert page.status_code == 404 and "请求的资源不存在" in page.get_data(as_text=True)


@pytest.mark.parametrize("name,value", [("start_from", "0001-01-01"), ("start_to", "9999-12-31"),
                                        ("start_from", "1999-12-31"), ("start_to", "2101-01-01")])
def test_a_search_day_outside_the_years_is_dropped_not_a_500(client, world, emulator, name, value):
    oauth_login(client, emulator, "h5-vol")
    page = client.get("/h5/activities/", query_string={name: value})
    assert page.status_code == 200
    assert "社区垃圾分类宣传" in page.get_data(as_text=True)  # the filter was dropped, the list shown
