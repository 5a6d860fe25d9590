"""完善资料: avatar (checked by content and size, stored resized), 背景经历, 特长, 服务信息 and the
completeness indicator."""
import io

from PIL import Image

from tests.api.accounts_helpers import error_code


def picture(kind="JPEG", size=(1200, 900)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format=kind)
    return buffer.getvalue()


def upload(client, headers, data, name="me.jpg"):
    return client.put("/api/v1/me/avatar", data={"avatar": (io.BytesIO(data), name)}, headers=headers,
                      content_type="multipart/form-data")


def test_the_profile_fills_in_and_the_indicator_follows(client, factories):
    headers = factories.login(client, factories.volunteer(factories.org()))
    start = client.get("/api/v1/me/service-profile", headers=headers).json
    assert start["completeness"]["percent"] == 0
    assert [m["field"] for m in start["completeness"]["missing"]][:3] == ["avatar", "education", "background"]

    body = {"background": "曾在社区服务中心做过两年长者探访。", "specialties": ["摄影", " 急救 ", "摄影"],
            "service_intentions": ["社区服务", "敬老助残"], "available_times": ["weekend", "holiday"]}
    edited = client.patch("/api/v1/me/service-profile", json=body, headers=headers)
    assert edited.status_code == 200
    assert edited.json["specialties"] == ["摄影", "急救"]
    assert edited.json["available_times"] == ["weekend", "holiday"]
    assert edited.json["completeness"]["percent"] == 57  # 4 of 7
    assert {m["label"] for m in edited.json["completeness"]["missing"]} == {"头像", "学历", "邮箱"}

    uploaded = upload(client, headers, picture())
    assert uploaded.status_code == 200 and uploaded.json["has_avatar"] is True
    assert uploaded.json["completeness"]["percent"] == 71
    stored = client.get("/api/v1/me/avatar", headers=headers)
    assert stored.status_code == 200 and stored.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.size == (256, 192)  # resized, proportions kept

    client.patch("/api/v1/me/profile", json={"education": "本科", "email": "me@example.com"}, headers=headers)
    assert client.get("/api/v1/me/service-profile", headers=headers).json["completeness"] == \
        {"percent": 100, "missing": []}


def test_a_non_image_or_oversized_avatar_is_refused(client, factories):
    headers = factories.login(client, factories.volunteer(factories.org()))
    assert client.get("/api/v1/me/avatar", headers=headers).status_code == 404
    text = upload(client, headers, b"just some text pretending", "avatar.jpg")
    assert text.status_code == 415 and error_code(text) == "AVATAR_TYPE"
    disguised = upload(client, headers, b"\xff\xd8\xff\xe0" + b"<?php system($_GET[c]); ?>", "avatar.jpg")
    assert error_code(disguised) == "AVATAR_TYPE"
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    assert error_code(upload(client, headers, gif.getvalue(), "a.gif")) == "AVATAR_TYPE"
    big = upload(client, headers, b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "big.jpg")
    assert big.status_code == 413 and error_code(big) == "AVATAR_TOO_LARGE"
    assert client.get("/api/v1/me/avatar", headers=headers).status_code == 404
    png = upload(client, headers, picture("PNG", (100, 50)), "small.png")
    assert png.status_code == 200


def test_oversized_and_unknown_values_are_refused(client, factories):
    headers = factories.login(client, factories.volunteer(factories.org()))
    long_text = client.patch("/api/v1/me/service-profile", json={"background": "长" * 1001}, headers=headers)
    assert long_text.status_code == 422 and error_code(long_text) == "VALIDATION_ERROR"
    too_many = client.patch("/api/v1/me/service-profile", json={"specialties": [f"特长{n}" for n in range(11)]},
                            headers=headers)
    assert error_code(too_many) == "SPECIALTIES_INVALID"
    long_item = client.patch("/api/v1/me/service-profile", json={"specialties": ["很" * 21]}, headers=headers)
    assert error_code(long_item) == "SPECIALTIES_INVALID"
    unknown = client.patch("/api/v1/me/service-profile", json={"available_times": ["midnight"]}, headers=headers)
    assert unknown.status_code == 422
    admin_only = factories.login(client, factories.admin(factories.org()))
    assert error_code(client.get("/api/v1/me/service-profile", headers=admin_only)) == "NOT_A_VOLUNTEER"
