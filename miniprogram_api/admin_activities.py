"""Organisation admins: publish, edit and revoke activities; invite, admit and remove volunteers.

Every operation is scoped by app/services/authz.py (own organisations, descendants only under
regional authority; another branch's activity answers NOT_FOUND) and leaves an audit row.
"""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain import activity_rules as rules
from app.services import activities as activity_service
from app.services import admissions, enrollment, invitations, rosters
from app.timeutil import utcnow
from miniprogram_api.activity_json import (
    IsoTime,
    activity_detail,
    activity_summary,
    enrollment_json,
    page_json,
    volunteer_brief,
)
from miniprogram_api.auth_context import admin_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import MAX_QUOTA, Id, Page
from miniprogram_api.schemas import (
    ActivityDetailOut,
    ActivityListOut,
    AdmissionsOut,
    InvitableListOut,
    InvitationsOut,
    RemovalsOut,
    RosterOut,
)

blp = Blueprint("admin_activities", __name__, url_prefix="/api/v1/admin/activities",
                description="组织管理员：活动发布、修改、撤销、邀请、录用、移除")

SECURITY = [{"bearer": []}]


class PositionSchema(Schema):
    id = Id(allow_none=True, metadata={"description": "修改已有岗位时填写"})
    name = fields.String(required=True, validate=validate.Length(max=64))
    quota = fields.Integer(required=True, validate=validate.Range(max=MAX_QUOTA))


class ActivitySchema(Schema):
    org_id = Id(metadata={"description": "发布组织；只管理一个组织时可省略"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(allow_none=True, validate=validate.Length(max=20000))
    service_category = fields.String(allow_none=True, validate=validate.Length(max=40))
    region_code = fields.String(required=True, metadata={"description": "行政区划代码，如 440104"})
    address = fields.String(allow_none=True, validate=validate.Length(max=255))
    latitude = fields.Float(allow_none=True, metadata={"description": "gcj02"})
    longitude = fields.Float(allow_none=True, metadata={"description": "gcj02"})
    radius_m = fields.Integer(validate=validate.Range(min=10, max=50_000))
    require_location = fields.Boolean()
    cover_url = fields.Url(allow_none=True, validate=validate.Length(max=255))
    enroll_start = IsoTime(required=True)
    enroll_end = IsoTime(required=True)
    start_at = IsoTime(required=True)
    end_at = IsoTime(required=True)
    quota = fields.Integer(required=True, validate=validate.Range(max=MAX_QUOTA),
                           metadata={"description": "招募人数，正整数"})
    contact_name = fields.String(allow_none=True, validate=validate.Length(max=64))
    contact_phone = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9+\- ]{5,20}$"))
    is_family = fields.Boolean(metadata={"description": "亲子体验"})
    positions = fields.List(fields.Nested(PositionSchema), validate=validate.Length(max=50),
                            metadata={"description": "岗位（可选）；修改时给出完整列表"})


class ActivityPatchSchema(ActivitySchema):
    """The same fields, each optional (used with partial=True)."""


class RevokeBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=255))


class VolunteerIds(Schema):
    volunteer_ids = fields.List(Id(), required=True,
                                validate=validate.Length(min=1, max=enrollment.MAX_IDS))


class ListArgs(Schema):
    page = Page()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class RosterArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(rules.ENROLLMENT_LABELS))


class InvitableArgs(ListArgs):
    name = fields.String(validate=validate.Length(min=1, max=64))
    gender = fields.String(validate=validate.OneOf(("male", "female")))


@blp.route("")
class AdminActivities(MethodView):
    @admin_required
    @blp.arguments(ListArgs(), location="query")
    @blp.response(200, ActivityListOut)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """The activities of the organisations this admin manages, latest start first."""
        items, total = activity_service.list_managed_activities(g.account, page=args["page"],
                                                                per_page=args["per_page"])
        now = utcnow()
        return page_json([activity_summary(a, now) for a in items], total, args["page"], args["per_page"])

    @admin_required
    @blp.arguments(ActivitySchema())
    @blp.response(201, ActivityDetailOut)
    @blp.doc(security=SECURITY)
    def post(self, body):
        """发布活动. Refusals: ENROLL_WINDOW_INVALID, ENROLL_ENDS_AFTER_START, ACTIVITY_ENDS_BEFORE_START,
        QUOTA_INVALID, COORDINATES_INVALID, REGION_UNKNOWN, POSITION_INVALID, POSITIONS_EXCEED_QUOTA."""
        activity = activity_service.publish_activity(g.account, body.pop("org_id", None), body)
        return activity_detail(activity, utcnow(), full_contact=True)


