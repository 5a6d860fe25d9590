"""Public activity search, an activity's page, enrollment, and an organisation's activities."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate

from app.domain import activity_state as st
from app.domain.geo import haversine_m, valid_coordinates
from app.services import activities as activity_service
from app.services import enrollment
from app.services.activity_search import MAX_PER_PAGE, search_activities
from app.timeutil import utcnow
from miniprogram_api.activity_json import (
    IsoTime,
    activity_detail,
    activity_summary,
    enrollment_json,
    page_json,
)
from miniprogram_api.auth_context import login_required, optional_account_id
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import ActivityListOut, ActivityPageOut, EnrollmentOut, OrgActivityListOut

blp = Blueprint("activities", __name__, url_prefix="/api/v1", description="志愿活动：搜索、详情、报名")


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class NearPoint(fields.String):
    """"lat,lng" (gcj02 degrees, as wx.getLocation reports them) → (lat, lng)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            latitude, longitude = (float(part) for part in text.split(","))
        except ValueError:
            raise ValidationError("须为“纬度,经度”，例如 23.1291,113.2644。") from None
        if not valid_coordinates(latitude, longitude):
            raise ValidationError("纬度 -90~90，经度 -180~180。")
        return latitude, longitude


class SearchArgs(PageArgs):
    state = fields.String(validate=validate.OneOf(st.STATES),
                          metadata={"description": "not_open 报名未开始 / open 马上报名 / closed 报名结束 / "
                                                   "in_progress 执行中 / ended 已结束 / revoked 已撤销"})
    region = fields.String(validate=validate.Length(equal=6),
                           metadata={"description": "行政区划代码；城市代码包含其下各区，440000 为全省"})
    keyword = fields.String(validate=validate.Length(min=1, max=50), metadata={"description": "标题或地址包含"})
    start_from = IsoTime(metadata={"description": "活动开始不早于（ISO 8601，带时区）"})
    start_to = IsoTime(metadata={"description": "活动开始不晚于（ISO 8601，带时区）"})
    family = fields.Boolean(metadata={"description": "亲子体验：true/false/1/0"})
    category = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "服务类别，如 社区服务"})
    near = NearPoint(metadata={"description": "“纬度,经度”（gcj02）：只列出附近有地点的活动，由近及远，"
                                              "每项带 distance_m（米）"})
    within_km = fields.Integer(validate=validate.Range(min=1, max=1000),
                               metadata={"description": "与 near 一起：范围（公里），默认 100"})


class OrgActivitiesArgs(PageArgs):
    state = fields.String(validate=validate.OneOf(st.STATES))


class EnrollBody(Schema):
    position_id = Id(allow_none=True, metadata={"description": "活动设有岗位时必填"})
    shift_id = Id(allow_none=True, metadata={"description": "活动设有班次（排班）时必填"})


@blp.route("/activities")
class ActivitySearch(MethodView):
    @blp.arguments(SearchArgs(), location="query")
    @blp.response(200, ActivityListOut)
    def get(self, args):
        """Search activities (anyone). With no filter: every activity not revoked, ended ones
        included, soonest start first. Items carry `state` (stable code) and `state_label`.
        `category=`: one service category; `near=lat,lng`: nearest first, with `distance_m`."""
        page, per_page = args.pop("page"), args.pop("per_page")
        now = utcnow()
        items, total = search_activities(now=now, page=page, per_page=per_page, **args)
        summaries = [activity_summary(a, now) for a in items]
        near = args.get("near")
        if near is not None:
            for summary, activity in zip(summaries, items, strict=True):
                summary["distance_m"] = round(haversine_m(*near, activity.latitude, activity.longitude))
        return page_json(summaries, total, page, per_page)


@blp.route("/activities/<int:activity_id>")
class ActivityDetail(MethodView):
    @blp.response(200, ActivityPageOut)
    def get(self, activity_id):
        """An activity's page (anyone; the contact number in full for its admins and its volunteers).
        With a bearer token, `my_enrollment` is the caller's enrollment, if any."""
        page = activity_service.activity_page(activity_id, optional_account_id())
        data = activity_detail(page.activity, utcnow(), full_contact=page.full_contact)
        data["my_enrollment"] = enrollment_json(page.my_enrollment) if page.my_enrollment else None
        return data


@blp.route("/activities/<int:activity_id>/enrollment")
class ActivityEnrollment(MethodView):
    @login_required
    @blp.arguments(EnrollBody(), required=False)
    @blp.response(201, EnrollmentOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, activity_id):
        """报名 (approved volunteers, while 马上报名, within the quota; at most 5 pending).
        Refusals: VOLUNTEER_NOT_APPROVED, ENROLLMENT_NOT_OPEN, QUOTA_FULL, POSITION_REQUIRED,
        POSITION_FULL, SHIFT_REQUIRED, SHIFT_NOT_FOUND, SHIFT_FULL, TOO_MANY_PENDING, ALREADY_ENROLLED,
        ENROLLMENT_REMOVED, NOT_A_VOLUNTEER."""
        body = body or {}
        result = enrollment.enroll(g.account.id, activity_id, body.get("position_id"), body.get("shift_id"))
        return enrollment_json(result)

    @blp.response(200, EnrollmentOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def delete(self, activity_id):
        """取消报名 until the activity starts; frees the place. Refusals: NOT_ENROLLED,
        ENROLLMENT_NOT_ACTIVE, CANCEL_TOO_LATE."""
        return enrollment_json(enrollment.cancel(g.account.id, activity_id))


@blp.route("/organisations/<int:org_id>/activities")
class OrganisationActivities(MethodView):
    @blp.arguments(OrgActivitiesArgs(), location="query")
    @blp.response(200, OrgActivityListOut)
    def get(self, args, org_id):
        """The organisation page's activity list (anyone): not revoked, soonest start first."""
        now = utcnow()
        org, (items, total) = activity_service.organisation_activities(
            org_id, now=now, state=args.get("state"), page=args["page"], per_page=args["per_page"])
        body = page_json([activity_summary(a, now) for a in items], total, args["page"], args["per_page"])
        body["organisation"] = {"id": org.id, "name": org.name, "volunteer_count": org.volunteer_count,
                                "activity_count": org.activity_count, "total_minutes": org.total_minutes}
        return body
