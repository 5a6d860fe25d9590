"""组织注册 with the hand-held ID photo, review by the parent, search and the organisation page."""
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from app.extensions import db
from app.models import AuditLog, Organisation
from tests.api.accounts_helpers import (
    bearer,
    error_code,
    last_code,
    login,
    new_identity,
    request_code,
    sms_to,
)


def image_bytes(kind="PNG", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(buffer, format=kind)
    return buffer.getvalue()


def org_form(parent, **overrides):
    identity = new_identity()
    form = {"name": "东山街青年志愿服务队", "category": "team", "parent_id": str(parent.id), "is_legal_person": "false",
            "region_code": "440104", "agreed": "true", "username": "dongshanyouth", "password": "OrgPass123",
            "real_name": "陈管理", "id_type": "mainland_id", "id_number": identity["id_number"],
            "phone": identity["phone"], "sms_code": "000000"}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def register_org(client, emulator, run_jobs, parent, photo=None, headers=None, **overrides):
    form = org_form(parent, **overrides)
    if "sms_code" not in overrides and not headers:
        assert request_code(client, form["phone"]).status_code == 202
        run_jobs()
        form["sms_code"] = last_code(emulator, phone=form["phone"])
    if headers:
        for key in ("username", "password", "real_name", "id_number", "phone", "sms_code"):
            form.pop(key, None)
    data = dict(form)
    if photo is not False:
        data["id_photo"] = (io.BytesIO(photo if photo is not None else image_bytes("JPEG")), "me.jpg")
    return client.post("/api/v1/organisations", data=data, content_type="multipart/form-data",
                       headers=headers or {}), form


@pytest.fixture
def city(factories):
    return factories.org("广州市志愿者协会", category="city", region_code="440100")


def test_register_review_and_log_in_as_the_new_organisation(client, factories, emulator, run_jobs, app, city):
    parent_admin = factories.login(client, factories.admin(city))
    response, form = register_org(client, emulator, run_jobs, city)
    assert response.status_code == 201, response.json
    org_id = response.json["id"]
    org = db.session.get(Organisation, org_id)
    assert org.status == "pending" and org.path == f"{city.path}{org_id}/"

    # the photo is stored outside the web root, owner-only, under a random name
    stored = Path(app.config["UPLOAD_DIR"]) / org.id_photo_path
    assert stored.is_file() and oct(os.stat(stored).st_mode & 0o777) == "0o600"
    assert "me.jpg" not in org.id_photo_path
    assert error_code(login(client, "dongshanyouth", "OrgPass123")) == "ORG_PENDING"
    # not listed publicly while pending
    assert client.get("/api/v1/organisations?name=青年").json["total"] == 0

    pending = client.get("/api/v1/admin/organisations?status=pending", headers=parent_admin).json["items"]
    assert [o["id"] for o in pending] == [org_id]
    assert pending[0]["admins"][0]["id_number"].endswith("********")
    photo = client.get(f"/api/v1/admin/organisations/{org_id}/id-photo", headers=parent_admin)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"] == "no-store, private"
    assert photo.data == stored.read_bytes()

    no_reason = client.post(f"/api/v1/admin/organisations/{org_id}/review", json={"approve": False},
                            headers=parent_admin)
    assert error_code(no_reason) == "REASON_REQUIRED"
    rejected = client.post(f"/api/v1/admin/organisations/{org_id}/review",
                           json={"approve": False, "reason": "证件照不清晰"}, headers=parent_admin)
    assert rejected.json["status"] == "rejected"
    refused = login(client, "dongshanyouth", "OrgPass123")
    assert error_code(refused) == "ORG_REJECTED" and refused.json["error"]["reason"] == "证件照不清晰"
    again = client.post(f"/api/v1/admin/organisations/{org_id}/review", json={"approve": True},
                        headers=parent_admin)
    assert error_code(again) == "ALREADY_REVIEWED"

    # the parent corrects the data (back to 待审核) and passes it
    corrected = client.patch(f"/api/v1/admin/organisations/{org_id}", json={"name": "东山街青年志愿队"},
                             headers=parent_admin)
    assert corrected.json["status"] == "pending" and corrected.json["name"] == "东山街青年志愿队"
    passed = client.post(f"/api/v1/admin/organisations/{org_id}/review", json={"approve": True},
                         headers=parent_admin)
    assert passed.json["status"] == "approved"
    run_jobs()
    texts = sms_to(emulator, form["phone"])
    assert any("证件照不清晰" in t for t in texts) and any("已通过" in t for t in texts)
    own = login(client, "dongshanyouth", "OrgPass123")
    assert own.status_code == 200
    assert client.get("/api/v1/admin/volunteers", headers=bearer(own)).status_code == 200
    actions = [a for (a,) in db.session.execute(db.select(AuditLog.action))]
    assert {"organisation.review", "organisation.correct", "organisation.id_photo_view"} <= set(actions)


def test_a_logged_in_volunteer_registers_an_organisation_as_its_admin(client, factories, emulator, run_jobs, city):
    volunteer = factories.volunteer(city)
    response, _ = register_org(client, emulator, run_jobs, city, headers=factories.login(client, volunteer))
    assert response.status_code == 201, response.json
    from app.models import OrgAdmin
    link = db.session.execute(db.select(OrgAdmin).filter_by(org_id=response.json["id"])).scalar_one()
    assert link.account_id == volunteer.account_id
    headers = factories.login(client, volunteer)
    for _ in range(2):
        assert register_org(client, emulator, run_jobs, city, headers=headers)[0].status_code == 201
    fourth, _ = register_org(client, emulator, run_jobs, city, headers=headers)
    assert fourth.status_code == 429 and error_code(fourth) == "RATE_LIMITED"


@pytest.mark.parametrize("photo,status,code", [
    (False, 422, "PHOTO_REQUIRED"),
    (b"", 422, "PHOTO_REQUIRED"),
    (b"<?php system($_GET['c']); ?>", 415, "PHOTO_TYPE"),
    (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, 415, "PHOTO_TYPE"),
    (b"GIF89a" + b"\x00" * 100, 415, "PHOTO_TYPE"),
    (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), 413, "PHOTO_TOO_LARGE"),
])
def test_the_photo_is_checked_by_content_and_size(client, factories, city, app, photo, status, code):
    folder = Path(app.config["UPLOAD_DIR"]) / "id-photos"
    before = set(folder.glob("*")) if folder.exists() else set()
    response, _ = register_org(client, None, None, city, photo=photo, sms_code="000000")
    assert response.status_code == status, response.json
    assert error_code(response) == code
    assert db.session.execute(db.select(Organisation).filter_by(status="pending")).first() is None
    assert (set(folder.glob("*")) if folder.exists() else set()) == before


