"""留言: volunteers comment on activities and organisations; newest first with paging; my comments;
the owning organisation's admin hides one with a reason (audited); limits on length and rate."""
from app.extensions import db
from app.models import AuditLog
from tests.api.accounts_helpers import error_code


def post(client, headers, path, text):
    return client.post(f"/api/v1/{path}/comments", json={"text": text}, headers=headers)


def test_comments_are_posted_and_listed_newest_first_with_paging(client, factories):
    org = factories.org()
    activity = factories.activity(org)
    volunteer = factories.volunteer(org, real_name="王小明")
    headers = factories.login(client, volunteer)
    for n in range(3):
        made = post(client, headers, f"activities/{activity.id}", f"  第{n}条：活动很有意义！ ")
        assert made.status_code == 201 and made.json["text"] == f"第{n}条：活动很有意义！"
    assert post(client, headers, f"organisations/{org.id}", "感谢队长的组织").status_code == 201

    first = client.get(f"/api/v1/activities/{activity.id}/comments?per_page=2").json
    assert first["total"] == 3 and [c["text"][:3] for c in first["items"]] == ["第2条", "第1条"]
    assert first["items"][0]["author"] != "王小明" and first["items"][0]["author"].startswith("王")
    second = client.get(f"/api/v1/activities/{activity.id}/comments?per_page=2&page=2").json
    assert [c["text"][:3] for c in second["items"]] == ["第0条"]
    on_org = client.get(f"/api/v1/organisations/{org.id}/comments").json["items"]
    assert [c["text"] for c in on_org] == ["感谢队长的组织"]
    mine = client.get("/api/v1/me/comments", headers=headers).json
    assert mine["total"] == 4 and mine["items"][0]["target_type"] == "organisation"


def test_empty_oversized_and_unknown_targets_are_refused(client, factories):
    org = factories.org()
    activity = factories.activity(org)
    headers = factories.login(client, factories.volunteer(org))
    empty = post(client, headers, f"activities/{activity.id}", "   ")
    assert empty.status_code == 422 and error_code(empty) == "COMMENT_EMPTY"
    too_long = post(client, headers, f"activities/{activity.id}", "长" * 501)
    assert too_long.status_code == 422 and error_code(too_long) == "COMMENT_TOO_LONG"
    assert "500" in too_long.json["error"]["message"]
    huge = post(client, headers, f"activities/{activity.id}", "长" * 30000)
    assert huge.status_code == 422
    assert post(client, headers, f"activities/{activity.id}", "长" * 500).status_code == 201
    assert error_code(post(client, headers, "activities/999999", "你好")) == "ACTIVITY_NOT_FOUND"
    assert error_code(post(client, headers, "organisations/999999", "你好")) == "ORG_NOT_FOUND"
    assert post(client, {}, f"activities/{activity.id}", "你好").status_code == 401
    admin_only = factories.login(client, factories.admin(org))
    assert error_code(post(client, admin_only, f"activities/{activity.id}", "你好")) == "NOT_A_VOLUNTEER"


def test_a_person_posts_five_a_minute_at_most(client, factories):
    org = factories.org()
    headers = factories.login(client, factories.volunteer(org))
    for n in range(5):
        assert post(client, headers, f"organisations/{org.id}", f"留言{n}").status_code == 201
    limited = post(client, headers, f"organisations/{org.id}", "再来一条")
    assert limited.status_code == 429 and error_code(limited) == "COMMENT_RATE_LIMITED"
    # someone else is not held back
    other = factories.login(client, factories.volunteer(org))
    assert post(client, other, f"organisations/{org.id}", "我也来说两句").status_code == 201


def test_the_owning_organisations_admin_hides_a_comment_with_a_reason(client, factories):
    org, elsewhere = factories.org(), factories.org()
    activity = factories.activity(org)
    headers = factories.login(client, factories.volunteer(elsewhere))
    comment_id = post(client, headers, f"activities/{activity.id}", "广告：高价回收旧手机").json["id"]
    admin = factories.login(client, factories.admin(org))
    stranger = factories.login(client, factories.admin(elsewhere))
    url = f"/api/v1/admin/comments/{comment_id}/hiding"

    assert client.post(url, json={"reason": "广告"}, headers=stranger).status_code == 404
    assert client.post(url, json={"reason": "广告"}, headers=headers).status_code == 403
    assert error_code(client.post(url, json={"reason": "  "}, headers=admin)) == "REASON_REQUIRED"
    hidden = client.post(url, json={"reason": "广告信息"}, headers=admin)
    assert hidden.status_code == 200 and hidden.json["hidden"] is True
    assert error_code(client.post(url, json={"reason": "广告"}, headers=admin)) == "COMMENT_ALREADY_HIDDEN"

    assert client.get(f"/api/v1/activities/{activity.id}/comments").json["items"] == []
    [mine] = client.get("/api/v1/me/comments", headers=headers).json["items"]
    assert (mine["hidden"], mine["hidden_reason"]) == (True, "广告信息")
    audit = db.session.execute(db.select(AuditLog).filter_by(action="comment.hide")).scalar_one()
    assert (audit.org_id, audit.target_id, audit.detail["reason"]) == (org.id, str(comment_id), "广告信息")
