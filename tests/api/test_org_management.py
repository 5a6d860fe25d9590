"""组织管理: the organisation's own admin edits its profile and logo and its admin accounts."""
import io

from PIL import Image

from app.extensions import db
from app.models import AuditLog
from tests.api.accounts_helpers import error_code


def image_bytes(kind="PNG", size=(40, 30), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 100, 50) if mode == "RGB" else (200, 100, 50, 128)).save(buffer, format=kind)
    return buffer.getvalue()


def test_the_admin_edits_the_profile_and_the_public_page_shows_it(client, factories):
    org, other = factories.org("东山街志愿服务队"), factories.org()
    admin = factories.login(client, factories.admin(org))
    url = f"/api/v1/admin/organisations/{org.id}/profile"
    body = {"description": "扎根东山街的社区志愿服务队。", "contact_name": "李队长", "contact_phone": "020-83331234",
            "address": "广州市越秀区东山街 1 号", "service_categories": ["社区服务", "环境保护", "社区服务"]}
    edited = client.patch(url, json=body, headers=admin)
    assert edited.status_code == 200
    assert edited.json["contact_phone"] == "020-83331234"
    assert edited.json["service_categories"] == ["社区服务", "环境保护"]
    public = client.get(f"/api/v1/organisations/{org.id}").json
    assert (public["description"], public["contact_name"], public["address"]) == (
        "扎根东山街的社区志愿服务队。", "李队长", "广州市越秀区东山街 1 号")
    assert "contact_phone" not in public
    assert client.get(url, headers=admin).json["join_password_set"] is False
    cleared = client.patch(url, json={"address": None}, headers=admin).json
    assert cleared["address"] is None and cleared["contact_name"] == "李队长"
    assert db.session.execute(db.select(db.func.count()).select_from(AuditLog)
                              .filter_by(action="organisation.profile", org_id=org.id)).scalar_one() == 2

    stranger = factories.login(client, factories.admin(other))
    assert client.patch(url, json={"address": "别处"}, headers=stranger).status_code == 404
    volunteer = factories.login(client, factories.volunteer(org))
    assert client.patch(url, json={"address": "别处"}, headers=volunteer).status_code == 403
    too_long = client.patch(url, json={"description": "长" * 2001}, headers=admin)
    assert too_long.status_code == 422 and error_code(too_long) == "VALIDATION_ERROR"
    assert client.patch(url, json={"service_categories": ["x"] * 11}, headers=admin).status_code == 422
    assert client.patch(url, json={"contact_phone": "call me"}, headers=admin).status_code == 422


def test_the_logo_is_checked_by_content_resized_and_public(client, factories):
    org = factories.org()
    admin = factories.login(client, factories.admin(org))
    url = f"/api/v1/admin/organisations/{org.id}/logo"
    assert client.get(f"/api/v1/organisations/{org.id}/logo").status_code == 404

    uploaded = client.put(url, data={"logo": (io.BytesIO(image_bytes("PNG", (2000, 1000))), "logo.png")},
                          headers=admin, content_type="multipart/form-data")
    assert uploaded.status_code == 200 and uploaded.json["logo_url"] == f"/api/v1/organisations/{org.id}/logo"
    served = client.get(uploaded.json["logo_url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.size == (512, 256)

    transparent = client.put(url, data={"logo": (io.BytesIO(image_bytes("PNG", mode="RGBA")), "t.png")},
                             headers=admin, content_type="multipart/form-data")
    assert transparent.status_code == 200
    assert client.get(f"/api/v1/organisations/{org.id}/logo").mimetype == "image/png"

    script = b"\x89PNG\r\n\x1a\n<script>alert(1)</script>"
    fake = client.put(url, data={"logo": (io.BytesIO(script), "logo.png")}, headers=admin,
                      content_type="multipart/form-data")
    assert fake.status_code == 415 and error_code(fake) == "LOGO_TYPE"
    text = client.put(url, data={"logo": (io.BytesIO(b"GIF89a not allowed"), "logo.gif")}, headers=admin,
                      content_type="multipart/form-data")
    assert error_code(text) == "LOGO_TYPE"
    big = client.put(url, data={"logo": (io.BytesIO(b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024)), "big.jpg")},
                     headers=admin, content_type="multipart/form-data")
    assert big.status_code == 413 and error_code(big) == "LOGO_TOO_LARGE"
    stranger = factories.login(client, factories.admin(factories.org()))
    assert client.put(url, data={"logo": (io.BytesIO(image_bytes()), "l.png")}, headers=stranger,
                      content_type="multipart/form-data").status_code == 404


def test_admins_are_added_and_removed_but_never_the_last(client, factories):
    org = factories.org()
    first = factories.admin(org)
    headers = factories.login(client, first)
    url = f"/api/v1/admin/organisations/{org.id}/admins"
    colleague = factories.account(username="colleague01")

    added = client.post(url, json={"account": "colleague01"}, headers=headers)
    assert added.status_code == 201
    assert [a["account_id"] for a in added.json["items"]] == [first.id, colleague.id]
    assert error_code(client.post(url, json={"account": "colleague01"}, headers=headers)) == "ADMIN_EXISTS"
    assert error_code(client.post(url, json={"account": "nobody-here"}, headers=headers)) == "ACCOUNT_NOT_FOUND"
    # the new admin now manages the organisation
    colleague_h = factories.login(client, colleague)
    assert client.get(f"/api/v1/admin/organisations/{org.id}/profile", headers=colleague_h).status_code == 200

    stranger = factories.login(client, factories.admin(factories.org()))
    assert client.delete(f"{url}/{colleague.id}", headers=stranger).status_code == 404
    assert client.get(url, headers=stranger).status_code == 404

    removed = client.delete(f"{url}/{first.id}", headers=colleague_h)
    assert [a["account_id"] for a in removed.json["items"]] == [colleague.id]
    last = client.delete(f"{url}/{colleague.id}", headers=colleague_h)
    assert last.status_code == 409 and error_code(last) == "LAST_ADMIN"
    assert client.get(url, headers=colleague_h).json["items"][0]["account_id"] == colleague.id
    actions = db.session.execute(db.select(AuditLog.action).where(AuditLog.org_id == org.id)).scalars().all()
    assert sorted(actions) == ["organisation.admin_add", "organisation.admin_remove"]