def test_a_png_is_accepted_and_a_failed_registration_leaves_no_file(client, factories, emulator, run_jobs, app,
                                                                    city):
    folder = Path(app.config["UPLOAD_DIR"]) / "id-photos"
    before = set(folder.glob("*")) if folder.exists() else set()
    wrong_code, _ = register_org(client, emulator, run_jobs, city, photo=image_bytes("PNG"), sms_code="999999")
    assert error_code(wrong_code) == "CODE_INVALID"
    assert (set(folder.glob("*")) if folder.exists() else set()) == before
    ok, _ = register_org(client, emulator, run_jobs, city, photo=image_bytes("PNG"))
    assert ok.status_code == 201
    assert db.session.get(Organisation, ok.json["id"]).id_photo_path.endswith(".png")


@pytest.mark.parametrize("overrides,code", [
    ({"category": "province"}, "VALIDATION_ERROR"),
    ({"agreed": "false"}, "AGREEMENT_REQUIRED"),
    ({"parent_id": "999999"}, "ORG_NOT_FOUND"),
    ({"id_number": "123"}, "ID_FORMAT"),
    ({"password": "weak"}, "WEAK_PASSWORD"),
    ({"username": None}, "VALIDATION_ERROR"),
])
def test_organisation_registration_rejections(client, factories, city, overrides, code):
    response, _ = register_org(client, None, None, city, sms_code="000000", **overrides)
    assert response.status_code in (404, 409, 422), response.json
    assert error_code(response) == code


def test_the_admins_identity_must_be_new_unless_logged_in(client, factories, emulator, run_jobs, city):
    volunteer = factories.volunteer(city)
    response, _ = register_org(client, emulator, run_jobs, city, id_number=volunteer.account.id_number)
    assert error_code(response) == "ID_NUMBER_EXISTS"


def test_search_and_page_with_children_and_counts(client, factories):
    province = factories.org("广东省志愿者联合会", category="province", region_code="440000")
    city = factories.org("广州市志愿者协会", parent=province, category="city", region_code="440100")
    team = factories.org("东山街志愿服务队", parent=city, region_code="440104")
    factories.org("中山大学志愿者协会", parent=city, category="university", region_code="440105")
    hidden = factories.org("待审核的队", parent=city)
    hidden.status = "pending"
    team.volunteer_count, team.activity_count, team.total_minutes = 5, 2, 600
    city.volunteer_count, city.total_minutes = 1, 30
    db.session.commit()

    names = lambda r: [o["name"] for o in r.json["items"]]  # noqa: E731
    assert names(client.get("/api/v1/organisations?name=志愿")) == [
        "广东省志愿者联合会", "广州市志愿者协会", "东山街志愿服务队", "中山大学志愿者协会"]
    assert names(client.get("/api/v1/organisations?category=university")) == ["中山大学志愿者协会"]
    assert names(client.get("/api/v1/organisations?region=4401&category=team")) == ["东山街志愿服务队"]
    assert client.get("/api/v1/organisations?name=%25").json["total"] == 0  # no wildcard injection
    assert client.get("/api/v1/organisations?category=nope").status_code == 422

    page = client.get(f"/api/v1/organisations/{city.id}").json
    assert [c["name"] for c in page["children"]] == ["东山街志愿服务队", "中山大学志愿者协会"]
    assert page["volunteer_count"] == 1
    assert page["subtree"] == {"volunteer_count": 6, "activity_count": 2, "total_minutes": 630}
    assert page["category_label"] == "地市"
    assert client.get(f"/api/v1/organisations/{hidden.id}").status_code == 404
    assert "id_photo_path" not in str(page)


def test_approval_and_home_moves_keep_the_volunteer_count(client, factories):
    org = factories.org()
    headers = factories.login(client, factories.admin(org))
    volunteers = [factories.volunteer(org, status="pending", identity="passed") for _ in range(3)]
    for v in volunteers[:2]:
        client.post(f"/api/v1/admin/volunteers/{v.id}/review", json={"approve": True}, headers=headers)
    client.post(f"/api/v1/admin/volunteers/{volunteers[2].id}/review", json={"approve": False, "reason": "x"},
                headers=headers)
    assert client.get(f"/api/v1/organisations/{org.id}").json["volunteer_count"] == 2
