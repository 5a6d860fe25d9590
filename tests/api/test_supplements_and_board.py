"""补录 with proof files and the parent's approval; the public board, objections and their
resolution (keep / amend / revoke), with totals and stars correct throughout."""
import io
from datetime import timedelta
from pathlib import Path

from app.extensions import db
from app.models import AuditLog, OrgAdmin, Organisation, ServiceRecord, SupplementEntry, Volunteer, WechatIdentity
from app.timeutil import utcnow
from tests.files import PDF, PNG


def error_code(response):
    return response.json["error"]["code"]


def tree(factories, client, hours=120):
    city = factories.org("市志愿者协会", category="city")
    team = factories.org("东山街志愿服务队", parent=city)
    team_admin, city_admin = factories.admin(team), factories.admin(city)
    activity = factories.activity(team, starts_in=-timedelta(hours=2), hours=hours, enroll_open=False,
                                  title="长期社区服务")
    volunteer = factories.volunteer(team, face_checked=True, real_name="林晓琳")
    factories.enroll(activity, volunteer)
    return (team, city, activity, volunteer, factories.login(client, team_admin), factories.login(client, city_admin))


def enter(
    client, headers, activity, volunteer_id, minutes, files=(("proof.png", PNG),), note="扫码失败，现场签到表为证"
):
    data = {
        "volunteer_id": str(volunteer_id),
        "minutes": str(minutes),
        "note": note,
        "files": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(
        f"/api/v1/admin/activities/{activity.id}/supplements",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )


def totals(volunteer, org):
    db.session.expire_all()
    return db.session.get(Volunteer, volunteer.id).total_minutes, db.session.get(Organisation, org.id).total_minutes


def test_supplement_entered_with_proof_then_approved_by_the_parent(client, factories, app):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client)
    entered = enter(client, team_h, activity, volunteer.id, 90, files=[("a.png", PNG), ("b.pdf", PDF)])
    assert entered.status_code == 201, entered.json
    entry = entered.json
    assert entry["status"] == "pending" and len(entry["proof_files"]) == 2
    stored = db.session.get(SupplementEntry, entry["id"]).proof_files
    upload_dir = Path(app.config["UPLOAD_DIR"])
    for item in stored:
        path = upload_dir / item["path"]
        assert path.is_file() and "templates" not in str(path) and "static" not in str(path)
    assert stored[1]["content_type"] == "application/pdf"
    assert totals(volunteer, team) == (0, 0)  # pending entries do not count

    # The activity's own admin cannot approve its own entry; the parent can.
    own = client.post(f"/api/v1/admin/supplements/{entry['id']}/decision", json={"approve": True}, headers=team_h)
    assert own.status_code == 404
    listed = client.get("/api/v1/admin/supplements?status=pending", headers=city_h).json["items"]
    assert [e["id"] for e in listed] == [entry["id"]]
    proof = client.get(f"/api/v1/admin/supplements/{entry['id']}/proofs/0", headers=city_h)
    assert proof.status_code == 200 and proof.data == PNG and proof.mimetype == "image/png"
    approved = client.post(f"/api/v1/admin/supplements/{entry['id']}/decision", json={"approve": True}, headers=city_h)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    again = client.post(f"/api/v1/admin/supplements/{entry['id']}/decision", json={"approve": True}, headers=city_h)
    assert error_code(again) == "SUPPLEMENT_ALREADY_DECIDED"
    record = db.session.execute(db.select(ServiceRecord)).scalar_one()
    assert (record.source, record.minutes, record.supplement_id) == ("supplement", 90, entry["id"])
    assert totals(volunteer, team) == (90, 90)
    assert db.session.execute(db.select(AuditLog).filter_by(action="supplement.approve")).first()


def test_rejected_supplement_needs_a_reason_and_never_counts(client, factories):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client)
    entry = enter(client, team_h, activity, volunteer.id, 60).json
    no_reason = client.post(
        f"/api/v1/admin/supplements/{entry['id']}/decision", json={"approve": False}, headers=city_h
    )
    assert error_code(no_reason) == "REASON_REQUIRED"
    rejected = client.post(
        f"/api/v1/admin/supplements/{entry['id']}/decision",
        json={"approve": False, "reason": "证明材料不清晰"},
        headers=city_h,
    )
    assert rejected.json["status"] == "rejected" and rejected.json["reject_reason"] == "证明材料不清晰"
    assert db.session.execute(db.select(ServiceRecord)).first() is None
    assert totals(volunteer, team) == (0, 0)


