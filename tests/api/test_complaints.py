"""投诉 / 举报: filed with text and optional images, handled by the organisation above the target
with a resolution and a notice; the complainant sees the state; others see nothing."""
import io

from PIL import Image

from app.extensions import db
from app.models import AuditLog, OutboxMessage
from tests.activity_helpers import bind_mp
from tests.api.accounts_helpers import error_code


def png(size=(800, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def file(client, headers, target_type, target_id, text="活动现场组织混乱，要求整改。", kind="complaint", images=()):
    data = {"kind": kind, "target_type": target_type, "target_id": str(target_id), "text": text}
    if images:
        data["images"] = [(io.BytesIO(content), f"p{n}.png") for n, content in enumerate(images)]
    return client.post("/api/v1/complaints", data=data, headers=headers, content_type="multipart/form-data")


def test_a_complaint_against_an_activity_is_resolved_by_its_organisation(client, factories, app):
    city = factories.org("广州市志愿者协会")
    team = factories.org("东山街志愿服务队", parent=city)
    other = factories.org("别的队")
    activity = factories.activity(team)
    volunteer = factories.volunteer(other)
    bind_mp(volunteer)
    headers = factories.login(client, volunteer)

    filed = file(client, headers, "activity", activity.id, images=[png(), png((3000, 1000))])
    assert filed.status_code == 201, filed.json
    assert (filed.json["status"], filed.json["status_label"], filed.json["image_count"]) == ("pending", "待处理", 2)
    complaint_id = filed.json["id"]

    team_admin = factories.login(client, factories.admin(team))
    stranger = factories.login(client, factories.admin(other))
    assert client.get("/api/v1/admin/complaints", headers=stranger).json["items"] == []
    assert client.post(f"/api/v1/admin/complaints/{complaint_id}/resolution", json={"resolution": "已处理"},
                       headers=stranger).status_code == 404
    assert client.get(f"/api/v1/admin/complaints/{complaint_id}/images/1", headers=stranger).status_code == 404

    [listed] = client.get("/api/v1/admin/complaints?status=pending", headers=team_admin).json["items"]
    assert listed["id"] == complaint_id and len(listed["image_urls"]) == 2
    image = client.get(listed["image_urls"][1], headers=team_admin)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(image.data)) as stored:
        assert max(stored.size) == 1600  # resized

    empty = client.post(f"/api/v1/admin/complaints/{complaint_id}/resolution", json={"resolution": " "},
                        headers=team_admin)
    assert error_code(empty) == "COMPLAINT_TEXT_INVALID"
    resolved = client.post(f"/api/v1/admin/complaints/{complaint_id}/resolution",
                           json={"resolution": "已约谈活动负责人，下次活动增加引导员。"}, headers=team_admin)
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    again = client.post(f"/api/v1/admin/complaints/{complaint_id}/resolution", json={"resolution": "再次"},
                        headers=team_admin)
    assert error_code(again) == "COMPLAINT_ALREADY_RESOLVED"

    [mine] = client.get("/api/v1/me/complaints", headers=headers).json["items"]
    assert (mine["status_label"], mine["resolution"]) == ("已处理", "已约谈活动负责人，下次活动增加引导员。")
    notice = db.session.execute(db.select(OutboxMessage).filter_by(account_id=volunteer.account_id)).scalars().all()
    assert len(notice) == 1
    assert db.session.execute(db.select(AuditLog).filter_by(action="complaint.resolve")).scalar_one().org_id == team.id


def test_against_an_organisation_its_parent_handles_it(client, factories):
    city = factories.org("市协会", regional_authority=True)
    team = factories.org("队伍", parent=city)
    headers = factories.login(client, factories.volunteer(factories.org()))
    complaint_id = file(client, headers, "organisation", team.id, kind="report", text="该组织冒用名义收费。").json["id"]
    assert client.get("/api/v1/admin/complaints", headers=factories.login(client, factories.admin(team))) \
        .json["items"] == []
    city_admin = factories.login(client, factories.admin(city))
    assert [c["id"] for c in client.get("/api/v1/admin/complaints", headers=city_admin).json["items"]] == [complaint_id]


def test_against_a_volunteer_and_an_hours_record_and_bad_input(client, factories):
    org = factories.org()
    target = factories.volunteer(org)
    headers = factories.login(client, factories.volunteer(org))
    assert file(client, headers, "volunteer", target.id, text="冒名签到。").status_code == 201
    assert error_code(file(client, headers, "volunteer", 999999)) == "COMPLAINT_TARGET_NOT_FOUND"
    assert error_code(file(client, headers, "record", 999999)) == "COMPLAINT_TARGET_NOT_FOUND"
    too_long = file(client, headers, "volunteer", target.id, text="长" * 1001)
    assert too_long.status_code == 422 and error_code(too_long) == "COMPLAINT_TEXT_INVALID"
    not_image = file(client, headers, "volunteer", target.id, images=[b"%PDF-1.4 not an image"])
    assert not_image.status_code == 415 and error_code(not_image) == "COMPLAINT_IMAGE_TYPE"
    four = file(client, headers, "volunteer", target.id, images=[png()] * 4)
    assert error_code(four) == "COMPLAINT_IMAGE_TOO_LARGE"
    big = file(client, headers, "volunteer", target.id, images=[b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024)])
    assert big.status_code == 413
    assert file(client, {}, "volunteer", target.id).status_code == 401
    assert len(client.get("/api/v1/me/complaints", headers=headers).json["items"]) == 1  # refusals left nothing