@blp.route("/<int:activity_id>")
class AdminActivity(MethodView):
    @blp.response(200, ActivityDetailOut)
    @blp.doc(security=SECURITY)
    @admin_required
    def get(self, activity_id):
        activity = activity_service.managed_activity(g.account, activity_id)
        return activity_detail(activity, utcnow(), full_contact=True)

    @admin_required
    @blp.arguments(ActivityPatchSchema(partial=True))
    @blp.response(200, ActivityDetailOut)
    @blp.doc(security=SECURITY)
    def patch(self, body, activity_id):
        """修改活动: any field; not once revoked (ACTIVITY_REVOKED) or ended (ACTIVITY_ENDED);
        the quota never below the places taken (QUOTA_BELOW_TAKEN)."""
        body.pop("org_id", None)
        activity = activity_service.update_activity(g.account, activity_id, body)
        return activity_detail(activity, utcnow(), full_contact=True)


@blp.route("/<int:activity_id>/revoke")
class AdminRevoke(MethodView):
    @admin_required
    @blp.arguments(RevokeBody())
    @blp.response(200, ActivityDetailOut)
    @blp.doc(security=SECURITY)
    def post(self, body, activity_id):
        """撤销活动 (final): everyone enrolled or admitted is notified."""
        activity = activity_service.revoke_activity(g.account, activity_id, body["reason"])
        return activity_detail(activity, utcnow(), full_contact=True)


@blp.route("/<int:activity_id>/invitations")
class AdminInvitations(MethodView):
    @admin_required
    @blp.arguments(VolunteerIds())
    @blp.response(200, InvitationsOut)
    @blp.doc(security=SECURITY)
    def post(self, body, activity_id):
        """邀请 volunteers registered under the activity's organisation (one or many). Others are
        refused one by one in `refused` (VOLUNTEER_NOT_IN_ORG, ALREADY_INVITED, ALREADY_ENROLLED)."""
        return invitations.invite(g.account, activity_id, body["volunteer_ids"])


@blp.route("/<int:activity_id>/invitable-volunteers")
class AdminInvitable(MethodView):
    @admin_required
    @blp.arguments(InvitableArgs(), location="query")
    @blp.response(200, InvitableListOut)
    @blp.doc(security=SECURITY)
    def get(self, args, activity_id):
        """Approved volunteers of the activity's organisation, by name and gender, with whether
        each was invited or enrolled already (names and phones masked)."""
        _, rows, total = rosters.invitable_volunteers(g.account, activity_id, name=args.get("name"),
                                                      gender=args.get("gender"), page=args["page"],
                                                      per_page=args["per_page"])
        items = [{**volunteer_brief(v, a), "invited": invited, "enrollment_status": status}
                 for v, a, invited, status in rows]
        return page_json(items, total, args["page"], args["per_page"])


@blp.route("/<int:activity_id>/enrollments")
class AdminRoster(MethodView):
    @admin_required
    @blp.arguments(RosterArgs(), location="query")
    @blp.response(200, RosterOut)
    @blp.doc(security=SECURITY)
    def get(self, args, activity_id):
        """The activity's enrollments (待录用 / 已录用 / removed / cancelled), oldest first."""
        _, rows, total = rosters.activity_enrollments(g.account, activity_id, status=args.get("status"),
                                                      page=args["page"], per_page=args["per_page"])
        items = [{**enrollment_json(e), "volunteer": volunteer_brief(v, a)} for e, v, a in rows]
        return page_json(items, total, args["page"], args["per_page"])


@blp.route("/<int:activity_id>/admissions")
class AdminAdmissions(MethodView):
    @admin_required
    @blp.arguments(VolunteerIds())
    @blp.response(200, AdmissionsOut)
    @blp.doc(security=SECURITY)
    def post(self, body, activity_id):
        """录用 pending applicants (one or many); each is notified (WeChat and SMS). Per id refusals:
        NOT_ENROLLED, ENROLLMENT_NOT_PENDING."""
        return admissions.admit(g.account, activity_id, body["volunteer_ids"])


@blp.route("/<int:activity_id>/removals")
class AdminRemovals(MethodView):
    @admin_required
    @blp.arguments(VolunteerIds())
    @blp.response(200, RemovalsOut)
    @blp.doc(security=SECURITY)
    def post(self, body, activity_id):
        """移除 applicants or admitted volunteers (one or many); places freed, each notified."""
        return admissions.remove(g.account, activity_id, body["volunteer_ids"])