def test_supplement_refusals(client, factories):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client, hours=3)
    not_checked = factories.volunteer(team)
    factories.enroll(activity, not_checked)
    not_admitted = factories.volunteer(team, face_checked=True)
    factories.enroll(activity, not_admitted, status="pending")
    future = factories.activity(team, starts_in=timedelta(days=2))
    factories.enroll(future, volunteer)
    cases = [
        (
            enter(client, team_h, activity, volunteer.id, 30, files=[("x.png", b"GIF89a" + b"0" * 50)]),
            415,
            "SUPPLEMENT_PROOF_TYPE",
        ),
        (
            enter(client, team_h, activity, volunteer.id, 30, files=[("fake.pdf", b"<html>not a pdf</html>")]),
            415,
            "SUPPLEMENT_PROOF_TYPE",
        ),
        (enter(client, team_h, activity, volunteer.id, 30, files=[]), 422, "SUPPLEMENT_PROOF_REQUIRED"),
        (
            enter(client, team_h, activity, volunteer.id, 30, files=[("big.png", PNG + b"0" * (5 * 1024 * 1024))]),
            413,
            "SUPPLEMENT_PROOF_TOO_LARGE",
        ),
        (enter(client, team_h, activity, volunteer.id, 181), 422, "SUPPLEMENT_MINUTES_INVALID"),
        (enter(client, team_h, activity, not_checked.id, 30), 409, "SUPPLEMENT_NOT_FACE_CHECKED"),
        (enter(client, team_h, activity, not_admitted.id, 30), 409, "SUPPLEMENT_NOT_ADMITTED"),
        (enter(client, team_h, future, volunteer.id, 30), 409, "SUPPLEMENT_TOO_EARLY"),
        (enter(client, city_h, activity, volunteer.id, 0), 422, "VALIDATION_ERROR"),
    ]
    for response, status, code in cases:
        assert (response.status_code, error_code(response)) == (status, code), response.json
    stranger = factories.login(client, factories.admin(factories.org()))
    assert enter(client, stranger, activity, volunteer.id, 30).status_code == 404
    # Entries together may not exceed the activity's own time (180 minutes).
    assert enter(client, team_h, activity, volunteer.id, 120).status_code == 201
    assert error_code(enter(client, team_h, activity, volunteer.id, 61)) == "SUPPLEMENT_MINUTES_INVALID"
    assert db.session.execute(db.select(db.func.count(SupplementEntry.id))).scalar_one() == 1


def test_board_objection_rate_limit_and_resolutions_keep_totals_and_stars_right(client, factories, run_jobs, emulator):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client, hours=200)
    admin_id = db.session.execute(db.select(OrgAdmin.account_id).filter_by(org_id=team.id)).scalar_one()
    db.session.add(WechatIdentity(app="mp", openid="o-admin", account_id=admin_id, subscribed=True))
    db.session.commit()
    # Two approved entries: 100 h 5 min (一星) and 50 minutes.
    ids = []
    for minutes in (6005, 50):
        entry = enter(client, team_h, activity, volunteer.id, minutes).json
        client.post(f"/api/v1/admin/supplements/{entry['id']}/decision", json={"approve": True}, headers=city_h)
        ids.append(entry["id"])
    vol_h = factories.login(client, volunteer)
    mine = client.get("/api/v1/me/records", headers=vol_h).json
    assert (mine["total_minutes"], mine["star_level"], mine["star_label"]) == (6055, 1, "一星")

    board = client.get(f"/api/v1/hours-board?activity_id={activity.id}").json["items"]
    assert {b["minutes"] for b in board} == {6005, 50} and all(b["volunteer_name"] == "林**" for b in board)
    big = next(b for b in board if b["minutes"] == 6005)

    filed = client.post("/api/v1/objections", json={"record_id": big["record_id"], "text": "当天此人并未到场服务"})
    assert filed.status_code == 201
    run_jobs()
    notices = [m for m in emulator.state.sent if m["template_id"] == "TPL_OBJECTION_FILED"]
    assert len(notices) == 1 and notices[0]["touser"] == "o-admin"
    assert notices[0]["data"]["keyword2"]["value"] == "林**"

    objections = client.get("/api/v1/admin/objections", headers=team_h).json["items"]
    assert [o["id"] for o in objections] == [filed.json["id"]]
    stranger = factories.login(client, factories.admin(factories.org()))
    assert (
        client.post(
            f"/api/v1/admin/objections/{filed.json['id']}/resolution", json={"action": "keep"}, headers=stranger
        ).status_code
        == 404
    )
    # Amend 6005 → 5000: the volunteer drops below 一星, the organisation's total follows.
    no_note = client.post(
        f"/api/v1/admin/objections/{filed.json['id']}/resolution",
        json={"action": "amend", "minutes": 5000},
        headers=team_h,
    )
    assert error_code(no_note) == "REASON_REQUIRED"
    amended = client.post(
        f"/api/v1/admin/objections/{filed.json['id']}/resolution",
        json={"action": "amend", "minutes": 5000, "note": "按签到表核减"},
        headers=team_h,
    )
    assert amended.status_code == 200 and amended.json["status"] == "amended"
    assert totals(volunteer, team) == (5050, 5050)
    assert client.get("/api/v1/me/records", headers=vol_h).json["star_level"] == 0
    twice = client.post(
        f"/api/v1/admin/objections/{filed.json['id']}/resolution", json={"action": "keep"}, headers=team_h
    )
    assert error_code(twice) == "OBJECTION_ALREADY_RESOLVED"

    # Another objection, kept: nothing changes. A third, revoked: the record leaves board and totals.
    small = next(b for b in board if b["minutes"] == 50)
    kept = client.post("/api/v1/objections", json={"record_id": small["record_id"], "text": "时长似乎偏多"}).json
    assert (
        client.post(f"/api/v1/admin/objections/{kept['id']}/resolution", json={"action": "keep"}, headers=team_h).json[
            "status"
        ]
        == "kept"
    )
    assert totals(volunteer, team) == (5050, 5050)
    revoke = client.post("/api/v1/objections", json={"record_id": small["record_id"], "text": "重复录入的记录"}).json
    revoked = client.post(
        f"/api/v1/admin/objections/{revoke['id']}/resolution",
        json={"action": "revoke", "note": "重复录入"},
        headers=team_h,
    )
    assert revoked.json["status"] == "revoked" and revoked.json["record_status"] == "deleted"
    assert totals(volunteer, team) == (5000, 5000)
    board = client.get(f"/api/v1/hours-board?activity_id={activity.id}").json["items"]
    assert [b["minutes"] for b in board] == [5000] and board[0]["amended"] is True
    gone = client.post("/api/v1/objections", json={"record_id": small["record_id"], "text": "已删除的记录"})
    assert error_code(gone) == "OBJECTION_RECORD_NOT_PUBLIC"
    audits = db.session.execute(db.select(AuditLog.detail).filter_by(action="objection.resolve")).scalars().all()
    assert sorted(a["action"] for a in audits) == ["amend", "keep", "revoke"]

    # Rate limit per IP: 5 in 10 minutes (this client has filed 4 so far, one refused above).
    assert (
        client.post("/api/v1/objections", json={"record_id": big["record_id"], "text": "第五条异议内容"}).status_code
        == 201
    )
    limited = client.post("/api/v1/objections", json={"record_id": big["record_id"], "text": "第六条异议内容"})
    assert (limited.status_code, error_code(limited)) == (429, "RATE_LIMITED")
    other_ip = client.post(
        "/api/v1/objections",
        json={"record_id": big["record_id"], "text": "另一个地址的异议"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other_ip.status_code == 201


def test_records_leave_the_board_after_a_year(client, factories):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client)
    entry = enter(client, team_h, activity, volunteer.id, 30).json
    client.post(f"/api/v1/admin/supplements/{entry['id']}/decision", json={"approve": True}, headers=city_h)
    record = db.session.execute(db.select(ServiceRecord)).scalar_one()
    record.public_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/hours-board").json["items"] == []
    late = client.post("/api/v1/objections", json={"record_id": record.id, "text": "一年以前的记录"})
    assert error_code(late) == "OBJECTION_RECORD_NOT_PUBLIC"
    assert client.get("/api/v1/me/records", headers=factories.login(client, volunteer)).json["total_minutes"] == 30
